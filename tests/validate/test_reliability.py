"""``adaem-validate reliability``: alpha recovers planted structure, and is near 0 where there is none."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from rating.synth import write_inspect_log, write_lmeval_run

from adaem_tasks.rating import align
from adaem_tasks.validate.cli import main
from adaem_tasks.validate.reliability import fold_assignments, reliability_study
from adaem_tasks.value_systems import load_value_system

from .personas_logs import long_questions, persona_records, synth_questions, write_persona_logs

KEYS = load_value_system("schwartz").keys
PLANTED = ("power", "security", "tradition+benevolence", "universalism")
#: Eight personas that all express every value with p = 0.5 (rotated specs: independent draws).
FLAT = tuple("+".join(f"{k}:0.5" for k in KEYS[i:] + KEYS[:i]) for i in range(8))


def _alignment(specs: tuple[str, ...], questions: list[str]):  # type: ignore[no-untyped-def]
    [alignment], _ = align([r for spec in specs for r in persona_records(spec, questions)])
    return alignment


def test_folds_partition_the_questions() -> None:
    folds = fold_assignments(103, 5, seed=7)
    assert sorted(i for f in folds for i in f) == list(range(103))
    assert {len(f) for f in folds} == {20, 21}
    assert [f.tolist() for f in fold_assignments(103, 5, seed=7)] == [f.tolist() for f in folds]


def test_planted_personas_give_high_alpha() -> None:
    result = reliability_study(_alignment(PLANTED, synth_questions(200)), folds=5, replicates=5)
    assert result.headline == "win_rate"
    for metric in ("win_rate", "expression_rate"):
        assert result.metrics[metric].alpha.min() > 0.8, metric
    # the planted values are consistent across folds one by one too
    power = KEYS.index("power")
    assert result.metrics["win_rate"].value_alpha[:, power].min() > 0.8


@pytest.mark.parametrize("questions", [synth_questions(200), long_questions(200)], ids=["short", "long"])
def test_identical_flat_profiles_give_alpha_near_zero(questions: list[str]) -> None:
    """With no true differences, fold-to-fold differences are noise: alpha is about 0 (either sign)."""
    result = reliability_study(_alignment(FLAT, questions), folds=5, replicates=5)
    for metric in ("win_rate", "expression_rate"):
        assert abs(float(result.metrics[metric].alpha.mean())) < 0.3, metric


def test_cli_reads_both_log_formats_and_writes_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    questions = synth_questions(150)
    write_persona_logs(tmp_path / "inspect", PLANTED[:2], questions)
    write_persona_logs(tmp_path / "lm", PLANTED[2:], questions, lmeval=True)
    out = tmp_path / "out"
    args = ["reliability", str(tmp_path / "inspect"), str(tmp_path / "lm"), "--out", str(out)]
    assert main([*args, "--replicates", "3", "--seed", "4"]) == 0
    doc = json.loads((out / "reliability.json").read_text())
    assert doc["models"] == sorted(f"adaem-persona/{s}" for s in PLANTED)
    assert (doc["folds"], doc["replicates"], doc["seeds"], doc["n_questions"]) == (5, 3, [4, 6], 150)
    assert doc["headline_metric"] == "win_rate" and doc["cronbach_alpha"] > 0.8
    assert doc["cronbach_alpha"] == doc["metrics"]["win_rate"]["cronbach_alpha"]
    assert doc["spread"]["cronbach_alpha"]["n"] == 3
    assert (
        doc["spread"]["cronbach_alpha"]["min"]
        <= doc["cronbach_alpha"]
        <= doc["spread"]["cronbach_alpha"]["max"]
    )
    assert set(doc["per_value"]) == set(KEYS) and doc["cv"] > 0
    printed = capsys.readouterr().out
    assert (
        "Cronbach alpha" in printed
        and "in words:" in printed
        and "do not hinge on which questions" in printed
    )


def test_one_model_has_no_win_rates_and_says_so(tmp_path: Path) -> None:
    write_persona_logs(tmp_path / "logs", ("power",), synth_questions(100))
    assert (
        main(["reliability", str(tmp_path / "logs"), "--out", str(tmp_path / "o"), "--replicates", "2"]) == 0
    )
    doc = json.loads((tmp_path / "o" / "reliability.json").read_text())
    assert doc["headline_metric"] == "expression_rate" and set(doc["metrics"]) == {"expression_rate"}
    assert all(v["cronbach_alpha"] is None for v in doc["per_value"].values())  # one subject per value


def test_folds_below_min_shared_get_no_win_rates_and_say_why(tmp_path: Path) -> None:
    """adaem-rank gives no model a win rate on fewer than --min-shared questions; neither do folds."""
    alignment = _alignment(PLANTED, synth_questions(75))  # folds of 15 < 20
    result = reliability_study(alignment, folds=5, replicates=2)
    assert result.headline == "expression_rate" and set(result.metrics) == {"expression_rate"}
    assert "folds of 15 questions are below --min-shared 20" in result.not_computed["win_rate"]
    lowered = reliability_study(alignment, folds=5, replicates=2, min_shared=15)
    assert lowered.headline == "win_rate" and not lowered.not_computed


def test_too_few_questions_per_fold_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    write_persona_logs(tmp_path / "logs", PLANTED, synth_questions(40))
    assert main(["reliability", str(tmp_path / "logs"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "40 aligned questions cannot make 5 folds of at least 10 questions each" in err
    assert not (tmp_path / "o" / "reliability.json").exists()
    assert main(["reliability", str(tmp_path / "logs"), "--out", str(tmp_path / "o"), "--folds", "4"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as refused:
        main(["reliability", str(tmp_path / "logs"), "--out", str(tmp_path / "o"), "--folds", "1"])
    assert refused.value.code == 2
    assert "argument --folds: must be an integer >= 2, got '1'" in capsys.readouterr().err


def test_mixed_set_versions_are_refused_unless_one_is_chosen(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    questions = synth_questions(100)
    write_persona_logs(tmp_path / "logs" / "a", PLANTED[:2], questions, set_version="set-a")
    write_persona_logs(tmp_path / "logs" / "b", PLANTED[2:], questions, set_version="set-b")
    assert main(["reliability", str(tmp_path / "logs"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "mixes 2 question-set versions: 'set-a'" in err and "--set-version" in err
    args = ["reliability", str(tmp_path / "logs"), "--out", str(tmp_path / "o"), "--set-version", "set-b"]
    assert main([*args, "--replicates", "2"]) == 0
    assert json.loads((tmp_path / "o" / "reliability.json").read_text())["set_version"] == "set-b"


def test_unknown_labels_are_left_out_and_strict_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    questions = synth_questions(100)
    for k, spec in enumerate(PLANTED[:2]):
        records = persona_records(spec, questions)
        # the judge could not be read on "power" for every 4th question: unknown, not "not expressed"
        records = [
            replace(r, labels={**r.labels, "power": None}) if i % 4 == 0 else r for i, r in enumerate(records)
        ]
        write_inspect_log(tmp_path / "logs" / f"{k}.eval", records)
    write_lmeval_run(tmp_path / "logs", persona_records(PLANTED[2], questions))
    args = ["reliability", str(tmp_path / "logs"), "--out", str(tmp_path / "o"), "--replicates", "2"]
    assert main(args) == 0
    doc = json.loads((tmp_path / "o" / "reliability.json").read_text())
    assert [p["kind"] for p in doc["problems"]].count("judge_failures") == 2
    assert "judge_failures" in capsys.readouterr().err
    assert main([*args, "--strict"]) == 1
