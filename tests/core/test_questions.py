"""Question files: one clear error naming the file and line; versions resolve everywhere."""

import json
from pathlib import Path

import pytest

from adaem_tasks.questions import (
    Question,
    QuestionFileError,
    QuestionSetManifest,
    content_hash,
    list_question_sets,
    load_question_file,
    load_question_set,
    write_question_set,
)

GOOD = {
    "id": "q1",
    "question": "Should payday loans be banned?",
    "category": "Economics and Business",
    "topic": "loans",
}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reads_valid_file_and_keeps_extra_fields(tmp_path: Path) -> None:
    extra = {**GOOD, "id": "q2", "score": 3.5}
    questions = load_question_file(_write(tmp_path / "q.jsonl", [json.dumps(GOOD), "", json.dumps(extra)]))
    assert [q.id for q in questions] == ["q1", "q2"]
    assert questions[1].model_extra == {"score": 3.5}


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        ([json.dumps(GOOD), "{not json"], 2, "invalid JSON"),
        ([json.dumps(GOOD), "[1, 2]"], 2, "expected a JSON object"),
        ([json.dumps({k: v for k, v in GOOD.items() if k != "category"})], 1, "field 'category'"),
        ([json.dumps({**GOOD, "question": ""})], 1, "field 'question'"),
        ([json.dumps(GOOD), json.dumps(GOOD)], 2, "duplicate id 'q1' (first seen on line 1)"),
    ],
)
def test_malformed_files_name_file_and_line(
    tmp_path: Path, lines: list[str], line: int, message: str
) -> None:
    path = _write(tmp_path / "bad.jsonl", lines)
    with pytest.raises(QuestionFileError) as info:
        load_question_file(path)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert message in str(info.value)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(QuestionFileError, match="holds no questions"):
        load_question_file(_write(tmp_path / "empty.jsonl", [""]))
    with pytest.raises(QuestionFileError, match="no such question file"):
        load_question_file(tmp_path / "nope.jsonl")


def test_published_set_is_found_by_version_and_hash_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADAEM_HOME", str(tmp_path / "home"))
    store = tmp_path / "home" / "question_sets"
    questions = [Question(**GOOD)]
    write_question_set(
        store / "v-test", QuestionSetManifest(version="v-test", parent_version="seed-v1"), questions
    )
    assert "v-test" in list_question_sets()
    qset = load_question_set("v-test")
    assert qset.manifest.count == 1
    assert qset.manifest.content_hash == content_hash(questions)
    # an edit after publishing is refused: a version must always mean the same questions
    _write(store / "v-test" / "questions.jsonl", [json.dumps({**GOOD, "question": "Edited?"})])
    with pytest.raises(QuestionFileError, match="do not match the content hash"):
        load_question_set("v-test")


def test_unknown_version_lists_known_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADAEM_HOME", str(tmp_path))
    with pytest.raises(ValueError, match="question set version 'nope' not found; known versions: "):
        load_question_set("nope")


def test_plain_file_gets_a_content_derived_version(tmp_path: Path) -> None:
    path = _write(tmp_path / "mine.jsonl", [json.dumps(GOOD)])
    first = load_question_set(questions=path).version
    assert first.startswith("file:mine@")
    _write(path, [json.dumps({**GOOD, "question": "Other?"})])
    assert load_question_set(questions=path).version != first


def test_content_hash_ignores_order() -> None:
    a, b = Question(**GOOD), Question(**{**GOOD, "id": "q2"})
    assert content_hash([a, b]) == content_hash([b, a])
