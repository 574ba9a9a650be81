"""Persisted queries: clients send a hash instead of the document.

Automatic persisted queries are the protocol Apollo clients speak: send the sha256 alone,
get ``PersistedQueryNotFound``, send hash and document once, then the hash alone. In safelist
mode only the documents of a file are executed at all, which is how a production mobile app
keeps anyone from sending the gateway a query it never shipped.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from gateway.bounded import BoundedCache


class SafelistError(ValueError):
    """The safelist file cannot be used; the message says why."""


def query_hash(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


def load_safelist(path: Path) -> dict[str, str]:
    """Either Apollo's persisted-query manifest or a JSON object from sha256 to document."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SafelistError(f"{path}: cannot read it as JSON ({error})") from None
    if isinstance(document, dict) and isinstance(document.get("operations"), list):
        pairs = [(op.get("id"), op.get("body")) for op in document["operations"]]
    elif isinstance(document, dict):
        pairs = list(document.items())
    else:
        raise SafelistError(f"{path}: expected a manifest or an object of hash to document")
    safelist = {}
    for digest, query in pairs:
        if not isinstance(digest, str) or not isinstance(query, str):
            raise SafelistError(f"{path}: every entry needs a hash and a document")
        if query_hash(query) != digest.lower():
            raise SafelistError(f"{path}: {digest} is not the sha256 of its document")
        safelist[digest.lower()] = query
    return safelist


class PersistedQueries:
    """The documents this process knows by hash: the safelist, or a cache bounded in entries
    and bytes."""

    def __init__(
        self, max_entries: int, max_bytes: int, safelist: dict[str, str] | None = None
    ) -> None:
        self.safelist = safelist
        self._cache: BoundedCache[str] = BoundedCache(max_entries, max_bytes)

    def lookup(self, digest: str) -> str | None:
        if self.safelist is not None:
            return self.safelist.get(digest)
        return self._cache.get(digest)

    def register(self, digest: str, query: str) -> bool:
        """Remember a document under its hash; False when the hash is not the document's."""
        if query_hash(query) != digest:
            return False
        if self.safelist is None:
            self._cache.put(digest, query, len(query) + len(digest))
        return True

    def allows(self, query: str) -> bool:
        return self.safelist is None or query_hash(query) in self.safelist
