"""The one place the generator builds its S estimator.

Today that is :class:`~adaem_gen.estimate.Estimator`, App. C.3's approximation of Eq.
(1) from the examinees' opinions and the judge's labels. Another estimator (e.g. the
paper's exact one of App. I) plugs in here: anything with
:class:`~adaem_gen.estimate.QuestionEstimator`'s ``estimate(question, models, scope)``.
"""

from __future__ import annotations

from adaem_gen.config import RunConfig
from adaem_gen.estimate import DiversityScorer, Estimator, QuestionEstimator
from adaem_gen.models import MeteredModel
from adaem_gen.units import CacheFor
from adaem_tasks.judge import JudgeConfig
from adaem_tasks.value_systems import ValueSystem

__all__ = ["make_estimator"]


def make_estimator(
    config: RunConfig,
    *,
    system: ValueSystem,
    judge: MeteredModel,
    diversity: DiversityScorer,
    cache_for: CacheFor,
) -> QuestionEstimator:
    """The run's estimator. The judge is asked without Inspect's cache: see :mod:`adaem_gen.judgements`."""
    return Estimator(
        system,
        judge,
        diversity,
        judge_config=JudgeConfig(mode=config.judge_mode, max_attempts=config.max_attempts, cache=False),
        points=config.points,
        words=config.words,
        temperature=config.temperature,
        top_p=config.top_p,
        max_attempts=config.max_attempts,
        jaccard=config.jaccard,
        cache_for=cache_for,
    )
