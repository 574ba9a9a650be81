"""Signed-in reads give way to credential hashing that waits (issue 20, server/fair_share.py).

The hashing thread is held busy by a job of the test's own, so that a real sign-in's
verification waits behind it; the event loop's CPU budget is spent by spinning on the loop's
thread, which is the thread the gate measures (httpx's ASGI transport runs the app on the
test's loop). Nothing here measures time: each test waits for a state, then checks who was
answered.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from starlette.routing import Route

from gateway.settings import Settings
from server.app import create_app
from server.graphql_view import GatewayGraphQL
from tests.api.journey import (
    GENEVIEVE,
    GENEVIEVE_SECOND,
    SAMUEL,
    SIGN_IN,
    VIEWER,
    gql,
    load_demo_registry,
    register,
    sign_in_active,
)

# Loop CPU time spent at once, more than the budget can owe (reads' rate times the deadline):
# the next read must wait, until the budget is back in credit or its deadline comes.
SPENT_SECONDS = 0.3


def _spend_loop_cpu(seconds: float) -> None:
    started = time.thread_time()
    while time.thread_time() - started < seconds:
        pass


def _graphql_view(app: Starlette) -> GatewayGraphQL:
    for route in app.routes:
        if isinstance(route, Route) and route.path == "/graphql":
            assert isinstance(route.endpoint, GatewayGraphQL)
            return route.endpoint
    raise AssertionError("no /graphql route")


@asynccontextmanager
async def _gateway(
    settings: Settings, share: int
) -> AsyncIterator[tuple[httpx.AsyncClient, GatewayGraphQL]]:
    app = create_app(dataclasses.replace(settings, argon2_threads=1, hashing_cpu_share=share))
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app, client=("203.0.113.7", 50000)),
            base_url="http://testserver",
        ) as http,
    ):
        await load_demo_registry()
        yield http, _graphql_view(app)


@asynccontextmanager
async def _hashing_held(view: GatewayGraphQL) -> AsyncIterator[threading.Event]:
    """The one hashing thread busy until the event is set (and set on the way out)."""
    release = threading.Event()
    busy = view.kit.hasher.executor.submit(release.wait)
    try:
        yield release
    finally:
        release.set()
        busy.result()


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(30_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the state awaited never came")


def _sign_in(http: httpx.AsyncClient, user_code: str) -> Awaitable[dict[str, Any]]:
    variables = {"input": {"userCode": user_code, "password": "Erable!2024", "channel": "WEB"}}
    return gql(http, SIGN_IN, variables)


async def _members(http: httpx.AsyncClient) -> str:
    """An ACTIVE one-file session to read with, and a second member to sign in."""
    await register(http, SAMUEL, "SamOuellet")
    await register(http, GENEVIEVE, "GenCote86")
    return await sign_in_active(http, "SamOuellet")


async def test_a_read_waits_while_hashing_waits_and_the_loop_spent_its_share(settings: Settings):
    async with _gateway(settings, share=90) as (http, view):
        token = await _members(http)
        gate, hasher = view.read_gate, view.kit.hasher
        async with _hashing_held(view) as release:
            signing_in = asyncio.ensure_future(_sign_in(http, "GenCote86"))
            await _until(lambda: hasher.waiting == 1)
            first = await gql(http, VIEWER, token=token)  # the budget starts with some credit
            _spend_loop_cpu(SPENT_SECONDS)
            reading = asyncio.ensure_future(gql(http, VIEWER, token=token))
            await _until(lambda: gate.queued == 1)
            assert not signing_in.done()
            assert not reading.done()
            release.set()
            signed_in, read = await asyncio.gather(signing_in, reading)
        assert signed_in["signIn"]["errors"] == []
        assert read == first
        assert read["viewer"]["session"]["status"] == "ACTIVE"
        assert gate.delayed == 1
        assert gate.queued == 0


async def test_a_read_goes_in_at_its_deadline_though_hashing_still_waits(settings: Settings):
    """Reads beyond the share are slowed, never stopped: hashing held for good, the read is
    answered all the same."""
    async with _gateway(settings, share=90) as (http, view):
        token = await _members(http)
        async with _hashing_held(view) as release:
            signing_in = asyncio.ensure_future(_sign_in(http, "GenCote86"))
            await _until(lambda: view.kit.hasher.waiting == 1)
            await gql(http, VIEWER, token=token)
            _spend_loop_cpu(SPENT_SECONDS)
            read = await gql(http, VIEWER, token=token)
            assert not signing_in.done()
            release.set()
            assert (await signing_in)["signIn"]["errors"] == []
        assert read["viewer"]["session"]["status"] == "ACTIVE"
        assert view.read_gate.delayed == 1


async def test_credential_requests_pass_the_gate_to_queue_for_hashing(settings: Settings):
    """A sign-in carries no session: held at the gate, it could never reach the hashing it
    waits for, and the gate would be holding reads for nothing."""
    async with _gateway(settings, share=90) as (http, view):
        token = await _members(http)
        await register(http, GENEVIEVE_SECOND, "GenAutre1")
        gate, hasher = view.read_gate, view.kit.hasher
        async with _hashing_held(view):
            first = asyncio.ensure_future(_sign_in(http, "GenCote86"))
            await _until(lambda: hasher.waiting == 1)
            await gql(http, VIEWER, token=token)
            _spend_loop_cpu(SPENT_SECONDS)
            second = asyncio.ensure_future(_sign_in(http, "GenAutre1"))
            await _until(lambda: hasher.waiting == 2)
            assert gate.queued == 0
        assert (await first)["signIn"]["errors"] == []
        assert (await second)["signIn"]["errors"] == []
        assert gate.delayed == 0


async def test_reads_never_wait_without_hashing_work(settings: Settings):
    async with _gateway(settings, share=90) as (http, view):
        token = await _members(http)
        _spend_loop_cpu(SPENT_SECONDS)
        for _ in range(3):
            assert (await gql(http, VIEWER, token=token))["viewer"]["session"]["status"] == "ACTIVE"
        assert view.read_gate.delayed == 0


async def test_a_share_of_zero_turns_the_gate_off(settings: Settings):
    async with _gateway(settings, share=0) as (http, view):
        token = await _members(http)
        async with _hashing_held(view) as release:
            signing_in = asyncio.ensure_future(_sign_in(http, "GenCote86"))
            await _until(lambda: view.kit.hasher.waiting == 1)
            _spend_loop_cpu(SPENT_SECONDS)
            read = await gql(http, VIEWER, token=token)
            assert not signing_in.done()
            release.set()
            assert (await signing_in)["signIn"]["errors"] == []
        assert read["viewer"]["session"]["status"] == "ACTIVE"
        assert view.read_gate.delayed == 0
