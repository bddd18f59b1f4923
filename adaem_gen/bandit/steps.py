"""The LLM steps of one bandit pull as journaled units (Alg. 2 lines 11 and 16-22).

* :meth:`ScoringSteps.explore` -- one P1 model's two-turn COT exploration from a parent;
* :meth:`ScoringSteps.check` -- the optional safety guard's verdict on a text;
* :meth:`ScoringSteps.estimate` -- S of a text under a model set (P1 estimate, P2 final);
* :meth:`ScoringSteps.optimize` -- lines 16-22 for one candidate: estimate with P1,
  reflect (Listing 7: the candidate's parent as the general question, the exploration's
  contextual fact as the background) + refine with its author and keep refining while S gains more than τ (at
  most ``max_refine`` rounds), then the final S with P2.

Every step goes through the :class:`~adaem_gen.run.units.UnitRunner` under a key that
names it (``explore/<step>/<j>/<model>``, ``refine/<step>/<j>/<model>/<round>``,
``estimate/<model set>/<text>``, ``guard/<text>``): the keys are part of the journal
format -- a resumed run must find the same units under the same keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from adaem_gen.bandit.nodes import Node, StepStats, text_digest
from adaem_gen.config import RunConfig
from adaem_gen.models import MeteredModel
from adaem_gen.questions.explore import Exploration, explore
from adaem_gen.questions.guard import GuardVerdict, check_question
from adaem_gen.questions.parsing import normalise_question
from adaem_gen.questions.refine import Refinement, refine
from adaem_gen.questions.two_turn import TwoTurnOptions
from adaem_gen.run.units import CacheFor, UnitRunner
from adaem_gen.scoring.estimate import Estimate, QuestionEstimator
from adaem_tasks.value_systems import ValueSystem

__all__ = ["Candidate", "ScoringSteps", "estimate_key"]


@dataclass(frozen=True)
class Candidate:
    """An exploration of parent ``parent`` by P1 model ``mi`` in sample ``j`` of a pull."""

    j: int
    mi: int
    parent: Node
    exploration: Exploration

    @property
    def question(self) -> str:
        return str(self.exploration.question)


def estimate_key(text: str, models: Sequence[MeteredModel]) -> str:
    digest = hashlib.sha256("\n".join(m.spec for m in models).encode()).hexdigest()[:10]
    return f"estimate/{digest}/{text_digest(text)}"


class ScoringSteps:
    """The journaled LLM steps, bound to one run's models, estimator and settings."""

    def __init__(
        self,
        config: RunConfig,
        units: UnitRunner,
        *,
        system: ValueSystem,
        p1: list[MeteredModel],
        p2: list[MeteredModel],
        guard: MeteredModel | None,
        estimator: QuestionEstimator,
        cache_for: CacheFor,
    ) -> None:
        self.config = config
        self.units = units
        self.system = system
        self.p1 = p1
        self.p2 = p2
        self.guard = guard
        self.estimator = estimator
        self.cache_for = cache_for

    def _two_turn_options(self, scope: str) -> TwoTurnOptions:
        """Sampling, retries and cache policy for explore/refine units, from the run config."""
        cfg = self.config
        return TwoTurnOptions(
            temperature=cfg.temperature,
            top_p=cfg.top_p,
            max_attempts=cfg.max_attempts,
            cache_for=self.cache_for,
            scope=scope,
        )

    async def estimate(self, text: str, models: Sequence[MeteredModel]) -> Estimate:
        key = estimate_key(text, models)
        data = await self.units.run(key, lambda: self.estimator.estimate(text, models, scope=key))
        return Estimate.model_validate(data)

    def known_estimate(self, text: str, models: Sequence[MeteredModel]) -> Estimate | None:
        """An estimate already journaled (no model call); ``None`` when it is not."""
        data = self.units.known(estimate_key(text, models))
        return Estimate.model_validate(data) if data is not None else None

    async def check(self, text: str) -> GuardVerdict:
        """The guard's verdict (only called when the run has a guard)."""
        guard = self.guard
        assert guard is not None
        key = f"guard/{text_digest(text)}"
        data = await self.units.run(
            key,
            lambda: check_question(
                guard,
                text,
                mode=self.config.guard_mode,
                max_attempts=self.config.max_attempts,
                cache_for=self.cache_for,
                scope=key,
            ),
        )
        return GuardVerdict.model_validate(data)

    async def explore(
        self, step: int, j: int, mi: int, parent: Node, specifics: list[tuple[str, float]]
    ) -> Candidate:
        model = self.p1[mi]
        key = f"explore/{step}/{j}/{mi}"
        data = await self.units.run(
            key, lambda: explore(model, parent.text, specifics, **self._two_turn_options(key))
        )
        return Candidate(j=j, mi=mi, parent=parent, exploration=Exploration.model_validate(data))

    async def _refine(
        self, key: str, model: MeteredModel, general: str, text: str, background: str, est: Estimate
    ) -> Refinement:
        data = await self.units.run(
            key,
            lambda: refine(model, self.system, general, text, background, est, **self._two_turn_options(key)),
        )
        return Refinement.model_validate(data)

    async def optimize(self, step: int, root: Node, cand: Candidate, stats: StepStats) -> Node:
        """Alg. 2 lines 16-22 for one candidate question of arm ``root.arm``."""
        cfg = self.config
        text = cand.question
        # One reading of "the general question" for Listings 5 and 7 (Alg. 2 line 11): the
        # question sampled from the arm's pool that this candidate was explored from.
        general = cand.parent.text
        background = cand.exploration.background
        author = self.p1[cand.mi]
        est = await self.estimate(text, self.p1)
        rounds = 0
        for r in range(1, cfg.max_refine + 1):
            stats.refine_rounds += 1
            ref = await self._refine(
                f"refine/{step}/{cand.j}/{cand.mi}/{r}", author, general, text, background, est
            )
            if (
                ref.question is None
                or normalise_question(ref.question).lower() == normalise_question(text).lower()
            ):
                break
            if self.guard is not None and (await self.check(ref.question)).unsafe:
                stats.unsafe_refinements += 1
                break
            stats.refinements_scored += 1
            new = await self.estimate(ref.question, self.p1)
            if new.s - est.s > cfg.tau:  # line 19: keep refining while the gain exceeds τ
                text, est, rounds = ref.question, new, rounds + 1
                continue
            break
        stats.refinements_kept += rounds
        final = await self.estimate(text, self.p2)
        return Node(
            id=f"g{step:05d}-{cand.j}-{cand.mi}",
            text=text,
            arm=root.arm,
            depth=cand.parent.depth + 1,
            category=root.category,
            topic=root.topic,
            seed_id=root.id,
            parent=cand.parent.id,
            score=final.s,
            reward=final.reward,
            p1_score=est.s,
            step=step,
            model=author.spec,
            candidate=cand.question,
            argument=cand.exploration.argument,
            background=background or None,
            refinements=rounds,
        )
