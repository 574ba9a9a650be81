"""What `gateway serve --banner` prints once the server answers: where to go and who to be.

Printed after the first successful `/healthz`, not before `uvicorn.run`, so that the URLs it
shows are known to work; the logs follow it.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

STARTUP_DEADLINE_SECONDS = 60.0
SHOWN_MEMBERS = 6  # the first, with several files each, are the README's


def demo_members(registry: Path) -> list[str]:
    """One line per demo person with the numbers of each of their files (R1 asks for the
    contract and certificate numbers and the date of birth)."""
    people: dict[tuple[str, str, str], list[str]] = {}
    for contract in json.loads(registry.read_text(encoding="utf-8"))["contracts"]:
        for certificate in contract["certificates"]:
            person = (certificate["firstName"], certificate["lastName"], certificate["dateOfBirth"])
            state = "" if certificate["status"] == "ACTIVE" else f" {certificate['status'].lower()}"
            people.setdefault(person, []).append(
                f"{contract['number']}/{certificate['number']}{state}"
            )
    lines = [
        f"  {first} {last}, born {born}: {', '.join(files)}"
        for (first, last, born), files in people.items()
    ]
    if len(lines) > SHOWN_MEMBERS:
        hidden = len(lines) - SHOWN_MEMBERS
        lines = [*lines[:SHOWN_MEMBERS], f"  ... and {hidden} more in gateway/demo/{registry.name}"]
    return lines


def banner(base_url: str, registry: Path | None) -> str:
    lines = [
        "",
        "The gateway is ready:",
        f"  web client   {base_url}/",
        f"  GraphiQL     {base_url}/graphql",
        f"  health       {base_url}/healthz  (alive)  {base_url}/readyz  (ready for traffic)",
        f"  metrics      {base_url}/metrics",
    ]
    if registry is not None:
        lines += ["Demo members (contract/certificate), to register with at /:"]
        lines += demo_members(registry)
    lines += ["README.md walks through every step; Ctrl-C stops the server.", ""]
    return "\n".join(lines)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (our own URL)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def print_when_ready(base_url: str, registry: Path | None) -> None:
    """Waits in a daemon thread, so a server that never answers is not held up by it."""

    def wait() -> None:
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if _answers(f"{base_url}/healthz"):
                print(banner(base_url, registry), flush=True)
                return
            time.sleep(0.2)

    threading.Thread(target=wait, name="banner", daemon=True).start()
