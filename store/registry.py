"""The insurer's member registry: certificates looked up for identity proofs (R1), contracts
for partners' scopes, and the writes of a registry import.

An import writes in one transaction, contract by contract, in batches: a registry of 100,000
members must load in well under a minute on SQLite, so no query is ever issued per member.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

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

_CONTRACT_FIELDS = (
    "product_line",
    "sponsor_name",
    "plan_name",
    "online_features",
    "claim_rules",
    "updated_at",
)
_DEPENDENT_FIELDS = ("first_name", "last_name", "relationship", "updated_at")
_CERTIFICATE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "status",
    "effective_date",
    "termination_date",
    "coverages",
    "search_text",
    "updated_at",
)

# Big enough that per-statement overhead vanishes, small enough that one batch of model
# instances stays a few megabytes.
_BATCH_SIZE = 1000
# SQLite before 3.32 accepts at most 999 bound parameters per statement.
_LOOKUP_BATCH_SIZE = 500

_M = TypeVar("_M", bound=Model)


async def certificate_by_numbers(
    contract_number: str, certificate_number: str
) -> Certificate | None:
    """By canonical numbers (R1)."""
    row = await CertificateRow.filter(
        contract__number=contract_number, number=certificate_number
    ).first()
    if row is None:
        return None
    return Certificate(
        id=row.id,
        contract_id=row.contract_id,
        number=row.number,
        first_name=row.first_name,
        last_name=row.last_name,
        date_of_birth=row.date_of_birth,
    )


async def certificate_count() -> int:
    return await CertificateRow.all().count()


async def known_contract_numbers(numbers: list[str]) -> set[str]:
    found = await ContractRow.filter(number__in=numbers).values_list("number", flat=True)
    return {str(number) for number in found}


def _contract_model(contract: RegistryContract, contract_id: int | None = None) -> ContractRow:
    """A new contract, or with ``contract_id`` the stored one it replaces."""
    identity = {} if contract_id is None else {"id": contract_id}
    return ContractRow(
        **identity,
        number=contract.number,
        product_line=contract.product_line,
        sponsor_name=contract.sponsor_name,
        plan_name=contract.plan_name,
        online_features=contract.online_features,
        claim_rules=contract.claim_rules,
    )


def _certificate_model(
    row: RegistryCertificate, contract_id: int, certificate_id: int | None = None
) -> CertificateRow:
    """A new certificate, or with ``certificate_id`` the stored one it replaces."""
    identity = {} if certificate_id is None else {"id": certificate_id}
    return CertificateRow(
        **identity,
        contract_id=contract_id,
        number=row.number,
        first_name=row.first_name,
        last_name=row.last_name,
        date_of_birth=row.date_of_birth,
        status=row.status,
        effective_date=row.effective_date,
        termination_date=row.termination_date,
        coverages=row.coverages,
        search_text=row.search_text,
    )


async def write_registry(contracts: list[RegistryContract]) -> ImportCounts:
    """Create or update every record in one transaction.

    Records are matched on canonical numbers and updated in place, so the ids that accounts,
    links and sessions point to survive every import.
    """
    try:
        async with in_transaction() as connection:
            return await _write(connection, contracts)
    except IntegrityError:
        raise Conflict from None  # a concurrent import created the same new record


async def _write(connection: BaseDBAsyncClient, contracts: list[RegistryContract]) -> ImportCounts:
    contract_ids, contracts_created = await _upsert_contracts(connection, contracts)
    certificates_created = certificates_updated = 0
    for contract in contracts:
        created, updated = await _upsert_certificates(
            connection, contract_ids[contract.number], contract.certificates
        )
        certificates_created += created
        certificates_updated += updated
    return ImportCounts(
        contracts_created=contracts_created,
        contracts_updated=len(contracts) - contracts_created,
        certificates_created=certificates_created,
        certificates_updated=certificates_updated,
    )


async def _upsert_contracts(
    connection: BaseDBAsyncClient, contracts: list[RegistryContract]
) -> tuple[dict[str, int], int]:
    """Answers each contract's id by number, and how many contracts were new."""
    ids = await _contract_ids(connection, [contract.number for contract in contracts])
    new = [contract for contract in contracts if contract.number not in ids]
    for start in range(0, len(new), _BATCH_SIZE):
        batch = [_contract_model(contract) for contract in new[start : start + _BATCH_SIZE]]
        await ContractRow.bulk_create(batch, using_db=connection)
    known = [contract for contract in contracts if contract.number in ids]
    for start in range(0, len(known), _BATCH_SIZE):
        models = [
            _contract_model(contract, ids[contract.number])
            for contract in known[start : start + _BATCH_SIZE]
        ]
        await _update_each(connection, models, _CONTRACT_FIELDS)
    if new:
        ids.update(await _contract_ids(connection, [contract.number for contract in new]))
    return ids, len(new)


async def _contract_ids(connection: BaseDBAsyncClient, numbers: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(numbers), _LOOKUP_BATCH_SIZE):
        batch = numbers[start : start + _LOOKUP_BATCH_SIZE]
        query = ContractRow.filter(number__in=batch).using_db(connection)
        ids.update(
            (number, contract_id) for number, contract_id in await query.values_list("number", "id")
        )
    return ids


async def _upsert_certificates(
    connection: BaseDBAsyncClient, contract_id: int, rows: list[RegistryCertificate]
) -> tuple[int, int]:
    """Answers how many certificates were created and how many updated.

    The contract's existing certificates are read once, as (number, id) pairs only, so that even
    a contract of 100,000 members costs one query and a few megabytes to match.
    """
    query = CertificateRow.filter(contract_id=contract_id).using_db(connection)
    existing: dict[str, int] = {
        number: certificate_id for number, certificate_id in await query.values_list("number", "id")
    }
    new = [row for row in rows if row.number not in existing]
    for start in range(0, len(new), _BATCH_SIZE):
        batch = [_certificate_model(row, contract_id) for row in new[start : start + _BATCH_SIZE]]
        await CertificateRow.bulk_create(batch, using_db=connection)
    known = [row for row in rows if row.number in existing]
    for start in range(0, len(known), _BATCH_SIZE):
        models = [
            _certificate_model(row, contract_id, existing[row.number])
            for row in known[start : start + _BATCH_SIZE]
        ]
        await _update_each(connection, models, _CERTIFICATE_FIELDS)
    with_dependents = [row for row in rows if row.dependents]
    if with_dependents:
        if new:
            existing = {
                number: certificate_id
                for number, certificate_id in await query.values_list("number", "id")
            }
        await _upsert_dependents(
            connection, [(existing[row.number], row.dependents) for row in with_dependents]
        )
    return len(new), len(known)


async def _upsert_dependents(
    connection: BaseDBAsyncClient, owners: list[tuple[int, list[RegistryDependent]]]
) -> None:
    """A dependent is the same person when certificate, folded first name and date of birth
    match (registry-format.md): updated in place, so the claims made for them stay theirs."""
    existing: dict[tuple[int, str, object], int] = {}
    for start in range(0, len(owners), _LOOKUP_BATCH_SIZE):
        ids = [certificate_id for certificate_id, _ in owners[start : start + _LOOKUP_BATCH_SIZE]]
        rows = await (
            DependentRow.filter(certificate_id__in=ids)
            .using_db(connection)
            .values_list("certificate_id", "first_name_key", "date_of_birth", "id")
        )
        existing.update(((c, k, d), i) for c, k, d, i in rows)
    new: list[DependentRow] = []
    known: list[DependentRow] = []
    for certificate_id, dependents in owners:
        for person in dependents:
            found = existing.get((certificate_id, person.first_name_key, person.date_of_birth))
            row = DependentRow(
                **({} if found is None else {"id": found}),
                certificate_id=certificate_id,
                first_name=person.first_name,
                first_name_key=person.first_name_key,
                last_name=person.last_name,
                date_of_birth=person.date_of_birth,
                relationship=person.relationship,
            )
            (new if found is None else known).append(row)
    for start in range(0, len(new), _BATCH_SIZE):
        await DependentRow.bulk_create(new[start : start + _BATCH_SIZE], using_db=connection)
    for start in range(0, len(known), _BATCH_SIZE):
        await _update_each(connection, known[start : start + _BATCH_SIZE], _DEPENDENT_FIELDS)


async def _update_each(
    connection: BaseDBAsyncClient, objects: Sequence[_M], field_names: Sequence[str]
) -> None:
    """One parameterised UPDATE by primary key, run for every object with executemany.

    ``Model.bulk_update`` instead builds one CASE expression per field listing every object of
    the batch, and grows worse than linearly with the batch: on 5,000 certificates it took
    20 times longer here.
    Values go through each field's ``to_db_value``, as ``save()`` does, so ``updated_at`` is
    stamped and JSON encoded exactly as the ORM would.
    """
    if not objects:
        return
    model = type(objects[0])
    fields_map = model._meta.fields_map
    sql = connection.executor_class(model=model, db=connection).get_update_sql(field_names, None)
    pk_field = model._meta.pk
    values = [
        [fields_map[name].to_db_value(getattr(obj, name), obj) for name in field_names]
        + [pk_field.to_db_value(obj.pk, obj)]
        for obj in objects
    ]
    await connection.execute_many(sql, values)
