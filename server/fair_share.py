"""The CPU shared fairly between signed-in reads and credential hashing (issue 20).

Hashing threads run at nice 10 (``gateway/hashing.py``), so that a burst of sign-ins does not
slow everyone's reads; but then reads that fill every core leave them nothing: PostgreSQL with
2 workers answered 4,150 ``viewer`` requests a second and 3.7 sign-ins, whose p50 was 5.6 s.
A thread's nice cannot be lowered again without privileges, so it cannot follow the load; the
event loop gives way instead. While hashing work waits in this process, requests carrying a
session or a partner's key spend from a budget of the event loop thread's CPU time that fills
at ``1 - share`` of the process's cores (as many as its hashing threads); when it is spent
they wait, the loop idles, and the hashing threads get the rest. Without waiting hashing work
the gate costs one attribute read.

Waiters are never refused, and go in first come first served: the first when the budget is
back in credit, or once it has waited ``READ_DEADLINE_SECONDS`` whatever the budget says, so
that reads beyond the share are slowed, not stopped. The queue is bounded by uvicorn's
connection limit (``GATEWAY_MAX_CONNECTIONS``), one request per connection.
bench/README.md has the measurements behind the default share.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Protocol

# How much CPU time reads may spend at once before the budget makes them wait: small enough
# that hashing threads are not starved for long at a stretch, large enough that a read is
# rarely cut short mid-batch.
BURST_SECONDS = 0.005
# Waiters look again at least this often, to go in soon after the hashing queue empties.
RECHECK_SECONDS = 0.01
# No read waits longer: past it, the first waiter goes in whatever the budget says, and the
# debt it leaves is forgotten beyond one deadline's worth (bench/README.md: the viewer's p99
# beside sign-ins must stay under 250 ms).
READ_DEADLINE_SECONDS = 0.2


class HashingQueue(Protocol):
    @property
    def waiting(self) -> int: ...

    @property
    def threads(self) -> int: ...


class ReadGate:
    """Reads' admission while hashing waits, first come first served; ``share`` 0 turns it
    off."""

    def __init__(self, share: float, hashing: HashingQueue) -> None:
        if not 0 <= share < 1:
            raise ValueError(f"share must be in [0, 1), got {share}")
        self.share = share
        self._rate = (1.0 - share) * hashing.threads
        self._hashing = hashing
        self._active = False
        self._credit = BURST_SECONDS
        self._wall = 0.0
        self._cpu = 0.0
        self._queue: deque[tuple[float, asyncio.Future[None]]] = deque()
        self._next: asyncio.Handle | None = None
        self.delayed = 0  # reads that waited, for tests

    @property
    def queued(self) -> int:
        return len(self._queue)

    async def admit(self) -> None:
        """Return when a read may run: at once unless hashing waits and the budget is spent."""
        if not self.share or not self._hashing.waiting:
            self._active = bool(self._queue)
            return
        if not self._active:
            self._active = True
            self._credit = BURST_SECONDS
            self._wall, self._cpu = time.monotonic(), time.thread_time()
        if not self._queue and self._update() >= 0:
            return
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._queue.append((time.monotonic() + READ_DEADLINE_SECONDS, waiter))
        self.delayed += 1
        if self._next is None:
            self._next = loop.call_soon(self._release)
        await waiter

    def _release(self) -> None:
        """Let the first waiter in when the budget is in credit or its deadline has come (all
        of them once no hashing waits), then look again once it has run up to its first
        pause: admitting one at a time is what makes the budget count what each admitted read
        spent."""
        self._next = None
        queue = self._queue
        while queue and queue[0][1].done():  # a request cancelled while it waited
            queue.popleft()
        if not queue:
            return
        loop = asyncio.get_running_loop()
        if not self._hashing.waiting:
            while queue:
                _, waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
            return
        credit = self._update()
        deadline, waiter = queue[0]
        overdue = time.monotonic() - deadline
        if credit >= 0 or overdue >= 0:
            queue.popleft()
            waiter.set_result(None)
            self._next = loop.call_soon(self._release)
        else:
            wait = min(-credit / self._rate, -overdue, RECHECK_SECONDS)
            self._next = loop.call_later(wait, self._release)

    def _update(self) -> float:
        """The budget now: credited with wall time at the reads' rate, debited with the event
        loop thread's CPU time (this runs on that thread), capped at one burst."""
        wall, cpu = time.monotonic(), time.thread_time()
        credit = self._credit + (wall - self._wall) * self._rate - (cpu - self._cpu)
        self._credit = min(BURST_SECONDS, max(credit, -READ_DEADLINE_SECONDS * self._rate))
        self._wall, self._cpu = wall, cpu
        return self._credit
