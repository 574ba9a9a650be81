"""A member's claim steps through the API (R13, R17), written once for the claims tests."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from PIL import Image

from tests.api.journey import ERRORS, GENEVIEVE, gql, register, sign_in_active

RECEIPT_FIELDS = "id contentType sizeBytes uploadedAt"
CLAIM_FIELDS = f"""
  id reference category status providerName totalCents submittedAt
  patient {{ id firstName lastName relationship }}
  lines {{ serviceType serviceDate amountCents otherPlanPaidCents }}
  receipts {{ {RECEIPT_FIELDS} }}
  decision {{ eligibleCents paidCents reason decidedAt }}
"""
UPLOAD = f"""mutation Upload($file: Upload!) {{
  uploadReceipt(file: $file) {{ receipt {{ {RECEIPT_FIELDS} }} {ERRORS} }}
}}"""
SUBMIT = f"""mutation Submit($input: SubmitClaimInput!) {{
  submitClaim(input: $input) {{ claim {{ {CLAIM_FIELDS} }} {ERRORS} }}
}}"""
PERSONS = "{ viewer { insuredPersons { id firstName lastName relationship } } }"
CLAIMS = f"""query Claims($first: Int, $after: String) {{
  viewer {{ claims(first: $first, after: $after) {{
    edges {{ cursor node {{ {CLAIM_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }}
  }} }}
}}"""
CLAIM = f"query Claim($id: ID!) {{ viewer {{ claim(id: $id) {{ {CLAIM_FIELDS} }} }} }}"
PREFLIGHT = {"Apollo-Require-Preflight": "true"}


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


async def upload_raw(
    client: httpx.AsyncClient,
    token: str,
    content: bytes,
    *,
    filename: str = "receipt.png",
    headers: dict[str, str] | None = None,
    query: str = UPLOAD,
) -> httpx.Response:
    """The GraphQL multipart request spec, as apollo-upload-client sends it."""
    operations = json.dumps({"query": query, "variables": {"file": None}})
    return await client.post(
        "/graphql",
        data={"operations": operations, "map": '{"0": ["variables.file"]}'},
        files={"0": (filename, content, "application/octet-stream")},
        headers={"Authorization": f"Bearer {token}", **(PREFLIGHT if headers is None else headers)},
    )


async def upload(
    client: httpx.AsyncClient, token: str, content: bytes | None = None
) -> dict[str, Any]:
    response = await upload_raw(client, token, content or png_bytes())
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["uploadReceipt"]


async def receipt_id(client: httpx.AsyncClient, token: str) -> str:
    payload = await upload(client, token)
    assert payload["errors"] == [], payload
    return str(payload["receipt"]["id"])


async def genevieve_active(client: httpx.AsyncClient) -> str:
    """Geneviève registered on G81234/0004417 (claims, history, deposit, card), signed in
    with an ACTIVE session."""
    registered = await register(client, GENEVIEVE, "GenCote86")
    assert registered["errors"] == [], registered
    return await sign_in_active(client, "GenCote86")


async def persons(client: httpx.AsyncClient, token: str) -> dict[str, str]:
    """Insured persons' ids by first name."""
    data = await gql(client, PERSONS, token=token)
    return {p["firstName"]: p["id"] for p in data["viewer"]["insuredPersons"]}


def claim_input(patient_id: str, receipts: list[str], **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "idempotencyKey": str(uuid.uuid4()),
        "category": "HEALTH",
        "patientId": patient_id,
        "providerName": "Clinique Physio Mauricie",
        "lines": [
            {
                "serviceType": "PHYSIOTHERAPY",
                "serviceDate": (date.today() - timedelta(days=3)).isoformat(),
                "amountCents": 9500,
            }
        ],
        "receiptIds": receipts,
    }
    values.update(overrides)
    return values


async def submit(client: httpx.AsyncClient, token: str, values: dict[str, Any]) -> dict[str, Any]:
    data = await gql(client, SUBMIT, {"input": values}, token=token)
    return data["submitClaim"]
