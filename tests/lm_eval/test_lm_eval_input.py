"""lm-eval side: a bad ``ADAEM_QUESTIONS`` file, ``--metadata`` value or judge setting is one line
(exit 1, no traceback), and injected judge instructions in the examinee's key points change no label."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from adaem_tasks.errors import InputError
from adaem_tasks.questions import QuestionFileError, find_question_set
from adaem_tasks.task_configs import TASK_CONFIG_DIR
from adaem_tasks.task_configs import lm_eval_bridge as bridge
from adaem_tasks.testing.injections import inject_key_points
from adaem_tasks.testing.personas import parse_persona

QUESTION = {"id": "q1", "question": "Should zoos be closed?", "category": "c", "topic": "zoos"}


def _latin1(path: Path) -> Path:
    path.write_bytes(b'{"id": "q1", "question": "Caf\xe9s?", "category": "c", "topic": "t"}\n')
    return path


def test_bad_question_files_name_file_and_line(
    adaem_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    latin1 = _latin1(tmp_path / "latin1.jsonl")
    monkeypatch.setenv("ADAEM_QUESTIONS", str(latin1))
    with pytest.raises(QuestionFileError, match=rf"^{latin1}:1: not UTF-8 text \(byte 0xe9"):
        bridge.load_questions("schwartz")
    blank = tmp_path / "blank.jsonl"
    blank.write_text(json.dumps({**QUESTION, "topic": "  "}) + "\n", encoding="utf-8")
    monkeypatch.setenv("ADAEM_QUESTIONS", str(blank))
    with pytest.raises(QuestionFileError, match=rf"^{blank}:1: field 'topic': must not be blank"):
        bridge.load_questions("schwartz")


def test_an_edited_set_directory_never_runs_under_its_version(
    adaem_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(find_question_set("seed-v1"), copy)
    (copy / "questions.jsonl").write_text(json.dumps(QUESTION) + "\n", encoding="utf-8")
    monkeypatch.setenv("ADAEM_QUESTIONS", str(copy))
    with pytest.raises(QuestionFileError, match="do not match the content hash"):
        bridge.load_questions("schwartz")
    monkeypatch.setenv("ADAEM_QUESTIONS", str(copy / "questions.jsonl"))
    [doc] = list(bridge.load_questions("schwartz")["test"])
    assert doc["set_version"].startswith("file:questions@")


@pytest.mark.slow
def test_cli_prints_one_line_and_exits_1(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADAEM_")}
    env.update(
        ADAEM_JUDGE_MODEL="adaem-judge/keyword",
        ADAEM_QUESTIONS=str(_latin1(tmp_path / "latin1.jsonl")),
        ADAEM_HOME=str(tmp_path / "home"),
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
    )
    command = [sys.executable, "-m", "lm_eval", "run", "--model", "dummy", "--include_path",
               str(TASK_CONFIG_DIR), "--tasks", "adaem_schwartz", "--limit", "2"]  # fmt: skip
    proc = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    [line] = [x for x in proc.stderr.splitlines() if "error:" in x]
    where = f"{tmp_path / 'latin1.jsonl'}:1"
    assert (
        line
        == f"lm-eval (AdAEM): error: {where}: not UTF-8 text (byte 0xe9 at column 30); save the file as UTF-8"
    )


NOT_TAKEN = (
    "the lm-eval tasks do not take {} of the Inspect task; they ask for 3 key points in 250 words, "
    "and the judge is set by ADAEM_JUDGE_MODE, ADAEM_JUDGE_THRESHOLD and ADAEM_JUDGE_LOGPROBS"
)
NOT_STRING = "--metadata {} must be a non-blank string, got "


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"question_set_version": 1.1}, NOT_STRING.format("question_set_version") + "1.1"),
        ({"question_set_version": "\u200b"}, NOT_STRING.format("question_set_version") + "'\\u200b'"),
        ({"questions": ["a.jsonl"]}, NOT_STRING.format("questions") + "['a.jsonl']"),
        (
            {"check_judge_config": "maybe"},
            "check_judge_config must be true or false (or 1 or 0), got 'maybe'",
        ),
        ({"points": 5}, "--metadata points: " + NOT_TAKEN.format("this option")),
        (
            {"judge_mode": "batched", "judge_threshold": 0.7},
            "--metadata judge_mode, judge_threshold: " + NOT_TAKEN.format("these options"),
        ),
    ],
)
def test_bad_metadata_is_one_line(
    adaem_env: dict[str, str], metadata: dict[str, object], message: str
) -> None:
    """lm-eval hands ``--metadata`` (and ``--model_args``) keys to the loader: ours are checked there."""
    with pytest.raises(InputError) as info:
        bridge.load_questions("schwartz", version=1.0, base_url="http://x", **metadata)  # type: ignore[arg-type]
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ADAEM_JUDGE_THRESHOLD", "nan", "a number >= 0 and <= 1 (finite), got 'nan'"),
        ("ADAEM_JUDGE_THRESHOLD", "2", "a number >= 0 and <= 1, got '2'"),
        ("ADAEM_JUDGE_MAX_CONNECTIONS", "2.5", "an integer >= 1, got '2.5'"),
        ("ADAEM_JUDGE_MAX_CONNECTIONS", "-3", "an integer >= 1, got '-3'"),
        ("ADAEM_JUDGE_LOGPROBS", "maybe", "true or false (or 1 or 0), got 'maybe'"),
    ],
)
def test_bad_judge_numbers_are_one_line(name: str, value: str, expected: str) -> None:
    with pytest.raises(bridge.JudgeNotConfiguredError) as info:
        bridge.judge_settings({"ADAEM_JUDGE_MODEL": "adaem-judge/keyword", name: value})
    assert str(info.value) == f"{name} must be {expected}"


@pytest.mark.slow
def test_cli_bad_metadata_prints_one_line_and_exits_1(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADAEM_")}
    env.update(
        ADAEM_JUDGE_MODEL="adaem-judge/keyword",
        ADAEM_HOME=str(tmp_path / "home"),
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        COLUMNS="80",
    )
    command = [sys.executable, "-m", "lm_eval", "run", "--model", "dummy", "--include_path",
               str(TASK_CONFIG_DIR), "--tasks", "adaem_schwartz", "--limit", "2",
               "--metadata", '{"points": 5}']  # fmt: skip
    proc = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    [line] = [x for x in proc.stderr.splitlines() if "error:" in x]
    assert line.startswith(
        "lm-eval (AdAEM): error: --metadata points: the lm-eval tasks do not take this option"
    )


@pytest.mark.parametrize("mode", ["single", "batched"])
def test_injected_key_points_change_no_label_in_the_filter(
    adaem_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv("ADAEM_JUDGE_MODEL", "adaem-judge/obedient")
    monkeypatch.setenv("ADAEM_JUDGE_MODE", mode)
    persona = parse_persona("tradition+universalism")
    questions = [f"Should we rethink {t}?" for t in ("zoos", "meat taxes", "voting age", "space travel")]
    docs = [
        {**QUESTION, "id": f"q{i}", "question": q, "set_version": "v", "value_system": "schwartz"}
        for i, q in enumerate(questions)
    ]
    clean = [[persona.answer(q)] for q in questions]
    injected = [[inject_key_points(r[0])] for r in clean]
    assert all(r[0] != c[0] for r, c in zip(injected, clean, strict=True))
    clean_vectors = [json.loads(v)["vector"] for v in bridge.judge_filter(clean, docs)]
    injected_vectors = [json.loads(v)["vector"] for v in bridge.judge_filter(injected, docs)]
    assert injected_vectors == clean_vectors
    assert sum(v["tradition"] == 1 for v in clean_vectors) >= 2
