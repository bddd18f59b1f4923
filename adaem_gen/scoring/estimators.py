"""The one place the generator builds its S estimator.

``--estimator approx`` (the default) is :class:`~adaem_gen.scoring.estimate.Estimator`, App.
C.3's approximation of Eq. (1) from the examinees' opinions and the judge's labels;
``--estimator exact`` is :class:`~adaem_gen.scoring.exact.ExactEstimator`, App. I's probabilities.
Both have :class:`~adaem_gen.scoring.estimate.QuestionEstimator`'s ``estimate(question, models, scope)``.
"""

from __future__ import annotations

from adaem_gen.config import RunConfig
from adaem_gen.models import MeteredModel
from adaem_gen.run.units import CacheFor
from adaem_gen.scoring.estimate import DiversityScorer, Estimator, QuestionEstimator
from adaem_gen.scoring.exact import ExactEstimator, check_exact_support
from adaem_tasks.judge import JudgeConfig
from adaem_tasks.value_systems import ValueSystem

__all__ = ["make_estimator", "require_estimator_support"]


def require_estimator_support(config: RunConfig) -> None:
    """Refuse an estimator the configured models cannot serve, before any model is built.

    Lives here, not in :class:`~adaem_gen.config.RunConfig`: App. I's provider rules belong to
    its estimator, and the configuration, which the estimators read, must not import them back
    (that was an import circle).
    """
    if config.estimator == "exact":
        check_exact_support(config)


def make_estimator(
    config: RunConfig,
    *,
    system: ValueSystem,
    judge: MeteredModel,
    diversity: DiversityScorer,
    cache_for: CacheFor,
) -> QuestionEstimator:
    """The run's estimator.

    The judge is asked without Inspect's cache: see :mod:`adaem_gen.scoring.judgements`.
    """
    if config.estimator == "exact":
        return ExactEstimator.from_config(config, system, judge, cache_for=cache_for)
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
