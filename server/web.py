"""The gateway's own web pages: a self-hosted GraphiQL and the reference web client at ``/``.

Every script, style sheet and font the pages use is served from ``server/static`` under
``/static``, so both work with no internet access. Each page carries a Content-Security-Policy
that allows the gateway's own origin only and no inline script; forms may not be submitted
natively (``form-action 'none'``), so a page whose script failed to load cannot put a password
in a URL.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PATH = "/static"

GRAPHIQL_VERSION = "4.1.2"
REACT_VERSION = "18.3.1"


def _policy(**sources: str) -> str:
    directives = {
        "default-src": "'none'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self'",
        "connect-src": "'self'",
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": "'none'",
    }
    directives.update({name.replace("_", "-"): value for name, value in sources.items()})
    return "; ".join(f"{name} {value}" for name, value in directives.items())


# GraphiQL's style sheet embeds its fonts and two icons as data: URLs. Opening one of its
# dialogs makes a helper library (react-remove-scroll) add a <style> element, which this policy
# refuses: the dialog still works, and the browser notes the refusal in its console.
GRAPHIQL_CSP = _policy(img_src="'self' data:", font_src="'self' data:")
CLIENT_CSP = _policy()

_PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

_GRAPHIQL_HTML = """\
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>GraphiQL · member gateway</title>
  <link rel="icon" href="{static}/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="{static}/graphiql/graphiql-{graphiql}.min.css">
  <link rel="stylesheet" href="{static}/graphiql/graphiql-page.css">
  <script defer src="{static}/graphiql/react-{react}.production.min.js"></script>
  <script defer src="{static}/graphiql/react-dom-{react}.production.min.js"></script>
  <script defer src="{static}/graphiql/graphiql-{graphiql}.min.js"></script>
  <script defer src="{static}/graphiql/graphiql-page.js"></script>
</head>
<body>
  <div id="graphiql" data-endpoint="/graphql">Loading GraphiQL…</div>
  <noscript>GraphiQL needs JavaScript.</noscript>
</body>
</html>
"""


@functools.cache
def graphiql_page() -> str:
    """GraphiQL on ``/graphql``, with the headers editor for ``Authorization: Bearer ...``."""
    return _GRAPHIQL_HTML.format(static=STATIC_PATH, graphiql=GRAPHIQL_VERSION, react=REACT_VERSION)


@functools.cache
def client_page() -> str:
    """The reference web client's single page (``static/client/index.html``)."""
    return (STATIC_DIR / "client" / "index.html").read_text(encoding="utf-8")


def graphiql_response() -> HTMLResponse:
    """The GraphiQL page with its policy, for ``GraphQL.render_graphql_ide``."""
    return HTMLResponse(
        graphiql_page(), headers={**_PAGE_HEADERS, "Content-Security-Policy": GRAPHIQL_CSP}
    )


async def _client(_: Request) -> Response:
    return HTMLResponse(
        client_page(), headers={**_PAGE_HEADERS, "Content-Security-Policy": CLIENT_CSP}
    )


# A file whose name carries its version (react-18.3.1.production.min.js) never changes.
_VERSIONED = re.compile(r"-\d+\.\d+\.\d+[.-]")


class _Static(StaticFiles):
    """Static files with cache headers: versioned vendor files for a year, the rest revalidated."""

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        immutable = _VERSIONED.search(Path(full_path).name) is not None
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if immutable else "no-cache"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def static_routes() -> list[BaseRoute]:
    """``/`` (the web client) and ``/static/...``, to add to the app's routes."""
    return [
        Route("/", _client, methods=["GET"], name="client"),
        Mount(STATIC_PATH, app=_Static(directory=STATIC_DIR), name="static"),
    ]
