"""API keys for partner portals and the insurer's staff (R15); only a digest is kept."""

from tortoise import fields
from tortoise.models import Model


class ApiKey(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    role = fields.CharField(max_length=16, description="partner or staff")
    key_hash = fields.CharField(max_length=64, unique=True)
    contracts: fields.Field[list[str]] = fields.JSONField(
        default=list, description="a partner key's scope: canonical contract numbers"
    )
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"
