"""What alignment with targets produces: plain typed data, for the CLI writers and the HTML report.

Nothing here draws or writes. :func:`~adaem_tasks.rating.alignment.compute.align_with_targets`
builds a :class:`TargetAlignment`; the CSV/JSON writers, the matplotlib pictures and the
HTML report render it. Every estimate carries its interval from the leaderboard's bootstrap
chains (NaN bounds when only point values were known); NaN is "undefined", never 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.rating.alignment.profiles import LeftOut
from adaem_tasks.rating.alignment.targets import TargetKind, TargetSet
from adaem_tasks.rating.alignment.value_map import MapAxis
from adaem_tasks.rating.leaderboard import RowStatus

__all__ = [
    "AlignmentCell",
    "CellStatus",
    "Estimate",
    "EstimateMatrix",
    "Heatmap",
    "MapPoint",
    "ModelSimilarity",
    "RankedModel",
    "RankingStatistic",
    "TargetAlignment",
    "TargetRanking",
    "ValueMap",
]

CellStatus = RowStatus
"""A cell's status is a leaderboard row's: ``ok``, or ``not_comparable`` with the same reasons."""
RankingStatistic = Literal["match", "weighted"]


@dataclass(frozen=True)
class Estimate:
    """A point value and its percentile interval; NaN where undefined or without replicates."""

    value: float
    low: float = math.nan
    high: float = math.nan

    @property
    def defined(self) -> bool:
        return math.isfinite(self.value)

    @property
    def has_interval(self) -> bool:
        return math.isfinite(self.low) and math.isfinite(self.high)

    def overlaps(self, other: Estimate) -> bool | None:
        """Whether the two intervals overlap; None when either has none."""
        if not (self.has_interval and other.has_interval):
            return None
        return self.low <= other.high and other.low <= self.high


@dataclass(frozen=True)
class AlignmentCell:
    """One model against one target (one row of ``alignment.csv``)."""

    model: str
    target: str
    spearman: Estimate
    match: Estimate
    """(rho + 1) / 2, the Value Compass "match"; its bounds are the transformed rho bounds."""
    pearson: Estimate
    weighted: Estimate | None
    """None for a profile target (only weightings have a weighted score)."""
    status: CellStatus = "ok"
    reason: str | None = None
    reason_text: str | None = None


@dataclass(frozen=True)
class RankedModel:
    """A model's place for one target. ``rank`` is None when its score is undefined."""

    model: str
    rank: int | None
    score: Estimate
    best: bool
    distinguishable_from_best: bool | None
    """False: its interval overlaps the best model's (not distinguishable from it); None: no intervals."""


@dataclass(frozen=True)
class TargetRanking:
    """The models in order for one target, ``left_out`` the ones that were not comparable."""

    target: str
    kind: TargetKind
    statistic: RankingStatistic
    models: list[RankedModel]
    left_out: list[tuple[str, LeftOut]]
    correlations_defined: bool
    """False for a weighting with equal weights: it orders nothing, so rho and r do not exist."""


@dataclass(frozen=True)
class EstimateMatrix:
    """``(rows, columns)`` values with their interval bounds."""

    value: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]


@dataclass(frozen=True)
class ModelSimilarity:
    """Models as targets: rho and r between every two models' profiles (NaN for the left out)."""

    models: list[str]
    spearman: EstimateMatrix
    pearson: EstimateMatrix


@dataclass(frozen=True)
class MapPoint:
    """A model or target on the value map; a model's interval cross spans ``low``..``high`` per axis."""

    label: str
    kind: Literal["model", "target"]
    coordinates: tuple[float, ...]
    low: tuple[float, ...] | None = None
    high: tuple[float, ...] | None = None


@dataclass(frozen=True)
class ValueMap:
    """Models (with interval crosses) and targets on the value system's higher-order axes."""

    axes: list[MapAxis]
    points: list[MapPoint]


@dataclass(frozen=True)
class Heatmap:
    """Models x targets of each target's ranking statistic, ready to draw.

    ``rows`` are the scored models by mean score (best first), then the left-out ones (NaN rows);
    ``best`` marks each column's best model, ``tied`` the ones not distinguishable from it.
    """

    rows: list[str]
    columns: list[str]
    statistics: list[RankingStatistic]
    score: EstimateMatrix
    best: NDArray[np.bool_]
    tied: NDArray[np.bool_]
    left_out: list[str]


@dataclass
class TargetAlignment:
    """Every model against every target of one value system, with intervals and orderings."""

    value_system: str
    set_version: str | None
    values: list[str]
    models: list[str]
    targets: TargetSet
    ci_level: float
    n_replicates: int
    source: str
    cells: list[AlignmentCell]
    rankings: list[TargetRanking]
    similarity: ModelSimilarity
    value_map: ValueMap
    left_out: dict[str, LeftOut]

    def cell(self, model: str, target: str) -> AlignmentCell:
        for cell in self.cells:
            if cell.model == model and cell.target == target:
                return cell
        raise KeyError((model, target))

    def ranking(self, target: str) -> TargetRanking:
        for ranking in self.rankings:
            if ranking.target == target:
                return ranking
        raise KeyError(target)

    def heatmap(self) -> Heatmap:
        columns = [r.target for r in self.rankings]
        scored = [m for m in self.models if m not in self.left_out]
        shape = (len(scored) + len(self.left_out), len(columns))
        value, low, high = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
        best, tied = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
        means = {}
        for model in scored:
            scores = [e.score.value for r in self.rankings for e in r.models if e.model == model]
            finite = [s for s in scores if math.isfinite(s)]
            means[model] = sum(finite) / len(finite) if finite else -math.inf
        rows = sorted(scored, key=lambda m: (-means[m], m)) + sorted(self.left_out)
        for j, ranking in enumerate(self.rankings):
            for entry in ranking.models:
                i = rows.index(entry.model)
                value[i, j], low[i, j], high[i, j] = entry.score.value, entry.score.low, entry.score.high
                best[i, j] = entry.best
                tied[i, j] = not entry.best and entry.distinguishable_from_best is False
        return Heatmap(
            rows=rows,
            columns=columns,
            statistics=[r.statistic for r in self.rankings],
            score=EstimateMatrix(value, low, high),
            best=best,
            tied=tied,
            left_out=sorted(self.left_out),
        )
