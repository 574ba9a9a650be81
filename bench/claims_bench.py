"""Claims benchmark (issues 18 and 20): ``submitClaim`` throughput and latency under concurrent
load, a claim with its 1 MB receipt uploaded against the ceiling of the same requests without
their writes, and how long the outbox takes to hand every claim to the claims system.

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
from datetime import UTC, date, datetime, timedelta
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
# Issue 20: a claim with its receipt (1 MB) uploaded, against the same two requests served
# without their writes (bench/claims_reference_app.py), and the outbox under that load.
FLOOR_RECEIPT_RATIO = 0.5
FLOOR_RECEIPT_DELIVERY_P99_SECONDS = 2.0
RECEIPT_BYTES = 1024 * 1024


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


def receipt_photo(size: int, seed: int) -> bytes:
    """A JPEG of about ``size`` bytes, as a phone's photo of a receipt: noise compresses
    poorly, so its pixels make up the size rather than padding."""
    import random

    generator = random.Random(seed)
    side = 600
    while True:
        pixels = bytes(generator.getrandbits(8) for _ in range(side * side * 3))
        image = Image.frombytes("RGB", (side, side), pixels)
        photo = io.BytesIO()
        image.save(photo, format="JPEG", quality=92)
        if photo.tell() >= size * 0.9:
            return photo.getvalue()
        side = int(side * (size / photo.tell()) ** 0.5) + 16


UPLOAD_OPERATIONS = json.dumps(
    {
        "query": "mutation($file: Upload!) "
        "{ uploadReceipt(file: $file) { receipt { id } errors { code } } }",
        "variables": {"file": None},
    }
)


async def with_receipts(
    url: str,
    members: list[tuple[str, str]],
    photo: bytes,
    seconds: float,
    concurrency: int,
    first_day: int,
) -> dict[str, Any]:
    """Each client in turn uploads a receipt and submits the claim that carries it, for
    ``seconds``; the rate counts pairs answered well."""
    limits = httpx.Limits(max_connections=concurrency + 4)
    pairs: list[float] = []
    failures = 0
    transport_errors: list[str] = []
    counter = iter(range(first_day, first_day + 10_000_000))
    deadline = time.monotonic() + seconds

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def worker(index: int) -> None:
            nonlocal failures
            token, patient = members[index % len(members)]
            headers = {"Authorization": f"Bearer {token}"}
            while time.monotonic() < deadline:
                n = next(counter)
                started = time.perf_counter()
                try:
                    uploaded = await client.post(
                        "/graphql",
                        data={"operations": UPLOAD_OPERATIONS, "map": '{"0": ["variables.file"]}'},
                        files={"0": ("recu.jpg", photo, "image/jpeg")},
                        headers={**headers, "GraphQL-Preflight": "1"},
                    )
                except httpx.TransportError as error:
                    failures += 1
                    transport_errors.append(type(error).__name__)
                    continue
                receipt = ((uploaded.json().get("data") or {}).get("uploadReceipt") or {}).get(
                    "receipt"
                )
                if receipt is None:
                    failures += 1
                    continue
                variables = {
                    "i": {
                        "idempotencyKey": str(uuid.uuid4()),
                        "category": "HEALTH",
                        "patientId": patient,
                        "providerName": "Clinique du banc d'essai",
                        "lines": [
                            {
                                "serviceType": "PHYSIOTHERAPY",
                                "serviceDate": (
                                    date.today() - timedelta(days=1 + n % 300)
                                ).isoformat(),
                                "amountCents": 5000 + n,
                            }
                        ],
                        "receiptIds": [receipt["id"]],
                    }
                }
                answer = await client.post("/graphql", json=gql(SUBMIT, variables), headers=headers)
                payload = (answer.json().get("data") or {}).get("submitClaim") or {}
                if payload.get("errors") != [] or not payload.get("claim"):
                    failures += 1
                    continue
                pairs.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker(index) for index in range(concurrency)))
        elapsed = time.perf_counter() - started
    pairs.sort()
    return {
        "pairs": len(pairs),
        "failures": failures,
        "transport_errors": sorted(set(transport_errors)),
        "per_second": len(pairs) / elapsed,
        "p50": statistics.median(pairs) if pairs else float("nan"),
        "p99": pairs[max(0, int(len(pairs) * 0.99) - 1)] if pairs else float("nan"),
    }


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
        "members": [(token, patient) for token, patient, _ in prepared],
        "claims": len(latencies),
        "failures": failures,
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "max": latencies[-1],
    }


async def delivery_lags(
    database_url: str, expected: int, deadline_seconds: float, since: datetime | None = None
) -> list[float]:
    """Seconds from each claim's submission to its acknowledgement, once all are delivered;
    with ``since``, of the claims submitted from then on."""
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
        pairs = [(_instant(a), _instant(b)) for a, b in done]
        return [(b - a).total_seconds() for a, b in pairs if since is None or a >= since]
    connection = await asyncpg.connect("postgresql://" + database_url.split("://", 1)[1])
    try:
        deadline = time.monotonic() + deadline_seconds
        while True:
            rows = await connection.fetch("SELECT submitted_at, received_at FROM claim")
            acknowledged = [r for r in rows if r["received_at"] is not None]
            if len(acknowledged) >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        return [
            (r["received_at"] - r["submitted_at"]).total_seconds()
            for r in acknowledged
            if since is None or r["submitted_at"] >= since
        ]
    finally:
        await connection.close()


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def wait_for_port(port: int, deadline_seconds: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {deadline_seconds} s")


def reference_rate(photo: bytes, seconds: float, concurrency: int, folder: Path) -> float:
    """Pairs per second of bench/claims_reference_app.py, served as the gateway is."""
    port = free_port()
    reference = Server(
        "reference",
        [sys.executable, str(REPO / "bench" / "claims_reference_app.py"), "--port", str(port)],
        env=dict(os.environ),
        port=port,
        workers=1,
        log_path=folder / "claims-reference.log",
        ready_path="/ready",
    )
    with running(reference):
        members = [("none", "patient")]
        asyncio.run(with_receipts(reference.base_url, members, photo, 2, concurrency, 0))
        return float(
            asyncio.run(with_receipts(reference.base_url, members, photo, seconds, concurrency, 0))[
                "per_second"
            ]
        )


def run(
    database_url: str,
    claims: int,
    concurrency: int,
    folder: Path,
    receipt_seconds: float,
    receipt_concurrency: int,
) -> dict[str, Any]:
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
            photo = receipt_photo(RECEIPT_BYTES, 2026)
            members = result.pop("members")
            limit_before = reference_rate(photo, receipt_seconds, receipt_concurrency, folder)
            paired_started = datetime.now(UTC)
            paired = asyncio.run(
                with_receipts(
                    server.base_url,
                    members,
                    photo,
                    receipt_seconds,
                    receipt_concurrency,
                    first_day=100_000,
                )
            )
            limit_after = reference_rate(photo, receipt_seconds, receipt_concurrency, folder)
            expected = result["claims"] + paired["pairs"]
            receipt_lags = asyncio.run(
                delivery_lags(database_url, expected, 120, since=paired_started)
            )
    finally:
        claims_system.terminate()
        claims_system.wait(timeout=20)
    receipt_lags.sort()
    limit = (limit_before + limit_after) / 2
    result["receipt"] = {
        **paired,
        "limit": limit,
        "ratio": paired["per_second"] / limit if limit else float("nan"),
        "delivered": len(receipt_lags),
        "delivery_p99": (
            receipt_lags[max(0, int(len(receipt_lags) * 0.99) - 1)]
            if receipt_lags
            else float("nan")
        ),
    }
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
        (
            "1 MB receipt + submitClaim / ceiling without writes",
            result["receipt"]["ratio"],
            FLOOR_RECEIPT_RATIO,
            ">=",
        ),
        (
            "delivery lag p99 under that load (s)",
            result["receipt"]["delivery_p99"],
            FLOOR_RECEIPT_DELIVERY_P99_SECONDS,
            "<=",
        ),
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
    receipt = result["receipt"]
    lines.append(
        f"| receipt + claim pairs per second: gateway / ceiling | {receipt['per_second']:.2f} / "
        f"{receipt['limit']:.2f} | | |"
    )
    lines.append(
        f"| receipt + claim pair p50 / p99 (s) | {receipt['p50']:.3f} / {receipt['p99']:.3f} | | |"
    )
    dropped = ", ".join(receipt["transport_errors"]) or "none"
    lines.append(
        f"| receipt load: pairs, refused, delivered; connections dropped | {receipt['pairs']}, "
        f"{receipt['failures']}, {receipt['delivered']}; {dropped} | | |"
    )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument("--receipt-seconds", type=float, default=15.0)
    parser.add_argument("--receipt-concurrency", type=int, default=8)
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results-claims.md")
    options = parser.parse_args()
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        sqlite = f"sqlite://{folder / 'claims.sqlite3'}"
        receipts = (options.receipt_seconds, options.receipt_concurrency)
        lines += report(
            "SQLite", run(sqlite, options.claims, options.concurrency, folder, *receipts)
        )
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
                result = run(url, options.claims, options.concurrency, folder, *receipts)
                lines += ["", *report("PostgreSQL", result)]
            finally:
                asyncio.run(create(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    header = [
        "# Claims benchmark results",
        "",
        f"`make bench-claims` on {date.today().isoformat()}, {_commit()}, "
        f"{os.cpu_count()} CPUs; {options.claims} claims from {options.concurrency} clients, "
        f"then {options.receipt_seconds:.0f} s of 1 MB receipts with their claims from "
        f"{options.receipt_concurrency} clients (bench/README.md).",
        "",
    ]
    options.output.write_text("\n".join([*header, *lines, ""]), encoding="utf-8")
    print("\n".join(lines))
    return 0


def _commit() -> str:
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True
    )
    return f"commit {described.stdout.strip() or 'unknown'}"


if __name__ == "__main__":
    sys.exit(main())
