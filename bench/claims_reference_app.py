"""The ceiling of a claim with its receipt: the same two requests, with none of their writes.

Bare Strawberry on Starlette takes the receipt as the gateway does (a file of the GraphQL
multipart request spec, cleaned by ``gateway.receipt_content.clean_receipt`` in a thread: the
content sniffed, the image decoded and re-encoded without its metadata) and then the claim (the
same ``submitClaim`` document, parsed and validated against the same input shape), and answers
both with made-up ids. No sign-in (so no argon2), no session, no database, no outbox, no audit:
the ratio of the gateway's rate to this one is what storing and recording a claim costs.

    python bench/claims_reference_app.py --port 8002
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import uuid
from pathlib import Path

import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.file_uploads import Upload

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.receipt_content import clean_receipt

# As many receipts cleaned at once as the gateway allows (gateway/receipts.py).
_cleaning = asyncio.Semaphore(2)


@strawberry.type
class Receipt:
    id: strawberry.ID
    content_type: str
    size_bytes: int


@strawberry.type
class Claim:
    id: strawberry.ID
    status: str


@strawberry.type
class UserError:
    code: str


@strawberry.type
class ReceiptPayload:
    receipt: Receipt | None
    errors: list[UserError]


@strawberry.type
class ClaimPayload:
    claim: Claim | None
    errors: list[UserError]


@strawberry.input
class ClaimLineInput:
    service_type: str
    service_date: str
    amount_cents: int
    other_plan_paid_cents: int = 0


@strawberry.input
class SubmitClaimInput:
    idempotency_key: str
    category: str
    patient_id: strawberry.ID
    provider_name: str
    lines: list[ClaimLineInput]
    receipt_ids: list[strawberry.ID]


def _clean(data: bytes) -> tuple[str, int]:
    with tempfile.NamedTemporaryFile(suffix=".upload") as spooled:
        spooled.write(data)
        spooled.flush()
        clean = clean_receipt(Path(spooled.name))
    return clean.content_type, len(clean.data)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def upload_receipt(self, file: Upload) -> ReceiptPayload:
        data = await file.read()  # type: ignore[attr-defined]
        async with _cleaning:
            content_type, size = await asyncio.to_thread(_clean, data)
        receipt = Receipt(
            id=strawberry.ID(str(uuid.uuid4())), content_type=content_type, size_bytes=size
        )
        return ReceiptPayload(receipt=receipt, errors=[])

    @strawberry.mutation
    def submit_claim(self, input: SubmitClaimInput) -> ClaimPayload:
        return ClaimPayload(
            claim=Claim(id=strawberry.ID(input.idempotency_key), status="SUBMITTED"), errors=[]
        )


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


def create_app() -> Starlette:
    schema = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[lambda: ParserCache(maxsize=512), lambda: ValidationCache(maxsize=512)],
    )
    graphql_app: GraphQL[None, None] = GraphQL(schema, multipart_uploads_enabled=True)
    return Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["POST"]),
            Route("/ready", lambda _: PlainTextResponse("ready"), methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    arguments = parser.parse_args()
    uvicorn.run(
        "claims_reference_app:create_app",
        app_dir=str(Path(__file__).resolve().parent),
        factory=True,
        access_log=False,
        host=arguments.host,
        port=arguments.port,
        log_level="info",
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
