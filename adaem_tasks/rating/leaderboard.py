"""The AdAEM leaderboard: relative win rates per model and value (paper §3.3, App. C.8).

For every question and value, the models that expressed the value form one team and
the others (that answered judgeably) the other; the expressing team wins a TrueSkill
group update. A model's score for the value is its mean win probability against every
other model. A question where all or none of the answering models expressed the value
cannot form two teams: it is skipped and counted.

Only what was compared is ranked (:mod:`adaem_tasks.rating.comparability`): a model, or
one value of a model, that shared fewer than ``min_shared`` questions with the others
(or sits in a separate comparison group) gets no win rate, plays no match, and is left
out of the others' mean over opponents; its rows carry ``status="not_comparable"`` and
the reason.

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
from adaem_tasks.rating.comparability import DEFAULT_MIN_SHARED, Comparability, assess, match_participation
from adaem_tasks.rating.leaders import Lead, find_leads
from adaem_tasks.rating.measurement import PrimedPolicy
from adaem_tasks.rating.records import Problem, ValueRecord
from adaem_tasks.rating.trueskill_vec import ChainResult, TeamWeights, TrueSkillParams, rate_chains
from adaem_tasks.rating.winrate import WinFormula, win_rates

__all__ = [
    "Backend",
    "DEFAULT_TEAM_WEIGHTS",
    "Leaderboard",
    "LeaderboardRow",
    "RankConfig",
    "RankResult",
    "RowStatus",
    "available_memory",
    "rank_alignment",
    "rank_by_category",
    "rank_records",
    "rating_memory",
]

Backend = Literal["trueskill", "openskill"]
RowStatus = Literal["ok", "not_comparable"]

DEFAULT_TEAM_WEIGHTS: TeamWeights = "mean"
"""Partial-play weights 1 / team size: invariant to the prior mean, and the setting that recovers
planted profiles with the tighter intervals (``benchmarks/rank_recovery.py``; README)."""


@dataclass(frozen=True)
class RankConfig:
    """How ratings are computed; TrueSkill's environment defaults are the trueskill package's.

    ``team_weights`` (TrueSkill partial play, the paper's "partial update") defaults to
    ``"mean"``, not the package's unit weights: see :data:`DEFAULT_TEAM_WEIGHTS`. It applies
    to the TrueSkill backend; openskill rates teams its own way.
    """

    replicates: int = 100
    seed: int = 0
    order: OrderMode = "shuffle"
    formula: WinFormula = "paper"
    backend: Backend = "trueskill"
    params: TrueSkillParams = field(default_factory=TrueSkillParams)
    ci_level: float = 0.95
    openskill_model: str = "PlackettLuce"
    team_weights: TeamWeights = DEFAULT_TEAM_WEIGHTS
    min_shared: int = DEFAULT_MIN_SHARED

    def __post_init__(self) -> None:
        if self.min_shared < 1:
            raise ValueError(f"--min-shared must be >= 1, got {self.min_shared}")

    def to_json(self) -> dict[str, Any]:
        trueskill = self.backend == "trueskill"
        return {
            "replicates": self.replicates,
            "seed": self.seed,
            "order": self.order,
            "win_probability": self.formula,
            "backend": self.backend,
            "trueskill": asdict(self.params) if trueskill else None,
            "team_weights": self.team_weights if trueskill else None,
            "openskill_model": self.openskill_model if not trueskill else None,
            "ci_level": self.ci_level,
            "min_shared": self.min_shared,
        }


@dataclass(frozen=True)
class LeaderboardRow:
    """One line of ``leaderboard.csv`` (long form).

    ``win_rate``/``mu``/``sigma`` come from the point chain (all questions, seeded order);
    ``ci_low``/``ci_high`` bound ``win_rate`` over the bootstrap replicates; ``n_questions``
    counts the questions on which the model was rated for this value (it had a known
    result and the question split the models into two teams); ``n_shared`` the questions
    on which it and another model both had a known result for this value. A row with
    ``status="not_comparable"`` has no numbers (NaN) and says why in ``reason`` (a code,
    see :data:`~adaem_tasks.rating.comparability.NotComparableReason`) and ``reason_text``.
    """

    model: str
    value: str
    win_rate: float
    mu: float
    sigma: float
    ci_low: float
    ci_high: float
    n_questions: int
    n_shared: int = 0
    status: RowStatus = "ok"
    reason: str | None = None
    reason_text: str | None = None
    category: str | None = None


@dataclass
class Leaderboard:
    """Win rates of every model on every value of one value system."""

    value_system: str
    set_version: str
    models: list[str]
    values: list[str]
    win_rate: NDArray[np.float64]  # (models, values); NaN where not comparable
    mu: NDArray[np.float64]
    sigma: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    n_questions: NDArray[np.int64]  # matches each model played per value
    n_total_questions: int  # questions any model answered
    n_rated_questions: int  # of those, questions with a comparable result: what the chains rate
    skipped: dict[str, dict[str, int]]  # value -> {"no_contrast": n, "too_few": n} (point chain)
    coverage: list[Coverage]
    panel_models: list[str]
    config: RankConfig
    comparability: Comparability
    rated_questions: NDArray[np.int64]  # (models,) questions with at least one match, any value
    category: str | None = None
    leads: list[Lead] = field(default_factory=list)  # per value: its leader, and whether the lead is clear
    settings: dict[str, dict[str, object]] = field(default_factory=dict)  # per model: how it was measured
    win_rate_chains: NDArray[np.float64] | None = None
    """``(1 + replicates, models, values)``: chain 0 is :attr:`win_rate`, the others the bootstrap
    replicates behind ``ci_low``/``ci_high``. Kept (and written to ``leaderboard.json``) so that a
    statistic derived from win rates -- alignment with a target profile -- gets its interval from
    the very same replicates, from logs or from a stored leaderboard."""
    alignment: Alignment | None = field(default=None, repr=False)
    """The aligned labels behind the board (same models and values): the report picks its cases here."""

    @property
    def comparable(self) -> NDArray[np.bool_]:
        """``(models, values)``: the cell has a win rate."""
        return self.comparability.comparable.T

    @property
    def where(self) -> str:
        """``schwartz`` or ``schwartz / <category>``: how problems name this board."""
        return self.value_system + (f" / {self.category}" if self.category else "")

    def rows(self) -> list[LeaderboardRow]:
        rows = []
        for i, model in enumerate(self.models):
            for j, value in enumerate(self.values):
                verdict = self.comparability.verdict(model, value)
                rows.append(
                    LeaderboardRow(
                        model=model,
                        value=value,
                        win_rate=float(self.win_rate[i, j]),
                        mu=float(self.mu[i, j]),
                        sigma=float(self.sigma[i, j]),
                        ci_low=float(self.ci_low[i, j]),
                        ci_high=float(self.ci_high[i, j]),
                        n_questions=int(self.n_questions[i, j]),
                        n_shared=int(self.comparability.shared_by_value[j, i]),
                        status="ok" if verdict is None else "not_comparable",
                        reason=None if verdict is None else verdict.reason,
                        reason_text=None if verdict is None else verdict.message,
                        category=self.category,
                    )
                )
        return rows

    def leader(self, value: str) -> str | None:
        """The model with the highest win rate on ``value`` among those that played matches on it.

        None when no match was played on it (nothing was compared); whether the lead is
        *clear* is :meth:`clear_leader`'s question.
        """
        lead = self.leads[self.values.index(value)]
        return None if lead.leader is None else self.models[lead.leader]

    def clear_leader(self, value: str) -> str | None:
        """The leader of ``value`` when its lead is clear (:mod:`~adaem_tasks.rating.leaders`), else None."""
        lead = self.leads[self.values.index(value)]
        return self.models[lead.leader] if lead.clear and lead.leader is not None else None


@dataclass
class RankResult:
    leaderboards: list[Leaderboard]
    by_category: list[Leaderboard]
    problems: list[Problem]

    @property
    def not_comparable(self) -> list[tuple[str, str, str]]:
        """``(board, model, value)`` of every cell without a win rate, category boards included."""
        return [
            (board.where, board.models[i], board.values[j])
            for board in [*self.leaderboards, *self.by_category]
            for i, j in zip(*np.nonzero(~board.comparable), strict=True)
        ]


def rating_memory(n_questions: int, n_values: int, n_models: int, replicates: int) -> int:
    """Bytes the rating of one board holds at its peak, about (an upper estimate).

    Per chain: its question order and use counts (16 bytes per question), the TrueSkill state
    and work buffers (about 14 float64 per model and value) and the pairwise win probabilities
    with their temporaries (up to 10 float64 per model pair and value, counted for at least 10
    values: with fewer the measured peak did not shrink). ``benchmarks/replicates.py`` measures
    the peak with tracemalloc: about half of this estimate on boards of 4 to 64 models.
    """
    pairs = 10 * n_models * max(n_values, 10)
    per_chain = 16 * n_questions + 8 * n_models * (14 * n_values + pairs)
    return (replicates + 1) * per_chain


def available_memory() -> int | None:
    """Memory the system can give without swapping (``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _check_memory(n_questions: int, n_values: int, n_models: int, replicates: int) -> None:
    need = rating_memory(n_questions, n_values, n_models, replicates)
    available = available_memory()
    if available is not None and need > available:
        per = need / (replicates + 1)
        fits = max(int(available // per) - 1, 0)
        raise ValueError(
            f"--replicates {replicates}: rating {n_questions} questions x {n_models} models x {n_values} "
            f"values needs about {need / 2**30:.1f} GiB of memory and {available / 2**30:.1f} GiB are "
            f"available; at most about {fits} replicates fit (100 to 1,000 are plenty for 95 % intervals)"
        )


def _chains(
    labels: NDArray[np.bool_], known: NDArray[np.bool_], orders: NDArray[np.intp], config: RankConfig
) -> tuple[ChainResult, float]:
    if config.backend == "trueskill":
        result = rate_chains(labels, known, orders, config.params, config.team_weights)
        return result, config.params.beta
    if config.backend == "openskill":
        from adaem_tasks.rating.openskill_backend import openskill_beta, rate_chains_openskill

        result = rate_chains_openskill(labels, known, orders, config.openskill_model)
        return result, openskill_beta(config.openskill_model)
    raise ValueError(f"unknown backend {config.backend!r} (use 'trueskill' or 'openskill')")


def rank_alignment(
    alignment: Alignment, config: RankConfig | None = None, category: str | None = None
) -> Leaderboard:
    """Rate one aligned value system: point estimate from chain 0, intervals from the bootstrap.

    Cells that are not comparable sit out every match and every mean over opponents, so the
    comparable models' numbers equal those of a ranking without the others.
    """
    config = config or RankConfig()
    comparability = assess(
        alignment.labels,
        alignment.known,
        alignment.valid,
        alignment.models,
        alignment.values,
        config.min_shared,
    )
    known = alignment.known & comparability.comparable[None, :, :]
    # Questions without a comparable result carry nothing; leaving them out of the order and the
    # bootstrap makes the board identical to one ranked without the models that were not compared.
    used = known.any(axis=(1, 2))
    labels, known = alignment.labels[used], known[used]
    _check_memory(int(used.sum()), len(alignment.values), len(alignment.models), config.replicates)
    orders = question_orders(int(used.sum()), config.replicates, config.seed, config.order)
    chains, gamma = _chains(labels, known, orders, config)
    mask = comparability.comparable  # (values, models)
    rates = win_rates(chains.mu, chains.sigma, gamma, config.formula, mask=mask)  # (chains, values, models)
    low, high = percentile_interval(rates[1:], config.ci_level)
    skipped = {
        value: {"no_contrast": int(chains.no_contrast[0, j]), "too_few": int(chains.too_few[0, j])}
        for j, value in enumerate(alignment.values)
    }
    hidden = ~mask.T  # the prior of a model that was not compared is not a result
    return Leaderboard(
        value_system=alignment.value_system,
        set_version=alignment.set_version,
        models=list(alignment.models),
        values=list(alignment.values),
        win_rate=rates[0].T.copy(),
        mu=np.where(hidden, np.nan, chains.mu[0].T),
        sigma=np.where(hidden, np.nan, chains.sigma[0].T),
        ci_low=low.T.copy(),
        ci_high=high.T.copy(),
        n_questions=chains.games[0].T.copy(),
        n_total_questions=len(alignment.question_ids),
        n_rated_questions=int(used.sum()),
        skipped=skipped,
        coverage=alignment.coverage,
        panel_models=alignment.panel_models,
        config=config,
        comparability=comparability,
        rated_questions=match_participation(labels, known).any(1).sum(0).astype(np.int64),
        category=category,
        leads=find_leads(rates, chains.games[0], mask, config.ci_level),
        settings=alignment.settings,
        win_rate_chains=np.ascontiguousarray(rates.transpose(0, 2, 1)),
        alignment=alignment,
    )


def rank_by_category(alignment: Alignment, config: RankConfig | None = None) -> list[Leaderboard]:
    """One leaderboard per topic category (paper Fig. 13); questions without one are left out.

    Each category board applies the comparability rules to its own questions, so a model that
    shared too little *within* a category has no win rate there.
    """
    categories = sorted({c for c in alignment.categories if c is not None})
    boards = []
    for category in categories:
        mask = np.array([c == category for c in alignment.categories])
        boards.append(rank_alignment(alignment.subset(mask), config, category=category))
    return boards


def _comparability_problems(board: Leaderboard) -> list[Problem]:
    """One ``not_comparable`` problem per model that lacks a win rate, for all or some values."""
    comparability = board.comparability
    problems = []
    for model in board.models:
        verdict = comparability.model_verdicts.get(model)
        if verdict is not None:
            problems.append(
                Problem(
                    "not_comparable",
                    board.where,
                    f"no win rate: {verdict.message}",
                    model=model,
                    count=len(board.values),
                    details={"reason": verdict.reason, "values": list(board.values)},
                )
            )
            continue
        cells = comparability.value_verdicts(model)
        if cells:
            problems.append(
                Problem(
                    "not_comparable",
                    board.where,
                    f"no win rate for {len(cells)} of {len(board.values)} values: "
                    + "; ".join(c.message for _, c in cells),
                    model=model,
                    count=len(cells),
                    details={"reasons": {v: c.reason for v, c in cells}},
                )
            )
    if len(comparability.groups) > 1 and sum(len(g) >= 2 for g in comparability.groups) > 1:
        listed = " | ".join(", ".join(g) for g in comparability.groups if len(g) >= 2)
        problems.append(
            Problem(
                "not_comparable",
                board.where,
                f"the models form disconnected comparison groups ({listed}): only the main group "
                f"({', '.join(comparability.groups[0])}) is ranked; rank each group's logs separately",
                count=len(comparability.groups),
                details={"groups": comparability.groups},
            )
        )
    return problems


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
            board.where,
            f"questions skipped per value, of {board.n_rated_questions}: all or none of the answering models "
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
    *,
    primed: PrimedPolicy = "leave_out",
    allow_mixed_settings: bool = False,
) -> RankResult:
    """Align records, rate every value system, and collect every problem met on the way.

    ``primed`` and ``allow_mixed_settings`` say what to do with runs measured under other
    conditions (:mod:`adaem_tasks.rating.measurement`).

    Raises:
        VersionMismatchError: records of several question-set versions and none selected.
        ContentMismatchError: records of one version made on different questions.
        MixedSettingsError: models measured differently, and ``allow_mixed_settings`` is False.
    """
    config = config or RankConfig()
    alignments, problems = align(
        records,
        set_version=set_version,
        split_runs=split_runs,
        primed=primed,
        allow_mixed_settings=allow_mixed_settings,
    )
    boards: list[Leaderboard] = []
    category_boards: list[Leaderboard] = []
    for alignment in alignments:
        board = rank_alignment(alignment, config)
        problems.extend(_comparability_problems(board))
        n_comparable = len(board.comparability.comparable_models)
        if n_comparable < 2:
            problems.append(
                Problem(
                    "no_observations",
                    alignment.value_system,
                    f"only {n_comparable} comparable model: win rates need at least 2 that answered the same "
                    "questions (add logs of other models, or a reference panel with --panel)",
                )
            )
        problems.extend(_skip_problems(board))
        boards.append(board)
        if by_category:
            for category_board in rank_by_category(alignment, config):
                problems.extend(_comparability_problems(category_board))
                category_boards.append(category_board)
    return RankResult(leaderboards=boards, by_category=category_boards, problems=problems)
