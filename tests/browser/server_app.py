"""The app the browser tests serve until ``gateway.app`` wires in ``gateway.web`` itself.

``create_app`` is the real one; when its GraphQL view still renders Strawberry's CDN page and
``/`` is not routed, this adds what ``gateway.app`` will: the self-hosted GraphiQL page and
``static_routes()``. Once ``gateway.app`` does both, it changes nothing (and can be deleted).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from gateway import app as gateway_app
from gateway.web import graphiql_response, static_routes


def is_wired(app: Starlette) -> bool:
    return any(getattr(route, "path", None) == "/" for route in app.routes)


def create_app() -> Starlette:
    app = gateway_app.create_app()
    if is_wired(app):
        return app
    for route in app.routes:
        view = getattr(route, "endpoint", None)
        if isinstance(route, Route) and isinstance(view, GraphQL):

            async def render_graphql_ide(request: Request) -> Response:
                return graphiql_response()

            view.render_graphql_ide = render_graphql_ide  # type: ignore[method-assign]
    app.router.routes.extend(static_routes())
    return app
