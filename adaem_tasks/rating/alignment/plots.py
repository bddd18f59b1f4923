"""The two alignment pictures for the CLI: a models x targets heatmap and the value map (PNG).

Both draw a :class:`~adaem_tasks.rating.alignment.result.TargetAlignment` and compute nothing:
the HTML report draws the same data as inline SVG. The heatmap colours each cell by its
target's ordering statistic -- the match (rho + 1) / 2 for a profile, the weighted win rate for a
weighting, both 0.5 at "no preference" -- boxes the best model of each target and dashes the ones
not distinguishable from it. The map places models with their interval crosses and targets as
diamonds on the value system's higher-order axes (one axis for MFT: a strip).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from adaem_tasks.rating.alignment.result import Heatmap, TargetAlignment, ValueMap

__all__ = ["plot_alignment_heatmap", "plot_value_map"]

_ANNOTATE_MAX_CELLS = 400
"""Above this many cells the numbers would be unreadable: colour and boxes only (numbers are in the CSV)."""


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_alignment_heatmap(result: TargetAlignment, path: str | Path) -> Path:
    """Models x targets: each target's statistic in %, the best boxed, the not distinguishable dashed."""
    plt = _pyplot()
    path = Path(path)
    heat: Heatmap = result.heatmap()
    values = 100 * heat.score.value
    n_rows, n_cols = values.shape
    name_width = max(len(m) for m in heat.rows)
    fig, ax = plt.subplots(
        figsize=(max(4.5, 0.62 * n_cols + 0.075 * name_width + 2.4), max(2.8, 0.38 * n_rows + 2.2))
    )
    cmap = plt.get_cmap("RdBu_r").with_extremes(bad="#d9d9d9")
    spread = float(np.nanmax(np.abs(values - 50))) if np.isfinite(values).any() else 5.0
    spread = max(spread, 5.0)
    image = ax.imshow(values, cmap=cmap, vmin=50 - spread, vmax=50 + spread, aspect="auto")
    annotate = n_rows * n_cols <= _ANNOTATE_MAX_CELLS
    for i in range(n_rows):
        for j in range(n_cols):
            value = values[i, j]
            if math.isnan(value):
                if annotate:
                    ax.text(j, i, "n/c" if heat.rows[i] in heat.left_out else "-", ha="center", va="center", fontsize=7, color="#555555")
                continue
            if annotate:
                half = 50 * (heat.score.high[i, j] - heat.score.low[i, j])
                text = f"{value:.0f}" if math.isnan(half) else f"{value:.0f}\n±{half:.0f}"
                dark = abs(value - 50) > 0.6 * spread
                ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "black")
            if heat.best[i, j] or heat.tied[i, j]:
                ax.add_patch(
                    plt.Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black",
                        linewidth=1.6 if heat.best[i, j] else 1.0, linestyle="-" if heat.best[i, j] else "--",
                    )
                )  # fmt: skip
    labels = [f"{c}\n({'match' if s == 'match' else 'weighted'})" for c, s in zip(heat.columns, heat.statistics, strict=True)]
    ax.set_xticks(range(n_cols), labels, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(n_rows), [m + (" (not comparable)" if m in heat.left_out else "") for m in heat.rows], fontsize=8)
    if result.n_replicates:
        interval = f"± half the {result.ci_level:.0%} interval ({result.n_replicates} replicates)"
    else:
        interval = "no intervals (leaderboard without replicates)"
    ax.set_title(
        f"{result.value_system}: models x targets, % {interval}\n"
        "match = (rho+1)/2 for profiles, weighted win rate for weightings\n"
        "box = best; dashed = not distinguishable from the best; n/c = not comparable",
        fontsize=9,
    )
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02, label="%")
    fig.tight_layout()
    fig.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_value_map(result: TargetAlignment, path: str | Path) -> Path | None:
    """The value map; None when the value system defines no opposed groups (nothing to place)."""
    value_map: ValueMap = result.value_map
    if not value_map.axes or not value_map.points:
        return None
    plt = _pyplot()
    path = Path(path)
    two_d = len(value_map.axes) >= 2
    models = [p for p in value_map.points if p.kind == "model"]
    targets = [p for p in value_map.points if p.kind == "target"]
    height = 6.2 if two_d else max(2.6, 0.34 * len(value_map.points) + 1.6)
    fig, ax = plt.subplots(figsize=(7.4, height))
    rows = {p.label + p.kind: k for k, p in enumerate(reversed(value_map.points))}
    for point in models:
        x = point.coordinates[0]
        y = point.coordinates[1] if two_d else rows[point.label + point.kind]
        xerr = yerr = None
        if point.low is not None and point.high is not None:
            xerr = [[x - point.low[0]], [point.high[0] - x]]
            if two_d:
                yerr = [[y - point.low[1]], [point.high[1] - y]]
        container = ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", markersize=5, capsize=2.5, linewidth=1)
        ax.annotate(point.label, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=7, color=container[0].get_color())
    for point in targets:
        x = point.coordinates[0]
        y = point.coordinates[1] if two_d else rows[point.label + point.kind]
        ax.scatter([x], [y], marker="D", s=46, color="black", zorder=3)
        ax.annotate(point.label, (x, y), xytext=(4, -10), textcoords="offset points", fontsize=7, fontweight="bold")
    ax.axvline(0, color="#999999", linewidth=0.8)
    first = value_map.axes[0]
    ax.set_xlabel(f"<- {first.negative}    |    {first.positive} ->", fontsize=9)
    if two_d:
        second = value_map.axes[1]
        ax.axhline(0, color="#999999", linewidth=0.8)
        ax.set_ylabel(f"<- {second.negative}    |    {second.positive} ->", fontsize=9)
    else:
        ax.set_yticks([])
    crosses = f"{result.ci_level:.0%} interval crosses" if result.n_replicates else "no intervals"
    ax.set_title(
        f"{result.value_system}: models (dots, {crosses}) and targets (diamonds)\n"
        "each profile standardised on its own values; group mean differences",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(fig)
    return path
