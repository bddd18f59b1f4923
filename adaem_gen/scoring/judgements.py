"""The value judge over texts for one generator run: each distinct text is judged once.

S estimates judge many texts more than once: a candidate's own text in its P1
estimate and again in its P2 final score (``R_Dis`` labels), a seed's text whenever it
is estimated, identical key points given by different models. Inspect's response cache
would answer the repeats too, but it costs a file write and a key hash per call (~1 ms
of CPU on a 2-core machine, the largest cost of a zero-latency run after Inspect's own
call path) for every one of the judge calls that make up ~95% of a run's calls. So the
judge is asked without Inspect's cache and :class:`TextJudge` keeps the labels per text
in memory instead: single flight (concurrent estimates of the same text share one
judgement), bounded (least recently used texts are forgotten first), and counted
(``Ledger.reused``: the judge calls a repeat did not make).

What this gives up: judge answers are not reused across runs or after a crash -- a
kill loses the judge calls of the estimates in flight, which ``--resume`` redoes (the
opinion calls, explorations and refinements keep their run-scoped Inspect cache).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence

from inspect_ai.model import Model

from adaem_gen.models import ModelUnavailable, current_ledger
from adaem_tasks.judge import JudgeConfig, Label, OpinionJudgement, PointJudgement, judge_point, or_labels
from adaem_tasks.value_systems import ValueSystem

__all__ = ["TextJudge"]

DEFAULT_MEMO_SIZE = 100_000
"""Texts whose labels are kept (a tuple of small ints each: ~10 MB)."""


class TextJudge:
    """Labels texts with ``judge`` (paper Listing 4), once per distinct text (see the module doc)."""

    def __init__(
        self,
        judge: Model,
        system: ValueSystem,
        config: JudgeConfig,
        *,
        max_attempts: int = 3,
        memo_size: int = DEFAULT_MEMO_SIZE,
    ) -> None:
        self.judge = judge
        self.system = system
        self.config = config
        self.max_attempts = max_attempts
        self.memo_size = memo_size
        self._labels: OrderedDict[str, tuple[Label, ...]] = OrderedDict()
        self._running: dict[str, asyncio.Future[tuple[Label, ...]]] = {}

    @property
    def calls_per_text(self) -> int:
        """First-attempt judge calls for one text: one per value (single) or one (batched)."""
        return len(self.system.keys) if self.config.mode == "single" else 1

    async def opinion(self, texts: Sequence[str]) -> OpinionJudgement:
        """Judge every text (key point) and OR the labels, like :func:`adaem_tasks.judge.judge_opinion`."""
        points = await asyncio.gather(*(self.point(t) for t in texts))
        return OpinionJudgement(
            points=list(points),
            vector=or_labels(self.system, [p.labels for p in points]),
            judge_failures=sum(len(p.failed) for p in points),
        )

    async def point(self, text: str) -> PointJudgement:
        labels = self._labels.get(text)
        running = self._running.get(text)
        if labels is not None or running is not None:  # known, or being judged for another estimate
            ledger = current_ledger()
            if ledger is not None:
                ledger.reused += self.calls_per_text
        if labels is not None:
            self._labels.move_to_end(text)
        else:
            if running is None:
                running = asyncio.ensure_future(self._ask(text))
                self._running[text] = running
                running.add_done_callback(self._finished(text))
            labels = await asyncio.shield(running)
        return PointJudgement(labels=dict(zip(self.system.keys, labels, strict=True)))

    def _finished(self, text: str) -> Callable[[asyncio.Future[tuple[Label, ...]]], None]:
        def done(future: asyncio.Future[tuple[Label, ...]]) -> None:
            self._running.pop(text, None)
            if not future.cancelled():
                future.exception()  # retrieved: a judgement whose estimate gave up must not warn at exit

        return done

    async def _ask(self, text: str) -> tuple[Label, ...]:
        errors: list[str] = []
        for _attempt in range(self.max_attempts):
            try:
                judged = await judge_point(self.judge, self.system, text, self.config)
            except Exception as exc:  # noqa: BLE001 - judge provider errors after Inspect's retries
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            labels = tuple(judged.labels[k] for k in self.system.keys)
            self._labels[text] = labels
            if len(self._labels) > self.memo_size:
                self._labels.popitem(last=False)
            return labels
        raise ModelUnavailable(f"judge {self.judge} failed {self.max_attempts} times: {errors[-1]}")
