"""A real gateway on 127.0.0.1 and Debian's headless Chromium driven by Playwright.

The server is a separate process (``gateway serve``) on a fresh migrated SQLite database
holding the demo registry. Every page the tests open is cut off from the network: a request for any other
host is refused and recorded, and the tests assert there was none.

Without /usr/bin/chromium or Playwright the tests are skipped, except in CI (``CI=true``),
where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest

from tests.support import REPO, running_gateway

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = REPO / "test-output" / "browser"
HOST = "127.0.0.1"

# Collected by the page itself: Content-Security-Policy refusals, to assert there are none.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}, and CI must run the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A gateway process on a free port, its database migrated and holding the demo registry."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with running_gateway(
        tmp_path_factory.mktemp("browser-gateway"),
        OUTPUT / "server.log",
        host=HOST,
        GATEWAY_INTROSPECTION="true",
        GATEWAY_RATE_LIMIT_PER_IP="1000/minute",
    ) as gateway:
        yield gateway.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; never a downloaded browser."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is missing (pip install playwright)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Offline:
    """Every request a page made, those beyond 127.0.0.1 (refused), and its script errors."""

    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture
def offline() -> Offline:
    return Offline()


@pytest.fixture
def page(browser: Browser, gateway_url: str, offline: Offline) -> Iterator[Page]:
    """A fresh French-speaking browser context whose only reachable host is the gateway."""
    context = browser.new_context(
        base_url=gateway_url, locale="fr-CA", viewport={"width": 1280, "height": 900}
    )

    def only_local(route: Route) -> None:
        offline.requests.append(route.request.url)
        if urlsplit(route.request.url).hostname == HOST:
            route.continue_()
        else:
            offline.refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.on("pageerror", lambda error: offline.page_errors.append(str(error)))
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Saves the whole page under test-output/browser/ (git-ignored)."""
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def csp_violations(page: Page) -> Any:
    return page.evaluate("window.__cspViolations")
