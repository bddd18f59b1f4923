"""The dry run of ``docs/alignment.md``, run verbatim as the README's are (``dry_runs``).

Until the README harness reads ``docs/*.md`` itself, this runs the page's tagged block and checks
the planted answer: the target made of one persona's planted profile puts that persona first,
with an interval excluding the others; the weighting on benevolence and universalism puts the
universalism persona first; and aligning the stored ``leaderboard.json`` gives the same file.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from dry_runs import REPO, parse_dry_runs, run_dry_run
from test_dry_runs import _ignored

pytestmark = pytest.mark.slow

PAGE = REPO / "docs" / "alignment.md"
RUNS = {run.name: run for run in parse_dry_runs(PAGE.read_text(encoding="utf-8"), source="docs/alignment.md")}


def test_the_alignment_page_tags_its_dry_run() -> None:
    assert set(RUNS) == {"alignment"}


def test_alignment_dry_run_recovers_the_planted_profile(tmp_path: Path) -> None:
    ran = run_dry_run(RUNS["alignment"], tmp_path)
    assert ran.returncode == 0, ran.failure()
    workdir = ran.workdir
    missing = [p for p in ran.run.expect if not (workdir / p).exists()]
    assert not missing, f"docs/alignment.md:{ran.run.line}: the dry run did not create {missing}"
    assert not _ignored(workdir, ran.run.copy), ".gitignore does not cover what the alignment dry run writes"
    document = json.loads((workdir / "leaderboard" / "alignment.json").read_text(encoding="utf-8"))
    rankings = {r["target"]: r for r in document["rankings"]}
    first, *others = rankings["Planted power profile"]["models"]
    assert first["model"] == "adaem-persona/power:0.9+achievement:0.6+security:0.3"
    assert all(o["distinguishable_from_best"] is True for o in others)
    assert rankings["Care charter"]["models"][0]["model"].startswith("adaem-persona/universalism:0.9")
    again = workdir / "alignment-from-json" / "alignment.csv"
    assert again.read_text(encoding="utf-8") == (workdir / "leaderboard" / "alignment.csv").read_text(
        encoding="utf-8"
    )
    with again.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 4 * 2
    assert "'Planted power profile' (profile, by match" in " ".join(ran.stdout.split())
