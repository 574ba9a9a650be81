"""argon2id off the event loop.

Hashing takes tens of milliseconds of CPU and releases the GIL, so it runs in worker threads,
as many as there are cores for this process: more would only queue inside the kernel instead of
here, and cost more besides, since each verification streams through 19 MiB and hashes that
take turns on one core evict each other's memory from its caches (measured: 25% more CPU per
verification with twice as many threads as cores). ``gateway serve --workers N`` shares the
cores out among its workers (``GATEWAY_ARGON2_THREADS``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gateway.metrics import ARGON2_SECONDS
from gateway.settings import Settings
from gateway.text import normalise

log = logging.getLogger("gateway.hashing")


@dataclass(frozen=True)
class StoredPassword:
    """A password's argon2id hash and the pepper it was keyed with (None: no pepper)."""

    hash: str
    pepper_id: str | None


def _yield_to_the_event_loop(nice: int) -> None:
    """Lower this hashing thread's scheduling priority (Linux sets nice per thread).

    Hashing still gets every idle cycle, but while sign-ins saturate the cores the event loop
    thread comes first, so other requests keep their latency (``GATEWAY_HASHING_NICE``).
    """
    if nice:
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


class Hasher:
    def __init__(self, settings: Settings) -> None:
        self._threads = settings.argon2_threads or os.cpu_count() or 1
        self._nice = settings.hashing_nice
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        self._executor: ThreadPoolExecutor | None = None
        self._waiting = 0
        self._dummy_hash: str | None = None
        self._peppers = dict(settings.password_pepper)
        self._current_pepper = settings.password_pepper[0][0] if settings.password_pepper else None

    @property
    def executor(self) -> ThreadPoolExecutor:
        """Made on first use, so that an app started again after a shutdown hashes again."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self._threads,
                thread_name_prefix="argon2",
                initializer=_yield_to_the_event_loop,
                initargs=(self._nice,),
            )
        return self._executor

    @property
    def threads(self) -> int:
        """The cores this process hashes on: its share of the machine's."""
        return self._threads

    @property
    def waiting(self) -> int:
        """Hashes asked for and not finished, queued or running: while there are any, reads
        leave these threads a share of the CPU (``server/fair_share.py``)."""
        return self._waiting

    async def hash(self, secret: str | bytes) -> str:
        loop = asyncio.get_running_loop()
        self._waiting += 1
        try:
            return await loop.run_in_executor(self.executor, self._hash_now, secret)
        finally:
            self._waiting -= 1

    async def verify(self, stored_hash: str, secret: str | bytes) -> bool:
        loop = asyncio.get_running_loop()
        self._waiting += 1
        try:
            return await loop.run_in_executor(self.executor, self._verify_now, stored_hash, secret)
        finally:
            self._waiting -= 1

    async def verify_dummy(self, secret: str | bytes) -> None:
        """Spend the time a real verification costs, so an unknown user code is not faster."""
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(secrets.token_urlsafe(16))
        await self.verify(self._dummy_hash, secret)

    async def hash_password(self, password: str) -> StoredPassword:
        """NFKC-normalised (ASVS 2.1.4), keyed with the current pepper when there is one
        (ASVS 2.4.5), then argon2id."""
        pepper_id = self._current_pepper
        return StoredPassword(await self.hash(self._keyed(password, pepper_id)), pepper_id)

    async def verify_password(self, stored: StoredPassword | None, password: str) -> bool:
        """``stored`` None (an unknown user code) costs the same work and fails."""
        if stored is None:
            await self.verify_dummy(self._keyed(password, self._current_pepper))
            return False
        if stored.pepper_id is not None and stored.pepper_id not in self._peppers:
            log.error("a password hash names pepper %r, which no setting gives", stored.pepper_id)
            await self.verify_dummy(self._keyed(password, None))
            return False
        return await self.verify(stored.hash, self._keyed(password, stored.pepper_id))

    def password_needs_rehash(self, stored: StoredPassword) -> bool:
        """Other argon2 parameters, or another pepper than the current one."""
        return stored.pepper_id != self._current_pepper or self.needs_rehash(stored.hash)

    def _keyed(self, password: str, pepper_id: str | None) -> bytes:
        normalised = normalise(password).encode("utf-8", "surrogatepass")
        if pepper_id is None:
            return normalised
        mac = hmac.new(self._peppers[pepper_id].encode(), normalised, hashlib.sha256)
        return base64.b64encode(mac.digest())

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def _hash_now(self, secret: str | bytes) -> str:
        with ARGON2_SECONDS.labels("hash").time():
            return self._hasher.hash(_as_bytes(secret))

    def _verify_now(self, stored_hash: str, secret: str | bytes) -> bool:
        with ARGON2_SECONDS.labels("verify").time():
            try:
                return self._hasher.verify(stored_hash, _as_bytes(secret))
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False


def _as_bytes(secret: str | bytes) -> bytes:
    """UTF-8, lone surrogates included: JSON may carry them, and they must not crash a hash."""
    return secret if isinstance(secret, bytes) else secret.encode("utf-8", "surrogatepass")
