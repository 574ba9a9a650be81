"""A partner's pages of members (store/partners.py), as issue 20 reads them: by keyset on the
name index, a search matching what was typed and nothing more."""

from __future__ import annotations

from gateway.text import fold
from gateway.toolkit import Toolkit
from store import partners


async def test_pages_by_keyset_give_every_member_once_in_name_order(kit: Toolkit):
    contract = await partners.contract("G20418")
    assert contract is not None
    everyone = await partners.members_page(contract.id, 100, None, None, None)
    seen = []
    after = None
    while True:
        page = await partners.members_page(contract.id, 3, after, None, None)
        seen += page.members
        if not page.has_next_page:
            break
        last = page.members[-1]
        after = (last.last_name, last.first_name, last.id)
    assert seen == list(everyone.members)
    assert len(seen) == everyone.total_count >= 30


async def test_a_search_matches_wildcards_as_typed(kit: Toolkit):
    contract = await partners.contract("G20418")
    assert contract is not None
    member = (await partners.members_page(contract.id, 1, None, None, None)).members[0]
    found = await partners.members_page(
        contract.id, 100, None, fold(member.last_name[1:4]), member.last_name[1:4].upper()
    )
    assert member in found.members and found.total_count == len(found.members)
    for typed in ("%", "_", "\\"):
        nothing = await partners.members_page(contract.id, 100, None, typed, typed)
        assert (nothing.members, nothing.total_count) == ((), 0)
