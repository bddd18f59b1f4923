"""The search state of Alg. 2 -- arm pools, bandit, dedup index -- and its deterministic updates.

Everything a pull is *planned* from (which arm, which parents, which scored examples)
and everything a pull's candidates are *deduplicated* against lives here, and it only
changes in bandit-step order, whatever order the pulls finish in:

* :meth:`SearchState.apply` takes step ``b``'s record: the arm's pool grows, ``C_i`` /
  ``Q_i`` are updated with the mean final S, the counts are summed. The scheduler
  applies step ``b`` just before it plans step ``b + K`` (``K`` = ``--parallel``), so
  pull ``b`` is always planned from the results of steps ``1..b-K`` exactly -- with
  ``K = 1`` from every earlier step, as in the sequential algorithm.
* :meth:`SearchState.admit` deduplicates step ``b``'s explored questions (Alg. 2 line
  13) against the seeds, every question admitted by steps ``< b`` -- including pulls
  still running -- and the refined texts of steps ``1..b-K``; the admitted questions
  join the index at once. Admissions run in step order (the scheduler's turn-taking),
  so the index grows by the same sequence in every run: seeds, then per step ``b`` the
  refined texts of step ``b-K`` and the admitted questions of ``b``. With ``K = 1`` that
  is the order of the sequential algorithm (candidates of a step, then its refinements).

Because of both rules a run's result depends on its seed and ``K``, not on timing: two
runs of the same configuration plan the same pulls, and a resumed run re-plans an
interrupted pull exactly as the original one did (its journaled units still match).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from adaem_gen.bandit.nodes import Node, StepStats
from adaem_gen.bandit.ucb import UCBBandit
from adaem_gen.config import RunConfig
from adaem_gen.run.journal import JournalError
from adaem_gen.sets.dedup import QuestionIndex
from adaem_tasks.questions import QuestionSet

__all__ = ["ParentSample", "PullPlan", "SearchState"]


@dataclass(frozen=True)
class ParentSample:
    """Alg. 2 line 11's sampled question ``j`` of a pull and the scored examples shown with it."""

    j: int
    parent: Node
    specifics: list[tuple[str, float]]


@dataclass(frozen=True)
class PullPlan:
    """What pull ``step`` does: its arm (seed ``root``) and the ``N_2`` parents to explore from."""

    step: int
    arm: int
    root: Node
    samples: list[ParentSample]


class SearchState:
    """Arm pools ``X_i``, the bandit, the dedup index and the summed counts (see the module doc)."""

    def __init__(self, config: RunConfig, seeds: QuestionSet, index: QuestionIndex) -> None:
        self.config = config
        self.lag = config.parallel
        self.arms: list[list[Node]] = [
            [Node(id=q.id, text=q.question, arm=i, depth=0, category=q.category, topic=q.topic, seed_id=q.id)]
            for i, q in enumerate(seeds.questions)
        ]
        self.bandit = UCBBandit(len(self.arms), config.budget)
        self.index = index
        self.index.add([q.question for q in seeds.questions], [q.id for q in seeds.questions])
        self.generated: list[Node] = []
        self.stats = StepStats()
        self.applied = 0
        self._refined: dict[int, list[Node]] = {}
        self._indexed_through = 0

    # -- planning ------------------------------------------------------------------------------
    def plan(self, step: int, pending: Sequence[int]) -> PullPlan:
        """Plan pull ``step``; ``pending`` = arms of the planned steps not applied yet."""
        arm = self.bandit.select(pending)
        samples = []
        for j in range(self.config.n2):
            parent = self._sample_parent(arm, step, j)
            samples.append(ParentSample(j=j, parent=parent, specifics=self._specifics(arm, parent)))
        return PullPlan(step=step, arm=arm, root=self.arms[arm][0], samples=samples)

    def _sample_parent(self, arm: int, step: int, j: int) -> Node:
        eligible = [n for n in self.arms[arm] if n.depth < self.config.max_depth]
        rng = random.Random(f"{self.config.seed}/{step}/{j}")
        return rng.choice(eligible)

    def _specifics(self, arm: int, parent: Node) -> list[tuple[str, float]]:
        scored = [n for n in self.arms[arm] if n.depth > 0 and n.id != parent.id and n.score is not None]
        scored.sort(key=lambda n: (-(n.score or 0.0), n.id))
        return [(n.text, float(n.score or 0.0)) for n in scored[: self.config.n_shot]]

    # -- dedup (in step order) -----------------------------------------------------------------
    def _index_refinements_through(self, step: int) -> None:
        for done in range(self._indexed_through + 1, step + 1):
            if done > self.applied:
                raise RuntimeError(f"refinements of step {done} indexed before the step was applied")
            refined = self._refined.pop(done, [])
            if refined:
                self.index.add([n.text for n in refined], [n.id for n in refined])
            self._indexed_through = done

    def admit(self, step: int, texts: Sequence[str]) -> list[bool]:
        """Line 13 for step ``step``'s readable, safe explorations: True for each one kept."""
        self._index_refinements_through(step - self.lag)
        keep = self.index.filter_new(list(texts)) if texts else []
        accepted = [t for t, k in zip(texts, keep, strict=True) if k]
        if accepted:
            self.index.add(accepted)
        return keep

    def admit_recorded(self, step: int, accepted: Sequence[str]) -> None:
        """The same index growth for a journaled step (resume): its admitted questions, no decision."""
        self._index_refinements_through(step - self.lag)
        if accepted:
            self.index.add(list(accepted))

    # -- results (in step order) ---------------------------------------------------------------
    def apply(self, record: dict[str, Any]) -> list[Node]:
        """Step ``applied + 1``'s effect: pools, generated questions, bandit, counts."""
        step, arm = int(record["step"]), int(record["arm"])
        if step != self.applied + 1:
            raise JournalError(f"step {step} applied after step {self.applied} (duplicate or gap)")
        nodes = [Node.model_validate(n) for n in record["nodes"]]
        self._refined[step] = [n for n in nodes if n.refined]
        self.arms[arm].extend(nodes)
        self.generated.extend(nodes)
        self.bandit.update(arm, [float(r) for r in record["rewards"] if r is not None])
        self.stats.add(StepStats.model_validate(record["stats"]))
        self.applied = step
        return nodes

    # -- views ---------------------------------------------------------------------------------
    def seed_scores(self) -> list[float]:
        return [float(a[0].score) for a in self.arms if a[0].score is not None]

    def best(self) -> Node | None:
        scored = [n for n in self.generated if n.score is not None]
        return max(scored, key=lambda n: n.score or 0.0) if scored else None
