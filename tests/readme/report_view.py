"""The report of the documented ``rank`` dry run (docs/dry-runs.md), as headless Chromium shows it.

Shared by ``test_report_browser.py`` and the documentation: the screenshots in ``docs/`` are
made by this module's :func:`look_at_report`, the same function the test checks, so the
picture is of a report that passed the test. Regenerate them with::

    python tests/readme/report_view.py docs/img

(the rank dry run runs in a temporary directory; Chromium as in ``adaem_tasks.testing.browser``).
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dry_runs import DryRunResult, all_dry_runs, run_dry_run

from adaem_tasks.testing.browser import PageLog, open_page

if TYPE_CHECKING:
    from playwright.sync_api import Page

OVERVIEW_PNG = "report-overview.png"
CASE_PNG = "report-case.png"

#: What a reader must see: the leaderboard heatmap, one model's section, one case with its highlight.
SELECTORS = {
    "heatmap": "section.overview table.heatmap",
    "model section": "article.model svg.radar",
    "highlighted case": "article.case mark.expresses",
}


@dataclass
class ReportLook:
    log: PageLog
    visible: dict[str, bool]
    printed: dict[str, bool]  # the same, with the print stylesheet; plus whether the contents bar is hidden
    screenshots: list[Path]


def run_rank_dry_run(root: Path) -> DryRunResult:
    """The documented ``rank`` dry run (docs/dry-runs.md), verbatim, in ``root/work``."""
    return run_dry_run(all_dry_runs()["rank"], root)


def _visible(page: Page) -> dict[str, bool]:
    visible = {}
    for name, selector in SELECTORS.items():
        element = page.locator(selector).first
        if element.count():
            element.scroll_into_view_if_needed()
        visible[name] = element.count() > 0 and element.is_visible()
    return visible


def look_at_report(report: Path, out_dir: Path, case_value: str = "Power") -> ReportLook:
    """Open ``report``, check what is visible (on screen and in print), and write two screenshots.

    The screenshots: the top of the page (the overview) and the first case of ``case_value``
    with a highlighted key point (any value's, where that value has none).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with open_page(report, width=1280, height=1000) as (page, log):
        visible = _visible(page)
        page.evaluate("window.scrollTo(0, 0)")
        overview = out_dir / OVERVIEW_PNG
        page.screenshot(path=str(overview))
        shots = [overview]
        case = page.locator(
            f"section.value:has(> h3:text-is('{case_value}')) article.case:has(mark.expresses)"
        )
        if not case.count():
            case = page.locator("article.case:has(mark.expresses)")
        if case.count():
            shots.append(out_dir / CASE_PNG)
            case.first.screenshot(path=str(shots[-1]))
        page.emulate_media(media="print")
        printed = _visible(page)
        printed["contents bar hidden"] = not page.locator("nav.toc").is_visible()
    return ReportLook(log, visible, printed, shots)


def main(out_dir: str) -> int:
    with tempfile.TemporaryDirectory(prefix="adaem-report-view-") as root:
        ran = run_rank_dry_run(Path(root))
        if ran.returncode != 0:
            print(ran.failure(), file=sys.stderr)
            return 1
        look = look_at_report(ran.workdir / "leaderboard" / "report.html", Path(out_dir))
    if look.log.problems or not all(look.visible.values()) or not all(look.printed.values()):
        print(
            f"the report failed its checks: {look.log.problems} {look.visible} {look.printed}",
            file=sys.stderr,
        )
        return 1
    print("wrote " + ", ".join(map(str, look.screenshots)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/img"))
