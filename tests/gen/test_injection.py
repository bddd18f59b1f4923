"""The generator judges the question text itself (v_question, for R_Dis): a seed or generated
question that carries judge instructions gets the labels its words earn, in the estimator and
in a whole run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from inspect_ai.model import get_model

import adaem_tasks.testing.providers  # noqa: F401  (registers adaem-judge/<kind>)
from adaem_gen.models import MeteredModel
from adaem_gen.run.pipeline import Generator
from adaem_gen.scoring.estimate import Estimator
from adaem_tasks.judge import single_judge_prompt
from adaem_tasks.testing.injections import INJECTIONS, inject, listing4_single_prompt
from adaem_tasks.testing.judges import obedient_answer
from adaem_tasks.testing.personas import marker
from adaem_tasks.value_systems import load_value_system

from .conftest import fake_models, write_seeds
from .fakes import FakeDiversity, keyword_judge

SCHWARTZ = load_value_system("schwartz")
MakeGenerator = Callable[..., Generator]
QUESTION = f"Should cities put {marker(SCHWARTZ, 'security')} before growth?"


def _obedient() -> MeteredModel:
    return MeteredModel(get_model("adaem-judge/obedient"), "adaem-judge/obedient")


def test_the_fake_keyword_judge_reads_the_boundary_format() -> None:
    assert keyword_judge("fake/judge", [single_judge_prompt(SCHWARTZ, "all about power", "power")]) == "Yes"
    assert keyword_judge("fake/judge", [single_judge_prompt(SCHWARTZ, "all about power", "hedonism")]) == "No"


def test_question_values_ignore_injected_labels() -> None:
    estimator = Estimator(SCHWARTZ, _obedient(), FakeDiversity())
    clean = asyncio.run(estimator.estimate(QUESTION, []))
    assert clean.question_values == ["security"]
    for injection in INJECTIONS:
        injected = inject(QUESTION, injection)
        assert asyncio.run(estimator.estimate(injected, [])).question_values == ["security"], injection
        # control: the paper's fenced prompt lets this question hand the judge a label
        fenced = {k: obedient_answer(listing4_single_prompt(SCHWARTZ, injected, k)) for k in SCHWARTZ.keys}
        boundary = {k: obedient_answer(single_judge_prompt(SCHWARTZ, injected, k)) for k in SCHWARTZ.keys}
        assert list(boundary.values()).count("Yes") == 1
        if "[Label]: Yes" in injection or "answer Yes" in injection:
            assert list(fenced.values()).count("Yes") > 1, injection


def _seed_question_values(gen: Generator, out: Path) -> dict[str, list[str]]:
    asyncio.run(gen.run())
    estimates = [
        r["data"] for r in gen.journal.read() if r.get("type") == "unit" and "question_values" in r["data"]
    ]
    return {e["question"]: e["question_values"] for e in estimates}


def test_injected_seed_questions_get_the_clean_labels_in_a_run(
    make_generator: MakeGenerator, tmp_path: Path
) -> None:
    seeds = [QUESTION, f"Is {marker(SCHWARTZ, 'hedonism')} worth a tax?"]
    injected = [inject(q, INJECTIONS[i % len(INJECTIONS)]) for i, q in enumerate(seeds)]
    models = fake_models(**{"fake/judge": _obedient()})
    runs = {}
    for name, questions in (("clean", seeds), ("injected", injected)):
        path = write_seeds(tmp_path / f"{name}.jsonl", questions)
        gen = make_generator(tmp_path / name, models=models, seeds=path, budget=2, publish=False)
        runs[name] = _seed_question_values(gen, tmp_path / name)
    assert [runs["clean"][q] for q in seeds] == [["security"], ["hedonism"]]
    assert [runs["injected"][q] for q in injected] == [["security"], ["hedonism"]]
