"""Real Inspect runs of scripted examinees with planted profiles, ranked by adaem-rank."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from adaem_tasks.rating.cli import main as adaem_rank

pytestmark = pytest.mark.slow

PERSONAS = ("power", "security", "hedonism", "tradition")


def test_each_persona_owns_its_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    logs = inspect_eval(
        "adaem_tasks/schwartz",
        model=[f"adaem-persona/{p}" for p in PERSONAS] + ["adaem-persona/refuser"],
        model_roles={"grader": "adaem-judge/keyword"},
        task_args={"judge_mode": "batched"},
        limit=40,
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    assert [log.status for log in logs] == ["success"] * (len(PERSONAS) + 1)
    out = tmp_path / "board"
    assert adaem_rank([str(tmp_path / "logs"), "--out", str(out), "--replicates", "20", "--quiet"]) == 0
    with (out / "leaderboard.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["model"] for r in rows} == {f"adaem-persona/{p}" for p in PERSONAS}  # the refuser has no data
    for persona in PERSONAS:
        best = max((r for r in rows if r["value"] == persona), key=lambda r: float(r["win_rate"]))
        assert best["model"] == f"adaem-persona/{persona}"
        assert float(best["ci_low"]) > 0.5
    assert (out / "leaderboard.png").is_file()
