"""``adaem-gen``: bad input ends in one line naming the file (and line) and a non-zero exit,
before anything is spent or written; published versions are never replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adaem_gen import cli
from adaem_tasks.questions import load_question_set

from .conftest import TSV_HEADER, write_tsv

pytestmark = pytest.mark.usefixtures("offline_cli")


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = err.strip().splitlines()
    assert line.startswith("adaem-gen: error: ")
    return line


def test_seeds_publish_never_replaces_a_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    many = write_tsv(
        tmp_path / "many.tsv", ["We should ban cloning", "We should abolish zoos", "We should tax meat"]
    )
    few = write_tsv(tmp_path / "few.tsv", ["We should subsidize space travel"])
    assert cli.main(["seeds", str(many), "--out", "s1", "--version", "mine", "--publish"]) == 0
    capsys.readouterr()
    assert cli.main(["seeds", str(few), "--out", "s2", "--version", "mine", "--publish"]) == 2
    line = _error(capsys)
    assert "version 'mine' is already published at" in line and "choose another --version" in line
    assert not (tmp_path / "s2").exists()  # refused before converting anything
    assert load_question_set("mine").manifest.count == 3


def test_seeds_cannot_take_a_shipped_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], offline_cli: Path
) -> None:
    tsv = write_tsv(tmp_path / "a.tsv", ["We should ban cloning"])
    assert cli.main(["seeds", str(tsv), "--out", "s", "--version", "seed-v1", "--publish"]) == 2
    assert "'seed-v1' ships with adaem-tasks and is reserved" in _error(capsys)
    assert not (offline_cli / "seed-v1").exists()
    assert load_question_set().manifest.kind == "seed" and len(load_question_set().questions) > 100


def test_seeds_name_a_file_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tsv = tmp_path / "latin1.tsv"
    tsv.write_bytes(TSV_HEADER.encode() + "A1\tWe should ban caf\u00e9s\tin favor of\tp\n".encode("latin-1"))
    assert cli.main(["seeds", str(tsv), "--out", "s", "--version", "x"]) == 2
    assert f"{tsv}:2: not UTF-8 text (byte 0xe9" in _error(capsys)


RUN = ["run", "--p1", "adaem-persona/power", "--judge", "adaem-judge/keyword", "--budget", "1", "--quiet"]


def test_resume_of_a_missing_run_is_an_error_not_a_new_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*RUN, "--out", "runs/typo", "--resume"]) == 2
    assert "--resume: there is no run to resume in runs/typo" in _error(capsys)
    assert not (tmp_path / "runs").exists()


def test_an_out_that_cannot_be_a_directory_is_one_line_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """adaem-gen's --out is checked as adaem-rank's is (it used to end in a mkdir traceback)."""
    (tmp_path / "afile").write_text("not a directory", encoding="utf-8")
    assert cli.main([*RUN, "--out", "afile"]) == 2
    assert _error(capsys) == "adaem-gen: error: --out: 'afile' exists and is not a directory"
    config = tmp_path / "run.yaml"
    config.write_text("out: afile/run\n", encoding="utf-8")  # the same check for a YAML setting
    assert cli.main([*RUN, "--config", str(config)]) == 2
    assert "--out: cannot create 'afile/run'" in _error(capsys)
    tsv = write_tsv(tmp_path / "args.tsv", ["We should ban cars"])
    message = _argparse_error(capsys, ["seeds", str(tsv), "--out", "afile", "--version", "s-out"])
    assert message == "adaem-gen seeds: error: argument --out: 'afile' exists and is not a directory"
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "not a directory"


def test_bad_seed_file_is_named_before_a_run_directory_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_bytes(b'{"id": "s1", "question": "Caf\xe9s?", "category": "c", "topic": "t"}\n')
    assert cli.main([*RUN, "--out", "r", "--seeds", str(seeds)]) == 2
    assert f"{seeds}:1: not UTF-8 text" in _error(capsys)
    seeds.write_text(json.dumps({"id": "s1", "question": "  ", "category": "c", "topic": "t"}) + "\n")
    assert cli.main([*RUN, "--out", "r", "--seeds", str(seeds)]) == 2
    assert f"{seeds}:1: field 'question': must not be blank" in _error(capsys)
    assert not (tmp_path / "r").exists()


def test_missing_api_key_is_one_plain_line_and_leaves_no_run_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("OPENAI_API_KEY", "AZUREAI_OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    argv = ["run", "--p1", "openai/gpt-4o-mini", "--judge", "openai/gpt-4o", "--out", "r", "--quiet"]
    assert cli.main(argv) == 2
    line = _error(capsys)
    assert "cannot use model 'openai/gpt-4o-mini'" in line and "OPENAI_API_KEY" in line
    assert "[bold]" not in line and "[/" not in line
    assert not (tmp_path / "r").exists()


def test_a_run_cannot_publish_under_a_shipped_or_taken_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*RUN, "--out", "r", "--version", "seed-v1"]) == 2
    assert "reserved" in _error(capsys)
    tsv = write_tsv(tmp_path / "a.tsv", ["We should ban cloning"])
    assert cli.main(["seeds", str(tsv), "--out", "s", "--version", "taken", "--publish"]) == 0
    capsys.readouterr()
    assert cli.main([*RUN, "--out", "r", "--version", "taken"]) == 2
    assert "'taken' is already published" in _error(capsys)
    assert not (tmp_path / "r").exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no run to resume"):
        cli.main(["--debug", *RUN, "--out", "typo", "--resume"])


# -- issue 21: numeric options, pydantic errors, printed = computed, the real problem first ------------------

PLAN = ["plan", "--p1", "adaem-persona/power", "--judge", "adaem-judge/keyword", "--budget", "2"]


def _argparse_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """argparse's refusal: exit 2, its usage lines and one error line, no traceback."""
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [ln for ln in err.splitlines() if "error:" in ln]
    return " ".join(line.split())


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--accept-rate", "2", "argument --accept-rate: must be a number >= 0 and <= 1, got '2'"),
        (
            "--accept-rate",
            "nan",
            "argument --accept-rate: must be a number >= 0 and <= 1 (finite), got 'nan'",
        ),
        ("--refine-rounds", "-1", "argument --refine-rounds: must be a number >= 0, got '-1'"),
        ("--budget", "0", "argument --budget: must be an integer >= 1, got '0'"),
        ("--budget", "2.5", "argument --budget: must be an integer >= 1, got '2.5'"),
        ("--epsilon", "inf", "argument --epsilon: must be a number >= -1 and <= 1 (finite), got 'inf'"),
        ("--tau", "nan", "argument --tau: must be a number (finite), got 'nan'"),
        ("--top-p", "0", "argument --top-p: must be a number > 0 and <= 1, got '0'"),
        ("--temperature", "-0.5", "argument --temperature: must be a number >= 0, got '-0.5'"),
        ("--max-refine", "-1", "argument --max-refine: must be an integer >= 0, got '-1'"),
        ("--parallel", "x", "argument --parallel: must be an integer >= 1, got 'x'"),
    ],
)
def test_numeric_options_are_checked_where_they_are_typed(
    capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    assert message in _argparse_error(capsys, [*PLAN, option, value])


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("epsilon: 2\n", "invalid settings: epsilon: Input should be less than or equal to 1 (got 2)"),
        ("tau: .nan\n", "invalid settings: tau: Input should be a finite number (got nan)"),
        (
            "n2: 0\ntop_k: 0\n",
            "n2: Input should be greater than or equal to 1 (got 0); top_k: Input should",
        ),
    ],
)
def test_a_bad_config_file_is_one_line_per_field_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], yaml_text: str, message: str
) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(yaml_text, encoding="utf-8")
    assert cli.main([*PLAN, "--config", str(config)]) == 2
    assert message in " ".join(_error(capsys).split())


def test_refine_rounds_above_the_cap_are_refused_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([*PLAN, "--refine-rounds", "5"]) == 2
    line = " ".join(_error(capsys).split())
    assert "--refine-rounds 5 is more than --max-refine 3" in line and "raise --max-refine" in line


def test_the_printed_refinement_rounds_are_the_computed_ones(capsys: pytest.CaptureFixture[str]) -> None:
    """With the cap raised, 5 rounds are both printed and computed: 5 rounds each is the upper case."""
    assert cli.main([*PLAN, "--refine-rounds", "5", "--max-refine", "5", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["assumptions"]["refine_rounds"] == 5
    assert plan["estimate"] == plan["upper"]
    assert cli.main([*PLAN, "--refine-rounds", "5", "--max-refine", "5"]) == 0
    assert "5 refinement rounds" in " ".join(capsys.readouterr().out.split())
    assert cli.main([*PLAN, "--refine-rounds", "2", "--max-refine", "5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["estimate"]["calls"] < plan["upper"]["calls"]


def test_resume_names_the_missing_run_before_any_setting_it_would_supply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["run", "--out", "runs/nothere", "--resume", "--quiet"]) == 2
    line = _error(capsys)
    assert "--resume: there is no run to resume in runs/nothere" in line
    assert "missing required" not in line
    assert cli.main(["run", "--resume", "--quiet"]) == 2
    assert "--resume needs --out" in _error(capsys)
    assert not (tmp_path / "runs").exists()
