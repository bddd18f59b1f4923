"""The documented rank dry run writes ``leaderboard/report.html``; headless Chromium opens it cleanly.

Fails on any console error, uncaught page error, dialog, or request for anything but the
file itself (the report must work offline); checks that the heatmap, a model section and
a case with a highlighted key point are visible, and leaves screenshots in the test's tmp
directory. Without a browser it is skipped with the reason, except under CI, where the
``chromium`` fixture fails (``.ci/run`` installs Chromium).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from report_view import SELECTORS, look_at_report, run_rank_dry_run

pytestmark = pytest.mark.slow


def test_the_rank_dry_run_report_opens_in_chromium(chromium: str, tmp_path: Path) -> None:
    ran = run_rank_dry_run(tmp_path / "dry-run")
    assert ran.returncode == 0, ran.failure()
    report = ran.workdir / "leaderboard" / "report.html"
    assert report.is_file(), "adaem-rank --out leaderboard/ wrote no leaderboard/report.html"

    look = look_at_report(report, tmp_path / "screenshots")

    assert look.log.problems == []
    assert look.log.requests == [report.resolve().as_uri()]  # nothing fetched: one self-contained file
    assert look.visible == dict.fromkeys(SELECTORS, True)
    assert look.printed == dict.fromkeys([*SELECTORS, "contents bar hidden"], True)  # it prints legibly
    for shot in look.screenshots:
        assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
    # the panel ranking of the same block has a report too; its panel models show labels, not answers
    panel_report = (ran.workdir / "leaderboard-panel" / "report.html").read_text(encoding="utf-8")
    assert "keeps the judge&#39;s labels but not the answers" in panel_report
