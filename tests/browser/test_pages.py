"""The web pages over HTTP, without a browser: policies, assets, cache headers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from server.web import (
    CLIENT_CSP,
    CLIENT_PATHS,
    GRAPHIQL_CSP,
    STATIC_DIR,
    Brand,
    client_page,
    graphiql_page,
    graphiql_response,
    static_routes,
)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=static_routes())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


def assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


@pytest.mark.parametrize("policy", [GRAPHIQL_CSP, CLIENT_CSP])
def test_policies_allow_the_gateway_only(policy: str) -> None:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["form-action"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy and "http" not in policy and "*" not in policy


@pytest.mark.parametrize("html", [graphiql_page(), client_page()])
async def test_pages_use_only_their_own_assets_and_no_inline_script(
    http: httpx.AsyncClient, html: str
) -> None:
    assert "<script>" not in html and "style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None  # no inline event handlers
    for address in re.findall(r'(?:src|href)="([^"]+)"', html):  # nothing from elsewhere
        assert not address.startswith("//") and "://" not in address, address
    for path in assets(html):
        response = await http.get(path)
        assert response.status_code == 200, path


async def test_client_page_is_served_at_the_root_with_its_policy(http: httpx.AsyncClient) -> None:
    response = await http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CLIENT_CSP
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert '<html lang="fr">' in response.text


def test_graphiql_response_carries_its_policy() -> None:
    response = graphiql_response()
    assert response.headers["content-security-policy"] == GRAPHIQL_CSP
    assert b"/static/graphiql/graphiql-page.js" in response.body


async def test_versioned_assets_are_cached_for_good_and_the_rest_revalidated(
    http: httpx.AsyncClient,
) -> None:
    vendor = await http.get("/static/graphiql/react-18.3.1.production.min.js")
    assert vendor.headers["cache-control"] == "public, max-age=31536000, immutable"
    own = await http.get("/static/client/app.js")
    assert own.headers["cache-control"] == "no-cache"
    assert own.headers["content-type"].startswith("text/javascript")
    again = await http.get("/static/client/app.js", headers={"if-none-match": own.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path", ["/static/missing.js", "/static/../web.py", "/static/%2e%2e/web.py"]
)
async def test_nothing_outside_the_static_folder(http: httpx.AsyncClient, path: str) -> None:
    assert (await http.get(path)).status_code == 404


def test_vendored_graphiql_records_versions_and_licences() -> None:
    folder = STATIC_DIR / "graphiql"
    versions = (folder / "VERSIONS.md").read_text(encoding="utf-8")
    for name in ("graphiql", "react", "react-dom"):
        assert f"`{name}`" in versions
        assert (folder / "LICENSES" / f"{name}.txt").is_file()
    total = sum(path.stat().st_size for path in STATIC_DIR.rglob("*") if path.is_file())
    assert total < 3_000_000


@pytest.mark.parametrize("path", CLIENT_PATHS)
async def test_every_step_of_the_client_has_its_own_address(
    http: httpx.AsyncClient, path: str
) -> None:
    """Issue 19: a reload or a shared link of any step gets the page, which shows the step."""
    response = await http.get(path)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CLIENT_CSP
    assert '<script type="module" src="/static/client/app.js">' in response.text


async def test_an_unknown_address_gets_the_page_with_404(http: httpx.AsyncClient) -> None:
    response = await http.get("/claims/nowhere")
    assert response.status_code == 404
    assert 'id="view-not-found"' in response.text


async def test_the_operator_names_the_site_and_its_logo(tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    brand = Brand(name='Mutuelle <Boréale> & "fils"', logo=logo, phone="+1 418 555-0199")
    app = Starlette(routes=static_routes(brand))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        page = (await client.get("/")).text
        served = await client.get("/brand/logo")
    assert "Mutuelle &lt;Boréale&gt; &amp; &quot;fils&quot;" in page
    assert "<Boréale>" not in page
    assert 'href="tel:+14185550199"' in page
    assert 'src="/brand/logo"' in page
    assert served.status_code == 200 and served.content == logo.read_bytes()
    assert "%" not in re.sub(r"\d+ ?%|%\)", "", page.split("<body", 1)[1])


def test_the_client_says_everything_in_both_languages() -> None:
    """strings.js: the English dictionary has exactly the French one's keys."""
    source = (STATIC_DIR / "client" / "strings.js").read_text(encoding="utf-8")
    french, english = source.split("const en = {")
    keys = [re.findall(r'^  "([\w.]+)":', part, flags=re.MULTILINE) for part in (french, english)]
    assert len(keys[0]) > 300
    assert keys[0] == keys[1]
