"""Estimating a question's informativeness S with a set of models (Alg. 2 lines 16, 18, 22).

The chain is the evaluation task's own (imported, not re-implemented): each model
answers with the Listing 3 opinion prompt, :func:`~adaem_tasks.opinion.parse_opinion`
reads the key points, and :func:`~adaem_tasks.judge.judge_opinion` labels every
point against every value. The question text itself is judged too (``R_Dis``).
Opinions are sampled with the generator's temperature / top_p (App. C.4).

Unreadable answers never escape: a refusal, empty or unparseable answer is asked
again up to ``max_attempts`` times, then counted and the model is left out of S.
Judge answers that stay unreadable are counted (``judge_unreadable``) and their labels
are unknown (``None``), which the reward reads as "not expressed" (only a Yes counts).
A model or judge that only *raises* (after Inspect's own retries) is
:class:`~adaem_gen.models.ModelUnavailable`: the caller retries the step.

The judge labels each distinct text once per run (:class:`~adaem_gen.scoring.judgements.TextJudge`).
:class:`QuestionEstimator` is the interface the generator needs from an estimator;
:func:`adaem_gen.scoring.estimators.make_estimator` is where the generator builds one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from inspect_ai.model import CachePolicy, GenerateConfig, Model
from pydantic import BaseModel, Field

from adaem_gen.models import MeteredModel, ModelUnavailable, current_ledger
from adaem_gen.scoring.judgements import TextJudge
from adaem_gen.scoring.reward import DEFAULT_JACCARD, JaccardMode, RewardBreakdown, informativeness
from adaem_tasks.judge import JudgeConfig, OpinionJudgement
from adaem_tasks.opinion import ParseOutcome, opinion_prompt, parse_opinion
from adaem_tasks.value_systems import ValueSystem

__all__ = ["DiversityScorer", "Estimate", "Estimator", "ModelOpinion", "QuestionEstimator"]


class DiversityScorer(Protocol):
    """``R_OD`` over the models' key points (see :mod:`adaem_gen.scoring.opinion_diversity`)."""

    def score(self, opinions_by_model: dict[str, list[str]]) -> float: ...


class _BatchedDiversity:
    """Runs BERTScore off the event loop, batching the questions that are ready together.

    BERTScore is CPU-bound (~0.5 s per question on two cores); in a thread it overlaps
    with the model calls still in flight, and questions scored concurrently share one
    ``score_many`` call. Scorers without ``score_many`` are called directly.
    """

    def __init__(self, scorer: DiversityScorer) -> None:
        self.scorer = scorer
        self._pending: list[tuple[dict[str, list[str]], asyncio.Future[float]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def score(self, opinions_by_model: dict[str, list[str]]) -> float:
        if not hasattr(self.scorer, "score_many"):
            return float(self.scorer.score(opinions_by_model))
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._pending.append((opinions_by_model, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # let the estimates finishing in this loop turn join the batch
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                scores = await asyncio.to_thread(self.scorer.score_many, [ops for ops, _ in batch])  # type: ignore[attr-defined]
            except Exception as exc:  # noqa: BLE001 - hand the error to every waiting estimate
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), value in zip(batch, scores, strict=True):
                if not future.done():
                    future.set_result(float(value))


class ModelOpinion(BaseModel):
    """One model's answer to the question, as the reward and the reflection prompt see it."""

    model: str
    outcome: str
    stance: str | None = None
    points: list[str] = Field(default_factory=list)
    point_values: list[list[str]] = Field(default_factory=list, description="Value keys per key point.")
    values: list[str] = Field(default_factory=list, description="Union over points (the paper's OR).")
    attempts: int = 1

    @property
    def answered(self) -> bool:
        return ParseOutcome(self.outcome).judged


class Estimate(BaseModel):
    """S of one question under one model set, with everything that produced it."""

    question: str
    models: list[str]
    opinions: list[ModelOpinion]
    question_values: list[str]
    reward: RewardBreakdown

    @property
    def s(self) -> float:
        return self.reward.s


CacheFor = Callable[[str], "bool | CachePolicy"]


class QuestionEstimator(Protocol):
    """What the generator needs from an S estimator (App. C.3's approximation, or another)."""

    async def estimate(self, question: str, models: Sequence[MeteredModel], scope: str = "") -> Estimate: ...


class Estimator:
    """Computes :class:`Estimate` objects; shared by P1 estimation and P2 final scoring."""

    def __init__(
        self,
        system: ValueSystem,
        judge: MeteredModel | Model,
        diversity: DiversityScorer,
        *,
        judge_config: JudgeConfig | None = None,
        points: int = 3,
        words: int = 250,
        temperature: float | None = 1.0,
        top_p: float | None = 0.95,
        max_attempts: int = 3,
        jaccard: JaccardMode = DEFAULT_JACCARD,
        cache_for: CacheFor | None = None,
    ) -> None:
        self.system = system
        self.judge = judge
        self.diversity = _BatchedDiversity(diversity)
        self.judge_config = judge_config or JudgeConfig()
        self.texts = TextJudge(self._judge_model(), system, self.judge_config, max_attempts=max_attempts)
        self.points = points
        self.words = words
        self.config = GenerateConfig(temperature=temperature, top_p=top_p)
        self.max_attempts = max_attempts
        self.jaccard = jaccard
        self.cache_for: CacheFor = cache_for or (lambda _scope: False)

    def _judge_model(self) -> Model:
        return self.judge.as_model() if isinstance(self.judge, MeteredModel) else self.judge

    async def _opinion(self, model: MeteredModel, question: str, scope: str) -> ModelOpinion:
        prompt = opinion_prompt(question, points=self.points, words=self.words)
        outcome = ParseOutcome.EMPTY
        ledger = current_ledger()
        errors: list[str] = []
        for attempt in range(1, self.max_attempts + 1):
            try:
                output = await model.generate(
                    prompt,
                    config=self.config,
                    cache=self.cache_for(f"{scope}/opinion/{model.spec}/{attempt}"),
                )
            except Exception as exc:  # noqa: BLE001 - provider errors after Inspect's retries: retry
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            parsed = parse_opinion(output.completion, expected_points=self.points)
            outcome = parsed.outcome
            if outcome.judged:
                return await self._judged(
                    model.spec, outcome, parsed.stance, [p.text for p in parsed.points], attempt
                )
            if ledger is not None:
                ledger.fail(f"opinion_{outcome.value}_retry")
        if len(errors) == self.max_attempts:
            raise ModelUnavailable(
                f"{model.spec} failed {self.max_attempts} times giving an opinion: {errors[-1]}"
            )
        if ledger is not None:
            ledger.fail(f"opinion_{outcome.value}")
        return ModelOpinion(model=model.spec, outcome=outcome.value, attempts=self.max_attempts)

    async def _judge(self, texts: list[str]) -> OpinionJudgement:
        """Labels of every text, ORed; unreadable labels (unknown) are counted as judge failures."""
        judgement = await self.texts.opinion(texts)
        ledger = current_ledger()
        if ledger is not None and judgement.judge_failures:
            ledger.fail("judge_unreadable", judgement.judge_failures)
        return judgement

    async def _judged(
        self, spec: str, outcome: ParseOutcome, stance: str | None, points: list[str], attempt: int
    ) -> ModelOpinion:
        judgement = await self._judge(points)
        point_values = [sorted(k for k, v in p.labels.items() if v) for p in judgement.points]
        return ModelOpinion(
            model=spec,
            outcome=outcome.value,
            stance=stance,
            points=points,
            point_values=point_values,
            values=sorted(k for k, v in judgement.vector.items() if v),
            attempts=attempt,
        )

    async def _question_values(self, question: str) -> list[str]:
        judgement = await self._judge([question])
        return sorted(k for k, v in judgement.vector.items() if v)

    async def estimate(self, question: str, models: Sequence[MeteredModel], scope: str = "") -> Estimate:
        """Ask every model, judge the answers and the question, combine into S."""
        results = await asyncio.gather(
            self._question_values(question), *(self._opinion(m, question, scope) for m in models)
        )
        question_values: list[str] = results[0]  # type: ignore[assignment]
        opinions: list[ModelOpinion] = list(results[1:])  # type: ignore[arg-type]
        return await self.combine(question, [m.spec for m in models], opinions, question_values)

    async def combine(
        self, question: str, models: list[str], opinions: list[ModelOpinion], question_values: list[str]
    ) -> Estimate:
        answered = [o for o in opinions if o.answered]
        per_model: Mapping[str, list[set[str]]] = {
            o.model: [set(v) for v in o.point_values] for o in answered
        }
        od = (
            await self.diversity.score({o.model: list(o.points) for o in answered})
            if len(answered) >= 2
            else 0.0
        )
        reward = informativeness(per_model, set(question_values), od, self.jaccard)
        return Estimate(
            question=question,
            models=models,
            opinions=opinions,
            question_values=question_values,
            reward=reward,
        )
