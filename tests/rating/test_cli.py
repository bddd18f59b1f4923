"""adaem-rank end to end: logs of planted examinees in both formats -> csv, json, png."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
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


# --------------------------------------------------------------------------- issue 21: bad input, conditions


def _planted_logs(root: Path, n_models: int = 3, n_questions: int = 40, **writer: object) -> Path:
    for model, group in by_model(
        planted_records(n_models=n_models, n_questions=n_questions, seed=21)
    ).items():
        write_inspect_log(root / f"{model}.eval", group, **writer)  # type: ignore[arg-type]
    return root


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--mu", "nan", "must be a number (finite), got 'nan'"),
        ("--mu", "inf", "must be a number (finite), got 'inf'"),
        ("--mu=-inf", None, "must be a number (finite), got '-inf'"),
        ("--sigma", "0", "must be a number > 0, got '0'"),
        ("--sigma", "nan", "(finite), got 'nan'"),
        ("--beta", "-1", "must be a number > 0, got '-1'"),
        ("--tau", "-0.1", "must be a number >= 0, got '-0.1'"),
        ("--draw-probability", "1", "must be a number >= 0 and < 1, got '1'"),
        ("--ci-level", "1", "must be a number > 0 and < 1, got '1'"),
        ("--ci-level", "nan", "(finite), got 'nan'"),
        ("--replicates", "-1", "must be an integer >= 0 and <= 100000, got '-1'"),
        ("--replicates", "2.5", "must be an integer >= 0 and <= 100000, got '2.5'"),
        ("--replicates", "100000000", "must be an integer >= 0 and <= 100000, got '100000000'"),
        ("--seed", "-1", "must be an integer >= 0, got '-1'"),
        ("--seed", "abc", "must be an integer >= 0, got 'abc'"),
        ("--min-shared", "2.5", "must be an integer >= 1, got '2.5'"),
    ],
)
def test_bad_numeric_options_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str | None, says: str
) -> None:
    """Issue 21 cases 5 and 8: nan/inf, out of range, wrong type, absurd replicate counts."""
    logs = _planted_logs(tmp_path / "logs")
    with pytest.raises(SystemExit) as refused:
        main([str(logs), "--out", str(tmp_path / "out"), option, *([value] if value else [])])
    assert refused.value.code == 2
    err = capsys.readouterr().err
    name = option.split("=")[0]
    assert f"adaem-rank: error: argument {name}: " in err and says in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_bad_output_paths_are_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21 case 8: --out naming an existing file, or a place that cannot be created."""
    monkeypatch.chdir(tmp_path)  # --out results.csv names the file below, not one in the checkout
    logs = _planted_logs(tmp_path / "logs")
    a_file = tmp_path / "results.csv"
    a_file.write_text("keep me\n")
    for out, says in [
        (a_file, "'results.csv' exists and is not a directory"),
        (a_file / "sub", "is a file, not a directory"),
    ]:
        shown = str(out).replace(str(tmp_path) + "/", "")
        with pytest.raises(SystemExit) as refused:
            main([str(logs), "--out", shown if out == a_file else str(out)])
        assert refused.value.code == 2
        err = capsys.readouterr().err
        assert says in " ".join(err.split()) and "Traceback" not in err
    assert a_file.read_text() == "keep me\n"  # nothing lost
    if Path("/proc/self").is_dir():  # Linux: a place nobody can create a directory in, root included
        with pytest.raises(SystemExit):
            main([str(logs), "--out", "/proc/adaem-leaderboard"])
        assert "cannot write under '/proc'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(logs), "--out", str(tmp_path / "o"), "--export-panel", str(tmp_path)])
    assert "is a directory, not a file" in capsys.readouterr().err


def test_replicates_that_do_not_fit_in_memory_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21 case 8: the rating's memory is estimated before it is allocated."""
    from adaem_tasks.rating import leaderboard

    logs = _planted_logs(tmp_path / "logs")
    monkeypatch.setattr(leaderboard, "available_memory", lambda: 50 * 2**20)  # 50 MiB
    assert main([str(logs), "--out", str(tmp_path / "out"), "--replicates", "100000"]) == 2
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if line.startswith("adaem-rank: --replicates 100000"))
    assert "GiB of memory" in line and "at most about" in line and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    need = leaderboard.rating_memory(40, 10, 3, 100000)
    assert need > 50 * 2**20 > leaderboard.rating_memory(40, 10, 3, 100)


def test_no_replicates_no_intervals_no_stars(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 21 case 9: --replicates 0 does not print '95% intervals', and tests no leader."""
    logs = _planted_logs(tmp_path / "logs")
    assert main([str(logs), "--out", str(tmp_path / "out"), "--replicates", "0", "--no-png"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "95% intervals" not in out
        and "no bootstrap (--replicates 0): no intervals, no leader is tested" in out
    )
    assert "*" not in out.split("leaders (")[0]  # no star in the table
    assert "leaders (no bootstrap replicates, so no lead is tested and none is starred):" in out
    assert "bootstrap interval" not in out  # the star's legend is not printed where no star can be
    assert "untested: no bootstrap replicates (--replicates 0)" in out


def test_a_primed_log_is_left_out_with_its_file_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 21 case 1 via the CLI: beside the real run (exit 0), alone (exit 3), ranked apart on request."""
    records = planted_records(n_models=3, n_questions=60, seed=21)
    groups = by_model(records)
    logs = tmp_path / "logs"
    for model, group in groups.items():
        write_inspect_log(logs / f"{model}.eval", group)
    plain = tmp_path / "plain"
    assert main([str(logs), "--out", str(plain), "--replicates", "5", "--no-png"]) == 0
    primed = [replace(r, labels={k: int(k == "power") for k in r.labels}) for r in groups["model-0"]]
    write_inspect_log(tmp_path / "primed" / "model-0-power.eval", primed, task_args={"prime": "power"})
    capsys.readouterr()

    beside = tmp_path / "beside"
    assert (
        main([str(logs), str(tmp_path / "primed"), "--out", str(beside), "--replicates", "5", "--no-png"])
        == 0
    )
    assert _csv(beside / "leaderboard.csv") == _csv(
        plain / "leaderboard.csv"
    )  # the primed run changed nothing
    err = " ".join(capsys.readouterr().err.split())
    assert "primed_run [model-0]:" in err and "model-0-power.eval" in err and "(-T prime=power)" in err

    alone = [str(logs / "model-1.eval"), str(logs / "model-2.eval"), str(tmp_path / "primed")]
    assert main([*alone, "--out", str(tmp_path / "alone"), "--replicates", "5", "--no-png"]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "1 model(s) have only primed runs, which are left out: model-0" in err and "--rank-primed" in err
    assert {r["model"] for r in _csv(tmp_path / "alone" / "leaderboard.csv")} == {"model-1", "model-2"}
    assert (
        main([*alone, "--out", str(tmp_path / "a2"), "--replicates", "5", "--no-png", "--drop-incomparable"])
        == 0
    )

    apart = tmp_path / "apart"
    args = [str(logs), str(tmp_path / "primed"), "--out", str(apart), "--replicates", "5", "--no-png"]
    assert main([*args, "--rank-primed"]) == 0
    models = {r["model"] for r in _csv(apart / "leaderboard.csv")}
    assert models == {"model-0", "model-0 [prime=power]", "model-1", "model-2"}


def test_mixed_judging_is_refused_unless_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 21 case 2: two models judged batched, one single, same grader."""
    from .synth import DEFAULT_CONDITIONS

    records = planted_records(n_models=3, n_questions=40, seed=21)
    for model, group in by_model(records).items():
        mode = "single" if model == "model-2" else "batched"
        write_inspect_log(
            tmp_path / "logs" / f"{model}.eval",
            group,
            conditions=replace(DEFAULT_CONDITIONS, judge_mode=mode),
        )
    out = tmp_path / "out"
    assert main([str(tmp_path / "logs"), "--out", str(out), "--replicates", "0", "--no-png"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "judge_mode: batched (model-0, model-1; e.g." in err and "single (model-2; e.g." in err
    assert "model-2.eval" in err and "--allow-mixed-settings" in err and not out.exists()
    assert main([str(tmp_path / "logs"), "--out", str(out), "--replicates", "0", "--no-png",
                 "--allow-mixed-judging"]) == 0  # fmt: skip
    document = json.loads((out / "leaderboard.json").read_text())
    assert [p["kind"] for p in document["problems"]].count("mixed_judges") == 1
    assert document["leaderboards"][0]["settings"]["model-2"]["judge_mode"] == "single"
