"""GraphiQL at /graphql, served by the gateway itself: it works with the network cut off (R16)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import HOST, Offline, csp_violations, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

QUERY = "{ registrationRules { userCodeMinLength } }"


def test_graphiql_runs_a_query_without_leaving_the_gateway(page: Page, offline: Offline) -> None:
    response = page.goto("/graphql")
    assert response is not None and response.ok
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    assert "http" not in policy and "unsafe" not in policy

    editor = page.locator(".graphiql-query-editor .CodeMirror")
    editor.wait_for()
    # The query goes in through CodeMirror's own API: typing would fight its auto-closed braces.
    editor.evaluate("(element, query) => element.CodeMirror.setValue(query)", QUERY)
    page.get_by_role("button", name="Execute query").click()
    result = page.locator(".graphiql-response")
    result.get_by_text('"userCodeMinLength"').wait_for()
    screenshot(page, "graphiql")

    answer = " ".join(result.inner_text().replace("\xa0", " ").split())
    assert '"userCodeMinLength": 5' in answer
    assert offline.requests, "the page made no request at all"
    assert all(urlsplit(url).hostname == HOST for url in offline.requests), offline.requests
    assert offline.refused == []
    assert any("/static/graphiql/graphiql-" in url for url in offline.requests)
    assert csp_violations(page) == []
    assert offline.page_errors == []
