"""Registry import (contract/registry-format.md), on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections

from gateway import json_stream, registry
from gateway.registry import (
    ImportSummary,
    RegistryInvalid,
    import_registry,
    import_registry_file,
)
from gateway.vocabulary import ServiceType
from models.accounts import Account, AccountCertificate
from models.registry import Certificate, Contract, Dependent
from store import registry as store_registry
from tests.support import DEMO_REGISTRY, REPO

# contract/registry.example.json, record for record.
EXAMPLE: dict[str, Any] = {
    "contracts": [
        {
            "number": "G81234",
            "productLine": "GROUP_INSURANCE",
            "sponsorName": "Coopérative forestière du Haut-Saint-Maurice",
            "planName": "Assurance collective des employés",
            "onlineFeatures": [
                "HEALTH_CLAIMS",
                "DENTAL_CLAIMS",
                "CLAIMS_HISTORY",
                "DIRECT_DEPOSIT",
                "PAYMENT_CARD",
            ],
            "certificates": [
                {
                    "number": "0004417",
                    "firstName": "Geneviève",
                    "lastName": "Côté",
                    "dateOfBirth": "1986-04-19",
                    "status": "ACTIVE",
                    "effectiveDate": "2017-09-01",
                    "terminationDate": None,
                    "coverages": [
                        {"benefit": "HEALTH", "tier": "FAMILY"},
                        {"benefit": "DENTAL", "tier": "FAMILY"},
                        {"benefit": "LIFE", "tier": None},
                    ],
                },
                {
                    "number": "0004418",
                    "firstName": "Samuel",
                    "lastName": "Ouellet",
                    "dateOfBirth": "1979-11-02",
                    "status": "ACTIVE",
                    "effectiveDate": "2018-01-01",
                    "coverages": [{"benefit": "HEALTH", "tier": "SINGLE"}],
                },
            ],
        },
        {
            "number": "G55007",
            "productLine": "GROUP_INSURANCE",
            "sponsorName": "Association des paramédics de l'Estrie",
            "planName": "Régime complémentaire santé",
            "onlineFeatures": ["HEALTH_CLAIMS", "VISION_CLAIMS"],
            "certificates": [
                {
                    "number": "7710",
                    "firstName": "Geneviève",
                    "lastName": "Côté",
                    "dateOfBirth": "1986-04-19",
                    "status": "ACTIVE",
                    "effectiveDate": "2021-03-15",
                    "coverages": [
                        {"benefit": "HEALTH", "tier": "SINGLE"},
                        {"benefit": "VISION", "tier": "SINGLE"},
                    ],
                }
            ],
        },
        {
            "number": "RC3090",
            "productLine": "GROUP_RETIREMENT_SAVINGS",
            "sponsorName": "Coopérative forestière du Haut-Saint-Maurice",
            "planName": "REER collectif",
            "onlineFeatures": ["ELECTRONIC_STATEMENTS"],
            "certificates": [
                {
                    "number": "0004417",
                    "firstName": "Geneviève",
                    "lastName": "Côté",
                    "dateOfBirth": "1986-04-19",
                    "status": "ACTIVE",
                    "effectiveDate": "2017-09-01",
                    "coverages": [],
                }
            ],
        },
        {
            "number": "RA0042",
            "productLine": "GROUP_ANNUITY",
            "sponsorName": "Régime de rentes des cols bleus",
            "planName": "Rentes collectives",
            "onlineFeatures": [],
            "certificates": [
                {
                    "number": "55-120",
                    "firstName": "Samuel",
                    "lastName": "Ouellet",
                    "dateOfBirth": "1979-11-02",
                    "status": "SUSPENDED",
                    "effectiveDate": "2015-06-01",
                    "terminationDate": "2030-06-01",
                    "coverages": [],
                }
            ],
        },
    ]
}


def _example() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE)


def _certificate(number: str, **changes: Any) -> dict[str, Any]:
    record = {
        "number": number,
        "firstName": "Chantal",
        "lastName": "Fortin",
        "dateOfBirth": "1972-01-06",
        "status": "ACTIVE",
        "effectiveDate": "2010-01-01",
        "coverages": [],
    }
    record.update(changes)
    return record


def _contract(number: str, *certificates: dict[str, Any], **changes: Any) -> dict[str, Any]:
    record = {
        "number": number,
        "productLine": "GROUP_INSURANCE",
        "sponsorName": "Fromagerie Lemaire et fils",
        "planName": "Assurance collective des employés",
        "onlineFeatures": [],
        "certificates": list(certificates),
    }
    record.update(changes)
    return record


async def _ids() -> dict[tuple[str, str], int]:
    """Certificate ids by (contract number, certificate number)."""
    rows = await Certificate.all().values_list("contract__number", "number", "id")
    return {(contract, number): certificate_id for contract, number, certificate_id in rows}


async def _problems(document: object) -> list[str]:
    with pytest.raises(RegistryInvalid) as raised:
        await import_registry(document)
    return raised.value.problems


async def test_the_example_file_creates_its_contracts_and_certificates(db, tmp_path: Path):
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(EXAMPLE, ensure_ascii=False), encoding="utf-8")

    summary = await import_registry_file(path)

    assert summary == ImportSummary(
        contracts_created=4,
        contracts_updated=0,
        contracts_unchanged=0,
        certificates_created=5,
        certificates_updated=0,
        certificates_unchanged=0,
    )
    assert summary.describe() == (
        "registry imported: 4 contracts (4 created, 0 updated, 0 unchanged), "
        "5 certificates (5 created, 0 updated, 0 unchanged)"
    )
    contracts = {c.number: c for c in await Contract.all()}
    assert set(contracts) == {"G81234", "G55007", "RC3090", "RA0042"}
    assert contracts["RC3090"].product_line == "GROUP_RETIREMENT_SAVINGS"
    assert contracts["G55007"].sponsor_name == "Association des paramédics de l'Estrie"
    assert contracts["G55007"].plan_name == "Régime complémentaire santé"
    assert contracts["G55007"].online_features == ["HEALTH_CLAIMS", "VISION_CLAIMS"]
    assert contracts["RA0042"].online_features == []

    genevieve = await Certificate.get(contract__number="G81234", number="0004417")
    assert (genevieve.first_name, genevieve.last_name) == ("Geneviève", "Côté")
    assert genevieve.search_text == "genevieve cote"
    assert genevieve.date_of_birth == date(1986, 4, 19)
    assert genevieve.status == "ACTIVE"
    assert genevieve.effective_date == date(2017, 9, 1)
    assert genevieve.termination_date is None
    assert genevieve.coverages == [
        {"benefit": "HEALTH", "tier": "FAMILY"},
        {"benefit": "DENTAL", "tier": "FAMILY"},
        {"benefit": "LIFE", "tier": None},
    ]
    annuity = await Certificate.get(contract__number="RA0042", number="55-120")
    assert annuity.status == "SUSPENDED"
    assert annuity.termination_date == date(2030, 6, 1)
    assert annuity.coverages == []


async def test_a_second_import_of_the_same_file_writes_nothing_and_keeps_the_ids(db):
    await import_registry(_example())
    contract_ids = dict(await Contract.all().values_list("number", "id"))
    certificate_ids = await _ids()
    stamps = dict(await Certificate.all().values_list("id", "updated_at"))

    summary = await import_registry(_example())

    assert summary == ImportSummary(
        contracts_created=0,
        contracts_updated=0,
        contracts_unchanged=4,
        certificates_created=0,
        certificates_updated=0,
        certificates_unchanged=5,
    )
    assert summary.describe() == (
        "registry imported: 4 contracts (0 created, 0 updated, 4 unchanged), "
        "5 certificates (0 created, 0 updated, 5 unchanged)"
    )
    assert dict(await Contract.all().values_list("number", "id")) == contract_ids
    assert await _ids() == certificate_ids
    assert dict(await Certificate.all().values_list("id", "updated_at")) == stamps


async def test_a_re_import_counts_and_writes_only_the_records_that_changed(db):
    """Issue 20: what differs from the stored record, and nothing else, is updated."""
    example = REPO / "contract" / "registry.example.json"
    await import_registry_file(example)
    document = json.loads(example.read_text(encoding="utf-8"))
    certificates = await _ids()
    stamps = dict(await Certificate.all().values_list("id", "updated_at"))
    contract_stamps = dict(await Contract.all().values_list("number", "updated_at"))
    # one certificate's own value, one contract's claim rules, one dependent of another file
    document["contracts"][1]["certificates"][0]["coverages"][0]["tier"] = "COUPLE"
    document["contracts"][3]["claimRules"] = [
        {"serviceType": "DENTAL_CARE", "reimbursementPercent": 50, "annualMaximumCents": None}
    ]
    genevieve = document["contracts"][0]["certificates"][0]
    genevieve["dependents"][0]["lastName"] = "Roy-Côté"
    # reordered keys and coverages given as they were: not a change
    samuel = document["contracts"][0]["certificates"][1]
    document["contracts"][0]["certificates"][1] = dict(reversed(list(samuel.items())))

    summary = await import_registry(document)

    assert (summary.contracts_updated, summary.contracts_unchanged) == (1, 3)
    assert (summary.certificates_updated, summary.certificates_unchanged) == (2, 3)
    assert (summary.contracts_created, summary.certificates_created) == (0, 0)
    after = dict(await Certificate.all().values_list("id", "updated_at"))
    changed = {certificates[("G55007", "7710")], certificates[("G81234", "0004417")]}
    assert {i for i in after if after[i] != stamps[i]} == changed
    contracts_after = dict(await Contract.all().values_list("number", "updated_at"))
    assert [n for n in contracts_after if contracts_after[n] != contract_stamps[n]] == ["RA0042"]
    assert (await Dependent.get(first_name="Mathieu")).last_name == "Roy-Côté"
    assert (await Certificate.get(contract__number="G55007")).coverages[0]["tier"] == "COUPLE"


async def test_changed_fields_are_updated_in_place_and_links_survive(db):
    await import_registry(_example())
    samuel = await Certificate.get(contract__number="G81234", number="0004418")
    account = await Account.create(
        user_code="souellet",
        user_code_canonical="souellet",
        password_hash="not-a-real-hash",
        password_hint="érable",
        mothers_first_name_hash="not-a-real-hash",
        date_of_birth=date(1979, 11, 2),
        first_name="Samuel",
        last_name="Ouellet",
        preferred_language="fr",
    )
    await AccountCertificate.create(account=account, certificate=samuel)

    changed = _example()
    contract = changed["contracts"][0]
    contract["planName"] = "Assurance collective des employés syndiqués"
    contract["onlineFeatures"] = ["HEALTH_CLAIMS"]
    record = contract["certificates"][1]
    record["lastName"] = "Ouellet-Bérubé"
    record["status"] = "TERMINATED"
    record["terminationDate"] = "2026-10-31"
    record["coverages"] = [{"benefit": "HEALTH", "tier": "COUPLE"}]
    await import_registry(changed)

    updated = await Certificate.get(id=samuel.id)
    assert updated.number == "0004418"
    assert updated.last_name == "Ouellet-Bérubé"
    assert updated.search_text == "samuel ouellet-berube"
    assert updated.status == "TERMINATED"
    assert updated.termination_date == date(2026, 10, 31)
    assert updated.coverages == [{"benefit": "HEALTH", "tier": "COUPLE"}]
    assert updated.created_at == samuel.created_at
    stored = await Contract.get(number="G81234")
    assert stored.plan_name == "Assurance collective des employés syndiqués"
    assert stored.online_features == ["HEALTH_CLAIMS"]
    link = await AccountCertificate.get(account=account)
    assert link.certificate_id == samuel.id


async def test_records_absent_from_a_later_file_are_left_as_they_are(db):
    await import_registry(_example())
    before = await _ids()
    later = {"contracts": [_contract("G81234", _certificate("0009999"))]}

    summary = await import_registry(later)

    assert summary == ImportSummary(
        contracts_created=0,
        contracts_updated=1,
        contracts_unchanged=0,
        certificates_created=1,
        certificates_updated=0,
        certificates_unchanged=0,
    )
    assert summary.describe() == (
        "registry imported: 1 contract (0 created, 1 updated, 0 unchanged), "
        "1 certificate (1 created, 0 updated, 0 unchanged)"
    )
    after = await _ids()
    assert {key: after[key] for key in before} == before
    assert set(after) - set(before) == {("G81234", "0009999")}
    assert await Contract.filter(number="RA0042").exists()


async def test_a_file_with_bad_records_imports_nothing_and_names_each_one(db):
    await import_registry(_example())
    before = await Certificate.get(contract__number="G81234", number="0004417")
    document = _example()
    document["contracts"][0]["certificates"][0]["firstName"] = "Ginette"
    document["contracts"][0]["productLine"] = "CAR_INSURANCE"
    document["contracts"][0]["onlineFeatures"].append("TELEPORTATION")
    document["contracts"][1]["certificates"][0]["dateOfBirth"] = "1986-02-30"
    document["contracts"][1]["certificates"][0]["effectiveDate"] = "15/03/2021"
    document["contracts"][2]["sponsorName"] = "   "
    document["contracts"][2]["certificates"][0]["status"] = "active"
    document["contracts"][2]["certificates"][0]["numero"] = "0004417"
    annuity = document["contracts"][3]["certificates"][0]
    del annuity["firstName"]
    annuity["number"] = 55120
    annuity["terminationDate"] = "2014-12-31"
    annuity["coverages"] = [{"benefit": " "}, "LIFE"]
    document["contracts"].append(_contract("G" * 65, certificates=None))
    document["contracts"].append(_contract("G90001", _certificate("2", firstName="É" * 101)))

    problems = await _problems(document)

    assert problems == [
        "contracts[0].productLine: expected one of GROUP_INSURANCE, GROUP_RETIREMENT_SAVINGS,"
        ' GROUP_ANNUITY, got "CAR_INSURANCE"',
        "contracts[0].onlineFeatures[5]: expected one of HEALTH_CLAIMS, DENTAL_CLAIMS,"
        " VISION_CLAIMS, CLAIMS_HISTORY, DIRECT_DEPOSIT, ELECTRONIC_STATEMENTS, PAYMENT_CARD,"
        ' got "TELEPORTATION"',
        "contracts[1].certificates[0].dateOfBirth: not a date, 1986-02-30 does not exist",
        "contracts[1].certificates[0].effectiveDate: not a date (expected YYYY-MM-DD),"
        ' got "15/03/2021"',
        "contracts[2].sponsorName: must not be blank",
        "contracts[2].certificates[0].numero: unknown key",
        "contracts[2].certificates[0].status: expected one of ACTIVE, SUSPENDED, TERMINATED,"
        ' got "active"',
        "contracts[3].certificates[0].number: expected a string, got 55120",
        "contracts[3].certificates[0].firstName: missing",
        "contracts[3].certificates[0].terminationDate: 2014-12-31 is before effectiveDate"
        " 2015-06-01",
        "contracts[3].certificates[0].coverages[0].benefit: must not be blank",
        "contracts[3].certificates[0].coverages[0].tier: missing (null when the benefit has no"
        " tier)",
        'contracts[3].certificates[0].coverages[1]: expected an object, got "LIFE"',
        "contracts[4].number: longer than 64 characters (65)",
        "contracts[4].certificates: expected a list, got null",
        "contracts[5].certificates[0].firstName: longer than 100 characters (101)",
    ]
    assert (await Certificate.get(id=before.id)).first_name == "Geneviève"
    assert not await Contract.filter(number="G90001").exists()
    assert await Certificate.all().count() == 5


async def test_a_failure_while_writing_leaves_the_database_as_it_was(db, monkeypatch):
    """Validation catches bad data; this is the transaction's part, for what it cannot see."""
    original = store_registry.RegistryWriter._write_certificates
    calls = 0

    async def fail_once_written(*args: Any) -> None:
        nonlocal calls
        calls += 1
        await original(*args)
        raise ConnectionError("the database went away")

    monkeypatch.setattr(store_registry.RegistryWriter, "_write_certificates", fail_once_written)
    with pytest.raises(ConnectionError):
        await import_registry(_example())

    assert calls == 1
    assert await Contract.all().count() == 0
    assert await Certificate.all().count() == 0


async def test_a_bad_record_after_written_batches_rolls_them_back(db, monkeypatch):
    """Contracts are written as they come; a bad one later in the file undoes them all."""
    monkeypatch.setattr(registry, "_BATCH_CERTIFICATES", 2)
    good = [_contract(f"G{n}", _certificate("1"), _certificate("2")) for n in range(5)]
    bad = _contract("G9", _certificate("1", status="GONE"))

    problems = await _problems({"contracts": [*good, bad, *good[:1]]})

    assert problems == [
        "contracts[5].certificates[0].status: expected one of ACTIVE, SUSPENDED, TERMINATED,"
        ' got "GONE"',
        'contracts[6].number: "G0" already used by contracts[0]',
    ]
    assert await Contract.all().count() == 0
    assert await Certificate.all().count() == 0


async def test_a_file_is_read_a_contract_at_a_time_with_the_same_problems(
    db, tmp_path: Path, monkeypatch
):
    """The streamed reader names what ``json.loads`` and the checks would name, anywhere in a
    file read in many pieces."""
    monkeypatch.setattr(json_stream, "_CHUNK_BYTES", 7)
    path = tmp_path / "registry.json"
    document = _example()
    document["contracts"][1]["certificates"][0]["firstName"] = "É" * 101
    text = json.dumps(document, ensure_ascii=False, indent=2)
    path.write_text('{"version": 2, ' + text[1:], encoding="utf-8")
    with pytest.raises(RegistryInvalid) as raised:
        await import_registry_file(path)
    assert raised.value.problems == [
        "version: unknown key",
        "contracts[1].certificates[0].firstName: longer than 100 characters (101)",
    ]

    path.write_text(json.dumps(_example(), indent=2), encoding="utf-8")
    summary = await import_registry_file(path)
    assert (summary.contracts_created, summary.certificates_created) == (4, 5)
    assert (await Certificate.get(contract__number="RA0042")).first_name == "Samuel"

    broken = json.dumps(_example(), indent=2).replace('"SUSPENDED",', '"SUSPENDED"', 1)
    path.write_text(broken + "\n", encoding="utf-8")
    with pytest.raises(RegistryInvalid) as raised:
        await import_registry_file(path)
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(broken)
    error = expected.value
    assert raised.value.problems == [
        f"$: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
    ]
    path.write_text(json.dumps(_example()) + " []", encoding="utf-8")
    with pytest.raises(RegistryInvalid) as raised:
        await import_registry_file(path)
    assert raised.value.problems[0].startswith("$: not valid JSON (line 1, column ")
    assert raised.value.problems[0].endswith(": Extra data)")
    for text, problem in [
        ("[]", "$: expected an object, got a list"),
        ("{}", "contracts: missing"),
        ('{"contracts": 3}', "contracts: expected a list, got 3"),
        ('{"contracts": [], "contracts": []}', "contracts: given twice in one object"),
        ("", "$: not valid JSON (line 1, column 1: Expecting value)"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RegistryInvalid) as raised:
            await import_registry_file(path)
        assert raised.value.problems == [problem], text


async def test_characters_no_database_can_store_are_refused(db):
    document = {
        "contracts": [
            _contract("G1", _certificate("1", lastName="Fortin\x00"), _certificate("2\ud800"))
        ]
    }

    assert await _problems(document) == [
        "contracts[0].certificates[0].lastName: contains U+0000, a control or direction character",
        "contracts[0].certificates[1].number: contains U+D800, a control or direction character",
    ]


async def test_the_shape_of_the_document_itself_is_checked(db):
    assert await _problems([]) == ["$: expected an object, got a list"]
    assert await _problems({}) == ["contracts: missing"]
    assert await _problems({"contracts": {}, "version": 2}) == [
        "version: unknown key",
        "contracts: expected a list, got an object",
    ]
    assert await _problems({"contracts": [_contract("G1", **{"sponsor name": "x"})]}) == [
        'contracts[0]["sponsor name"]: unknown key'
    ]


async def test_a_file_that_is_not_json_is_refused_with_its_position(db, tmp_path: Path):
    path = tmp_path / "registry.json"
    path.write_text(
        '{\n  "contracts": [\n    {"number": "G1"\n    "productLine": "GROUP_ANNUITY"}\n  ]\n}',
        encoding="utf-8",
    )

    with pytest.raises(RegistryInvalid) as raised:
        await import_registry_file(path)

    assert raised.value.problems == [
        "$: not valid JSON (line 4, column 5: Expecting ',' delimiter)"
    ]
    assert str(raised.value) == "$: not valid JSON (line 4, column 5: Expecting ',' delimiter)"
    assert await Contract.all().count() == 0


async def test_unreadable_files_are_refused_with_the_reason(db, tmp_path: Path):
    missing = tmp_path / "missing.json"
    with pytest.raises(RegistryInvalid) as raised:
        await import_registry_file(missing)
    assert raised.value.problems == [f"$: cannot read {missing} (No such file or directory)"]

    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"contracts": [{"sponsorName": "Coopérative"}]}'.encode("latin-1"))
    with pytest.raises(RegistryInvalid) as raised:
        await import_registry_file(latin1)
    assert raised.value.problems == ["$: not UTF-8 text (byte 0xE9 at offset 36)"]


async def test_a_byte_order_mark_is_accepted(db, tmp_path: Path):
    path = tmp_path / "registry.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_example()).encode())
    summary = await import_registry_file(path)
    assert summary.certificates_created == 5


async def test_duplicate_numbers_are_named_with_their_first_use(db):
    document = {
        "contracts": [
            _contract("G81234", _certificate("0004417"), _certificate("A-1")),
            _contract(" g81234 ", _certificate("1")),
            _contract("G55007", _certificate("7710"), _certificate("a-1"), _certificate(" 7710")),
        ]
    }
    document["contracts"][0]["certificates"].append(_certificate(" a-1 "))

    assert await _problems(document) == [
        'contracts[0].certificates[2].number: "A-1" already used by contracts[0].certificates[1]',
        'contracts[1].number: "G81234" already used by contracts[0]',
        'contracts[2].certificates[2].number: "7710" already used by contracts[2].certificates[0]',
    ]
    assert await Contract.all().count() == 0


async def test_numbers_match_trimmed_and_upper_cased(db):
    await import_registry(_example())
    await import_registry(
        {
            "contracts": [
                _contract("rc3090", _certificate("ab-12"), productLine="GROUP_RETIREMENT_SAVINGS")
            ]
        }
    )
    ids = await _ids()
    assert ("RC3090", "AB-12") in ids

    later = _contract(" g81234 ", _certificate(" 0004418 "), _certificate("Ab-12 "))
    summary = await import_registry({"contracts": [later]})

    assert summary == ImportSummary(
        contracts_created=0,
        contracts_updated=1,
        contracts_unchanged=0,
        certificates_created=1,
        certificates_updated=1,
        certificates_unchanged=0,
    )
    after = await _ids()
    assert after[("G81234", "0004418")] == ids[("G81234", "0004418")]
    assert ("G81234", "AB-12") in after
    assert await Contract.all().count() == 4


async def test_one_certificate_number_under_two_contracts_is_two_files(db):
    await import_registry(_example())

    files = await Certificate.filter(number="0004417").values_list("contract__number", "id")

    assert sorted(contract for contract, _ in files) == ["G81234", "RC3090"]
    assert len({certificate_id for _, certificate_id in files}) == 2


async def test_the_demo_registry_holds_the_example_and_imports(db):
    document = json.loads(DEMO_REGISTRY.read_text(encoding="utf-8"))
    example = json.loads((REPO / "contract" / "registry.example.json").read_text(encoding="utf-8"))
    assert isinstance(document, dict) and isinstance(example, dict)
    assert document["contracts"][: len(example["contracts"])] == example["contracts"]

    summary = await import_registry(document)

    assert summary.contracts_created == len(document["contracts"])
    assert {c.product_line for c in await Contract.all()} == {
        "GROUP_INSURANCE",
        "GROUP_RETIREMENT_SAVINGS",
        "GROUP_ANNUITY",
    }
    assert await Certificate.filter(status="TERMINATED").count() >= 1
    largest = max(len(contract["certificates"]) for contract in document["contracts"])
    assert largest >= 30


async def test_a_record_holds_a_person_not_a_document(db, tmp_path):
    """Issue 16: sizes bounded, duplicate keys and direction controls refused, by JSON path."""
    many = [{"benefit": f"B{n}", "tier": None} for n in range(51)]
    long_benefit = [{"benefit": "x" * 101, "tier": None}]
    document = {
        "contracts": [
            _contract(
                "G1",
                _certificate("1", coverages=many),
                _certificate("2", coverages=long_benefit),
                _certificate("3", lastName="Fortin\u202eEDCBA"),
            )
        ]
    }
    with pytest.raises(RegistryInvalid) as invalid:
        await import_registry(document)
    assert invalid.value.problems == [
        "contracts[0].certificates[0].coverages: 51 coverages; at most 50",
        "contracts[0].certificates[1].coverages[0].benefit: longer than 100 characters (101)",
        "contracts[0].certificates[2].lastName: contains U+202E, a control or direction character",
    ]
    duplicated = tmp_path / "duplicated.json"
    text = json.dumps({"contracts": [_contract("G1", _certificate("HX17"))]})
    duplicated.write_text(text.replace('"number": "HX17"', '"number": "HX17", "number": "HX17B"'))
    with pytest.raises(RegistryInvalid) as twice:
        await import_registry_file(duplicated)
    assert twice.value.problems == [
        "contracts[0].certificates[0].number: given twice in one object"
    ]
    assert await Certificate.all().count() == 0


async def test_dependents_and_claim_rules_of_the_example_are_imported(db):
    """Issue 18: the registry additions, from the clients' own example file."""
    example = REPO / "contract" / "registry.example.json"
    await import_registry_file(example)
    people = await Dependent.filter(certificate__number="0004417").order_by("date_of_birth")
    assert [(d.first_name, d.relationship) for d in people] == [
        ("Mathieu", "SPOUSE"),
        ("Léa", "CHILD"),
    ]
    rules = (await Contract.get(number="G81234")).claim_rules
    assert {
        "serviceType": "DENTAL_CARE",
        "reimbursementPercent": 80,
        "annualMaximumCents": None,
    } in rules
    assert (await Contract.get(number="G55007")).claim_rules == []

    # identified by certificate, first name and date of birth: updated in place, never twice
    document = json.loads(example.read_text(encoding="utf-8"))
    lea = document["contracts"][0]["certificates"][0]["dependents"][1]
    lea["firstName"], lea["lastName"] = "LÉA", "Côté-Roy"
    ids_before = {d.id for d in await Dependent.all()}
    await import_registry(document)
    assert {d.id for d in await Dependent.all()} == ids_before
    updated = await Dependent.get(first_name_key="lea")
    assert (updated.first_name, updated.last_name) == ("LÉA", "Côté-Roy")


async def test_bad_dependents_and_claim_rules_are_named_by_path(db):
    document = copy.deepcopy(EXAMPLE)
    contract = document["contracts"][0]
    contract["claimRules"] = [
        {"serviceType": "MASSAGE", "reimbursementPercent": 80, "annualMaximumCents": 1},
        {"serviceType": "PHYSIOTHERAPY", "reimbursementPercent": 101, "annualMaximumCents": -1},
        {"serviceType": "PHYSIOTHERAPY", "reimbursementPercent": 50},
    ]
    certificate = contract["certificates"][0]
    certificate["dependents"] = [
        {
            "firstName": "Léa",
            "lastName": "C",
            "dateOfBirth": "2015-06-30",
            "relationship": "MEMBER",
        },
        {"firstName": "lea", "lastName": "C", "dateOfBirth": "2015-06-30", "relationship": "CHILD"},
    ]
    document["contracts"][1]["certificates"][0]["dependents"] = [
        {"firstName": "X", "lastName": "Y", "dateOfBirth": "2015-06-30", "relationship": "CHILD"}
    ] * 21
    problems = await _problems(document)
    rules = "contracts[0].claimRules"
    people = "contracts[0].certificates[0].dependents"
    assert problems == [
        f"{rules}[0].serviceType: expected one of "
        + ", ".join(s.value for s in ServiceType)
        + ', got "MASSAGE"',
        f"{rules}[1].reimbursementPercent: expected 0 to 100, got 101",
        f"{rules}[1].annualMaximumCents: expected 0 to 10000000000, got -1",
        f'{rules}[2].serviceType: "PHYSIOTHERAPY" already given by {rules}[1]',
        f"{rules}[2].annualMaximumCents: missing (null when there is none)",
        f'{people}[0].relationship: expected one of SPOUSE, CHILD, got "MEMBER"',
        f"{people}[1]: the same person as {people}[0] (first name and date of birth)",
        "contracts[1].certificates[0].dependents: 21 dependents; at most 20",
    ]
    assert await Dependent.all().count() == 0


async def test_an_import_leaves_the_registry_readable_from_its_indexes(db):
    """Partners' pages and searches (R15) are read from the certificate index alone, which
    PostgreSQL does only for pages its visibility map marks all-visible: the import vacuums
    what it wrote rather than wait for autovacuum (bench/README.md)."""
    connection = connections.get("default")
    if connection.capabilities.dialect != "postgres":
        pytest.skip("SQLite has no visibility map")
    document = _example()
    document["contracts"][0]["certificates"] += [
        _certificate(f"{n:07d}", lastName=f"Membre{n}") for n in range(5000, 7000)
    ]

    await import_registry(document)

    (row,) = await connection.execute_query_dict(
        "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'certificate'"
    )
    assert row["relpages"] > 10
    assert row["relallvisible"] == row["relpages"]
