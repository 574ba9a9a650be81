"""What a plan administrator sees of the contracts in a partner key's scope (R15)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from gateway import audit
from gateway.access import KeyCaller
from gateway.audit import Origin
from gateway.text import canonical_number, fold
from store import partners as stored
from store.partners import Position
from store.records import Contract

MAX_PAGE = 100


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


async def contracts_in_scope(caller: KeyCaller) -> list[Contract]:
    return await stored.contracts(sorted(caller.contracts))


async def contract_in_scope(caller: KeyCaller, number: str) -> Contract | None:
    canonical = canonical_number(number)
    if canonical not in caller.contracts:
        return None
    return await stored.contract(canonical)


async def certificate_count(contract_id: int) -> int:
    return await stored.certificate_count(contract_id)


async def registered_count(contract_id: int) -> int:
    return await stored.registered_count(contract_id)


def _cursor(last_name: str, first_name: str, certificate_id: int) -> str:
    raw = json.dumps([last_name, first_name, certificate_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _position(cursor: str) -> Position:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        last, first, ident = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not (isinstance(last, str) and isinstance(first, str) and isinstance(ident, int)):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise InvalidPageRequest("after: not a cursor from this list") from None
    return last, first, ident


async def members(
    caller: KeyCaller,
    contract: Contract,
    first: int,
    after: str | None,
    search: str | None,
    origin: Origin,
) -> MembersPage:
    """One page of members; never a date of birth, a user code or anything secret."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidPageRequest(f"first must be between 1 and {MAX_PAGE}, got {first}")
    position = _position(after) if after else None
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
                _cursor(m.last_name, m.first_name, m.id),
                Member(m.number, m.first_name, m.last_name, m.status, m.registered_online),
            )
            for m in page.members
        ],
        has_next_page=page.has_next_page,
        total_count=page.total_count,
    )
