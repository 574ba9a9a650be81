"""The README's walkthrough, run as written (issue 17): every GraphQL block, every operation
in it, in order, against a fresh demo gateway, doing what the text around it tells a reader
to do (swap in the newest token, copy a file's id). An example that drifts from the API fails
here, not in a newcomer's first hour."""

from __future__ import annotations

import io
import itertools
import re
import shlex
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from graphql import OperationDefinitionNode, parse
from PIL import Image

from tests.support import GATEWAY_COMMAND, REPO, running_gateway

BLOCK = re.compile(r"```(graphql|sh)\n(.*?)```", re.DOTALL)
KEY_COMMAND = re.compile(r"^\.venv/bin/gateway (apikey create .*?)\s*(?:#.*)?$", re.MULTILINE)


@dataclass(frozen=True)
class Step:
    document: str
    operation: str
    credential: str  # whose Authorization header: "member", "partner" or "staff"
    upload: bool = False  # a curl command sending a file (GraphQL multipart request)


def readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def walkthrough() -> list[Step]:
    """Every operation of every GraphQL block, in order, with the credential the paragraph
    before the block tells the reader to send."""
    steps, text, done = [], readme(), 0
    for block in BLOCK.finditer(text):
        language, document = block.groups()
        before = " ".join(text[done : block.start()].rstrip().rpartition("\n\n")[2].split())
        done = block.end()
        if language == "sh" and "uploadReceipt" in document:
            steps.append(Step(document, "Upload", "member", upload=True))
            continue
        if language != "graphql":
            continue
        credential = (
            "partner" if "partner key" in before else "staff" if "staff key" in before else "member"
        )
        for definition in parse(document).definitions:
            assert isinstance(definition, OperationDefinitionNode)
            assert definition.name is not None, "every README operation is named (GraphiQL)"
            steps.append(Step(document, definition.name.value, credential))
    return steps


def create_keys(env: dict[str, str]) -> dict[str, str]:
    """Run the README's `apikey create` lines; the key is "alone on the last line"."""
    keys = {}
    for command in KEY_COMMAND.findall(readme()):
        done = subprocess.run(
            [*GATEWAY_COMMAND, *shlex.split(command)],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        keys[shlex.split(command)[shlex.split(command).index("--role") + 1]] = (
            done.stdout.strip().splitlines()[-1]
        )
    return keys


def send_upload(client: httpx.Client, command: str, headers: dict[str, str]) -> httpx.Response:
    """The README's curl command, sent as curl would: its -H headers (the token swapped in),
    its -F fields, and a photo at the file name it gives."""
    words = shlex.split(command.replace("\\\n", " "))
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    sent = dict(headers)
    for flag, value in itertools.pairwise(words):
        if flag == "-H":
            name, _, text = value.partition(": ")
            if name.lower() != "authorization":
                sent[name] = text
        elif flag == "-F":
            name, _, text = value.partition("=")
            if text.startswith("@"):
                photo = io.BytesIO()
                Image.new("RGB", (60, 40), (90, 140, 200)).save(photo, format="JPEG")
                files[name] = (text[1:], photo.getvalue(), "image/jpeg")
            else:
                fields[name] = text
    return client.post("/graphql", data=fields, files=files, headers=sent)


def run(
    client: httpx.Client, document: str, operation: str, headers: dict[str, str]
) -> httpx.Response:
    return client.post(
        "/graphql", json={"query": document, "operationName": operation}, headers=headers
    )


def claim_status(answers: dict[str, dict[str, Any]]) -> str:
    edges = answers["MyClaims"]["viewer"]["claims"]["edges"]
    return str(edges[0]["node"]["status"]) if edges else ""


def payloads(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from payloads(value)
    elif isinstance(data, list):
        for item in data:
            yield from payloads(item)


def test_every_readme_example_runs_as_written(tmp_path: Path) -> None:
    steps = walkthrough()
    assert [step.operation for step in steps] == [
        "Register",
        "SignIn",
        "UsageAgreement",
        "AcceptAgreement",
        "Me",
        "LinkFile",
        "ChooseFile",
        "WhoIsCovered",
        "Upload",
        "SubmitClaim",
        "MyClaims",
        "DirectDeposit",
        "MySessions",
        "MyHistory",
        "Hint",
        "Reset",
        "PartnerMembers",
        "StaffLookup",
        "CorrectProfile",
        "Unlock",
        "EndSessions",
    ]
    assert [step.credential for step in steps].count("partner") == 1
    assert [step.credential for step in steps].count("staff") == 4
    answers: dict[str, dict[str, Any]] = {}
    member: dict[str, str] = {}
    files: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    receipt = ""
    # `make run` has the reference claims system inside: so does the gateway the text runs on.
    with running_gateway(
        tmp_path, tmp_path / "server.log", GATEWAY_CLAIMS_SYSTEM="builtin"
    ) as live:
        keys = create_keys(live.env)
        with httpx.Client(base_url=live.url, timeout=30) as client:
            for step in steps:
                document = step.document
                if "<id>" in document:
                    # What the text says to do: copy the id of contract G81234's file.
                    chosen = [f["id"] for f in files if f["contractNumber"] == "G81234"]
                    assert chosen, "the answer before ChooseFile shows the file's id"
                    document = document.replace("<id>", chosen[0])
                if "<patient id>" in document:  # "the id of the person treated (Léa, say)"
                    lea = [p["id"] for p in people if p["firstName"] == "Léa"]
                    document = document.replace("<patient id>", lea[0])
                    document = document.replace("<receipt id>", receipt)
                    # "the service date must be within the last 12 months"
                    recent = (date.today() - timedelta(days=5)).isoformat()
                    document = re.sub(
                        r'serviceDate: "[0-9-]+"', f'serviceDate: "{recent}"', document
                    )
                headers = (
                    member
                    if step.credential == "member"
                    else {"Authorization": f"Bearer {keys[step.credential]}"}
                )
                if step.upload:
                    response = send_upload(client, document, headers)
                else:
                    response = run(client, document, step.operation, headers)
                body = response.json()
                assert response.status_code == 200, (step.operation, body)
                assert "errors" not in body, (step.operation, body)
                for payload in payloads(body["data"]):
                    assert payload.get("errors", []) == [], (step.operation, payload)
                    if payload.get("token"):  # "replace the token in the Headers tab"
                        member = {"Authorization": f"Bearer {payload['token']}"}
                    if isinstance(payload.get("insuranceFiles"), list):
                        files = payload["insuranceFiles"]
                answers[step.operation] = body["data"]
                if step.operation == "WhoIsCovered":
                    people = body["data"]["viewer"]["insuredPersons"]
                if step.upload:
                    receipt = body["data"]["uploadReceipt"]["receipt"]["id"]
                if step.operation == "MyClaims":  # "Run it again to see it move"
                    deadline = time.monotonic() + 30
                    while claim_status(answers) != "PAID" and time.monotonic() < deadline:
                        time.sleep(0.2)
                        again = run(client, document, step.operation, headers).json()
                        answers[step.operation] = again["data"]
    assert answers["Register"]["register"]["userCode"] == "GenCote86"
    signed_in = answers["SignIn"]["signIn"]
    assert signed_in["session"]["status"] == "AGREEMENT_REQUIRED"
    assert signed_in["session"]["selectedFile"]["contractNumber"] == "G81234"
    assert answers["AcceptAgreement"]["acceptUsageAgreement"]["session"]["status"] == "ACTIVE"
    assert answers["Me"]["viewer"]["profile"]["firstName"] == "Geneviève"
    linked = answers["LinkFile"]["linkExistingCredentials"]
    assert linked["session"]["status"] == "FILE_SELECTION_REQUIRED"
    assert {f["contractNumber"] for f in linked["insuranceFiles"]} == {"G81234", "G55007"}
    chose = answers["ChooseFile"]["selectInsuranceFile"]["session"]
    assert chose == {"status": "ACTIVE", "selectedFile": {"contractNumber": "G81234"}}
    covered = answers["WhoIsCovered"]["viewer"]
    assert [p["relationship"] for p in covered["insuredPersons"]] == ["MEMBER", "SPOUSE", "CHILD"]
    assert covered["paymentCard"]["certificateNumber"] == "0004417"
    assert answers["Upload"]["uploadReceipt"]["receipt"]["contentType"] == "image/jpeg"
    submitted = answers["SubmitClaim"]["submitClaim"]["claim"]
    assert submitted["status"] == "SUBMITTED" and submitted["totalCents"] == 9500
    (claim,) = [e["node"] for e in answers["MyClaims"]["viewer"]["claims"]["edges"]]
    # "the plan pays 80 % of physiotherapy, so 76.00 $ of 95.00 $"
    assert claim["status"] == "PAID" and claim["patient"] == {"firstName": "Léa"}
    assert (claim["decision"]["eligibleCents"], claim["decision"]["paidCents"]) == (9500, 7600)
    deposit = answers["DirectDeposit"]["setDirectDeposit"]["directDeposit"]
    assert deposit == {"accountNumberLast3": "123"}
    sessions = answers["MySessions"]["viewer"]["sessions"]
    assert len(sessions) == 1 and sessions[0]["current"]  # the deposit ended the others
    kinds = {event["kind"] for event in answers["MyHistory"]["viewer"]["securityEvents"]}
    assert {"REGISTERED", "SIGNED_IN", "FILE_LINKED", "DIRECT_DEPOSIT_CHANGED"} <= kinds
    assert answers["Hint"]["passwordHint"]["hint"] == "la cabane à sucre"
    members = answers["PartnerMembers"]["partnerContract"]["members"]
    assert {"G81234", "RC3090"} == {
        c["number"] for c in answers["PartnerMembers"]["partnerContracts"]
    }
    assert [e["node"]["certificateNumber"] for e in members["edges"]] == ["0004417"]
    assert answers["StaffLookup"]["staffAccount"]["activeSessionCount"] == 0  # the reset ended them
    corrected = answers["CorrectProfile"]["correctProfile"]["account"]["profile"]
    assert corrected == {"lastName": "Côté-Roy"}
    assert answers["Unlock"]["unlockAccount"]["account"]["locked"] is False
