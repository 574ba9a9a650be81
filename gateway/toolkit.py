"""What the flows that check a secret need besides the database, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.attempts import AttemptLedger
from gateway.hashing import Hasher
from gateway.ids import OpaqueIds
from gateway.server_key import ServerKey
from gateway.settings import Settings


@dataclass(frozen=True)
class Toolkit:
    settings: Settings
    hasher: Hasher
    ledger: AttemptLedger
    ids: OpaqueIds

    @classmethod
    def build(cls, settings: Settings) -> Toolkit:
        server_key = ServerKey(settings)
        return cls(
            settings, Hasher(settings), AttemptLedger(settings, server_key), OpaqueIds(server_key)
        )
