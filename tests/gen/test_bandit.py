"""UCB selection of Alg. 2: unplayed arms first, then Q_i + sqrt(2 ln B / C_i)."""

from __future__ import annotations

import math

import pytest

from adaem_gen.bandit.ucb import UCBBandit


def test_unplayed_arms_first_in_index_order() -> None:
    bandit = UCBBandit(3, budget=10)
    picked = []
    for reward in (1.0, 5.0, 2.0):
        arm = bandit.select()
        picked.append(arm)
        bandit.update(arm, [reward])
    assert picked == [0, 1, 2]


def test_ucb_uses_ln_of_the_budget() -> None:
    bandit = UCBBandit(2, budget=100)
    bandit.update(0, [1.0])
    bandit.update(1, [1.5])
    bandit.update(1, [1.5])
    assert bandit.bonus(0) == pytest.approx(math.sqrt(2 * math.log(100) / 1))
    assert bandit.bonus(1) == pytest.approx(math.sqrt(2 * math.log(100) / 2))
    # arm 0: 1.0 + 3.03 ; arm 1: 1.5 + 2.15 -> the less-played arm wins
    assert bandit.select() == 0


def test_exploitation_when_rewards_differ_enough() -> None:
    bandit = UCBBandit(2, budget=10)
    bandit.update(0, [0.0])
    bandit.update(1, [10.0])
    assert bandit.select() == 1


def test_incremental_mean_and_empty_pull() -> None:
    bandit = UCBBandit(1, budget=5)
    assert bandit.update(0, [2.0, 4.0]) == 3.0
    assert bandit.arms[0].q == 3.0
    assert bandit.update(0, []) == 0.0  # an empty pull counts as reward 0
    assert bandit.arms[0].count == 2
    assert bandit.arms[0].q == pytest.approx(1.5)


def test_ties_go_to_the_lowest_index_and_budget_one_has_no_bonus() -> None:
    bandit = UCBBandit(3, budget=1)
    for arm in range(3):
        bandit.update(arm, [1.0])
    assert bandit.bonus(1) == 0.0
    assert bandit.select() == 0


def test_state_round_trip_and_validation() -> None:
    bandit = UCBBandit(2, budget=4)
    bandit.update(1, [2.0])
    copy = UCBBandit(2, budget=4)
    copy.restore(bandit.state())
    assert copy.state() == bandit.state()
    with pytest.raises(ValueError):
        copy.restore(bandit.state()[:1])
    with pytest.raises(ValueError):
        UCBBandit(0, budget=1)
    with pytest.raises(ValueError):
        UCBBandit(1, budget=0)


def test_pulls_in_flight_go_to_different_unplayed_arms() -> None:
    bandit = UCBBandit(5, budget=50)
    pending: list[int] = []
    for _ in range(4):
        pending.append(bandit.select(pending))
    assert pending == [0, 1, 2, 3]
    assert bandit.select(pending) == 4
    assert bandit.select(pending + [4]) == 0  # every arm pending once: UCB with pending counted


def test_a_pending_pull_counts_as_a_play_in_the_bonus() -> None:
    bandit = UCBBandit(2, budget=100)
    bandit.update(0, [2.0])
    bandit.update(1, [1.0])
    assert bandit.select() == 0  # same bonus, higher Q
    # two pulls of arm 0 in flight: its bonus is that of 3 plays, so the other arm is explored
    assert bandit.bonus(0, pending=2) == pytest.approx(math.sqrt(2 * math.log(100) / 3))
    assert bandit.select([0, 0]) == 1
    assert bandit.arms[0].count == 1 and bandit.arms[0].q == 2.0  # selection changes nothing
