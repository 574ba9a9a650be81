"""Who may do what (R15): the one place where a caller's rights are decided.

A request comes from nobody, a member session, a partner key or a staff key. Query fields ask
``deny_reason``; mutations turn the same answer into a UserError.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from gateway import audit
from gateway.problems import ErrorCode, Problem
from gateway.text import canonical_number
from models.apikeys import ApiKey
from models.registry import Contract
from models.sessions import Session

API_KEY_PREFIX = "gwk_"
_TOUCH_EVERY = timedelta(seconds=60)


class Role(Enum):
    PARTNER = "partner"
    STAFF = "staff"


class Right(Enum):
    MEMBER = "member"
    PARTNER = "partner"
    STAFF = "staff"
    ANONYMOUS_OR_MEMBER = "anonymous_or_member"


@dataclass(frozen=True)
class KeyCaller:
    key_id: int
    name: str
    role: Role
    contracts: frozenset[str]


Caller = Session | KeyCaller | None


def is_api_key(token: str) -> bool:
    return token.startswith(API_KEY_PREFIX)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def deny_reason(caller: Caller, right: Right) -> ErrorCode | None:
    """None when allowed; else AUTHENTICATION_REQUIRED for nobody, FORBIDDEN for the wrong role."""
    if right is Right.ANONYMOUS_OR_MEMBER:
        return ErrorCode.FORBIDDEN if isinstance(caller, KeyCaller) else None
    if caller is None:
        return ErrorCode.AUTHENTICATION_REQUIRED
    if right is Right.MEMBER:
        return None if isinstance(caller, Session) else ErrorCode.FORBIDDEN
    wanted = Role.PARTNER if right is Right.PARTNER else Role.STAFF
    if isinstance(caller, KeyCaller) and caller.role is wanted:
        return None
    return ErrorCode.FORBIDDEN


def refusal(caller: Caller, right: Right) -> list[Problem]:
    reason = deny_reason(caller, right)
    return [Problem(reason)] if reason else []


def may_see_contract(caller: KeyCaller, contract_number: str) -> bool:
    return canonical_number(contract_number) in caller.contracts


async def find_key(key: str) -> KeyCaller | None:
    """The live key behind a bearer value; its last use is kept to the minute."""
    if len(key) > 128:
        return None
    record = await ApiKey.get_or_none(key_hash=key_digest(key), revoked_at__isnull=True)
    if record is None:
        return None
    now = datetime.now(UTC)
    if record.last_used_at is None or now - record.last_used_at >= _TOUCH_EVERY:
        await ApiKey.filter(id=record.id).update(last_used_at=now)
    return KeyCaller(record.id, record.name, Role(record.role), frozenset(record.contracts))


class ApiKeyError(ValueError):
    """A key cannot be created or revoked as asked; the message says why."""


async def create_key(name: str, role: Role, contracts: list[str]) -> str:
    """Return the new key, shown once: only its digest is stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ApiKeyError("--name must be 1 to 100 characters")
    numbers = sorted({canonical_number(c) for c in contracts if c.strip()})
    if role is Role.PARTNER and not numbers:
        raise ApiKeyError("a partner key needs at least one --contract")
    if role is Role.STAFF and numbers:
        raise ApiKeyError("a staff key reaches every account: give no --contract")
    known = set(await Contract.filter(number__in=numbers).values_list("number", flat=True))
    unknown = [n for n in numbers if n not in known]
    if unknown:
        raise ApiKeyError(f"unknown contract(s): {', '.join(unknown)}")
    if await ApiKey.exists(name=name):
        raise ApiKeyError(f"a key named {name!r} already exists")
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    await ApiKey.create(
        name=name,
        role=role.value,
        key_hash=key_digest(key),
        contracts=numbers,
        created_at=datetime.now(UTC),
    )
    await audit.record("api_key_created", None, actor=name, role=role.value, contracts=numbers)
    return key


async def list_keys() -> list[ApiKey]:
    return await ApiKey.all().order_by("name")


async def revoke_key(name: str) -> None:
    revoked = await ApiKey.filter(name=name.strip(), revoked_at__isnull=True).update(
        revoked_at=datetime.now(UTC)
    )
    if not revoked:
        raise ApiKeyError(f"no active key named {name.strip()!r}")
    await audit.record("api_key_revoked", None, actor=name.strip())
