"""The study statistics against values computed by hand (and scipy where it has the function)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from adaem_tasks.validate.stats import (
    coefficient_of_variation,
    cronbach_alpha,
    expression_rates,
    finite_mean,
    finite_range,
    paired_comparison,
    percentile_interval,
    summarize,
)


def test_cronbach_alpha_by_hand() -> None:
    # items: (2, 4, 6) var 4 and (3, 4, 8) var 7; totals (5, 8, 14) var 21
    # alpha = 2 / 1 * (1 - (4 + 7) / 21) = 20 / 21
    assert cronbach_alpha([[2, 3], [4, 4], [6, 8]]) == pytest.approx(20 / 21)
    # identical items: alpha = k/(k-1) * (1 - k var / (k^2 var)) = 1
    assert cronbach_alpha([[1, 1, 1], [2, 2, 2], [5, 5, 5]]) == pytest.approx(1.0)
    # items that disagree completely: totals constant -> no variance to explain
    assert math.isnan(cronbach_alpha([[1, 3], [2, 2], [3, 1]]))


def test_cronbach_alpha_leaves_out_subjects_with_unknowns_and_needs_two_of_each() -> None:
    with_unknown = [[2, 3], [4, 4], [6, 8], [np.nan, 1]]
    assert cronbach_alpha(with_unknown) == pytest.approx(20 / 21)
    assert math.isnan(cronbach_alpha([[1, 2]]))  # one subject
    assert math.isnan(cronbach_alpha([[1], [2], [3]]))  # one item
    with pytest.raises(ValueError, match="subjects, items"):
        cronbach_alpha([1, 2, 3])


def test_alpha_of_pure_noise_is_near_zero_and_of_signal_near_one() -> None:
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(400, 5))
    assert abs(cronbach_alpha(noise)) < 0.1
    signal = rng.normal(size=(400, 1)) + 0.1 * rng.normal(size=(400, 5))
    assert cronbach_alpha(signal) > 0.95


def test_coefficient_of_variation_by_hand() -> None:
    # (2, 3): mean 2.5, sd sqrt(0.5); (4, 4): 0; (0, 0): mean 0 -> undefined; a NaN -> undefined
    cv = coefficient_of_variation([[2, 3], [4, 4], [0, 0], [1, np.nan]])
    assert cv[0] == pytest.approx(math.sqrt(0.5) / 2.5)
    assert cv[1] == 0.0
    assert math.isnan(cv[2]) and math.isnan(cv[3])


def test_paired_comparison_by_hand() -> None:
    before, after = [0, 0, 1, 0], [1, 1, 1, 0]
    c = paired_comparison(before, after)
    # differences (1, 1, 0, 0): mean 0.5, sd sqrt(1/3); d_z = 0.5 / sqrt(1/3); t = d_z * sqrt(4)
    d = 0.5 / math.sqrt(1 / 3)
    assert (c.n, c.before, c.after, c.delta) == (4, 0.25, 0.75, 0.5)
    assert c.relative_change == pytest.approx(2.0)
    assert c.cohens_d == pytest.approx(d)
    assert c.statistic == pytest.approx(2 * d)
    assert c.p_value == pytest.approx(2 * sps.t.sf(2 * d, df=3))
    assert c.note is None


def test_paired_comparison_drops_unknown_pairs_and_names_degenerate_cases() -> None:
    c = paired_comparison([0, np.nan, 1, 0, 1], [1, 1, np.nan, 0, 1])
    assert c.n == 3  # pairs 2 and 3 have an unknown side
    same = paired_comparison([1, 0, 1], [1, 0, 1])
    assert same.delta == 0 and math.isnan(same.p_value) and "no pair changed" in (same.note or "")
    shifted = paired_comparison([0, 0, 0], [1, 1, 1])
    assert shifted.delta == 1 and math.isnan(shifted.cohens_d) and "zero variance" in (shifted.note or "")
    empty = paired_comparison([np.nan], [1])
    assert empty.n == 0 and math.isnan(empty.before)
    assert paired_comparison([0, 1], [1, 1]).relative_change == pytest.approx(1.0)
    assert math.isnan(paired_comparison([0, 0, 0], [1, 0, 1]).relative_change)  # baseline 0: no ratio


def test_expression_rates_ignore_unknown_labels_and_take_bootstrap_weights() -> None:
    labels = np.zeros((3, 1, 2), dtype=bool)
    known = np.ones((3, 1, 2), dtype=bool)
    labels[0, 0, 0] = labels[1, 0, 0] = True  # model 0: 1, 1, 0
    known[2, 0, 1] = False
    labels[0, 0, 1] = True  # model 1: 1, 0, unknown
    known[:, 0, 1] = [True, True, False]
    rates = expression_rates(labels, known)
    assert rates[0, 0] == pytest.approx(2 / 3)
    assert rates[0, 1] == pytest.approx(1 / 2)
    weights = np.array([[0.0, 0.0, 3.0], [2.0, 1.0, 0.0]])
    boot = expression_rates(labels, known, weights)
    assert boot.shape == (2, 1, 2)
    assert boot[0, 0, 0] == 0.0 and math.isnan(boot[0, 0, 1])  # only question 3, unknown for model 1
    assert boot[1, 0, 0] == 1.0 and boot[1, 0, 1] == pytest.approx(2 / 3)


def test_percentile_interval_and_summary() -> None:
    low, high = percentile_interval(np.arange(101, dtype=float), 0.9)
    assert (low, high) == (pytest.approx(5.0), pytest.approx(95.0))
    assert all(math.isnan(x) for x in percentile_interval([np.nan]))
    with pytest.raises(ValueError, match="confidence level"):
        percentile_interval([1.0], 1.5)
    s = summarize([1.0, 3.0, np.nan])
    assert (s["mean"], s["min"], s["max"], s["n"]) == (2.0, 1.0, 3.0, 2)
    assert s["sd"] == pytest.approx(math.sqrt(2))
    assert summarize([])["n"] == 0


def test_finite_mean_and_range_leave_unknowns_out_without_warnings() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spread = finite_range(np.array([[0.2, np.nan], [0.7, np.nan], [np.nan, np.nan]]), axis=0)
        assert spread[0] == pytest.approx(0.5) and math.isnan(spread[1])
        assert finite_mean([1.0, np.nan, 3.0]) == 2.0 and math.isnan(finite_mean([np.nan]))


def test_json_keeps_tiny_p_values_and_writes_unknown_as_null() -> None:
    from adaem_tasks.validate.output import jsonable

    doc = jsonable(
        {"p": 3.2e-12, "rate": 0.123456789, "d": math.nan, "xs": np.array([1.5, np.inf]), "n": np.int64(4)}
    )
    assert doc == {"p": 3.2e-12, "rate": 0.123457, "d": None, "xs": [1.5, None], "n": 4}
