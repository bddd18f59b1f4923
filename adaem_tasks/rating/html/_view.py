"""What the report shows, as plain data for the templates: one :class:`BoardView` per leaderboard.

Everything here is numbers and *unescaped* text; the templates escape every string they
print (Jinja2 autoescaping), so an answer, a question or a model name is shown as text
whatever it holds. Nothing here formats HTML.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.rating.html._cases import Case, CellLabel, select_cases
from adaem_tasks.rating.html._evidence import Answer, read_answers
from adaem_tasks.rating.html._figures import RadarView, heat_colour, radar
from adaem_tasks.rating.leaderboard import Leaderboard
from adaem_tasks.rating.report import model_order, value_labels
from adaem_tasks.value_systems import available_value_systems, load_value_system

__all__ = [
    "DEFAULT_REPORT_CASES",
    "MAX_ANSWER_CHARS",
    "MAX_POINT_CHARS",
    "BoardView",
    "Heatmap",
    "ReportSection",
    "board_view",
    "heatmap",
]

DEFAULT_REPORT_CASES = 5
"""Questions shown per value. Each shown question costs one sample read per model (the report's main
cost): at 16 models and 10 values that is at most 800 samples, about 1.5 s, and a few MB of page
(``benchmarks/bench_report.py``)."""

MAX_ANSWER_CHARS = 8000
"""A full answer longer than this is cut (and says so): about 2,000 tokens, above the tasks'
1,280-token generation limit, so only a runaway answer is cut and the file stays bounded."""

MAX_POINT_CHARS = 1000
"""A key point longer than this is cut in the cases (the full answer, below them, has it all)."""

_TOP_DIFFERENCES = 3

LABEL_TEXT: dict[CellLabel, str] = {
    "expressed": "expressed",
    "not_expressed": "not expressed",
    "unknown": "unknown",
    "not_judged": "not judgeable",
    "no_answer": "no answer",
    "not_compared": "not compared",
}


# --------------------------------------------------------------------------- heatmap


@dataclass(frozen=True)
class HeatCell:
    text: str  # the number, or "n/c"
    interval: str  # "64–78", empty when there is none
    colour: str
    dark: bool
    leader: bool
    rank: str  # "#1" within its column, empty for n/c
    note: str  # why a cell is n/c


@dataclass(frozen=True)
class HeatRow:
    label: str
    anchor: str | None
    note: str | None
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class Heatmap:
    """A rows x columns table of rates (0..1) with their intervals written in every cell."""

    columns: tuple[str, ...]
    column_titles: tuple[str, ...]
    rows: tuple[HeatRow, ...]
    spread: float


def _percent(x: float) -> str:
    return f"{100 * x:.0f}"


def heatmap(
    row_labels: Sequence[str],
    columns: Sequence[str],
    rates: NDArray[np.float64],
    lows: NDArray[np.float64],
    highs: NDArray[np.float64],
    *,
    column_titles: Sequence[str] | None = None,
    row_anchors: Sequence[str | None] | None = None,
    row_notes: Sequence[str | None] | None = None,
    cell_notes: dict[tuple[int, int], str] | None = None,
    boxed: NDArray[np.bool_] | None = None,
) -> Heatmap:
    """Rows in the order given; each column ranks its finite cells (#1 = highest) and boxes its leader(s).

    Generic on purpose: the leaderboard (models x values) uses it, and so can the alignment
    layer (models x targets, see :func:`adaem_tasks.rating.html.alignment_section`). ``boxed``
    says which cells to box; without it every #1 is boxed. The leaderboard passes its *clear*
    leaders (:mod:`adaem_tasks.rating.leaders`), so a box means what the table's star means: the
    leader played matches and its lead over the runner-up holds across the bootstrap.
    """
    finite = np.isfinite(rates)
    spread = max(float(np.nanmax(np.abs(rates - 0.5))) if finite.any() else 0.0, 0.05)
    rows = []
    ranks = np.zeros(rates.shape, dtype=int)
    for j in range(rates.shape[1]):
        column = rates[finite[:, j], j]
        for k in np.flatnonzero(finite[:, j]):
            # competition ranking: equal rates share a rank (two models that never played tie at 50)
            ranks[k, j] = 1 + int((column > rates[k, j] + 1e-12).sum())
    for i, label in enumerate(row_labels):
        cells = []
        for j in range(rates.shape[1]):
            if not finite[i, j]:
                note = (cell_notes or {}).get((i, j), "not compared")
                cells.append(HeatCell("n/c", "", "#d9d9d9", False, False, "", note))
                continue
            colour, dark = heat_colour(float(rates[i, j]), spread)
            has_interval = math.isfinite(lows[i, j]) and math.isfinite(highs[i, j])
            interval = f"{_percent(lows[i, j])}–{_percent(highs[i, j])}" if has_interval else ""
            rank = int(ranks[i, j])
            box = bool(boxed[i, j]) if boxed is not None else rank == 1
            cells.append(HeatCell(_percent(rates[i, j]), interval, colour, dark, box, f"#{rank}", ""))
        rows.append(
            HeatRow(
                label=label,
                anchor=row_anchors[i] if row_anchors else None,
                note=row_notes[i] if row_notes else None,
                cells=tuple(cells),
            )
        )
    return Heatmap(tuple(columns), tuple(column_titles or columns), tuple(rows), spread)


@dataclass(frozen=True)
class ReportSection:
    """A section added to the report by another part of adaem-rank (e.g. the alignment layer).

    ``figure_svg`` is inserted as markup: it must come from this project's drawing code
    (matplotlib's SVG output escapes its text), never from a log.
    """

    anchor: str
    title: str
    heatmap: Heatmap | None = None
    figure_svg: str | None = None
    notes: tuple[str, ...] = ()
    caption: str = ""


# --------------------------------------------------------------------------- per model


@dataclass(frozen=True)
class Difference:
    value: str
    value_anchor: str
    rate: str
    interval: str
    others: str
    direction: str  # "more" / "less"
    clear: bool  # the interval excludes the others' average


@dataclass(frozen=True)
class ModelView:
    anchor: str
    name: str
    panel: bool
    verdict: str | None
    facts: str
    radar: RadarView | None
    differences: tuple[Difference, ...]
    cell_notes: tuple[str, ...]


# --------------------------------------------------------------------------- per value


@dataclass(frozen=True)
class ForestRow:
    model: str
    model_anchor: str
    rate: float  # percent
    low: float
    high: float
    text: str


@dataclass(frozen=True)
class PointView:
    text: str
    label: str  # "expresses", "unknown" or "plain"


@dataclass(frozen=True)
class CaseRow:
    model: str
    model_anchor: str
    label: CellLabel
    label_text: str
    stance: str | None
    points: tuple[PointView, ...]
    note: str | None


@dataclass(frozen=True)
class CaseView:
    question: str
    question_id: str
    question_anchor: str
    category: str | None
    topic: str | None
    summary: str
    rows: tuple[CaseRow, ...]


@dataclass(frozen=True)
class ValueView:
    anchor: str
    key: str
    name: str
    definition: str | None
    forest: tuple[ForestRow, ...]
    cases: tuple[CaseView, ...]
    no_cases: str | None


# --------------------------------------------------------------------------- per question


@dataclass(frozen=True)
class AnswerView:
    model: str
    model_anchor: str
    stance: str | None
    outcome: str | None
    text: str | None
    cut: int  # characters left out of a runaway answer
    missing: str | None


@dataclass(frozen=True)
class QuestionView:
    anchor: str
    question_id: str
    text: str | None
    category: str | None
    topic: str | None
    values: tuple[tuple[str, str], ...]  # (value name, anchor) it is a case of
    answers: tuple[AnswerView, ...]


@dataclass(frozen=True)
class BoardView:
    anchor: str
    title: str
    value_system: str
    set_version: str
    content_hashes: tuple[str, ...]
    judges: tuple[str, ...]
    n_questions: int
    n_rated: int
    n_models: int
    heatmap: Heatmap
    notes: tuple[str, ...]
    models: tuple[ModelView, ...]
    values: tuple[ValueView, ...]
    questions: tuple[QuestionView, ...]
    cases_per_value: int
    unread: int = 0  # answers the report could not read from the logs


def _names(board: Leaderboard) -> list[str]:
    panel = set(board.panel_models)
    return [m + (" (panel)" if m in panel else "") for m in board.models]


def _interval(board: Leaderboard, i: int, j: int) -> str:
    low, high = board.ci_low[i, j], board.ci_high[i, j]
    return "" if math.isnan(low) else f"[{_percent(low)}, {_percent(high)}]"


def _differences(board: Leaderboard, i: int, names: list[str], prefix: str) -> tuple[Difference, ...]:
    found = []
    for j in range(len(board.values)):
        rate = board.win_rate[i, j]
        others = np.delete(board.win_rate[:, j], i)
        others = others[np.isfinite(others)]
        if math.isnan(rate) or others.size == 0:
            continue
        mean = float(others.mean())
        low, high = board.ci_low[i, j], board.ci_high[i, j]
        clear = not math.isnan(low) and (low > mean or high < mean)
        found.append((abs(rate - mean), j, mean, clear))
    found.sort(key=lambda item: (-item[0], item[1]))
    return tuple(
        Difference(
            value=names[j],
            value_anchor=f"{prefix}-v{j}",
            rate=_percent(board.win_rate[i, j]),
            interval=_interval(board, i, j),
            others=_percent(mean),
            direction="more" if board.win_rate[i, j] > mean else "less",
            clear=clear,
        )
        for _, j, mean, clear in found[:_TOP_DIFFERENCES]
    )


def _model_views(board: Leaderboard, prefix: str, value_names: list[str]) -> tuple[ModelView, ...]:
    comparability = board.comparability
    short = value_labels(board.value_system, board.values, short=True)
    views = []
    for i in model_order(board):
        model = board.models[i]
        verdict = comparability.model_verdicts.get(model)
        facts = (
            f"{comparability.judged[i]} of {board.n_total_questions} answers judgeable; "
            f"{comparability.shared[i]} questions shared with another model"
        )
        if verdict is None:
            facts += f"; {int(board.n_questions[i].sum())} matches on {board.rated_questions[i]} questions"
        titles = [
            f"{value_names[j]}: {_percent(board.win_rate[i, j])} % {_interval(board, i, j)}".strip()
            for j in range(len(board.values))
        ]
        shown = verdict is None and np.isfinite(board.win_rate[i]).any()
        views.append(
            ModelView(
                anchor=f"{prefix}-m{i}",
                name=model,
                panel=model in board.panel_models,
                verdict=verdict.message if verdict else None,
                facts=facts,
                radar=radar(short, board.win_rate[i], board.ci_low[i], board.ci_high[i], titles)
                if shown
                else None,
                differences=_differences(board, i, value_names, prefix) if shown else (),
                cell_notes=tuple(
                    comparability.cell_verdicts[(model, v)].message
                    for v in board.values
                    if (model, v) in comparability.cell_verdicts
                ),
            )
        )
    return tuple(views)


def _forest(board: Leaderboard, j: int, prefix: str) -> tuple[ForestRow, ...]:
    rows = []
    for i in range(len(board.models)):
        rate = board.win_rate[i, j]
        if math.isnan(rate):
            continue
        low, high = board.ci_low[i, j], board.ci_high[i, j]
        low, high = (rate, rate) if math.isnan(low) else (low, high)
        text = f"{_percent(rate)} % {_interval(board, i, j)}".strip()
        rows.append(ForestRow(board.models[i], f"{prefix}-m{i}", 100 * rate, 100 * low, 100 * high, text))
    return tuple(sorted(rows, key=lambda r: (-r.rate, r.model)))


def _points(answer: Answer | None, value: str) -> tuple[PointView, ...]:
    if answer is None:
        return ()
    views = []
    for k, text in enumerate(answer.points):
        labels = answer.point_labels[k] if k < len(answer.point_labels) else {}
        label = labels.get(value, 0) if labels else 0
        if len(text) > MAX_POINT_CHARS:
            text = text[:MAX_POINT_CHARS] + " [… cut; the full answer is below]"
        views.append(PointView(text, "expresses" if label == 1 else "unknown" if label is None else "plain"))
    return tuple(views)


def _case_note(label: CellLabel, answer: Answer | None, points: tuple[PointView, ...]) -> str | None:
    if answer is None or answer.missing:
        return answer.missing if answer else None
    if label == "expressed" and not any(p.label == "expresses" for p in points):
        return "the log's key points carry no Yes for this value: it is not the answer that was ranked"
    return None


def _case_view(
    case: Case, board: Leaderboard, answers: dict[tuple[str, str], Answer], prefix: str, value_name: str
) -> CaseView:
    rows = []
    first: Answer | None = None
    for i in model_order(board):
        model = board.models[i]
        answer = answers.get((model, case.question_id))
        if first is None and answer is not None and answer.question:
            first = answer
        label = case.labels[model]
        points = _points(answer, case.value)
        rows.append(
            CaseRow(
                model=model,
                model_anchor=f"{prefix}-m{i}",
                label=label,
                label_text=LABEL_TEXT[label],
                stance=answer.stance if answer else None,
                points=points,
                note=_case_note(label, answer, points),
            )
        )
    unknown = sum(label == "unknown" for label in case.labels.values())
    summary = f"{case.expressed} of {case.known} compared models expressed {value_name}"
    if unknown:
        summary += f"; {unknown} unknown"
    return CaseView(
        question=first.question if first and first.question else "(question text not in the logs)",
        question_id=case.question_id,
        question_anchor=f"{prefix}-q{case.question_index}",
        category=case.category or (first.category if first else None),
        topic=first.topic if first else None,
        summary=summary,
        rows=tuple(rows),
    )


def _cut(text: str | None) -> tuple[str | None, int]:
    if text is None or len(text) <= MAX_ANSWER_CHARS:
        return text, 0
    return text[:MAX_ANSWER_CHARS], len(text) - MAX_ANSWER_CHARS


def _question_views(
    board: Leaderboard,
    cases: dict[str, list[Case]],
    answers: dict[tuple[str, str], Answer],
    prefix: str,
    value_names: list[str],
) -> tuple[QuestionView, ...]:
    if board.alignment is None:
        return ()
    shown_for: dict[int, list[tuple[str, str]]] = {}
    for j, value in enumerate(board.values):
        for case in cases.get(value, []):
            shown_for.setdefault(case.question_index, []).append((value_names[j], f"{prefix}-v{j}"))
    views = []
    for q, values in shown_for.items():
        question_id = board.alignment.question_ids[q]
        rows = []
        known = [a for m in board.models if (a := answers.get((m, question_id))) and a.question]
        for i in model_order(board):
            model = board.models[i]
            answer = answers.get((model, question_id))
            text, cut = _cut(answer.text if answer else None)
            rows.append(
                AnswerView(
                    model=model,
                    model_anchor=f"{prefix}-m{i}",
                    stance=answer.stance if answer else None,
                    outcome=answer.outcome if answer else None,
                    text=text,
                    cut=cut,
                    missing=answer.missing if answer else "no answer in the logs",
                )
            )
        views.append(
            QuestionView(
                anchor=f"{prefix}-q{q}",
                question_id=question_id,
                text=known[0].question if known else None,
                category=board.alignment.categories[q] or (known[0].category if known else None),
                topic=known[0].topic if known else None,
                values=tuple(values),
                answers=tuple(rows),
            )
        )
    return tuple(views)


def _notes(board: Leaderboard) -> tuple[str, ...]:
    comparability = board.comparability
    notes = [f"{model}: not comparable: {v.message}" for model, v in comparability.model_verdicts.items()]
    notes += [f"{model}, {v.message}" for (model, _), v in comparability.cell_verdicts.items()]
    big = [g for g in comparability.groups if len(g) >= 2]
    if len(big) > 1:
        listed = " | ".join(", ".join(g) for g in big)
        notes.append(f"the models form separate comparison groups ({listed}); only the first is ranked")
    return tuple(notes)


def clear_leaders(board: Leaderboard) -> NDArray[np.bool_]:
    """``(models, values)``: True where the model is the value's clear leader (the table's star)."""
    boxed = np.zeros((len(board.models), len(board.values)), dtype=bool)
    for j, lead in enumerate(board.leads):
        if lead.clear and lead.leader is not None:
            boxed[lead.leader, j] = True
    return boxed


def board_view(board: Leaderboard, index: int, cases_per_value: int) -> BoardView:
    """Everything the report shows about one leaderboard (reads the answers of its cases)."""
    prefix = f"b{index}"
    names = value_labels(board.value_system, board.values)
    system = (
        load_value_system(board.value_system) if board.value_system in available_value_systems() else None
    )
    order = model_order(board)
    cell_notes = {
        (r, j): board.comparability.verdict(board.models[i], v).message  # type: ignore[union-attr]
        for r, i in enumerate(order)
        for j, v in enumerate(board.values)
        if not board.comparable[i, j]
    }
    labels = _names(board)
    table = heatmap(
        [labels[i] for i in order],
        value_labels(board.value_system, board.values, short=True),
        board.win_rate[order],
        board.ci_low[order],
        board.ci_high[order],
        column_titles=names,
        row_anchors=[f"{prefix}-m{i}" for i in order],
        row_notes=[
            "not comparable" if board.models[i] in board.comparability.model_verdicts else None for i in order
        ],
        cell_notes=cell_notes,
        boxed=clear_leaders(board)[order],
    )
    cases = select_cases(board, cases_per_value)
    wanted = [(m, c.question_id) for value_cases in cases.values() for c in value_cases for m in board.models]
    answers = read_answers(board.alignment, wanted) if board.alignment is not None and wanted else {}
    values = []
    for j, value in enumerate(board.values):
        value_cases = cases.get(value, [])
        values.append(
            ValueView(
                anchor=f"{prefix}-v{j}",
                key=value,
                name=names[j],
                definition=system.value(value).definition if system else None,
                forest=_forest(board, j, prefix),
                cases=tuple(_case_view(c, board, answers, prefix, names[j]) for c in value_cases),
                no_cases=None
                if value_cases or cases_per_value == 0
                else "no question split the compared models on this value (all or none expressed it)",
            )
        )
    alignment = board.alignment
    hashes = (
        sorted({r.content_hash for r in alignment.records.values() if r.content_hash}) if alignment else []
    )
    judges = sorted({j for js in alignment.judges.values() for j in js}) if alignment else []
    title = f"{system.title if system else board.value_system}, question set {board.set_version}"
    if board.category:
        title += f", category {board.category}"
    return BoardView(
        anchor=prefix,
        title=title,
        value_system=board.value_system,
        set_version=board.set_version,
        content_hashes=tuple(hashes),
        judges=tuple(judges),
        n_questions=board.n_total_questions,
        n_rated=board.n_rated_questions,
        n_models=len(board.models),
        heatmap=table,
        notes=_notes(board),
        models=_model_views(board, prefix, names),
        values=tuple(values),
        questions=_question_views(board, cases, answers, prefix, names),
        cases_per_value=cases_per_value,
        unread=sum(a.missing is not None for a in answers.values()),
    )
