"""Journaled units of work: each finished LLM step is one journal line, done once.

A *unit* is a piece of LLM work with a key that names it deterministically
(``explore/<step>/<j>/<model>``, ``estimate/<models>/<text>``, ...). :class:`UnitRunner`

* serves a unit whose result is known (journaled earlier, or replayed from the journal
  on ``--resume``) from its memo, without calling any model;
* runs a unit that is already running only once (single flight: two pulls estimating
  the same text share one estimate);
* otherwise runs it with a fresh :class:`~adaem_gen.models.Ledger` in scope, appends
  ``{"type": "unit", "key", "data", "ledger"}`` to the journal and adds the ledger to
  the run's :class:`~adaem_gen.models.Meter` -- so a resumed run reports the same
  totals and pays for nothing twice.

:func:`run_cache` is the matching Inspect cache policy: scoped to the run and the unit,
so a call that completed inside a unit cut short by a kill is answered from the cache
when the unit is redone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

from inspect_ai.model import CachePolicy
from pydantic import BaseModel

from adaem_gen.journal import Journal
from adaem_gen.models import Ledger, Meter, ModelUnavailable, ledger_scope

__all__ = ["CacheFor", "UnitRunner", "first_error", "gather_all", "run_cache"]

T = TypeVar("T")
CacheFor = Callable[[str], "bool | CachePolicy"]


def run_cache(run_id: str, enabled: bool) -> CacheFor:
    """Inspect cache policy per unit scope: never shared across runs, kept a week (crash recovery)."""

    def cache_for(scope: str) -> bool | CachePolicy:
        if not enabled:
            return False
        return CachePolicy(expiry="1W", per_epoch=False, scopes={"adaem_run": run_id, "unit": scope})

    return cache_for


def first_error(group: BaseExceptionGroup) -> BaseException:
    """The exception to surface from a failed task group: a bug or an abort before a model outage."""
    leaves: list[BaseException] = []

    def walk(exc: BaseException) -> None:
        if isinstance(exc, BaseExceptionGroup):
            for inner in exc.exceptions:
                walk(inner)
        else:
            leaves.append(exc)

    walk(group)
    for exc in leaves:
        if not isinstance(exc, ModelUnavailable | asyncio.CancelledError):
            return exc
    return leaves[0]


async def gather_all(coros: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Run concurrently; on the first failure cancel the rest and raise that failure."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(c) for c in coros]
    except BaseExceptionGroup as errors:
        raise first_error(errors) from None
    return [t.result() for t in tasks]


class UnitRunner:
    """Memoised, single-flight, journaled units of work (see the module doc)."""

    def __init__(self, journal: Journal, meter: Meter) -> None:
        self.journal = journal
        self.meter = meter
        self.memo: dict[str, dict[str, Any]] = {}
        self._running: dict[str, asyncio.Task[dict[str, Any]]] = {}

    def restore(self, record: dict[str, Any]) -> None:
        """Take a journaled unit record back (resume): its result and what it cost."""
        self.memo[record["key"]] = record["data"]
        self.meter.merge(Ledger.model_validate(record.get("ledger", {})))

    def known(self, key: str) -> dict[str, Any] | None:
        return self.memo.get(key)

    async def run(self, key: str, work: Callable[[], Awaitable[BaseModel]]) -> dict[str, Any]:
        """The unit's result as journaled JSON data: from the memo, a running twin, or ``work()``."""
        if key in self.memo:
            return self.memo[key]
        running = self._running.get(key)
        if running is None:
            running = asyncio.ensure_future(self._execute(key, work))
            self._running[key] = running
            running.add_done_callback(self._finished(key))
        # shielded: one caller giving up (its pull failed) must not cancel the twin others wait for
        return await asyncio.shield(running)

    def _finished(self, key: str) -> Callable[[asyncio.Task[dict[str, Any]]], None]:
        def done(task: asyncio.Task[dict[str, Any]]) -> None:
            self._running.pop(key, None)
            if not task.cancelled():
                task.exception()  # retrieved: a unit orphaned by a failed pull must not warn at exit

        return done

    async def _execute(self, key: str, work: Callable[[], Awaitable[BaseModel]]) -> dict[str, Any]:
        ledger = Ledger()
        with ledger_scope(ledger):
            result = await work()
        data = result.model_dump(mode="json")
        self.journal.append(
            {"type": "unit", "key": key, "data": data, "ledger": ledger.model_dump(mode="json")}
        )
        self.memo[key] = data
        self.meter.merge(ledger)
        return data

    async def cancel_running(self) -> None:
        """Cancel units nobody waits for any more (the run is stopping) and let them unwind."""
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
