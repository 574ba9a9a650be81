"""What a plan administrator sees of the contracts in a partner key's scope (R15)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from tortoise.expressions import Q

from gateway import audit
from gateway.access import KeyCaller
from gateway.audit import Origin
from gateway.text import canonical_number, fold
from models.accounts import AccountCertificate
from models.registry import Certificate, Contract

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
    return await Contract.filter(number__in=sorted(caller.contracts)).order_by("number")


async def contract_in_scope(caller: KeyCaller, number: str) -> Contract | None:
    canonical = canonical_number(number)
    if canonical not in caller.contracts:
        return None
    return await Contract.get_or_none(number=canonical)


async def certificate_count(contract_id: int) -> int:
    return await Certificate.filter(contract_id=contract_id).count()


async def registered_count(contract_id: int) -> int:
    return await AccountCertificate.filter(certificate__contract_id=contract_id).count()


def _cursor(certificate: Certificate) -> str:
    raw = json.dumps([certificate.last_name, certificate.first_name, certificate.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after(cursor: str) -> Q:
    """Keyset on (last name, first name, id): stable whatever is added meanwhile."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        last, first, ident = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not (isinstance(last, str) and isinstance(first, str) and isinstance(ident, int)):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise InvalidPageRequest("after: not a cursor from this list") from None
    return (
        Q(last_name__gt=last)
        | Q(last_name=last, first_name__gt=first)
        | Q(last_name=last, first_name=first, id__gt=ident)
    )


def _matching(search: str | None) -> Q:
    if search is None or not search.strip():
        return Q()
    return Q(search_text__contains=fold(search)) | Q(number__contains=canonical_number(search))


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
    base = Certificate.filter(Q(contract_id=contract.id) & _matching(search))
    page_query = base.filter(_after(after)) if after else base
    rows = await page_query.order_by("last_name", "first_name", "id").limit(first + 1)
    page = rows[:first]
    linked = set(
        await AccountCertificate.filter(certificate_id__in=[c.id for c in page]).values_list(
            "certificate_id", flat=True
        )
    )
    total = await base.count()
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
                _cursor(c),
                Member(c.number, c.first_name, c.last_name, c.status, c.id in linked),
            )
            for c in page
        ],
        has_next_page=len(rows) > first,
        total_count=total,
    )
