"""The repository's copies of the clients' contract and of the requirements are the clients'
own, to the byte (issue 17): when ../shared sits beside the clone, drift fails here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import REPO

SHARED = REPO.parent / "shared"
COPIES = [
    *((REPO / "contract" / p.name, p) for p in sorted((SHARED / "contract").glob("*"))),
    (REPO / "contract" / "check_contract.py", SHARED / "tools" / "check_contract.py"),
    *((REPO / "docs" / "requirements" / p.name, p) for p in sorted((SHARED / "seed").glob("*"))),
]


@pytest.fixture(scope="module", autouse=True)
def shared() -> Path:
    if not SHARED.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED} is missing, and CI must compare the copies with it")
        pytest.skip("no ../shared beside the clone: nothing to compare with")
    return SHARED


@pytest.mark.parametrize(
    ("ours", "theirs"), COPIES, ids=[str(o.relative_to(REPO)) for o, _ in COPIES]
)
def test_our_copy_is_the_clients_own(ours: Path, theirs: Path):
    assert ours.is_file(), f"{ours.relative_to(REPO)} is missing: copy it from {theirs}"
    assert ours.read_bytes() == theirs.read_bytes(), (
        f"{ours.relative_to(REPO)} differs from {theirs}"
    )


def test_every_contract_file_is_copied():
    assert len(COPIES) >= 8
