"""The audit trail: who did what, when, from where; never a secret."""

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    id = fields.BigIntField(primary_key=True)
    occurred_at = fields.DatetimeField()
    event = fields.CharField(max_length=48)
    account_id = fields.IntField(null=True, description="no foreign key: the trail outlives rows")
    user_code = fields.CharField(
        max_length=64, null=True, description="the account's own, never what a caller typed"
    )
    key_digest = fields.CharField(
        max_length=64, null=True, description="an attempt's ledger key (gateway/attempts.py)"
    )
    request_id = fields.CharField(max_length=32, null=True)
    actor = fields.CharField(max_length=100, null=True, description="API key name, or null")
    channel = fields.CharField(max_length=8, null=True)
    client_address = fields.CharField(max_length=64, null=True)
    details: fields.Field[dict[str, object]] = fields.JSONField(default=dict)

    class Meta:
        table = "audit_event"
        indexes = (
            ("account_id", "occurred_at"),
            ("event", "occurred_at"),
            ("key_digest", "occurred_at"),
            ("occurred_at",),  # the periodic clean-up finds the rows past their retention
        )
