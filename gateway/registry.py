"""Import of the insurer's member registry file (shared/contract/registry-format.md).

The whole document is checked before the first write, because the import is all or nothing and
the operator needs every bad record named in one run rather than one per attempt. The writes then
run in one transaction, contract by contract, in batches: a registry of 100,000 members must
load in well under a minute on SQLite, so no query is ever issued per member.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from gateway.text import canonical_number, fold
from models.registry import Certificate, Contract

PRODUCT_LINES = ("GROUP_INSURANCE", "GROUP_RETIREMENT_SAVINGS", "GROUP_ANNUITY")
STATUSES = ("ACTIVE", "SUSPENDED", "TERMINATED")
ONLINE_FEATURES = (
    "HEALTH_CLAIMS",
    "DENTAL_CLAIMS",
    "VISION_CLAIMS",
    "CLAIMS_HISTORY",
    "DIRECT_DEPOSIT",
    "ELECTRONIC_STATEMENTS",
    "PAYMENT_CARD",
)

_DOCUMENT_KEYS = ("contracts",)
_CONTRACT_KEYS = (
    "number",
    "productLine",
    "sponsorName",
    "planName",
    "onlineFeatures",
    "certificates",
)
_CERTIFICATE_KEYS = (
    "number",
    "firstName",
    "lastName",
    "dateOfBirth",
    "status",
    "effectiveDate",
    "terminationDate",
    "coverages",
)
_COVERAGE_KEYS = ("benefit", "tier")

_CONTRACT_FIELDS = ("product_line", "sponsor_name", "plan_name", "online_features", "updated_at")
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

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Control characters and unpaired surrogates: PostgreSQL refuses NUL, and a lone surrogate
# cannot be encoded as UTF-8 by either driver, so such a value would fail mid-import.
_UNSTORABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_M = TypeVar("_M", bound=Model)


class RegistryInvalid(Exception):
    """The file cannot be imported; nothing was written.

    ``problems`` holds one line per defect, ``JSON path: what is wrong``, in document order.
    ``str()`` is those lines joined, so a command can print the exception as it is.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportSummary:
    contracts_created: int
    contracts_updated: int
    certificates_created: int
    certificates_updated: int

    def describe(self) -> str:
        contracts = self.contracts_created + self.contracts_updated
        certificates = self.certificates_created + self.certificates_updated
        return (
            f"registry imported: {_count(contracts, 'contract')} "
            f"({self.contracts_created} created, {self.contracts_updated} updated), "
            f"{_count(certificates, 'certificate')} "
            f"({self.certificates_created} created, {self.certificates_updated} updated)"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@dataclass(frozen=True, slots=True)
class _CertificateRow:
    number: str
    first_name: str
    last_name: str
    date_of_birth: date
    status: str
    effective_date: date
    termination_date: date | None
    coverages: list[dict[str, str | None]]
    search_text: str

    def model(self, contract_id: int, certificate_id: int | None = None) -> Certificate:
        """A new certificate, or with ``certificate_id`` the stored one it replaces."""
        identity = {} if certificate_id is None else {"id": certificate_id}
        return Certificate(
            **identity,
            contract_id=contract_id,
            number=self.number,
            first_name=self.first_name,
            last_name=self.last_name,
            date_of_birth=self.date_of_birth,
            status=self.status,
            effective_date=self.effective_date,
            termination_date=self.termination_date,
            coverages=self.coverages,
            search_text=self.search_text,
        )


@dataclass(frozen=True, slots=True)
class _ContractRow:
    number: str
    product_line: str
    sponsor_name: str
    plan_name: str
    online_features: list[str]
    certificates: list[_CertificateRow]

    def model(self, contract_id: int | None = None) -> Contract:
        """A new contract, or with ``contract_id`` the stored one it replaces."""
        identity = {} if contract_id is None else {"id": contract_id}
        return Contract(
            **identity,
            number=self.number,
            product_line=self.product_line,
            sponsor_name=self.sponsor_name,
            plan_name=self.plan_name,
            online_features=self.online_features,
        )


def _max_length(model: type[Model], field: str) -> int:
    """Limits come from the columns themselves, so a model change cannot leave them stale."""
    length = getattr(model._meta.fields_map[field], "max_length", None)
    assert isinstance(length, int), f"{model.__name__}.{field} has no max_length"
    return length


def _member(path: str, key: str) -> str:
    step = key if _IDENTIFIER.fullmatch(key) else f"[{json.dumps(key, ensure_ascii=False)}]"
    if path == "$":
        return step if step[0] != "[" else f"${step}"
    return f"{path}{step}" if step[0] == "[" else f"{path}.{step}"


def _shown(value: object) -> str:
    """A short rendering of a bad value: enough to find it in the file, never a whole subtree."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else f"{text[:37]}..."


class _Reader:
    """One walk over the document that both collects every problem and builds the rows.

    Rows are built even for faulty records, with placeholder values, because a single problem
    anywhere stops the import before any row is used.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []
        self._contract_number_length = _max_length(Contract, "number")
        self._certificate_number_length = _max_length(Certificate, "number")
        self._sponsor_length = _max_length(Contract, "sponsor_name")
        self._plan_length = _max_length(Contract, "plan_name")
        self._first_name_length = _max_length(Certificate, "first_name")
        self._last_name_length = _max_length(Certificate, "last_name")
        self._search_length = _max_length(Certificate, "search_text")

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def document(self, document: object) -> list[_ContractRow]:
        record = self._record(document, "$", _DOCUMENT_KEYS)
        if record is None:
            return []
        contracts: list[_ContractRow] = []
        first_seen: dict[str, str] = {}
        for index, item in enumerate(self._list(record, "contracts", "$")):
            path = f"contracts[{index}]"
            contract = self._contract(item, path)
            if contract is None:
                continue
            self._unique(contract.number, path, first_seen)
            contracts.append(contract)
        return contracts

    def _unique(self, number: str, path: str, first_seen: dict[str, str]) -> None:
        """A number names one record of its list: the file may not give it twice."""
        if not number:
            return
        if number in first_seen:
            self.fail(f"{path}.number", f'"{number}" already used by {first_seen[number]}')
        else:
            first_seen[number] = path

    def _contract(self, value: object, path: str) -> _ContractRow | None:
        record = self._record(value, path, _CONTRACT_KEYS)
        if record is None:
            return None
        number = self._text(record, "number", path, self._contract_number_length, canonical_number)
        product_line = self._choice(record, "productLine", path, PRODUCT_LINES)
        sponsor_name = self._text(record, "sponsorName", path, self._sponsor_length)
        plan_name = self._text(record, "planName", path, self._plan_length)
        online_features = self._features(record, path)
        certificates: list[_CertificateRow] = []
        first_seen: dict[str, str] = {}
        for index, item in enumerate(self._list(record, "certificates", path)):
            item_path = f"{path}.certificates[{index}]"
            certificate = self._certificate(item, item_path)
            if certificate is None:
                continue
            self._unique(certificate.number, item_path, first_seen)
            certificates.append(certificate)
        return _ContractRow(
            number, product_line, sponsor_name, plan_name, online_features, certificates
        )

    def _certificate(self, value: object, path: str) -> _CertificateRow | None:
        record = self._record(value, path, _CERTIFICATE_KEYS)
        if record is None:
            return None
        number = self._text(
            record, "number", path, self._certificate_number_length, canonical_number
        )
        first_name = self._text(record, "firstName", path, self._first_name_length)
        last_name = self._text(record, "lastName", path, self._last_name_length)
        date_of_birth = self._date(record, "dateOfBirth", path) or date.min
        status = self._choice(record, "status", path, STATUSES)
        effective_date = self._date(record, "effectiveDate", path) or date.min
        termination_date = self._date(record, "terminationDate", path, optional=True)
        if termination_date is not None and termination_date < effective_date:
            self.fail(
                f"{path}.terminationDate",
                f"{termination_date.isoformat()} is before effectiveDate "
                f"{effective_date.isoformat()}",
            )
        coverages = self._coverages(record, path)
        search_text = fold(f"{first_name} {last_name}")
        if len(search_text) > self._search_length:
            self.fail(
                path,
                f"firstName and lastName together exceed the {self._search_length} characters "
                "kept for search",
            )
        return _CertificateRow(
            number,
            first_name,
            last_name,
            date_of_birth,
            status,
            effective_date,
            termination_date,
            coverages,
            search_text,
        )

    def _features(self, record: Mapping[str, object], path: str) -> list[str]:
        features: list[str] = []
        where = f"{path}.onlineFeatures"
        for index, item in enumerate(self._list(record, "onlineFeatures", path)):
            item_path = f"{where}[{index}]"
            if item not in ONLINE_FEATURES:
                self.fail(item_path, _not_one_of(ONLINE_FEATURES, item))
            elif item in features:
                self.fail(item_path, f'"{item}" listed twice')
            else:
                assert isinstance(item, str)
                features.append(item)
        return features

    def _coverages(self, record: Mapping[str, object], path: str) -> list[dict[str, str | None]]:
        coverages: list[dict[str, str | None]] = []
        for index, item in enumerate(self._list(record, "coverages", path)):
            item_path = f"{path}.coverages[{index}]"
            coverage = self._record(item, item_path, _COVERAGE_KEYS)
            if coverage is None:
                continue
            benefit = self._text(coverage, "benefit", item_path, None)
            tier: str | None = None
            if "tier" not in coverage:
                self.fail(f"{item_path}.tier", "missing (null when the benefit has no tier)")
            elif coverage["tier"] is not None:
                tier = self._text(coverage, "tier", item_path, None)
            coverages.append({"benefit": benefit, "tier": tier})
        return coverages

    def _record(self, value: object, path: str, keys: Sequence[str]) -> Mapping[str, object] | None:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {_shown(value)}")
            return None
        for key in value:
            if key not in keys:
                self.fail(_member(path, str(key)), "unknown key")
        return value

    def _list(self, record: Mapping[str, object], key: str, path: str) -> list[object]:
        where = _member(path, key)
        if key not in record:
            self.fail(where, "missing")
            return []
        value = record[key]
        if not isinstance(value, list):
            self.fail(where, f"expected a list, got {_shown(value)}")
            return []
        return value

    def _text(
        self,
        record: Mapping[str, object],
        key: str,
        path: str,
        max_length: int | None,
        normalise: Callable[[str], str] = str.strip,
    ) -> str:
        """Surrounding white space is spreadsheet residue, never meaningful, so it is dropped."""
        where = _member(path, key)
        if key not in record:
            self.fail(where, "missing")
            return ""
        value = record[key]
        if not isinstance(value, str):
            self.fail(where, f"expected a string, got {_shown(value)}")
            return ""
        text = normalise(value)
        if not text:
            self.fail(where, "must not be blank")
        elif max_length is not None and len(text) > max_length:
            self.fail(where, f"longer than {max_length} characters ({len(text)})")
        elif unstorable := _UNSTORABLE.search(text):
            self.fail(where, f"contains U+{ord(unstorable[0]):04X}, which cannot be stored")
        return text

    def _choice(
        self, record: Mapping[str, object], key: str, path: str, allowed: Sequence[str]
    ) -> str:
        where = _member(path, key)
        if key not in record:
            self.fail(where, "missing")
            return ""
        value = record[key]
        if not isinstance(value, str) or value not in allowed:
            self.fail(where, _not_one_of(allowed, value))
            return ""
        return value

    def _date(
        self, record: Mapping[str, object], key: str, path: str, optional: bool = False
    ) -> date | None:
        where = _member(path, key)
        value = record.get(key)
        if value is None:
            if not optional:
                self.fail(where, "missing" if key not in record else "not a date, got null")
            return None
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            self.fail(where, f"not a date (expected YYYY-MM-DD), got {_shown(value)}")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(where, f"not a date, {value} does not exist")
            return None


def _not_one_of(allowed: Sequence[str], value: object) -> str:
    return f"expected one of {', '.join(allowed)}, got {_shown(value)}"


def read_registry_file(path: Path) -> object:
    """The parsed JSON document; any reason it cannot be read becomes a ``$`` problem.

    A UTF-8 byte order mark is accepted because spreadsheet tools on Windows write one.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise RegistryInvalid([f"$: cannot read {path} ({error.strerror})"]) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RegistryInvalid(
            [f"$: not UTF-8 text (byte 0x{raw[error.start]:02X} at offset {error.start})"]
        ) from error
    del raw
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise RegistryInvalid(
            [f"$: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"]
        ) from error
    except RecursionError as error:
        raise RegistryInvalid(["$: not valid JSON (nested too deeply)"]) from error


async def import_registry(document: object) -> ImportSummary:
    """Check the whole document, then create or update its records in one transaction.

    Records are matched on canonical numbers and updated in place, so the ids that accounts,
    links and sessions point to survive every import. Records absent from the file are kept:
    the file describes who is in the registry, not who left it.
    """
    reader = _Reader()
    contracts = reader.document(document)
    if reader.problems:
        raise RegistryInvalid(reader.problems)
    async with in_transaction() as connection:
        contract_ids, contracts_created = await _upsert_contracts(connection, contracts)
        certificates_created = certificates_updated = 0
        for contract in contracts:
            created, updated = await _upsert_certificates(
                connection, contract_ids[contract.number], contract.certificates
            )
            certificates_created += created
            certificates_updated += updated
    return ImportSummary(
        contracts_created=contracts_created,
        contracts_updated=len(contracts) - contracts_created,
        certificates_created=certificates_created,
        certificates_updated=certificates_updated,
    )


async def import_registry_file(path: Path) -> ImportSummary:
    return await import_registry(read_registry_file(path))


async def _upsert_contracts(
    connection: BaseDBAsyncClient, contracts: list[_ContractRow]
) -> tuple[dict[str, int], int]:
    """Answers each contract's id by number, and how many contracts were new."""
    ids = await _contract_ids(connection, [contract.number for contract in contracts])
    new = [contract for contract in contracts if contract.number not in ids]
    for start in range(0, len(new), _BATCH_SIZE):
        batch = [contract.model() for contract in new[start : start + _BATCH_SIZE]]
        await Contract.bulk_create(batch, using_db=connection)
    known = [contract for contract in contracts if contract.number in ids]
    for start in range(0, len(known), _BATCH_SIZE):
        models = [
            contract.model(ids[contract.number]) for contract in known[start : start + _BATCH_SIZE]
        ]
        await _update_each(connection, models, _CONTRACT_FIELDS)
    if new:
        ids.update(await _contract_ids(connection, [contract.number for contract in new]))
    return ids, len(new)


async def _contract_ids(connection: BaseDBAsyncClient, numbers: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(numbers), _LOOKUP_BATCH_SIZE):
        batch = numbers[start : start + _LOOKUP_BATCH_SIZE]
        query = Contract.filter(number__in=batch).using_db(connection)
        ids.update(
            (number, contract_id) for number, contract_id in await query.values_list("number", "id")
        )
    return ids


async def _upsert_certificates(
    connection: BaseDBAsyncClient, contract_id: int, rows: list[_CertificateRow]
) -> tuple[int, int]:
    """Answers how many certificates were created and how many updated.

    The contract's existing certificates are read once, as (number, id) pairs only, so that even
    a contract of 100,000 members costs one query and a few megabytes to match.
    """
    query = Certificate.filter(contract_id=contract_id).using_db(connection)
    existing: dict[str, int] = {
        number: certificate_id for number, certificate_id in await query.values_list("number", "id")
    }
    new = [row for row in rows if row.number not in existing]
    for start in range(0, len(new), _BATCH_SIZE):
        batch = [row.model(contract_id) for row in new[start : start + _BATCH_SIZE]]
        await Certificate.bulk_create(batch, using_db=connection)
    known = [row for row in rows if row.number in existing]
    for start in range(0, len(known), _BATCH_SIZE):
        models = [
            row.model(contract_id, existing[row.number])
            for row in known[start : start + _BATCH_SIZE]
        ]
        await _update_each(connection, models, _CERTIFICATE_FIELDS)
    return len(new), len(known)


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
