"""Align models' win-rate profiles with targets: statistics, intervals, orderings, similarity, map.

Every statistic is computed on every chain of the leaderboard (chain 0 the point estimate,
chains 1.. its bootstrap replicates), so its interval comes from the very replicates the win
rates' intervals come from, with the leaderboard's confidence level. Per target the models
are ordered by the target's statistic -- the match (rho + 1) / 2 for a profile, the weighted
score for a weighting -- and a model whose interval overlaps the best one's is marked as not
distinguishable from it.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.rating.alignment.profiles import ModelProfiles
from adaem_tasks.rating.alignment.result import (
    AlignmentCell,
    Estimate,
    EstimateMatrix,
    MapPoint,
    ModelSimilarity,
    RankedModel,
    RankingStatistic,
    TargetAlignment,
    TargetRanking,
    ValueMap,
)
from adaem_tasks.rating.alignment.statistics import (
    pearson,
    pearson_matrix,
    spearman,
    spearman_matrix,
    weighted,
)
from adaem_tasks.rating.alignment.targets import Target, TargetSet
from adaem_tasks.rating.alignment.value_map import map_axes, map_coordinates
from adaem_tasks.rating.bootstrap import percentile_interval
from adaem_tasks.value_systems import load_value_system

__all__ = ["align_with_targets"]


def _estimates(chains: NDArray[np.float64], level: float) -> EstimateMatrix:
    """Point (chain 0) and interval bounds over the replicates; NaN bounds without replicates."""
    if chains.shape[0] < 2:
        nan = np.full(chains.shape[1:], np.nan)
        return EstimateMatrix(chains[0], nan, nan.copy())
    low, high = percentile_interval(chains[1:], level)
    return EstimateMatrix(chains[0], low, high)


def _estimate(matrix: EstimateMatrix, i: int, t: int) -> Estimate:
    return Estimate(float(matrix.value[i, t]), float(matrix.low[i, t]), float(matrix.high[i, t]))


def _ranking(
    target: Target, statistic: RankingStatistic, scores: dict[str, Estimate], profiles: ModelProfiles
) -> TargetRanking:
    defined = sorted((m for m, e in scores.items() if e.defined), key=lambda m: (-scores[m].value, m))
    undefined = sorted(m for m, e in scores.items() if not e.defined)
    entries: list[RankedModel] = []
    best = scores[defined[0]] if defined else None
    for rank, model in enumerate(defined, start=1):
        overlap = best.overlaps(scores[model]) if best is not None else None
        entries.append(
            RankedModel(
                model=model,
                rank=rank,
                score=scores[model],
                best=rank == 1,
                distinguishable_from_best=None if rank == 1 or overlap is None else not overlap,
            )
        )
    entries += [RankedModel(m, None, scores[m], False, None) for m in undefined]
    return TargetRanking(
        target=target.name,
        kind=target.kind,
        statistic=statistic,
        models=entries,
        left_out=[(m, profiles.left_out[m]) for m in profiles.models if m in profiles.left_out],
        correlations_defined=target.varies,
    )


def _similarity(profiles: ModelProfiles, scored: NDArray[np.bool_]) -> ModelSimilarity:
    chains = np.where(scored[None, :, None], profiles.chains, np.nan)
    return ModelSimilarity(
        models=list(profiles.models),
        spearman=_estimates(spearman_matrix(chains), profiles.ci_level),
        pearson=_estimates(pearson_matrix(chains), profiles.ci_level),
    )


def _value_map(profiles: ModelProfiles, targets: TargetSet, scored: NDArray[np.bool_]) -> ValueMap:
    axes = map_axes(load_value_system(profiles.value_system))
    points: list[MapPoint] = []
    if not axes:
        return ValueMap(axes=[], points=[])
    spread = _estimates(map_coordinates(profiles.chains, profiles.values, axes), profiles.ci_level)
    point, low, high = spread.value, spread.low, spread.high
    for i, model in enumerate(profiles.models):
        if not scored[i] or not np.isfinite(point[i]).all():
            continue
        has_interval = bool(np.isfinite(low[i]).all() and np.isfinite(high[i]).all())
        points.append(
            MapPoint(
                label=model,
                kind="model",
                coordinates=tuple(float(x) for x in point[i]),
                low=tuple(float(x) for x in low[i]) if has_interval else None,
                high=tuple(float(x) for x in high[i]) if has_interval else None,
            )
        )
    target_points = map_coordinates(targets.matrix(), list(targets.values), axes)
    for t, target in enumerate(targets.targets):
        if np.isfinite(target_points[t]).all():
            points.append(MapPoint(target.name, "target", tuple(float(x) for x in target_points[t])))
    return ValueMap(axes=axes, points=points)


def align_with_targets(profiles: ModelProfiles, targets: TargetSet) -> TargetAlignment:
    """Every model of ``profiles`` against every target; the value systems must agree."""
    if profiles.value_system != targets.value_system or list(targets.values) != profiles.values:
        raise ValueError(f"targets are {targets.value_system} values, the profiles {profiles.value_system}")
    scored = np.array([m not in profiles.left_out for m in profiles.models], dtype=bool)
    chains = np.where(scored[None, :, None], profiles.chains, np.nan)
    matrix = targets.matrix()
    level = profiles.ci_level
    rho = _estimates(spearman(chains, matrix), level)
    r = _estimates(pearson(chains, matrix), level)
    # profile targets get no weighted score: a row of ones stands in for them and is never read
    weights = np.where(np.array([t.kind == "weights" for t in targets.targets])[:, None], matrix, 1.0)
    score = _estimates(weighted(chains, weights), level)
    cells: list[AlignmentCell] = []
    rankings: list[TargetRanking] = []
    for t, target in enumerate(targets.targets):
        by_model: dict[str, AlignmentCell] = {}
        for i, model in enumerate(profiles.models):
            left_out = profiles.left_out.get(model)
            if left_out is not None:
                nan = Estimate(math.nan)
                by_model[model] = AlignmentCell(
                    model, target.name, nan, nan, nan, None if target.kind == "profile" else nan,
                    "not_comparable", left_out.reason, left_out.reason_text,
                )  # fmt: skip
                continue
            spearman_t = _estimate(rho, i, t)
            by_model[model] = AlignmentCell(
                model=model,
                target=target.name,
                spearman=spearman_t,
                match=Estimate(
                    (spearman_t.value + 1) / 2, (spearman_t.low + 1) / 2, (spearman_t.high + 1) / 2
                ),
                pearson=_estimate(r, i, t),
                weighted=_estimate(score, i, t) if target.kind == "weights" else None,
            )
        statistic: RankingStatistic = "match" if target.kind == "profile" else "weighted"
        ordering_scores = {
            m: (c.match if statistic == "match" else c.weighted) or Estimate(math.nan)
            for m, c in by_model.items()
            if c.status == "ok"
        }
        ranking = _ranking(target, statistic, ordering_scores, profiles)
        rankings.append(ranking)
        cells += [by_model[e.model] for e in ranking.models]
        cells += [by_model[m] for m, _ in ranking.left_out]
    return TargetAlignment(
        value_system=profiles.value_system,
        set_version=profiles.set_version,
        values=list(profiles.values),
        models=list(profiles.models),
        targets=targets,
        ci_level=level,
        n_replicates=profiles.n_replicates,
        source=profiles.source,
        cells=cells,
        rankings=rankings,
        similarity=_similarity(profiles, scored),
        value_map=_value_map(profiles, targets, scored),
        left_out=dict(profiles.left_out),
    )
