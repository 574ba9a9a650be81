"""What a plan administrator reads of the registry (R15): contracts and pages of members."""

from __future__ import annotations

from models.accounts import AccountCertificate
from models.registry import Certificate as CertificateRow
from models.registry import Contract as ContractRow
from store.records import Contract, Member, MembersPage
from store.tortoise_adapter import fetch

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


_MEMBERS = (
    'SELECT "id", "number", "first_name", "last_name", "status" FROM "certificate" '
    'WHERE "contract_id" = :contract{matching}{after} '
    'ORDER BY "last_name", "first_name", "id" LIMIT :limit'
)
_COUNT = 'SELECT count(*) FROM "certificate" WHERE "contract_id" = :contract{matching}'
_MATCHING = " AND (\"search_text\" LIKE :folded ESCAPE '\\' OR \"number\" LIKE :number ESCAPE '\\')"
# Keyset on (last name, first name, id), stable whatever is added meanwhile; as one row-value
# comparison, which both databases answer from the index on those columns: spelled out as
# three alternatives, PostgreSQL read the contract's members from the first one on, and a page
# 10,000 members in cost twice the first page.
_AFTER = ' AND ("last_name", "first_name", "id") > (:last, :first, :id)'


def _like(text: str) -> str:
    """Part of a value: the wildcards and the escape character typed match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def members_page(
    contract_id: int,
    first: int,
    after: Position | None,
    folded_search: str | None,
    number_search: str | None,
) -> MembersPage:
    """Members in name order; a search matches part of the folded names or of the number."""
    values: dict[str, object] = {"contract": contract_id, "limit": first + 1}
    matching = ""
    if folded_search:
        matching = _MATCHING
        values["folded"] = _like(folded_search)
        values["number"] = _like(number_search or folded_search)
    if after:
        values["last"], values["first"], values["id"] = after
    rows = await fetch(_MEMBERS.format(matching=matching, after=_AFTER if after else ""), values)
    page = rows[:first]
    linked = set(
        await AccountCertificate.filter(certificate_id__in=[row[0] for row in page]).values_list(
            "certificate_id", flat=True
        )
    )
    members = tuple(
        Member(ident, number, first_name, last_name, status, ident in linked)
        for ident, number, first_name, last_name, status in page
    )
    count_values = {k: v for k, v in values.items() if k in ("contract", "folded", "number")}
    ((total,),) = await fetch(_COUNT.format(matching=matching), count_values)
    return MembersPage(members, has_next_page=len(rows) > first, total_count=int(total))
