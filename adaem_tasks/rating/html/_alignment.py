"""The report's place for the alignment layer (``adaem-rank --targets``, issue 16).

The alignment layer compares each model's value profile with target profiles and draws a
models x targets heatmap and a map on Schwartz's higher-order axes. It is built beside this
report, as a result type of its own plus drawings. When both are in, the wiring is:

1. the alignment result offers ``report_section()`` returning a :class:`ReportSection`
   (its heatmap built with :func:`~adaem_tasks.rating.html.heatmap` -- rows = models,
   columns = targets, rates and intervals -- and its map as ``figure_svg``, an SVG string
   from its own drawing code, e.g. matplotlib's ``savefig(format="svg")``);
2. ``adaem-rank`` passes ``sections=[s for s in [alignment_section(result)] if s]`` to
   :func:`~adaem_tasks.rating.html.write_report`.

The section then appears right after the leaderboard overview, in the contents, and in
print. Until then no result is given and nothing is shown.
"""

from __future__ import annotations

from typing import Protocol

from adaem_tasks.rating.html._view import ReportSection

__all__ = ["ReportsItsSection", "alignment_section"]


class ReportsItsSection(Protocol):
    """What the alignment result needs to offer the report."""

    def report_section(self) -> ReportSection: ...


def alignment_section(result: ReportsItsSection | None) -> ReportSection | None:
    """The alignment layer's report section, or None when ``--targets`` was not given."""
    return None if result is None else result.report_section()
