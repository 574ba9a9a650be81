"""The gateway's own secret: it keys the attempt ledger's digests (and signed ids).

``GATEWAY_SECRET_KEY`` gives it. Without it, the first process to need it makes one and
stores it in the database, where every other process of the deployment finds it: the
embedded default works with nothing to set, at the price that whoever reads the database
also reads the key (docs/SECURITY.md says when that matters).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets

from gateway.settings import Settings
from store import secrets as stored_secrets

_NAME = "server_key"


class ServerKey:
    def __init__(self, settings: Settings) -> None:
        self._configured = settings.secret_key
        self._key: bytes | None = None
        self._loading = asyncio.Lock()

    async def key(self) -> bytes:
        if self._key is None:
            async with self._loading:
                if self._key is None:
                    secret = self._configured or await stored_secrets.get_or_create(
                        _NAME, secrets.token_urlsafe(48)
                    )
                    self._key = secret.encode("utf-8")
        return self._key

    def loaded(self) -> bytes:
        """The key, once ``key()`` has read it (ids are made in synchronous code)."""
        if self._key is None:
            raise RuntimeError("the server key is read at the first request; none came yet")
        return self._key

    async def digest(self, purpose: str, value: str) -> str:
        """HMAC-SHA-256 of ``value`` for one ``purpose``: digests of one purpose never match
        another's, and without the key nobody can test a guess against them."""
        message = f"{purpose}\x00{value}".encode("utf-8", "surrogatepass")
        return hmac.new(await self.key(), message, hashlib.sha256).hexdigest()
