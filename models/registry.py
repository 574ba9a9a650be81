"""The insurer's member registry, as imported from the registry file."""

from tortoise import fields
from tortoise.models import Model


class Contract(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=64, unique=True, description="trimmed, upper-cased")
    product_line = fields.CharField(max_length=32)
    sponsor_name = fields.CharField(max_length=200)
    plan_name = fields.CharField(max_length=200)
    online_features: fields.Field[list[str]] = fields.JSONField(default=list)
    claim_rules: fields.Field[list[dict[str, int | str | None]]] = fields.JSONField(
        default=list, description="the plan's reimbursement table (registry-format.md)"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "contract"


class Certificate(Model):
    id = fields.IntField(primary_key=True)
    contract: fields.ForeignKeyRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="certificates", on_delete=fields.RESTRICT
    )
    contract_id: int
    number = fields.CharField(max_length=64, description="trimmed, upper-cased")
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    date_of_birth = fields.DateField()
    status = fields.CharField(max_length=16)
    effective_date = fields.DateField()
    termination_date = fields.DateField(null=True)
    coverages: fields.Field[list[dict[str, str | None]]] = fields.JSONField(default=list)
    search_text = fields.CharField(
        max_length=255, default="", description="names without accents, lower-case, for search"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "certificate"
        unique_together = (("contract", "number"),)
        # A partner's members page, in name order, a page 10,000 members in (issue 20); with
        # what a search matches and what a page shows, so that a search reads the index alone
        # (without the status, PostgreSQL read every member's row of the contract to filter).
        indexes = (
            ("contract_id", "last_name", "first_name", "id", "search_text", "number", "status"),
        )


class Dependent(Model):
    """A spouse or child the certificate covers: a patient a member may claim for."""

    id = fields.IntField(primary_key=True)
    certificate: fields.ForeignKeyRelation[Certificate] = fields.ForeignKeyField(
        "models.Certificate", related_name="dependents", on_delete=fields.RESTRICT
    )
    certificate_id: int
    first_name = fields.CharField(max_length=100)
    first_name_key = fields.CharField(
        max_length=100, description="the first name folded: what identifies the person on import"
    )
    last_name = fields.CharField(max_length=100)
    date_of_birth = fields.DateField()
    relationship = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "dependent"
        unique_together = (("certificate", "first_name_key", "date_of_birth"),)
