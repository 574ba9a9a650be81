"""What the claims need for a process's life: the receipt store, the data key, the delivery
worker and, in the demo, the reference claims system inside the gateway."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import httpx

from gateway.claim_decisions import HookOutcome, receive_decision
from gateway.data_keys import DataKeys
from gateway.delivery import DeliveryWorker, claims_secret
from gateway.ids import OpaqueIds
from gateway.receipts import CLEANING_AT_ONCE, delete_stale, receipt_store
from gateway.settings import Settings

if TYPE_CHECKING:
    from gateway.reference_claims import ReferenceClaimsSystem

log = logging.getLogger("gateway.claims")

BUILTIN_DECISION_DELAY_SECONDS = 2.0
STALE_RECEIPTS_EVERY = 600


class ClaimServices:
    def __init__(self, settings: Settings, ids: OpaqueIds) -> None:
        self.settings = settings
        self.ids = ids
        self.receipts = receipt_store(settings)
        self.cleaning = asyncio.Semaphore(CLEANING_AT_ONCE)
        self.data_keys = DataKeys(settings)
        self.worker: DeliveryWorker | None = None
        self.reference: ReferenceClaimsSystem | None = None
        self._client: httpx.AsyncClient | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def secret(self) -> str:
        await self.ids.ready()
        return claims_secret(self.settings, self.ids.server_key.loaded())

    def claim_recorded(self) -> None:
        if self.worker is not None:
            self.worker.notify()

    async def receive_decision(self, body: bytes, signature: str | None) -> HookOutcome:
        return await receive_decision(body, signature, await self.secret())

    async def start(self, *, deliver: bool, clean_up: bool) -> None:
        """Called once the database is open: the secret may live there."""
        mode = self.settings.claims_system
        if mode == "builtin":
            from gateway.reference_claims import ReferenceClaimsSystem  # the demo's alone

            secret = await self.secret()

            async def to_gateway(body: bytes, signature: str) -> bool:
                outcome = await receive_decision(body, signature, secret)
                return outcome in (HookOutcome.APPLIED, HookOutcome.REPLAYED)

            self.reference = ReferenceClaimsSystem(
                secret, to_gateway, delay_seconds=BUILTIN_DECISION_DELAY_SECONDS
            )
            self._tasks.append(asyncio.create_task(self.reference.run_notifier()))
        if deliver and mode != "none":
            in_process = self.reference.receive if self.reference is not None else None
            if mode == "http":
                self._client = httpx.AsyncClient(
                    timeout=httpx.Timeout(10.0, connect=3.0),
                    limits=httpx.Limits(max_connections=20),
                )
            self.worker = DeliveryWorker(
                self.settings, self.ids, in_process=in_process, client=self._client
            )
            self._tasks.append(asyncio.create_task(self.worker.run_forever()))
        elif mode == "none":
            log.warning(
                "no claims system (GATEWAY_CLAIMS_SYSTEM=none): claims are recorded and wait in "
                "the outbox"
            )
        if clean_up:
            self._tasks.append(asyncio.create_task(self._delete_stale_receipts()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._client is not None:
            await self._client.aclose()

    async def _delete_stale_receipts(self) -> None:
        while True:
            try:
                deleted = await delete_stale(self.receipts)
                if deleted:
                    log.info("stale receipts deleted", extra={"fields": {"receipts": deleted}})
            except Exception:
                log.warning("deleting stale receipts failed", exc_info=True)
            await asyncio.sleep(STALE_RECEIPTS_EVERY)
