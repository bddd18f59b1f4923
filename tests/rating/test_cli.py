"""adaem-rank end to end: logs of planted examinees in both formats -> csv, json, png."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from adaem_tasks.rating.cli import main
from adaem_tasks.rating.report import CSV_COLUMNS

from .synth import by_model, planted_records, write_inspect_log, write_lmeval_run


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """Four planted examinees: two as Inspect logs, two as lm-eval output; plus junk."""
    root = tmp_path / "logs"
    records = planted_records(n_models=4, n_questions=120, seed=11, invalid_rate=0.05)
    groups = list(by_model(records).values())
    write_inspect_log(root / "inspect" / "m0.eval", groups[0])
    write_inspect_log(root / "inspect" / "m1.json", groups[1])
    write_lmeval_run(root / "lm_eval", groups[2])
    write_lmeval_run(root / "lm_eval", groups[3], stamp="2026-01-02T10-00-00.5")
    other = planted_records(n_models=1, n_questions=5, prefix="gsm")
    write_inspect_log(root / "inspect" / "foreign.eval", other, task="inspect_evals/gsm8k")
    (root / "inspect" / "corrupt.eval").write_bytes(b"not a zip")
    return root


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_cli_writes_leaderboard_and_ranks_owners_first(
    logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main([str(logs), "--out", str(out), "--replicates", "20", "--by-category"])
    assert code == 0
    rows = _csv(out / "leaderboard.csv")
    with (out / "leaderboard.csv").open() as handle:
        assert next(csv.reader(handle)) == CSV_COLUMNS
    assert len(rows) == 4 * 10
    owners = ["self_direction", "stimulation", "hedonism", "achievement"]
    for k, value in enumerate(owners):
        best = max((r for r in rows if r["value"] == value), key=lambda r: float(r["win_rate"]))
        assert best["model"] == f"model-{k}"
        assert float(best["ci_low"]) <= float(best["win_rate"]) <= float(best["ci_high"])
        assert int(best["n_questions"]) > 50
    document = json.loads((out / "leaderboard.json").read_text())
    assert document["config"]["replicates"] == 20
    [board] = document["leaderboards"]
    assert board["set_version"] == "test-v1" and len(board["rows"]) == 40
    kinds = {p["kind"] for p in document["problems"]}
    assert {"foreign_task", "unreadable", "not_judgeable"} <= kinds
    assert (out / "leaderboard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "leaderboard_by_category.png").is_file()
    category_rows = _csv(out / "leaderboard_by_category.csv")
    assert {r["category"] for r in category_rows} == {"Economics", "Education", "Health"}
    printed = capsys.readouterr()
    assert "schwartz / set test-v1" in printed.out and "leaders (* = clear" in printed.out
    assert "foreign_task" in printed.err and "corrupt.eval" in printed.err


def test_cli_strict_fails_on_problems(logs: Path, tmp_path: Path) -> None:
    assert main([str(logs), "--out", str(tmp_path / "o"), "--replicates", "0", "--no-png", "--strict"]) == 1
    assert not (tmp_path / "o" / "leaderboard.png").exists()


def test_cli_refuses_mixed_versions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = planted_records(n_models=2, n_questions=30)
    b = planted_records(n_models=1, n_questions=30, set_version="test-v2", prefix="new")
    for model, records in by_model(a + b).items():
        write_inspect_log(tmp_path / "logs" / f"{model}.eval", records)
    code = main([str(tmp_path / "logs"), "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "different question-set versions" in err and "'test-v2'" in err and "--set-version" in err
    assert not (tmp_path / "out").exists()
    assert main([str(tmp_path / "logs"), "--out", str(tmp_path / "out"), "--set-version", "test-v1"]) == 0


def test_cli_nothing_to_rank(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "junk.eval").write_bytes(b"junk")
    assert main([str(tmp_path / "junk.eval"), "--out", str(tmp_path / "out")]) == 2
    assert "nothing to rank" in capsys.readouterr().err


def test_cli_panel_round_trip(logs: Path, tmp_path: Path) -> None:
    panel = tmp_path / "panel.jsonl"
    assert main([str(logs / "lm_eval"), str(logs / "inspect" / "m1.json"), "--out", str(tmp_path / "a"),
                 "--replicates", "5", "--no-png", "--export-panel", str(panel)]) == 0  # fmt: skip
    # a single new log placed against the stored panel
    code = main([str(logs / "inspect" / "m0.eval"), "--panel", str(panel), "--out", str(tmp_path / "b"),
                 "--replicates", "5", "--no-png"])  # fmt: skip
    assert code == 0
    document = json.loads((tmp_path / "b" / "leaderboard.json").read_text())
    [board] = document["leaderboards"]
    assert board["models"] == ["model-0", "model-1", "model-2", "model-3"]
    assert board["panel_models"] == ["model-1", "model-2", "model-3"]
    rows = [r for r in board["rows"] if r["value"] == "self_direction"]
    assert max(rows, key=lambda r: r["win_rate"])["model"] == "model-0"


def _disjoint_logs(root: Path) -> Path:
    """model-3 answered only the Economics questions; the others only the rest."""
    records = planted_records(n_models=4, n_questions=90, seed=12)
    records = [r for r in records if (r.model == "model-3") == (r.category == "Economics")]
    for model, group in by_model(records).items():
        write_inspect_log(root / f"{model}.eval", group)
    return root


def test_cli_not_comparable_model_has_status_rows_and_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = _disjoint_logs(tmp_path / "logs")
    out = tmp_path / "out"
    assert main([str(logs), "--out", str(out), "--replicates", "5"]) == 3
    printed = capsys.readouterr()
    assert "model-3" in printed.out and "not comparable" in printed.out
    assert "NOT COMPARABLE, shares too few questions" in printed.out
    assert "exit status 3" in printed.err and "--drop-incomparable" in printed.err
    rows = _csv(out / "leaderboard.csv")
    dropped = [r for r in rows if r["model"] == "model-3"]
    assert len(dropped) == 10
    for row in dropped:
        assert (row["status"], row["reason"]) == ("not_comparable", "too_few_shared")
        assert row["win_rate"] == row["mu"] == row["ci_low"] == "" and row["n_shared"] == "0"
    ranked = [r for r in rows if r["model"] != "model-3"]
    assert {r["status"] for r in ranked} == {"ok"} and all(r["win_rate"] for r in ranked)
    assert all(r["reason"] == "" and int(r["n_shared"]) == 60 for r in ranked)
    [board] = json.loads((out / "leaderboard.json").read_text())["leaderboards"]
    entry = {m["model"]: m for m in board["comparability"]["models"]}["model-3"]
    assert entry["status"] == "not_comparable" and entry["reason"] == "too_few_shared"
    assert entry["shared"] == 0 and entry["matches"] == 0 and entry["answered"] == 30
    assert "none of its 30 judged questions" in entry["reason_text"]
    assert {m["model"]: m["status"] for m in board["comparability"]["models"]}["model-0"] == "ok"
    row = next(r for r in board["rows"] if r["model"] == "model-3")
    assert row["win_rate"] is None and row["status"] == "not_comparable" and row["reason_text"]
    assert (out / "leaderboard.png").is_file()
    # accepting the leaderboard of the rest: same numbers, exit 0
    again = tmp_path / "again"
    assert main([str(logs), "--out", str(again), "--replicates", "5", "--drop-incomparable", "--no-png"]) == 0
    assert _csv(again / "leaderboard.csv") == rows
    assert "dropped from the ranking (--drop-incomparable)" in capsys.readouterr().err


def test_cli_min_shared_is_a_flag(tmp_path: Path) -> None:
    records = planted_records(n_models=3, n_questions=40, seed=13)
    records = [r for r in records if r.model != "model-2" or int(r.question_id[1:]) < 12]
    for model, group in by_model(records).items():
        write_inspect_log(tmp_path / "logs" / f"{model}.eval", group)
    common = [str(tmp_path / "logs"), "--out", str(tmp_path / "out"), "--replicates", "0", "--no-png"]
    assert main(common) == 3  # 12 shared < 20
    assert main([*common, "--min-shared", "12"]) == 0
    with pytest.raises(SystemExit) as refused:
        main([*common, "--min-shared", "0"])
    assert refused.value.code == 2


def test_cli_refuses_one_version_with_different_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 9 case 3: an edited copy of a set run under the old version name."""
    original = planted_records(n_models=2, n_questions=30, content_hash="sha256:aaa111")
    edited = planted_records(n_models=1, n_questions=30, prefix="edited", content_hash="sha256:bbb222")
    for model, group in by_model(original).items():
        write_inspect_log(tmp_path / "logs" / f"{model}.eval", group)
    write_lmeval_run(tmp_path / "logs" / "lm", edited)
    out = tmp_path / "out"
    assert main([str(tmp_path / "logs"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "version 'test-v1' whose questions differ" in err
    assert "'sha256:aaa111': models model-0, model-1 (2 files" in err and "model-0.eval" in err
    assert "'sha256:bbb222': models edited-0 (1 file" in err and "samples_adaem_schwartz_" in err
    assert not out.exists()


def test_cli_reports_logs_without_a_content_hash(tmp_path: Path) -> None:
    hashed = planted_records(n_models=2, n_questions=30)
    old = planted_records(n_models=1, n_questions=30, prefix="old", content_hash=None)
    for model, group in by_model(hashed + old).items():
        write_inspect_log(tmp_path / "logs" / f"{model}.eval", group)
    out = tmp_path / "out"
    assert main([str(tmp_path / "logs"), "--out", str(out), "--replicates", "0", "--no-png"]) == 0
    problems = json.loads((out / "leaderboard.json").read_text())["problems"]
    [unverified] = [p for p in problems if p["kind"] == "unverified_content"]
    assert unverified["model"] == "old-0" and unverified["count"] == 30
    assert "trusted by question id only" in unverified["message"]


def test_cli_team_weights(tmp_path: Path, logs: Path) -> None:
    out = tmp_path / "out"
    base = [str(logs), "--out", str(out), "--replicates", "0", "--no-png"]
    assert main(base) == 0
    assert json.loads((out / "leaderboard.json").read_text())["config"]["team_weights"] == "mean"
    assert main([*base, "--team-weights", "sum"]) == 0
    assert json.loads((out / "leaderboard.json").read_text())["config"]["team_weights"] == "sum"
    assert main([*base, "--backend", "openskill", "--team-weights", "sum"]) == 2
