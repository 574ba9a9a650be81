"""Import of the insurer's member registry file (contract/registry-format.md).

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
from store.registry import write_registry

PRODUCT_LINES = values(ProductLine)
STATUSES = values(FileStatus)
ONLINE_FEATURES = values(OnlineFeature)

_DOCUMENT_KEYS = ("contracts",)
_CONTRACT_KEYS = (
    "number",
    "productLine",
    "sponsorName",
    "planName",
    "onlineFeatures",
    "claimRules",
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
    "dependents",
)
_COVERAGE_KEYS = ("benefit", "tier")
_CLAIM_RULE_KEYS = ("serviceType", "reimbursementPercent", "annualMaximumCents")
_DEPENDENT_KEYS = ("firstName", "lastName", "dateOfBirth", "relationship")
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
        self._contract_number_length = limits.CONTRACT_NUMBER
        self._certificate_number_length = limits.CERTIFICATE_NUMBER
        self._sponsor_length = limits.SPONSOR_NAME
        self._plan_length = limits.PLAN_NAME
        self._first_name_length = limits.CERTIFICATE_FIRST_NAME
        self._last_name_length = limits.CERTIFICATE_LAST_NAME
        self._search_length = limits.SEARCH_TEXT

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def document(self, document: object) -> list[RegistryContract]:
        record = self._record(document, "$", _DOCUMENT_KEYS)
        if record is None:
            return []
        contracts: list[RegistryContract] = []
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
        search_text = fold(f"{first_name} {last_name}")
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
            identity = (fold(first_name), born)
            if first_name and identity in seen:
                self.fail(
                    item_path, f"the same person as {seen[identity]} (first name and date of birth)"
                )
            else:
                seen[identity] = item_path
            dependents.append(
                RegistryDependent(first_name, fold(first_name), last_name, born, relationship)
            )
        return dependents

    def _integer(
        self, record: Mapping[str, object], key: str, path: str, low: int, high: int
    ) -> int:
        where = _member(path, key)
        if key not in record:
            self.fail(where, "missing")
            return 0
        value = record[key]
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(where, f"expected a whole number, got {_shown(value)}")
            return 0
        if not low <= value <= high:
            self.fail(where, f"expected {low} to {high}, got {value}")
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

    def _record(self, value: object, path: str, keys: Sequence[str]) -> Mapping[str, object] | None:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {_shown(value)}")
            return None
        for key in value:
            if key not in keys:
                self.fail(_member(path, str(key)), "unknown key")
        for key in getattr(value, "duplicates", ()):
            self.fail(_member(path, key), "given twice in one object")
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
            self.fail(
                where,
                f"contains U+{ord(unstorable[0]):04X}, a control or direction character",
            )
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


class _Object(dict[str, object]):
    """A JSON object that remembers the keys it was given more than once: JSON parsers keep
    the last silently, which would import a record the operator did not write."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, object]]) -> _Object:
    parsed = _Object()
    duplicates = []
    for key, value in pairs:
        if key in parsed:
            duplicates.append(key)
        parsed[key] = value
    if duplicates:
        parsed.duplicates = tuple(duplicates)
    return parsed


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
        return json.loads(text, object_pairs_hook=_object)
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
    try:
        counts = await write_registry(contracts)
    except Conflict:
        raise ImportConflict("another import is running; wait for it or retry") from None
    return ImportSummary(
        contracts_created=counts.contracts_created,
        contracts_updated=counts.contracts_updated,
        certificates_created=counts.certificates_created,
        certificates_updated=counts.certificates_updated,
    )


async def import_registry_file(path: Path) -> ImportSummary:
    return await import_registry(read_registry_file(path))
