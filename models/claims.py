"""Health-care claims (R17), their receipts, the outbox that hands them to the insurer's claims
system, and the bank account reimbursements are paid into."""

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Claim(Model):
    id = fields.BigIntField(primary_key=True)
    public_id = fields.CharField(
        max_length=36, unique=True, description="a UUID: the claims system's idempotency key"
    )
    reference = fields.CharField(max_length=16, unique=True, description="quoted by the member")
    account: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Account", related_name="claims", on_delete=fields.RESTRICT
    )
    account_id: int
    certificate: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Certificate", related_name="claims", on_delete=fields.RESTRICT
    )
    certificate_id: int
    dependent: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Dependent", related_name="claims", null=True, on_delete=fields.RESTRICT
    )
    dependent_id: int | None
    session_id = fields.IntField(null=True, description="the session that submitted it")
    idempotency_key = fields.CharField(max_length=100)
    content_digest = fields.CharField(
        max_length=64, description="SHA-256 of what was submitted: a retry must match it"
    )
    category = fields.CharField(max_length=8)
    status = fields.CharField(max_length=12)
    provider_name = fields.CharField(max_length=120)
    total_cents = fields.BigIntField()
    submitted_at = fields.DatetimeField()
    received_at = fields.DatetimeField(null=True)
    eligible_cents = fields.BigIntField(null=True)
    paid_cents = fields.BigIntField(null=True)
    reason_fr = fields.TextField(null=True)
    reason_en = fields.TextField(null=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "claim"
        unique_together = (("account", "idempotency_key"),)
        indexes = (Index(fields=["certificate_id", "submitted_at"]),)


class ClaimLine(Model):
    id = fields.BigIntField(primary_key=True)
    claim: fields.ForeignKeyRelation[Claim] = fields.ForeignKeyField(
        "models.Claim", related_name="lines", on_delete=fields.CASCADE
    )
    claim_id: int
    position = fields.SmallIntField()
    service_type = fields.CharField(max_length=24)
    service_date = fields.DateField()
    amount_cents = fields.BigIntField()
    other_plan_paid_cents = fields.BigIntField()

    class Meta:
        table = "claim_line"
        unique_together = (("claim", "position"),)


class ClaimFingerprint(Model):
    """One row per (patient, service, date, provider, amount) of a claim not refused: the
    unique index is what makes DUPLICATE_CLAIM hold when two submissions race."""

    id = fields.BigIntField(primary_key=True)
    claim: fields.ForeignKeyRelation[Claim] = fields.ForeignKeyField(
        "models.Claim", related_name="fingerprints", on_delete=fields.CASCADE
    )
    claim_id: int
    digest = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "claim_fingerprint"


class Receipt(Model):
    id = fields.BigIntField(primary_key=True)
    public_id = fields.CharField(max_length=36, unique=True, description="the object's key")
    account: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Account", related_name="receipts", on_delete=fields.RESTRICT
    )
    account_id: int
    claim: fields.ForeignKeyNullableRelation[Claim] = fields.ForeignKeyField(
        "models.Claim", related_name="receipts", null=True, on_delete=fields.RESTRICT
    )
    claim_id: int | None
    content_type = fields.CharField(max_length=32)
    size_bytes = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = "receipt"
        indexes = (Index(fields=["account_id", "claim_id"]), Index(fields=["uploaded_at"]))


class ReceiptBlob(Model):
    """The bytes of a receipt when the database is the receipt store (the default)."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    content_type = fields.CharField(max_length=32)
    data = fields.BinaryField()

    class Meta:
        table = "receipt_blob"


class OutboxMessage(Model):
    """A claim waiting to reach the claims system: written with the claim, in its transaction,
    so a claim is never recorded without being sent, nor sent without being recorded."""

    id = fields.BigIntField(primary_key=True)
    claim: fields.OneToOneRelation[Claim] = fields.OneToOneField(
        "models.Claim", related_name="outbox", on_delete=fields.CASCADE
    )
    claim_id: int
    attempts = fields.IntField(default=0)
    next_attempt_ms = fields.BigIntField(description="not sent before this time")
    leased_until_ms = fields.BigIntField(
        default=0, description="a worker is sending it until then (SQLite's SKIP LOCKED)"
    )
    delivered_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "outbox_message"
        indexes = (Index(fields=["delivered_at", "next_attempt_ms"]),)


class ClaimEvent(Model):
    """A decision event already applied: the webhook refuses one replayed."""

    id = fields.BigIntField(primary_key=True)
    event_id = fields.CharField(max_length=64, unique=True)
    received_at = fields.DatetimeField()

    class Meta:
        table = "claim_event"


class DirectDeposit(Model):
    id = fields.IntField(primary_key=True)
    account: fields.OneToOneRelation[Model] = fields.OneToOneField(
        "models.Account", related_name="direct_deposit", on_delete=fields.CASCADE
    )
    account_id: int
    institution_number = fields.CharField(max_length=3)
    transit_number = fields.CharField(max_length=5)
    account_number_sealed = fields.CharField(
        max_length=200, description="AES-GCM under the data key: key id, nonce, ciphertext"
    )
    account_number_last3 = fields.CharField(max_length=3)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "direct_deposit"


class ReferencePayment(Model):
    """The reference claims system's own books (demo and tests): what it paid, per person,
    service type and year, for the plan's yearly maxima; and which claims it has taken."""

    id = fields.BigIntField(primary_key=True)
    claim_public_id = fields.CharField(max_length=36, unique=True)
    patient_key = fields.CharField(max_length=64)
    decision: fields.Field[dict[str, object]] = fields.JSONField()
    paid_by_line: fields.Field[list[dict[str, object]]] = fields.JSONField()
    received_at = fields.DatetimeField()
    notified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "reference_payment"
        indexes = (Index(fields=["patient_key"]),)
