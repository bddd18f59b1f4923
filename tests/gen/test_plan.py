"""``adaem-gen plan``: the call count follows the algorithm's structure, checked against real runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from adaem_gen import cli
from adaem_gen.config import RunConfig
from adaem_gen.run.pipeline import Generator
from adaem_gen.run.plan import plan_run, structural_calls
from adaem_tasks.judge import single_judge_prompt
from adaem_tasks.value_systems import load_value_system

from .conftest import SEED_QUESTIONS

SYSTEM = load_value_system("schwartz")
MakeGenerator = Callable[..., Generator]


@pytest.mark.parametrize(
    "settings",
    [
        {"parallel": 1},
        {"parallel": 4, "n2": 2, "judge_mode": "batched"},
        {"parallel": 2, "p2": ["fake/hedonism", "fake/power"], "guard": "fake/guard"},
    ],
)
def test_structure_predicts_a_scripted_runs_calls(
    make_generator: MakeGenerator, tmp_path: Path, settings: dict[str, object]
) -> None:
    gen = make_generator(tmp_path / "run", budget=6, **settings)
    asyncio.run(gen.run())
    stats = gen.stats
    predicted = structural_calls(
        gen.config,
        seeds=len(SEED_QUESTIONS),
        values=len(SYSTEM.keys),
        accepted=stats.accepted,
        refine_attempts=stats.refine_rounds,
        refined_scored=stats.refinements_scored,
    )
    judge_per_text = len(SYSTEM.keys) if gen.config.judge_mode == "single" else 1
    # every call the structure asks for was made or answered from the run's judgement memo
    # (a P2 final score reuses its text's own labels from the P1 estimate: the plan knows)
    finals = stats.accepted if gen.config.p2 else 0
    usage = gen.meter.total.usage
    guard_calls = usage["fake/guard"].calls if "fake/guard" in usage else 0
    asked = gen.meter.calls - guard_calls + gen.meter.total.reused
    assert asked == round(predicted.total - predicted.guard) + judge_per_text * finals
    # the guard's verdicts are per text: explorations that repeat a text are not asked twice
    assert guard_calls <= predicted.guard and (guard_calls > 0) == bool(gen.config.guard)
    assert stats.accepted > 0 and stats.refinements_scored > 0
    plan = plan_run(gen.config, seeds=len(SEED_QUESTIONS), system=SYSTEM)
    assert plan.upper.calls >= gen.meter.calls  # before spending anything: an upper bound held


def test_tokens_and_cost_come_from_the_templates_and_prices() -> None:
    config = RunConfig(
        p1=["a/x", "a/y"], judge="j/k", budget=10, prices={"j/k": {"input": 1.0, "output": 0.0}}
    )
    plan = plan_run(config, seeds=5, system=SYSTEM)
    judge_tokens = plan.per_unit["tokens_per_call"]["judge"]["input"]
    point = " ".join(["word"] * 30) + "."
    assert judge_tokens == round(len(single_judge_prompt(SYSTEM, point, SYSTEM.keys[0])) / 4)
    judge_calls = plan.estimate.by_role["judge"]
    assert plan.estimate.cost_usd == pytest.approx(judge_calls * judge_tokens / 1e6, rel=1e-3)
    assert plan.upper.calls > plan.estimate.calls > 0
    per_seed = plan.per_unit["new_text_estimate_p2"]
    assert (
        per_seed == 2 * (1 + 3 * 10) + 10
    )  # P2 = P1: 2 opinions, 3 points x 10 values each, the text itself


def test_plan_and_dry_run_call_no_model(
    tmp_path: Path, seeds_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "--seeds",
        str(seeds_file),
        "--p1",
        "openai/none,openai/other",
        "--judge",
        "openai/j",
        "--budget",
        "3",
    ]
    assert cli.main(["plan", *args, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["seeds"] == len(SEED_QUESTIONS) and plan["estimate"]["calls"] > 0
    out = tmp_path / "dry"
    assert cli.main(["run", *args, "--out", str(out), "--dry-run"]) == 0
    assert "calls" in capsys.readouterr().out
    assert not out.exists()  # nothing started, nothing journaled
    assert cli.main(["plan", "--seeds", str(seeds_file), "--p1", "openai/x"]) == 2  # no judge
