"""Who leads a value, and whether the data say so: the star of the ``adaem-rank`` table.

The highest point estimate is not a finding by itself. On a value that few questions
contrast, the top model changes with ``--seed`` (the question order); on a value that no
question contrasted, every model keeps the prior and the "leader" is whichever comes
first. So a lead is *clear* only when

* the leader played matches on the value (a question split the compared models), and
* it stays ahead of the runner-up across the bootstrap: the percentile interval (at the
  board's confidence level) of the paired difference leader - runner-up over the replicates
  lies above 0. The replicates resample questions once for all models, so the difference is
  paired: it is narrower than the two marginal intervals side by side, and honest about
  what the resampling supports.

Without bootstrap replicates (``--replicates 0``) nothing can be tested, and no lead is clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.rating.bootstrap import percentile_interval

__all__ = ["Lead", "find_leads"]


@dataclass(frozen=True)
class Lead:
    """The top model of one value and whether its lead is clear; ``why`` says why not."""

    leader: int | None  # model index: highest point estimate among models that played matches
    runner_up: int | None  # the next comparable model by point estimate
    margin: float  # leader - runner-up win rate (point estimate); NaN without both
    margin_low: float  # percentile interval of the paired difference over the replicates
    margin_high: float
    clear: bool
    why: str  # "" when clear

    def to_json(self, models: list[str]) -> dict[str, Any]:
        def finite(x: float) -> float | None:
            return round(float(x), 6) if np.isfinite(x) else None

        return {
            "leader": None if self.leader is None else models[self.leader],
            "runner_up": None if self.runner_up is None else models[self.runner_up],
            "margin": finite(self.margin),
            "margin_ci_low": finite(self.margin_low),
            "margin_ci_high": finite(self.margin_high),
            "clear": self.clear,
            "why_not": self.why or None,
        }


def _no_lead(
    why: str, leader: int | None = None, runner_up: int | None = None, margin: float = np.nan
) -> Lead:
    return Lead(leader, runner_up, margin, np.nan, np.nan, False, why)


def find_leads(
    rates: NDArray[np.float64], games: NDArray[np.int64], comparable: NDArray[np.bool_], level: float
) -> list[Lead]:
    """One :class:`Lead` per value.

    Args:
        rates: ``(chains, values, models)`` win rates; chain 0 is the point estimate, the rest
            bootstrap replicates (NaN where a cell is not comparable).
        games: ``(values, models)`` matches played in the point chain.
        comparable: ``(values, models)``.
        level: confidence level of the difference interval.
    """
    leads = []
    point = rates[0]
    for j in range(point.shape[0]):
        candidates = np.flatnonzero(comparable[j] & np.isfinite(point[j]))
        if candidates.size < 2:
            leads.append(_no_lead("fewer than 2 comparable models"))
            continue
        played = candidates[games[j, candidates] > 0]
        if played.size == 0:
            leads.append(_no_lead("no match was played: no question split the compared models on this value"))
            continue
        leader = int(played[np.argmax(point[j, played])])
        others = candidates[candidates != leader]
        runner_up = int(others[np.argmax(point[j, others])])
        margin = float(point[j, leader] - point[j, runner_up])
        if margin <= 0:
            leads.append(_no_lead("not ahead of the runner-up (tied)", leader, runner_up, margin))
            continue
        if rates.shape[0] < 2:
            leads.append(
                _no_lead("untested: no bootstrap replicates (--replicates 0)", leader, runner_up, margin)
            )
            continue
        low, high = percentile_interval(rates[1:, j, leader] - rates[1:, j, runner_up], level)
        clear = bool(low > 0)
        why = "" if clear else f"the {level:.0%} interval of its lead over the runner-up includes 0"
        leads.append(Lead(leader, runner_up, margin, float(low), float(high), clear, why))
    return leads
