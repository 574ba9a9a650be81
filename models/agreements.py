"""Usage agreement versions and who accepted which (R12)."""

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account


class UsageAgreement(Model):
    id = fields.IntField(primary_key=True)
    version = fields.CharField(max_length=32, unique=True)
    title_fr = fields.CharField(max_length=200)
    title_en = fields.CharField(max_length=200)
    body_fr = fields.TextField()
    body_en = fields.TextField()
    published_at = fields.DatetimeField()

    class Meta:
        table = "usage_agreement"


class AgreementAcceptance(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="acceptances", on_delete=fields.CASCADE
    )
    account_id: int
    agreement: fields.ForeignKeyRelation[UsageAgreement] = fields.ForeignKeyField(
        "models.UsageAgreement", related_name="acceptances", on_delete=fields.RESTRICT
    )
    agreement_id: int
    accepted_at = fields.DatetimeField()
    channel = fields.CharField(max_length=8)
    client_address = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "agreement_acceptance"
        unique_together = (("account", "agreement"),)
