"""Write a leaderboard as CSV (long form), JSON, a console table and a PNG.

The CSV is what other tools read (``model,value,win_rate,mu,sigma,ci_low,ci_high,
n_questions,n_shared,status,reason``); the JSON twin carries the same rows plus
everything needed to trust them (settings, coverage, what each model shared and played,
skipped questions, problems); the PNG is a models x values heatmap of win rates -- with
a radar chart beside it for small panels -- so the value profile of each model can be
seen at a glance. A cell that was not compared has no number anywhere: an empty CSV
field with ``status=not_comparable`` and a reason code, ``null`` plus ``reason_text`` in
the JSON, "not comparable" / "n/c" in the table and a grey "n/c" cell in the picture.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.rating.chain_encoding import encode_chains
from adaem_tasks.rating.leaderboard import Leaderboard, RankConfig
from adaem_tasks.rating.records import Problem
from adaem_tasks.value_systems import available_value_systems, load_value_system

__all__ = [
    "CSV_COLUMNS",
    "format_table",
    "model_order",
    "plot_leaderboards",
    "print_problems",
    "value_labels",
    "write_csv",
    "write_json",
    "write_outputs",
]

CSV_COLUMNS = [
    "model",
    "value",
    "win_rate",
    "mu",
    "sigma",
    "ci_low",
    "ci_high",
    "n_questions",
    "n_shared",
    "status",
    "reason",
]
_RADAR_MAX_MODELS = 8


def _num(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.6f}"


def _json_num(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 6)


def write_csv(boards: Sequence[Leaderboard], path: str | Path, with_category: bool = False) -> Path:
    """Long-form CSV, one line per (model, value) (and category when ``with_category``)."""
    path = Path(path)
    columns = (["category"] if with_category else []) + CSV_COLUMNS
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for board in boards:
            for row in board.rows():
                line = [row.model, row.value, _num(row.win_rate), _num(row.mu), _num(row.sigma)]
                line += [_num(row.ci_low), _num(row.ci_high), str(row.n_questions), str(row.n_shared)]
                line += [row.status, row.reason or ""]
                writer.writerow(([row.category or ""] if with_category else []) + line)
    return path


def _comparability_json(board: Leaderboard) -> dict[str, Any]:
    document = board.comparability.to_json()
    for j, entry in enumerate(document["models"]):
        entry["matches"] = int(board.n_questions[j].sum())
        entry["rated_questions"] = int(board.rated_questions[j])
        for i, value in enumerate(board.values):
            entry["by_value"][value]["matches"] = int(board.n_questions[j, i])
    return document


def _board_json(board: Leaderboard, with_chains: bool = False) -> dict[str, Any]:
    """One board; ``with_chains`` adds its win-rate chains (point + bootstrap replicates, compact)."""
    chains = board.win_rate_chains if with_chains else None
    return {
        "value_system": board.value_system,
        "set_version": board.set_version,
        "category": board.category,
        "n_questions": board.n_total_questions,
        "n_rated_questions": board.n_rated_questions,
        "models": board.models,
        "values": board.values,
        "panel_models": board.panel_models,
        "coverage": [{**asdict(c), "fraction": round(c.fraction, 6)} for c in board.coverage],
        "comparability": _comparability_json(board),
        "skipped_questions": board.skipped,
        "leaders": {v: lead.to_json(board.models) for v, lead in zip(board.values, board.leads, strict=True)},
        "settings": board.settings,
        "rows": [
            {
                "model": r.model,
                "value": r.value,
                "win_rate": _json_num(r.win_rate),
                "mu": _json_num(r.mu),
                "sigma": _json_num(r.sigma),
                "ci_low": _json_num(r.ci_low),
                "ci_high": _json_num(r.ci_high),
                "n_questions": r.n_questions,
                "n_shared": r.n_shared,
                "status": r.status,
                "reason": r.reason,
                "reason_text": r.reason_text,
            }
            for r in board.rows()
        ],
        "win_rate_chains": None if chains is None else encode_chains(chains),
    }


def write_json(
    boards: Sequence[Leaderboard],
    path: str | Path,
    config: RankConfig,
    problems: Sequence[Problem] = (),
    by_category: Sequence[Leaderboard] = (),
    inputs: Sequence[str] = (),
) -> Path:
    """The JSON twin of the CSV, with settings, coverage, skipped questions and problems."""
    path = Path(path)
    document = {
        "generated_by": "adaem-rank",
        "method": "TrueSkill two-team updates per question and value (expressing models win); "
        "win rate = mean win probability against every other model (paper App. C.8)",
        "config": config.to_json(),
        "inputs": list(inputs),
        "leaderboards": [_board_json(b, with_chains=True) for b in boards],
        "by_category": [_board_json(b) for b in by_category],
        "problems": [p.to_json() for p in problems],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def value_labels(value_system: str, keys: Sequence[str], short: bool = False) -> list[str]:
    """Display names (or abbreviations) of value keys; the keys themselves for an unknown system."""
    if value_system not in available_value_systems():
        return list(keys)
    system = load_value_system(value_system)
    return [system.value(k).abbrev if short else system.value(k).name for k in keys]


def _value_labels(board: Leaderboard, short: bool) -> list[str]:
    return value_labels(board.value_system, board.values, short)


def print_problems(problems: Sequence[Problem], quiet: bool, json_name: str) -> None:
    """The input problems on stderr (their count only with ``quiet``); they are in ``json_name`` too."""
    if not problems:
        return
    print(f"\n{len(problems)} problem(s) with the inputs (also in {json_name}):", file=sys.stderr)
    if quiet:
        return
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)


def _questions(board: Leaderboard) -> str:
    if board.n_rated_questions == board.n_total_questions:
        return f"{board.n_total_questions} questions"
    return f"{board.n_total_questions} questions ({board.n_rated_questions} with comparable results)"


def _finite_means(board: Leaderboard) -> NDArray[np.float64]:
    """Each model's mean win rate over the values it was compared on; -1 when none."""
    finite = np.isfinite(board.win_rate)
    counts = finite.sum(axis=1)
    sums = np.where(finite, board.win_rate, 0.0).sum(axis=1)
    return np.where(counts > 0, sums / np.maximum(counts, 1), -1.0)


def model_order(board: Leaderboard) -> list[int]:
    """Models by mean win rate, best first (ties by name), the not comparable last."""
    means = _finite_means(board) if board.values else np.zeros(len(board.models))
    return sorted(range(len(board.models)), key=lambda i: (-means[i], board.models[i]))


def _models_block(board: Leaderboard, names: dict[int, str], width: int) -> list[str]:
    """Per model: judgeable answers, questions shared with another model, matches played."""
    comparability = board.comparability
    lines = [
        f"models (--min-shared {comparability.min_shared}): judgeable answers, questions shared with another "
        "model (both judged), matches played over all values on how many questions"
    ]
    for i in model_order(board):
        model = board.models[i]
        judged = f"{comparability.judged[i]}/{board.n_total_questions} judgeable"
        line = f"  {names[i]:<{width}}  {judged}, {comparability.shared[i]} shared"
        verdict = comparability.model_verdicts.get(model)
        if verdict is not None:
            lines.append(f"{line}: NOT COMPARABLE, {verdict.message}")
            continue
        matches = int(board.n_questions[i].sum())
        lines.append(f"{line}, {matches} matches on {board.rated_questions[i]} questions")
        for value in board.values:
            cell = comparability.cell_verdicts.get((model, value))
            if cell is not None:
                lines.append(f"  {'':<{width}}    not comparable on {cell.message}")
    return lines


def _intervals(board: Leaderboard) -> str:
    """What the header says about intervals: their level, or that there are none."""
    reps = board.config.replicates
    if reps == 0:
        return "no bootstrap (--replicates 0): no intervals, no leader is tested"
    return f"{reps} bootstrap replicates; {board.config.ci_level:.0%} intervals"


def _lead_line(board: Leaderboard, j: int, label: str) -> str:
    lead = board.leads[j]
    if lead.leader is None:
        return f"  {label:<5} no leader: {lead.why}"
    i = lead.leader
    ci = (
        ""
        if math.isnan(board.ci_low[i, j])
        else f" [{100 * board.ci_low[i, j]:.1f}, {100 * board.ci_high[i, j]:.1f}]"
    )
    shared = board.comparability.shared_by_value[j, i]
    rated = f"rated on {board.n_questions[i, j]} of its {shared} shared questions"
    top = f"{board.models[i]} {100 * board.win_rate[i, j]:.1f}{ci}"
    runner = "" if lead.runner_up is None else board.models[lead.runner_up]
    gap = f"{100 * lead.margin:+.1f}"
    if not math.isnan(lead.margin_low):
        gap += f" [{100 * lead.margin_low:+.1f}, {100 * lead.margin_high:+.1f}]"
    if lead.clear:
        return f"  {label:<5} {top}, ahead of {runner} by {gap} points ({rated})"
    return f"  {label:<5} no clear leader: {top} vs {runner} {gap} points, {lead.why} ({rated})"


def format_table(board: Leaderboard) -> str:
    """A plain-text models x values table of win rates (%), '*' marking each value's clear leader."""
    labels = _value_labels(board, short=True)
    order = model_order(board)
    panel = set(board.panel_models)
    names = {i: board.models[i] + (" (panel)" if board.models[i] in panel else "") for i in order}
    width = max([len(n) for n in names.values()] + [5])
    title = f"{board.value_system} / set {board.set_version}"
    if board.category:
        title += f" / category {board.category}"
    n_comparable = len(board.comparability.comparable_models)
    lines = [
        f"{title}: {len(board.models)} models ({n_comparable} comparable), {_questions(board)}, "
        f"win rate % ({_intervals(board)})",
        " " * width + "".join(f"{lab:>7}" for lab in labels),
    ]
    stars = [lead.leader if lead.clear else None for lead in board.leads]
    for i in order:
        if board.comparability.model_verdicts.get(board.models[i]) is not None:
            lines.append(f"{names[i]:<{width}}  not comparable")
            continue
        cells = []
        for j in range(len(board.values)):
            rate = board.win_rate[i, j]
            mark = "*" if stars[j] == i else " "
            cells.append(f"{'  n/c ' if math.isnan(rate) else f'{100 * rate:5.1f}{mark}':>7}")
        lines.append(f"{names[i]:<{width}}" + "".join(cells))
    if n_comparable < 2:
        lines.append("leaders: none (fewer than 2 comparable models)")
    else:
        lines.append(
            "leaders (no bootstrap replicates, so no lead is tested and none is starred):"
            if board.config.replicates == 0
            else f"leaders (* = clear: it played matches on the value and the {board.config.ci_level:.0%} "
            "bootstrap interval of its lead over the runner-up, in points, lies above 0):"
        )
        lines.extend(_lead_line(board, j, labels[j]) for j in range(len(board.values)))
    lines.extend(_models_block(board, names, width))
    return "\n".join(lines)


def plot_leaderboards(
    boards: Sequence[Leaderboard], path: str | Path, radar: bool = True, sort_models: bool = True
) -> Path:
    """Heatmap of win rates (models x values) per leaderboard; a radar beside it for <= 8 models.

    ``sort_models=False`` keeps one (alphabetical) model order in every panel, so small
    multiples (one per topic category) can be compared row by row.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    boards = [b for b in boards if b.models and b.values]
    if not boards:
        raise ValueError("nothing to plot: no leaderboard with models and values")
    radar = radar and any(len(b.models) <= _RADAR_MAX_MODELS for b in boards)
    heights = [max(2.6, 0.42 * len(b.models) + 1.6) for b in boards]
    max_values = max(len(b.values) for b in boards)
    max_name = max(len(m) for b in boards for m in b.models)
    heat_width = 0.75 * max_values + 0.09 * max_name + 2.2
    fig = plt.figure(figsize=(heat_width + (5.2 if radar else 0.0), sum(heights) + 0.4 * len(boards)))
    grid = fig.add_gridspec(
        len(boards),
        2 if radar else 1,
        height_ratios=heights,
        width_ratios=[heat_width, 5.2] if radar else None,
    )
    cmap = plt.get_cmap("RdBu_r").with_extremes(bad="#d9d9d9")  # grey: cells that were not compared
    for k, board in enumerate(boards):
        order = model_order(board) if sort_models else list(range(len(board.models)))
        rates = 100 * board.win_rate[order]
        ax = fig.add_subplot(grid[k, 0])
        spread = float(np.nanmax(np.abs(rates - 50))) if np.isfinite(rates).any() else 1.0
        spread = max(spread, 5.0)
        image = ax.imshow(rates, cmap=cmap, vmin=50 - spread, vmax=50 + spread, aspect="auto")
        ax.set_xticks(range(len(board.values)), _value_labels(board, short=False), rotation=35, ha="right")
        ax.set_yticks(range(len(order)), [_row_label(board, i) for i in order])
        for r, i in enumerate(order):
            for j in range(len(board.values)):
                rate = rates[r, j]
                if math.isnan(rate):
                    ax.text(j, r, "n/c", ha="center", va="center", fontsize=7, color="#555555")
                    continue
                half = 50 * (board.ci_high[i, j] - board.ci_low[i, j])
                text = f"{rate:.0f}" if math.isnan(half) else f"{rate:.0f}\n±{half:.0f}"
                dark = abs(rate - 50) > 0.6 * spread
                ax.text(j, r, text, ha="center", va="center", fontsize=7, color="white" if dark else "black")
        for j, lead in enumerate(board.leads):
            if lead.clear and lead.leader is not None:
                best = order.index(lead.leader)
                ax.add_patch(
                    plt.Rectangle((j - 0.5, best - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.6)
                )
        title = f"{board.value_system} (set {board.set_version}"
        title += f", {board.category})" if board.category else ")"
        level = f"{board.config.ci_level:.0%}"
        shown = f"± half the {level} bootstrap interval" if board.config.replicates else "(no bootstrap)"
        ax.set_title(
            f"{title}, {_questions(board)}\nwin rate % {shown}; box = clear leader; n/c = not comparable",
            fontsize=9,
        )
        fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02, label="win rate (%)")
        if radar and len(board.models) <= _RADAR_MAX_MODELS:
            _radar(fig.add_subplot(grid[k, 1], projection="polar"), board, order)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def _row_label(board: Leaderboard, i: int) -> str:
    model = board.models[i]
    return f"{model} (not comparable)" if model in board.comparability.model_verdicts else model


def _radar(ax: Any, board: Leaderboard, order: list[int]) -> None:
    """One closed line per compared model; a value it was not compared on is a gap, not 50 %."""
    labels = _value_labels(board, short=True)
    angles = np.linspace(0, 2 * np.pi, len(board.values), endpoint=False)
    closed = np.append(angles, angles[:1])
    for i in order:
        rates = 100 * board.win_rate[i]
        if not np.isfinite(rates).any():
            continue
        ax.plot(closed, np.append(rates, rates[:1]), linewidth=1.4, label=board.models[i])
        if np.isfinite(rates).all():
            ax.fill(closed, np.append(rates, rates[:1]), alpha=0.08)
    ax.set_xticks(angles, labels, fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75], ["25", "50", "75"], fontsize=7)
    ax.legend(loc="upper left", bbox_to_anchor=(1.08, 1.05), fontsize=7, frameon=False)


def write_outputs(
    out_dir: str | Path,
    boards: Sequence[Leaderboard],
    config: RankConfig,
    problems: Sequence[Problem] = (),
    by_category: Sequence[Leaderboard] = (),
    inputs: Sequence[str] = (),
    png: bool = True,
) -> dict[str, Path]:
    """Everything ``adaem-rank`` writes; returns the paths by kind."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {
        "csv": write_csv(boards, out / "leaderboard.csv"),
        "json": write_json(boards, out / "leaderboard.json", config, problems, by_category, inputs),
    }
    if by_category:
        written["category_csv"] = write_csv(
            by_category, out / "leaderboard_by_category.csv", with_category=True
        )
    if png and any(b.models and b.values for b in boards):
        written["png"] = plot_leaderboards(boards, out / "leaderboard.png")
        if by_category:
            written["category_png"] = plot_leaderboards(
                by_category, out / "leaderboard_by_category.png", radar=False, sort_models=False
            )
    return written
