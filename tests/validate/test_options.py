"""Every numeric option and output path of ``adaem-validate``: one line, exit 2, no traceback (issue 21)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adaem_tasks.validate.cli import main

from .personas_logs import synth_questions, write_persona_logs


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return write_persona_logs(tmp_path / "logs", ("power", "security"), synth_questions(40))


@pytest.mark.parametrize(
    ("study", "option", "value", "says"),
    [
        ("reliability", "--folds", "1", "must be an integer >= 2, got '1'"),
        ("reliability", "--replicates", "0", "must be an integer >= 1, got '0'"),
        ("reliability", "--seed", "-1", "must be an integer >= 0, got '-1'"),
        ("reliability", "--min-per-fold", "2.5", "must be an integer >= 1, got '2.5'"),
        ("reliability", "--min-shared", "0", "must be an integer >= 1, got '0'"),
        ("informativeness", "--replicates", "0", "must be an integer >= 1 and <= 100000, got '0'"),
        ("informativeness", "--replicates", "100000000", "must be an integer >= 1 and <= 100000"),
        ("informativeness", "--ci-level", "nan", "(finite), got 'nan'"),
        ("informativeness", "--ci-level", "1", "must be a number > 0 and < 1, got '1'"),
        ("priming", "--limit", "0", "must be an integer >= 1, got '0'"),
        ("priming", "--max-connections", "inf", "must be an integer >= 1, got 'inf'"),
        ("priming", "--retry-attempts", "-1", "must be an integer >= 0, got '-1'"),
        ("judge", "--threshold", "nan", "(finite), got 'nan'"),
        ("judge", "--kappa-threshold", "2", "must be a number >= -1 and <= 1, got '2'"),
        ("judge", "--max-attempts", "0", "must be an integer >= 1, got '0'"),
        ("judge", "--seed", "x", "must be an integer >= 0, got 'x'"),
    ],
)
def test_bad_numbers_are_refused_in_one_line(
    logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture, study: str, option: str, value: str, says: str
) -> None:
    args = [study, str(logs), "--out", str(tmp_path / "o"), option, value]
    if study == "judge":
        args += ["--model-role", "grader=adaem-judge/keyword"]
    with pytest.raises(SystemExit) as refused:
        main(args)
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert f"adaem-validate {study}: error: argument {option}: " in err and says in err
    assert "Traceback" not in err and not (tmp_path / "o").exists()


@pytest.mark.parametrize("study", ["reliability", "informativeness", "priming", "judge"])
def test_an_output_directory_that_is_a_file_is_refused(
    logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture, study: str
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("keep me\n")
    with pytest.raises(SystemExit) as refused:
        main([study, str(logs), str(logs), "--out", str(taken)])
    assert refused.value.code == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    assert taken.read_text() == "keep me\n"


def test_the_headline_label_never_runs_into_its_number(
    logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Issue 21 case 9: 'expression rate (headline)0.99'."""
    assert main(["reliability", str(logs), "--out", str(tmp_path / "o"), "--folds", "4"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^expression rate \(headline\) +\d\.\d\d ± ", printed, re.MULTILINE), printed
    assert main(["reliability", str(logs), "--out", str(tmp_path / "o"), "--folds", "4", "--quiet"]) == 0
    assert re.match(r"expression rate \(headline\) +\d", capsys.readouterr().out)
