"""Alg. 2 end to end in-process with scripted fakes: scores rise, resume is exact, failures are counted."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adaem_gen.config import ConfigError
from adaem_gen.models import MeteredModel
from adaem_gen.run.journal import Journal
from adaem_gen.run.pipeline import Generator, RunAborted
from adaem_gen.sets.publish import EmptySetError, PublishResult
from adaem_tasks.questions import load_question_set

from .conftest import SEED_QUESTIONS, fake_models, write_seeds
from .fakes import metered, persona_responder

MakeGenerator = Callable[..., Generator]


def run(gen: Generator, resume: bool = False) -> PublishResult:
    return asyncio.run(gen.run(resume=resume))


def records(out: Path) -> list[dict[str, Any]]:
    return Journal(out / "journal.jsonl").read()


def test_generated_set_beats_the_seeds_and_loads_by_version(
    make_generator: MakeGenerator, tmp_path: Path
) -> None:
    gen = make_generator(tmp_path / "run")
    result = run(gen)
    assert result.count > 0
    assert result.mean_s_seeds is not None and result.mean_s_new is not None
    assert result.mean_s_new > result.mean_s_seeds
    qset = load_question_set(version=result.version)
    assert (qset.manifest.parent_version or "").startswith("file:seeds")
    assert qset.manifest.content_hash == result.content_hash
    assert qset.manifest.models["p1"] == ["fake/power", "fake/tradition", "fake/hedonism"]
    assert qset.manifest.judge == "fake/judge"
    assert qset.manifest.hyperparameters["epsilon"] == 0.85
    assert qset.manifest.hyperparameters["tau"] == 0.5
    assert qset.manifest.stats["mean_s"] == pytest.approx(result.mean_s_new)
    seeds = {q.question for q in load_question_set(questions=gen.config.seeds).questions}
    assert not seeds & {q.question for q in qset.questions}
    for q in qset.questions:
        extra = q.model_dump()
        assert extra["score"] > 0 and extra["seed_id"].startswith("seed-") and extra["depth"] >= 1
    steps = sorted((r for r in records(tmp_path / "run") if r["type"] == "step"), key=lambda r: r["step"])
    assert [r["step"] for r in steps] == [1, 2, 3, 4, 5]
    assert [r["arm"] for r in steps[:4]] == [0, 1, 2, 3]  # unplayed arms first


def _replay_cut(journal_lines: list[str], keep: int, torn: str, out: Path) -> None:
    out.mkdir(parents=True)
    (out / "journal.jsonl").write_text("".join(journal_lines[:keep]) + torn, encoding="utf-8")


def test_resume_from_any_cut_is_exact(make_generator: MakeGenerator, tmp_path: Path) -> None:
    """Crash simulation: cut the journal anywhere (also mid-line); --resume gives the same set."""
    full = run(make_generator(tmp_path / "full"))
    lines = (tmp_path / "full" / "journal.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [ln for ln in lines if json.loads(ln)["type"] != "done"]
    step_lines = [i for i, ln in enumerate(lines) if json.loads(ln)["type"] == "step"]
    cuts = sorted({1, 2, step_lines[0], step_lines[0] + 1, step_lines[1] + 3, step_lines[-1], len(lines) - 1})
    for n, keep in enumerate(cuts):
        out = tmp_path / f"cut{n}"
        torn = lines[keep][: len(lines[keep]) // 2] if keep < len(lines) else ""
        _replay_cut(lines, keep, torn, out)
        calls_before = Counter(
            json.loads(ln)["key"] for ln in lines[:keep] if json.loads(ln)["type"] == "unit"
        )
        models = fake_models()
        result = run(make_generator(out, models=models), resume=True)
        assert result.content_hash == full.content_hash, f"cut after line {keep}"
        final = records(out)
        steps = [r["step"] for r in final if r["type"] == "step"]
        assert sorted(steps) == [1, 2, 3, 4, 5], f"cut after line {keep}: steps {steps}"  # each once
        unit_keys = Counter(r["key"] for r in final if r["type"] == "unit")
        assert max(unit_keys.values()) == 1, "a unit of work was journaled twice"
        assert set(calls_before) <= set(unit_keys)
        redone = sum(m.model.calls for m in models.values())  # type: ignore[attr-defined]
        if keep == len(lines) - 1:
            assert redone == 0  # everything was journaled: no LLM call is paid twice


def test_resume_refuses_changed_settings(make_generator: MakeGenerator, tmp_path: Path) -> None:
    out = tmp_path / "run"
    run(make_generator(out, budget=2))
    with pytest.raises(ConfigError, match="tau"):
        run(make_generator(out, budget=3, tau=0.9), resume=True)
    with pytest.raises(ConfigError, match="already holds a run"):
        run(make_generator(out, budget=3))
    with pytest.raises(ConfigError, match="pass --version NEW"):
        run(make_generator(out, budget=3), resume=True)  # extending a published run needs a new name
    result = run(make_generator(out, budget=3, version="extended"), resume=True)
    assert result.version == "extended"
    assert [r["step"] for r in records(out) if r["type"] == "step"] == [1, 2, 3]
    assert result.count > 0


def test_guard_drops_unsafe_questions(
    make_generator: MakeGenerator, tmp_path: Path, seeds_file: Path
) -> None:
    seeds = tmp_path / "unsafe-seeds.jsonl"
    seeds.write_text(
        seeds_file.read_text(encoding="utf-8").replace(
            "Should voting be mandatory?", "Should UNSAFE things happen?"
        ),
        encoding="utf-8",
    )
    gen = make_generator(tmp_path / "run", seeds=seeds, guard="fake/guard")
    result = run(gen)
    assert gen.stats.unsafe >= 3  # every exploration of the unsafe seed
    qset = load_question_set(version=result.version)
    assert not any("UNSAFE" in q.question for q in qset.questions)


def test_refusals_and_garbage_are_counted_not_fatal(make_generator: MakeGenerator, tmp_path: Path) -> None:
    def garbage(spec: str, turns: list[str]) -> str:
        if "compose a new specific argument" in turns[-1]:
            return "I would rather talk about something else."
        return persona_responder(["power"])(spec, turns)

    models = fake_models(
        **{
            "fake/power": metered(
                "fake/power", persona_responder(["power", "achievement"], refuse_marker="loans")
            ),
            "fake/hedonism": metered("fake/hedonism", garbage),
        }
    )
    gen = make_generator(tmp_path / "run", models=models)
    result = run(gen)
    failures = gen.meter.total.failures
    assert failures["explore_unparseable"] == gen.config.budget  # one per step, after 3 tries each
    assert failures["explore_unparseable_retry"] == 3 * gen.config.budget
    assert failures["opinion_refusal"] >= 1
    assert result.count > 0


class _Down:
    def __init__(self) -> None:
        self.calls = 0

    async def generate(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        raise ConnectionError("server down")


def test_a_dead_model_stops_the_run_resumably(make_generator: MakeGenerator, tmp_path: Path) -> None:
    out = tmp_path / "run"
    models = fake_models(**{"fake/tradition": MeteredModel(_Down(), "fake/tradition")})  # type: ignore[arg-type]
    with pytest.raises(RunAborted, match="fake/tradition"):
        run(make_generator(out, models=models, max_failed_steps=2))
    assert records(out)[0]["type"] == "header"
    result = run(make_generator(out), resume=True)
    assert result.count > 0


def test_previous_versions_are_not_repeated(make_generator: MakeGenerator, tmp_path: Path) -> None:
    first = run(make_generator(tmp_path / "a", version="v-a"))
    with pytest.raises(EmptySetError):  # the same deterministic run repeats every question of v-a
        run(make_generator(tmp_path / "b", version="v-b", previous=["v-a"]))
    more = write_seeds(
        tmp_path / "more.jsonl", [*SEED_QUESTIONS, "Should cities ban cars?", "Is homework useful?"]
    )
    second = run(make_generator(tmp_path / "c", version="v-c", previous=["v-a"], seeds=more, budget=6))
    texts_a = {q.question for q in load_question_set(version=first.version).questions}
    texts_c = {q.question for q in load_question_set(version=second.version).questions}
    assert not texts_a & texts_c
    assert second.removed["overlap_previous"] >= 1
    assert {q.seed_id for q in load_question_set(version="v-c").questions} == {"seed-4", "seed-5"}  # type: ignore[attr-defined]


def test_a_published_version_is_never_overwritten(make_generator: MakeGenerator, tmp_path: Path) -> None:
    run(make_generator(tmp_path / "a", version="fixed"))
    with pytest.raises(ConfigError, match="already published"):  # refused before any model call
        run(make_generator(tmp_path / "b", version="fixed", budget=7))
    assert not (tmp_path / "b" / "journal.jsonl").exists()


def test_refinement_runs_while_the_gain_exceeds_tau(make_generator: MakeGenerator, tmp_path: Path) -> None:
    """A refiner whose rewrite adds a value marker raises S; the loop keeps it, then stops at the cap."""

    def refiner(values: list[str]) -> Any:
        base = persona_responder(values)

        def respond(spec: str, turns: list[str]) -> str:
            if "Based on your suggestions" in turns[-1]:
                import re

                question = re.findall(r"^\[Question\]: (.*)$", turns[0], re.M)[-1].rstrip("?")
                return f"[Question]: {question} again?"
            return base(spec, turns)

        return respond

    models = fake_models(**{"fake/power": metered("fake/power", refiner(["power", "achievement"]))})
    gen = make_generator(tmp_path / "run", models=models, tau=-1.0, max_refine=2, budget=1)
    run(gen)
    power_nodes = [n for n in gen.generated if n.model == "fake/power"]
    assert power_nodes and all(n.refinements == 2 for n in power_nodes)
    assert all(n.text.endswith("again again?") for n in power_nodes)
    gen2 = make_generator(tmp_path / "run2", models=fake_models(), tau=100.0, budget=1)
    run(gen2)
    assert all(n.refinements == 0 for n in gen2.generated)
