"""What a plan administrator reads of the registry (R15): contracts and pages of members."""

from __future__ import annotations

from tortoise.expressions import Q

from models.accounts import AccountCertificate
from models.registry import Certificate as CertificateRow
from models.registry import Contract as ContractRow
from store.records import Contract, Member, MembersPage

# A page's place in the list: (last name, first name, id) of its last member.
Position = tuple[str, str, int]


def _contract(row: ContractRow) -> Contract:
    return Contract(
        id=row.id,
        number=row.number,
        product_line=row.product_line,
        sponsor_name=row.sponsor_name,
        plan_name=row.plan_name,
        online_features=tuple(row.online_features),
    )


async def contracts(numbers: list[str]) -> list[Contract]:
    rows = await ContractRow.filter(number__in=numbers).order_by("number")
    return [_contract(row) for row in rows]


async def contract(number: str) -> Contract | None:
    row = await ContractRow.get_or_none(number=number)
    return _contract(row) if row else None


async def certificate_count(contract_id: int) -> int:
    return await CertificateRow.filter(contract_id=contract_id).count()


async def registered_count(contract_id: int) -> int:
    return await AccountCertificate.filter(certificate__contract_id=contract_id).count()


def _after(position: Position) -> Q:
    """Keyset on (last name, first name, id): stable whatever is added meanwhile."""
    last, first, ident = position
    return (
        Q(last_name__gt=last)
        | Q(last_name=last, first_name__gt=first)
        | Q(last_name=last, first_name=first, id__gt=ident)
    )


async def members_page(
    contract_id: int,
    first: int,
    after: Position | None,
    folded_search: str | None,
    number_search: str | None,
) -> MembersPage:
    """Members in name order; a search matches part of the folded names or of the number."""
    matching = Q()
    if folded_search:
        matching = Q(search_text__contains=folded_search) | Q(number__contains=number_search)
    base = CertificateRow.filter(Q(contract_id=contract_id) & matching)
    page_query = base.filter(_after(after)) if after else base
    rows = await page_query.order_by("last_name", "first_name", "id").limit(first + 1)
    page = rows[:first]
    linked = set(
        await AccountCertificate.filter(certificate_id__in=[c.id for c in page]).values_list(
            "certificate_id", flat=True
        )
    )
    members = tuple(
        Member(c.id, c.number, c.first_name, c.last_name, c.status, c.id in linked) for c in page
    )
    return MembersPage(members, has_next_page=len(rows) > first, total_count=await base.count())
