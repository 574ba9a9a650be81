"""Online accounts (user codes) and the certificates each one reaches."""

from tortoise import fields
from tortoise.models import Model

from models.registry import Certificate


class Account(Model):
    id = fields.IntField(primary_key=True)
    user_code = fields.CharField(max_length=36, description="as the member typed it")
    user_code_canonical = fields.CharField(
        max_length=36, unique=True, description="lower-cased: uniqueness ignores case (R3)"
    )
    password_hash = fields.CharField(max_length=255)
    password_pepper_id = fields.CharField(
        max_length=16, null=True, description="which GATEWAY_PASSWORD_PEPPER keyed the hash"
    )
    password_hint = fields.CharField(max_length=100)
    mothers_first_name_hash = fields.CharField(max_length=255)
    date_of_birth = fields.DateField()
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    email = fields.CharField(max_length=254, null=True)
    preferred_language = fields.CharField(max_length=2)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "account"


class AccountCertificate(Model):
    """One certificate belongs to at most one user code (R2): the unique key decides races."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="links", on_delete=fields.CASCADE
    )
    account_id: int
    certificate: fields.OneToOneRelation[Certificate] = fields.OneToOneField(
        "models.Certificate", related_name="link", on_delete=fields.RESTRICT
    )
    certificate_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_certificate"
        # A signed-in member's files, read by every request (store/parts.py): without it each
        # one scanned the links of every account, a million of them (issue 20).
        indexes = (("account_id",),)
