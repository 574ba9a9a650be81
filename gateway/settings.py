"""Every ``GATEWAY_*`` variable, parsed and checked once into one frozen object.

Every layer is built with this object, so it sits with the rules at the bottom of the imports;
the shell reads the environment with ``load_settings`` and checks what only it understands
(the persisted-query safelist's content: ``server/settings.py``). A wrong value must stop the
program with one line naming the variable, so parsing raises ``SettingsError`` and the CLI
prints its message alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from store.db import DEFAULT_DATABASE_URL


class SettingsError(ValueError):
    """A GATEWAY_* variable holds a value the gateway cannot use."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    argon2_memory_kib: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    argon2_threads: int | None = None  # None: the cores, shared out among the workers
    # Percent of an event loop's CPU time that signed-in reads leave to waiting hashing work
    # (server/fair_share.py); 0 turns the sharing off.
    hashing_cpu_share: int = 75
    hashing_nice: int = 10  # the hashing threads' nice: the event loop's requests first
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    recovery_threshold: int = 5
    identity_threshold: int = 5
    attempt_window_hours: int = 24
    hint_requests_per_hour: int = 5
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    cookie_secure: bool = True
    cookie_name: str = "gateway_session"
    introspection: bool = True
    max_body_bytes: int = 100 * 1024
    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_query_characters: int = 10_000
    max_selections: int = 300
    max_directives: int = 20
    max_query_cost: int = 5000
    rate_limit_per_ip: str = "20/minute"
    rate_limit_storage: str = "memory://"
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    cors_origins: tuple[str, ...] = ()
    persisted_queries_only: bool = False
    persisted_queries_file: Path | None = None
    persisted_query_cache_size: int = 1000
    persisted_query_cache_bytes: int = 8 * 1024 * 1024
    answer_cache_size: int = 2000
    answer_cache_bytes: int = 32 * 1024 * 1024
    answer_max_bytes: int = 256 * 1024
    max_header_bytes: int = 16 * 1024
    request_read_seconds: int = 10
    keep_alive_seconds: int = 5
    max_connections: int = 1000
    request_seconds: int = 15
    database_statement_seconds: int = 5
    database_connect_seconds: int = 5
    metrics_token: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    password_pepper: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    log_level: str = "INFO"
    log_format: str = "auto"
    # Claims (R17): docs/OPERATIONS.md, Claims.
    data_key: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    receipt_store: str = "database"
    receipt_max_bytes: int = 10 * 1024 * 1024
    max_pending_receipts: int = 30
    claims_system: str = "none"
    claims_system_url: str | None = None
    claims_system_secret: str | None = field(default=None, repr=False)
    delivery_worker: bool = True
    public_url: str = "http://127.0.0.1:8000"
    # Retention (issue 20): gateway/retention.py.
    audit_retention_days: int = 400
    clean_up_minutes: int = 10
    # The web client's brand and contact details: neutral until the operator sets them.
    brand_name: str = "Assurance collective"
    brand_logo: str | None = None
    contact_phone: str = "1 800 555-0100"
    contact_email: str = "aide@example.org"


def _positive_int(variable: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(variable, f"expected a whole number, got {raw!r}") from None
    if value < 1:
        raise SettingsError(variable, f"expected a number of at least 1, got {value}")
    return value


def _whole_number(variable: str, raw: str) -> int:
    """Like ``_positive_int``, with 0 allowed: a size of 0 turns a cache off."""
    if raw.strip() == "0":
        return 0
    return _positive_int(variable, raw)


def _percentage(variable: str, raw: str) -> int:
    """0 to 90: a share of 100 would stop the reads it shares with."""
    value = _whole_number(variable, raw)
    if value > 90:
        raise SettingsError(variable, f"expected a percentage from 0 to 90, got {value}")
    return value


def _nice(variable: str, raw: str) -> int:
    """0 to 19: an unprivileged process may lower its threads' priority, never raise it."""
    value = _whole_number(variable, raw)
    if value > 19:
        raise SettingsError(variable, f"expected a nice value from 0 to 19, got {value}")
    return value


def _boolean(variable: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(variable, f"expected true or false, got {raw!r}")


def _database_url(variable: str, raw: str) -> str:
    value = raw.strip()
    if value.startswith("sqlite://"):
        if not value[len("sqlite://") :]:
            raise SettingsError(variable, "sqlite:// needs a file path, e.g. sqlite://var/gw.db")
        return value
    parts = urlsplit(value)
    if parts.scheme in {"postgres", "postgresql", "asyncpg"}:
        if not parts.hostname or not parts.path.strip("/"):
            raise SettingsError(
                variable, "expected postgres://user@host:port/database, with a host and a database"
            )
        try:
            parts.port  # noqa: B018 - urlsplit validates the port lazily
        except ValueError:
            raise SettingsError(variable, f"the port in {value!r} is not a number") from None
        return value
    raise SettingsError(
        variable, f"expected sqlite://PATH or postgres://user@host:port/db, got {raw!r}"
    )


def _rate_limit(variable: str, raw: str) -> str:
    from limits import parse

    try:
        parse(raw)
    except ValueError:
        raise SettingsError(
            variable, f"expected a rate such as 20/minute or 5 per second, got {raw!r}"
        ) from None
    return raw.strip()


def _storage(variable: str, raw: str) -> str:
    value = raw.strip()
    scheme = value.partition("://")[0]
    if scheme not in {"memory", "redis", "rediss", "redis+unix", "redis+sentinel"}:
        raise SettingsError(variable, f"expected memory:// or a redis:// URL, got {raw!r}")
    return value


def _networks(variable: str, raw: str) -> tuple[IPv4Network | IPv6Network, ...]:
    networks = []
    for item in raw.split(","):
        if not item.strip():
            continue
        try:
            networks.append(ip_network(item.strip(), strict=False))
        except ValueError:
            raise SettingsError(
                variable, f"{item.strip()!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def _origins(variable: str, raw: str) -> tuple[str, ...]:
    origins = []
    for item in raw.split(","):
        origin = item.strip().rstrip("/")
        if not origin:
            continue
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path:
            raise SettingsError(
                variable, f"{origin!r} is not an origin such as https://www.example.com"
            )
        origins.append(origin)
    return tuple(origins)


def _existing_file(variable: str, raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_file():
        raise SettingsError(variable, f"no such file: {raw}")
    return path


def _secret(variable: str, raw: str) -> str:
    if len(raw.strip()) < 16:
        raise SettingsError(variable, "expected at least 16 characters")
    return raw.strip()


def _server_key(variable: str, raw: str) -> str:
    if len(raw.strip()) < 32:
        raise SettingsError(variable, "expected at least 32 random characters")
    return raw.strip()


def _peppers(variable: str, raw: str) -> tuple[tuple[str, str], ...]:
    """``id:secret[,id:secret...]``: the first keys new hashes, the others only verify old
    ones until their members sign in again."""
    peppers: list[tuple[str, str]] = []
    for item in raw.split(","):
        key_id, _, secret = item.strip().partition(":")
        if not key_id or len(key_id) > 16 or not all(c.isalnum() or c in "_-" for c in key_id):
            raise SettingsError(
                variable, "expected id:secret pairs, each id 1 to 16 letters, digits, _ or -"
            )
        if len(secret) < 32:
            raise SettingsError(variable, f"the secret {key_id!r} needs at least 32 characters")
        if key_id in {known for known, _ in peppers}:
            raise SettingsError(variable, f"the id {key_id!r} is given twice")
        peppers.append((key_id, secret))
    return tuple(peppers)


def _log_level(variable: str, raw: str) -> str:
    level = raw.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(variable, f"expected DEBUG, INFO, WARNING or ERROR, got {raw!r}")
    return level


def _log_format(variable: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"auto", "json", "text"}:
        raise SettingsError(variable, f"expected auto, json or text, got {raw!r}")
    return value


def _receipt_store(variable: str, raw: str) -> str:
    value = raw.strip()
    if value == "database" or (value.startswith("s3://") and len(value) > len("s3://")):
        return value
    raise SettingsError(variable, f"expected database or s3://bucket/prefix, got {raw!r}")


def _claims_system(variable: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"none", "builtin", "http"}:
        raise SettingsError(variable, f"expected none, builtin or http, got {raw!r}")
    return value


def _http_url(variable: str, raw: str) -> str:
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(variable, f"expected an http(s):// URL, got {raw!r}")
    return value


def _text(variable: str, raw: str) -> str:
    """A line shown in the page: printable, at most 80 characters."""
    value = " ".join(raw.split())
    if not value or len(value) > 80 or not value.isprintable():
        raise SettingsError(variable, f"expected 1 to 80 printable characters, got {raw!r}")
    return value


def _email(variable: str, raw: str) -> str:
    value = raw.strip()
    if not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\".]+(\.[^@\s<>\".]+)+", value):
        raise SettingsError(variable, f"expected an email address, got {raw!r}")
    return value


def _logo(variable: str, raw: str) -> str:
    """An SVG or PNG file the gateway can read, of at most 200 KB: it is sent with each page."""
    path = Path(raw.strip())
    if path.suffix.lower() not in {".svg", ".png"}:
        raise SettingsError(variable, f"expected a .svg or .png file, got {raw!r}")
    if not path.is_file() or path.stat().st_size > 200_000:
        raise SettingsError(variable, f"expected a readable file of at most 200 KB, got {raw!r}")
    return str(path.resolve())


def _cookie_name(variable: str, raw: str) -> str:
    if not raw or not all(c.isalnum() or c in "_-" for c in raw):
        raise SettingsError(variable, f"expected letters, digits, _ or -, got {raw!r}")
    return raw


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "database_url": _database_url,
    "argon2_memory_kib": _positive_int,
    "argon2_time_cost": _positive_int,
    "argon2_parallelism": _positive_int,
    "argon2_threads": _positive_int,
    "hashing_cpu_share": _percentage,
    "hashing_nice": _nice,
    "lockout_threshold": _positive_int,
    "lockout_minutes": _positive_int,
    "recovery_threshold": _positive_int,
    "identity_threshold": _positive_int,
    "attempt_window_hours": _positive_int,
    "hint_requests_per_hour": _positive_int,
    "session_idle_minutes": _positive_int,
    "session_max_hours": _positive_int,
    "cookie_secure": _boolean,
    "cookie_name": _cookie_name,
    "introspection": _boolean,
    "max_body_bytes": _positive_int,
    "max_query_depth": _positive_int,
    "max_aliases": _positive_int,
    "max_tokens": _positive_int,
    "max_query_characters": _positive_int,
    "max_selections": _positive_int,
    "max_directives": _positive_int,
    "max_query_cost": _positive_int,
    "rate_limit_per_ip": _rate_limit,
    "rate_limit_storage": _storage,
    "trusted_proxies": _networks,
    "cors_origins": _origins,
    "persisted_queries_only": _boolean,
    "persisted_queries_file": _existing_file,
    "persisted_query_cache_size": _positive_int,
    "persisted_query_cache_bytes": _positive_int,
    "answer_cache_size": _whole_number,
    "answer_cache_bytes": _positive_int,
    "answer_max_bytes": _positive_int,
    "max_header_bytes": _positive_int,
    "request_read_seconds": _positive_int,
    "keep_alive_seconds": _positive_int,
    "max_connections": _positive_int,
    "request_seconds": _positive_int,
    "database_statement_seconds": _positive_int,
    "database_connect_seconds": _positive_int,
    "metrics_token": _secret,
    "secret_key": _server_key,
    "password_pepper": _peppers,
    "log_level": _log_level,
    "log_format": _log_format,
    "data_key": _peppers,
    "receipt_store": _receipt_store,
    "receipt_max_bytes": _positive_int,
    "max_pending_receipts": _positive_int,
    "claims_system": _claims_system,
    "claims_system_url": _http_url,
    "claims_system_secret": _server_key,
    "delivery_worker": _boolean,
    "public_url": _http_url,
    "audit_retention_days": _positive_int,
    "clean_up_minutes": _positive_int,
    "brand_name": _text,
    "brand_logo": _logo,
    "contact_phone": _text,
    "contact_email": _email,
}


def variable_name(field_name: str) -> str:
    return "GATEWAY_" + field_name.upper()


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the environment; raise SettingsError naming the first bad variable."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in fields(Settings):
        variable = variable_name(setting.name)
        raw = env.get(variable)
        if raw is None or raw == "":
            continue
        values[setting.name] = _PARSERS[setting.name](variable, raw)
    settings = Settings(**values)
    if settings.persisted_queries_only and settings.persisted_queries_file is None:
        raise SettingsError(
            "GATEWAY_PERSISTED_QUERIES_FILE", "required when GATEWAY_PERSISTED_QUERIES_ONLY=true"
        )
    if settings.argon2_memory_kib < 8 * settings.argon2_parallelism:
        raise SettingsError(
            "GATEWAY_ARGON2_MEMORY_KIB", "argon2 needs at least 8 KiB per unit of parallelism"
        )
    if settings.claims_system == "http":
        for needed in ("claims_system_url", "claims_system_secret"):
            if getattr(settings, needed) is None:
                raise SettingsError(
                    variable_name(needed), "required when GATEWAY_CLAIMS_SYSTEM=http"
                )
    return settings
