"""One bandit pull (Alg. 2 lines 9-26): explore, guard, dedup, optimize, record.

Given a :class:`~adaem_gen.bandit.search.PullPlan` (arm and parents), every P1 model explores
from every sampled parent; unreadable and unsafe explorations are dropped and counted;
the rest wait for the step's turn at the dedup index (``admit``: in step order, see
:mod:`adaem_gen.bandit.search`); each admitted candidate is optimized (P1 estimate, refine
while the gain exceeds τ, P2 final S). The result is the step's journal record:
``{"type": "step", "step", "arm", "candidates", "nodes", "rewards", "stats"}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from adaem_gen.bandit.nodes import StepStats
from adaem_gen.bandit.search import PullPlan
from adaem_gen.bandit.steps import ScoringSteps
from adaem_gen.run.units import gather_all

__all__ = ["Admit", "run_pull"]

Admit = Callable[[int, Sequence[str]], Awaitable[list[bool]]]
"""``admit(step, questions)`` -> keep mask; waits for the step's turn at the dedup index."""


async def run_pull(plan: PullPlan, steps: ScoringSteps, admit: Admit) -> dict[str, Any]:
    stats = StepStats()
    candidates = await gather_all(
        steps.explore(plan.step, sample.j, mi, sample.parent, sample.specifics)
        for sample in plan.samples
        for mi in range(len(steps.p1))
    )
    stats.explorations = len(candidates)
    readable = [c for c in candidates if c.exploration.question]
    stats.unreadable = len(candidates) - len(readable)
    if steps.guard is not None and readable:
        verdicts = await gather_all(steps.check(c.question) for c in readable)
        safe = [c for c, v in zip(readable, verdicts, strict=True) if not v.unsafe]
        stats.unsafe = len(readable) - len(safe)
        readable = safe
    keep = await admit(plan.step, [c.question for c in readable])
    accepted = [c for c, k in zip(readable, keep, strict=True) if k]
    stats.duplicates = len(readable) - len(accepted)
    stats.accepted = len(accepted)
    nodes = await gather_all(steps.optimize(plan.step, plan.root, c, stats) for c in accepted)
    return {
        "type": "step",
        "step": plan.step,
        "arm": plan.arm,
        "candidates": [c.question for c in accepted],
        "nodes": [n.model_dump(mode="json") for n in nodes],
        "rewards": [n.score for n in nodes],
        "stats": stats.model_dump(),
    }
