"""The gateway's own secret: it keys the attempt ledger's digests (and, later, signed ids).

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
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from gateway.settings import Settings
from models.attempts import ServerSecret

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
                    secret = self._configured or await _stored_key()
                    self._key = secret.encode("utf-8")
        return self._key

    async def digest(self, purpose: str, value: str) -> str:
        """HMAC-SHA-256 of ``value`` for one ``purpose``: digests of one purpose never match
        another's, and without the key nobody can test a guess against them."""
        message = f"{purpose}\x00{value}".encode("utf-8", "surrogatepass")
        return hmac.new(await self.key(), message, hashlib.sha256).hexdigest()


async def _stored_key() -> str:
    """Made once per database; two processes racing at first start agree on the first."""
    stored = await ServerSecret.get_or_none(name=_NAME)
    if stored is None:
        try:
            stored = await ServerSecret.create(
                name=_NAME, value=secrets.token_urlsafe(48), created_at=datetime.now(UTC)
            )
        except IntegrityError:
            stored = await ServerSecret.get(name=_NAME)
    return stored.value
