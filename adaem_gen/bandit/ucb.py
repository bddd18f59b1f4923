"""UCB arm selection and reward update (paper Alg. 2 lines 2-8 and 27-28).

Each generic seed topic is an arm. Alg. 2 plays every unplayed arm first (lowest
index first, so runs are reproducible), then picks

    i* = argmax_i  Q_i + sqrt(2 ln B / C_i)

with **B the total budget**, exactly as Algorithms 1 and 2 print it. (Textbook UCB1
uses ``ln t`` with ``t`` the current step; with ``ln B`` the exploration bonus does
not grow over the run, it only shrinks as an arm is played.) Ties go to the lowest
index. After a pull with observed rewards ``Ŝ``:

    C_i* <- C_i* + 1,   Q_i* <- Q_i* + (MEAN(Ŝ) - Q_i*) / C_i*

A pull that yields no scored question (every candidate a duplicate, unsafe or
unreadable) has an empty ``Ŝ``; its mean is taken as 0 so arms that stop producing
new questions lose priority instead of stalling the run.

**Pulls in flight** (``adaem-gen run --parallel K``): a pull chosen while others are
still running counts each of them as a play of its arm that has not reported yet --
``C_i`` becomes ``C_i + P_i`` (``P_i`` = pulls of arm ``i`` in flight) in both the
"unplayed first" rule and the bonus, while ``Q_i`` stays the mean of the *reported*
pulls. So K pulls started together go to K different unplayed arms, and an arm with
pulls pending loses bonus as if they had already been played (the "pending counted as
plays" rule of batched UCB). With nothing in flight this is exactly Alg. 2.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

__all__ = ["ArmStats", "UCBBandit"]


class ArmStats(BaseModel):
    count: int = Field(0, ge=0, description="C_i: times the arm was pulled.")
    q: float = Field(0.0, description="Q_i: running mean of the per-pull mean reward.")


class UCBBandit:
    """The bandit state of Alg. 2; serialisable so the journal can restore it."""

    def __init__(self, n_arms: int, budget: int) -> None:
        if n_arms < 1:
            raise ValueError("the bandit needs at least one arm (seed question)")
        if budget < 1:
            raise ValueError("budget must be >= 1")
        self.budget = budget
        self.arms = [ArmStats() for _ in range(n_arms)]

    def bonus(self, arm: int, pending: int = 0) -> float:
        """``sqrt(2 ln B / (C_i + P_i))``; infinite for an arm neither played nor pending."""
        count = self.arms[arm].count + pending
        if count == 0:
            return math.inf
        return math.sqrt(2.0 * math.log(self.budget) / count)

    def ucb(self, arm: int, pending: int = 0) -> float:
        return self.arms[arm].q + self.bonus(arm, pending)

    def select(self, pending: Iterable[int] = ()) -> int:
        """Lines 4-8: the first unplayed arm, else the UCB argmax (lowest index on ties).

        ``pending`` lists the arms of the pulls still in flight (one entry per pull);
        each counts as a play that has not reported its reward yet.
        """
        in_flight = Counter(pending)
        for index, stats in enumerate(self.arms):
            if stats.count + in_flight[index] == 0:
                return index
        best, best_value = 0, -math.inf
        for index in range(len(self.arms)):
            value = self.ucb(index, in_flight[index])
            if value > best_value:
                best, best_value = index, value
        return best

    def update(self, arm: int, rewards: Sequence[float]) -> float:
        """Lines 27-28; returns the mean reward used (0 for an empty pull)."""
        mean = float(sum(rewards)) / len(rewards) if rewards else 0.0
        stats = self.arms[arm]
        stats.count += 1
        stats.q += (mean - stats.q) / stats.count
        return mean

    def state(self) -> list[dict[str, float]]:
        return [s.model_dump() for s in self.arms]

    def restore(self, state: Sequence[dict[str, float]]) -> None:
        if len(state) != len(self.arms):
            raise ValueError(f"bandit state has {len(state)} arms, expected {len(self.arms)}")
        self.arms = [ArmStats.model_validate(s) for s in state]
