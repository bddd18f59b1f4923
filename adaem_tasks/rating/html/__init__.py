"""``report.html``: the leaderboard and the evidence behind it, in one self-contained file.

``adaem-rank`` writes it beside the CSV (``--report PATH``, ``--no-report``,
``--report-cases N``). It holds the leaderboard as a heatmap with intervals, the
comparability notes, each model's profile, and -- per value -- the questions that split the
models most evenly with every model's stance and key points, the key points the judge read
as expressing the value highlighted, and every full answer (collapsed). Cases are chosen
from the aligned labels (``_cases``); only their answers are read back from the logs
(``_evidence``); the page is a Jinja2 template with autoescaping (``_render``,
``templates/``), inline CSS and SVG, no script, no network. With ``--targets`` the alignment
layer gets a section of its own (``_alignment``).
"""

from adaem_tasks.rating.html._alignment import alignment_section
from adaem_tasks.rating.html._cases import Case, CellLabel, select_cases
from adaem_tasks.rating.html._evidence import Answer, read_answers
from adaem_tasks.rating.html._render import render_report, write_report
from adaem_tasks.rating.html._view import (
    DEFAULT_REPORT_CASES,
    MAX_ANSWER_CHARS,
    MAX_POINT_CHARS,
    Heatmap,
    ReportSection,
    heatmap,
)

__all__ = [
    "DEFAULT_REPORT_CASES",
    "MAX_ANSWER_CHARS",
    "MAX_POINT_CHARS",
    "Answer",
    "Case",
    "CellLabel",
    "Heatmap",
    "ReportSection",
    "alignment_section",
    "heatmap",
    "read_answers",
    "render_report",
    "select_cases",
    "write_report",
]
