"""A claim's delivery between real processes: gateways, the reference claims system over HTTP,
and one PostgreSQL database.

Every test runs ``gateway serve`` with ``GATEWAY_CLAIMS_SYSTEM=http`` and ``gateway
claims-system serve`` as processes of their own, on a fresh database, and follows the member's
claims through the API until the decision is back. The claims system's books
(``reference_payment``, read with ``store.reference.taken()``) say which claims it took and how
often: once each, whether it was down when they were submitted, two gateways were delivering
them, or the gateway that recorded them was killed before it could send them.

Waits are bounded, never assumed: each polls until its deadline and fails with the processes'
logs. Nothing is asserted about speed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest

from store import reference
from store.db import close_database, open_database
from tests.api.claims_journey import PREFLIGHT, UPLOAD, png_bytes
from tests.api.journey import (
    ACCEPT,
    AGREEMENT_VERSION,
    GENEVIEVE,
    PASSWORD,
    REGISTER,
    SIGN_IN,
    registration,
)
from tests.support import (
    DEMO_REGISTRY,
    GATEWAY_COMMAND,
    REPO,
    admin,
    asyncpg_url,
    free_port,
    postgres_server_url,
    with_database,
)

T = TypeVar("T")

SECRET = f"claims-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}"  # 32+ characters
STARTUP_SECONDS = 30
DECISION_SECONDS = 30  # one claim, its claims system up: submitted to decided
BACKLOG_SECONDS = 45  # a backlog waiting out the gateways' back-off
REQUEST_SECONDS = 30
LOG_TAIL = 6000
# A request answered with 2xx (the gateway's access log, the claims system's httpx log): the
# polls' and the hooks' noise, left out of failure messages.
ROUTINE = re.compile(
    r'"logger":\s*"gateway\.request".*"status":\s*2\d\d\b|"logger":\s*"httpx".*HTTP/1\.1 2\d\d'
)
DELIVERIES = re.compile(r'^gateway_claim_deliveries_total\{outcome="(\w+)"\} (\S+)$', re.M)
USER_CODE = "GenCote86"
CONTRACT = "G81234"

ERRORS = "errors { code field message }"
SUBMIT = f"""mutation Submit($input: SubmitClaimInput!) {{
  submitClaim(input: $input) {{ claim {{ id reference status totalCents }} {ERRORS} }}
}}"""
DECISION = "status decision { paidCents eligibleCents reason }"
CLAIM = f"query Claim($id: ID!) {{ viewer {{ claim(id: $id) {{ id reference {DECISION} }} }} }}"
CLAIMS = f"""{{ viewer {{ claims(first: 50) {{
  edges {{ node {{ id reference totalCents {DECISION} }} }}
}} }} }}"""
PERSONS = "{ viewer { insuredPersons { id firstName } } }"


def physiotherapy_percent() -> int:
    """What G81234 reimburses for physiotherapy, from the registry the contract documents."""
    registry = json.loads((REPO / "contract" / "registry.example.json").read_text())
    [contract] = [c for c in registry["contracts"] if c["number"] == CONTRACT]
    [rule] = [r for r in contract["claimRules"] if r["serviceType"] == "PHYSIOTHERAPY"]
    # Every test pays far less than the annual maximum: the percentage alone decides.
    assert rule["annualMaximumCents"] is None or rule["annualMaximumCents"] >= 100_000
    return int(rule["reimbursementPercent"])


# ---------------------------------------------------------------------------------------------
# The processes


@dataclass
class Process:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class Scene:
    """One test's database and processes; ``logs()`` is what a failure message carries."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.database_url = database_url
        self.folder = folder
        self.processes: list[Process] = []
        # Reserved before anything starts, so that a gateway can point at a claims system
        # that is not there yet.
        self.claims_port = free_port()
        self.claims_url = f"http://127.0.0.1:{self.claims_port}"

    def env(self, public_url: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
        env.update(
            GATEWAY_DATABASE_URL=self.database_url,
            GATEWAY_CLAIMS_SYSTEM="http",
            GATEWAY_CLAIMS_SYSTEM_URL=self.claims_url,
            GATEWAY_CLAIMS_SYSTEM_SECRET=SECRET,
            GATEWAY_PUBLIC_URL=public_url,
            GATEWAY_RATE_LIMIT_PER_IP="1000/minute",
            GATEWAY_ARGON2_MEMORY_KIB="64",
            GATEWAY_ARGON2_TIME_COST="1",
            GATEWAY_COOKIE_SECURE="false",
            GATEWAY_LOG_LEVEL="INFO",
        )
        return env

    def command(self, *args: str) -> None:
        done = subprocess.run(
            [*GATEWAY_COMMAND, *args],
            cwd=REPO,
            env=self.env("http://127.0.0.1:8000"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"gateway {' '.join(args)}: {done.stderr or done.stdout}"

    def _spawn(self, name: str, url: str, command: list[str]) -> Process:
        log = self.folder / f"{name}.log"
        with log.open("wb") as sink:
            popen = subprocess.Popen(
                command,
                cwd=REPO,
                env=self.env(url),
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        started = Process(name, url, popen, log)
        self.processes.append(started)
        return started

    def gateway(self, name: str, port: int | None = None) -> Process:
        """``gateway serve`` with its delivery worker, answering /readyz."""
        port = port or free_port()
        url = f"http://127.0.0.1:{port}"
        serve = ["serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)]
        started = self._spawn(name, url, [*GATEWAY_COMMAND, *serve])
        self._wait_ready(started, "/readyz", lambda status: status == 200)
        return started

    def claims_system(self, gateway_url: str, delay: float = 0.5) -> Process:
        """``gateway claims-system serve`` on the reserved port, answering (405) GET /claims."""
        serve = [
            "claims-system",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.claims_port),
            "--gateway-url",
            gateway_url,
            "--delay",
            str(delay),
        ]
        started = self._spawn("claims-system", self.claims_url, [*GATEWAY_COMMAND, *serve])
        self._wait_ready(started, "/claims", lambda status: status == 405)
        return started

    def _wait_ready(self, started: Process, path: str, ready: Callable[[int], bool]) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if started.process.poll() is not None:
                pytest.fail(f"{started.name} exited ({started.process.returncode}):\n{self.logs()}")
            with contextlib.suppress(httpx.HTTPError):
                if ready(httpx.get(f"{started.url}{path}", timeout=1).status_code):
                    return
            time.sleep(0.1)
        pytest.fail(f"{started.name} did not answer {path} in {STARTUP_SECONDS} s:\n{self.logs()}")

    def stop_all(self) -> None:
        for started in reversed(self.processes):
            started.stop()

    def logs(self) -> str:
        """The end of each process's log, without the access lines of its answered polls."""
        parts = []
        for started in self.processes:
            text = started.log.read_text(errors="replace") if started.log.exists() else ""
            lines = [line for line in text.splitlines() if not ROUTINE.search(line)]
            tail = "\n".join(lines)[-LOG_TAIL:]
            parts.append(f"----- {started.name} ({started.url}) -----\n{tail}")
        return "\n".join(parts)

    def deliveries(self, gateway: Process) -> dict[str, float]:
        """The gateway process's delivery attempts by outcome, from its /metrics."""
        text = httpx.get(f"{gateway.url}/metrics", timeout=REQUEST_SECONDS).text
        return {outcome: float(value) for outcome, value in DELIVERIES.findall(text)}

    def wait_for(self, what: str, seconds: float, probe: Callable[[], T | None]) -> T:
        """``probe()``'s first truthy answer, polled until the deadline."""
        deadline = time.monotonic() + seconds
        last: T | None = None
        while time.monotonic() < deadline:
            last = probe()
            if last:
                return last
            time.sleep(0.1)
        pytest.fail(f"not within {seconds} s: {what}\n(last probe: {last!r})\n{self.logs()}")

    # What the database says, read beside the processes.

    def rows(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async def read() -> list[asyncpg.Record]:
            conn = await asyncpg.connect(asyncpg_url(self.database_url))
            try:
                return list(await conn.fetch(sql, *args))
            finally:
                await conn.close()

        return asyncio.run(read())

    def claim_rows(self) -> dict[str, asyncpg.Record]:
        """Every claim recorded with its outbox row, by reference."""
        rows = self.rows(
            """SELECT c.public_id, c.reference, c.status, c.received_at, c.idempotency_key,
                      o.attempts, o.leased_until_ms, o.delivered_at, o.last_error
               FROM claim c LEFT JOIN outbox_message o ON o.claim_id = c.id"""
        )
        return {row["reference"]: row for row in rows}

    def taken(self) -> list[str]:
        """The claims system's books: every claim id it took, in order."""

        async def read() -> list[str]:
            await open_database(self.database_url)
            try:
                return await reference.taken()
            finally:
                await close_database()

        return asyncio.run(read())


@pytest.fixture(params=["postgres"])
def scene(tmp_path: Path) -> Iterator[Scene]:
    """A fresh PostgreSQL database, migrated and holding the demo registry; every process a
    test starts is stopped, and the database dropped, whatever happens. (The parameter names
    the backend in the test ids, so that the run's summary counts these tests as PostgreSQL's.)
    """
    server = postgres_server_url()  # fails when CI=true and no server answers
    if server is None:
        pytest.skip("no PostgreSQL server answers (set GATEWAY_TEST_POSTGRES_URL)")
    name = f"gw_claims_{uuid.uuid4().hex[:12]}"
    stage = Scene(with_database(server, name), tmp_path)
    asyncio.run(admin(server, f'CREATE DATABASE "{name}"'))
    try:
        stage.command("migrate")
        stage.command("registry", "import", str(DEMO_REGISTRY))
        yield stage
    finally:
        stage.stop_all()
        asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# ---------------------------------------------------------------------------------------------
# The member


class Member:
    """Geneviève Côté (G81234/0004417) with an ACTIVE MOBILE session, on any gateway of the
    scene: the session lives in the shared database."""

    def __init__(self, scene: Scene, gateway: Process) -> None:
        self.scene = scene
        self.token = ""
        registered = self.gql(
            gateway, REGISTER, {"input": registration(GENEVIEVE, USER_CODE)}, signed=False
        )
        assert registered["register"]["errors"] == [], registered
        signed_in = self.gql(
            gateway,
            SIGN_IN,
            {"input": {"userCode": USER_CODE, "password": PASSWORD, "channel": "MOBILE"}},
            signed=False,
        )["signIn"]
        assert signed_in["token"], signed_in
        self.token = signed_in["token"]
        version = self.gql(gateway, AGREEMENT_VERSION)["usageAgreement"]["version"]
        accepted = self.gql(gateway, ACCEPT, {"version": version})["acceptUsageAgreement"]
        assert accepted["session"]["status"] == "ACTIVE", accepted
        people = self.gql(gateway, PERSONS)["viewer"]["insuredPersons"]
        self.patient = next(p["id"] for p in people if p["firstName"] == "Geneviève")

    def _headers(self, signed: bool) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if signed else {}

    def gql(
        self,
        gateway: Process,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        signed: bool = True,
    ) -> dict[str, Any]:
        response = httpx.post(
            f"{gateway.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={**self._headers(signed), "Accept-Language": "en"},
            timeout=REQUEST_SECONDS,
        )
        assert response.status_code == 200, f"{response.text}\n{self.scene.logs()}"
        body = response.json()
        assert "errors" not in body, f"{body['errors']}\n{self.scene.logs()}"
        return dict(body["data"])

    def receipt(self, gateway: Process) -> str:
        """A receipt uploaded as apollo-upload-client sends it (the multipart request spec)."""
        operations = json.dumps({"query": UPLOAD, "variables": {"file": None}})
        response = httpx.post(
            f"{gateway.url}/graphql",
            data={"operations": operations, "map": '{"0": ["variables.file"]}'},
            files={"0": ("receipt.png", png_bytes(), "application/octet-stream")},
            headers={**self._headers(True), **PREFLIGHT},
            timeout=REQUEST_SECONDS,
        )
        assert response.status_code == 200, f"{response.text}\n{self.scene.logs()}"
        payload = response.json()["data"]["uploadReceipt"]
        assert payload["errors"] == [], payload
        return str(payload["receipt"]["id"])

    def claim_input(self, receipt: str, amount_cents: int) -> dict[str, Any]:
        """Physiotherapy three days ago; claims of one test differ by their amounts."""
        return {
            "idempotencyKey": str(uuid.uuid4()),
            "category": "HEALTH",
            "patientId": self.patient,
            "providerName": "Clinique Physio Mauricie",
            "lines": [
                {
                    "serviceType": "PHYSIOTHERAPY",
                    "serviceDate": (date.today() - timedelta(days=3)).isoformat(),
                    "amountCents": amount_cents,
                }
            ],
            "receiptIds": [receipt],
        }

    def submit(self, gateway: Process, values: dict[str, Any]) -> dict[str, Any]:
        return dict(self.gql(gateway, SUBMIT, {"input": values})["submitClaim"])

    def submit_all(self, submissions: list[tuple[Process, dict[str, Any]]]) -> list[dict[str, Any]]:
        """All at once, each on its own connection; the answers in the submissions' order."""
        with ThreadPoolExecutor(max_workers=len(submissions)) as pool:
            return list(pool.map(lambda job: self.submit(*job), submissions))

    def claim(self, gateway: Process, claim_id: str) -> dict[str, Any]:
        found = self.gql(gateway, CLAIM, {"id": claim_id})["viewer"]["claim"]
        assert found is not None, claim_id
        return dict(found)

    def claims(self, gateway: Process) -> dict[str, dict[str, Any]]:
        """The member's claims (up to 50), by reference."""
        edges = self.gql(gateway, CLAIMS)["viewer"]["claims"]["edges"]
        return {edge["node"]["reference"]: edge["node"] for edge in edges}


def all_in(status: str, claims: dict[str, dict[str, Any]], references: set[str]) -> bool:
    return set(claims) >= references and all(claims[r]["status"] == status for r in references)


def when_paid(member: Member, gateway: Process, claim_id: str) -> dict[str, Any] | None:
    """The claim once PAID, else None (to poll)."""
    found = member.claim(gateway, claim_id)
    return found if found["status"] == "PAID" else None


def when_all_paid(
    member: Member, gateway: Process, references: set[str]
) -> dict[str, dict[str, Any]] | None:
    """The member's claims once all those named are PAID, else None (to poll)."""
    found = member.claims(gateway)
    return found if all_in("PAID", found, references) else None


def failed_and_released(row: asyncpg.Record) -> bool:
    """An outbox row tried, failed, and leased by no worker now."""
    return bool(
        row["attempts"] >= 1
        and row["last_error"]
        and row["leased_until_ms"] == 0
        and row["delivered_at"] is None
    )


def assert_paid_by_the_rules(claim: dict[str, Any], amount_cents: int) -> None:
    decision = claim["decision"]
    assert claim["status"] == "PAID", claim
    assert decision["eligibleCents"] == amount_cents, claim
    assert decision["paidCents"] == amount_cents * physiotherapy_percent() // 100, claim
    # The plan's own rate is the reason it pays less than everything (asked for in English).
    assert f"your plan pays {physiotherapy_percent()}% of this service" in decision["reason"], claim


def assert_taken_once_each(scene: Scene, public_ids: set[str]) -> list[str]:
    taken = scene.taken()
    assert len(taken) == len(set(taken)), f"a claim taken twice: {taken}\n{scene.logs()}"
    assert set(taken) == public_ids, f"taken {taken}, recorded {public_ids}\n{scene.logs()}"
    return taken


# ---------------------------------------------------------------------------------------------
# The tests


def test_a_claim_lives_its_whole_life_over_http(scene: Scene) -> None:
    """Submitted through the API, sent as a signed FHIR Claim over HTTP, taken by the claims
    system, decided with G81234's claimRules (physiotherapy at 80 %), and the signed decision
    back through /hooks/claims: the member reads PAID and the amounts the plan promises."""
    gateway = scene.gateway("gateway")
    scene.claims_system(gateway.url, delay=0.5)
    member = Member(scene, gateway)

    made = member.submit(gateway, member.claim_input(member.receipt(gateway), 9500))
    assert made["errors"] == [], made
    assert made["claim"]["status"] == "SUBMITTED", made
    claim_id = made["claim"]["id"]

    paid = scene.wait_for(
        "the claim PAID",
        DECISION_SECONDS,
        lambda: when_paid(member, gateway, claim_id),
    )
    assert_paid_by_the_rules(paid, 9500)
    assert (paid["decision"]["paidCents"], paid["decision"]["eligibleCents"]) == (7600, 9500)

    [row] = scene.claim_rows().values()
    assert row["reference"] == made["claim"]["reference"]
    assert row["received_at"] is not None, row  # acknowledged (RECEIVED) before decided
    assert row["delivered_at"] is not None, row
    assert scene.taken() == [row["public_id"]], scene.logs()


def test_claims_submitted_while_the_claims_system_is_down_are_delivered_once_when_it_returns(
    scene: Scene,
) -> None:
    """Eight claims submitted at once while nothing answers at the claims system's address:
    they are recorded, their deliveries fail and wait (SUBMITTED); once the claims system
    starts, the back-off brings every one to it, each is taken exactly once, and all are
    RECEIVED, then PAID. None is lost, none is paid twice."""
    gateway = scene.gateway("gateway")
    member = Member(scene, gateway)
    amounts = [5000 + 100 * n for n in range(8)]
    receipts = [member.receipt(gateway) for _ in amounts]
    answers = member.submit_all(
        [(gateway, member.claim_input(r, a)) for r, a in zip(receipts, amounts, strict=True)]
    )
    assert [a["errors"] for a in answers] == [[]] * len(amounts), answers
    amount_of = {a["claim"]["reference"]: a["claim"]["totalCents"] for a in answers}
    assert sorted(amount_of.values()) == amounts

    # The worker tried each one and failed: the outbox keeps why, and no claim moved.
    scene.wait_for(
        "a failed delivery attempt recorded for every claim",
        15,
        lambda: all(failed_and_released(row) for row in scene.claim_rows().values()),
    )
    waited_until = time.monotonic() + 2.5
    while time.monotonic() < waited_until:
        claims = member.claims(gateway)
        assert all_in("SUBMITTED", claims, set(amount_of)), claims
        time.sleep(0.25)
    rows = scene.claim_rows()
    assert set(rows) == set(amount_of)
    assert all(row["status"] == "SUBMITTED" for row in rows.values()), rows
    assert scene.taken() == []

    scene.claims_system(gateway.url, delay=0.5)
    claims = scene.wait_for(
        "all eight claims PAID after the claims system came back",
        BACKLOG_SECONDS,
        lambda: when_all_paid(member, gateway, set(amount_of)),
    )
    for reference_number, amount in amount_of.items():
        assert_paid_by_the_rules(claims[reference_number], amount)
    rows = scene.claim_rows()
    assert len(rows) == len(amounts), rows
    for row in rows.values():
        assert row["received_at"] is not None, row  # each was RECEIVED before PAID
        assert row["delivered_at"] is not None, row
    assert_taken_once_each(scene, {row["public_id"] for row in rows.values()})
    attempts = scene.deliveries(gateway)
    assert attempts.get("delivered") == len(amounts), attempts  # once each, after the fails
    assert attempts.get("failed", 0) >= len(amounts), attempts


def test_two_gateways_deliver_each_claim_once(scene: Scene) -> None:
    """Two gateway processes on one database, both with delivery workers, share the outbox:
    twenty claims submitted at once through both are each leased once, sent once and taken
    once. And twenty identical submissions (one idempotency key, one content), ten on each
    gateway at the same moment, make one claim, which is delivered once too."""
    first = scene.gateway("gateway-A")
    second = scene.gateway("gateway-B")
    scene.claims_system(first.url, delay=0.5)
    member = Member(scene, first)

    count = 20
    amounts = [2000 + 10 * n for n in range(count)]
    gateways = [first if n % 2 == 0 else second for n in range(count)]
    receipts = [member.receipt(g) for g in gateways]
    answers = member.submit_all(
        [(g, member.claim_input(r, a)) for g, r, a in zip(gateways, receipts, amounts, strict=True)]
    )
    assert [a["errors"] for a in answers] == [[]] * count, answers
    amount_of = {a["claim"]["reference"]: a["claim"]["totalCents"] for a in answers}
    assert sorted(amount_of.values()) == amounts

    same = member.claim_input(member.receipt(second), 1990)
    racers = [first if n % 2 == 0 else second for n in range(20)]
    raced = member.submit_all([(g, dict(same)) for g in racers])
    assert [a["errors"] for a in raced] == [[]] * len(racers), raced
    assert len({a["claim"]["id"] for a in raced}) == 1, raced
    assert len({a["claim"]["reference"] for a in raced}) == 1, raced
    amount_of[raced[0]["claim"]["reference"]] = 1990

    claims = scene.wait_for(
        f"all {len(amount_of)} claims PAID",
        BACKLOG_SECONDS,
        lambda: when_all_paid(member, first, set(amount_of)),
    )
    assert set(claims) == set(amount_of), claims
    for reference_number, amount in amount_of.items():
        assert_paid_by_the_rules(claims[reference_number], amount)

    rows = scene.claim_rows()
    assert set(rows) == set(amount_of), rows
    assert [r["idempotency_key"] for r in rows.values()].count(same["idempotencyKey"]) == 1
    for row in rows.values():
        # Leased once between the two workers: neither sent a claim the other was sending.
        assert row["attempts"] == 1, f"{row}\n{scene.logs()}"
        assert row["delivered_at"] is not None, row
    assert_taken_once_each(scene, {row["public_id"] for row in rows.values()})
    # What the two processes sent, together: each claim once, none failed.
    attempts = [scene.deliveries(g) for g in (first, second)]
    assert sum(a.get("delivered", 0) for a in attempts) == len(amount_of), attempts
    assert sum(a.get("failed", 0) for a in attempts) == 0, attempts


def test_a_gateway_killed_after_the_commit_delivers_the_claim_after_restart(
    scene: Scene,
) -> None:
    """A claim committed while the claims system is down, then the gateway killed (SIGKILL,
    no shutdown): the claim is in the database, undelivered. A new gateway process on the
    same database finds it in the outbox and delivers it once the claims system is up;
    the member's session survives, and reads PAID."""
    replacement_port = free_port()
    replacement_url = f"http://127.0.0.1:{replacement_port}"
    doomed = scene.gateway("gateway-killed")
    member = Member(scene, doomed)
    made = member.submit(doomed, member.claim_input(member.receipt(doomed), 9500))
    assert made["errors"] == [], made
    claim_id, reference_number = made["claim"]["id"], made["claim"]["reference"]

    # Killed between two attempts: its failed try released the lease (a process killed
    # while holding one would delay the claim until the lease runs out, by design).
    scene.wait_for(
        "a failed delivery attempt, its lease released",
        15,
        lambda: failed_and_released(scene.claim_rows()[reference_number]),
    )
    doomed.process.kill()
    doomed.process.wait(timeout=10)
    row = scene.claim_rows()[reference_number]
    assert row["status"] == "SUBMITTED" and row["delivered_at"] is None, row
    assert scene.taken() == []

    scene.claims_system(replacement_url, delay=0.5)
    replacement = scene.gateway("gateway-restarted", replacement_port)
    paid = scene.wait_for(
        "the claim PAID after the restart",
        BACKLOG_SECONDS,
        lambda: when_paid(member, replacement, claim_id),
    )
    assert_paid_by_the_rules(paid, 9500)
    row = scene.claim_rows()[reference_number]
    assert row["received_at"] is not None and row["delivered_at"] is not None, row
    assert scene.taken() == [row["public_id"]], scene.logs()
    assert scene.deliveries(replacement).get("delivered") == 1
