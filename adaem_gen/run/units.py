"""Journaled units of work: each finished LLM step is one journal line, done once.

A *unit* is a piece of LLM work with a key that names it deterministically
(``explore/<step>/<j>/<model>``, ``estimate/<models>/<text>``, ...). :class:`UnitRunner`

* serves a unit whose result is known (journaled earlier, or replayed from the journal
  on ``--resume``) without calling any model: the runner keeps each finished unit's
  offset in the journal and the most recently used results in memory (a paper-scale run
  journals hundreds of thousands of objects' worth of units; holding them all would
  grow memory and the garbage collector's work with every step);
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
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

from inspect_ai.model import CachePolicy
from pydantic import BaseModel

from adaem_gen.models import Ledger, Meter, ModelUnavailable, ledger_scope
from adaem_gen.run.journal import Journal

__all__ = ["CacheFor", "UnitRunner", "first_error", "gather_all", "run_cache"]

T = TypeVar("T")
CacheFor = Callable[[str], "bool | CachePolicy"]


def _unit_transcript() -> None:
    """Give the running unit (and the tasks it starts) one Inspect transcript for its model events.

    Outside an eval Inspect has no transcript in context, and ``transcript()`` makes a new
    one in the calling task's context -- so every concurrently gathered call built (and
    dropped) its own, a measurable share of a zero-latency run's CPU. One per unit is
    also small enough to be released with the unit. (Inspect's setter is private; when
    it moves, calls simply go back to making their own.)
    """
    try:
        from inspect_ai.log import Transcript
        from inspect_ai.log._transcript import init_transcript
    except ImportError:  # pragma: no cover - another Inspect version
        return
    init_transcript(Transcript())


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

    def __init__(self, journal: Journal, meter: Meter, *, hot: int = 256) -> None:
        self.journal = journal
        self.meter = meter
        self.hot_size = hot
        self._where: dict[str, int] = {}
        self._hot: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._running: dict[str, asyncio.Task[dict[str, Any]]] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._where

    def __len__(self) -> int:
        return len(self._where)

    def restore(self, record: dict[str, Any], offset: int) -> None:
        """Take a journaled unit record back (resume): where it is, and what it cost."""
        self._where[record["key"]] = offset
        self.meter.merge(Ledger.model_validate(record.get("ledger", {})))

    def _remember(self, key: str, data: dict[str, Any]) -> None:
        self._hot[key] = data
        self._hot.move_to_end(key)
        if len(self._hot) > self.hot_size:
            self._hot.popitem(last=False)

    def known(self, key: str) -> dict[str, Any] | None:
        """A finished unit's result (from memory, else from the journal); ``None`` if not finished."""
        data = self._hot.get(key)
        if data is None and key in self._where:
            data = self.journal.load(self._where[key])["data"]
        if data is not None:
            self._remember(key, data)
        return data

    async def run(self, key: str, work: Callable[[], Awaitable[BaseModel]]) -> dict[str, Any]:
        """The unit's result as journaled JSON data: already known, from a running twin, or ``work()``."""
        known = self.known(key)
        if known is not None:
            return known
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
        _unit_transcript()
        with ledger_scope(ledger):
            result = await work()
        data = result.model_dump(mode="json")
        record = {"type": "unit", "key": key, "data": data, "ledger": ledger.model_dump(mode="json")}
        self._where[key] = self.journal.append(record)
        self._remember(key, data)
        self.meter.merge(ledger)
        return data
