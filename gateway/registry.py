"""Import of the insurer's member registry file (contract/registry-format.md).

The file is read one contract at a time (``gateway/json_stream.py``), so that a registry of a
million members costs the memory of its largest contract, not of the whole document. Every
record is checked, because the operator needs every bad record named in one run rather than one
per attempt; the writes run as the contracts come, in batches, in one transaction that a single
bad record anywhere rolls back: the import is all or nothing, and a bad file commits nothing.
Only what differs from the stored records is written (issue 20: a re-import with 1 % of the
records changed writes that 1 %).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from gateway.json_stream import JsonStream, StreamError
from gateway.text import canonical_number, fold
from gateway.vocabulary import (
    FileStatus,
    OnlineFeature,
    ProductLine,
    Relationship,
    ServiceType,
    values,
)
from store import limits
from store.errors import Conflict
from store.records import RegistryCertificate, RegistryContract, RegistryDependent
from store.registry import registry_writer

PRODUCT_LINES = values(ProductLine)
STATUSES = values(FileStatus)
ONLINE_FEATURES = values(OnlineFeature)

# The keys each kind of object may have (registry-format.md).
_DOCUMENT_KEYS = frozenset({"contracts"})
_CONTRACT_KEYS = frozenset(
    (
        "number",
        "productLine",
        "sponsorName",
        "planName",
        "onlineFeatures",
        "claimRules",
        "certificates",
    )
)
_CERTIFICATE_KEYS = frozenset(
    (
        "number",
        "firstName",
        "lastName",
        "dateOfBirth",
        "status",
        "effectiveDate",
        "terminationDate",
        "coverages",
        "dependents",
    )
)
_COVERAGE_KEYS = frozenset(("benefit", "tier"))
_CLAIM_RULE_KEYS = frozenset(("serviceType", "reimbursementPercent", "annualMaximumCents"))
_DEPENDENT_KEYS = frozenset(("firstName", "lastName", "dateOfBirth", "relationship"))
SERVICE_TYPES = values(ServiceType)
DEPENDENT_RELATIONSHIPS = tuple(r.value for r in Relationship if r is not Relationship.MEMBER)

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Control characters and unpaired surrogates: PostgreSQL refuses NUL, and a lone surrogate
# cannot be encoded as UTF-8 by either driver, so such a value would fail mid-import. The
# bidirectional controls would let a name display as another on every screen that shows it.
_UNSTORABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
# What one record may hold: a registry line is a person, not a document.
MAX_COVERAGES = 50
MAX_DEPENDENTS = 20
# A yearly maximum above 100 million dollars is a typo in cents, not a plan.
MAX_ANNUAL_MAXIMUM_CENTS = 10_000_000_000
COVERAGE_TEXT_LENGTH = 100
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ABSENT = object()
# Names repeat across a registry (a few thousand first and last names for a million members),
# and folding one is the costliest step of checking a record: each part is folded once. The
# search text of "first last" is the two parts folded and joined, as ``fold`` of the whole
# would give.
_fold = functools.lru_cache(maxsize=1 << 16)(fold)


class RegistryInvalid(Exception):
    """The file cannot be imported; nothing was written.

    ``problems`` holds one line per defect, ``JSON path: what is wrong``, in document order.
    ``str()`` is those lines joined, so a command can print the exception as it is.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class ImportConflict(Exception):
    """Another import created the same records meanwhile; nothing of this one was written."""


@dataclass(frozen=True)
class ImportSummary:
    """A record is updated when any of its values differs from the stored one (a certificate
    also when one of its dependents does), unchanged otherwise: nothing is written for it."""

    contracts_created: int
    contracts_updated: int
    contracts_unchanged: int
    certificates_created: int
    certificates_updated: int
    certificates_unchanged: int

    def describe(self) -> str:
        contracts = self.contracts_created + self.contracts_updated + self.contracts_unchanged
        certificates = (
            self.certificates_created + self.certificates_updated + self.certificates_unchanged
        )
        return (
            f"registry imported: {_count(contracts, 'contract')} "
            f"({self.contracts_created} created, {self.contracts_updated} updated, "
            f"{self.contracts_unchanged} unchanged), "
            f"{_count(certificates, 'certificate')} "
            f"({self.certificates_created} created, {self.certificates_updated} updated, "
            f"{self.certificates_unchanged} unchanged)"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _member(path: str, key: str) -> str:
    step = key if _IDENTIFIER.fullmatch(key) else f"[{json.dumps(key, ensure_ascii=False)}]"
    if path == "$":
        return step if step[0] != "[" else f"${step}"
    return f"{path}{step}" if step[0] == "[" else f"{path}.{step}"


def _shown(value: object) -> str:
    """A short rendering of a bad value: enough to find it in the file, never a whole subtree."""
    if isinstance(value, dict | tuple):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else f"{text[:37]}..."


class _Reader:
    """One walk over the document that both collects every problem and builds the rows.

    Rows are built even for faulty records, with placeholder values, because a single problem
    anywhere stops the import before any row is committed.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []
        # The document's own keys, named first however far into the file they are found.
        self.head: list[str] = []
        self._contracts = 0
        self._contract_numbers: dict[str, str] = {}
        self._contract_number_length = limits.CONTRACT_NUMBER
        self._certificate_number_length = limits.CERTIFICATE_NUMBER
        self._sponsor_length = limits.SPONSOR_NAME
        self._plan_length = limits.PLAN_NAME
        self._first_name_length = limits.CERTIFICATE_FIRST_NAME
        self._last_name_length = limits.CERTIFICATE_LAST_NAME
        self._search_length = limits.SEARCH_TEXT

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def contract(self, item: object) -> RegistryContract | None:
        """The next contract of the list; its number may not be one an earlier one had."""
        path = f"contracts[{self._contracts}]"
        self._contracts += 1
        contract = self._contract(item, path)
        if contract is not None:
            self._unique(contract.number, path, self._contract_numbers)
        return contract

    def all_problems(self) -> list[str]:
        return self.head + self.problems

    def _unique(self, number: str, path: str, first_seen: dict[str, str]) -> None:
        """A number names one record of its list: the file may not give it twice."""
        if not number:
            return
        if number in first_seen:
            self.fail(f"{path}.number", f'"{number}" already used by {first_seen[number]}')
        else:
            first_seen[number] = path

    def _contract(self, value: object, path: str) -> RegistryContract | None:
        record = self._record(value, path, _CONTRACT_KEYS)
        if record is None:
            return None
        number = self._text(record, "number", path, self._contract_number_length, canonical_number)
        product_line = self._choice(record, "productLine", path, PRODUCT_LINES)
        sponsor_name = self._text(record, "sponsorName", path, self._sponsor_length)
        plan_name = self._text(record, "planName", path, self._plan_length)
        online_features = self._features(record, path)
        claim_rules = self._claim_rules(record, path)
        certificates: list[RegistryCertificate] = []
        first_seen: dict[str, str] = {}
        for index, item in enumerate(self._list(record, "certificates", path)):
            item_path = f"{path}.certificates[{index}]"
            certificate = self._certificate(item, item_path)
            if certificate is None:
                continue
            self._unique(certificate.number, item_path, first_seen)
            certificates.append(certificate)
        return RegistryContract(
            number,
            product_line,
            sponsor_name,
            plan_name,
            online_features,
            certificates,
            claim_rules,
        )

    def _certificate(self, value: object, path: str) -> RegistryCertificate | None:
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
        dependents = self._dependents(record, path)
        search_text = " ".join(part for part in (_fold(first_name), _fold(last_name)) if part)
        if len(search_text) > self._search_length:
            self.fail(
                path,
                f"firstName and lastName together exceed the {self._search_length} characters "
                "kept for search",
            )
        return RegistryCertificate(
            number,
            first_name,
            last_name,
            date_of_birth,
            status,
            effective_date,
            termination_date,
            coverages,
            search_text,
            dependents,
        )

    def _claim_rules(self, record: Mapping[str, object], path: str) -> list[dict[str, object]]:
        """Optional: a plan without online claims has no table."""
        rules: list[dict[str, object]] = []
        if "claimRules" not in record:
            return rules
        seen: dict[str, str] = {}
        for index, item in enumerate(self._list(record, "claimRules", path)):
            item_path = f"{path}.claimRules[{index}]"
            rule = self._record(item, item_path, _CLAIM_RULE_KEYS)
            if rule is None:
                continue
            service_type = self._choice(rule, "serviceType", item_path, SERVICE_TYPES)
            if service_type in seen:
                self.fail(
                    f"{item_path}.serviceType",
                    f'"{service_type}" already given by {seen[service_type]}',
                )
            elif service_type:
                seen[service_type] = item_path
            percent = self._integer(rule, "reimbursementPercent", item_path, 0, 100)
            maximum: int | None = None
            if "annualMaximumCents" not in rule:
                self.fail(f"{item_path}.annualMaximumCents", "missing (null when there is none)")
            elif rule["annualMaximumCents"] is not None:
                maximum = self._integer(
                    rule, "annualMaximumCents", item_path, 0, MAX_ANNUAL_MAXIMUM_CENTS
                )
            rules.append(
                {
                    "serviceType": service_type,
                    "reimbursementPercent": percent,
                    "annualMaximumCents": maximum,
                }
            )
        return rules

    def _dependents(self, record: Mapping[str, object], path: str) -> list[RegistryDependent]:
        dependents: list[RegistryDependent] = []
        if "dependents" not in record:
            return dependents
        items = self._list(record, "dependents", path)
        if len(items) > MAX_DEPENDENTS:
            self.fail(f"{path}.dependents", f"{len(items)} dependents; at most {MAX_DEPENDENTS}")
            return dependents
        seen: dict[tuple[str, date], str] = {}
        for index, item in enumerate(items):
            item_path = f"{path}.dependents[{index}]"
            dependent = self._record(item, item_path, _DEPENDENT_KEYS)
            if dependent is None:
                continue
            first_name = self._text(dependent, "firstName", item_path, self._first_name_length)
            last_name = self._text(dependent, "lastName", item_path, self._last_name_length)
            born = self._date(dependent, "dateOfBirth", item_path) or date.min
            relationship = self._choice(
                dependent, "relationship", item_path, DEPENDENT_RELATIONSHIPS
            )
            identity = (_fold(first_name), born)
            if first_name and identity in seen:
                self.fail(
                    item_path, f"the same person as {seen[identity]} (first name and date of birth)"
                )
            else:
                seen[identity] = item_path
            dependents.append(
                RegistryDependent(first_name, _fold(first_name), last_name, born, relationship)
            )
        return dependents

    def _integer(
        self, record: Mapping[str, object], key: str, path: str, low: int, high: int
    ) -> int:
        if key not in record:
            self.fail(_member(path, key), "missing")
            return 0
        value = record[key]
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(_member(path, key), f"expected a whole number, got {_shown(value)}")
            return 0
        if not low <= value <= high:
            self.fail(_member(path, key), f"expected {low} to {high}, got {value}")
            return 0
        return value

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
        items = self._list(record, "coverages", path)
        if len(items) > MAX_COVERAGES:
            self.fail(f"{path}.coverages", f"{len(items)} coverages; at most {MAX_COVERAGES}")
            return coverages
        for index, item in enumerate(items):
            item_path = f"{path}.coverages[{index}]"
            coverage = self._record(item, item_path, _COVERAGE_KEYS)
            if coverage is None:
                continue
            benefit = self._text(coverage, "benefit", item_path, COVERAGE_TEXT_LENGTH)
            tier: str | None = None
            if "tier" not in coverage:
                self.fail(f"{item_path}.tier", "missing (null when the benefit has no tier)")
            elif coverage["tier"] is not None:
                tier = self._text(coverage, "tier", item_path, COVERAGE_TEXT_LENGTH)
            coverages.append({"benefit": benefit, "tier": tier})
        return coverages

    def _record(
        self, value: object, path: str, keys: frozenset[str]
    ) -> Mapping[str, object] | None:
        """An object of a parsed document, or of the file: there, the (key, value) pairs in
        the order given (``_FILE_OBJECT``), so that a key given twice is seen; JSON parsers
        keep the last silently, which would import a record the operator did not write."""
        twice: list[str] = []
        if isinstance(value, tuple):
            record = dict(value)
            if len(record) < len(value):
                seen: set[str] = set()
                for key, _ in value:
                    if key in seen:
                        twice.append(key)
                    seen.add(key)
        elif isinstance(value, dict):
            record = value
        else:
            self.fail(path, f"expected an object, got {_shown(value)}")
            return None
        if not keys.issuperset(record):
            for key in record:
                if key not in keys:
                    self.fail(_member(path, str(key)), "unknown key")
        for key in twice:
            self.fail(_member(path, key), "given twice in one object")
        return record

    def _list(self, record: Mapping[str, object], key: str, path: str) -> list[object]:
        if key not in record:
            self.fail(_member(path, key), "missing")
            return []
        value = record[key]
        if not isinstance(value, list):
            self.fail(_member(path, key), f"expected a list, got {_shown(value)}")
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
        value = record.get(key, _ABSENT)
        if type(value) is not str:
            if value is _ABSENT:
                self.fail(_member(path, key), "missing")
            else:
                self.fail(_member(path, key), f"expected a string, got {_shown(value)}")
            return ""
        text = normalise(value)
        if not text:
            self.fail(_member(path, key), "must not be blank")
        elif max_length is not None and len(text) > max_length:
            self.fail(_member(path, key), f"longer than {max_length} characters ({len(text)})")
        elif unstorable := _UNSTORABLE.search(text):
            self.fail(
                _member(path, key),
                f"contains U+{ord(unstorable[0]):04X}, a control or direction character",
            )
        return text

    def _choice(
        self, record: Mapping[str, object], key: str, path: str, allowed: Sequence[str]
    ) -> str:
        if key not in record:
            self.fail(_member(path, key), "missing")
            return ""
        value = record[key]
        if not isinstance(value, str) or value not in allowed:
            self.fail(_member(path, key), _not_one_of(allowed, value))
            return ""
        return value

    def _date(
        self, record: Mapping[str, object], key: str, path: str, optional: bool = False
    ) -> date | None:
        value = record.get(key)
        if value is None:
            if not optional:
                self.fail(
                    _member(path, key), "missing" if key not in record else "not a date, got null"
                )
            return None
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            self.fail(_member(path, key), f"not a date (expected YYYY-MM-DD), got {_shown(value)}")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(_member(path, key), f"not a date, {value} does not exist")
            return None


# How the file's objects are parsed: the C scanner hands each object's pairs to ``tuple``,
# a type no other JSON value parses to, and no Python function runs per object.
_FILE_OBJECT = tuple


def _not_one_of(allowed: Sequence[str], value: object) -> str:
    return f"expected one of {', '.join(allowed)}, got {_shown(value)}"


def _document_items(document: object, reader: _Reader) -> Iterator[object]:
    """The contracts of a document already parsed."""
    record = reader._record(document, "$", _DOCUMENT_KEYS)
    if record is not None:
        yield from reader._list(record, "contracts", "$")


def _file_items(stream: JsonStream, reader: _Reader) -> Iterator[object]:
    """The contracts of the file, each parsed when reached; the document's own problems are
    named as ``_document_items`` names them."""
    if stream.peek() != "{":
        value = stream.value()
        stream.end()
        reader.head.append(f"$: expected an object, got {_shown(value)}")
        return
    seen: set[str] = set()
    for key in stream.members():
        where = _member("$", key)
        if key in seen or key not in _DOCUMENT_KEYS:
            reader.head.append(
                f"{where}: {'given twice in one object' if key in seen else 'unknown key'}"
            )
            seen.add(key)
            stream.value()
            continue
        seen.add(key)
        if stream.peek() == "[":
            yield from stream.items()
        else:
            reader.fail(where, f"expected a list, got {_shown(stream.value())}")
    stream.end()
    if "contracts" not in seen:
        reader.fail("contracts", "missing")


# Contracts are written a few thousand certificates at a time: few enough to keep a batch's
# rows a few megabytes, enough that per-statement costs vanish.
_BATCH_CERTIFICATES = 5000
Batch = list[RegistryContract]


def _batches(reader: _Reader, items: Iterator[object]) -> Iterator[Batch | None]:
    """The checked contracts in batches while the file is clean, ``None`` after each contract
    (a moment to let a write move on); at the end, ``RegistryInvalid`` if anything was wrong.
    The first problem stops the batches, and the check goes on to name every other."""
    batch: Batch = []
    size = 0
    try:
        for item in items:
            contract = reader.contract(item)
            if contract is None or reader.problems or reader.head:
                batch, size = [], 0
            else:
                batch.append(contract)
                size += 1 + len(contract.certificates)
                if size >= _BATCH_CERTIFICATES:
                    yield batch
                    batch, size = [], 0
            yield None
    except StreamError as error:
        raise RegistryInvalid([error.problem]) from None
    if problems := reader.all_problems():
        raise RegistryInvalid(problems)
    yield batch


async def _here(batches: Iterator[Batch | None]) -> AsyncIterator[Batch]:
    for batch in batches:
        await asyncio.sleep(0)  # the write under way takes its next step
        if batch:
            yield batch


async def _import(batches: AsyncIterator[Batch]) -> ImportSummary:
    """Write each batch as it comes, in one transaction that a problem anywhere rolls back.

    A batch is written while the next one is read: the database (SQLite's thread, or the
    PostgreSQL server) works while the parsing and checking go on.
    """
    try:
        async with registry_writer() as writer:
            writing: asyncio.Task[None] | None = None
            try:
                async for batch in batches:
                    if writing is not None:
                        await writing
                    writing = asyncio.create_task(writer.write(batch))
                if writing is not None:
                    await writing
                    writing = None
            finally:
                if writing is not None:  # the file or the reading failed: let it end first
                    with contextlib.suppress(Exception):
                        await writing
            counts = writer.counts()
    except Conflict:
        raise ImportConflict("another import is running; wait for it or retry") from None
    return ImportSummary(
        contracts_created=counts.contracts_created,
        contracts_updated=counts.contracts_updated,
        contracts_unchanged=counts.contracts_unchanged,
        certificates_created=counts.certificates_created,
        certificates_updated=counts.certificates_updated,
        certificates_unchanged=counts.certificates_unchanged,
    )


@contextlib.contextmanager
def _rare_collections() -> Iterator[None]:
    """A registry's records hold no reference cycles, but making a million of them runs the
    cycle collector thousands of times over everything alive: more than half the time of
    parsing the file went there. It runs a hundred times less often while an import runs."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 100, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


async def import_registry(document: object) -> ImportSummary:
    """Check the document and create or update its records, all in one transaction.

    Records are matched on canonical numbers and updated in place, so the ids that accounts,
    links and sessions point to survive every import. Records absent from the file are kept:
    the file describes who is in the registry, not who left it.
    """
    reader = _Reader()
    with _rare_collections():
        return await _import(_here(_batches(reader, _document_items(document, reader))))


async def import_registry_file(path: Path) -> ImportSummary:
    """``import_registry`` of the file, read as it is imported; any reason it cannot be read
    or parsed becomes a ``$`` problem. A UTF-8 byte order mark is accepted because spreadsheet
    tools on Windows write one."""
    try:
        file = path.open("rb")
    except OSError as error:
        raise RegistryInvalid([f"$: cannot read {path} ({error.strerror})"]) from error
    reader = _Reader()
    with file, _rare_collections():
        stream = JsonStream(file, str(path), _FILE_OBJECT)
        return await _import(_here(_batches(reader, _file_items(stream, reader))))
