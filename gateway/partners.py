"""What a plan administrator sees of the contracts in a partner key's scope (R15)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from gateway import audit
from gateway.access import KeyCaller
from gateway.audit import Origin
from gateway.ids import OpaqueIds
from gateway.text import canonical_number, fold
from store import partners as stored
from store.partners import Position
from store.records import Contract
from store.records import Member as StoredMember

MAX_PAGE = 100
MAX_SEARCH = 100


@dataclass(frozen=True)
class Member:
    certificate_number: str
    first_name: str
    last_name: str
    status: str
    registered_online: bool


@dataclass(frozen=True)
class MembersPage:
    edges: list[tuple[str, Member]]
    has_next_page: bool
    total_count: int


class InvalidPageRequest(ValueError):
    """first outside 1..100 or a cursor this gateway did not make."""


async def contracts_in_scope(caller: KeyCaller, origin: Origin) -> list[Contract]:
    """Every partner read is audited with the key's name (issue 15)."""
    await audit.record("partner_read_contracts", origin, actor=caller.name)
    return await stored.contracts(sorted(caller.contracts))


async def contract_in_scope(caller: KeyCaller, number: str, origin: Origin) -> Contract | None:
    canonical = canonical_number(number)
    allowed = canonical in caller.contracts
    await audit.record(
        "partner_read_contract", origin, actor=caller.name, contract=canonical, allowed=allowed
    )
    return await stored.contract(canonical) if allowed else None


async def certificate_count(contract_id: int) -> int:
    return await stored.certificate_count(contract_id)


async def registered_count(contract_id: int) -> int:
    return await stored.registered_count(contract_id)


_CURSOR = "partner-members"


def _cursor(ids: OpaqueIds, contract_id: int, member: StoredMember) -> str:
    """The position after ``member`` in this contract's list, sealed: a cursor edited by hand,
    or taken from another contract's list, is refused."""
    position = [contract_id, member.last_name, member.first_name, member.id]
    return ids.seal(_CURSOR, json.dumps(position).encode())


def _position(ids: OpaqueIds, contract_id: int, cursor: str) -> Position:
    payload = ids.unseal(_CURSOR, cursor)
    try:
        contract, last, first, ident = json.loads(payload or b"")
        if contract != contract_id or not (isinstance(last, str) and isinstance(first, str)):
            raise ValueError
        if not (isinstance(ident, int) and 0 < ident < 2**31):
            raise ValueError
    except (ValueError, TypeError):
        raise InvalidPageRequest("after: not a cursor from this list") from None
    return last, first, ident


async def members(
    caller: KeyCaller,
    contract: Contract,
    first: int,
    after: str | None,
    search: str | None,
    origin: Origin,
    ids: OpaqueIds,
) -> MembersPage:
    """One page of members; never a date of birth, a user code or anything secret."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidPageRequest(f"first must be between 1 and {MAX_PAGE}, got {first}")
    if search is not None and len(search) > MAX_SEARCH:
        raise InvalidPageRequest(f"search: at most {MAX_SEARCH} characters")
    position = _position(ids, contract.id, after) if after else None
    if search and search.strip():
        page = await stored.members_page(
            contract.id, first, position, fold(search), canonical_number(search)
        )
    else:
        page = await stored.members_page(contract.id, first, position, None, None)
    await audit.record(
        "partner_listed_members",
        origin,
        actor=caller.name,
        contract=contract.number,
        search=search,
        first=first,
    )
    return MembersPage(
        edges=[
            (
                _cursor(ids, contract.id, m),
                Member(m.number, m.first_name, m.last_name, m.status, m.registered_online),
            )
            for m in page.members
        ],
        has_next_page=page.has_next_page,
        total_count=page.total_count,
    )
