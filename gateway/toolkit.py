"""What the flows that check a secret need besides the database, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.attempts import AttemptLedger
from gateway.claim_services import ClaimServices
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
    claims: ClaimServices

    @classmethod
    def build(cls, settings: Settings) -> Toolkit:
        server_key = ServerKey(settings)
        ids = OpaqueIds(server_key)
        return cls(
            settings,
            Hasher(settings),
            AttemptLedger(settings, server_key),
            ids,
            ClaimServices(settings, ids),
        )
