"""The `gateway` command as an operator runs it, in a subprocess."""

from __future__ import annotations

import itertools
import os
import re
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from store.db import migration_names
from tests.support import DEMO_REGISTRY, GATEWAY_COMMAND, REPO, free_port, wait_until_ready


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


COMMANDS = [
    ["serve"],
    ["migrate"],
    ["check"],
    ["registry", "import"],
    ["agreement", "publish"],
    ["apikey", "create"],
    ["apikey", "list"],
    ["apikey", "revoke"],
    ["demo", "reset"],
    ["worker"],
    ["claims-system", "serve"],
    ["export-schema"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_explains_itself_and_its_options(command: list[str]):
    """Issue 17: a description for each command and option, defaults shown."""
    result = gateway(*command, "--help", database_url="sqlite://unused.sqlite3")
    assert result.returncode == 0
    usage, _, rest = result.stdout.partition("\n\n")
    assert usage.startswith(f"usage: gateway {' '.join(command)}")
    description = rest.partition("\n\n")[0]
    assert len(description.split()) >= 5, result.stdout
    options = [line for line in result.stdout.splitlines() if line.startswith("  -")]
    assert options[0].startswith("  -h, --help")
    for line, following in itertools.pairwise([*result.stdout.splitlines(), ""]):
        alone = line.startswith("  -") and "  " not in line.strip()
        if alone and not following.startswith(" " * 10):
            pytest.fail(f"an option without help: {line}")
    if command == ["serve"]:
        assert "(default: 8000)" in result.stdout and "(default: 127.0.0.1)" in result.stdout


@pytest.mark.parametrize(
    "group", [[], ["registry"], ["apikey"], ["agreement"], ["demo"], ["claims-system"]]
)
def test_a_bare_command_group_prints_its_help(group: list[str]):
    result = gateway(*group, database_url="sqlite://unused.sqlite3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: gateway {' '.join(group)}".rstrip())
    assert "COMMAND" in result.stdout


def test_version():
    result = gateway("--version", database_url="sqlite://unused.sqlite3")
    assert result.returncode == 0
    assert result.stdout.strip() == "gateway 0.1.0"


def test_check_names_each_problem_on_its_own_line(tmp_path: Path):
    url = f"sqlite://{tmp_path / 'gw.sqlite3'}"
    empty = gateway("check", database_url=url)
    assert empty.returncode == 1
    assert "settings: valid" in empty.stdout
    shipped = migration_names()
    assert shipped[:3] == ["0001_initial", "0002_api_keys", "0003_ledger"]
    assert f"migrations: {len(shipped)} not applied ({', '.join(shipped)}); run " in empty.stdout

    assert gateway("migrate", database_url=url).returncode == 0
    unloaded = gateway("check", database_url=url)
    assert unloaded.returncode == 1
    assert f"migrations: all {len(shipped)} applied" in unloaded.stdout
    assert "usage agreement: version 1 in force" in unloaded.stdout
    assert "registry: no member loaded" in unloaded.stdout
    assert "run `gateway registry import FILE`" in unloaded.stdout

    assert gateway("registry", "import", str(DEMO_REGISTRY), database_url=url).returncode == 0
    ready = gateway("check", database_url=url)
    assert ready.returncode == 0, ready.stdout
    assert "registry: 46 certificate(s) loaded" in ready.stdout


def test_check_says_when_a_setting_or_the_database_is_wrong():
    bad_setting = gateway("check", database_url="sqlite://x", GATEWAY_LOCKOUT_THRESHOLD="many")
    assert bad_setting.returncode == 1
    assert bad_setting.stdout.startswith("settings: ") and "GATEWAY_LOCKOUT_THRESHOLD" in (
        bad_setting.stdout
    )
    nowhere = gateway(
        "check",
        database_url="postgres://postgres@127.0.0.1:1/none",
        GATEWAY_DATABASE_CONNECT_SECONDS="2",
    )
    assert nowhere.returncode == 1
    assert "database: cannot reach it: " in nowhere.stdout
    assert "Traceback" not in nowhere.stdout + nowhere.stderr


def test_demo_reset_starts_afresh_and_refuses_beside_a_server(tmp_path: Path):
    url = f"sqlite://{tmp_path / 'demo.sqlite3'}"
    assert gateway("migrate", database_url=url).returncode == 0
    assert (
        gateway("apikey", "create", "--role", "staff", "--name", "x", database_url=url).returncode
        == 0
    )
    reset = gateway("demo", "reset", database_url=url)
    assert reset.returncode == 0, reset.stderr
    assert "demo data reset" in reset.stdout
    assert gateway("apikey", "list", database_url=url).stdout.strip() == "no API keys"
    assert gateway("check", database_url=url).returncode == 0

    refused = gateway("demo", "reset", database_url="postgres://postgres@127.0.0.1:5432/x")
    assert refused.returncode == 1 and "SQLite demo" in refused.stderr

    port = free_port()
    server = subprocess.Popen(
        [*GATEWAY_COMMAND, "serve", "--no-migrate", f"--port={port}", "--banner"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "GATEWAY_DATABASE_URL": url},
        cwd=REPO,
    )
    try:
        assert server.stdout is not None
        banner = "".join(server.stdout.readline() for _ in range(12))
        busy = gateway("demo", "reset", database_url=url)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    assert busy.returncode == 1 and "a gateway is serving this database" in busy.stderr
    assert f"web client   http://127.0.0.1:{port}/" in banner
    assert f"GraphiQL     http://127.0.0.1:{port}/graphql" in banner
    assert f"http://127.0.0.1:{port}/readyz" in banner
    assert "Geneviève Côté, born 1986-04-19: G81234/0004417, G55007/7710, RC3090/0004417" in banner


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


@pytest.mark.parametrize(
    ("log_format", "looks_like"),
    [
        (
            "json",
            r'^\{"time":"[^"]+","level":"info","logger":"gateway.request","message":"request"',
        ),
        (
            "text",
            r"^\d\d:\d\d:\d\d info +request requestId=\w+ method=GET path=/healthz status=200",
        ),
    ],
)
def test_logs_read_as_the_setting_says(tmp_path: Path, log_format: str, looks_like: str):
    url = f"sqlite://{tmp_path / 'gw.sqlite3'}"
    port = free_port()
    server = subprocess.Popen(
        [*GATEWAY_COMMAND, "serve", f"--port={port}"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "GATEWAY_DATABASE_URL": url, "GATEWAY_LOG_FORMAT": log_format},
        cwd=REPO,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", server, tmp_path / "none.log")
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).close()
    finally:
        server.send_signal(signal.SIGINT)
        _, logs = server.communicate(timeout=60)
    assert re.search(looks_like, logs, re.MULTILINE), logs
