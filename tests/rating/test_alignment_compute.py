"""The alignment computation on its own: who is left out and why, what is undefined, what overlaps."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr

from adaem_tasks.rating import rank_records
from adaem_tasks.rating.alignment import (
    Estimate,
    ModelProfiles,
    Target,
    TargetSet,
    align_with_targets,
    map_axes,
    profiles_from_leaderboard,
)
from adaem_tasks.rating.alignment.statistics import pearson, spearman, weighted
from adaem_tasks.rating.alignment.value_map import map_coordinates
from adaem_tasks.value_systems import load_value_system

from .synth import planted_records

SCHWARTZ = load_value_system("schwartz")


def _targets(*targets: Target) -> TargetSet:
    return TargetSet("t.yaml", "schwartz", tuple(SCHWARTZ.keys), targets)


PROFILE = Target("P", "profile", tuple(float(k) for k in range(10)), tuple(SCHWARTZ.keys), 2)


def test_a_model_not_comparable_on_one_value_is_left_out_with_that_reason() -> None:
    records = planted_records(n_models=3, n_questions=80, seed=2)
    # model-0's judge never gave a readable label for power: that one cell is not comparable
    records = [replace(r, labels={**r.labels, "power": None}) if r.model == "model-0" else r for r in records]
    [board] = rank_records(records).leaderboards
    profiles = profiles_from_leaderboard(board)
    assert set(profiles.left_out) == {"model-0"}
    why = profiles.left_out["model-0"]
    assert (
        why.reason == "too_few_shared" and "1 of 10 values" in why.reason_text and "power" in why.reason_text
    )
    result = align_with_targets(profiles, _targets(PROFILE))
    cell = result.cell("model-0", "P")
    assert cell.status == "not_comparable" and math.isnan(cell.spearman.value)
    assert {m.model for m in result.ranking("P").models} == {"model-1", "model-2"}
    assert [m for m, _ in result.ranking("P").left_out] == ["model-0"]
    assert np.isnan(result.similarity.spearman.value[0]).all()


def test_a_flat_win_rate_profile_has_no_correlation_and_no_rank() -> None:
    chains = np.array([[[0.5] * 10, list(np.linspace(0.2, 0.8, 10))]])
    profiles = ModelProfiles("schwartz", None, ["flat", "graded"], list(SCHWARTZ.keys), chains)
    result = align_with_targets(profiles, _targets(PROFILE))
    ranking = result.ranking("P")
    assert [(m.model, m.rank) for m in ranking.models] == [("graded", 1), ("flat", None)]
    assert math.isnan(result.cell("flat", "P").spearman.value)  # undefined, not 0
    assert result.cell("graded", "P").spearman.value == pytest.approx(1.0)
    assert [p.label for p in result.value_map.points if p.kind == "model"] == ["graded"]


def test_statistics_broadcast_over_chains_and_models() -> None:
    rng = np.random.default_rng(0)
    chains = rng.uniform(size=(7, 4, 10))
    targets = rng.uniform(1, 6, size=(3, 10))
    rho, r, w = spearman(chains, targets), pearson(chains, targets), weighted(chains, targets)
    assert rho.shape == r.shape == w.shape == (7, 4, 3)
    assert rho[6, 3, 2] == pytest.approx(spearmanr(chains[6, 3], targets[2]).statistic, abs=1e-12)
    assert r[1, 2, 0] == pytest.approx(pearsonr(chains[1, 2], targets[0]).statistic, abs=1e-12)
    assert w[0, 0, 1] == pytest.approx(np.average(chains[0, 0], weights=targets[1]), abs=1e-12)


@pytest.mark.parametrize("scale", [1e-3, 1e6, 1e300])
def test_a_targets_scale_changes_no_statistic_and_no_map_point(scale: float) -> None:
    """Weights of 1e308 used to overflow their sum to inf: a weighted win rate of 0.0, no r."""
    rng = np.random.default_rng(1)
    chains = rng.uniform(size=(5, 3, 10))
    targets = rng.uniform(1, 6, size=(2, 10))
    axes = map_axes(SCHWARTZ)
    for statistic in (spearman, pearson, weighted):
        assert np.allclose(statistic(chains, scale * targets), statistic(chains, targets), rtol=0, atol=1e-12)
    assert np.allclose(
        map_coordinates(scale * targets, list(SCHWARTZ.keys), axes),
        map_coordinates(targets, list(SCHWARTZ.keys), axes),
        rtol=0,
        atol=1e-12,
    )


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (Estimate(0.8, 0.7, 0.9), Estimate(0.6, 0.5, 0.69), False),
        (Estimate(0.8, 0.7, 0.9), Estimate(0.6, 0.5, 0.7), True),
        (Estimate(0.8, 0.7, 0.9), Estimate(0.6), None),
    ],
)
def test_overlap_needs_two_intervals(a: Estimate, b: Estimate, overlap: bool | None) -> None:
    assert a.overlaps(b) is overlap and b.overlaps(a) is overlap


def test_map_axes_come_from_the_value_system_yaml() -> None:
    schwartz = [(a.positive, a.negative) for a in map_axes(SCHWARTZ)]
    assert schwartz == [("Openness to change", "Conservation"), ("Self-transcendence", "Self-enhancement")]
    [mft] = map_axes(load_value_system("mft"))
    assert (mft.positive_values, mft.negative_values) == (
        ("care", "fairness"),
        ("loyalty", "authority", "sanctity"),
    )
