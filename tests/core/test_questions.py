"""Question files: one clear error naming the file and line; versions resolve everywhere."""

import json
import os
import shutil
from pathlib import Path

import pytest

from adaem_tasks.questions import (
    Question,
    QuestionFileError,
    QuestionSetManifest,
    VersionError,
    check_version_name,
    content_hash,
    ensure_version_available,
    find_question_set,
    list_question_sets,
    load_question_file,
    load_question_set,
    publish_question_set,
    shipped_versions,
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


# -- input a user can act on ---------------------------------------------------------------------
def test_non_utf8_file_is_named_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    bad_line = '{"id": "q2", "question": "Caf\u00e9s?"}'.encode("latin-1")
    path.write_bytes(json.dumps(GOOD).encode() + b"\n" + bad_line + b"\n")
    with pytest.raises(QuestionFileError) as info:
        load_question_file(path)
    column = bad_line.index(b"\xe9") + 1
    assert (
        str(info.value) == f"{path}:2: not UTF-8 text (byte 0xe9 at column {column}); save the file as UTF-8"
    )


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n")
    assert [q.id for q in load_question_file(path)] == ["q1"]


@pytest.mark.parametrize("field", ["question", "category", "topic", "id"])
def test_whitespace_only_fields_are_rejected(tmp_path: Path, field: str) -> None:
    path = _write(
        tmp_path / "blank.jsonl", [json.dumps(GOOD), json.dumps({**GOOD, "id": "q2", field: " \t "})]
    )
    with pytest.raises(QuestionFileError) as info:
        load_question_file(path)
    assert str(info.value).startswith(f"{path}:2: field '{field}': must not be blank")


def test_padded_id_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "pad.jsonl", [json.dumps({**GOOD, "id": " q1"})])
    with pytest.raises(QuestionFileError, match=r":1: field 'id': must not be blank or start/end"):
        load_question_file(path)


# zero-width space, non-joiner, joiner, word joiner, byte-order mark, soft hyphen, Mongolian vowel
# separator, Hangul filler, variation selector, a tag character, Braille blank; a control character
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u3164\ufe0f\U000e0020\u2800\x07"


@pytest.mark.parametrize("field", ["question", "category", "topic", "id"])
@pytest.mark.parametrize("text", ["\u200b", "\ufeff\u200b \u2060", INVISIBLE, f" {INVISIBLE}\t"])
def test_invisible_only_fields_are_rejected_like_whitespace(tmp_path: Path, field: str, text: str) -> None:
    path = _write(tmp_path / "blank.jsonl", [json.dumps(GOOD), json.dumps({**GOOD, "id": "q2", field: text})])
    with pytest.raises(QuestionFileError) as info:
        load_question_file(path)
    assert str(info.value).startswith(f"{path}:2: field '{field}': must not be blank")


@pytest.mark.parametrize("padded", ["\u200bq1", "q1\ufeff", "q1\u2060"])
def test_an_id_padded_with_invisible_characters_is_rejected(tmp_path: Path, padded: str) -> None:
    """``q1`` and ``q1`` + zero-width space would be two questions that print the same."""
    path = _write(tmp_path / "pad.jsonl", [json.dumps({**GOOD, "id": padded})])
    with pytest.raises(QuestionFileError, match=r":1: field 'id': must not be blank or start/end"):
        load_question_file(path)


def test_visible_text_with_invisible_characters_inside_is_kept(tmp_path: Path) -> None:
    """Joiners inside words (emoji sequences, Persian text) are real text, not blank."""
    text = "Should family\u200dtrees (\U0001f468\u200d\U0001f469\u200d\U0001f467) be public?"
    path = _write(tmp_path / "q.jsonl", [json.dumps({**GOOD, "question": text, "topic": "\u200btrees"})])
    [question] = load_question_file(path)
    assert question.question == text and question.topic == "\u200btrees"


# -- immutable, unambiguous versions -------------------------------------------------------------
def _set_dir(path: Path, version: str, questions: list[str]) -> Path:
    items = [Question(**{**GOOD, "id": f"q{i}", "question": text}) for i, text in enumerate(questions)]
    return write_question_set(path, QuestionSetManifest(version=version, kind="seed"), items)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ADAEM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ADAEM_QUESTION_SETS", raising=False)
    return tmp_path / "home" / "question_sets"


def test_publishing_is_immutable_and_idempotent_for_the_same_content(tmp_path: Path, home: Path) -> None:
    first = publish_question_set(_set_dir(tmp_path / "a", "mine", ["Is A?", "Is B?"]))
    assert first == home / "mine" and load_question_set("mine").manifest.count == 2
    # the same questions again (a resumed run publishing once more): the existing copy, untouched
    assert publish_question_set(_set_dir(tmp_path / "a2", "mine", ["Is A?", "Is B?"])) == first
    # other questions under the same name: refused, naming where it lives; nothing replaced
    with pytest.raises(VersionError, match=f"'mine' is already published at {first} with different"):
        publish_question_set(_set_dir(tmp_path / "b", "mine", ["Is C?"]))
    assert [q.question for q in load_question_set("mine").questions] == ["Is A?", "Is B?"]
    assert not [p for p in home.iterdir() if p.name.startswith(".staging")]
    with pytest.raises(VersionError, match="already published at"):
        ensure_version_available("mine")


def test_shipped_names_are_reserved_and_names_must_be_plain(tmp_path: Path, home: Path) -> None:
    assert "seed-v1" in shipped_versions()
    with pytest.raises(VersionError, match="'seed-v1' ships with adaem-tasks and is reserved"):
        publish_question_set(_set_dir(tmp_path / "s", "seed-v1", ["Is A?"]))
    assert not (home / "seed-v1").exists()
    for bad in ("../escape", "file:x@1", ".hidden", "", "a/b"):
        with pytest.raises(VersionError, match="invalid version name"):
            check_version_name(bad)


def test_a_leftover_non_set_directory_is_not_overwritten(tmp_path: Path, home: Path) -> None:
    (home / "mine").mkdir(parents=True)
    (home / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(VersionError, match="exists but is not a question set"):
        publish_question_set(_set_dir(tmp_path / "a", "mine", ["Is A?"]))
    assert (home / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_same_version_with_different_content_on_the_search_path_is_an_error(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    _set_dir(one / "shared", "shared", ["Is A?"])
    _set_dir(two / "shared-copy", "shared", ["Is A?"])
    monkeypatch.setenv("ADAEM_QUESTION_SETS", os.pathsep.join([str(one), str(two)]))
    assert load_question_set("shared").path == one / "shared"  # identical copies are no ambiguity
    _set_dir(two / "shared-copy", "shared", ["Is something else?"])
    with pytest.raises(VersionError) as info:
        load_question_set("shared")
    message = str(info.value)
    assert "'shared' is ambiguous" in message and str(one / "shared") in message
    assert str(two / "shared-copy") in message


def test_a_store_copy_of_a_shipped_version_with_other_questions_never_shadows_it(
    tmp_path: Path, home: Path
) -> None:
    """What older releases let ``adaem-gen seeds --version seed-v1 --publish`` do."""
    _set_dir(home / "seed-v1", "seed-v1", ["Is this the real seed set?"])
    with pytest.raises(VersionError, match="'seed-v1' is ambiguous"):
        load_question_set()


# -- sets passed by path -------------------------------------------------------------------------
def _shipped_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(find_question_set("seed-v1"), copy)
    return copy


def test_an_unedited_copy_of_a_set_runs_under_its_version(tmp_path: Path, home: Path) -> None:
    qset = load_question_set(questions=_shipped_copy(tmp_path))
    assert (
        qset.version == "seed-v1" and qset.manifest.content_hash == load_question_set().manifest.content_hash
    )


def test_an_edited_copy_is_refused_and_its_file_runs_under_a_derived_name(tmp_path: Path, home: Path) -> None:
    copy = _shipped_copy(tmp_path)
    lines = (copy / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    lines[0] = json.dumps({**first, "question": "Should everyone always tell the truth?"})
    (copy / "questions.jsonl").write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    with pytest.raises(QuestionFileError) as info:
        load_question_set(questions=copy)
    message = str(info.value)
    assert "do not match the content hash" in message and "'seed-v1'" in message
    assert f"pass the JSONL file itself ({copy / 'questions.jsonl'})" in message
    qset = load_question_set(questions=copy / "questions.jsonl")
    assert qset.version.startswith("file:questions@") and qset.manifest.kind == "file"
    assert qset.version == "file:questions@" + content_hash(qset.questions).removeprefix("sha256:")[:12]


def test_a_copy_that_rewrote_its_manifest_cannot_reuse_a_known_name(tmp_path: Path, home: Path) -> None:
    copy = _set_dir(tmp_path / "fake-seed", "seed-v1", ["Is this seed-v1?"])  # a self-consistent manifest
    with pytest.raises(VersionError, match="calls itself version 'seed-v1', but the set of that version"):
        load_question_set(questions=copy)


def test_a_directory_without_manifest_gets_a_derived_name(tmp_path: Path) -> None:
    directory = tmp_path / "seed-v1"
    directory.mkdir()
    _write(directory / "questions.jsonl", [json.dumps(GOOD)])
    qset = load_question_set(questions=directory)
    assert qset.version.startswith("file:seed-v1@") and qset.manifest.kind == "file"
