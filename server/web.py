"""The gateway's own web pages: a self-hosted GraphiQL and the reference web client at ``/``.

Every script, style sheet and font the pages use is served from ``server/static`` under
``/static``, so both work with no internet access. Each page carries a Content-Security-Policy
that allows the gateway's own origin only and no inline script; forms may not be submitted
natively (``form-action 'none'``), so a page whose script failed to load cannot put a password
in a URL.
"""

from __future__ import annotations

import functools
import html
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

from gateway.settings import Settings

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
# blob: lets the claim form preview a receipt photographed on the phone, before it is sent.
CLIENT_CSP = _policy(img_src="'self' blob:")

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


@dataclass(frozen=True)
class Brand:
    """What the operator names the site with (GATEWAY_BRAND_NAME, GATEWAY_BRAND_LOGO,
    GATEWAY_CONTACT_PHONE, GATEWAY_CONTACT_EMAIL); neutral by default."""

    name: str = "Assurance collective"
    logo: Path | None = None
    phone: str = "1 800 555-0100"
    email: str = "aide@example.org"

    @property
    def logo_url(self) -> str:
        return LOGO_PATH if self.logo else f"{STATIC_PATH}/client/logo.svg"


LOGO_PATH = "/brand/logo"

# The web client's steps, each its own address (history API); a reload of any of them gets
# the page, which then shows the step. static/client/app.js has the same list.
CLIENT_PATHS = (
    "/",
    "/register",
    "/register/done",
    "/link",
    "/forgot",
    "/reset",
    "/ended",
    "/terms",
    "/privacy",
    "/accessibility",
    "/files",
    "/agreement",
    "/home",
    "/security",
    "/password",
    "/claims/new",
    "/claims/sent",
    "/claims",
    "/deposit",
    "/card",
)


@functools.cache
def client_page(brand: Brand = Brand()) -> str:
    """The reference web client's single page (``static/client/index.html``), with the brand
    filled in, escaped: an operator's name is text, never markup."""
    page = (STATIC_DIR / "client" / "index.html").read_text(encoding="utf-8")
    dial = "".join(c for c in brand.phone if c.isdigit() or c == "+")
    for marker, value in (
        ("%BRAND_NAME%", brand.name),
        ("%LOGO_URL%", brand.logo_url),
        ("%CONTACT_PHONE_DIAL%", dial),
        ("%CONTACT_PHONE%", brand.phone),
        ("%CONTACT_EMAIL%", brand.email),
    ):
        page = page.replace(marker, html.escape(value, quote=True))
    return page


def graphiql_response() -> HTMLResponse:
    """The GraphiQL page with its policy, for ``GraphQL.render_graphql_ide``."""
    return HTMLResponse(
        graphiql_page(), headers={**_PAGE_HEADERS, "Content-Security-Policy": GRAPHIQL_CSP}
    )


def _client(brand: Brand, status_code: int = 200) -> Callable[[Request], Awaitable[Response]]:
    """The client's page; with 404 for any other address, so a mistyped link says so in
    words, in the member's language."""

    async def page(_: Request) -> Response:
        return HTMLResponse(
            client_page(brand),
            status_code=status_code,
            headers={**_PAGE_HEADERS, "Content-Security-Policy": CLIENT_CSP},
        )

    return page


def _logo(path: Path) -> Callable[[Request], Awaitable[Response]]:
    async def logo(_: Request) -> Response:
        return FileResponse(
            path, headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        )

    return logo


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


def static_routes(brand: Brand = Brand()) -> list[BaseRoute]:
    """The web client at each of its steps' addresses, its logo and ``/static/...``."""
    page = _client(brand)
    routes: list[BaseRoute] = [Route(path, page, methods=["GET"]) for path in CLIENT_PATHS]
    if brand.logo is not None:
        routes.append(Route(LOGO_PATH, _logo(brand.logo), methods=["GET"]))
    routes.append(Mount(STATIC_PATH, app=_Static(directory=STATIC_DIR), name="static"))
    routes.append(Route("/{path:path}", _client(brand, 404), methods=["GET"]))
    return routes


def brand_of(settings: Settings) -> Brand:
    return Brand(
        name=settings.brand_name,
        logo=Path(settings.brand_logo) if settings.brand_logo else None,
        phone=settings.contact_phone,
        email=settings.contact_email,
    )
