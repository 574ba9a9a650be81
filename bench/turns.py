"""Loads on different servers taking turns, so that the machine's drift weighs on each alike.

A ratio of two loads measured one after the other carries whatever the machine's speed did in
between: here it drifts by 15% from one second to the next (other tenants), and in one
`make bench-scale` run the same `{ hello }` server read 1,744, 2,109 and 3,813 requests a
second minutes apart. In slices of a few seconds, each load's slices sit beside the other's.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from cpu import CpuMeter, CpuUse
from loadgen import LoadResult, LoadSpec, start_load
from servers import Server


def combined(slices: list[LoadResult]) -> LoadResult:
    """One load's figures from its slices: the counts add up; p50 is the slices' median p50
    and p99 their worst, since the slices' latencies are not kept."""
    return LoadResult(
        requests=sum(x.requests for x in slices),
        seconds=sum(x.seconds for x in slices),
        p50_ms=statistics.median(x.p50_ms for x in slices),
        p99_ms=max(x.p99_ms for x in slices),
        bad=sum(x.bad for x in slices),
        reused=sum(x.reused for x in slices),
    )


def mean_cpu(uses: list[CpuUse]) -> CpuUse:
    """Slices of equal length: the cores each party used on average over all of them."""
    return CpuUse(
        server=statistics.fmean(x.server for x in uses),
        client=statistics.fmean(x.client for x in uses),
        database=statistics.fmean(x.database for x in uses),
        other=statistics.fmean(x.other for x in uses),
    )


def in_turns(
    loads: Sequence[tuple[Server, LoadSpec]],
    *,
    wrk: str | None,
    connections: int,
    warmup: int,
    seconds: int,
    slice_seconds: int,
) -> list[tuple[LoadResult, CpuUse]]:
    """Each load warmed up, then the loads one slice each in turn until each has had
    ``seconds``; every server stays up throughout, the ones not loaded idle."""
    if warmup > 0:
        for _, spec in loads:
            start_load(spec, wrk=wrk, connections=connections, seconds=warmup).result()
    rounds = max(1, seconds // slice_seconds)
    slices: list[list[LoadResult]] = [[] for _ in loads]
    uses: list[list[CpuUse]] = [[] for _ in loads]
    for _ in range(rounds):
        for index, (server, spec) in enumerate(loads):
            meter = CpuMeter(server.all_pids)
            meter.start()
            load = start_load(spec, wrk=wrk, connections=connections, seconds=slice_seconds)
            slices[index].append(load.result())
            uses[index].append(meter.stop())
    return [(combined(s), mean_cpu(u)) for s, u in zip(slices, uses, strict=True)]
