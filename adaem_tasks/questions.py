"""Versioned question sets: loading, validation, lookup by version.

A question set is a directory holding ``questions.jsonl`` (one question per line)
and ``manifest.json`` (version, lineage, models, hyperparameters, content hash...).
Sets are looked up by version in, in order:

1. every directory listed in ``$ADAEM_QUESTION_SETS`` (``os.pathsep``-separated),
2. the user's set store (``$ADAEM_HOME/question_sets``, default
   ``~/.local/share/adaem/question_sets``) where ``adaem-gen`` publishes new sets,
3. the sets shipped inside this package (``adaem_tasks/data/question_sets``).

Both harnesses (Inspect and lm-eval) and the generator load sets through this
module, so a version string means the same questions everywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "DEFAULT_VERSION",
    "Question",
    "QuestionFileError",
    "QuestionSet",
    "QuestionSetManifest",
    "content_hash",
    "find_question_set",
    "list_question_sets",
    "load_question_file",
    "load_question_set",
    "set_search_path",
    "user_set_store",
    "write_question_set",
]

DEFAULT_VERSION = "seed-v1"
QUESTIONS_FILE = "questions.jsonl"
MANIFEST_FILE = "manifest.json"


class QuestionFileError(ValueError):
    """A question file that cannot be used; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line


class Question(BaseModel):
    """One yes/no question. Extra fields (scores, lineage) are kept, not rejected."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    category: str = Field(min_length=1, description="Topic category (paper Fig. 10 / App. E.1).")
    topic: str = Field(min_length=1, description="The general topic (bandit arm) the question belongs to.")


class QuestionSetManifest(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: str
    kind: str = Field(
        "adaem", description="'seed' for hand-written starting sets, 'adaem' for generated ones."
    )
    description: str = ""
    parent_version: str | None = None
    created: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    count: int = 0
    content_hash: str = ""
    models: dict[str, Any] = Field(default_factory=dict)
    judge: str | None = None
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    seed: int | None = None
    stats: dict[str, Any] = Field(default_factory=dict)


class QuestionSet(BaseModel):
    manifest: QuestionSetManifest
    questions: list[Question]
    path: Path | None = None

    @property
    def version(self) -> str:
        return self.manifest.version


def content_hash(questions: Iterable[Question]) -> str:
    """Order-independent hash of (id, question) pairs: what makes two sets "the same"."""
    digest = hashlib.sha256()
    for qid, text in sorted((q.id, q.question.strip()) for q in questions):
        digest.update(f"{qid}\t{text}\n".encode())
    return "sha256:" + digest.hexdigest()


def load_question_file(path: str | Path) -> list[Question]:
    """Read and validate a JSONL question file.

    Raises :class:`QuestionFileError` naming the file and the first bad line for bad
    JSON, a non-object line, missing/empty fields, or a duplicate id.
    """
    path = Path(path)
    if not path.is_file():
        raise QuestionFileError(path, None, "no such question file")
    questions: list[Question] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise QuestionFileError(
                    path, lineno, f"invalid JSON ({exc.msg} at column {exc.colno})"
                ) from None
            if not isinstance(data, dict):
                raise QuestionFileError(path, lineno, f"expected a JSON object, got {type(data).__name__}")
            try:
                question = Question.model_validate(data)
            except ValidationError as exc:
                problems = "; ".join(
                    f"field '{'.'.join(str(p) for p in err['loc'])}': {err['msg'].lower()}"
                    for err in exc.errors()
                )
                raise QuestionFileError(path, lineno, problems) from None
            if question.id in seen:
                raise QuestionFileError(
                    path, lineno, f"duplicate id {question.id!r} (first seen on line {seen[question.id]})"
                )
            seen[question.id] = lineno
            questions.append(question)
    if not questions:
        raise QuestionFileError(path, None, "the file holds no questions")
    return questions


def _shipped_store() -> Path:
    return Path(str(resources.files("adaem_tasks").joinpath("data", "question_sets")))


def user_set_store() -> Path:
    """Where ``adaem-gen`` publishes sets so tasks can load them by version."""
    home = os.environ.get("ADAEM_HOME")
    base = Path(home) if home else Path.home() / ".local" / "share" / "adaem"
    return base / "question_sets"


def set_search_path() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("ADAEM_QUESTION_SETS", "").split(os.pathsep) if p]
    return [*extra, user_set_store(), _shipped_store()]


def _read_manifest(directory: Path) -> QuestionSetManifest:
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.is_file():
        return QuestionSetManifest(version=directory.name, kind="unversioned")
    try:
        return QuestionSetManifest.model_validate_json(manifest_path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise QuestionFileError(manifest_path, None, f"invalid manifest: {exc.errors()[0]['msg']}") from None


def list_question_sets() -> dict[str, Path]:
    """Every findable version and its directory (earlier search-path entries win)."""
    found: dict[str, Path] = {}
    for store in set_search_path():
        if not store.is_dir():
            continue
        for directory in sorted(store.iterdir()):
            if (directory / QUESTIONS_FILE).is_file() and (directory / MANIFEST_FILE).is_file():
                version = _read_manifest(directory).version
                found.setdefault(version, directory)
    return found


def find_question_set(version: str) -> Path:
    sets = list_question_sets()
    if version not in sets:
        known = ", ".join(sorted(sets)) or "none"
        raise ValueError(
            f"question set version {version!r} not found; known versions: {known}. "
            "Pass questions=PATH for a JSONL file, or add its parent directory to $ADAEM_QUESTION_SETS."
        )
    return sets[version]


def load_question_set(version: str | None = None, questions: str | Path | None = None) -> QuestionSet:
    """Load a set by version, or any JSONL file / set directory by path.

    A bare JSONL file gets the version ``file:<stem>@<hash prefix>`` so logs made from
    it can still be aligned (and not mixed) by ``adaem-rank``.
    """
    if questions is not None:
        path = Path(questions)
        if path.is_dir():
            items = load_question_file(path / QUESTIONS_FILE)
            manifest = _read_manifest(path)
        else:
            items = load_question_file(path)
            digest = content_hash(items)
            manifest = QuestionSetManifest(
                version=f"file:{path.stem}@{digest.removeprefix('sha256:')[:12]}",
                kind="file",
                count=len(items),
                content_hash=digest,
            )
        return QuestionSet(manifest=manifest, questions=items, path=path)
    directory = find_question_set(version or DEFAULT_VERSION)
    items = load_question_file(directory / QUESTIONS_FILE)
    manifest = _read_manifest(directory)
    if manifest.content_hash and manifest.content_hash != content_hash(items):
        raise QuestionFileError(
            directory / QUESTIONS_FILE,
            None,
            f"content does not match the manifest's hash for version {manifest.version!r}; "
            "the file was edited after the set was published -- publish it as a new version",
        )
    return QuestionSet(manifest=manifest, questions=items, path=directory)


def write_question_set(
    directory: str | Path, manifest: QuestionSetManifest, questions: Sequence[Question]
) -> Path:
    """Write ``questions.jsonl`` + ``manifest.json`` atomically; fills count and hash."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    manifest = manifest.model_copy(update={"count": len(questions), "content_hash": content_hash(questions)})
    for name, text in (
        (QUESTIONS_FILE, "".join(q.model_dump_json(exclude_none=True) + "\n" for q in questions)),
        (MANIFEST_FILE, manifest.model_dump_json(indent=2) + "\n"),
    ):
        tmp = directory / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(directory / name)
    return directory
