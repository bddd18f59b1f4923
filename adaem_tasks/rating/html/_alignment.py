"""The report's section for the alignment layer (``adaem-rank --targets``, docs/alignment.md).

It shows what ``alignment.png`` and ``alignment_map.png`` show, in the page: the models x
targets table of each target's statistic (match = (rho + 1) / 2 for a profile, the weighted
win rate for a weighting) with its interval written in every cell, drawn by the same
:func:`~adaem_tasks.rating.html.heatmap` as the leaderboard, the models that cannot be told
apart from each target's best, the models left out and why, and the value map. The map is
the alignment layer's own matplotlib drawing, saved as SVG with its text as paths, so no
name in it is markup.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from adaem_tasks.rating.alignment import TargetAlignment
from adaem_tasks.rating.alignment.plots import plot_value_map
from adaem_tasks.rating.html._view import ReportSection, heatmap

__all__ = ["alignment_section"]

_STATISTIC = {"match": "match", "weighted": "weighted win rate"}
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)  # the XML declaration and DOCTYPE before <svg>


def _map_svg(result: TargetAlignment) -> str | None:
    import matplotlib

    with tempfile.TemporaryDirectory() as tmp, matplotlib.rc_context({"svg.fonttype": "path"}):
        path = plot_value_map(result, Path(tmp) / "map.svg")
        return None if path is None else _PROLOG.sub("", path.read_text(encoding="utf-8"), count=1)


def _tied_notes(result: TargetAlignment) -> list[str]:
    notes = []
    for ranking in result.rankings:
        best = [m.model for m in ranking.models if m.best]
        tied = [m.model for m in ranking.models if not m.best and m.distinguishable_from_best is False]
        if best and tied:
            notes.append(
                f"{ranking.target}: {', '.join(tied)} cannot be told apart from the best "
                f"({', '.join(best)}): their intervals overlap"
            )
    return notes


def alignment_section(result: TargetAlignment | None) -> ReportSection | None:
    """The alignment layer's section, or None when ``--targets`` was not given."""
    if result is None:
        return None
    heat = result.heatmap()
    left_out = set(heat.left_out)
    table = heatmap(
        heat.rows,
        heat.columns,
        heat.score.value,
        heat.score.low,
        heat.score.high,
        column_titles=[f"{c} ({_STATISTIC[s]})" for c, s in zip(heat.columns, heat.statistics, strict=True)],
        row_notes=["not comparable" if m in left_out else None for m in heat.rows],
        cell_notes={
            (i, j): result.left_out[m].reason_text if m in left_out else "undefined for this target"
            for i, m in enumerate(heat.rows)
            for j in range(len(heat.columns))
        },
    )
    interval = (
        f"{result.ci_level:.0%} interval from the leaderboard's {result.n_replicates} bootstrap replicates"
        if result.n_replicates
        else "no interval (a leaderboard without replicates)"
    )
    caption = (
        f"Each cell: % and its {interval}; #1 fits the target best, boxed. A profile's match is "
        "(rho + 1) / 2 for Spearman's rho between the model's win rates and the target's scores "
        "(50 = unrelated); a weighting's score is the model's win rates averaged with the target's weights."
    )
    notes = [
        *_tied_notes(result),
        *(f"{m}: left out, {why.reason_text}" for m, why in sorted(result.left_out.items())),
    ]
    return ReportSection(
        anchor="alignment",
        title=f"Which model fits these values ({result.value_system}, {len(heat.columns)} targets)",
        heatmap=table,
        figure_svg=_map_svg(result),
        notes=tuple(notes),
        caption=caption,
    )
