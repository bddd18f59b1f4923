"""The AdAEM leaderboard: relative win rates per model and value (paper §3.3, App. C.8).

For every question and value, the models that expressed the value form one team and
the others (that answered judgeably) the other; the expressing team wins a TrueSkill
group update. A model's score for the value is its mean win probability against every
other model. A question where all or none of the answering models expressed the value
cannot form two teams: it is skipped and counted.

:func:`rank_records` is the library entry point behind ``adaem-rank``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.rating.align import Alignment, Coverage, align
from adaem_tasks.rating.bootstrap import OrderMode, percentile_interval, question_orders
from adaem_tasks.rating.records import Problem, ValueRecord
from adaem_tasks.rating.trueskill_vec import ChainResult, TrueSkillParams, rate_chains
from adaem_tasks.rating.winrate import WinFormula, win_rates

__all__ = [
    "Backend",
    "Leaderboard",
    "LeaderboardRow",
    "RankConfig",
    "RankResult",
    "rank_alignment",
    "rank_by_category",
    "rank_records",
]

Backend = Literal["trueskill", "openskill"]


@dataclass(frozen=True)
class RankConfig:
    """How ratings are computed; the defaults follow the paper and the trueskill package."""

    replicates: int = 100
    seed: int = 0
    order: OrderMode = "shuffle"
    formula: WinFormula = "paper"
    backend: Backend = "trueskill"
    params: TrueSkillParams = field(default_factory=TrueSkillParams)
    ci_level: float = 0.95
    openskill_model: str = "PlackettLuce"

    def to_json(self) -> dict[str, Any]:
        return {
            "replicates": self.replicates,
            "seed": self.seed,
            "order": self.order,
            "win_probability": self.formula,
            "backend": self.backend,
            "trueskill": asdict(self.params) if self.backend == "trueskill" else None,
            "openskill_model": self.openskill_model if self.backend == "openskill" else None,
            "ci_level": self.ci_level,
        }


@dataclass(frozen=True)
class LeaderboardRow:
    """One line of ``leaderboard.csv`` (long form).

    ``win_rate``/``mu``/``sigma`` come from the point chain (all questions, seeded order);
    ``ci_low``/``ci_high`` bound ``win_rate`` over the bootstrap replicates; ``n_questions``
    counts the questions on which the model was rated for this value (it answered
    judgeably and the question split the answering models into two teams).
    """

    model: str
    value: str
    win_rate: float
    mu: float
    sigma: float
    ci_low: float
    ci_high: float
    n_questions: int
    category: str | None = None


@dataclass
class Leaderboard:
    """Win rates of every model on every value of one value system."""

    value_system: str
    set_version: str
    models: list[str]
    values: list[str]
    win_rate: NDArray[np.float64]  # (models, values)
    mu: NDArray[np.float64]
    sigma: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    n_questions: NDArray[np.int64]  # matches each model played per value
    n_total_questions: int
    skipped: dict[str, dict[str, int]]  # value -> {"no_contrast": n, "too_few": n} (point chain)
    coverage: list[Coverage]
    panel_models: list[str]
    config: RankConfig
    category: str | None = None

    def rows(self) -> list[LeaderboardRow]:
        return [
            LeaderboardRow(
                model=model,
                value=value,
                win_rate=float(self.win_rate[i, j]),
                mu=float(self.mu[i, j]),
                sigma=float(self.sigma[i, j]),
                ci_low=float(self.ci_low[i, j]),
                ci_high=float(self.ci_high[i, j]),
                n_questions=int(self.n_questions[i, j]),
                category=self.category,
            )
            for i, model in enumerate(self.models)
            for j, value in enumerate(self.values)
        ]

    def leader(self, value: str) -> str:
        """The model with the highest win rate on ``value``."""
        return self.models[int(np.nanargmax(self.win_rate[:, self.values.index(value)]))]


@dataclass
class RankResult:
    leaderboards: list[Leaderboard]
    by_category: list[Leaderboard]
    problems: list[Problem]


def _chains(alignment: Alignment, orders: NDArray[np.intp], config: RankConfig) -> tuple[ChainResult, float]:
    if config.backend == "trueskill":
        return rate_chains(alignment.labels, alignment.known, orders, config.params), config.params.beta
    if config.backend == "openskill":
        from adaem_tasks.rating.openskill_backend import openskill_beta, rate_chains_openskill

        result = rate_chains_openskill(alignment.labels, alignment.known, orders, config.openskill_model)
        return result, openskill_beta(config.openskill_model)
    raise ValueError(f"unknown backend {config.backend!r} (use 'trueskill' or 'openskill')")


def rank_alignment(
    alignment: Alignment, config: RankConfig | None = None, category: str | None = None
) -> Leaderboard:
    """Rate one aligned value system: point estimate from chain 0, intervals from the bootstrap."""
    config = config or RankConfig()
    orders = question_orders(len(alignment.question_ids), config.replicates, config.seed, config.order)
    chains, gamma = _chains(alignment, orders, config)
    rates = win_rates(chains.mu, chains.sigma, gamma, config.formula)  # (chains, values, models)
    low, high = percentile_interval(rates[1:], config.ci_level)
    skipped = {
        value: {"no_contrast": int(chains.no_contrast[0, j]), "too_few": int(chains.too_few[0, j])}
        for j, value in enumerate(alignment.values)
    }
    return Leaderboard(
        value_system=alignment.value_system,
        set_version=alignment.set_version,
        models=list(alignment.models),
        values=list(alignment.values),
        win_rate=rates[0].T.copy(),
        mu=chains.mu[0].T.copy(),
        sigma=chains.sigma[0].T.copy(),
        ci_low=low.T.copy(),
        ci_high=high.T.copy(),
        n_questions=chains.games[0].T.copy(),
        n_total_questions=len(alignment.question_ids),
        skipped=skipped,
        coverage=alignment.coverage,
        panel_models=alignment.panel_models,
        config=config,
        category=category,
    )


def rank_by_category(alignment: Alignment, config: RankConfig | None = None) -> list[Leaderboard]:
    """One leaderboard per topic category (paper Fig. 13); questions without one are left out."""
    categories = sorted({c for c in alignment.categories if c is not None})
    boards = []
    for category in categories:
        mask = np.array([c == category for c in alignment.categories])
        boards.append(rank_alignment(alignment.subset(mask), config, category=category))
    return boards


def _skip_problems(board: Leaderboard) -> list[Problem]:
    """One problem per leaderboard listing, per value, the questions that could not form two teams."""
    skipped = {v: c for v, c in board.skipped.items() if c["no_contrast"] or c["too_few"]}
    if not skipped:
        return []
    listed = ", ".join(
        f"{v} {c['no_contrast']}" + (f"+{c['too_few']}" if c["too_few"] else "") for v, c in skipped.items()
    )
    return [
        Problem(
            "no_contrast",
            board.value_system + (f" / {board.category}" if board.category else ""),
            f"questions skipped per value, of {board.n_total_questions}: all or none of the answering models "
            f"expressed it [+ fewer than 2 judgeable answers]: {listed}",
            count=sum(c["no_contrast"] + c["too_few"] for c in skipped.values()),
            details={"skipped": skipped},
        )
    ]


def rank_records(
    records: Sequence[ValueRecord],
    config: RankConfig | None = None,
    set_version: str | None = None,
    split_runs: bool = False,
    by_category: bool = False,
) -> RankResult:
    """Align records, rate every value system, and collect every problem met on the way.

    Raises:
        VersionMismatchError: records of several question-set versions and none selected.
    """
    config = config or RankConfig()
    alignments, problems = align(records, set_version=set_version, split_runs=split_runs)
    boards: list[Leaderboard] = []
    category_boards: list[Leaderboard] = []
    for alignment in alignments:
        if len(alignment.models) < 2:
            problems.append(
                Problem(
                    "no_observations",
                    alignment.value_system,
                    f"only {len(alignment.models)} model with judgeable answers: win rates need at least 2 "
                    "(add logs of other models, or a reference panel with --panel)",
                )
            )
        board = rank_alignment(alignment, config)
        problems.extend(_skip_problems(board))
        boards.append(board)
        if by_category:
            category_boards.extend(rank_by_category(alignment, config))
    return RankResult(leaderboards=boards, by_category=category_boards, problems=problems)
