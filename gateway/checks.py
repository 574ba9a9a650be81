"""What `gateway check` verifies before an operator lets traffic in: each finding is one line
that names the problem and the command that fixes it, so a failed deployment is read, not
debugged."""

from __future__ import annotations

from dataclasses import dataclass

from store import agreements, db, registry


@dataclass(frozen=True)
class Finding:
    ok: bool
    line: str


async def database_findings() -> list[Finding]:
    """Run against an open database; the settings and the connection are checked by the caller,
    since without them there is nothing to ask."""
    pending = await db.pending_migrations()
    if pending:
        return [
            Finding(
                False,
                f"migrations: {len(pending)} not applied ({', '.join(pending)}); "
                "run `gateway migrate`",
            )
        ]
    findings = [Finding(True, f"migrations: all {len(db.migration_names())} applied")]
    agreement = await agreements.current()
    if agreement is None:
        findings.append(
            Finding(
                False,
                "usage agreement: none published, so no member can finish signing in (R12); "
                "run `gateway migrate` or `gateway agreement publish`",
            )
        )
    else:
        findings.append(Finding(True, f"usage agreement: version {agreement.version} in force"))
    members = await registry.certificate_count()
    if members == 0:
        findings.append(
            Finding(
                False,
                "registry: no member loaded, so nobody can register (R1); "
                "run `gateway registry import FILE`",
            )
        )
    else:
        findings.append(Finding(True, f"registry: {members} certificate(s) loaded"))
    return findings
