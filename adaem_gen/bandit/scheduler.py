"""The bandit scheduler: up to K pulls in flight, planned and applied in step order.

``adaem-gen run --parallel K``. Each pull has ~10 dependent model round trips, so
pulls one after another make wall time grow with B x latency; K pulls in flight
overlap them. The rule that keeps this exact and reproducible:

* **plan** pull ``b`` once step ``b-K`` has finished, from the state after steps
  ``1..b-K`` (applied just then, in order) with steps ``b-K+1..b-1`` *pending*: their
  arms count as plays in UCB (:meth:`adaem_gen.bandit.ucb.UCBBandit.select`), so the K
  pulls in flight spread over arms instead of all hitting the current argmax;
* **admit** (dedup) the explorations of pull ``b`` after pull ``b-1``'s (turn-taking),
  so they are checked against every question admitted before, concurrent pulls too;
* **record** a pull when it finishes (journal, any order); a step's results enter the
  state only when step ``b+K`` is planned.

So the run depends on its seed and K only: ``K = 1`` is the sequential Alg. 2 step
for step, and any K gives the same set for the same seed however the pulls'
timings interleave. On ``--resume`` the scheduler replays the same loop: a journaled
step is checked against the re-planned arm and re-admitted from its record without a
model call, an interrupted one is re-planned identically and re-run from its journaled
units. A kill at any moment loses only the unfinished work of the pulls in flight.

A pull whose models keep raising is retried after a back-off (same plan, same
admission); after ``max_failed_steps`` tries in a row the run stops with
:class:`RunAborted` and the journal intact.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from adaem_gen.bandit.pull import Admit
from adaem_gen.bandit.search import PullPlan, SearchState
from adaem_gen.models import Meter, ModelUnavailable
from adaem_gen.run.journal import JournalError
from adaem_gen.run.progress import RunDisplay
from adaem_gen.run.units import first_error

__all__ = ["AdmissionTurns", "PullScheduler", "RetryPolicy", "RunAborted", "retrying"]

T = TypeVar("T")
Pull = Callable[[PullPlan, Admit], Awaitable[dict[str, Any]]]


class RunAborted(RuntimeError):
    """The run stopped before its budget (models kept failing); ``--resume`` continues it."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep retrying work whose models only raise."""

    max_failures: int
    wait: float
    meter: Meter
    display: RunDisplay
    journal: Path


async def retrying(make: Callable[[], Awaitable[T]], what: str, policy: RetryPolicy) -> T:
    """``await make()``, retried with exponential back-off on :class:`ModelUnavailable`."""
    failures = 0
    while True:
        try:
            return await make()
        except ModelUnavailable as exc:
            failures += 1
            policy.meter.total.fail("model_unavailable")
            if failures >= policy.max_failures:
                raise RunAborted(
                    f"stopped while {what}: {exc} ({failures} tries in a row). The journal "
                    f"{policy.journal} is intact; fix the model and rerun with --resume."
                ) from exc
            policy.display.message(f"retrying ({what}) after: {exc}")
            await asyncio.sleep(policy.wait * 2 ** (failures - 1))


class AdmissionTurns:
    """Runs each step's admission once, strictly in step order (1, 2, 3, ...)."""

    def __init__(self) -> None:
        self._next = 1
        self._turn = asyncio.Condition()
        self._results: dict[int, list[bool]] = {}

    async def take(self, step: int, decide: Callable[[], list[bool]]) -> list[bool]:
        """Wait for ``step``'s turn, run ``decide``, pass the turn on; a retried pull gets the same result."""
        if step in self._results:
            return self._results[step]
        async with self._turn:
            await self._turn.wait_for(lambda: self._next == step)
            result = decide()
            self._results[step] = result
            self._next = step + 1
            self._turn.notify_all()
        return result

    def forget_through(self, step: int) -> None:
        """Drop the results of applied steps (their pulls are done and cannot retry)."""
        for done in [s for s in self._results if s <= step]:
            del self._results[done]


class PullScheduler:
    """Runs steps ``1..last`` with at most ``parallel`` live pulls (see the module doc)."""

    def __init__(
        self,
        state: SearchState,
        pull: Pull,
        *,
        last: int,
        recorded: dict[int, dict[str, Any]],
        retry: RetryPolicy,
        on_finished: Callable[[dict[str, Any]], None],
    ) -> None:
        self.state = state
        self.pull = pull
        self.last = last
        self.recorded = recorded
        self.retry = retry
        self.on_finished = on_finished
        self.turns = AdmissionTurns()
        self._running: dict[int, asyncio.Task[dict[str, Any]]] = {}

    async def run(self) -> None:
        try:
            async with asyncio.TaskGroup() as group:
                await self._schedule(group)
        except BaseExceptionGroup as errors:
            raise first_error(errors) from None

    async def _schedule(self, group: asyncio.TaskGroup) -> None:
        lag = self.state.lag
        arms: dict[int, int] = {}
        for step in range(1, self.last + 1):
            await self._apply_through(step - lag)
            pending = [arms[s] for s in range(self.state.applied + 1, step)]
            plan = self.state.plan(step, pending)
            arms[step] = plan.arm
            record = self.recorded.get(step)
            if record is None:
                self._running[step] = group.create_task(self._live(plan))
                continue
            if int(record["arm"]) != plan.arm:
                raise JournalError(
                    f"{self.retry.journal}: step {step} pulled arm {record['arm']}, but this "
                    f"configuration picks {plan.arm}; the journal belongs to a different run"
                )
            self._running[step] = group.create_task(self._replayed(plan, record))
        await self._apply_through(self.last)

    async def _apply_through(self, step: int) -> None:
        while self.state.applied < step:
            record = await self._running.pop(self.state.applied + 1)
            self.state.apply(record)
            self.turns.forget_through(self.state.applied)

    def _admit(self, step: int, texts: Sequence[str]) -> Awaitable[list[bool]]:
        return self.turns.take(step, lambda: self.state.admit(step, texts))

    async def _live(self, plan: PullPlan) -> dict[str, Any]:
        record = await retrying(lambda: self.pull(plan, self._admit), f"step {plan.step}", self.retry)
        self.on_finished(record)
        return record

    async def _replayed(self, plan: PullPlan, record: dict[str, Any]) -> dict[str, Any]:
        def readmit() -> list[bool]:
            self.state.admit_recorded(plan.step, record["candidates"])
            return []

        await self.turns.take(plan.step, readmit)
        return record
