"""C.3's reward terms, including the min(|∩|, 1) denominators' edge cases."""

from __future__ import annotations

import pytest

from adaem_gen.scoring.reward import (
    disentanglement,
    informativeness,
    jaccard_diversity,
    set_ratio,
    value_conformity,
    value_conformity_total,
    value_diversity,
)


@pytest.mark.parametrize(
    ("union", "inter", "as_written", "max_reading"),
    [
        (0, 0, 0.0, 0.0),  # both sets empty: 0/0 := 0
        (3, 0, 3.0, 3.0),  # disjoint: printed denominator min(0,1)=0 -> guarded to 1
        (3, 1, 3.0, 3.0),  # one shared value: both readings divide by 1
        (4, 2, 4.0, 2.0),  # the only case where the readings differ: |∩| >= 2
        (5, 5, 5.0, 1.0),  # identical sets
    ],
)
def test_set_ratio_edge_cases(union: int, inter: int, as_written: float, max_reading: float) -> None:
    assert set_ratio(union, inter, "as_written") == as_written
    assert set_ratio(union, inter, "max") == max_reading


def test_set_ratio_rejects_impossible_sizes_and_modes() -> None:
    with pytest.raises(ValueError, match="invalid set sizes"):
        set_ratio(1, 2)
    with pytest.raises(ValueError, match="invalid set sizes"):
        set_ratio(-1, 0)
    with pytest.raises(ValueError, match="unknown jaccard mode"):
        set_ratio(2, 1, "min")  # type: ignore[arg-type]


def test_jaccard_diversity_as_written_counts_the_union() -> None:
    assert jaccard_diversity({"power", "achievement"}, {"power", "achievement"}, "as_written") == 2.0
    assert jaccard_diversity({"power"}, {"tradition"}, "as_written") == 2.0
    assert jaccard_diversity({"power"}, set(), "as_written") == 1.0
    assert jaccard_diversity(set(), set(), "as_written") == 0.0


def test_the_default_reading_is_max() -> None:
    """``max`` is the default (docs/generator.md: its sets separate models better)."""
    assert jaccard_diversity({"power", "achievement"}, {"power", "achievement"}) == 1.0
    assert value_conformity([{"a", "b"}, {"a", "b"}]) == 1.0


def test_jaccard_diversity_max_reading_rewards_disagreement() -> None:
    same = jaccard_diversity({"power", "achievement"}, {"power", "achievement"}, "max")
    disjoint = jaccard_diversity({"power", "achievement"}, {"tradition", "conformity"}, "max")
    assert same == 1.0
    assert disjoint == 4.0
    assert disjoint > same


def test_value_conformity_per_model() -> None:
    assert value_conformity([]) == 0.0
    assert value_conformity([set(), set()]) == 0.0
    assert value_conformity([{"power"}, {"power", "achievement"}]) == 2.0  # ∪=2, ∩=1
    assert value_conformity([{"power"}, {"tradition"}]) == 2.0  # ∩=∅: guarded denominator
    assert value_conformity([{"a", "b"}, {"a", "b"}], "max") == 1.0
    assert value_conformity([{"a", "b"}, {"a", "b"}], "as_written") == 2.0


def test_value_conformity_total_sums_models() -> None:
    per_model = {"m1": [{"power"}, {"achievement"}], "m2": [{"tradition"}]}
    assert value_conformity_total(per_model) == 3.0


def test_value_diversity_sums_ordered_pairs() -> None:
    sets = [{"power"}, {"tradition"}, {"hedonism"}]
    assert value_diversity(sets) == 6 * 2.0  # 3*2 ordered pairs, each |∪|=2
    assert value_diversity([{"power"}]) == 0.0
    assert value_diversity([]) == 0.0


def test_disentanglement_is_mean_symmetric_difference() -> None:
    assert disentanglement([{"power", "achievement"}, {"power"}], {"power"}) == (1 + 0) / 2
    assert disentanglement([{"a"}, {"b"}], set()) == 1.0
    assert disentanglement([], {"a"}) == 0.0


def test_informativeness_combines_the_terms() -> None:
    per_model = {
        "m1": [{"power"}, {"power", "achievement"}],  # values {power, achievement}
        "m2": [{"tradition"}],  # values {tradition}
    }
    reward = informativeness(per_model, question_values={"power"}, opinion_diversity=0.4)
    assert reward.vc == 2.0 + 1.0
    assert reward.vd == 3.0 + 3.0  # |{power, achievement, tradition}| both ways
    assert reward.dis == (1 + 2) / 2  # {achievement} and {tradition, power}
    assert reward.od == 0.4
    assert reward.s == pytest.approx(3.0 + 6.0 + 0.4 - 0.5 * 1.5)


def test_distinct_values_score_higher_than_shared_ones() -> None:
    """The property the generator climbs: models disagreeing on values raise S."""
    shared = {"m1": [{"universalism"}], "m2": [{"universalism"}], "m3": [{"universalism"}]}
    split = {"m1": [{"power"}], "m2": [{"tradition"}], "m3": [{"hedonism"}]}
    for mode in ("as_written", "max"):
        low = informativeness(shared, set(), 0.1, mode)
        high = informativeness(split, set(), 0.1, mode)
        assert high.s > low.s
