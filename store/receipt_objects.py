"""Receipt bytes in S3-compatible object storage (GATEWAY_RECEIPT_STORE=s3://bucket/prefix).

When no endpoint or credentials are passed, obstore reads them from the environment when the
store is built (object_store's `AmazonS3Builder::from_env`, which reads every `AWS_*` variable
that names one of its settings):

- credentials: AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN or AWS_TOKEN);
  if those are not set, AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN (EKS IRSA), then
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (ECS), then AWS_CONTAINER_CREDENTIALS_FULL_URI with
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (EKS Pod Identity), then EC2 instance metadata.
  AWS_PROFILE and ~/.aws/credentials / ~/.aws/config are *not* read.
- region: AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1.
- endpoint: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL or AWS_ENDPOINT (read here as well, since
  plain http is allowed only for an http:// endpoint).

Timeouts, retries and allow_http are always set here, so AWS_TIMEOUT, AWS_ALLOW_HTTP and the like
are overridden.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

import obstore
from obstore.exceptions import BaseError
from obstore.store import S3Store

if TYPE_CHECKING:
    from obstore.store import (
        ClientConfig,
        RetryConfig,
        S3Config,
        S3Credential,
        S3CredentialProvider,
    )

_KEY = re.compile(r"[A-Za-z0-9._-]{1,255}")
# A header value obstore can send: it panics on anything else instead of raising.
_CONTENT_TYPE = re.compile(r"[!-~][ -~]{0,254}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IPV4 = re.compile(r"\d+\.\d+\.\d+\.\d+")
_BUCKET_RESERVED_STARTS = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_RESERVED_ENDS = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_CONNECT_TIMEOUT_CAP = 3.0
# What obstore raises for a failed request; anything else is a bug here, not an outage.
_FAILURES = (BaseError, OSError)  # OSError: FileNotFoundError, TimeoutError
_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT")


class ReceiptStore(Protocol):
    """Where receipt bytes live; keys are opaque strings chosen by the caller (no '/' escaping
    games)."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...
    async def get(self, key: str) -> bytes | None: ...  # None when absent
    async def delete(self, key: str) -> None: ...  # absent is fine (idempotent)


class ObjectStoreUnavailable(Exception):
    """The object store did not answer or refused; the caller turns it into SERVICE_UNAVAILABLE."""


def _is_safe_segment(segment: str) -> bool:
    # "." and ".." would be resolved away by anything treating keys as paths.
    return _KEY.fullmatch(segment) is not None and segment not in {".", ".."}


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # "" or without leading/trailing slash

    def __post_init__(self) -> None:
        b = self.bucket
        if (
            _BUCKET.fullmatch(b) is None
            or ".." in b
            or _IPV4.fullmatch(b)
            or b.startswith(_BUCKET_RESERVED_STARTS)
            or b.endswith(_BUCKET_RESERVED_ENDS)
        ):
            raise ValueError(
                f"invalid S3 bucket name {b!r}: 3-63 characters of a-z, 0-9, '.' and '-', "
                "starting and ending with a letter or digit, no '..', not an IP address, "
                "no reserved prefix or suffix"
            )
        if self.prefix and not all(_is_safe_segment(s) for s in self.prefix.split("/")):
            raise ValueError(
                f"invalid S3 prefix {self.prefix!r}: '/'-separated segments of "
                "[A-Za-z0-9._-] (not '.' or '..'), without leading, trailing or double '/'"
            )


def parse_s3_url(url: str) -> S3Location:
    """`s3://bucket` or `s3://bucket/some/prefix` (one trailing '/' tolerated)."""
    if "@" in url:  # not echoed: the part before it would be a credential
        raise ValueError("receipt store URL must not carry credentials; use AWS_* variables")
    if not url.startswith("s3://"):
        raise ValueError(f"receipt store URL must look like s3://bucket/prefix, got {url!r}")
    rest = url.removeprefix("s3://")
    if "?" in rest or "#" in rest:
        raise ValueError(f"receipt store URL takes no query or fragment: {url!r}")
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise ValueError(f"receipt store URL names no bucket: {url!r}")
    return S3Location(bucket, prefix.removesuffix("/"))


class S3ReceiptStore:
    """A `ReceiptStore` in one bucket under one prefix, each call bounded by a deadline.

    Each HTTP request gets `timeout_seconds` in all (connect at most min(timeout, 3 s)); retries
    (at most 2: connection errors, 5xx, 408, 429) start only while less than `timeout_seconds`
    has passed, with backoff capped at a quarter of it, so a call ends within about
    2.25 x timeout; an outer asyncio deadline of 3 x timeout also covers fetching credentials.
    The whole object goes in one request (receipts are at most 10 MB), so it must transfer
    within `timeout_seconds`.
    """

    def __init__(
        self,
        location: S3Location,
        *,
        endpoint: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        timeout_seconds: float = 10.0,
    ) -> None:
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        if (access_key_id is None) != (secret_access_key is None):
            # Otherwise obstore would pair the given half with the other half from the env.
            raise ValueError("give both access_key_id and secret_access_key, or neither")
        endpoint = endpoint or next(
            (os.environ[v] for v in _ENDPOINT_VARIABLES if os.environ.get(v)), None
        )
        if endpoint is not None and not endpoint.startswith(("http://", "https://")):
            raise ValueError(f"S3 endpoint must be an http:// or https:// URL, got {endpoint!r}")
        self._location = location
        self._deadline = 3 * timeout_seconds
        self._secrets = [
            s
            for s in (
                secret_access_key,
                os.environ.get("AWS_SECRET_ACCESS_KEY"),
                os.environ.get("AWS_SESSION_TOKEN"),
                os.environ.get("AWS_TOKEN"),
            )
            if s
        ]
        config: S3Config = {"disable_bulk_delete": True}  # plain DELETE works on every S3 clone
        if endpoint is not None:
            config["aws_endpoint_url_s3"] = endpoint  # beats AWS_ENDPOINT_URL_S3 from the env
        if region is not None:
            config["region"] = region
        client: ClientConfig = {
            "allow_http": endpoint is not None and endpoint.startswith("http://"),
            "timeout": timedelta(seconds=timeout_seconds),
            "connect_timeout": timedelta(seconds=min(timeout_seconds, _CONNECT_TIMEOUT_CAP)),
        }
        retry: RetryConfig = {
            "max_retries": 2,
            "retry_timeout": timedelta(seconds=timeout_seconds),
            "backoff": {
                "init_backoff": timedelta(seconds=min(0.1, timeout_seconds / 10)),
                "max_backoff": timedelta(seconds=timeout_seconds / 4),
                "base": 2,
            },
        }
        provider: S3CredentialProvider | None = None
        if access_key_id is not None and secret_access_key is not None:
            # A provider rather than config keys: a stray AWS_SESSION_TOKEN must not join them.
            credential: S3Credential = {
                "access_key_id": access_key_id,
                "secret_access_key": secret_access_key,
                "token": None,
                "expires_at": None,
            }
            provider = lambda: credential  # noqa: E731
        self._store = S3Store(
            location.bucket,
            prefix=location.prefix or None,
            config=config,
            client_options=client,
            retry_config=retry,
            credential_provider=provider,
        )

    def __repr__(self) -> str:
        return f"S3ReceiptStore({self._location!r})"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        _check_key(key)
        if _CONTENT_TYPE.fullmatch(content_type) is None:
            raise ValueError(f"content type must be printable ASCII: {content_type!r}")
        try:
            async with asyncio.timeout(self._deadline):
                await obstore.put_async(
                    self._store,
                    key,
                    data,
                    attributes={"Content-Type": content_type},
                    use_multipart=False,
                )
        except _FAILURES as exc:
            raise self._unavailable("put", key, exc) from None

    async def get(self, key: str) -> bytes | None:
        _check_key(key)
        try:
            async with asyncio.timeout(self._deadline):
                result = await obstore.get_async(self._store, key)
                return bytes(await result.bytes_async())
        except _FAILURES as exc:
            if _is_absent_object(exc):
                return None
            raise self._unavailable("get", key, exc) from None

    async def delete(self, key: str) -> None:
        _check_key(key)
        try:
            async with asyncio.timeout(self._deadline):
                await obstore.delete_async(self._store, key)
        except _FAILURES as exc:
            if not _is_absent_object(exc):
                raise self._unavailable("delete", key, exc) from None

    def _unavailable(
        self, operation: str, key: str, exc: BaseError | OSError
    ) -> ObjectStoreUnavailable:
        """First line of obstore's message, secrets masked; `from None` keeps its full text (and
        whatever a future version puts there) out of tracebacks and logs."""
        if isinstance(exc, TimeoutError):
            detail = f"no answer within {self._deadline:g} s"
        else:
            first_line = str(exc).partition("\n")[0][:300]
            detail = f"{type(exc).__name__}: {first_line}"
            for secret in self._secrets:
                detail = detail.replace(secret, "***")
        return ObjectStoreUnavailable(
            f"object store {operation} of {key!r} in s3://{self._location.bucket} failed: {detail}"
        )


def _check_key(key: str) -> None:
    if not _is_safe_segment(key):
        raise ValueError(f"receipt key must be 1-255 characters of [A-Za-z0-9._-]: {key!r}")


def _is_absent_object(exc: BaseError | OSError) -> bool:
    # obstore reports a missing bucket as FileNotFoundError too; that is misconfiguration.
    return isinstance(exc, FileNotFoundError) and "<Code>NoSuchBucket</Code>" not in str(exc)
