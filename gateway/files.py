"""The insurance files an account reaches, as the member sees them (R11, R13)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from gateway.ids import decode_id, encode_id
from gateway.joined import JoinedRows, JoinedSelect, Part
from models.registry import Certificate, Contract


@dataclass(frozen=True)
class Coverage:
    benefit: str
    tier: str | None


@dataclass(frozen=True)
class InsuranceFile:
    certificate_id: int
    product_line: str
    contract_number: str
    certificate_number: str
    sponsor_name: str
    plan_name: str
    status: str
    member_name: str
    effective_date: date
    termination_date: date | None
    coverages: tuple[Coverage, ...]
    online_features: tuple[str, ...]

    @property
    def global_id(self) -> str:
        return encode_file_id(self.certificate_id)


def encode_file_id(certificate_id: int) -> str:
    return encode_id("InsuranceFile", certificate_id)


def decode_file_id(file_id: str) -> int | None:
    return decode_id("InsuranceFile", file_id)


def _coverages(stored: list[dict[str, Any]]) -> tuple[Coverage, ...]:
    return tuple(Coverage(c["benefit"] or "", c.get("tier")) for c in stored)


# Only the columns a file shows: no timestamps to decode, no search text to carry.
_CERTIFICATE = Part(
    Certificate,
    "c",
    only=(
        "id",
        "number",
        "status",
        "first_name",
        "last_name",
        "effective_date",
        "termination_date",
        "coverages",
    ),
)
_CONTRACT = Part(
    Contract, "k", only=("product_line", "number", "sponsor_name", "plan_name", "online_features")
)
FILE_PARTS = (_CERTIFICATE, _CONTRACT)
# Joins an account's files, in the order they were linked, to a statement about "a"."id".
FILES_OF_ACCOUNT_JOIN = (
    'LEFT JOIN "account_certificate" AS "l" ON "l"."account_id" = "a"."id" '
    'LEFT JOIN "certificate" AS "c" ON "c"."id" = "l"."certificate_id" '
    'LEFT JOIN "contract" AS "k" ON "k"."id" = "c"."contract_id"'
)
FILES_ORDER = 'ORDER BY "l"."id"'
_FILES_OF_ACCOUNT = JoinedSelect(
    FILE_PARTS,
    f'FROM "account" AS "a" {FILES_OF_ACCOUNT_JOIN} WHERE "a"."id" = ? {FILES_ORDER}',
)


def files_from_rows(joined: JoinedRows) -> list[InsuranceFile]:
    """The files in rows of a statement that joined FILES_OF_ACCOUNT_JOIN (none: one null row)."""
    files = []
    for row in joined.rows:
        certificate = joined.values(_CERTIFICATE, row)
        if certificate["id"] is None:
            continue
        contract = joined.values(_CONTRACT, row)
        files.append(
            InsuranceFile(
                certificate_id=certificate["id"],
                product_line=contract["product_line"],
                contract_number=contract["number"],
                certificate_number=certificate["number"],
                sponsor_name=contract["sponsor_name"],
                plan_name=contract["plan_name"],
                status=certificate["status"],
                member_name=f"{certificate['first_name']} {certificate['last_name']}",
                effective_date=certificate["effective_date"],
                termination_date=certificate["termination_date"],
                coverages=_coverages(certificate["coverages"]),
                online_features=tuple(contract["online_features"]),
            )
        )
    return files


async def files_of_account(account_id: int) -> list[InsuranceFile]:
    """Every file of the account in one query, in the order they were linked."""
    return files_from_rows(await _FILES_OF_ACCOUNT.fetch(account_id))
