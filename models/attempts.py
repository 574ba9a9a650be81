"""The attempt ledger: how many times a secret was guessed under one key (issue 13)."""

from tortoise import fields
from tortoise.models import Model


class AttemptCounter(Model):
    """One row per guessed key, whether or not an account has it.

    Times are epoch milliseconds, so that the one conditional statement that reserves an
    attempt compares numbers the same way on every database.
    """

    id = fields.BigIntField(primary_key=True)
    scope = fields.CharField(max_length=16, description="password, recovery, identity or hint")
    key_digest = fields.CharField(
        max_length=64, description="HMAC-SHA-256 of what was typed, under the server key"
    )
    failures = fields.IntField(description="since the window opened or the last success")
    pending = fields.IntField(description="attempts reserved and not yet told")
    pending_since_ms = fields.BigIntField(description="the last reservation")
    window_ends_ms = fields.BigIntField(description="when the count starts again from zero")
    locked_until_ms = fields.BigIntField(null=True)

    class Meta:
        table = "attempt_counter"
        unique_together = (("scope", "key_digest"),)
        indexes = (("window_ends_ms",),)


class ServerSecret(Model):
    """The server key when GATEWAY_SECRET_KEY does not give one: made at first start, shared
    by every process of the database."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)
    value = fields.CharField(max_length=128)
    created_at = fields.DatetimeField()

    class Meta:
        table = "server_secret"
