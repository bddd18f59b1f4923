"""Question orders for the rating chains, and percentile intervals over them.

Sequential TrueSkill updates depend on the order in which questions are rated, so one
order proves little. Chain 0 rates every question once in a seeded random order (or in
the given order, for reproducing a plain loop); chains 1..R rate a bootstrap resample of
the questions (drawn with replacement, which also randomises their order). The spread
of a model's win rate over those chains is its confidence interval: it covers both
which questions were asked and in what order.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = ["MAX_REPLICATES", "OrderMode", "percentile_interval", "question_orders"]

OrderMode = Literal["shuffle", "given"]

MAX_REPLICATES = 100_000
"""The most bootstrap replicates the commands accept. Every replicate is a full rating chain,
held in memory with the others (see :func:`adaem_tasks.rating.leaderboard.rating_memory`).
How much the ends of a 95 % interval still move with the bootstrap's own randomness
(``benchmarks/replicates.py``, 8 models x 200 questions, sd over seeds): 1.2 win-rate points
with 100 replicates, 0.4 with 1,000, 0.13 with 10,000, so about 0.04 here -- against intervals
about 24 points wide. More would only cost memory and time."""


def question_orders(
    n_questions: int, replicates: int, seed: int = 0, order: OrderMode = "shuffle"
) -> NDArray[np.intp]:
    """``(1 + replicates, n_questions)`` question indices: the point chain, then the bootstrap."""
    if replicates < 0:
        raise ValueError("replicates must be >= 0")
    rng = np.random.default_rng(seed)
    if order == "given":
        first = np.arange(n_questions)
    elif order == "shuffle":
        first = rng.permutation(n_questions)
    else:
        raise ValueError(f"unknown order {order!r} (use 'shuffle' or 'given')")
    if n_questions == 0:
        return np.zeros((1 + replicates, 0), dtype=np.intp)
    boots = rng.integers(0, n_questions, size=(replicates, n_questions))
    return np.vstack([first[None, :], boots]).astype(np.intp)


def percentile_interval(
    samples: NDArray[np.float64], level: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Equal-tailed percentile interval over axis 0; NaN when there are no samples."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be in (0, 1), got {level}")
    if samples.shape[0] == 0:
        nan = np.full(samples.shape[1:], np.nan)
        return nan, nan.copy()
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(samples, [tail, 100.0 - tail], axis=0)
    return low, high
