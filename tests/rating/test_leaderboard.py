"""Leaderboards from planted value profiles: the owner of each value ranks first."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from adaem_tasks.rating.align import align
from adaem_tasks.rating.leaderboard import RankConfig, rank_alignment, rank_records
from adaem_tasks.rating.records import read_panel, write_panel
from adaem_tasks.rating.trueskill_vec import TrueSkillParams
from adaem_tasks.rating.winrate import win_rates

from .synth import planted_records

FAST = RankConfig(replicates=20, seed=0)


@pytest.mark.parametrize(("n_models", "seed"), [(4, 0), (6, 1)])
def test_each_planted_value_owner_ranks_first(n_models: int, seed: int) -> None:
    records = planted_records(n_models=n_models, n_questions=150, seed=seed, invalid_rate=0.05)
    [board] = rank_records(records, FAST).leaderboards
    for k in range(n_models):
        value = board.values[k]
        assert board.leader(value) == f"model-{k}", value
        i = board.models.index(f"model-{k}")
        j = board.values.index(value)
        assert board.ci_low[i, j] <= board.win_rate[i, j] <= board.ci_high[i, j]
        assert board.win_rate[i, j] > 0.8
        others = [board.ci_high[m, j] for m in range(n_models) if m != i]
        assert board.ci_low[i, j] > max(others)  # separated, not just ahead
    # values nobody owns: everyone near the middle
    unowned = board.win_rate[:, n_models:]
    assert np.all(np.abs(unowned - 0.5) < 0.3)


@pytest.mark.parametrize("team_weights", ["sum", "mean"])
def test_point_estimate_reproduces_a_given_order(team_weights: str) -> None:
    records = planted_records(n_models=3, n_questions=40, seed=3)
    [alignment], _ = align(records)
    config = RankConfig(replicates=0, order="given", team_weights=team_weights)  # type: ignore[arg-type]
    board = rank_alignment(alignment, config)
    # same thing computed from the trueskill package, question by question in id order
    env = TrueSkillParams().trueskill_env("scipy")
    mu = np.zeros((len(alignment.values), 3))
    sigma = np.zeros_like(mu)
    for v in range(len(alignment.values)):
        ratings = [env.create_rating() for _ in range(3)]
        for q in range(len(alignment.question_ids)):
            win = [m for m in range(3) if alignment.labels[q, v, m]]
            lose = [m for m in range(3) if not alignment.labels[q, v, m]]
            if win and lose:
                weights = None
                if team_weights == "mean":  # partial play: each member plays 1 / team size
                    weights = [[1 / len(win)] * len(win), [1 / len(lose)] * len(lose)]
                teams = [[ratings[m] for m in win], [ratings[m] for m in lose]]
                new = env.rate(teams, ranks=[0, 1], weights=weights)
                for m, r in zip(win + lose, list(new[0]) + list(new[1]), strict=True):
                    ratings[m] = r
        mu[v] = [r.mu for r in ratings]
        sigma[v] = [r.sigma for r in ratings]
    assert np.abs(board.mu - mu.T).max() <= 1e-6
    assert np.abs(board.sigma - sigma.T).max() <= 1e-6
    assert np.abs(board.win_rate - win_rates(mu, sigma, 25 / 6).T).max() <= 1e-9
    assert np.all(np.isnan(board.ci_low))  # no replicates, no interval


def test_seeded_results_are_reproducible_and_seed_matters() -> None:
    records = planted_records(n_models=3, n_questions=60, seed=4)
    a = rank_records(records, FAST).leaderboards[0]
    b = rank_records(records, FAST).leaderboards[0]
    c = rank_records(records, replace(FAST, seed=1)).leaderboards[0]
    assert np.array_equal(a.win_rate, b.win_rate) and np.array_equal(a.ci_low, b.ci_low)
    assert not np.array_equal(a.win_rate, c.win_rate)


def test_questions_all_or_none_expressed_are_skipped_and_counted() -> None:
    records = planted_records(n_models=3, n_questions=30, seed=5)
    power = "power"
    # first 10 questions: everyone expresses power; next 5: nobody does
    records = [
        replace(r, labels={**r.labels, power: 1 if r.question_id < "q0010" else 0})
        if r.question_id < "q0015"
        else r
        for r in records
    ]
    result = rank_records(records, FAST)
    [board] = result.leaderboards
    assert board.skipped[power]["no_contrast"] >= 15
    contrast_questions = 30 - board.skipped[power]["no_contrast"] - board.skipped[power]["too_few"]
    j = board.values.index(power)
    assert board.n_questions[:, j].max() == contrast_questions
    [skip] = [p for p in result.problems if p.kind == "no_contrast"]
    assert skip.details["skipped"][power]["no_contrast"] == board.skipped[power]["no_contrast"]
    assert f"{power} {board.skipped[power]['no_contrast']}" in skip.message


def test_partial_coverage_sits_out_without_skewing() -> None:
    records = planted_records(n_models=4, n_questions=160, seed=6)
    # model-3 (owner of achievement) answered only a third of the questions
    records = [r for r in records if r.model != "model-3" or int(r.question_id[1:]) % 3 == 0]
    result = rank_records(records, FAST)
    [board] = result.leaderboards
    assert board.leader("achievement") == "model-3"
    i = board.models.index("model-3")
    assert board.n_questions[i].max() <= 54
    assert any(p.kind == "coverage" and p.model == "model-3" for p in result.problems)


def test_by_category_tables() -> None:
    records = planted_records(n_models=3, n_questions=90, seed=7)
    result = rank_records(records, FAST, by_category=True)
    assert [b.category for b in result.by_category] == ["Economics", "Education", "Health"]
    for board in result.by_category:
        assert board.n_total_questions == 30
        assert board.leader("self_direction") == "model-0"


def test_single_model_against_a_reference_panel(tmp_path: Path) -> None:
    panel_records = planted_records(n_models=4, n_questions=120, seed=8, prefix="panel")
    write_panel(panel_records, tmp_path / "panel.jsonl")
    panel, problems = read_panel(tmp_path / "panel.jsonl")
    assert problems == [] and all(r.panel for r in panel) and len(panel) == len(panel_records)
    # a new model that expresses power (value 4) a lot, rated against the stored panel
    newcomer = [
        replace(r, model="newcomer", labels={**r.labels, "power": 1}, panel=False)
        for r in planted_records(n_models=1, n_questions=120, seed=9, p_own=0.2)
    ]
    [board] = rank_records(panel + newcomer, FAST).leaderboards
    assert board.panel_models == ["panel-0", "panel-1", "panel-2", "panel-3"]
    assert board.leader("power") == "newcomer"
    assert board.leader("stimulation") == "panel-1"


def test_openskill_backend_ranks_owners_first() -> None:
    records = planted_records(n_models=4, n_questions=60, seed=10)
    config = RankConfig(replicates=2, backend="openskill")
    [board] = rank_records(records, config).leaderboards
    for k in range(4):
        assert board.leader(board.values[k]) == f"model-{k}"
