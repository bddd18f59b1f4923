"""``adaem-validate priming``: a primed scripted persona moves as the paper found real models move."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from rating.synth import write_inspect_log, write_lmeval_run

from adaem_tasks.validate.cli import main
from adaem_tasks.validate.priming import log_prime
from adaem_tasks.value_systems import load_value_system

from .personas_logs import persona_records, synth_questions

SCHWARTZ = load_value_system("schwartz")
#: Expresses self-transcendence (0.9) and security (0.9); everything else at the 0.05 baseline.
PERSONA = "universalism+benevolence+security"
JUDGE = "grader=adaem-judge/keyword"


def _write_primed_logs(
    directory: Path, spec: str, targets: list[str], n: int = 80, model: str | None = None
) -> None:
    questions = synth_questions(n)
    write_inspect_log(directory / "base.eval", persona_records(spec, questions, model=model))
    for target in targets:
        records = persona_records(spec, questions, prime=target, model=model)
        write_inspect_log(directory / f"{target}.eval", records, task_args={"prime": target})


@pytest.mark.slow
def test_primed_persona_through_the_real_task(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run mode: Inspect's eval_set runs the unprimed and primed tasks; rerunning reuses the logs."""
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "study"
    args = [
        "priming",
        "--model",
        f"adaem-persona/{PERSONA}",
        "--model-role",
        JUDGE,
        "--values",
        "power,stimulation",
    ]
    args += ["--limit", "24", "-T", "judge_mode=batched", "--display", "none", "--out", str(out)]
    assert main(args) == 0
    doc = json.loads((out / "priming.json").read_text())
    assert doc["model"] == f"adaem-persona/{PERSONA}" and doc["set_version"] == "seed-v1"
    assert list(doc["targets"]) == ["stimulation", "power"]  # value-system order
    power = doc["targets"]["power"]
    assert power["target"]["n_questions"] == 24
    assert power["target"]["baseline"] < 0.2 and power["target"]["primed"] > 0.7
    assert power["target"]["p_value"] < 0.001 and power["target"]["cohens_d"] > 1
    assert power["opposite_group"]["values"] == ["benevolence", "universalism"]
    assert power["opposite_group"]["delta"] < -0.4 and power["opposite_group"]["p_value"] < 0.001
    assert 0 < power["same_group"]["delta"] < power["target"]["delta"]  # moderately up
    stimulation = doc["targets"]["stimulation"]
    assert stimulation["opposite_group"]["values"] == ["security", "conformity", "tradition"]
    assert stimulation["opposite_group"]["delta"] < 0  # security, planted at 0.9, goes down
    printed = capsys.readouterr().out
    assert "Dimension" in printed and "Power" in printed and "in words:" in printed
    logs = sorted((out / "logs").glob("*.eval"))
    assert len(logs) == 3
    stamps = [p.stat().st_mtime_ns for p in logs]
    assert main(args) == 0  # resumable: the finished logs are reused, nothing runs again
    assert sorted((out / "logs").glob("*.eval")) == logs and [p.stat().st_mtime_ns for p in logs] == stamps
    assert [log_prime(str(p)) for p in logs].count(None) == 1
    # the same study computed from the logs alone gives the same numbers
    assert main(["priming", str(out / "logs"), "--out", str(tmp_path / "again"), "--no-png"]) == 0
    again = json.loads((tmp_path / "again" / "priming.json").read_text())
    assert again["targets"] == doc["targets"]


def test_from_logs_every_target_in_table_10_layout(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _write_primed_logs(tmp_path / "logs", PERSONA, list(SCHWARTZ.keys))
    out = tmp_path / "out"
    assert main(["priming", str(tmp_path / "logs"), "--out", str(out)]) == 0
    doc = json.loads((out / "priming.json").read_text())
    assert list(doc["targets"]) == SCHWARTZ.keys
    for key, result in doc["targets"].items():
        assert set(result) == {"target", "same_group", "opposite_group"}
        assert set(result["target"]) >= {"baseline", "primed", "delta", "cohens_d", "p_value"}
        assert result["same_group"]["values"] == SCHWARTZ.same_group(key)
        assert result["target"]["primed"] >= result["target"]["baseline"]
        assert result["same_group"]["delta"] > 0
        assert result["opposite_group"]["delta"] <= 0
    # universalism is planted at 0.9: priming it cannot raise it further -- no change, no test
    assert doc["targets"]["universalism"]["target"]["delta"] == 0
    assert doc["targets"]["universalism"]["target"]["p_value"] is None
    assert "no pair changed" in doc["targets"]["universalism"]["target"]["note"]
    summary = doc["summary"]
    assert summary["target"]["n_targets"] == 10 and summary["target"]["p_value"] < 0.01
    assert summary["opposite_group"]["delta"] < 0 < summary["same_group"]["delta"]
    lines = (out / "priming.csv").read_text().splitlines()
    assert lines[0].startswith("target,measure,values,n_questions,baseline,primed,delta")
    assert len(lines) == 1 + 3 * 10
    printed = capsys.readouterr().out
    assert "Self-direction" in printed and "opposite group (mean)" in printed
    assert (out / "priming.png").stat().st_size > 10_000


def test_mft_groups_and_an_lmeval_baseline(tmp_path: Path) -> None:
    """lm-eval has no priming option: its logs are unprimed baselines for the same model's primed runs."""
    questions = synth_questions(80)
    model = "local/care-model"
    write_lmeval_run(tmp_path / "logs", persona_records("care+fairness", questions, model=model))
    records = persona_records("care+fairness", questions, prime="loyalty", model=model)
    write_inspect_log(
        tmp_path / "logs" / "loyalty.eval", records, task="adaem_tasks/mft", task_args={"prime": "Loyalty"}
    )
    assert main(["priming", str(tmp_path / "logs"), "--out", str(tmp_path / "o"), "--no-png"]) == 0
    doc = json.loads((tmp_path / "o" / "priming.json").read_text())
    loyalty = doc["targets"]["loyalty"]
    assert doc["value_system"] == "mft" and doc["model"] == model
    assert loyalty["same_group"]["values"] == ["authority", "sanctity"]
    assert loyalty["opposite_group"]["values"] == ["care", "fairness"]
    assert loyalty["target"]["delta"] > 0.5 and loyalty["opposite_group"]["delta"] < -0.4


def test_refusals(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    questions = synth_questions(30)
    base_only = tmp_path / "base"
    write_inspect_log(base_only / "base.eval", persona_records(PERSONA, questions))
    out = ["--out", str(tmp_path / "o")]

    def error(args: list[str]) -> str:
        assert main(["priming", *args, *out]) == 2
        return capsys.readouterr().err

    assert "no primed logs of adaem-persona/" in error([str(base_only)])
    two = tmp_path / "two"
    _write_primed_logs(two, PERSONA, ["power"], n=30)
    _write_primed_logs(two / "other", "power", ["power"], n=30)
    assert "choose one with --model" in error([str(two)])
    assert main(["priming", str(two), "--model", "adaem-persona/power", *out, "--no-png"]) == 0
    assert "no logs of model 'x'" in error([str(two), "--model", "x"])
    assert "no primed run of adaem-persona/power for tradition" in error(
        [str(two / "other"), "--values", "tradition"]
    )
    assert "not a value of schwartz" in error([str(two / "other"), "--values", "kindness"])
    assert "--model-role, --limit: used only when running" in error(
        [str(two), "--limit", "3", "--model-role", JUDGE]
    )
    primed_only = tmp_path / "primed"
    write_inspect_log(
        primed_only / "p.eval",
        persona_records(PERSONA, questions, prime="power"),
        task_args={"prime": "power"},
    )
    assert "no unprimed run" in error([str(primed_only)])
    assert "give LOG_DIRs to compute from, or --model" in error([])
    run = ["--model", "adaem-persona/power"]
    assert "pass --model-role grader=<model>" in error(run)
    assert "set by the study itself" in error([*run, "--model-role", JUDGE, "-T", "prime=power"])
    assert "-T 'oops': expected name=value" in error([*run, "--model-role", JUDGE, "-T", "oops"])
    assert "unknown option 'colour'" in error([*run, "--model-role", JUDGE, "-T", "colour=red"])


def test_primed_and_unprimed_runs_must_be_measured_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Issue 21: apart from the prime, a changed judge would move the rates as much as priming does."""
    from rating.synth import DEFAULT_CONDITIONS

    questions = synth_questions(40)
    write_inspect_log(tmp_path / "logs" / "base.eval", persona_records(PERSONA, questions))
    primed = persona_records(PERSONA, questions, prime="power")
    write_inspect_log(tmp_path / "logs" / "power.eval", primed, task_args={"prime": "power"},
                      conditions=replace(DEFAULT_CONDITIONS, judge_mode="batched"))  # fmt: skip
    args = ["priming", str(tmp_path / "logs"), "--out", str(tmp_path / "o"), "--no-png"]
    assert main(args) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "judge_mode: batched (primed:power; e.g." in err and "single (unprimed; e.g." in err
    assert "power.eval" in err and "--allow-mixed-settings" in err
    assert not (tmp_path / "o" / "priming.json").exists()
    assert main([*args, "--allow-mixed-settings"]) == 0
    problems = json.loads((tmp_path / "o" / "priming.json").read_text())["problems"]
    assert [p["kind"] for p in problems].count("mixed_judges") == 1
