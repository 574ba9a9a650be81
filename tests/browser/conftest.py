"""A real gateway on 127.0.0.1 and Debian's headless Chromium driven by Playwright.

The server is a separate process (``gateway serve``) on a fresh migrated SQLite database
holding the demo registry and the members of the journeys (``journey_member``), with the
reference claims system built in so that claims are decided. Every page the tests open is cut off from the network: a request for any other
host is refused and recorded, and the tests assert there was none.

Without /usr/bin/chromium or Playwright the tests are skipped, except in CI (``CI=true``),
where they fail.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest

from tests.support import DEMO_REGISTRY, REPO, node_project, running_gateway

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


JOURNEY_MEMBERS = 80
FULL_PLAN = "WEB100"  # every online feature
CARD_PLAN = "WEB200"  # the payment card alone: the home page says what it lacks


@dataclass(frozen=True)
class Member:
    """One person of the journeys' registry, in both plans, with what they will choose."""

    certificate: str
    first_name: str
    born: str  # YYYY-MM-DD
    user_code: str
    password: str = "Erable!2024x"
    hint: str = "la cabane à sucre"
    mother: str = "Marie-Ève"


def _member(index: int) -> Member:
    born = f"19{60 + index % 30}-{1 + index % 12:02d}-{1 + index % 27:02d}"
    return Member(f"C{index:04d}", f"Prenom{index}", born, f"Membre{index:04d}")


def _journey_registry(folder: Path) -> Path:
    """The demo registry and two plans whose members the journeys register, one each."""
    document = json.loads(DEMO_REGISTRY.read_text(encoding="utf-8"))

    def certificate(index: int) -> dict[str, Any]:
        member = _member(index)
        return {
            "number": member.certificate,
            "firstName": member.first_name,
            "lastName": "Tremblay",
            "dateOfBirth": member.born,
            "status": "ACTIVE",
            "effectiveDate": "2020-01-01",
            "terminationDate": None,
            "coverages": [{"benefit": "HEALTH", "tier": "FAMILY"}],
            "dependents": [
                {
                    "firstName": "Alex",
                    "lastName": "Tremblay",
                    "dateOfBirth": "2012-05-04",
                    "relationship": "CHILD",
                }
            ],
        }

    people = [certificate(index) for index in range(JOURNEY_MEMBERS)]
    document["contracts"] += [
        {
            "number": FULL_PLAN,
            "productLine": "GROUP_INSURANCE",
            "sponsorName": "Boulangerie du Vieux-Port",
            "planName": "Régime complet des employés",
            "onlineFeatures": [
                "HEALTH_CLAIMS",
                "DENTAL_CLAIMS",
                "VISION_CLAIMS",
                "CLAIMS_HISTORY",
                "DIRECT_DEPOSIT",
                "PAYMENT_CARD",
            ],
            "claimRules": [
                {
                    "serviceType": "PHYSIOTHERAPY",
                    "reimbursementPercent": 80,
                    "annualMaximumCents": 100000,
                },
                {
                    "serviceType": "DENTAL_CARE",
                    "reimbursementPercent": 80,
                    "annualMaximumCents": None,
                },
            ],
            "certificates": people,
        },
        {
            "number": CARD_PLAN,
            "productLine": "GROUP_INSURANCE",
            "sponsorName": "Boulangerie du Vieux-Port",
            "planName": "Régime de base des retraités",
            "onlineFeatures": ["PAYMENT_CARD"],
            "claimRules": [],
            "certificates": people,
        },
    ]
    path = folder / "journeys-registry.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


_next_member = itertools.count()


@pytest.fixture
def journey_member() -> Member:
    """A member nobody registered yet, in both plans (the run takes them in turn)."""
    index = next(_next_member)
    assert index < JOURNEY_MEMBERS, "add members to the journeys' registry"
    return _member(index)


@pytest.fixture(scope="session")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A gateway process on a free port, its database migrated and holding the registry."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    folder = tmp_path_factory.mktemp("browser-gateway")
    with running_gateway(
        folder,
        OUTPUT / "server.log",
        host=HOST,
        registry=_journey_registry(folder),
        GATEWAY_INTROSPECTION="true",
        GATEWAY_RATE_LIMIT_PER_IP="1000/minute",
        GATEWAY_CLAIMS_SYSTEM="builtin",
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


# Issue 19: a phone first, then a desktop.
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture
def viewport() -> str:
    """Overridden by the journeys, which run at both sizes."""
    return "desktop"


@pytest.fixture
def lang() -> str:
    """Overridden by the journeys, which run in both languages."""
    return "fr"


@pytest.fixture
def page(
    browser: Browser, gateway_url: str, offline: Offline, viewport: str, lang: str
) -> Iterator[Page]:
    """A fresh browser context in ``lang`` whose only reachable host is the gateway."""
    context = browser.new_context(
        base_url=gateway_url,
        locale="fr-CA" if lang == "fr" else "en-CA",
        viewport=VIEWPORTS[viewport],  # type: ignore[arg-type]
        has_touch=viewport == "phone",
        is_mobile=viewport == "phone",
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


AXE_FOLDER = REPO / "tests" / "browser" / "axe"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from the npm registry (tests/browser/axe/package-lock.json), installed on first
    use; the tests hand it to each page through the DevTools protocol, which the page's
    Content-Security-Policy does not govern, so the page keeps its real policy."""
    node_project(AXE_FOLDER, "axe-core", "the accessibility checks of the web client")
    return (AXE_FOLDER / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Page, source: str) -> list[str]:
    """Every WCAG 2.2 A and AA rule and axe's best practices, on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {source}\n }}")
    found = page.evaluate(
        """async () => {
            const results = await window.axe.run(document, {
                resultTypes: ["violations"],
                runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                    "wcag22aa", "best-practice"] },
            });
            return results.violations.map((v) =>
                `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        }"""
    )
    return list(found)
