"""Which questions the report shows for a value: the ones that split the models most evenly.

A question tells two models apart on a value when one of them expressed it and the other
did not (both with a known label). Across the models that were compared on the value, a
question where ``k`` of ``n`` known answers expressed it decides ``k * (n - k)`` model
pairs: zero when all or none expressed it (the rating skips such questions), largest for
an even split among many models. The report ranks questions by that count, so its cases
are the questions that carried the most information into the win rates, not the ones
where every model agreed. Only labels are needed, so the choice is made from the aligned
tensors before any answer text is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from adaem_tasks.rating.leaderboard import Leaderboard

__all__ = ["Case", "CellLabel", "cell_label", "select_cases"]

CellLabel = Literal["expressed", "not_expressed", "unknown", "not_judged", "no_answer", "not_compared"]
"""``expressed``, ``not_expressed``, ``unknown`` (judged, but the judge's label is unreadable),
``not_judged`` (refused, empty, unparseable), ``no_answer`` or ``not_compared``."""


@dataclass(frozen=True)
class Case:
    """One question shown for one value, with the label of every model of the board."""

    value: str
    question_index: int
    question_id: str
    category: str | None
    labels: dict[str, CellLabel]
    expressed: int
    known: int
    pairs_split: int


def cell_label(board: Leaderboard, question: int, value: int, model: int) -> CellLabel:
    """What the ranking knew of one model's answer on one question and value."""
    alignment = board.alignment
    assert alignment is not None
    name = board.models[model]
    if not board.comparable[model, value]:
        return "not_compared"
    if (name, alignment.question_ids[question]) not in alignment.records:
        return "no_answer"
    if not alignment.valid[question, model]:
        return "not_judged"
    if not alignment.known[question, value, model]:
        return "unknown"
    return "expressed" if alignment.labels[question, value, model] else "not_expressed"


def select_cases(board: Leaderboard, per_value: int) -> dict[str, list[Case]]:
    """Up to ``per_value`` questions per value that split the compared models most evenly.

    Ties (common with few models) go to the question id in sorted order (the alignment keeps
    its questions sorted by id), so the report is the same on every run. A value on which no
    question split the models gets no cases.
    """
    alignment = board.alignment
    if alignment is None or per_value <= 0 or not alignment.question_ids:
        return {value: [] for value in board.values}
    compared = board.comparability.comparable[None, :, :]  # (1, values, models)
    known = alignment.known & compared
    expressed = (alignment.labels & known).sum(-1)  # (questions, values)
    n_known = known.sum(-1)
    pairs = expressed * (n_known - expressed)
    cases: dict[str, list[Case]] = {}
    for j, value in enumerate(board.values):
        candidates = np.flatnonzero(pairs[:, j] > 0)
        # most pairs first, then question order (np.lexsort: the last key is the primary one)
        order = candidates[np.lexsort((candidates, -pairs[candidates, j]))][:per_value]
        cases[value] = [
            Case(
                value=value,
                question_index=int(q),
                question_id=alignment.question_ids[q],
                category=alignment.categories[q],
                labels={board.models[m]: cell_label(board, int(q), j, m) for m in range(len(board.models))},
                expressed=int(expressed[q, j]),
                known=int(n_known[q, j]),
                pairs_split=int(pairs[q, j]),
            )
            for q in order
        ]
    return cases
