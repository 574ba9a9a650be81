"""The hashing limit: bare argon2id verifications per second, one thread per core.

This is the ceiling for ``signIn``, which verifies one password per request: the gateway
verifies in a pool of as many threads as the machine has cores, and argon2-cffi releases
the GIL while it hashes, so the threads here run in parallel just as the gateway's do.

    python bench/argon2_limit.py --seconds 10 [--threads 2] [--memory-kib 19456 ...]
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time

from argon2 import PasswordHasher, Type

PASSWORD = "Erable!2024"  # noqa: S105 - a benchmark's throwaway password


def measure(
    seconds: float, threads: int, memory_kib: int, time_cost: int, parallelism: int
) -> dict[str, float]:
    """Verify the same hash in ``threads`` threads for ``seconds``: verifications per second."""
    hasher = PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )
    stored = hasher.hash(PASSWORD)
    hasher.verify(stored, PASSWORD)
    counts = [0] * threads
    deadline = time.perf_counter() + seconds

    def verify_until_deadline(index: int) -> None:
        while time.perf_counter() < deadline:
            hasher.verify(stored, PASSWORD)
            counts[index] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=verify_until_deadline, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    verifications = sum(counts)
    return {
        "verifications": verifications,
        "seconds": elapsed,
        "rate": verifications / elapsed,
        "ms_per_verification": elapsed * threads / verifications * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--memory-kib", type=int, default=19456)
    parser.add_argument("--time-cost", type=int, default=2)
    parser.add_argument("--parallelism", type=int, default=1)
    arguments = parser.parse_args()
    result = measure(
        arguments.seconds,
        arguments.threads,
        arguments.memory_kib,
        arguments.time_cost,
        arguments.parallelism,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
