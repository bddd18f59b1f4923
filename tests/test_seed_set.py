"""The shipped seed set ``seed-v1``: shape, labelling, and that it is reproducible from its builder."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from adaem_tasks.questions import QuestionSet, content_hash, load_question_file, load_question_set

BUILDER = Path(__file__).resolve().parents[1] / "adaem_tasks" / "data" / "build_seed_set.py"

CATEGORIES = {
    "Law, Justice, and Human Rights",
    "Politics and International Relations",
    "Economics and Business",
    "Science, Health, and Environment",
    "Technology and Innovation",
    "Social and Cultural Issues",
    "Education and Media",
    "Entertainment and Arts",
    "Religion, Philosophy, and Ethics",
}
# A yes/no question opens with an auxiliary or modal verb.
YES_NO_OPENERS = {"Should", "Is", "Are", "Do", "Does", "Can", "Could", "Would", "Will", "Has", "Have", "Must"}


@pytest.fixture(scope="module")
def seed(monkeypatch_module: pytest.MonkeyPatch) -> QuestionSet:
    return load_question_set("seed-v1")


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    # Only the shipped store must answer for "seed-v1", whatever the developer has published locally.
    patcher = pytest.MonkeyPatch()
    patcher.delenv("ADAEM_QUESTION_SETS", raising=False)
    patcher.setenv("ADAEM_HOME", str(Path(__file__).resolve().parent / "_no_such_adaem_home"))
    yield patcher
    patcher.undo()


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_seed_set", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_size_and_categories(seed: QuestionSet) -> None:
    counts = Counter(q.category for q in seed.questions)
    assert len(seed.questions) >= 180
    assert set(counts) == CATEGORIES
    assert min(counts.values()) >= 18, counts
    assert seed.manifest.stats == dict(counts)
    assert seed.manifest.count == len(seed.questions)


def test_ids_and_texts_are_unique(seed: QuestionSet) -> None:
    ids = [q.id for q in seed.questions]
    assert len(set(ids)) == len(ids)
    assert ids == [f"seed-{i:04d}" for i in range(1, len(ids) + 1)]
    texts = [q.question.strip().lower() for q in seed.questions]
    assert len(set(texts)) == len(texts)
    topics = [q.topic.strip().lower() for q in seed.questions]
    assert len(set(topics)) == len(topics), [t for t, n in Counter(topics).items() if n > 1]


def test_questions_are_short_generic_yes_no(seed: QuestionSet) -> None:
    for q in seed.questions:
        assert q.question.endswith("?"), q.question
        assert q.question.split()[0] in YES_NO_OPENERS, q.question
        assert 6 <= len(q.question.split()) <= 14, q.question
        # Generic: no years or figures tying a question to one time or fact.
        assert not re.search(r"\d", q.question), q.question
        assert q.topic.strip() and len(q.topic.split()) <= 5, q.topic


def test_manifest_labels_it_as_a_seed_set(seed: QuestionSet) -> None:
    manifest = seed.manifest
    assert manifest.version == "seed-v1"
    assert manifest.kind == "seed"
    assert manifest.seed is None
    assert "NOT an AdAEM-optimized set" in manifest.description
    assert "adaem-gen" in manifest.description
    assert manifest.content_hash == content_hash(seed.questions)


def test_builder_reproduces_the_shipped_files(seed: QuestionSet, tmp_path: Path) -> None:
    built = _builder().build(tmp_path / "seed-v1")
    rebuilt = load_question_file(built / "questions.jsonl")
    assert content_hash(rebuilt) == seed.manifest.content_hash
    assert [q.model_dump() for q in rebuilt] == [q.model_dump() for q in seed.questions]
    assert seed.path is not None
    shipped_manifest = json.loads((seed.path / "manifest.json").read_text(encoding="utf-8"))
    assert json.loads((built / "manifest.json").read_text(encoding="utf-8")) == shipped_manifest
