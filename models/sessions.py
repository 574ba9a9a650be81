"""Signed-in sessions; only the SHA-256 of each token is kept."""

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account
from models.registry import Certificate


class Session(Model):
    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    account_id: int
    channel = fields.CharField(max_length=8)
    selected_certificate: fields.ForeignKeyNullableRelation[Certificate] = fields.ForeignKeyField(
        "models.Certificate", related_name=None, null=True, on_delete=fields.SET_NULL
    )
    selected_certificate_id: int | None
    client_address = fields.CharField(max_length=64, null=True)
    user_agent = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(description="absolute limit, whatever the activity")
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "session"
        # expires_at: the periodic clean-up finds the sessions past their absolute limit.
        indexes = (("account_id", "ended_at"), ("expires_at",))
