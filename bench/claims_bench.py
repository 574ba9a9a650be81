"""Claims benchmark (issue 18): ``submitClaim`` throughput and latency under concurrent load,
and how long the outbox takes to hand every claim to the claims system.

One gateway process delivering over HTTP to the reference claims system in its own process
(``gateway claims-system serve``), as a deployment delivers to the insurer's: the lag is from
the claim's commit to the claims system's 2xx, while the claims keep coming. Receipts are
uploaded before the clock starts: a claim needs its own, and the upload (image decoding) is
not what is measured here. Each member
submits distinct care (amount and date), so no claim is a duplicate.

    .venv/bin/python bench/claims_bench.py [--claims 600] [--concurrency 24] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import Server, free_port, running

REPO = Path(__file__).resolve().parent.parent
GATEWAY = [sys.executable, "-m", "gateway"]
# Four members of plans with health claims and their history (demo registry).
MEMBERS = [
    ("G20418", "120301", "1976-07-11"),
    ("G20418", "120308", "1966-03-23"),
    ("G20418", "120315", "1980-10-04"),
    ("G81234", "0004418", "1979-11-02"),
]
PASSWORD = "Epinette!2031-bench"  # noqa: S105 (the bench members' own, on a scratch database)
# Floors, for one gateway process on this machine's class of hardware (bench/README.md):
# a claim is a handful of statements in one transaction, so it should sustain well over the
# rate at which an insurer's members send claims at peak (tens per second); and the outbox,
# once the load stops, should hand over the last claim within seconds, not minutes.
FLOOR_CLAIMS_PER_SECOND = 40.0
FLOOR_P95_SECONDS = 1.0
FLOOR_DELIVERY_P95_SECONDS = 5.0


def gql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"query": query, "variables": variables or {}}


async def prepare_member(
    client: httpx.AsyncClient, index: int, member: tuple[str, str, str], receipts: int
) -> tuple[str, str, list[str]]:
    contract, certificate, born = member
    code = f"Bench{index}{uuid.uuid4().hex[:6]}"
    registered = await client.post(
        "/graphql",
        json=gql(
            """mutation($i: RegisterInput!) { register(input: $i) { userCode errors { code } } }""",
            {
                "i": {
                    "contractNumber": contract,
                    "certificateNumber": certificate,
                    "dateOfBirth": born,
                    "userCode": code,
                    "password": PASSWORD,
                    "passwordConfirmation": PASSWORD,
                    "passwordHint": "le lac",
                    "mothersFirstName": "Lise",
                    "channel": "MOBILE",
                }
            },
        ),
    )
    assert registered.json()["data"]["register"]["errors"] == [], registered.text
    signed = await client.post(
        "/graphql",
        json=gql(
            """mutation($i: SignInInput!) { signIn(input: $i) { token errors { code } } }""",
            {"i": {"userCode": code, "password": PASSWORD, "channel": "MOBILE"}},
        ),
    )
    token = signed.json()["data"]["signIn"]["token"]
    headers = {"Authorization": f"Bearer {token}"}
    version = (await client.post("/graphql", json=gql("{ usageAgreement { version } }"))).json()
    accept = """mutation($v: String!) { acceptUsageAgreement(version: $v) { errors { code } } }"""
    await client.post(
        "/graphql",
        json=gql(accept, {"v": version["data"]["usageAgreement"]["version"]}),
        headers=headers,
    )
    people = await client.post(
        "/graphql", json=gql("{ viewer { insuredPersons { id } } }"), headers=headers
    )
    patient = people.json()["data"]["viewer"]["insuredPersons"][0]["id"]
    photo = io.BytesIO()
    Image.new("RGB", (32, 24), (index * 40, 90, 120)).save(photo, format="PNG")
    operations = json.dumps(
        {
            "query": "mutation($file: Upload!) "
            "{ uploadReceipt(file: $file) { receipt { id } errors { code } } }",
            "variables": {"file": None},
        }
    )
    ids = []
    for _ in range(receipts):
        answer = await client.post(
            "/graphql",
            data={"operations": operations, "map": '{"0": ["variables.file"]}'},
            files={"0": ("r.png", photo.getvalue(), "image/png")},
            headers={**headers, "Apollo-Require-Preflight": "true"},
        )
        ids.append(answer.json()["data"]["uploadReceipt"]["receipt"]["id"])
    return token, patient, ids


SUBMIT = """mutation($i: SubmitClaimInput!) {
  submitClaim(input: $i) { claim { id status } errors { code } } }"""


async def load(url: str, claims: int, concurrency: int) -> dict[str, Any]:
    per_member = -(-claims // len(MEMBERS))
    limits = httpx.Limits(max_connections=concurrency + 4)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        prepared = [
            await prepare_member(client, n, member, per_member) for n, member in enumerate(MEMBERS)
        ]
        work: asyncio.Queue[tuple[str, str, str, int]] = asyncio.Queue()
        for n in range(per_member):
            for token, patient, receipts in prepared:
                work.put_nowait((token, patient, receipts[n], n))
        latencies: list[float] = []
        failures = 0

        async def worker() -> None:
            nonlocal failures
            while not work.empty():
                token, patient, receipt, n = work.get_nowait()
                day = date.today() - timedelta(days=1 + n % 300)
                variables = {
                    "i": {
                        "idempotencyKey": str(uuid.uuid4()),
                        "category": "HEALTH",
                        "patientId": patient,
                        "providerName": "Clinique du banc d'essai",
                        "lines": [
                            {
                                "serviceType": "PHYSIOTHERAPY",
                                "serviceDate": day.isoformat(),
                                "amountCents": 1000 + n,
                            }
                        ],
                        "receiptIds": [receipt],
                    }
                }
                started = time.perf_counter()
                answer = await client.post(
                    "/graphql",
                    json=gql(SUBMIT, variables),
                    headers={"Authorization": f"Bearer {token}"},
                )
                latencies.append(time.perf_counter() - started)
                payload = answer.json().get("data", {}).get("submitClaim") or {}
                if payload.get("errors") != [] or not payload.get("claim"):
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "claims": len(latencies),
        "failures": failures,
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "max": latencies[-1],
    }


async def delivery_lags(database_url: str, expected: int, deadline_seconds: float) -> list[float]:
    """Seconds from each claim's submission to its acknowledgement, once all are delivered."""
    if database_url.startswith("sqlite://"):
        import sqlite3

        path = database_url[len("sqlite://") :].partition("?")[0]
        query = "SELECT submitted_at, received_at FROM claim"
        deadline = time.monotonic() + deadline_seconds
        while True:
            with sqlite3.connect(path) as connection:
                rows = connection.execute(query).fetchall()
            done = [(a, b) for a, b in rows if b is not None]
            if len(done) >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        from datetime import datetime

        return [
            (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() for a, b in done
        ]
    connection = await asyncpg.connect("postgresql://" + database_url.split("://", 1)[1])
    try:
        deadline = time.monotonic() + deadline_seconds
        while True:
            rows = await connection.fetch("SELECT submitted_at, received_at FROM claim")
            done = [r for r in rows if r["received_at"] is not None]
            if len(done) >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        return [(r["received_at"] - r["submitted_at"]).total_seconds() for r in done]
    finally:
        await connection.close()


def wait_for_port(port: int, deadline_seconds: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {deadline_seconds} s")


def run(database_url: str, claims: int, concurrency: int, folder: Path) -> dict[str, Any]:
    claims_port = free_port()
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_CLAIMS_SYSTEM": "http",
        "GATEWAY_CLAIMS_SYSTEM_URL": f"http://127.0.0.1:{claims_port}",
        "GATEWAY_CLAIMS_SYSTEM_SECRET": "bench-claims-secret-" + uuid.uuid4().hex,
        "GATEWAY_RATE_LIMIT_PER_IP": "100000/minute",
        "GATEWAY_MAX_PENDING_RECEIPTS": "100000",
        "GATEWAY_COOKIE_SECURE": "false",
    }
    for step in (["migrate"], ["registry", "import", str(REPO / "gateway/demo/registry.json")]):
        subprocess.run([*GATEWAY, *step], env=env, cwd=REPO, check=True, capture_output=True)
    port = free_port()
    server = Server(
        "gateway",
        [*GATEWAY, "serve", "--no-migrate", "--port", str(port)],
        env=env,
        port=port,
        workers=1,
        log_path=folder / "gateway.log",
        ready_path="/readyz",
    )
    claims_system = subprocess.Popen(
        [
            *GATEWAY,
            "claims-system",
            "serve",
            "--port",
            str(claims_port),
            "--gateway-url",
            f"http://127.0.0.1:{port}",
            "--delay",
            "0.5",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "claims-system.log").open("wb"),
    )
    try:
        wait_for_port(claims_port)
        with running(server):
            result = asyncio.run(load(server.base_url, claims, concurrency))
            lags = asyncio.run(delivery_lags(database_url, result["claims"], 120))
    finally:
        claims_system.terminate()
        claims_system.wait(timeout=20)
    lags.sort()
    result["delivered"] = len(lags)
    result["delivery_p50"] = statistics.median(lags) if lags else float("nan")
    result["delivery_p95"] = lags[int(len(lags) * 0.95) - 1] if lags else float("nan")
    result["delivery_max"] = lags[-1] if lags else float("nan")
    return result


def report(name: str, result: dict[str, Any]) -> list[str]:
    floors = [
        ("submitClaim per second", result["per_second"], FLOOR_CLAIMS_PER_SECOND, ">="),
        ("submitClaim p95 (s)", result["p95"], FLOOR_P95_SECONDS, "<="),
        ("delivery lag p95 (s)", result["delivery_p95"], FLOOR_DELIVERY_P95_SECONDS, "<="),
    ]
    lines = [
        f"### {name}",
        "",
        f"{result['claims']} claims at once from {len(MEMBERS)} members, "
        f"{result['failures']} refused; {result['delivered']} delivered.",
        "",
        "| measure | value | floor | holds |",
        "| --- | --- | --- | --- |",
    ]
    for label, value, floor, sense in floors:
        held = value >= floor if sense == ">=" else value <= floor
        lines.append(f"| {label} | {value:.3f} | {sense} {floor} | {'yes' if held else 'NO'} |")
    lines.append(f"| submitClaim p50 / max (s) | {result['p50']:.3f} / {result['max']:.3f} | | |")
    lines.append(
        f"| delivery lag p50 / max (s) | {result['delivery_p50']:.3f} / "
        f"{result['delivery_max']:.3f} | | |"
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    options = parser.parse_args()
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        sqlite = f"sqlite://{folder / 'claims.sqlite3'}"
        lines += report("SQLite", run(sqlite, options.claims, options.concurrency, folder))
        if options.postgres:
            name = f"gw_claims_bench_{uuid.uuid4().hex[:8]}"
            admin = "postgresql://" + options.postgres.split("://", 1)[1]

            async def create(statement: str) -> None:
                connection = await asyncpg.connect(admin)
                try:
                    await connection.execute(statement)
                finally:
                    await connection.close()

            asyncio.run(create(f'CREATE DATABASE "{name}"'))
            try:
                url = options.postgres.rsplit("/", 1)[0] + f"/{name}"
                result = run(url, options.claims, options.concurrency, folder)
                lines += ["", *report("PostgreSQL", result)]
            finally:
                asyncio.run(create(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
