"""Versioned question sets: loading, validation, lookup by version, publishing.

A question set is a directory holding ``questions.jsonl`` (one question per line)
and ``manifest.json`` (version, lineage, models, hyperparameters, content hash...).
Sets are looked up by version in:

1. every directory listed in ``$ADAEM_QUESTION_SETS`` (``os.pathsep``-separated),
2. the user's set store (``$ADAEM_HOME/question_sets``, default
   ``~/.local/share/adaem/question_sets``) where ``adaem-gen`` publishes new sets,
3. the sets shipped inside this package (``adaem_tasks/data/question_sets``).

A version name means one list of questions everywhere, so that logs of one version
can be compared. Hence:

* published versions are immutable: :func:`publish_question_set` (the one function
  every command publishes through) refuses a name that exists with other questions,
  and the names shipped with the package are reserved;
* a name found in two places of the search path with different questions is an
  error naming both, never a silent "first one wins";
* a set loaded by version, or a set directory passed by path, must match the hash in
  its manifest: an edited copy never runs under the old name (pass its JSONL file
  instead, which runs under the derived name ``file:<stem>@<hash>``).

Both harnesses (Inspect and lm-eval) and the generator load sets through this
module, so a version string means the same questions everywhere.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from adaem_tasks.blank_text import is_blank, strip_blank
from adaem_tasks.errors import InputError

__all__ = [
    "DEFAULT_VERSION",
    "Question",
    "QuestionFileError",
    "QuestionSet",
    "QuestionSetManifest",
    "VersionError",
    "check_version_name",
    "content_hash",
    "ensure_version_available",
    "find_question_set",
    "list_question_sets",
    "load_question_file",
    "load_question_set",
    "publish_question_set",
    "question_set_locations",
    "set_search_path",
    "shipped_versions",
    "user_set_store",
    "write_question_set",
]

DEFAULT_VERSION = "seed-v1"
QUESTIONS_FILE = "questions.jsonl"
MANIFEST_FILE = "manifest.json"

_VERSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,99}")
"""A version is a directory name in the store: no separators, no leading dot, no ``file:``."""


class QuestionFileError(InputError):
    """A question file that cannot be used; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line


class VersionError(InputError):
    """A version name that cannot be used: unknown, ambiguous, reserved or already published."""


def _not_blank(value: str) -> str:
    # zero-width and other invisible characters are as blank as spaces (adaem_tasks.blank_text)
    if is_blank(value):
        raise ValueError("must not be blank (whitespace or invisible characters only)")
    return value


class Question(BaseModel):
    """One yes/no question. Extra fields (scores, lineage) are kept, not rejected."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    category: str = Field(min_length=1, description="Topic category (paper Fig. 10 / App. E.1).")
    topic: str = Field(min_length=1, description="The general topic (bandit arm) the question belongs to.")

    _blank = field_validator("question", "category", "topic")(_not_blank)

    @field_validator("id")
    @classmethod
    def _clean_id(cls, value: str) -> str:
        # ids align answers across logs: " q1", "q1\u200b" and "q1" must not be three questions
        if value != strip_blank(value):
            raise ValueError("must not be blank or start/end with whitespace or invisible characters")
        return value


class QuestionSetManifest(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: str
    kind: str = Field(
        "adaem",
        description="'seed' for hand-written starting sets, 'adaem' for generated ones, "
        "'file' for a JSONL file (or a directory without manifest) loaded by path.",
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


# -- reading a file ----------------------------------------------------------------------------
def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of a UTF-8 file; a byte that is not UTF-8 is named by line and column."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise QuestionFileError(path, None, f"cannot read the file ({exc.strerror or exc})") from None
    data = data.removeprefix(codecs.BOM_UTF8)
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        try:
            yield lineno, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise QuestionFileError(
                path,
                lineno,
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
                "save the file as UTF-8",
            ) from None


def _field_problems(exc: ValidationError) -> str:
    return "; ".join(
        f"field '{'.'.join(str(p) for p in err['loc'])}': {err['msg'].removeprefix('Value error, ').lower()}"
        for err in exc.errors()
    )


def load_question_file(path: str | Path) -> list[Question]:
    """Read and validate a JSONL question file.

    Raises :class:`QuestionFileError` naming the file and the first bad line for text
    that is not UTF-8, bad JSON, a non-object line, missing, empty or blank fields, or a
    duplicate id.
    """
    path = Path(path)
    if not path.is_file():
        raise QuestionFileError(path, None, "no such question file")
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for lineno, line in _lines(path):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionFileError(path, lineno, f"invalid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(data, dict):
            raise QuestionFileError(path, lineno, f"expected a JSON object, got {type(data).__name__}")
        try:
            question = Question.model_validate(data)
        except ValidationError as exc:
            raise QuestionFileError(path, lineno, _field_problems(exc)) from None
        if question.id in seen:
            raise QuestionFileError(
                path, lineno, f"duplicate id {question.id!r} (first seen on line {seen[question.id]})"
            )
        seen[question.id] = lineno
        questions.append(question)
    if not questions:
        raise QuestionFileError(path, None, "the file holds no questions")
    return questions


# -- where sets live -----------------------------------------------------------------------------
def _shipped_store() -> Path:
    return Path(str(resources.files("adaem_tasks").joinpath("data", "question_sets")))


def user_set_store() -> Path:
    """Where ``adaem-gen`` publishes sets so tasks can load them by version."""
    home = os.environ.get("ADAEM_HOME")
    base = Path(home) if home else Path.home() / ".local" / "share" / "adaem"
    return base / "question_sets"


def set_search_path() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("ADAEM_QUESTION_SETS", "").split(os.pathsep) if p]
    unique: dict[Path, Path] = {}
    for store in [*extra, user_set_store(), _shipped_store()]:
        unique.setdefault(store.resolve(), store)
    return list(unique.values())


def _read_manifest(directory: Path) -> QuestionSetManifest | None:
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.is_file():
        return None
    try:
        return QuestionSetManifest.model_validate_json(manifest_path.read_bytes())
    except ValidationError as exc:
        raise QuestionFileError(manifest_path, None, f"invalid manifest: {exc.errors()[0]['msg']}") from None


def _is_set_dir(directory: Path) -> bool:
    return (directory / QUESTIONS_FILE).is_file() and (directory / MANIFEST_FILE).is_file()


def _set_dirs(store: Path) -> Iterator[Path]:
    if store.is_dir():
        yield from (d for d in sorted(store.iterdir()) if not d.name.startswith(".") and _is_set_dir(d))


def question_set_locations() -> dict[str, list[Path]]:
    """Every findable version and all the directories that hold it, in search-path order."""
    found: dict[str, list[Path]] = {}
    for store in set_search_path():
        for directory in _set_dirs(store):
            manifest = _read_manifest(directory)
            assert manifest is not None
            found.setdefault(manifest.version, []).append(directory)
    return found


def list_question_sets() -> dict[str, Path]:
    """Every findable version and the first directory holding it (see :func:`find_question_set`)."""
    return {version: places[0] for version, places in question_set_locations().items()}


def shipped_versions() -> set[str]:
    """The versions shipped with the package: reserved, no store may publish under these names."""
    names = set()
    for directory in _set_dirs(_shipped_store()):
        manifest = _read_manifest(directory)
        assert manifest is not None
        names.add(manifest.version)
    return names


def _stored_hash(directory: Path) -> str:
    """The content hash a set directory claims (its manifest's), or the hash of its questions."""
    manifest = _read_manifest(directory)
    if manifest is not None and manifest.content_hash:
        return manifest.content_hash
    return content_hash(load_question_file(directory / QUESTIONS_FILE))


def _first_conflict(places: Sequence[Path], digest: str) -> Path | None:
    return next((place for place in places if _stored_hash(place) != digest), None)


def find_question_set(version: str) -> Path:
    """The directory of ``version``; an error if it is unknown, or ambiguous on the search path."""
    places = question_set_locations().get(version, [])
    if not places:
        known = ", ".join(sorted(list_question_sets())) or "none"
        raise VersionError(
            f"question set version {version!r} not found; known versions: {known}. "
            "Pass questions=PATH for a JSONL file, or add its parent directory to $ADAEM_QUESTION_SETS."
        )
    other = _first_conflict(places[1:], _stored_hash(places[0]))
    if other is not None:
        raise VersionError(
            f"question set version {version!r} is ambiguous: {places[0]} and {other} hold different "
            "questions under that name. A version must mean the same questions everywhere: remove or "
            "rename one of them (then publish it under a new version)."
        )
    return places[0]


# -- loading -------------------------------------------------------------------------------------
def _derived_file_manifest(path: Path, items: list[Question]) -> QuestionSetManifest:
    """A JSONL file runs under a name made from its content, so an edit is a new name."""
    digest = content_hash(items)
    stem = path.name if path.is_dir() else path.stem
    return QuestionSetManifest(
        version=f"file:{stem}@{digest.removeprefix('sha256:')[:12]}",
        kind="file",
        count=len(items),
        content_hash=digest,
    )


def _checked_manifest(
    directory: Path, manifest: QuestionSetManifest, items: list[Question]
) -> QuestionSetManifest:
    """The manifest, if the questions are the ones it was written for (its hash filled in if absent)."""
    digest = content_hash(items)
    if manifest.content_hash and manifest.content_hash != digest:
        questions_file = directory / QUESTIONS_FILE
        raise QuestionFileError(
            questions_file,
            None,
            f"the questions do not match the content hash in {directory / MANIFEST_FILE} (version "
            f"{manifest.version!r}): the file was edited after the set was written, and an edited set "
            f"never runs under the old name. To run it as it is, pass the JSONL file itself "
            f"({questions_file}), which runs under the derived name 'file:{questions_file.stem}@<hash>'; "
            "to keep it, publish it under a new version.",
        )
    return manifest if manifest.content_hash else manifest.model_copy(update={"content_hash": digest})


def _load_set_dir(directory: Path) -> QuestionSet:
    items = load_question_file(directory / QUESTIONS_FILE)
    manifest = _read_manifest(directory)
    if manifest is None:
        return QuestionSet(manifest=_derived_file_manifest(directory, items), questions=items, path=directory)
    return QuestionSet(
        manifest=_checked_manifest(directory, manifest, items), questions=items, path=directory
    )


def _check_against_registered(qset: QuestionSet) -> None:
    """A directory passed by path may not reuse a findable version's name for other questions."""
    assert qset.path is not None
    here = qset.path.resolve()
    places = [p for p in question_set_locations().get(qset.version, []) if p.resolve() != here]
    other = _first_conflict(places, qset.manifest.content_hash)
    if other is not None:
        raise VersionError(
            f"{qset.path} calls itself version {qset.version!r}, but the set of that version at {other} "
            "holds different questions; a version must mean the same questions everywhere. Pass the "
            f"JSONL file ({qset.path / QUESTIONS_FILE}) to run it under a derived name, or publish it "
            "under a new version."
        )


def load_question_set(version: str | None = None, questions: str | Path | None = None) -> QuestionSet:
    """Load a set by version, or any JSONL file / set directory by path.

    A bare JSONL file (or a directory without a manifest) gets the version
    ``file:<stem>@<hash prefix>`` so logs made from it can still be aligned (and not
    mixed) by ``adaem-rank``. A set directory must match its manifest's hash and may not
    reuse the name of a findable version with other questions.
    """
    if questions is not None:
        path = Path(questions)
        if path.is_dir():
            qset = _load_set_dir(path)
            if qset.manifest.kind != "file":
                _check_against_registered(qset)
            return qset
        items = load_question_file(path)
        return QuestionSet(manifest=_derived_file_manifest(path, items), questions=items, path=path)
    return _load_set_dir(find_question_set(version or DEFAULT_VERSION))


# -- writing and publishing ----------------------------------------------------------------------
def write_question_set(
    directory: str | Path, manifest: QuestionSetManifest, questions: Sequence[Question]
) -> Path:
    """Write ``questions.jsonl`` + ``manifest.json`` atomically; fills count and hash.

    This writes a set *directory* (a run's ``set/``, ``adaem-gen seeds --out``); making a
    version findable by name is :func:`publish_question_set`'s job.
    """
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


def check_version_name(version: str) -> str:
    """A name that can be published: a plain directory name, and not one shipped with the package."""
    if not _VERSION_NAME.fullmatch(version):
        raise VersionError(
            f"invalid version name {version!r}: use letters, digits and . _ + - (starting with a letter "
            "or digit, at most 100 characters)"
        )
    if version in shipped_versions():
        raise VersionError(
            f"version {version!r} ships with adaem-tasks and is reserved; choose another --version"
        )
    return version


def ensure_version_available(version: str) -> str:
    """Fail before any work if ``version`` cannot be published as a new set (bad, reserved or taken)."""
    check_version_name(version)
    places = question_set_locations().get(version)
    if places:
        raise VersionError(
            f"version {version!r} is already published at {places[0]}; published versions are "
            "immutable: choose another --version"
        )
    return version


def publish_question_set(directory: str | Path, store: str | Path | None = None) -> Path:
    """Make the set in ``directory`` findable by its version; the one way every command publishes.

    Publishing is immutable: a version that exists anywhere on the search path with other
    questions, or a reserved (shipped) name, is refused with :class:`VersionError`.
    Publishing the very same questions again returns the existing copy (a resumed run
    publishes idempotently). The copy is staged next to its target and renamed into place,
    so a crash never leaves a half-published version and two publishers cannot both win.
    """
    qset = _load_set_dir(Path(directory))
    if qset.manifest.kind == "file":
        raise VersionError(f"{directory}: no {MANIFEST_FILE}, so no version to publish it under")
    version, digest = check_version_name(qset.version), qset.manifest.content_hash
    target = Path(store) if store is not None else user_set_store()
    target = target / version

    def refuse_if_taken() -> Path | None:
        places = question_set_locations().get(version, [])
        other = _first_conflict(places, digest)
        if other is not None:
            raise VersionError(
                f"version {version!r} is already published at {other} with different questions; "
                "published versions are immutable: choose another --version"
            )
        if _is_set_dir(target) and _stored_hash(target) == digest:
            return target
        if target.exists():
            raise VersionError(
                f"{target} exists but is not a question set; remove it or choose another version"
            )
        return None

    existing = refuse_if_taken()
    if existing is not None:
        return existing
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".staging-{version}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        for name in (QUESTIONS_FILE, MANIFEST_FILE):
            shutil.copyfile(Path(directory) / name, staging / name)
        try:
            staging.rename(target)  # atomic; fails if another publisher got there first
        except OSError:
            existing = refuse_if_taken()
            if existing is None:
                raise
            return existing
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target
