"""Which models a leaderboard can compare: shared questions, the comparison graph, and verdicts.

AdAEM win rates are *relative*: a model's number says how its value expression compares
with the other models' on questions they all answered. TrueSkill starts every model at
the same prior and moves it only through matches; a model that shared no question with
the others never moves, so its win rate is the prior measured against opponents that did
move -- a confident number about nothing (issue 9, case 1: a model run on another topic
category "led" a value at 94.6 %). This module decides, before any rating, which
(model, value) cells stand on shared data:

* **shared questions** of a model: questions on which it and at least one other model
  both have a *known* result (a judgeable answer whose label is readable), per value and
  over all values (a question counts once, whatever the number of values).
* **comparison graph**: models are nodes; two are linked when they share at least
  ``min_shared`` questions. A model is comparable when it lies in the *main group*, the
  largest connected component. An isolated model shared too little with every other
  one; a second component (models A, B share questions, C, D share others, nothing
  across) is a separate group whose win rates cannot be put on one scale with the main
  group's.
* the same holds **per value**: a model whose judge labels for one value are mostly
  unknown shares too few known results for that value, and that one cell is not
  comparable while its other values are.

Cells that are not comparable are left out of the rating (the model sits out those
matches) and out of everyone else's mean over opponents, so a leaderboard with them
equals a leaderboard of the rest; the report names each one with its reason.

The graph computation uses :func:`scipy.sparse.csgraph.connected_components`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

__all__ = [
    "DEFAULT_MIN_SHARED",
    "Comparability",
    "NotComparableReason",
    "Verdict",
    "assess",
    "match_participation",
]

DEFAULT_MIN_SHARED = 20
"""Default ``--min-shared``, from ``benchmarks/rank_recovery.py`` (numbers in the README). There is
no sharp threshold: a model's win-rate error against its own full-data win rates falls like
1/sqrt(n) with the n questions it shares (mean |error| 0.20 at 5, 0.16 at 20, 0.08 at 80 on the
scripted personas). 20 is where it keeps >= 95 % of its planted pairwise orders, and where the
seed set's topic categories (23-25 questions each) still make category boards of their own
when every model answered them. Below it, lower the bar knowingly with ``--min-shared``."""


NotComparableReason = Literal["no_judged_results", "too_few_shared", "separate_group"]


@dataclass(frozen=True)
class Verdict:
    """Why one model (or one of its values) gets no win rate."""

    reason: NotComparableReason
    message: str


@dataclass
class Comparability:
    """What the leaderboard may compare, for one aligned value system (or one category of it)."""

    min_shared: int
    models: list[str]
    values: list[str]
    comparable: NDArray[np.bool_]  # (values, models)
    judged: NDArray[np.int64]  # (models,) judgeable answers among these questions
    answered: NDArray[np.int64]  # (models,) questions with at least one known result
    shared: NDArray[np.int64]  # (models,) questions with a known result shared with another model
    shared_by_value: NDArray[np.int64]  # (values, models)
    best_pair: NDArray[np.int64]  # (models,) most questions shared with any single other model
    best_partner: list[str | None]
    groups: list[list[str]]  # connected components of the model graph, main group first
    model_verdicts: dict[str, Verdict] = field(default_factory=dict)
    cell_verdicts: dict[tuple[str, str], Verdict] = field(default_factory=dict)  # (model, value)

    @property
    def comparable_models(self) -> list[str]:
        """Models with at least one comparable value."""
        return [m for j, m in enumerate(self.models) if self.comparable[:, j].any()]

    @property
    def all_comparable(self) -> bool:
        return bool(self.comparable.all())

    def verdict(self, model: str, value: str) -> Verdict | None:
        """Why the cell has no win rate, or None when it is comparable."""
        return self.model_verdicts.get(model) or self.cell_verdicts.get((model, value))

    def value_verdicts(self, model: str) -> list[tuple[str, Verdict]]:
        """The values on which ``model`` alone (not the whole model) is not comparable, with why."""
        return [(v, self.cell_verdicts[(model, v)]) for v in self.values if (model, v) in self.cell_verdicts]

    def to_json(self) -> dict[str, Any]:
        models = []
        for j, model in enumerate(self.models):
            verdict = self.model_verdicts.get(model)
            by_value = {}
            for i, value in enumerate(self.values):
                cell = self.verdict(model, value)
                by_value[value] = {
                    "shared": int(self.shared_by_value[i, j]),
                    "status": "ok" if cell is None else "not_comparable",
                    "reason": None if cell is None else cell.reason,
                }
            models.append(
                {
                    "model": model,
                    "status": "ok" if self.comparable[:, j].any() else "not_comparable",
                    "reason": verdict.reason if verdict else None,
                    "reason_text": verdict.message if verdict else None,
                    "judged": int(self.judged[j]),
                    "answered": int(self.answered[j]),
                    "shared": int(self.shared[j]),
                    "best_pair_shared": int(self.best_pair[j]),
                    "best_partner": self.best_partner[j],
                    "by_value": by_value,
                }
            )
        return {"min_shared": self.min_shared, "groups": self.groups, "models": models}


def match_participation(labels: NDArray[np.bool_], known: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """``(Q, V, M)``: the model plays that question's two-team match for that value.

    A match needs a known result on both sides (someone expressed the value, someone did
    not); this is what :func:`~adaem_tasks.rating.trueskill_vec.rate_chains` plays.
    """
    win = labels & known
    lose = known & ~labels
    game: NDArray[np.bool_] = np.any(win, axis=-1) & np.any(lose, axis=-1)
    return known & game[..., None]


def _components(adjacency: NDArray[np.bool_], members: NDArray[np.bool_]) -> list[list[int]]:
    """Connected components among ``members`` (indices), largest first."""
    index = np.flatnonzero(members)
    if index.size == 0:
        return []
    sub = adjacency[np.ix_(index, index)]
    _, labels = connected_components(csr_matrix(sub), directed=False)
    groups: dict[int, list[int]] = {}
    for position, label in enumerate(labels):
        groups.setdefault(int(label), []).append(int(index[position]))
    return list(groups.values())


def _main_first(groups: list[list[int]], pair: NDArray[np.int64], names: list[str]) -> list[list[int]]:
    """Order components: most models, then most questions shared inside, then name."""

    def key(group: list[int]) -> tuple[int, int, str]:
        inside = int(pair[np.ix_(group, group)].sum() - np.trace(pair[np.ix_(group, group)]))
        return (-len(group), -inside, min(names[i] for i in group))

    return sorted(groups, key=key)


def _pair_counts(known: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Questions two models share: per value ``(V, M, M)``, and over values ``(M, M)``.

    Over values, a question counts once when the two models share a known result on any
    value of it.
    """
    k = known.astype(np.float32)
    per_value = np.rint(np.einsum("qvm,qvn->vmn", k, k)).astype(np.int64)
    any_value = np.zeros((known.shape[2], known.shape[2]), dtype=np.int64)
    chunk = 2048  # bounds the (questions, models, models) temporary
    for start in range(0, known.shape[0], chunk):
        block = np.einsum("qvm,qvn->qmn", k[start : start + chunk], k[start : start + chunk]) > 0
        any_value += block.sum(0)
    return per_value, any_value


def _best_partner(pair: NDArray[np.int64], j: int, names: list[str]) -> tuple[int, str | None]:
    row = pair[j].copy()
    row[j] = -1
    if row.size < 2:
        return 0, None
    best = int(np.argmax(row))
    return int(row[best]), names[best]


def assess(
    labels: NDArray[np.bool_],
    known: NDArray[np.bool_],
    valid: NDArray[np.bool_],
    models: list[str],
    values: list[str],
    min_shared: int = DEFAULT_MIN_SHARED,
) -> Comparability:
    """Decide which (model, value) cells can be compared; see the module docstring."""
    if min_shared < 1:
        raise ValueError(f"min_shared must be >= 1, got {min_shared}")
    n_values, n_models = len(values), len(models)
    per_value, any_value = _pair_counts(known)
    others_known = (known.sum(-1, keepdims=True) - known) > 0
    shared_cells = known & others_known
    shared_by_value = shared_cells.sum(0).astype(np.int64)  # (V, M)
    shared = shared_cells.any(1).sum(0).astype(np.int64)  # (M,)
    answered = known.any(1).sum(0).astype(np.int64)
    judged = valid.sum(0).astype(np.int64)

    best_pair = np.zeros(n_models, dtype=np.int64)
    best_partner: list[str | None] = []
    for j in range(n_models):
        count, partner = _best_partner(any_value, j, models)
        best_pair[j] = count
        best_partner.append(partner)

    adjacency = any_value >= min_shared
    np.fill_diagonal(adjacency, False)
    groups = _main_first(_components(adjacency, np.ones(n_models, dtype=bool)), any_value, models)
    main = set(groups[0]) if groups and len(groups[0]) >= 2 else set()
    main_names = sorted(models[i] for i in main)

    model_verdicts: dict[str, Verdict] = {}
    for group in groups:
        for j in group:
            if j in main:
                continue
            model_verdicts[models[j]] = _model_verdict(
                j, group, models, main_names, answered, judged, shared, best_pair, best_partner, min_shared,
                n_questions=known.shape[0],
            )  # fmt: skip
    comparable = np.zeros((n_values, n_models), dtype=bool)
    cell_verdicts: dict[tuple[str, str], Verdict] = {}
    in_main = np.array([j in main for j in range(n_models)], dtype=bool)
    for i, value in enumerate(values):
        adjacency_v = per_value[i] >= min_shared
        np.fill_diagonal(adjacency_v, False)
        value_groups = _main_first(_components(adjacency_v, in_main), per_value[i], models)
        if not value_groups:
            continue
        value_main = set(value_groups[0]) if len(value_groups[0]) >= 2 else set()
        for group in value_groups:
            for j in group:
                if j in value_main:
                    comparable[i, j] = True
                    continue
                cell_verdicts[(models[j], value)] = _cell_verdict(
                    value, j, group, models, value_main, known[:, i, j], valid[:, j], shared_by_value[i, j],
                    min_shared,
                )  # fmt: skip
    return Comparability(
        min_shared=min_shared,
        models=list(models),
        values=list(values),
        comparable=comparable,
        judged=judged,
        answered=answered,
        shared=shared,
        shared_by_value=shared_by_value,
        best_pair=best_pair,
        best_partner=best_partner,
        groups=[sorted(models[i] for i in g) for g in groups],
        model_verdicts=model_verdicts,
        cell_verdicts=cell_verdicts,
    )


def _model_verdict(
    j: int,
    group: list[int],
    models: list[str],
    main_names: list[str],
    answered: NDArray[np.int64],
    judged: NDArray[np.int64],
    shared: NDArray[np.int64],
    best_pair: NDArray[np.int64],
    best_partner: list[str | None],
    min_shared: int,
    n_questions: int,
) -> Verdict:
    if answered[j] == 0:
        why = (
            f"no judgeable answer among these {n_questions} questions"
            if judged[j] == 0
            else f"the judge's labels of all its {judged[j]} judgeable answers are unknown"
        )
        return Verdict("no_judged_results", f"no judged result to compare ({why})")
    if len(group) >= 2:
        names = sorted(models[i] for i in group)
        return Verdict(
            "separate_group",
            f"its comparison group ({', '.join(names)}) shares fewer than {min_shared} questions with "
            f"every model of the main group ({', '.join(main_names) or 'none'}): win rates across "
            "groups that never answered the same questions mean nothing",
        )
    if shared[j] == 0:
        overlap = f"none of its {answered[j]} judged questions was judged for another model"
    else:
        overlap = (
            f"{shared[j]} of its {answered[j]} judged questions were judged for another model too, "
            f"at most {best_pair[j]} with any one ({best_partner[j]})"
        )
    return Verdict(
        "too_few_shared",
        f"shares too few questions with the other models: {overlap}; at least {min_shared} shared with "
        "one of them are needed (--min-shared)",
    )


def _cell_verdict(
    value: str,
    j: int,
    group: list[int],
    models: list[str],
    value_main: set[int],
    known: NDArray[np.bool_],
    valid: NDArray[np.bool_],
    shared: np.int64,
    min_shared: int,
) -> Verdict:
    unknown = int((valid & ~known).sum())
    if len(group) >= 2:
        names = sorted(models[i] for i in group)
        main = sorted(models[i] for i in value_main)
        return Verdict(
            "separate_group",
            f"{value}: its group ({', '.join(names)}) shares fewer than {min_shared} questions with a known "
            f"{value} label with every model of the main group ({', '.join(main) or 'none'})",
        )
    note = f"; its {value} label is unknown on {unknown} of {int(valid.sum())} judged answers" * bool(unknown)
    return Verdict(
        "too_few_shared",
        f"{value}: only {shared} questions with a known {value} label shared with another model "
        f"(at least {min_shared} with one of them needed){note}",
    )
