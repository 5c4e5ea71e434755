"""Sync service under load: 50 devices (10 users x 5 devices) push and pull against a real local stack.

The service runs as a uvicorn server in a child process on PostgreSQL (bench/sync_stack.py). For
`DURATION_S` seconds every device, each with its own access token, alternately pushes a batch of new records,
edits and ledger rows and pulls from its cursor until nothing is left. Afterwards every device drains its
pull, and the database is counted per owner: every pushed ledger row stored and pulled by each device of its
owner exactly once, every record present, no duplicates, no request failed.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.common import Result
from bench.sync_stack import LEDGER_TABLES, RECORD_TABLES, Device, Stack, percentile, running_stack

USERS = 10
DEVICES_PER_USER = 5
DURATION_S = 25.0
REQUEST_TIMEOUT_S = 60.0
ATTEMPTS = 3


@dataclass
class Figures:
    push_latencies: list[float] = field(default_factory=list)
    pull_latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class SimulatedDevice:
    owner: str
    device: Device
    headers: dict[str, str]
    cursor: int = 0
    pushed_records: set[tuple[str, str]] = field(default_factory=set)
    pushed_ledger: set[tuple[str, str]] = field(default_factory=set)
    pulled_records: set[tuple[str, str]] = field(default_factory=set)
    pulled_ledger: Counter[tuple[str, str]] = field(default_factory=Counter)

    def next_batch(self) -> dict[str, Any]:
        rng = self.device.rng
        records = [self.device.new_record(rng.choice(RECORD_TABLES)) for _ in range(rng.randrange(2, 7))]
        for _ in range(rng.randrange(0, 9)):
            edit = self.device.edit_record()
            if edit is not None:
                records.append(edit)
        ledger = [self.device.ledger_row(rng.choice(LEDGER_TABLES)) for _ in range(rng.randrange(4, 16))]
        return self.device.batch(records, ledger)


async def _send(
    client: httpx.AsyncClient, figures: Figures, latencies: list[float], method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    """One request, timed; a dropped connection counts as a failed request and is retried as the app would
    (a push with the same batch id, which the service answers from its replay store)."""
    for _attempt in range(ATTEMPTS):
        start = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.TransportError as error:
            figures.errors.append(f"{method} {url}: {type(error).__name__} {error}")
            continue
        latencies.append(time.perf_counter() - start)
        if response.status_code != 200:
            figures.errors.append(f"{method} {url} {response.status_code}: {response.text[:200]}")
            return None
        return response
    return None


async def _push(client: httpx.AsyncClient, sim: SimulatedDevice, figures: Figures) -> None:
    body = sim.next_batch()
    response = await _send(
        client, figures, figures.push_latencies, "POST", "/v1/sync/push", json=body, headers=sim.headers
    )
    if response is None:
        return
    rejected = response.json()["rejected"]
    if rejected:
        figures.errors.append(f"push rejected rows: {rejected[:2]}")
    sim.pushed_records.update((r["table"], r["id"]) for r in body["records"])
    sim.pushed_ledger.update((r["table"], r["id"]) for r in body["ledger"])


async def _pull_all(client: httpx.AsyncClient, sim: SimulatedDevice, figures: Figures) -> None:
    while True:
        params = {"cursor": sim.cursor, "limit": 500}
        response = await _send(
            client,
            figures,
            figures.pull_latencies,
            "GET",
            "/v1/sync/pull",
            params=params,
            headers=sim.headers,
        )
        if response is None:
            return
        page = response.json()
        for record in page["records"]:
            key = (record["table"], record["id"])
            if key not in sim.pulled_records and key not in sim.pushed_records:
                sim.device.learn(*key)
            sim.pulled_records.add(key)
        sim.pulled_ledger.update((row["table"], row["id"]) for row in page["ledger"])
        sim.cursor = page["next_cursor"]
        if not page["more"]:
            return


async def _device_loop(
    client: httpx.AsyncClient, sim: SimulatedDevice, figures: Figures, until: float
) -> None:
    while time.perf_counter() < until:
        await _push(client, sim, figures)
        await _pull_all(client, sim, figures)


async def _run(stack: Stack, sims: list[SimulatedDevice], figures: Figures) -> float:
    # Idle connections are dropped before uvicorn's 5 s keep-alive ends, so none is reused as it closes.
    size = len(sims) + 5
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=stack.base_url, limits=limits, timeout=REQUEST_TIMEOUT_S) as client:
        start = time.perf_counter()
        until = start + DURATION_S
        await asyncio.gather(*(_device_loop(client, sim, figures, until) for sim in sims))
        elapsed = time.perf_counter() - start
        drained = Figures()  # the final drain is a check, not part of the measured load
        await asyncio.gather(*(_pull_all(client, sim, drained) for sim in sims))
        figures.errors += drained.errors
    return elapsed


def _check(stack: Stack, sims: list[SimulatedDevice]) -> list[str]:
    """What was lost or duplicated, in the database and in what each device pulled; empty when all is well."""
    problems: list[str] = []
    owners = sorted({sim.owner for sim in sims})
    for owner in owners:
        mine = [sim for sim in sims if sim.owner == owner]
        records = set().union(*(sim.pushed_records for sim in mine))
        ledger = set().union(*(sim.pushed_ledger for sim in mine))
        stored = Counter((table, row_id) for table, ids in stack.stored_ids(owner).items() for row_id in ids)
        duplicates = [key for key, count in stored.items() if count > 1]
        if duplicates:
            problems.append(f"owner {owner}: {len(duplicates)} rows stored twice")
        if missing := ledger - set(stored):
            problems.append(f"owner {owner}: {len(missing)} ledger rows missing")
        if missing := records - set(stored):
            problems.append(f"owner {owner}: {len(missing)} records missing")
        if extra := set(stored) - records - ledger:
            problems.append(f"owner {owner}: {len(extra)} rows stored that nobody pushed")
        for sim in mine:
            if set(sim.pulled_ledger) != ledger or any(n != 1 for n in sim.pulled_ledger.values()):
                problems.append(f"device {sim.device.device_id}: did not pull every ledger row exactly once")
            if sim.pulled_records != records:
                problems.append(f"device {sim.device.device_id}: did not pull every record")
    return problems


def benchmarks() -> list[Result]:
    figures = Figures()
    with running_stack() as stack:
        sims = []
        for _ in range(USERS):
            owner = Device().device_id  # any UUID
            for _ in range(DEVICES_PER_USER):
                device = Device()
                sims.append(SimulatedDevice(owner, device, stack.headers(owner, device.device_id)))
        elapsed = asyncio.run(_run(stack, sims, figures))
        problems = _check(stack, sims)
        if figures.errors:
            print(f"  ! the service's log ends:\n{stack.log_tail()}")
    pushes, pulls = figures.push_latencies, figures.pull_latencies
    ledger_rows = sum(len(sim.pushed_ledger) for sim in sims)
    records = sum(len(sim.pushed_records) for sim in sims)
    for problem in (figures.errors + problems)[:10]:
        print(f"  ! {problem}")
    devices = f"{len(sims)} devices"
    return [
        Result(f"push requests/s ({devices}, {elapsed:.0f} s)", f"{len(pushes) / elapsed:.1f} /s"),
        Result(
            "push latency p50 / p99",
            f"{percentile(pushes, 0.5) * 1000:.0f} / {percentile(pushes, 0.99) * 1000:.0f} ms",
        ),
        Result(f"pull requests/s ({devices})", f"{len(pulls) / elapsed:.1f} /s"),
        Result(
            "pull latency p50 / p99",
            f"{percentile(pulls, 0.5) * 1000:.0f} / {percentile(pulls, 0.99) * 1000:.0f} ms",
        ),
        Result("failed requests", str(len(figures.errors)), "0", not figures.errors),
        Result(
            f"rows lost or duplicated ({records} records, {ledger_rows} ledger rows)",
            str(len(problems)),
            "0",
            not problems,
        ),
    ]
