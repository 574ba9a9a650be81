"""The key that seals personal data at rest (a bank account number): AES-256-GCM keys by id.

The first of ``GATEWAY_DATA_KEY`` seals, every one opens, so a key can be rotated. Without the
setting, a key made at first start is kept in the database, like the server key: the embedded
default works with nothing to set, and whoever reads the database then reads the key too
(docs/SECURITY.md says when that matters).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.settings import Settings
from store import secrets as stored_secrets

_STORED_KEY_ID = "db"
_STORED_KEY_NAME = "data_key"


class DataKeys:
    def __init__(self, settings: Settings) -> None:
        self._configured = [(key_id, _derive(secret)) for key_id, secret in settings.data_key]
        self._stored: bytes | None = None
        self._loading = asyncio.Lock()

    async def _keys(self) -> list[tuple[str, bytes]]:
        if self._configured:
            return self._configured
        if self._stored is None:
            async with self._loading:
                if self._stored is None:
                    secret = await stored_secrets.get_or_create(
                        _STORED_KEY_NAME, secrets.token_urlsafe(48)
                    )
                    self._stored = _derive(secret)
        return [(_STORED_KEY_ID, self._stored)]

    async def seal(self, plain: str, context: str) -> str:
        key_id, key = (await self._keys())[0]
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, plain.encode(), context.encode())
        return ":".join([key_id, _b64(nonce), _b64(sealed)])

    async def open(self, sealed: str, context: str) -> str:
        """``context`` must be the one it was sealed with: a value copied to another account's
        row does not open there."""
        key_id, _, rest = sealed.partition(":")
        nonce, _, ciphertext = rest.partition(":")
        for known_id, key in await self._keys():
            if known_id == key_id:
                try:
                    plain = AESGCM(key).decrypt(
                        base64.urlsafe_b64decode(nonce),
                        base64.urlsafe_b64decode(ciphertext),
                        context.encode(),
                    )
                except InvalidTag:
                    raise ValueError("sealed value does not open under its key") from None
                return plain.decode()
        raise ValueError(f"no data key {key_id!r} in GATEWAY_DATA_KEY")


def _derive(secret: str) -> bytes:
    return hashlib.sha256(f"gateway data key\x00{secret}".encode()).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")
