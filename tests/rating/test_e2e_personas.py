"""Real Inspect runs of scripted examinees with planted profiles, ranked by adaem-rank."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from adaem_tasks.rating.cli import EXIT_NOT_COMPARABLE
from adaem_tasks.rating.cli import main as adaem_rank

pytestmark = pytest.mark.slow

PERSONAS = ("power", "security", "hedonism", "tradition")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


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
    args = [str(tmp_path / "logs"), "--out", str(out), "--replicates", "20", "--quiet"]
    # the refuser has no judgeable answer: named, not ranked, and the run says so
    assert adaem_rank(args) == EXIT_NOT_COMPARABLE
    assert adaem_rank([*args, "--drop-incomparable"]) == 0
    rows = _rows(out / "leaderboard.csv")
    refuser = [r for r in rows if r["model"] == "adaem-persona/refuser"]
    assert {(r["status"], r["reason"], r["win_rate"]) for r in refuser} == {
        ("not_comparable", "no_judged_results", "")
    }
    ranked = [r for r in rows if r["status"] == "ok"]
    assert {r["model"] for r in ranked} == {f"adaem-persona/{p}" for p in PERSONAS}
    for persona in PERSONAS:
        best = max((r for r in ranked if r["value"] == persona), key=lambda r: float(r["win_rate"]))
        assert best["model"] == f"adaem-persona/{persona}"
        assert float(best["ci_low"]) > 0.5
    assert (out / "leaderboard.png").is_file()


def test_models_run_on_other_questions_or_by_a_broken_judge_are_not_ranked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 9 cases 1 and 4 through the real task: a model run only on another topic category,
    and a model whose judge never gives a readable label, next to three normally judged ones."""
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    logs = tmp_path / "logs"
    ranked = ("power", "security", "hedonism")
    runs = inspect_eval(
        "adaem_tasks/schwartz",
        model=[f"adaem-persona/{p}" for p in ranked],
        model_roles={"grader": "adaem-judge/keyword"},
        task_args={"judge_mode": "batched", "categories": "Education and Media"},
        log_dir=str(logs),
        display="none",
    )
    runs += inspect_eval(
        "adaem_tasks/schwartz",
        model="adaem-persona/achievement",
        model_roles={"grader": "adaem-judge/keyword"},
        task_args={"judge_mode": "batched", "categories": "Economics and Business"},
        log_dir=str(logs),
        display="none",
    )
    runs += inspect_eval(
        "adaem_tasks/schwartz",
        model="adaem-persona/tradition",
        model_roles={"grader": "adaem-judge/garbage"},
        task_args={"judge_mode": "batched", "categories": "Education and Media", "judge_max_attempts": 1},
        log_dir=str(logs),
        display="none",
    )
    assert [run.status for run in runs] == ["success"] * 5
    out = tmp_path / "board"
    args = [str(logs), "--out", str(out), "--replicates", "20", "--by-category"]
    # another grader and fewer judge attempts: a different measurement, refused until accepted (issue 21)
    assert adaem_rank(args) == 2 and not out.exists()
    refusal = " ".join(capsys.readouterr().err.split())
    assert "grader: adaem-judge/garbage (adaem-persona/tradition; e.g." in refusal
    assert "judge_max_attempts: 1 (adaem-persona/tradition; e.g." in refusal
    code = adaem_rank([*args, "--allow-mixed-settings"])
    assert code == EXIT_NOT_COMPARABLE
    printed = capsys.readouterr()
    assert "adaem-persona/achievement" in printed.out and "not comparable" in printed.out
    assert "exit status 3" in printed.err
    rows = _rows(out / "leaderboard.csv")
    status = {(r["model"], r["status"], r["reason"]) for r in rows}
    assert ("adaem-persona/achievement", "not_comparable", "too_few_shared") in status
    assert ("adaem-persona/tradition", "not_comparable", "no_judged_results") in status
    for persona in ranked:  # the three that were compared still recover their planted value
        own = [r for r in rows if r["status"] == "ok" and r["value"] == persona]
        assert len(own) == 3
        best = max(own, key=lambda r: float(r["win_rate"]))
        assert best["model"] == f"adaem-persona/{persona}" and float(best["ci_low"]) > 0.5
    document = json.loads((out / "leaderboard.json").read_text())
    [board] = document["leaderboards"]
    models = {m["model"]: m for m in board["comparability"]["models"]}
    assert models["adaem-persona/achievement"]["shared"] == 0
    assert models["adaem-persona/achievement"]["answered"] == 24
    assert models["adaem-persona/tradition"]["answered"] == 0
    assert models["adaem-persona/power"]["shared"] == 23 and models["adaem-persona/power"]["matches"] > 23
    # the category boards follow the same rules: achievement is alone in its category
    categories = {b["category"]: b for b in document["by_category"]}
    economics = {
        m["model"]: m["status"] for m in categories["Economics and Business"]["comparability"]["models"]
    }
    assert economics["adaem-persona/achievement"] == "not_comparable"
    education = {
        m["model"]: m["status"] for m in categories["Education and Media"]["comparability"]["models"]
    }
    assert [m for m, s in education.items() if s == "ok"] == [f"adaem-persona/{p}" for p in sorted(ranked)]
    assert adaem_rank([*args, "--allow-mixed-settings", "--drop-incomparable", "--quiet"]) == 0
