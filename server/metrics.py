"""Prometheus metrics of the HTTP shell, and the /metrics endpoint.

Labels are bounded by the schema, not by clients. With ``gateway serve --workers N`` each
worker counts on its own; set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory to have
/metrics sum them (prometheus-client's multiprocess mode). The counters of the rules
themselves (audit events, argon2, rate limits) are declared in ``gateway/metrics.py``.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable, Iterable
from ipaddress import ip_address

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from store.db import pool_use

REQUESTS = Counter(
    "gateway_requests",
    "HTTP requests by GraphQL operation (top-level fields) and outcome.",
    ["operation", "outcome"],
)
LATENCY = Histogram(
    "gateway_request_duration_seconds",
    "Time to answer a request, by GraphQL operation.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

KNOWN_OPERATIONS: frozenset[str] = frozenset()


def operation_label(top_level_fields: Iterable[str]) -> str:
    """A label from schema field names only, so clients cannot mint new time series."""
    names = sorted({f for f in top_level_fields if f in KNOWN_OPERATIONS})
    return ",".join(names[:3]) if names else "other"


def set_known_operations(names: Iterable[str]) -> None:
    global KNOWN_OPERATIONS
    KNOWN_OPERATIONS = frozenset(names)


class DatabasePoolCollector(Collector):
    """PostgreSQL pool use, read when scraped; SQLite has one connection and no pool."""

    def collect(self) -> Iterable[Metric]:
        size = GaugeMetricFamily("gateway_db_pool_size", "Open database connections.")
        idle = GaugeMetricFamily("gateway_db_pool_idle", "Idle database connections.")
        use = pool_use()
        if use is not None:
            size.add_metric([], use[0])
            idle.add_metric([], use[1])
        yield size
        yield idle


REGISTRY.register(DatabasePoolCollector())


def _registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _from_this_host(request: Request) -> bool:
    """The client (as the request middleware resolved it through trusted proxies) is this
    machine: a scraper beside the gateway, never a visitor through a public proxy."""
    address = request.scope.get("state", {}).get("client_address")
    try:
        return address is not None and ip_address(address).is_loopback
    except ValueError:
        return False


def metrics_endpoint(token: str | None) -> Callable[[Request], Awaitable[Response]]:
    """/metrics shows lockouts and recovery failures as they happen: behind a bearer token
    when one is configured, from this machine only when none is."""

    async def metrics(request: Request) -> Response:
        if token is not None:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                return JSONResponse(
                    {"error": "metrics need the operator's token"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        elif not _from_this_host(request):
            return JSONResponse(
                {"error": "set GATEWAY_METRICS_TOKEN to read metrics from another host"},
                status_code=403,
            )
        return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)

    return metrics
