"""Who may do what (R15): the one place where a caller's rights are decided.

A request comes from nobody, a member session, a partner key or a staff key. Each field of the
schema declares the ``Right`` it needs (``schema/guards.py``); ``deny_reason`` decides, and the
guard turns a refusal into the field's UserError or GraphQL error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from gateway import audit, tokens
from gateway.problems import ErrorCode
from gateway.sessions import SessionStatus, status
from gateway.text import canonical_number
from store import apikeys, registry
from store.records import ApiKey, SignedIn


class Role(Enum):
    PARTNER = "partner"
    STAFF = "staff"


class Right(Enum):
    MEMBER = "member"  # a member session, whatever its status
    # A member session with its file chosen and the agreement in force accepted (R11, R12).
    ACTIVE_MEMBER = "active_member"
    PARTNER = "partner"
    STAFF = "staff"
    # Guessing a secret: nobody or a member, never an API key, and a bounded number of
    # attempts per client address whatever the user codes tried (gateway/ratelimit.py).
    CREDENTIAL_ATTEMPT = "credential_attempt"

    @property
    def counted_per_address(self) -> bool:
        return self is Right.CREDENTIAL_ATTEMPT


@dataclass(frozen=True)
class KeyCaller:
    key_id: int
    name: str
    role: Role
    contracts: frozenset[str]


Caller = SignedIn | KeyCaller | None


def deny_reason(caller: Caller, right: Right) -> ErrorCode | None:
    """None when allowed; else AUTHENTICATION_REQUIRED for nobody, FORBIDDEN for the wrong role."""
    if right is Right.CREDENTIAL_ATTEMPT:
        return ErrorCode.FORBIDDEN if isinstance(caller, KeyCaller) else None
    if caller is None:
        return ErrorCode.AUTHENTICATION_REQUIRED
    if right in {Right.MEMBER, Right.ACTIVE_MEMBER}:
        if not isinstance(caller, SignedIn):
            return ErrorCode.FORBIDDEN
        if right is Right.ACTIVE_MEMBER and status(caller) is not SessionStatus.ACTIVE:
            return ErrorCode.SESSION_NOT_ACTIVE
        return None
    wanted = Role.PARTNER if right is Right.PARTNER else Role.STAFF
    if isinstance(caller, KeyCaller) and caller.role is wanted:
        return None
    return ErrorCode.FORBIDDEN


async def find_key(key: str) -> KeyCaller | None:
    """The live key behind a bearer value; its last use is kept to the minute."""
    if len(key) > tokens.MAX_TOKEN_LENGTH:
        return None
    record = await apikeys.active_by_digest(tokens.digest(key))
    if record is None:
        return None
    now = datetime.now(UTC)
    if record.last_used_at is None or now - record.last_used_at >= tokens.TOUCH_EVERY:
        await apikeys.touch(record.id, now)
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
    known = await registry.known_contract_numbers(numbers)
    unknown = [n for n in numbers if n not in known]
    if unknown:
        raise ApiKeyError(f"unknown contract(s): {', '.join(unknown)}")
    if await apikeys.name_taken(name):
        raise ApiKeyError(f"a key named {name!r} already exists")
    key = tokens.new_api_key()
    entry = audit.entry("api_key_created", None, actor=name, role=role.value, contracts=numbers)
    await apikeys.create(name, role.value, tokens.digest(key), numbers, entry)
    return key


async def list_keys() -> list[ApiKey]:
    return await apikeys.all_keys()


async def revoke_key(name: str) -> None:
    name = name.strip()
    if not await apikeys.revoke(name, lambda: audit.entry("api_key_revoked", None, actor=name)):
        raise ApiKeyError(f"no active key named {name!r}")
