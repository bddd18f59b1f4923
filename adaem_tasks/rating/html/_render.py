"""Render the report with Jinja2 (autoescaping on) and write it atomically.

One self-contained file: the CSS is included into a ``<style>`` element, the pictures
are inline SVG or CSS, and there is no script at all. A Content-Security-Policy
``<meta>`` allows nothing but inline styles and ``data:`` images, so even a string that
escaped escaping (none can: every printed value goes through Jinja2's autoescape) could
neither run nor fetch anything. The file opens from disk, an e-mail attachment or a CI
artifact, offline.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from adaem_tasks.rating.html._view import (
    DEFAULT_REPORT_CASES,
    BoardView,
    Heatmap,
    ReportSection,
    board_view,
    clear_leaders,
    heatmap,
)
from adaem_tasks.rating.leaderboard import Leaderboard, RankConfig
from adaem_tasks.rating.records import Problem
from adaem_tasks.rating.report import value_labels

__all__ = ["render_report", "write_report"]

_DIST = "adaem-tasks"


def _number(x: float) -> str:
    return f"{x:.1f}"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("adaem_tasks.rating.html", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["n"] = _number
    return env


@cache
def _css() -> Markup:
    """The stylesheet, put into the page as it is (ours, not data: nothing in it is escaped)."""
    environment = _environment()
    assert environment.loader is not None
    return Markup(environment.loader.get_source(environment, "report.css")[0])


def _package() -> tuple[str, str | None]:
    """The installed version and, when the package metadata names one, the documentation URL."""
    try:
        meta = metadata.metadata(_DIST)
    except metadata.PackageNotFoundError:
        return "unknown", None
    docs = None
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"documentation", "docs"} and url.strip().startswith("https://"):
            docs = url.strip().rstrip("/")
    return meta["Version"], docs


def _category_heatmap(board: Leaderboard) -> Heatmap:
    """A category board in one alphabetical model order, so the categories compare row by row."""
    return heatmap(
        board.models,
        value_labels(board.value_system, board.values, short=True),
        board.win_rate,
        board.ci_low,
        board.ci_high,
        column_titles=value_labels(board.value_system, board.values),
        boxed=clear_leaders(board),
    )


def _method(config: RankConfig) -> dict[str, object]:
    level = 100 * config.ci_level
    return {
        "replicates": config.replicates,
        "level": f"{level:.0f}" if math.isclose(level, round(level)) else f"{level:g}",
        "seed": config.seed,
        "order": config.order,
        "backend": config.backend,
        "team_weights": config.team_weights if config.backend == "trueskill" else None,
        "formula": config.formula,
        "min_shared": config.min_shared,
    }


def render_report(
    boards: Sequence[Leaderboard],
    config: RankConfig,
    problems: Sequence[Problem] = (),
    by_category: Sequence[Leaderboard] = (),
    inputs: Sequence[str] = (),
    cases_per_value: int = DEFAULT_REPORT_CASES,
    sections: Sequence[ReportSection] = (),
) -> str:
    """The report as one HTML string (reads the answers of the cases it shows from the logs)."""
    views: list[BoardView] = [board_view(b, k, cases_per_value) for k, b in enumerate(boards)]
    version, docs_url = _package()
    categories = [
        (f"{b.category} ({b.n_total_questions} questions)", _category_heatmap(b))
        for b in by_category
        if b.models and b.values
    ]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            css=_css(),
            boards=views,
            categories=categories,
            sections=list(sections),
            method=_method(config),
            problems=list(problems),
            inputs=list(inputs),
            version=version,
            docs_url=docs_url,
        )
    )


def write_report(path: str | Path, html: str) -> Path:
    """Write a rendered report (:func:`render_report`) to ``path``: a temporary file renamed into place.

    A failure while writing leaves any previous report untouched and no partial file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # same directory: the rename is atomic
    try:
        temporary.write_text(html, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
