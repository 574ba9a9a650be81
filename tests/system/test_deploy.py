"""The deployment files of docs/OPERATIONS.md, as an operator would apply them (issue 17): the
Kubernetes manifests against the API's schemas, and the PostgreSQL roles by serving through
the least-privileged one."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import kubernetes_validate
import pytest
import yaml

from tests.support import (
    DEMO_REGISTRY,
    GATEWAY_COMMAND,
    REPO,
    admin,
    asyncpg_url,
    free_port,
    postgres_server_url,
    wait_until_ready,
    with_database,
)

KUBERNETES = REPO / "deploy" / "kubernetes"
MANIFESTS = sorted(KUBERNETES.glob("*.yaml"))


def documents() -> list[dict[str, Any]]:
    return [
        document
        for path in MANIFESTS
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document
    ]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_every_manifest_is_valid_for_kubernetes(path: Path) -> None:
    for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        kubernetes_validate.validate(document, kubernetes_validate.latest_version(), strict=True)


def test_the_manifests_wire_probes_migrations_and_settings_together() -> None:
    by_kind = {document["kind"]: document for document in documents()}
    assert {"Deployment", "Service", "Job", "Secret", "ConfigMap", "PodDisruptionBudget"} <= set(
        by_kind
    )
    pod = by_kind["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert "--no-migrate" in container["args"]  # the Job migrates, once, before the rollout
    # Longer than GATEWAY_REQUEST_SECONDS, so SIGTERM lets requests in flight finish.
    assert pod["terminationGracePeriodSeconds"] > 15
    secret = by_kind["Secret"]["stringData"]
    assert secret["GATEWAY_DATABASE_URL"].startswith("postgres://gateway_app:")
    assert secret["MIGRATION_DATABASE_URL"].startswith("postgres://gateway_owner:")
    assert secret["GATEWAY_RATE_LIMIT_STORAGE"].startswith("redis://:")  # with a password
    job = by_kind["Job"]["spec"]["template"]["spec"]["containers"][0]
    assert "MIGRATION_DATABASE_URL" in " ".join(job["args"]) and "gateway check" in job["args"][0]
    names = {ref[key]["name"] for ref in container["envFrom"] for key in ref}
    assert names == {
        by_kind["Secret"]["metadata"]["name"],
        by_kind["ConfigMap"]["metadata"]["name"],
    }


@pytest.fixture
def least_privilege() -> Iterator[tuple[str, str]]:
    """A fresh database set up by deploy/postgres/roles.sql (roles renamed to be this test's
    own): the owner's URL and the serving role's."""
    server = postgres_server_url()
    if server is None:
        pytest.skip("no PostgreSQL server answers (set GATEWAY_TEST_POSTGRES_URL)")
    suffix = uuid.uuid4().hex[:8]
    database, owner, app = f"gw_roles_{suffix}", f"gw_owner_{suffix}", f"gw_app_{suffix}"
    script = (
        (REPO / "deploy" / "postgres" / "roles.sql")
        .read_text(encoding="utf-8")
        .replace("gateway_owner", owner)
        .replace("gateway_app", app)
    )
    asyncio.run(admin(server, f'CREATE DATABASE "{database}"'))

    async def run_script() -> None:
        conn = await asyncpg.connect(asyncpg_url(with_database(server, database)))
        try:
            await conn.execute(script)
        finally:
            await conn.close()

    try:
        asyncio.run(run_script())
        host = server.split("@", 1)[1].split("/", 1)[0]
        yield (
            f"postgres://{owner}:change-me-owner@{host}/{database}",
            f"postgres://{app}:change-me-app@{host}/{database}",
        )
    finally:
        asyncio.run(
            admin(
                server,
                f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
                f'DROP ROLE IF EXISTS "{app}"',
                f'DROP ROLE IF EXISTS "{owner}"',
            )
        )


def _gateway(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GATEWAY_COMMAND, *args],
        env={**os.environ, "GATEWAY_DATABASE_URL": url},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


REGISTER = """mutation { register(input: {contractNumber: "G81234", certificateNumber: "0004418",
  dateOfBirth: "1979-11-02", userCode: "SamOuellet", password: "Epinette!2031",
  passwordConfirmation: "Epinette!2031", passwordHint: "le lac", mothersFirstName: "Lise",
  channel: MOBILE}) { userCode errors { code } } }"""
SIGN_IN = """mutation { signIn(input: {userCode: "SamOuellet", password: "Epinette!2031",
  channel: MOBILE}) { token session { status } errors { code } } }"""


def test_the_gateway_serves_through_a_role_that_cannot_change_the_schema(
    least_privilege: tuple[str, str], tmp_path: Path
) -> None:
    owner_url, app_url = least_privilege
    migrated = _gateway(owner_url, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert _gateway(app_url, "migrate").returncode != 0  # no CREATE on the schema
    imported = _gateway(app_url, "registry", "import", str(DEMO_REGISTRY))
    assert imported.returncode == 0, imported.stderr
    checked = _gateway(app_url, "check")
    assert checked.returncode == 0, checked.stdout

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [*GATEWAY_COMMAND, "serve", "--no-migrate", "--port", str(port)],
            env={
                **os.environ,
                "GATEWAY_DATABASE_URL": app_url,
                "GATEWAY_ARGON2_MEMORY_KIB": "64",
                "GATEWAY_ARGON2_TIME_COST": "1",
            },
            cwd=REPO,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_ready(url, server, log)
        with httpx.Client(base_url=url, timeout=30) as client:
            registered = client.post("/graphql", json={"query": REGISTER}).json()
            signed_in = client.post("/graphql", json={"query": SIGN_IN}).json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert registered["data"]["register"] == {"userCode": "SamOuellet", "errors": []}
    assert signed_in["data"]["signIn"]["errors"] == []
    assert signed_in["data"]["signIn"]["token"]
