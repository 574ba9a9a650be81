"""The insurer's member registry: certificates looked up for identity proofs (R1), contracts
for partners' scopes, and the writes of a registry import.

An import writes in one transaction, in batches of contracts: a registry of 1,000,000 members
must load in two minutes (issue 20), so no query is ever issued per member, and rows are
written by statements composed once rather than through model instances. Each batch's stored
records are read first and only those that differ are written, so a re-import that changes 1 %
of the registry writes 1 % of its rows.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from tortoise import connections, fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.registry import Certificate as CertificateRow
from models.registry import Contract as ContractRow
from models.registry import Dependent as DependentRow
from store.errors import Conflict
from store.records import (
    Certificate,
    ImportCounts,
    RegistryCertificate,
    RegistryContract,
    RegistryDependent,
)
from store.tortoise_adapter import JoinedRows, JoinedSelect, Part, Read, positional

log = logging.getLogger("store.registry")

_IDENTITY = Part(
    CertificateRow,
    "c",
    only=("id", "contract_id", "number", "first_name", "last_name", "date_of_birth"),
)
_CERTIFICATE_BY_NUMBERS = JoinedSelect(
    [_IDENTITY],
    'FROM "certificate" AS "c" JOIN "contract" AS "k" ON "k"."id" = "c"."contract_id" '
    'WHERE "k"."number" = ? AND "c"."number" = ? LIMIT 1',
    extras=[
        (
            "owner",
            '(SELECT "l"."account_id" FROM "account_certificate" AS "l" '
            'WHERE "l"."certificate_id" = "c"."id")',
        ),
        (
            "user_code_taken",
            'EXISTS (SELECT 1 FROM "account" AS "a" WHERE "a"."user_code_canonical" = ?)',
        ),
    ],
)

# The values a file gives for each record, in the order the comparisons below use.
_CONTRACT_VALUES = ("product_line", "sponsor_name", "plan_name", "online_features", "claim_rules")
_CERTIFICATE_VALUES = (
    "first_name",
    "last_name",
    "date_of_birth",
    "status",
    "effective_date",
    "termination_date",
    "coverages",
    "search_text",
)
_DEPENDENT_VALUES = ("first_name", "last_name", "relationship")

# Certificates created before PostgreSQL's statistics are first brought up to date.
_ANALYZE_FROM = 20_000
# SQLite before 3.32 accepts at most 999 bound parameters per statement.
_LOOKUP_BATCH_SIZE = 500


def certificate_by_numbers(
    contract_number: str, certificate_number: str, user_code: str | None = None
) -> Read[Certificate | None]:
    """By canonical numbers (R1), with its owner (R2) and whether ``user_code`` (canonical)
    is taken (R3): what a registration needs, in one read, to run or to hand to what reads it
    with other work (the identity attempt)."""
    return Read(
        _CERTIFICATE_BY_NUMBERS, (user_code, contract_number, certificate_number), _certificate
    )


def _certificate(joined: JoinedRows) -> Certificate | None:
    if not joined.rows:
        return None
    row = joined.rows[0]
    values = joined.values(_IDENTITY, row)
    return Certificate(
        **values,
        owner_account_id=joined.computed("owner", row),
        user_code_taken=bool(joined.computed("user_code_taken", row)),
    )


async def certificate_count() -> int:
    return await CertificateRow.all().count()


async def known_contract_numbers(numbers: list[str]) -> set[str]:
    found = await ContractRow.filter(number__in=numbers).values_list("number", flat=True)
    return {str(number) for number in found}


def _contract_values(contract: RegistryContract) -> tuple[Any, ...]:
    return (
        contract.product_line,
        contract.sponsor_name,
        contract.plan_name,
        contract.online_features,
        contract.claim_rules,
    )


def _certificate_values(row: RegistryCertificate) -> tuple[Any, ...]:
    return (
        row.first_name,
        row.last_name,
        row.date_of_birth,
        row.status,
        row.effective_date,
        row.termination_date,
        row.coverages,
        row.search_text,
    )


def _dependent_values(person: RegistryDependent) -> tuple[Any, ...]:
    return (person.first_name, person.last_name, person.relationship)


def _decoder(model_field: fields.Field[Any]) -> Callable[[Any], Any] | None:
    """What turns a column as the driver returns it into the value a file gives: SQLite hands
    dates and JSON back as text, PostgreSQL dates as dates."""
    if isinstance(model_field, fields.JSONField):
        loads = model_field.decoder
        return lambda value: loads(value) if isinstance(value, str | bytes) else value
    if isinstance(model_field, fields.DateField) and not isinstance(
        model_field, fields.DatetimeField
    ):
        return lambda value: date.fromisoformat(value) if isinstance(value, str) else value
    return None


def _encoder(model: type[Model], model_field: fields.Field[Any]) -> Callable[[Any], Any] | None:
    """The ORM's own encoder where it changes the value (JSON, dates, timestamps); text and
    numbers, already checked by the import, go as they are: the ORM's per-value validation
    would cost seconds over a million rows."""
    if isinstance(model_field, fields.CharField | fields.IntField):
        return None
    return lambda value: model_field.to_db_value(value, model)


class _Rows:
    """Stored rows of one table by a list of keys, each column decoded as ``_decoder`` says."""

    def __init__(self, model: type[Model], columns: Sequence[str], key: str) -> None:
        meta = model._meta
        table = meta.db_table
        selected = ", ".join(f'"{table}"."{column}"' for column in columns)
        # Table and column names from the models' metadata; values only ever as parameters.
        self._select = f'SELECT {selected} FROM "{table}" WHERE {key} IN '  # noqa: S608
        # Only dates and JSON need decoding; a foreign key's column is not in ``fields_map``
        # before the ORM is initialised, which is after this module is imported.
        self._decoders = [
            (index, decode)
            for index, column in enumerate(columns)
            if (model_field := meta.fields_map.get(column)) and (decode := _decoder(model_field))
        ]

    async def read(
        self, connection: BaseDBAsyncClient, keys: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        dialect = connection.capabilities.dialect
        found: list[tuple[Any, ...]] = []
        decoders = self._decoders
        for start in range(0, len(keys), _LOOKUP_BATCH_SIZE):
            batch = list(keys[start : start + _LOOKUP_BATCH_SIZE])
            sql = positional(self._select + f"({', '.join('?' * len(batch))})", dialect)
            _, rows = await connection.execute_query(sql, batch)
            for row in rows:
                values = list(row)
                for index, decode in decoders:
                    if values[index] is not None:
                        values[index] = decode(values[index])
                found.append(tuple(values))
        return found


class _Writes:
    """New rows of one model by ``executemany``, and rows changed in place by key, through
    statements composed once; rows are tuples, the identity columns then the values."""

    def __init__(self, model: type[Model], identity: Sequence[str], values: Sequence[str]) -> None:
        meta = model._meta
        self._encoders = [_encoder(model, meta.fields_map[name]) for name in (*identity, *values)]
        self._value_encoders = self._encoders[len(identity) :]
        self._stamp = _encoder(model, meta.fields_map["updated_at"])
        columns = [*identity, *values, "created_at", "updated_at"]
        names = ", ".join(f'"{meta.fields_db_projection.get(name, name)}"' for name in columns)
        marks = ", ".join("?" for _ in columns)
        # Table and column names from the models' metadata; values only ever as parameters.
        self._insert = f'INSERT INTO "{meta.db_table}" ({names}) VALUES ({marks})'  # noqa: S608
        assignments = ", ".join(f'"{meta.fields_db_projection[name]}" = ?' for name in values)
        self._update = (
            f'UPDATE "{meta.db_table}" SET {assignments}, "updated_at" = ? '  # noqa: S608
            f'WHERE "{meta.db_pk_column}" = ?'
        )

    async def insert(
        self, connection: BaseDBAsyncClient, rows: Sequence[tuple[Any, ...]], now: datetime
    ) -> None:
        if not rows:
            return
        stamp = now if self._stamp is None else self._stamp(now)
        encoders = self._encoders
        parameters = [
            [
                value if encode is None or value is None else encode(value)
                for value, encode in zip(row, encoders, strict=True)
            ]
            + [stamp, stamp]
            for row in rows
        ]
        await connection.execute_many(
            positional(self._insert, connection.capabilities.dialect), parameters
        )

    async def update(
        self,
        connection: BaseDBAsyncClient,
        rows: Sequence[tuple[int, tuple[Any, ...]]],
        now: datetime,
    ) -> None:
        """``rows``: (key, the new values)."""
        if not rows:
            return
        stamp = now if self._stamp is None else self._stamp(now)
        encoders = self._value_encoders
        parameters = [
            [
                value if encode is None or value is None else encode(value)
                for value, encode in zip(values, encoders, strict=True)
            ]
            + [stamp, key]
            for key, values in rows
        ]
        await connection.execute_many(
            positional(self._update, connection.capabilities.dialect), parameters
        )


_CONTRACTS = _Rows(ContractRow, ("number", "id", *_CONTRACT_VALUES), '"number"')
_CONTRACT_IDS = _Rows(ContractRow, ("number", "id"), '"number"')
_CERTIFICATES = _Rows(
    CertificateRow, ("contract_id", "number", "id", *_CERTIFICATE_VALUES), '"contract_id"'
)
_CERTIFICATE_IDS = _Rows(CertificateRow, ("contract_id", "number", "id"), '"contract_id"')
# By certificate: the index on the dependents' certificate answers it.
_DEPENDENTS = _Rows(
    DependentRow,
    ("certificate_id", "first_name_key", "date_of_birth", "id", *_DEPENDENT_VALUES),
    '"certificate_id"',
)


class RegistryWriter:
    """The writes of one import, batch after batch, in the transaction ``registry_writer`` holds;
    counts what each batch created, changed and left as it was."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self._connection = connection
        self._now = datetime.now(UTC)
        self._contracts = _Writes(ContractRow, ("number",), _CONTRACT_VALUES)
        self._certificates = _Writes(CertificateRow, ("contract_id", "number"), _CERTIFICATE_VALUES)
        self._dependents = _Writes(
            DependentRow, ("certificate_id", "first_name_key", "date_of_birth"), _DEPENDENT_VALUES
        )
        self._analyzed_at = 0
        self._counts = dict.fromkeys(
            (
                "contracts_created",
                "contracts_updated",
                "contracts_unchanged",
                "certificates_created",
                "certificates_updated",
                "certificates_unchanged",
            ),
            0,
        )

    def counts(self) -> ImportCounts:
        return ImportCounts(**self._counts)

    async def write(self, contracts: Sequence[RegistryContract]) -> None:
        """Create or update the batch's records; records are matched on canonical numbers and
        updated in place, so the ids that accounts, links and sessions point to survive."""
        if not contracts:
            return
        ids, stored = await self._write_contracts(contracts)
        await self._write_certificates(contracts, ids, stored)
        written = self._counts["certificates_created"]
        if written >= max(_ANALYZE_FROM, 2 * self._analyzed_at):
            await self.analyze()
            self._analyzed_at = written

    async def analyze(self) -> None:
        """PostgreSQL plans each batch's reads from its statistics of the tables, which say
        "empty" before a first import and "a tenth of the rows" during one: it then scans
        whole tables for every batch, and a million members took twice as long. ANALYZE sees
        the transaction's own rows; it is run as the tables double, and at the end."""
        if self._connection.capabilities.dialect == "postgres":
            await self._connection.execute_script('ANALYZE "contract", "certificate", "dependent"')

    async def _write_contracts(
        self, contracts: Sequence[RegistryContract]
    ) -> tuple[dict[str, int], list[int]]:
        """Each contract's id by number, and the ids of those stored before this batch."""
        connection = self._connection
        stored = {
            row[0]: row for row in await _CONTRACTS.read(connection, [c.number for c in contracts])
        }
        ids = {number: row[1] for number, row in stored.items()}
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[int, tuple[Any, ...]]] = []
        for contract in contracts:
            values = _contract_values(contract)
            row = stored.get(contract.number)
            if row is None:
                new.append((contract.number, *values))
            elif row[2:] != values:
                changed.append((row[1], values))
        await self._contracts.insert(connection, new, self._now)
        await self._contracts.update(connection, changed, self._now)
        if new:
            created = await _CONTRACT_IDS.read(connection, [row[0] for row in new])
            ids.update((number, contract_id) for number, contract_id in created)
        self._counts["contracts_created"] += len(new)
        self._counts["contracts_updated"] += len(changed)
        self._counts["contracts_unchanged"] += len(stored) - len(changed)
        return ids, [row[1] for row in stored.values()]

    async def _write_certificates(
        self,
        contracts: Sequence[RegistryContract],
        ids: dict[str, int],
        stored_contracts: list[int],
    ) -> None:
        connection = self._connection
        stored = {
            (row[0], row[1]): row for row in await _CERTIFICATES.read(connection, stored_contracts)
        }
        owners = [
            row[2]
            for contract in contracts
            for certificate in contract.certificates
            if certificate.dependents
            and (row := stored.get((ids[contract.number], certificate.number))) is not None
        ]
        people = {
            (row[0], row[1], row[2]): row for row in await _DEPENDENTS.read(connection, owners)
        }
        new: list[tuple[Any, ...]] = []
        new_people: list[tuple[int, RegistryCertificate]] = []
        changed: list[tuple[int, tuple[Any, ...]]] = []
        dependents_new: list[tuple[Any, ...]] = []
        dependents_changed: list[tuple[int, tuple[Any, ...]]] = []
        unchanged = 0
        for contract in contracts:
            contract_id = ids[contract.number]
            for certificate in contract.certificates:
                values = _certificate_values(certificate)
                row = stored.get((contract_id, certificate.number))
                if row is None:
                    new.append((contract_id, certificate.number, *values))
                    if certificate.dependents:
                        new_people.append((contract_id, certificate))
                    continue
                certificate_id = row[2]
                differs = row[3:] != values
                if differs:
                    changed.append((certificate_id, values))
                for person in certificate.dependents:
                    known = people.get(
                        (certificate_id, person.first_name_key, person.date_of_birth)
                    )
                    if known is None:
                        dependents_new.append(_dependent_row(certificate_id, person))
                    elif known[4:] != _dependent_values(person):
                        dependents_changed.append((known[3], _dependent_values(person)))
                    else:
                        continue
                    if not differs:
                        differs = True
                        changed.append((certificate_id, values))
                if not differs:
                    unchanged += 1
        await self._certificates.insert(connection, new, self._now)
        await self._certificates.update(connection, changed, self._now)
        if new_people:
            created = {
                (row[0], row[1]): row[2]
                for row in await _CERTIFICATE_IDS.read(
                    connection, sorted({contract_id for contract_id, _ in new_people})
                )
            }
            for contract_id, certificate in new_people:
                certificate_id = created[(contract_id, certificate.number)]
                dependents_new.extend(
                    _dependent_row(certificate_id, person) for person in certificate.dependents
                )
        await self._dependents.insert(connection, dependents_new, self._now)
        await self._dependents.update(connection, dependents_changed, self._now)
        self._counts["certificates_created"] += len(new)
        self._counts["certificates_updated"] += len(changed)
        self._counts["certificates_unchanged"] += unchanged


def _dependent_row(certificate_id: int, person: RegistryDependent) -> tuple[Any, ...]:
    return (
        certificate_id,
        person.first_name_key,
        person.date_of_birth,
        *_dependent_values(person),
    )


@contextlib.asynccontextmanager
async def registry_writer() -> AsyncIterator[RegistryWriter]:
    """One transaction for a whole import: an exception inside rolls every batch back.

    Dependents are matched on certificate, folded first name and date of birth
    (registry-format.md) and updated in place, so the claims made for them stay theirs.
    """
    try:
        async with in_transaction() as connection:
            writer = RegistryWriter(connection)
            yield writer
            await writer.analyze()
    except IntegrityError:
        raise Conflict from None  # a concurrent import created the same new record
    await _vacuum()


async def _vacuum() -> None:
    """Once an import is committed, PostgreSQL's visibility map is brought up to date, so
    that a partner's members page and search are read from the index alone: until then
    every index entry sends it to the row's page to check that the row is visible (a search
    on a contract of 20,000 members: 9 ms, then 3.5 ms), and autovacuum may take minutes to
    come. Upkeep, not part of the import: a failure is logged and the import stands."""
    connection = connections.get("default")
    if connection.capabilities.dialect != "postgres":
        return
    try:
        await connection.execute_script('VACUUM (ANALYZE) "contract", "certificate", "dependent"')
    except Exception:
        log.warning("VACUUM after the registry import failed; autovacuum will do it later")
