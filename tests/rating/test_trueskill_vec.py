"""The vectorised two-team update equals a plain loop over ``trueskill.rate``."""

from __future__ import annotations

import numpy as np
import pytest
import trueskill

from adaem_tasks.rating.bootstrap import question_orders
from adaem_tasks.rating.reference import reference_rate_loop
from adaem_tasks.rating.trueskill_vec import (
    TeamWeights,
    TrueSkillParams,
    rate_chains,
    team_weight_table,
    v_win,
    w_win,
)
from adaem_tasks.rating.winrate import win_rates


def random_problem(
    seed: int, n_questions: int, n_values: int, n_models: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    propensity = rng.random((1, n_values, n_models))
    labels = rng.random((n_questions, n_values, n_models)) < propensity
    valid = rng.random((n_questions, n_models)) < 0.85
    labels[:5] = True  # everyone expressed: no contrast
    labels[5:10] = False  # nobody expressed: no contrast
    valid[10:13] = False  # nobody answered
    valid[13:15, 1:] = False  # a single answer
    return labels, valid


@pytest.mark.parametrize("team_weights", ["sum", "mean"])
@pytest.mark.parametrize(("seed", "n_models"), [(0, 4), (1, 7), (2, 16)])
def test_equals_trueskill_rate_loop(seed: int, n_models: int, team_weights: TeamWeights) -> None:
    """Unit weights, and partial-play weights 1 / team size passed as ``trueskill.rate(weights=)``."""
    labels, valid = random_problem(seed, 150, 3, n_models)
    params = TrueSkillParams()
    env = params.trueskill_env("scipy")
    orders = question_orders(150, replicates=2, seed=seed)  # a shuffle and two bootstrap resamples
    result = rate_chains(labels, valid, orders, params, team_weights)
    for c in range(orders.shape[0]):
        mu, sigma, _ = reference_rate_loop(labels, valid, orders[c], env, team_weights)
        assert np.abs(result.mu[c] - mu).max() <= 1e-6
        assert np.abs(result.sigma[c] - sigma).max() <= 1e-6
    # it really moved: not a trivial equality of priors
    assert np.abs(result.mu - params.mu).max() > 1.0


def test_per_value_validity_equals_the_loop() -> None:
    """Unknown labels make a model sit out one value's match only; (Q, V, M) masks follow the loop."""
    labels, valid = random_problem(5, 120, 3, 6)
    rng = np.random.default_rng(5)
    known = valid[:, None, :] & (rng.random(labels.shape) < 0.8)
    orders = question_orders(120, replicates=1, seed=5)
    params = TrueSkillParams()
    result = rate_chains(labels, known, orders, params)
    for c in range(orders.shape[0]):
        mu, sigma, _ = reference_rate_loop(labels, known, orders[c], params.trueskill_env("scipy"))
        assert np.abs(result.mu[c] - mu).max() <= 1e-6
        assert np.abs(result.sigma[c] - sigma).max() <= 1e-6
    # and it differs from treating every answered label as known
    assert np.abs(rate_chains(labels, valid, orders, params).mu - result.mu).max() > 0.1


@pytest.mark.parametrize("team_weights", ["sum", "mean"])
def test_equals_trueskill_rate_loop_with_other_environment(team_weights: TeamWeights) -> None:
    labels, valid = random_problem(3, 80, 2, 5)
    params = TrueSkillParams(mu=0.0, sigma=2.0, beta=1.5, tau=0.05, draw_probability=0.3)
    result = rate_chains(labels, valid, np.arange(80)[None, :], params, team_weights)
    env = params.trueskill_env("scipy")
    mu, sigma, _ = reference_rate_loop(labels, valid, np.arange(80), env, team_weights)
    assert np.abs(result.mu[0] - mu).max() <= 1e-6
    assert np.abs(result.sigma[0] - sigma).max() <= 1e-6


def test_close_to_trueskill_default_backend() -> None:
    """The package's default backend approximates erfc (~1e-7 relative); the drift stays ~1e-6."""
    labels, valid = random_problem(4, 120, 2, 6)
    order = np.arange(120)
    result = rate_chains(labels, valid, order[None, :])
    mu, sigma, _ = reference_rate_loop(labels, valid, order, trueskill.TrueSkill())
    assert np.abs(result.mu[0] - mu).max() <= 1e-5
    assert np.abs(result.sigma[0] - sigma).max() <= 1e-5


def test_counts_matches_and_skipped_questions() -> None:
    # 3 models, 1 value, 4 questions: contrast, all expressed, none expressed, one answer only
    labels = np.array([[[1, 0, 0]], [[1, 1, 1]], [[0, 0, 0]], [[1, 0, 0]]], dtype=bool)
    valid = np.array([[1, 1, 1], [1, 1, 1], [1, 1, 0], [1, 0, 0]], dtype=bool)
    result = rate_chains(labels, valid, np.array([[0, 1, 2, 3], [0, 0, 0, 0]]))
    assert result.games[0, 0].tolist() == [1, 1, 1]
    assert result.no_contrast[0, 0] == 2
    assert result.too_few[0, 0] == 1
    assert result.games[1, 0].tolist() == [4, 4, 4]
    assert result.no_contrast[1, 0] == 0
    # the expressing model won; the others lost
    assert result.mu[0, 0, 0] > 25 > result.mu[0, 0, 1]
    # a model that sat out every match keeps its prior exactly (no dynamics noise either)
    alone = rate_chains(labels, valid, np.array([[1, 2]]))
    assert np.all(alone.mu == 25.0)
    assert np.allclose(alone.sigma, 25 / 3)


def test_v_and_w_stay_finite_far_in_the_tail() -> None:
    x = np.array([-60.0, -35.0, -5.0, 0.0, 5.0])
    v = v_win(x)
    w = w_win(x, v)
    assert np.all(np.isfinite(v)) and np.all((w >= 0) & (w < 1))
    assert v[0] == pytest.approx(60.0, rel=1e-3)  # phi(x)/Phi(x) ~ -x for very negative x
    env = trueskill.TrueSkill(backend="scipy")
    for xi, vi in zip(x[2:], v[2:], strict=True):
        assert vi == pytest.approx(env.v_win(xi, 0.0), rel=1e-12)


def test_rejects_bad_shapes_and_weights() -> None:
    with pytest.raises(ValueError, match="labels must be"):
        rate_chains(np.zeros((3, 2)), np.zeros((3, 2)), np.zeros((1, 3), dtype=int))
    with pytest.raises(ValueError, match="unknown team weights 'max'"):
        rate_chains(np.zeros((3, 1, 2)), np.ones((3, 2)), np.zeros((1, 3), dtype=int), team_weights="max")  # type: ignore[arg-type]


def test_team_weight_table() -> None:
    # 1 winner and 3 losers; a fifth model sits out
    win = np.array([[[True, False, False, False, False]]])
    lose = np.array([[[False, True, True, True, False]]])
    assert team_weight_table(win, lose, "sum").tolist() == [[[1.0, -1.0, -1.0, -1.0, 0.0]]]
    mean = team_weight_table(win, lose, "mean")
    assert mean[0, 0].tolist() == pytest.approx([1.0, -1 / 3, -1 / 3, -1 / 3, 0.0])
    assert mean.sum() == pytest.approx(0.0)  # why the mean is translation-invariant


def _asymmetric_problem(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """12 models, most values expressed by one or two of them: the 1-vs-11 matches of the issue."""
    rng = np.random.default_rng(seed)
    propensity = rng.choice([0.05, 0.05, 0.05, 0.3, 0.9], size=(1, 4, 12))
    labels = rng.random((200, 4, 12)) < propensity
    return labels, np.ones((200, 12), dtype=bool)


def test_mean_weights_make_ratings_invariant_to_the_prior_mean() -> None:
    labels, valid = _asymmetric_problem(0)
    orders = question_orders(200, replicates=3, seed=0)
    base = rate_chains(labels, valid, orders, TrueSkillParams(mu=25.0), "mean")
    base_rates = win_rates(base.mu, base.sigma, 25 / 6)
    for mu0 in (0.0, 50.0, 100.0, -40.0):
        moved = rate_chains(labels, valid, orders, TrueSkillParams(mu=mu0), "mean")
        assert np.abs((moved.mu - mu0) - (base.mu - 25.0)).max() <= 1e-9
        assert np.abs(moved.sigma - base.sigma).max() <= 1e-12
        assert np.abs(win_rates(moved.mu, moved.sigma, 25 / 6) - base_rates).max() <= 1e-9
    assert np.abs(base.mu - 25.0).max() > 5.0  # the ratings did move


def test_sum_weights_depend_on_the_prior_mean() -> None:
    """The documented effect: with unit weights a team's strength is a sum, so mu0 itself moves results."""
    labels, valid = _asymmetric_problem(0)
    orders = question_orders(200, replicates=0, seed=0)
    rates = {}
    for mu0 in (0.0, 25.0, 50.0, 100.0):
        chains = rate_chains(labels, valid, orders, TrueSkillParams(mu=mu0), "sum")
        rates[mu0] = win_rates(chains.mu, chains.sigma, 25 / 6)[0]
    shift = max(np.abs(rates[m] - rates[25.0]).max() for m in rates)
    assert shift > 0.1
    order_changes = sum(
        not np.array_equal(np.argsort(rates[m], axis=-1), np.argsort(rates[25.0], axis=-1)) for m in rates
    )
    assert order_changes >= 2  # and it reorders models
