"""The reference: bare Strawberry on Starlette answering ``{ hello }``, served like the gateway.

It has the gateway's parse and validation caches (same sizes) and nothing else: no middleware,
no database, no context. uvicorn serves it with the options ``gateway serve`` passes (access
log off, no proxy headers, no server header) and its workers the same way (a listening socket
each, ``server/workers.py``), so the ratio of the two throughputs is what the gateway's own
work costs.

    python bench/reference_app.py --port 8001 [--workers N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

from server.workers import Supervisor, spreads_connections


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


def _parser_cache() -> SchemaExtension:
    return ParserCache(maxsize=512)


def _validation_cache() -> SchemaExtension:
    return ValidationCache(maxsize=512)


def create_app() -> Starlette:
    schema = strawberry.Schema(query=Query, extensions=[_parser_cache, _validation_cache])
    graphql_app: GraphQL[None, None] = GraphQL(schema, allow_queries_via_get=True)
    return Starlette(routes=[Route("/graphql", graphql_app, methods=["GET", "POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    arguments = parser.parse_args()
    options: dict[str, Any] = dict(
        factory=True,
        access_log=False,
        host=arguments.host,
        port=arguments.port,
        workers=arguments.workers,
        log_level="info",
        proxy_headers=False,
        server_header=False,
    )
    app_dir = str(Path(__file__).resolve().parent)
    if arguments.workers > 1 and spreads_connections():
        sys.path.insert(0, app_dir)
        sys.exit(Supervisor(uvicorn.Config("reference_app:create_app", **options)).run())
    uvicorn.run("reference_app:create_app", app_dir=app_dir, **options)


if __name__ == "__main__":
    main()
