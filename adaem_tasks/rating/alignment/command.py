"""What ``adaem-rank --targets`` does around the computation: pick the board, write, draw, print.

Kept out of :mod:`adaem_tasks.rating.cli` so the CLI grows by a few lines: the CLI reads the
target file before any ranking (a bad file costs no minutes of rating), then hands the ranked
boards -- or the profiles of a stored leaderboard -- to :func:`align_profiles` before anything
is written, so a target file of the wrong value system writes nothing, and finally calls
:func:`write_alignment_outputs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from adaem_tasks.rating.alignment.compute import align_with_targets
from adaem_tasks.rating.alignment.output import write_alignment
from adaem_tasks.rating.alignment.plots import plot_alignment_heatmap, plot_value_map
from adaem_tasks.rating.alignment.profiles import ModelProfiles
from adaem_tasks.rating.alignment.result import TargetAlignment
from adaem_tasks.rating.alignment.targets import TargetSet

__all__ = ["align_profiles", "left_out_summary", "write_alignment_outputs"]


def align_profiles(candidates: Sequence[ModelProfiles], targets: TargetSet, where: str) -> TargetAlignment:
    """Align ``targets`` with the candidate of their value system.

    Raises:
        TargetFileError: ``where`` (the logs, a leaderboard file) ranked no such value system.
    """
    targets.require_value_system([p.value_system for p in candidates], where)
    (profiles,) = [p for p in candidates if p.value_system == targets.value_system]
    return align_with_targets(profiles, targets)


def write_alignment_outputs(
    result: TargetAlignment, out_dir: str | Path, png: bool = True, inputs: list[str] | None = None
) -> dict[str, Path]:
    """The tables (all or none), then the heatmap and the value map."""
    written = write_alignment(result, out_dir, inputs)
    if png:
        written["alignment_png"] = plot_alignment_heatmap(result, Path(out_dir) / "alignment.png")
        value_map = plot_value_map(result, Path(out_dir) / "alignment_map.png")
        if value_map is not None:
            written["alignment_map_png"] = value_map
    return written


def left_out_summary(result: TargetAlignment) -> str:
    """One line naming the models that got no alignment numbers, with their reasons."""
    listed = ", ".join(f"{m} ({why.reason})" for m, why in sorted(result.left_out.items()))
    return f"{len(result.left_out)} model(s) not comparable, left out of the alignment: {listed}"
