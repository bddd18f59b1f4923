"""``adaem-gen``: bad input ends in one line naming the file (and line) and a non-zero exit,
before anything is spent or written; published versions are never replaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adaem_gen import cli
from adaem_tasks.questions import load_question_set

from .fakes import FakeEmbedder

TSV_HEADER = "Argument ID\tConclusion\tStance\tPremise\n"


@pytest.fixture(autouse=True)
def _offline_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import adaem_gen.sets.dedup

    fake = FakeEmbedder()
    monkeypatch.setattr(adaem_gen.sets.dedup, "default_embedder", lambda: fake)
    monkeypatch.setenv("ADAEM_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home" / "question_sets"


def _tsv(path: Path, conclusions: list[str]) -> Path:
    rows = "".join(f"A{i}\t{c}\tin favor of\tp\n" for i, c in enumerate(conclusions))
    path.write_text(TSV_HEADER + rows, encoding="utf-8")
    return path


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = err.strip().splitlines()
    assert line.startswith("adaem-gen: error: ")
    return line


def test_seeds_publish_never_replaces_a_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    many = _tsv(
        tmp_path / "many.tsv", ["We should ban cloning", "We should abolish zoos", "We should tax meat"]
    )
    few = _tsv(tmp_path / "few.tsv", ["We should subsidize space travel"])
    assert cli.main(["seeds", str(many), "--out", "s1", "--version", "mine", "--publish"]) == 0
    capsys.readouterr()
    assert cli.main(["seeds", str(few), "--out", "s2", "--version", "mine", "--publish"]) == 2
    line = _error(capsys)
    assert "version 'mine' is already published at" in line and "choose another --version" in line
    assert not (tmp_path / "s2").exists()  # refused before converting anything
    assert load_question_set("mine").manifest.count == 3


def test_seeds_cannot_take_a_shipped_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], _offline_store: Path
) -> None:
    tsv = _tsv(tmp_path / "a.tsv", ["We should ban cloning"])
    assert cli.main(["seeds", str(tsv), "--out", "s", "--version", "seed-v1", "--publish"]) == 2
    assert "'seed-v1' ships with adaem-tasks and is reserved" in _error(capsys)
    assert not (_offline_store / "seed-v1").exists()
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
    tsv = _tsv(tmp_path / "a.tsv", ["We should ban cloning"])
    assert cli.main(["seeds", str(tsv), "--out", "s", "--version", "taken", "--publish"]) == 0
    capsys.readouterr()
    assert cli.main([*RUN, "--out", "r", "--version", "taken"]) == 2
    assert "'taken' is already published" in _error(capsys)
    assert not (tmp_path / "r").exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no run to resume"):
        cli.main(["--debug", *RUN, "--out", "typo", "--resume"])
