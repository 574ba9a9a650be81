"""The README's walkthrough, run as written (issue 17): every GraphQL block, every operation
in it, in order, against a fresh demo gateway, doing what the text around it tells a reader
to do (swap in the newest token, copy a file's id). An example that drifts from the API fails
here, not in a newcomer's first hour."""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from graphql import OperationDefinitionNode, parse

from tests.support import GATEWAY_COMMAND, REPO, running_gateway

BLOCK = re.compile(r"```(graphql|sh)\n(.*?)```", re.DOTALL)
KEY_COMMAND = re.compile(r"^\.venv/bin/gateway (apikey create .*?)\s*(?:#.*)?$", re.MULTILINE)


@dataclass(frozen=True)
class Step:
    document: str
    operation: str
    credential: str  # whose Authorization header: "member", "partner" or "staff"


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
    with running_gateway(tmp_path, tmp_path / "server.log") as live:
        keys = create_keys(live.env)
        with httpx.Client(base_url=live.url, timeout=30) as client:
            for step in steps:
                document = step.document
                if "<id>" in document:
                    # What the text says to do: copy the id of contract G55007's file.
                    chosen = [f["id"] for f in files if f["contractNumber"] == "G55007"]
                    assert chosen, "the answer before ChooseFile shows the file's id"
                    document = document.replace("<id>", chosen[0])
                headers = (
                    member
                    if step.credential == "member"
                    else {"Authorization": f"Bearer {keys[step.credential]}"}
                )
                response = client.post(
                    "/graphql",
                    json={"query": document, "operationName": step.operation},
                    headers=headers,
                )
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
    assert chose == {"status": "ACTIVE", "selectedFile": {"contractNumber": "G55007"}}
    sessions = answers["MySessions"]["viewer"]["sessions"]
    assert len(sessions) == 2 and sum(s["current"] for s in sessions) == 1
    kinds = {event["kind"] for event in answers["MyHistory"]["viewer"]["securityEvents"]}
    assert {"REGISTERED", "SIGNED_IN", "FILE_LINKED"} <= kinds
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
