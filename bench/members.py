"""The members the benchmark signs in, the requests it sends, and the SQL each one costs.

Members register through the API and sign in through it too (bearer tokens, channel MOBILE),
with the real app in this process over ``httpx.ASGITransport``; the ten-file member's nine
other files are linked directly with the gateway's models, as linking through the API would
need nine registry certificates with one date of birth. SQL statements are counted here as
well, from Tortoise's debug log, on the same database the server then uses: the server's own
logs cap Tortoise at INFO.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from tortoise.backends.base.executor import EXECUTOR_CACHE

from gateway.registration import identity_proved
from gateway.settings import Settings
from gateway.text import canonical_number, canonical_user_code
from models.accounts import Account, AccountCertificate
from server.app import create_app
from server.persisted import query_hash
from store import registry
from store.statement_log import collecting_statements

PASSWORD = "Erable!2024"  # noqa: S105 - the benchmark members' throwaway password
ONE_FILE_CODE = "benchOneFile"
TEN_FILES_CODE = "benchTenFiles"
# Sign-ins spread over many members, as real ones are: the attempt ledger makes attempts for
# one user code beyond its threshold wait for each other's outcome (docs/SECURITY.md).
SIGN_IN_MEMBERS = 64
SIGN_IN_CODES = [f"benchSignIn{n}" for n in range(SIGN_IN_MEMBERS)]
TEN = 10

HELLO_QUERY = "{ hello }"
VIEWER_QUERY = (
    "query Viewer { viewer { insuranceFiles { id contractNumber certificateNumber productLine "
    "sponsorName planName status info { memberName effectiveDate terminationDate "
    "coverages { benefit tier } onlineFeatures } } session { status } } }"
)
SIGN_IN_MUTATION = (
    "mutation SignIn($input: SignInInput!) { signIn(input: $input) { token "
    "session { status } insuranceFiles { id contractNumber } errors { code message } } }"
)
REGISTER_MUTATION = (
    "mutation Register($input: RegisterInput!) { register(input: $input) { userCode "
    "errors { code field message } } }"
)

# What every good answer contains; the load clients count the others as bad.
HELLO_EXPECT = '"hello":"world"'
VIEWER_EXPECT = '"session":{"status":"ACTIVE"}'
MUTATION_EXPECT = '"errors":[]'


@dataclass(frozen=True)
class RegistryCertificate:
    contract_number: str
    number: str
    date_of_birth: str


@dataclass(frozen=True)
class Picks:
    """Certificates of the generated registry, each used once per database."""

    one_file: RegistryCertificate
    ten_files: list[RegistryCertificate]
    sign_in: list[RegistryCertificate]
    register_probes: list[RegistryCertificate]  # two: one to warm up, one to count SQL
    register_pool: list[RegistryCertificate]  # for the register load

    def register_bodies(self, warmup: int, measured: int) -> tuple[list[str], list[str]]:
        """Fresh certificates for the warm-up and the measured register load."""
        if warmup + measured > len(self.register_pool):
            raise ValueError(
                f"the registry has {len(self.register_pool)} spare certificates; "
                f"{warmup + measured} are needed: generate more (--certificates)"
            )
        bodies = [register_body(c) for c in self.register_pool[: warmup + measured]]
        return bodies[:warmup], bodies[warmup:]


def pick_certificates(registry: Path) -> Picks:
    """Active group-insurance certificates with coverages, so that files have content;
    the ten files come from ten contracts."""
    document = json.loads(registry.read_text(encoding="utf-8"))
    rich: list[RegistryCertificate] = []
    contracts_seen: set[str] = set()
    ten_files: list[RegistryCertificate] = []
    pool: list[RegistryCertificate] = []
    for contract in document["contracts"]:
        for raw in contract["certificates"]:
            if raw["status"] != "ACTIVE":
                continue
            certificate = RegistryCertificate(contract["number"], raw["number"], raw["dateOfBirth"])
            wanted = contract["productLine"] == "GROUP_INSURANCE" and len(raw["coverages"]) >= 2
            if wanted and len(ten_files) < TEN and contract["number"] not in contracts_seen:
                contracts_seen.add(contract["number"])
                ten_files.append(certificate)
            elif wanted and len(rich) < 2:
                rich.append(certificate)
            else:
                pool.append(certificate)
    spare = 2 + SIGN_IN_MEMBERS
    if len(ten_files) < TEN or len(rich) < 1 or len(pool) < spare + 1:
        raise ValueError(f"{registry}: too few active certificates; generate more")
    return Picks(
        one_file=rich[0],
        ten_files=ten_files,
        sign_in=pool[2:spare],
        register_probes=pool[:2],
        register_pool=pool[spare:],
    )


def graphql_body(
    query: str | None,
    *,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
    persisted_hash: str | None = None,
) -> str:
    body: dict[str, Any] = {}
    if query is not None:
        body["query"] = query
    if operation_name is not None:
        body["operationName"] = operation_name
    if variables is not None:
        body["variables"] = variables
    if persisted_hash is not None:
        body["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": persisted_hash}}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


HELLO_BODY = graphql_body(HELLO_QUERY)
VIEWER_BODY = graphql_body(VIEWER_QUERY, operation_name="Viewer")
VIEWER_HASH = query_hash(VIEWER_QUERY)
# Apollo's protocol: the hash alone; the first time, the hash and the document.
APQ_BODY = graphql_body(None, operation_name="Viewer", persisted_hash=VIEWER_HASH)
APQ_REGISTER_BODY = graphql_body(VIEWER_QUERY, operation_name="Viewer", persisted_hash=VIEWER_HASH)


def sign_in_body(user_code: str) -> str:
    variables = {"input": {"userCode": user_code, "password": PASSWORD, "channel": "MOBILE"}}
    return graphql_body(SIGN_IN_MUTATION, operation_name="SignIn", variables=variables)


def register_body(certificate: RegistryCertificate, user_code: str | None = None) -> str:
    code = user_code or f"bench{certificate.number}"
    variables = {
        "input": {
            "contractNumber": certificate.contract_number,
            "certificateNumber": certificate.number,
            "dateOfBirth": certificate.date_of_birth,
            "userCode": code,
            "password": PASSWORD,
            "passwordConfirmation": PASSWORD,
            "passwordHint": "la cabane à sucre",
            "mothersFirstName": "Marie-Ève",
            "channel": "MOBILE",
        }
    }
    return graphql_body(REGISTER_MUTATION, operation_name="Register", variables=variables)


def bearer(token: str) -> str:
    return f"Bearer {token}"


@dataclass(frozen=True)
class Prepared:
    """Signed-in members with ACTIVE sessions, and the SQL of one request of each kind."""

    one_file_token: str
    ten_files_token: str
    sql: dict[str, list[str]]  # load key -> the statements of one request


class _Api:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(self, body: str, token: str | None = None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = bearer(token)
        response = await self.http.post("/graphql", content=body.encode(), headers=headers)
        answer: dict[str, Any] = response.json()
        if response.status_code != 200 or answer.get("errors"):
            raise RuntimeError(f"{body[:80]}...: {response.status_code} {answer}")
        data: dict[str, Any] = answer["data"]
        return data

    async def mutate(self, body: str, field: str, token: str | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = (await self.post(body, token))[field]
        if payload["errors"]:
            raise RuntimeError(f"{field}: {payload['errors']}")
        return payload

    async def sign_in(self, user_code: str) -> str:
        token: str = (await self.mutate(sign_in_body(user_code), "signIn"))["token"]
        return token

    async def viewer(self, token: str) -> dict[str, Any]:
        viewer: dict[str, Any] = (await self.post(VIEWER_BODY, token))["viewer"]
        return viewer

    async def make_active(self, token: str, agreement_version: str) -> None:
        """Choose the first file when asked (R11), then accept the agreement (R12)."""
        viewer = await self.viewer(token)
        if viewer["session"]["status"] == "FILE_SELECTION_REQUIRED":
            file_id = json.dumps(viewer["insuranceFiles"][0]["id"])
            select = (
                f"mutation {{ selectInsuranceFile(fileId: {file_id}) {{ errors {{ code }} }} }}"
            )
            await self.mutate(graphql_body(select), "selectInsuranceFile", token)
        accept = (
            f"mutation {{ acceptUsageAgreement(version: {json.dumps(agreement_version)}) "
            "{ errors { code } } }"
        )
        await self.mutate(graphql_body(accept), "acceptUsageAgreement", token)

    async def sql_of(self, body: str, token: str | None = None) -> list[str]:
        with collecting_statements() as statements:
            await self.post(body, token)
        return statements


async def _link_files(user_code: str, certificates: list[RegistryCertificate]) -> None:
    account = await Account.get(user_code_canonical=canonical_user_code(user_code))
    for item in certificates:
        read = registry.certificate_by_numbers(
            canonical_number(item.contract_number), canonical_number(item.number)
        )
        certificate = identity_proved(await read(), date.fromisoformat(item.date_of_birth))
        if certificate is None:
            raise RuntimeError(f"certificate {item} is not in the registry")
        await AccountCertificate.create(account_id=account.id, certificate_id=certificate.id)


async def prepare(settings: Settings, picks: Picks) -> Prepared:
    """Register and sign in the members on a migrated, loaded database; count SQL."""
    EXECUTOR_CACHE.clear()  # Tortoise caches SQL per connection name, not per dialect
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as http,
    ):
        api = _Api(http)
        await api.mutate(register_body(picks.one_file, ONE_FILE_CODE), "register")
        await api.mutate(register_body(picks.ten_files[0], TEN_FILES_CODE), "register")
        for certificate, user_code in zip(picks.sign_in, SIGN_IN_CODES, strict=True):
            await api.mutate(register_body(certificate, user_code), "register")
        await _link_files(TEN_FILES_CODE, picks.ten_files[1:])

        agreement = await api.post(graphql_body("{ usageAgreement { version } }"))
        version: str = agreement["usageAgreement"]["version"]
        tokens = {}
        for user_code, files in ((ONE_FILE_CODE, 1), (TEN_FILES_CODE, TEN)):
            token = await api.sign_in(user_code)
            await api.make_active(token, version)
            viewer = await api.viewer(token)
            if viewer["session"]["status"] != "ACTIVE" or len(viewer["insuranceFiles"]) != files:
                raise RuntimeError(f"{user_code}: unexpected viewer {viewer}")
            tokens[user_code] = token

        # One request of each kind first (caches, lazy set-up), then the one counted.
        one, ten = tokens[ONE_FILE_CODE], tokens[TEN_FILES_CODE]
        await api.post(APQ_REGISTER_BODY, one)
        await api.sign_in(SIGN_IN_CODES[0])
        await api.mutate(register_body(picks.register_probes[0]), "register")
        sql = {
            "viewer-1": await api.sql_of(VIEWER_BODY, one),
            "viewer-10": await api.sql_of(VIEWER_BODY, ten),
            "viewer-apq": await api.sql_of(APQ_BODY, one),
            "sign-in": await api.sql_of(sign_in_body(SIGN_IN_CODES[1])),
            "register": await api.sql_of(register_body(picks.register_probes[1])),
        }
    return Prepared(one_file_token=one, ten_files_token=ten, sql=sql)
