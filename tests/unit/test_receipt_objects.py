"""The S3 receipt store against a real S3 server on loopback (moto in server mode)."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from store.receipt_objects import (
    ObjectStoreUnavailable,
    ReceiptStore,
    S3Location,
    S3ReceiptStore,
    parse_s3_url,
)

BUCKET = "receipts"
SECRET = "s3cr3t-Value-that-must-not-leak"
SHORT = 0.5  # seconds: the timeout given to stores that cannot succeed
# The outer deadline is 3 x timeout; the slack only absorbs a slow CI machine's scheduling.
BOUND = 3 * SHORT + 0.5


@pytest.fixture(autouse=True)
def _no_ambient_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's AWS_* settings must not steer these tests, and a store that finds no
    credentials must not go looking for EC2 instance metadata off this machine."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_METADATA_ENDPOINT", "http://127.0.0.1:9")


def _start_moto() -> tuple[ThreadedMotoServer, str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server, url = _start_moto()
    _boto(url).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


def _boto(url: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def s3(endpoint: str) -> Any:
    return _boto(endpoint)


@pytest.fixture
def prefix() -> str:
    """Each test its own corner of the shared bucket."""
    return f"t{uuid.uuid4().hex[:12]}/receipts"


def _store(
    url: str, prefix: str = "", bucket: str = BUCKET, timeout: float = 5.0
) -> S3ReceiptStore:
    return S3ReceiptStore(
        S3Location(bucket, prefix),
        endpoint=url,
        region="us-east-1",
        access_key_id="testing",
        secret_access_key=SECRET,
        timeout_seconds=timeout,
    )


@pytest.fixture
def store(endpoint: str, prefix: str) -> S3ReceiptStore:
    return _store(endpoint, prefix)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_bytes_come_back_as_they_went_in(store: S3ReceiptStore):
    data = bytes(range(256)) * 4
    await store.put("r1", data, "application/pdf")
    assert await store.get("r1") == data
    await store.put("r1", b"replaced", "application/pdf")
    assert await store.get("r1") == b"replaced"


async def test_a_ten_megabyte_receipt_round_trips(store: S3ReceiptStore):
    data = os.urandom(10 * 1024 * 1024)
    await store.put("big", data, "image/jpeg")
    assert await store.get("big") == data


async def test_the_content_type_is_stored(store: S3ReceiptStore, s3: Any, prefix: str):
    await store.put("scan.1", b"%PDF-1.7", "application/pdf")
    await store.put("photo-2", b"\xff\xd8\xff", "image/jpeg")
    assert s3.head_object(Bucket=BUCKET, Key=f"{prefix}/scan.1")["ContentType"] == "application/pdf"
    assert s3.head_object(Bucket=BUCKET, Key=f"{prefix}/photo-2")["ContentType"] == "image/jpeg"


async def test_an_absent_key_reads_as_none(store: S3ReceiptStore):
    assert await store.get("never-written") is None


async def test_delete_is_idempotent(store: S3ReceiptStore):
    await store.put("gone", b"x", "image/png")
    await store.delete("gone")
    assert await store.get("gone") is None
    await store.delete("gone")
    await store.delete("never-written")


async def test_keys_live_under_the_prefix(endpoint: str, s3: Any, prefix: str):
    await _store(endpoint, prefix).put("abc_1", b"x", "image/png")
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix.split("/")[0])
    assert [o["Key"] for o in listed["Contents"]] == [f"{prefix}/abc_1"]

    root_key = f"root-{uuid.uuid4().hex}"
    await _store(endpoint, "").put(root_key, b"y", "image/png")
    assert s3.get_object(Bucket=BUCKET, Key=root_key)["Body"].read() == b"y"


@pytest.mark.parametrize(
    "key", ["", ".", "..", "a/b", "../etc", "a b", "ä", "a%2Fb", "a\n", "k?x", "x" * 256]
)
async def test_keys_outside_the_safe_alphabet_are_refused(store: S3ReceiptStore, key: str):
    with pytest.raises(ValueError, match="receipt key"):
        await store.put(key, b"x", "image/png")
    with pytest.raises(ValueError, match="receipt key"):
        await store.get(key)
    with pytest.raises(ValueError, match="receipt key"):
        await store.delete(key)


@pytest.mark.parametrize("content_type", ["", " image/png", "image/png\r\nX-Injected: 1", "bild/ä"])
async def test_a_content_type_that_is_no_header_value_is_refused(
    store: S3ReceiptStore, content_type: str
):
    with pytest.raises(ValueError, match="content type"):
        await store.put("r1", b"x", content_type)


@pytest.mark.parametrize(
    ("url", "bucket", "prefix"),
    [
        ("s3://receipts", "receipts", ""),
        ("s3://receipts/", "receipts", ""),
        ("s3://receipts/member-files", "receipts", "member-files"),
        ("s3://receipts/a/b.c/d_e/", "receipts", "a/b.c/d_e"),
        ("s3://my.receipts-2026/p", "my.receipts-2026", "p"),
        ("s3://abc/X", "abc", "X"),
        ("s3://" + "a" * 63, "a" * 63, ""),
    ],
)
def test_s3_urls_that_are_accepted(url: str, bucket: str, prefix: str):
    assert parse_s3_url(url) == S3Location(bucket, prefix)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "receipts",
        "s3:/receipts",
        "S3://receipts",
        "s3a://receipts",
        "https://s3.amazonaws.com/receipts",
        "file:///tmp/receipts",
        "s3://",
        "s3:///prefix",
        "s3://ab",
        "s3://" + "a" * 64,
        "s3://Receipts",
        "s3://receipts_1",
        "s3://-receipts",
        "s3://receipts-",
        "s3://re..ceipts",
        "s3://192.168.1.10",
        "s3://xn--receipts",
        "s3://receipts-s3alias",
        "s3://receipts:9000/p",
        "s3://receipts?versioning=1",
        "s3://receipts/p?x=1",
        "s3://receipts/p#frag",
        "s3://receipts//p",
        "s3://receipts/a//b",
        "s3://receipts/a/../b",
        "s3://receipts/./b",
        "s3://receipts/a b",
        "s3://receipts/p//",
        " s3://receipts",
    ],
)
def test_s3_urls_that_are_refused(url: str):
    with pytest.raises(ValueError, match=r"receipt store URL|S3 bucket|S3 prefix"):
        parse_s3_url(url)


def test_a_url_carrying_credentials_is_refused_without_echoing_them():
    with pytest.raises(ValueError, match="credentials") as caught:
        parse_s3_url(f"s3://AKIAEXAMPLE:{SECRET}@receipts/p")
    assert SECRET not in str(caught.value)


def test_a_location_is_checked_however_it_is_made():
    with pytest.raises(ValueError, match="S3 prefix"):
        S3Location("receipts", "/leading")
    with pytest.raises(ValueError, match="S3 bucket"):
        S3Location("", "")


def test_settings_that_cannot_work_are_refused_up_front(endpoint: str):
    location = S3Location(BUCKET, "")
    with pytest.raises(ValueError, match="both"):
        S3ReceiptStore(location, endpoint=endpoint, access_key_id="testing")
    with pytest.raises(ValueError, match="both"):
        S3ReceiptStore(location, endpoint=endpoint, secret_access_key=SECRET)
    with pytest.raises(ValueError, match="http"):
        S3ReceiptStore(location, endpoint="ftp://127.0.0.1:21")
    with pytest.raises(ValueError, match="positive"):
        S3ReceiptStore(location, endpoint=endpoint, timeout_seconds=0)


async def test_endpoint_region_and_credentials_come_from_the_aws_variables(
    endpoint: str, prefix: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)  # http://: plain http allowed for it
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    store = S3ReceiptStore(S3Location(BUCKET, prefix))
    await store.put("env", b"from the environment", "text/plain")
    assert await store.get("env") == b"from the environment"


async def test_an_explicit_endpoint_beats_the_s3_endpoint_variable(
    endpoint: str, prefix: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{_free_port()}")
    store = _store(endpoint, prefix, timeout=SHORT)
    await store.put("explicit", b"x", "image/png")


async def _assert_unavailable_soon(store: ReceiptStore) -> None:
    for call in (
        lambda: store.put("r1", b"x", "image/png"),
        lambda: store.get("r1"),
        lambda: store.delete("r1"),
    ):
        started = time.monotonic()
        with pytest.raises(ObjectStoreUnavailable) as caught:
            await call()
        assert time.monotonic() - started < BOUND
        # obstore's own timeout and bounded retries ended it; the outer deadline is a backstop.
        assert "no answer within" not in str(caught.value)
        assert SECRET not in str(caught.value)
        assert caught.value.__cause__ is None and caught.value.__suppress_context__


async def test_nothing_listening_is_unavailable_within_the_deadline():
    await _assert_unavailable_soon(_store(f"http://127.0.0.1:{_free_port()}", timeout=SHORT))


async def test_a_server_that_never_answers_is_unavailable_within_the_deadline():
    # The kernel completes connections into the backlog; nobody ever reads or replies.
    with socket.create_server(("127.0.0.1", 0), backlog=64) as silent:
        port = silent.getsockname()[1]
        await _assert_unavailable_soon(_store(f"http://127.0.0.1:{port}", timeout=SHORT))


async def test_a_stopped_server_is_unavailable():
    server, url = _start_moto()
    _boto(url).create_bucket(Bucket=BUCKET)
    store = _store(url, "stopped", timeout=SHORT)
    await store.put("r1", b"x", "image/png")
    server.stop()
    await _assert_unavailable_soon(store)


async def test_a_missing_bucket_is_unavailable_not_absent(endpoint: str):
    store = _store(endpoint, bucket=f"missing-{uuid.uuid4().hex[:8]}")
    with pytest.raises(ObjectStoreUnavailable, match="404"):
        await store.get("r1")
    with pytest.raises(ObjectStoreUnavailable):
        await store.delete("r1")
    with pytest.raises(ObjectStoreUnavailable):
        await store.put("r1", b"x", "image/png")


def test_the_secret_is_not_in_the_stores_repr(endpoint: str):
    assert SECRET not in repr(_store(endpoint))
