"""How long each stored text may be, read from the columns themselves.

The rules (``gateway/rules.py``) and the registry import check input against these, so a
column made longer or shorter in a model changes what is accepted everywhere at once.
"""

from __future__ import annotations

from tortoise.models import Model

from models.accounts import Account
from models.registry import Certificate, Contract


def max_length(model: type[Model], field: str) -> int:
    length = getattr(model._meta.fields_map[field], "max_length", None)
    assert isinstance(length, int), f"{model.__name__}.{field} has no max_length"
    return length


USER_CODE = max_length(Account, "user_code")
PASSWORD_HINT = max_length(Account, "password_hint")
PERSON_NAME = max_length(Account, "first_name")
EMAIL = max_length(Account, "email")
CONTRACT_NUMBER = max_length(Contract, "number")
CERTIFICATE_NUMBER = max_length(Certificate, "number")
SPONSOR_NAME = max_length(Contract, "sponsor_name")
PLAN_NAME = max_length(Contract, "plan_name")
CERTIFICATE_FIRST_NAME = max_length(Certificate, "first_name")
CERTIFICATE_LAST_NAME = max_length(Certificate, "last_name")
SEARCH_TEXT = max_length(Certificate, "search_text")
