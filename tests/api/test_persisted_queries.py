"""Automatic persisted queries and the safelist mode (issue 7)."""

import json
from pathlib import Path

import httpx
import pytest

from gateway.settings import SettingsError
from server.persisted import query_hash
from server.settings import load_server_settings as load_settings
from tests.support import ClientFactory

RULES = "{ registrationRules { userCodeMinLength } }"
OTHER = "{ registrationRules { passwordMinLength } }"


def persisted(digest: str, query: str | None = None) -> dict:
    body: dict = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    if query is not None:
        body["query"] = query
    return body


def code(response: httpx.Response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


async def test_the_apollo_protocol(client: httpx.AsyncClient):
    digest = query_hash(RULES)
    unknown = await client.post("/graphql", json=persisted(digest))
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    registered = await client.post("/graphql", json=persisted(digest, RULES))
    assert registered.json()["data"]["registrationRules"]["userCodeMinLength"] == 5
    by_hash = await client.post("/graphql", json=persisted(digest))
    assert by_hash.json() == registered.json()
    extensions = json.dumps(persisted(digest)["extensions"])
    by_get = await client.get(
        "/graphql", params={"extensions": extensions}, headers={"Accept": "application/json"}
    )
    assert by_get.json()["data"]["registrationRules"]["userCodeMinLength"] == 5


async def test_a_hash_that_is_not_the_documents_is_refused(client: httpx.AsyncClient):
    response = await client.post("/graphql", json=persisted(query_hash(OTHER), RULES))
    assert code(response) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert code(await client.post("/graphql", json=persisted(query_hash(OTHER)))) == (
        "PERSISTED_QUERY_NOT_FOUND"
    )


async def test_the_cache_is_bounded(make_client: ClientFactory):
    async with make_client(persisted_query_cache_size=1) as client:
        await client.post("/graphql", json=persisted(query_hash(RULES), RULES))
        await client.post("/graphql", json=persisted(query_hash(OTHER), OTHER))
        evicted = await client.post("/graphql", json=persisted(query_hash(RULES)))
        assert code(evicted) == "PERSISTED_QUERY_NOT_FOUND"
        kept = await client.post("/graphql", json=persisted(query_hash(OTHER)))
        assert kept.json()["data"]["registrationRules"]["passwordMinLength"] == 8


async def test_safelist_mode_runs_only_listed_documents(make_client: ClientFactory, tmp_path: Path):
    manifest = tmp_path / "safelist.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {"id": query_hash(RULES), "body": RULES, "name": "Rules", "type": "query"}
                ],
            }
        ),
        encoding="utf-8",
    )
    async with make_client(persisted_queries_only=True, persisted_queries_file=manifest) as client:
        listed = await client.post("/graphql", json=persisted(query_hash(RULES)))
        assert listed.json()["data"]["registrationRules"]["userCodeMinLength"] == 5
        as_text = await client.post("/graphql", json={"query": RULES})
        assert as_text.json()["data"]["registrationRules"]["userCodeMinLength"] == 5
        other = await client.post("/graphql", json={"query": OTHER})
        assert code(other) == "PERSISTED_QUERY_NOT_ALLOWED"
        registering = await client.post("/graphql", json=persisted(query_hash(OTHER), OTHER))
        assert code(registering) == "PERSISTED_QUERY_NOT_ALLOWED"


def test_safelist_mode_needs_a_valid_file(tmp_path: Path):
    with pytest.raises(SettingsError, match="GATEWAY_PERSISTED_QUERIES_FILE"):
        load_settings({"GATEWAY_PERSISTED_QUERIES_ONLY": "true"})
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"0" * 64: RULES}), encoding="utf-8")
    with pytest.raises(SettingsError, match="not the sha256"):
        load_settings(
            {"GATEWAY_PERSISTED_QUERIES_ONLY": "true", "GATEWAY_PERSISTED_QUERIES_FILE": str(bad)}
        )
