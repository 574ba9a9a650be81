"""A receipt sent by a real client library (issue 18): apollo-upload-client, in Node, posts the
GraphQL multipart request to a real gateway process, and the receipt can be read back.

The client is installed from tests/system/upload_client/package-lock.json (``npm ci``).
"""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.api.claims_journey import png_bytes
from tests.api.journey import (
    ACCEPT,
    AGREEMENT_VERSION,
    GENEVIEVE,
    PASSWORD,
    REGISTER,
    SIGN_IN,
    registration,
)
from tests.support import node_project, running_gateway

CLIENT = Path(__file__).resolve().parent / "upload_client"


@pytest.fixture(scope="module")
def node() -> str:
    return node_project(CLIENT, "apollo-upload-client", "the apollo-upload-client test")


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[str]:
    with running_gateway(tmp_path, tmp_path / "server.log") as live:
        yield live.url


def gql(
    client: httpx.Client, query: str, variables: dict[str, Any] | None = None, token: str = ""
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def active_member(client: httpx.Client) -> str:
    """Geneviève registered on G81234/0004417, signed in on MOBILE, agreement accepted."""
    registered = gql(client, REGISTER, {"input": registration(GENEVIEVE, "GenCote86")})
    assert registered["register"]["errors"] == [], registered
    credentials = {"userCode": "GenCote86", "password": PASSWORD, "channel": "MOBILE"}
    signed_in = gql(client, SIGN_IN, {"input": credentials})["signIn"]
    assert signed_in["errors"] == [] and signed_in["token"], signed_in
    version = gql(client, AGREEMENT_VERSION)["usageAgreement"]["version"]
    accepted = gql(client, ACCEPT, {"version": version}, signed_in["token"])
    assert accepted["acceptUsageAgreement"]["session"]["status"] == "ACTIVE", accepted
    return str(signed_in["token"])


def upload(node: str, url: str, token: str, png: Path, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [node, "upload.mjs", f"{url}/graphql", token, str(png), *extra],
        cwd=CLIENT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_apollo_upload_client_sends_a_receipt(node: str, gateway: str, tmp_path: Path) -> None:
    content = png_bytes(64, 48)
    png = tmp_path / "receipt.png"
    png.write_bytes(content)
    with httpx.Client(base_url=gateway, timeout=30) as client:
        token = active_member(client)

        sent = upload(node, gateway, token, png)
        assert "error" not in sent, sent["error"]
        payload = sent["result"]["data"]["uploadReceipt"]
        assert payload["errors"] == [], payload
        receipt = payload["receipt"]
        assert receipt["contentType"] == "image/png"
        assert receipt["sizeBytes"] == len(content) > 0
        assert receipt["id"] and receipt["uploadedAt"]

        pending = gql(client, "{ viewer { pendingReceipts { id } } }", token=token)
        assert [r["id"] for r in pending["viewer"]["pendingReceipts"]] == [receipt["id"]]

        stored = client.get(
            f"/receipts/{receipt['id']}", headers={"Authorization": f"Bearer {token}"}
        )
        assert stored.status_code == 200, stored.text
        assert stored.content == content
        with Image.open(io.BytesIO(stored.content)) as image:
            assert (image.format, image.size) == ("PNG", (64, 48))

        refused = upload(node, gateway, token, png, "--no-preflight")
        assert "result" not in refused, refused["result"]
        error = refused["error"]
        assert (error["name"], error["statusCode"]) == ("ServerError", 400), error
        body = json.loads(error["bodyText"])
        assert body["errors"][0]["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"
        pending = gql(client, "{ viewer { pendingReceipts { id } } }", token=token)
        assert len(pending["viewer"]["pendingReceipts"]) == 1
