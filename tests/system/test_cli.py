"""The `gateway` command as an operator runs it, in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from tests.support import DEMO_REGISTRY, GATEWAY_COMMAND, REPO


def gateway(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "GATEWAY_DATABASE_URL": database_url, **env}
    return subprocess.run(
        [*GATEWAY_COMMAND, *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_published_schema_matches_the_code():
    """R16: schema.graphql is what the code exports; regenerate with `make schema`."""
    result = gateway("export-schema", database_url="sqlite://unused.sqlite3")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (REPO / "schema.graphql").read_text(encoding="utf-8")


def test_migrate_and_import_twice(database_url: str):
    first = gateway("migrate", database_url=database_url)
    assert first.returncode == 0, first.stderr
    assert "published the default usage agreement, version 1" in first.stdout
    second = gateway("migrate", database_url=database_url)
    assert second.returncode == 0, second.stderr
    assert "published" not in second.stdout

    created = gateway("registry", "import", str(DEMO_REGISTRY), database_url=database_url)
    assert created.returncode == 0, created.stderr
    updated = gateway("registry", "import", str(DEMO_REGISTRY), database_url=database_url)
    assert updated.returncode == 0, updated.stderr
    assert "0 created" in updated.stdout
    assert "created" in created.stdout and created.stdout != updated.stdout


def test_a_bad_registry_imports_nothing_and_names_each_record(
    sqlite_database_url: str, tmp_path: Path
):
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"contracts": [{"number": "X1", "productLine": "CAR", "sponsorName": "S",'
        ' "planName": "P", "onlineFeatures": [], "certificates": [{"number": "1",'
        ' "firstName": "A", "lastName": "B", "dateOfBirth": "1980-02-30", "status": "ACTIVE",'
        ' "effectiveDate": "2020-01-01", "coverages": []}]}]}',
        encoding="utf-8",
    )
    result = gateway("registry", "import", str(bad), database_url=sqlite_database_url)
    assert result.returncode != 0
    assert "contracts[0].productLine" in result.stderr
    assert "contracts[0].certificates[0].dateOfBirth" in result.stderr
    assert "Traceback" not in result.stderr


def test_agreement_publish_makes_a_new_version(sqlite_database_url: str, tmp_path: Path):
    (tmp_path / "fr.md").write_text("Texte", encoding="utf-8")
    (tmp_path / "en.md").write_text("Text", encoding="utf-8")
    args = ["agreement", "publish", "--version", "2", "--title-fr", "Convention"]
    args += ["--title-en", "Agreement", "--body-fr", str(tmp_path / "fr.md")]
    args += ["--body-en", str(tmp_path / "en.md")]
    published = gateway(*args, database_url=sqlite_database_url)
    assert published.returncode == 0, published.stderr
    assert "version 2" in published.stdout
    again = gateway(*args, database_url=sqlite_database_url)
    assert again.returncode == 1
    assert "already published" in again.stderr and "Traceback" not in again.stderr
    missing = gateway(*args[:-1], str(tmp_path / "nope.md"), database_url=sqlite_database_url)
    assert missing.returncode == 1 and "--body-en" in missing.stderr


def test_a_wrong_setting_stops_with_one_line_naming_it():
    result = gateway("migrate", database_url="mysql://nope")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "GATEWAY_DATABASE_URL" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["migrate"],
        ["registry", "import"],
        ["agreement", "publish"],
        ["export-schema"],
    ],
)
def test_every_command_has_help(command: list[str]):
    result = gateway(*command, "--help", database_url="sqlite://unused.sqlite3")
    assert result.returncode == 0
    assert "usage: gateway" in result.stdout


def test_serving_several_workers_warns_when_each_counts_attempts_alone(tmp_path: Path):
    """Each worker's memory holds its own per-address count; Redis shares one."""
    environment = {
        **os.environ,
        "GATEWAY_DATABASE_URL": f"sqlite://{tmp_path / 'gw.sqlite3'}",
        "GATEWAY_RATE_LIMIT_STORAGE": "memory://",
    }
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*GATEWAY_COMMAND, "serve", "--no-migrate", f"--port={port}", "--workers=2"],
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=REPO,
    )
    try:
        assert server.stderr is not None
        first_line = server.stderr.readline()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    assert "each of the 2 workers counts credential attempts on its own" in first_line
    assert "GATEWAY_RATE_LIMIT_STORAGE=redis://" in first_line
