"""The tables of the joined statements, as parts, and their rows made into records.

Several repositories read an account, its files or its session in one statement with other
rows; the columns each part reads and how its values become a record are written once, here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.accounts import Account as AccountRow
from models.registry import Certificate as CertificateRow
from models.registry import Contract as ContractRow
from models.sessions import Session as SessionRow
from store.records import Account, Coverage, InsuranceFile, Session
from store.tortoise_adapter import JoinedRows, Part

ACCOUNT = Part(
    AccountRow,
    "a",
    only=(
        "id",
        "user_code",
        "password_hash",
        "password_pepper_id",
        "password_hint",
        "mothers_first_name_hash",
        "date_of_birth",
        "first_name",
        "last_name",
        "email",
        "preferred_language",
    ),
)
SESSION = Part(
    SessionRow,
    "s",
    only=(
        "id",
        "account_id",
        "channel",
        "selected_certificate_id",
        "client_address",
        "user_agent",
        "created_at",
        "last_seen_at",
        "expires_at",
    ),
)
# Only the columns a file shows: no timestamps to decode, no search text to carry.
CERTIFICATE = Part(
    CertificateRow,
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
CONTRACT = Part(
    ContractRow,
    "k",
    only=("product_line", "number", "sponsor_name", "plan_name", "online_features"),
)
FILE_PARTS = (CERTIFICATE, CONTRACT)
# Joins an account's files, in the order they were linked, to a statement about "a"."id".
FILES_OF_ACCOUNT_JOIN = (
    'LEFT JOIN "account_certificate" AS "l" ON "l"."account_id" = "a"."id" '
    'LEFT JOIN "certificate" AS "c" ON "c"."id" = "l"."certificate_id" '
    'LEFT JOIN "contract" AS "k" ON "k"."id" = "c"."contract_id"'
)
FILES_ORDER = 'ORDER BY "l"."id"'


def _coverages(stored: list[dict[str, Any]]) -> tuple[Coverage, ...]:
    return tuple(Coverage(c["benefit"] or "", c.get("tier")) for c in stored)


def files_from_rows(joined: JoinedRows) -> tuple[InsuranceFile, ...]:
    """The files in rows of a statement that joined FILES_OF_ACCOUNT_JOIN (none: one null row)."""
    files = []
    for row in joined.rows:
        certificate = joined.values(CERTIFICATE, row)
        if certificate["id"] is None:
            continue
        contract = joined.values(CONTRACT, row)
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
    return tuple(files)


def account_from(joined: JoinedRows, row: Sequence[Any]) -> Account:
    values = joined.values(ACCOUNT, row)
    return Account(
        id=values["id"],
        user_code=values["user_code"],
        password_hash=values["password_hash"],
        password_pepper_id=values["password_pepper_id"],
        password_hint=values["password_hint"],
        mothers_first_name_hash=values["mothers_first_name_hash"],
        date_of_birth=values["date_of_birth"],
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=values["email"],
        preferred_language=values["preferred_language"],
    )


def session_from(joined: JoinedRows, row: Sequence[Any]) -> Session:
    values = joined.values(SESSION, row)
    return Session(
        id=values["id"],
        account_id=values["account_id"],
        channel=values["channel"],
        selected_certificate_id=values["selected_certificate_id"],
        client_address=values["client_address"],
        user_agent=values["user_agent"],
        created_at=values["created_at"],
        last_seen_at=values["last_seen_at"],
        expires_at=values["expires_at"],
    )
