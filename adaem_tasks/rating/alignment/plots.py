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

from adaem_tasks.rating.alignment.result import Heatmap, MapPoint, TargetAlignment, ValueMap

__all__ = ["plot_alignment_heatmap", "plot_value_map"]

_ANNOTATE_MAX_CELLS = 400
"""Above this many cells the numbers would be unreadable: colour and boxes only (numbers are in the CSV)."""
_LABEL_MAX_TARGETS = 20
"""Above this many targets their names would cover the map: diamonds only (coordinates are in the JSON)."""


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
    annotate = n_rows * n_cols <= _ANNOTATE_MAX_CELLS
    cell_width, cell_height = (0.62, 0.38) if annotate else (0.26, 0.24)  # no numbers: smaller cells
    fig, ax = plt.subplots(
        figsize=(
            max(4.5, cell_width * n_cols + 0.075 * name_width + 2.4),
            max(2.8, cell_height * n_rows + 2.6),
        )
    )
    cmap = plt.get_cmap("RdBu_r").with_extremes(bad="#d9d9d9")
    spread = float(np.nanmax(np.abs(values - 50))) if np.isfinite(values).any() else 5.0
    spread = max(spread, 5.0)
    image = ax.imshow(values, cmap=cmap, vmin=50 - spread, vmax=50 + spread, aspect="auto")
    for i in range(n_rows):
        for j in range(n_cols):
            value = values[i, j]
            if math.isnan(value):
                if annotate:
                    ax.text(
                        j,
                        i,
                        "n/c" if heat.rows[i] in heat.left_out else "-",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="#555555",
                    )
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
    labels = [
        f"{c}\n({'match' if s == 'match' else 'weighted'})"
        for c, s in zip(heat.columns, heat.statistics, strict=True)
    ]
    ax.set_xticks(range(n_cols), labels, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(
        range(n_rows),
        [m + (" (not comparable)" if m in heat.left_out else "") for m in heat.rows],
        fontsize=8,
    )
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
    fig.savefig(path, dpi=130)
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
    # one row per point on a strip (one axis); one artist per kind, not per point: drawing stays fast
    row = {id(p): k for k, p in enumerate(reversed(value_map.points))}

    def y_of(point: MapPoint) -> float:
        return point.coordinates[1] if two_d else float(row[id(point)])

    if models:
        xs = np.array([p.coordinates[0] for p in models])
        ys = np.array([y_of(p) for p in models])
        colours = plt.get_cmap("tab10" if len(models) <= 10 else "tab20")(np.arange(len(models)) % 20)
        crossed = [
            (k, p.low, p.high) for k, p in enumerate(models) if p.low is not None and p.high is not None
        ]
        if crossed:
            index = [k for k, _, _ in crossed]
            bars = ((ax.hlines, ys), (ax.vlines, xs))[: len(value_map.axes[:2])]  # the cross's arms
            for a, (draw, at) in enumerate(bars):
                lows, highs = [lo[a] for _, lo, _ in crossed], [hi[a] for _, _, hi in crossed]
                draw(at[index], lows, highs, colors=colours[index], linewidth=1.2)
        ax.scatter(xs, ys, s=26, color=colours, zorder=3)
    if targets:
        ax.scatter(
            [p.coordinates[0] for p in targets],
            [y_of(p) for p in targets],
            marker="D",
            s=40,
            color="black",
            zorder=4,
        )
    points = [*models, *targets]
    middle = float(np.mean([p.coordinates[0] for p in points]))
    label_targets = len(targets) <= _LABEL_MAX_TARGETS
    for k, point in enumerate(points):
        if point.kind == "target" and not label_targets:
            continue
        left = point.coordinates[0] <= middle  # labels point inwards, so none leaves the figure
        ax.annotate(
            point.label, (point.coordinates[0], y_of(point)), textcoords="offset points",
            xytext=(5 if left else -5, 4 if point.kind == "model" else -10), ha="left" if left else "right",
            fontsize=7, color=colours[k] if point.kind == "model" else "black",
            fontweight="normal" if point.kind == "model" else "bold",
        )  # fmt: skip
    ax.axvline(0, color="#999999", linewidth=0.8)
    first = value_map.axes[0]
    ax.set_xlabel(f"<- {first.negative}    |    {first.positive} ->", fontsize=9)
    if two_d:
        second = value_map.axes[1]
        ax.axhline(0, color="#999999", linewidth=0.8)
        ax.set_ylabel(f"<- {second.negative}    |    {second.positive} ->", fontsize=9)
        ax.margins(0.08)
    else:
        ax.set_yticks([])
        ax.set_ylim(-1, len(value_map.points))  # room for the labels of the first and last rows
    crosses = f"{result.ci_level:.0%} interval crosses" if result.n_replicates else "no intervals"
    unlabelled = "" if label_targets else f"; {len(targets)} targets, unlabelled (see alignment.json)"
    ax.set_title(
        f"{result.value_system}: models (dots, {crosses}) and targets (diamonds{unlabelled})\n"
        "each profile standardised on its own values; group mean differences",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
