"""`gateway ...`: thin subcommands over the services; errors are one line and a non-zero exit."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from gateway.outages import is_outage
from gateway.settings import Settings, SettingsError, variable_name
from server.settings import load_server_settings

# A command's statements (an index built by a migration, a batch of an import) may run long;
# only serving keeps to GATEWAY_DATABASE_STATEMENT_SECONDS.
COMMAND_STATEMENT_SECONDS = 600


def _deadlines(settings: Settings) -> Any:
    from store.db import Deadlines

    return Deadlines(settings.database_connect_seconds, COMMAND_STATEMENT_SECONDS)


class CommandError(Exception):
    """A failure the user can fix; printed alone, without a traceback."""


async def _with_database(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    from store.db import close_database, open_database

    await open_database(settings.database_url, _deadlines(settings))
    try:
        return await work()
    finally:
        await close_database()


async def _migrate(settings: Settings) -> None:
    from gateway.agreements import ensure_default_agreement
    from store.db import apply_migrations, close_database

    try:
        await apply_migrations(settings.database_url, _deadlines(settings))
    finally:
        await close_database()
    published = await _with_database(settings, ensure_default_agreement)
    if published is not None:
        print(f"published the default usage agreement, version {published.version}")


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> None:
    asyncio.run(_migrate(settings))
    print(f"database is up to date ({_describe(settings.database_url)})")


class CheckFailed(Exception):
    """`gateway check` found a problem; its lines are already printed."""


def cmd_check(settings: Settings, _: argparse.Namespace) -> None:
    from gateway.checks import database_findings
    from store.db import ping

    print(f"settings: valid (database {_describe(settings.database_url)})")

    async def findings() -> Any:
        await ping(settings.database_connect_seconds)
        return await database_findings()

    try:
        results = asyncio.run(_with_database(settings, findings))
    except Exception as error:
        if not is_outage(error):
            raise
        print(f"database: cannot reach it: {_root(error)}")
        raise CheckFailed from None
    print("database: answers")
    for finding in results:
        print(finding.line)
    if not all(finding.ok for finding in results):
        raise CheckFailed


def _prepare_workers(settings: Settings, workers: int) -> None:
    if settings.rate_limit_storage.startswith("memory://"):
        print(
            f"gateway: warning: each of the {workers} workers counts credential attempts "
            "on its own, so an address may try GATEWAY_RATE_LIMIT_PER_IP times in each; "
            "set GATEWAY_RATE_LIMIT_STORAGE=redis://HOST:6379 for one count",
            file=sys.stderr,
            flush=True,
        )
    if settings.argon2_threads is None:
        # The workers read their settings from this environment (gateway/hashing.py: why).
        threads = max(1, (os.cpu_count() or 1) // workers)
        os.environ[variable_name("argon2_threads")] = str(threads)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from server.workers import Supervisor, spreads_connections

    if not args.no_migrate:
        asyncio.run(_migrate(settings))
    if args.workers > 1:
        _prepare_workers(settings, args.workers)
    if args.banner:
        from server.banner import print_when_ready

        host = f"[{args.host}]" if ":" in args.host else args.host
        everywhere = args.host in ("0.0.0.0", "", "[::]", "::")  # noqa: S104 (a comparison)
        shown = "127.0.0.1" if everywhere else host
        print_when_ready(f"http://{shown}:{args.port}", demo_registry())
    options: dict[str, Any] = dict(
        factory=True,
        http="server.http_protocol:GuardedHttpToolsProtocol",
        timeout_keep_alive=settings.keep_alive_seconds,
        limit_concurrency=settings.max_connections,
        timeout_graceful_shutdown=settings.request_seconds,
        access_log=False,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        proxy_headers=False,
        server_header=False,
    )
    if args.workers > 1 and spreads_connections():
        try:
            code = Supervisor(uvicorn.Config("server.app:serve_app", **options)).run()
        except OSError as error:
            raise CommandError(f"cannot listen on {args.host}:{args.port}: {error}") from None
        if code:
            sys.exit(code)
        return
    uvicorn.run("server.app:serve_app", **options)


def cmd_worker(settings: Settings, _: argparse.Namespace) -> None:
    """The delivery worker alone, for deployments that keep it apart from serving."""
    from gateway.toolkit import Toolkit
    from server.logs import configure_logging
    from store.db import Deadlines, close_database, open_database

    configure_logging(settings.log_level, settings.log_format)
    if settings.claims_system == "none":
        raise CommandError("worker: GATEWAY_CLAIMS_SYSTEM=none: there is nowhere to deliver to")

    async def work() -> None:
        await open_database(
            settings.database_url,
            Deadlines(settings.database_connect_seconds, settings.database_statement_seconds),
        )
        kit = Toolkit.build(settings)
        await kit.claims.start(deliver=True, clean_up=True)
        try:
            await asyncio.Event().wait()
        finally:
            await kit.claims.stop()
            await close_database()

    asyncio.run(work())


def cmd_claims_system_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from server.claims_system_app import claims_system_app
    from server.logs import configure_logging

    if settings.claims_system_secret is None:
        raise CommandError("claims-system serve: set GATEWAY_CLAIMS_SYSTEM_SECRET (32+ characters)")
    configure_logging(settings.log_level, settings.log_format)
    app = claims_system_app(settings, args.gateway_url, args.delay)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")


def cmd_registry_import(settings: Settings, args: argparse.Namespace) -> None:
    from gateway.registry import ImportConflict, RegistryInvalid, import_registry_file
    from store.serving_lock import DatabaseInUse, exclusive

    try:
        with exclusive(settings.database_url):
            summary = asyncio.run(_with_database(settings, lambda: import_registry_file(args.file)))
    except DatabaseInUse:
        raise CommandError(
            f"{args.file}: nothing imported: another import is running, or a gateway is "
            "serving this SQLite database; wait, or stop the gateway first (an import writes "
            "all or nothing, which would hold every sign-in), or use PostgreSQL, where imports "
            "run beside serving"
        ) from None
    except RegistryInvalid as invalid:
        lines = [f"{args.file}: nothing imported, {len(invalid.problems)} problem(s):"]
        lines += [f"  {problem}" for problem in invalid.problems]
        raise CommandError("\n".join(lines)) from None
    except ImportConflict as conflict:
        raise CommandError(f"{args.file}: nothing imported: {conflict}") from None
    except Exception as error:
        if "locked" in str(error):  # SQLite: another process writes for longer than we wait
            raise CommandError(
                f"{args.file}: nothing imported: another import is running; wait or retry"
            ) from None
        raise
    print(summary.describe())


def _read_text(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{option} {path}: cannot read it ({error})") from None


def demo_registry() -> Path:
    from importlib import resources

    return Path(str(resources.files("gateway") / "demo" / "registry.json"))


def cmd_demo_reset(settings: Settings, _: argparse.Namespace) -> None:
    from gateway.registry import import_registry_file
    from store.db import sqlite_files
    from store.serving_lock import DatabaseInUse, exclusive

    files = sqlite_files(settings.database_url)
    if files is None:
        raise CommandError(
            "demo reset: refused: GATEWAY_DATABASE_URL is a server database, and this command "
            "deletes the database; it is for the SQLite demo of `make run` only"
        )
    try:
        with exclusive(settings.database_url):
            for path in files:
                path.unlink(missing_ok=True)
            asyncio.run(_migrate(settings))
            summary = asyncio.run(
                _with_database(settings, lambda: import_registry_file(demo_registry()))
            )
    except DatabaseInUse:
        raise CommandError(
            "demo reset: refused: a gateway is serving this database; stop it first"
        ) from None
    print(f"demo data reset in {files[0]}: {summary.describe()}")


def cmd_agreement_publish(settings: Settings, args: argparse.Namespace) -> None:
    from gateway.agreements import AgreementVersionExists, publish_agreement

    body_fr = _read_text(args.body_fr, "--body-fr")
    body_en = _read_text(args.body_en, "--body-en")

    async def publish() -> Any:
        return await publish_agreement(
            args.version,
            title_fr=args.title_fr,
            title_en=args.title_en,
            body_fr=body_fr,
            body_en=body_en,
        )

    try:
        agreement = asyncio.run(_with_database(settings, publish))
    except (AgreementVersionExists, ValueError) as error:
        raise CommandError(f"agreement publish: {error}") from None
    print(f"published usage agreement version {agreement.version}; members accept it next sign-in")


def cmd_apikey_create(settings: Settings, args: argparse.Namespace) -> None:
    from gateway.access import ApiKeyError, Role, create_key

    role = Role(args.role)
    try:
        key = asyncio.run(
            _with_database(settings, lambda: create_key(args.name, role, args.contract or []))
        )
    except ApiKeyError as error:
        raise CommandError(f"apikey create: {error}") from None
    scope = (
        f"contracts {', '.join(sorted(set(args.contract)))}" if args.contract else "every account"
    )
    print(f"created {role.value} key {args.name.strip()!r} for {scope}")
    print("the key is shown once; keep it in the partner's or staff tool's secret store:")
    print(key)


def cmd_apikey_list(settings: Settings, _: argparse.Namespace) -> None:
    from gateway.access import list_keys

    keys = asyncio.run(_with_database(settings, list_keys))
    if not keys:
        print("no API keys")
        return
    print("name\trole\tcontracts\tcreated\tlast used\tstate")
    for key in keys:
        print(
            "\t".join(
                [
                    key.name,
                    key.role,
                    ",".join(key.contracts) or "-",
                    key.created_at.isoformat(timespec="seconds"),
                    key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "never",
                    "revoked" if key.revoked_at else "active",
                ]
            )
        )


def cmd_apikey_revoke(settings: Settings, args: argparse.Namespace) -> None:
    from gateway.access import ApiKeyError, revoke_key

    try:
        asyncio.run(_with_database(settings, lambda: revoke_key(args.name)))
    except ApiKeyError as error:
        raise CommandError(f"apikey revoke: {error}") from None
    print(f"revoked key {args.name.strip()!r}; it is refused from the next request on")


def schema_sdl() -> str:
    from schema import build_schema

    return build_schema().as_str() + "\n"


def cmd_export_schema(_: Settings, args: argparse.Namespace) -> None:
    sdl = schema_sdl()
    if args.output is None:
        sys.stdout.write(sdl)
        return
    try:
        args.output.write_text(sdl, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"--output {args.output}: cannot write it ({error})") from None
    print(f"wrote {args.output}")


def _describe(database_url: str) -> str:
    if database_url.startswith("sqlite://"):
        return database_url
    scheme, _, rest = database_url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def _port(raw: str) -> int:
    value = int(raw)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"{raw} is not a port number (1-65535)")
    return value


def _workers(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1 worker")
    return value


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown, descriptions kept as written."""


def _command(commands: Any, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=description, formatter_class=_Formatter
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gateway",
        description="GraphQL gateway for group-insurance member self-service.",
        epilog=(
            "Settings come from GATEWAY_* environment variables (README, Settings); "
            "docs/OPERATIONS.md lists the exit codes."
        ),
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.set_defaults(handler=None, parser=parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = _command(
        commands,
        "serve",
        "serve the API (migrates first)",
        "Serve /graphql, the web client at /, GraphiQL, /healthz, /readyz and /metrics.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on")
    serve.add_argument(
        "--workers", type=_workers, default=1, help="worker processes sharing the port"
    )
    serve.add_argument(
        "--no-migrate", action="store_true", help="do not apply the migrations at start"
    )
    serve.add_argument(
        "--banner",
        action="store_true",
        help="once the server answers, print where to go and the demo members",
    )
    serve.set_defaults(handler=cmd_serve)

    migrate = _command(
        commands,
        "migrate",
        "apply the database migrations",
        "Bring the database to the newest migration, and publish usage agreement version 1 "
        "when none is published. Safe to run again.",
    )
    migrate.set_defaults(handler=cmd_migrate)

    check = _command(
        commands,
        "check",
        "check the settings and the database",
        "Check that the settings are valid, the database answers, every migration is "
        "applied, a usage agreement is published and the registry holds members; one line "
        "each, exit 1 when something is wrong.",
    )
    check.set_defaults(handler=cmd_check)

    worker = _command(
        commands,
        "worker",
        "deliver claims to the claims system, without serving",
        "Run the claims' delivery worker (and the clean-up of stale receipts) alone, for "
        "deployments that keep it apart from the serving processes "
        "(then serve with GATEWAY_DELIVERY_WORKER=false).",
    )
    worker.set_defaults(handler=cmd_worker)

    claims_system = _command(
        commands,
        "claims-system",
        "the reference claims system",
        "The reference claims system, for demos and tests: it adjudicates with the plans' "
        "claimRules and calls the gateway's /hooks/claims.",
    )
    claims_system.set_defaults(parser=claims_system)
    claims_system_commands = claims_system.add_subparsers(
        dest="claims_system_command", metavar="COMMAND"
    )
    claims_serve = _command(
        claims_system_commands,
        "serve",
        "serve POST /claims",
        "Serve the reference claims system on its own: POST /claims takes a signed FHIR "
        "Claim; decisions are posted, signed, to GATEWAY-URL/hooks/claims after the delay. "
        "GATEWAY_CLAIMS_SYSTEM_SECRET signs both ways.",
    )
    claims_serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    claims_serve.add_argument("--port", type=_port, default=8100, help="port to listen on")
    claims_serve.add_argument(
        "--gateway-url", default="http://127.0.0.1:8000", help="where the gateway answers"
    )
    claims_serve.add_argument(
        "--delay", type=float, default=2.0, help="seconds before a decision is sent"
    )
    claims_serve.set_defaults(handler=cmd_claims_system_serve)

    registry = _command(
        commands, "registry", "the member registry", "Commands on the insurer's member registry."
    )
    registry.set_defaults(parser=registry)
    registry_commands = registry.add_subparsers(dest="registry_command", metavar="COMMAND")
    registry_import = _command(
        registry_commands,
        "import",
        "import a registry file (all or nothing, idempotent)",
        "Import a registry file (contract/registry-format.md). Every record is checked "
        "first; with any problem nothing is imported and each problem is named by its JSON "
        "path. Records already present are updated in place.",
    )
    registry_import.add_argument("file", type=Path, metavar="FILE", help="the registry JSON file")
    registry_import.set_defaults(handler=cmd_registry_import)

    agreement = _command(
        commands, "agreement", "usage agreement versions", "Commands on the usage agreement."
    )
    agreement.set_defaults(parser=agreement)
    agreement_commands = agreement.add_subparsers(dest="agreement_command", metavar="COMMAND")
    publish = _command(
        agreement_commands,
        "publish",
        "publish a new version",
        "Publish a new version of the usage agreement, in force at once: every member is "
        "asked to accept it at the next sign-in (R12).",
    )
    publish.add_argument("--version", required=True, help="the new version's name, e.g. 2")
    publish.add_argument("--title-fr", required=True, help="its title in French")
    publish.add_argument("--title-en", required=True, help="its title in English")
    publish.add_argument(
        "--body-fr", required=True, type=Path, metavar="FILE", help="its text in French"
    )
    publish.add_argument(
        "--body-en", required=True, type=Path, metavar="FILE", help="its text in English"
    )
    publish.set_defaults(handler=cmd_agreement_publish)

    apikey = _command(
        commands,
        "apikey",
        "API keys for partner portals and staff",
        "API keys for partner portals (scoped to contracts) and the insurer's staff (R15).",
    )
    apikey.set_defaults(parser=apikey)
    apikey_commands = apikey.add_subparsers(dest="apikey_command", metavar="COMMAND")
    create = _command(
        apikey_commands,
        "create",
        "create a key; it is printed once",
        "Create a key; it is printed once, and only its digest is kept.",
    )
    create.add_argument("--role", required=True, choices=["partner", "staff"], help="its role")
    create.add_argument(
        "--contract", action="append", metavar="NUMBER", help="a partner key's contract (repeat)"
    )
    create.add_argument("--name", required=True, help="who holds it; unique")
    create.set_defaults(handler=cmd_apikey_create)
    listing = _command(
        apikey_commands,
        "list",
        "list keys (never the keys themselves)",
        "List the keys: name, role, contracts, created, last used, state.",
    )
    listing.set_defaults(handler=cmd_apikey_list)
    revoke = _command(
        apikey_commands,
        "revoke",
        "revoke a key by name",
        "Revoke a key: refused from the next request on.",
    )
    revoke.add_argument("name", metavar="NAME", help="the key's name")
    revoke.set_defaults(handler=cmd_apikey_revoke)

    demo = _command(
        commands, "demo", "the demo data", "Commands on the demo database of `make run`."
    )
    demo.set_defaults(parser=demo)
    demo_commands = demo.add_subparsers(dest="demo_command", metavar="COMMAND")
    reset = _command(
        demo_commands,
        "reset",
        "start the demo data afresh",
        "Delete the SQLite demo database, migrate it and load the demo registry again. "
        "Refused on PostgreSQL, and while a gateway serves the file.",
    )
    reset.set_defaults(handler=cmd_demo_reset)

    export = _command(
        commands,
        "export-schema",
        "print or write the GraphQL schema",
        "The schema in SDL, as the code defines it (`make schema` rewrites schema.graphql).",
    )
    export.add_argument(
        "--output", type=Path, metavar="PATH", help="write it there instead of printing it"
    )
    export.set_defaults(handler=cmd_export_schema)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("insurance-member-gateway")
    except PackageNotFoundError:
        return "unknown"


# Exit codes: 0 done, 1 the command could not do it (the line says why), 2 a bad setting,
# 3 the database cannot be reached, 130 interrupted.
EXIT_FAILED, EXIT_SETTING, EXIT_DATABASE = 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.handler is None:  # a command group alone, or nothing: say what there is
        args.parser.print_help()
        return 0
    settings = None
    try:
        settings = load_server_settings()
        args.handler(settings, args)
    except SettingsError as error:
        if args.handler is cmd_check:
            print(f"settings: {error}")
            return EXIT_FAILED
        print(f"gateway: {error}", file=sys.stderr)
        return EXIT_SETTING
    except CheckFailed:
        return EXIT_FAILED
    except CommandError as error:
        print(f"gateway: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if settings is not None and is_outage(error):
            print(
                f"gateway: cannot reach the database at {_describe(settings.database_url)}: "
                f"{_root(error)}",
                file=sys.stderr,
            )
            return EXIT_DATABASE
        if isinstance(error, OSError):
            print(f"gateway: {error}", file=sys.stderr)
            return EXIT_FAILED
        raise
    return 0


def _root(error: BaseException) -> str:
    while error.__cause__ is not None:
        error = error.__cause__
    return f"{type(error).__name__}: {error}".strip().rstrip(":")


if __name__ == "__main__":
    sys.exit(main())
