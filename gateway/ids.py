"""Opaque, tamper-evident ids: clients hold them without learning row numbers, counting them,
or making up another member's.

An id is the row's number with an HMAC over its kind and number, under the server key: an id
edited by hand, or of one kind given as another, is simply not found. A cursor seals its
position the same way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from enum import Enum

from gateway.server_key import ServerKey

_MAC_BYTES = 12
_NUMBER_BYTES = 4
# The rows are numbered by 32-bit integer columns: nothing above this names a row.
_LARGEST_NUMBER = 2**31 - 1
_LONGEST_ID = 64
_LONGEST_CURSOR = 1024


class IdKind(Enum):
    SESSION = "Session"
    INSURANCE_FILE = "InsuranceFile"
    INSURED_MEMBER = "InsuredPerson:member"
    DEPENDENT = "InsuredPerson:dependent"
    RECEIPT = "Receipt"
    CLAIM = "Claim"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


class OpaqueIds:
    def __init__(self, server_key: ServerKey) -> None:
        self.server_key = server_key

    async def ready(self) -> None:
        """The key read (from the settings or the database) before any id is made."""
        await self.server_key.key()

    def _mac(self, purpose: str, payload: bytes) -> bytes:
        message = purpose.encode() + b"\x00" + payload
        return hmac.new(self.server_key.loaded(), message, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, kind: IdKind, number: int) -> str:
        payload = number.to_bytes(_NUMBER_BYTES, "big")
        return _b64(payload + self._mac(kind.value, payload))

    def decode(self, kind: IdKind, value: str) -> int | None:
        """The row number, or None for anything this server did not make for this kind."""
        if not isinstance(value, str) or len(value) > _LONGEST_ID:
            return None
        raw = _unb64(value)
        if raw is None or len(raw) != _NUMBER_BYTES + _MAC_BYTES:
            return None
        payload, mac = raw[:_NUMBER_BYTES], raw[_NUMBER_BYTES:]
        if not hmac.compare_digest(mac, self._mac(kind.value, payload)):
            return None
        number = int.from_bytes(payload, "big")
        return number if 0 < number <= _LARGEST_NUMBER else None

    def seal(self, purpose: str, payload: bytes) -> str:
        return f"{_b64(payload)}.{_b64(self._mac(purpose, payload))}"

    def unseal(self, purpose: str, sealed: str) -> bytes | None:
        """The payload of a cursor this server sealed for ``purpose``; None otherwise."""
        if not isinstance(sealed, str) or len(sealed) > _LONGEST_CURSOR:
            return None
        encoded, _, encoded_mac = sealed.partition(".")
        payload, mac = _unb64(encoded), _unb64(encoded_mac)
        if payload is None or mac is None:
            return None
        return payload if hmac.compare_digest(mac, self._mac(purpose, payload)) else None
