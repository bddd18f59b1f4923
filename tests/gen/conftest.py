"""Shared fixtures for generator tests: a seed file, scripted fake models, an isolated set store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adaem_gen.config import RunConfig
from adaem_gen.models import MeteredModel
from adaem_gen.run.pipeline import Generator

from .fakes import FakeDiversity, FakeEmbedder, keyword_judge, metered, persona_responder

SEED_QUESTIONS = [
    "Should payday loans be banned?",
    "Is nuclear energy worth the risk?",
    "Should voting be mandatory?",
    "Do zoos do more harm than good?",
]
PERSONAS = {
    "fake/power": ["power", "achievement"],
    "fake/tradition": ["tradition", "conformity"],
    "fake/hedonism": ["hedonism", "stimulation"],
}


TSV_HEADER = "Argument ID\tConclusion\tStance\tPremise\n"
"""A Touché23-ValueEval ``arguments-*.tsv`` header."""


def write_tsv(path: Path, conclusions: list[str]) -> Path:
    """A Touché-format arguments file with one argument per conclusion."""
    rows = "".join(f"A{i}\t{c}\tin favor of\tp\n" for i, c in enumerate(conclusions))
    path.write_text(TSV_HEADER + rows, encoding="utf-8")
    return path


@pytest.fixture
def offline_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``adaem-gen`` in-process: hashed fake embeddings, a private set store, ``tmp_path`` as cwd.

    Returns the store's question-set directory.
    """
    import adaem_gen.sets.dedup

    fake = FakeEmbedder()
    monkeypatch.setattr(adaem_gen.sets.dedup, "default_embedder", lambda: fake)
    monkeypatch.setenv("ADAEM_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home" / "question_sets"


def write_seeds(path: Path, questions: list[str]) -> Path:
    path.write_text(
        "".join(
            json.dumps({"id": f"seed-{i}", "question": q, "category": "Economics and Business", "topic": q})
            + "\n"
            for i, q in enumerate(questions)
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "adaem-home"
    monkeypatch.setenv("ADAEM_HOME", str(home))
    monkeypatch.delenv("ADAEM_QUESTION_SETS", raising=False)
    return home / "question_sets"


@pytest.fixture
def seeds_file(tmp_path: Path) -> Path:
    return write_seeds(tmp_path / "seeds.jsonl", SEED_QUESTIONS)


def fake_models(**overrides: Any) -> dict[str, MeteredModel]:
    models = {spec: metered(spec, persona_responder(values)) for spec, values in PERSONAS.items()}
    models["fake/judge"] = metered("fake/judge", keyword_judge)
    models["fake/guard"] = metered("fake/guard", persona_responder(["power"]))
    models.update(overrides)
    return models


@pytest.fixture
def make_generator(seeds_file: Path, store: Path) -> Callable[..., Generator]:
    def make(out: Path, models: dict[str, MeteredModel] | None = None, **settings: Any) -> Generator:
        config = RunConfig(
            seeds=str(settings.pop("seeds", seeds_file)),
            p1=list(PERSONAS),
            judge="fake/judge",
            budget=settings.pop("budget", 5),
            n2=settings.pop("n2", 1),
            out=str(out),
            **settings,
        )
        return Generator(
            config,
            embedder=FakeEmbedder(),
            diversity=FakeDiversity(),
            models=models or fake_models(),
            retry_wait=0.0,
        )

    return make
