"""Win probabilities: the paper's formula, the textbook one, and the bootstrap helpers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import trueskill
from scipy.stats import norm

from adaem_tasks.rating.bootstrap import percentile_interval, question_orders
from adaem_tasks.rating.winrate import pairwise_win_probability, win_rates

BETA = 25 / 6


def test_paper_formula_by_hand() -> None:
    mu = np.array([30.0, 25.0])
    sigma = np.array([2.0, 3.0])
    prob = pairwise_win_probability(mu, sigma, BETA, "paper")
    expected = norm.cdf(5.0 / math.sqrt(2 * (BETA**2 + 4.0 + 9.0)))
    assert prob[0, 1] == pytest.approx(expected, rel=1e-12)
    assert prob[0, 1] + prob[1, 0] == pytest.approx(1.0)
    assert prob[0, 0] == 0.5


def test_textbook_formula_matches_trueskill_docs() -> None:
    """trueskill.org's win_probability for 1 vs 1: Phi(delta / sqrt(2 beta^2 + s1^2 + s2^2))."""
    a, b = trueskill.Rating(30, 2), trueskill.Rating(25, 3)
    expected = norm.cdf((a.mu - b.mu) / math.sqrt(2 * BETA**2 + a.sigma**2 + b.sigma**2))
    prob = pairwise_win_probability(np.array([a.mu, b.mu]), np.array([a.sigma, b.sigma]), BETA, "textbook")
    assert prob[0, 1] == pytest.approx(expected, rel=1e-12)


def test_paper_formula_is_more_conservative_and_both_agree_without_uncertainty() -> None:
    mu, sigma = np.array([30.0, 25.0]), np.array([3.0, 3.0])
    paper = pairwise_win_probability(mu, sigma, BETA, "paper")[0, 1]
    textbook = pairwise_win_probability(mu, sigma, BETA, "textbook")[0, 1]
    assert 0.5 < paper < textbook
    zero = np.zeros(2)
    assert pairwise_win_probability(mu, zero, BETA, "paper")[0, 1] == pytest.approx(
        pairwise_win_probability(mu, zero, BETA, "textbook")[0, 1]
    )


def test_win_rates_average_over_opponents() -> None:
    mu = np.array([[30.0, 25.0, 20.0]])
    sigma = np.full((1, 3), 1.0)
    rates = win_rates(mu, sigma, BETA)
    prob = pairwise_win_probability(mu[0], sigma[0], BETA)
    assert rates[0, 0] == pytest.approx((prob[0, 1] + prob[0, 2]) / 2)
    assert rates[0].mean() == pytest.approx(0.5)  # zero-sum: mean win rate is exactly 1/2
    assert np.all(np.isnan(win_rates(mu[:, :1], sigma[:, :1], BETA)))
    with pytest.raises(ValueError, match="formula"):
        pairwise_win_probability(mu, sigma, BETA, "other")  # type: ignore[arg-type]


def test_question_orders_seeded_and_shaped() -> None:
    orders = question_orders(50, replicates=7, seed=3)
    assert orders.shape == (8, 50)
    assert sorted(orders[0].tolist()) == list(range(50))  # chain 0 is a permutation
    assert np.array_equal(orders, question_orders(50, replicates=7, seed=3))
    assert not np.array_equal(orders, question_orders(50, replicates=7, seed=4))
    assert any(len(set(row.tolist())) < 50 for row in orders[1:])  # resampled with replacement
    assert question_orders(5, 0, order="given").tolist() == [[0, 1, 2, 3, 4]]


def test_percentile_interval() -> None:
    samples = np.arange(101, dtype=float)[:, None]
    low, high = percentile_interval(samples, 0.9)
    assert low[0] == pytest.approx(5.0) and high[0] == pytest.approx(95.0)
    nan_low, _ = percentile_interval(np.zeros((0, 2)))
    assert np.all(np.isnan(nan_low))
