"""API keys of partner portals and staff (R15): only a digest of each key is kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from models.apikeys import ApiKey as ApiKeyRow
from store.audit import insert_entry
from store.records import ApiKey, AuditEntry
from store.tortoise_adapter import transaction


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        role=row.role,
        contracts=tuple(row.contracts),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


async def active_by_digest(digest: str) -> ApiKey | None:
    row = await ApiKeyRow.get_or_none(key_hash=digest, revoked_at__isnull=True)
    return _key(row) if row else None


async def touch(key_id: int, now: datetime) -> None:
    await ApiKeyRow.filter(id=key_id).update(last_used_at=now)


async def name_taken(name: str) -> bool:
    return await ApiKeyRow.exists(name=name)


async def create(
    name: str, role: str, digest: str, contracts: list[str], entry: AuditEntry
) -> None:
    async with transaction():
        await ApiKeyRow.create(
            name=name, role=role, key_hash=digest, contracts=contracts, created_at=entry.occurred_at
        )
        await insert_entry(entry)


async def all_keys() -> list[ApiKey]:
    return [_key(row) for row in await ApiKeyRow.all().order_by("name")]


async def revoke(name: str, entry: Callable[[], AuditEntry]) -> bool:
    """False when no active key has that name; the audit entry is made only when one was."""
    async with transaction():
        revoked = await ApiKeyRow.filter(name=name, revoked_at__isnull=True).update(
            revoked_at=datetime.now(UTC)
        )
        if revoked:
            await insert_entry(entry())
    return bool(revoked)
