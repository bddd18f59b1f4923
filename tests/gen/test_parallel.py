"""``--parallel K``: K = 1 is the sequential Alg. 2; any K is exact and independent of timing.

The reference for K = 1 is the loop as it ran before pulls could overlap -- select an
arm, pull it, journal the step, add its admitted and refined questions to the dedup
index, update the bandit -- driving the same pull code but none of the scheduler
(window, pending plays, admission turns, lagged index updates).
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from adaem_gen.bandit.pull import run_pull
from adaem_gen.bandit.search import PullPlan
from adaem_gen.models import MeteredModel
from adaem_gen.run.journal import Journal
from adaem_gen.run.pipeline import Generator

from .conftest import fake_models, write_seeds
from .fakes import FakeDiversity, FakeEmbedder

MakeGenerator = Callable[..., Generator]


class SequentialReference(Generator):
    """Alg. 2 one step at a time, with the dedup index updated as the step is applied."""

    async def _search(self, recorded: dict[int, dict[str, Any]]) -> None:
        assert not recorded
        state = self.state
        for step in range(1, self.config.budget + 1):
            plan: PullPlan = state.plan(step, pending=[])

            async def admit(_step: int, texts: Sequence[str]) -> list[bool]:
                return state.index.filter_new(list(texts)) if texts else []

            record = await run_pull(plan, self.steps, admit)
            self._step_finished(record)
            nodes = state.apply(record)
            if record["candidates"]:
                state.index.add(record["candidates"])
            refined = [n for n in nodes if n.refined]
            if refined:
                state.index.add([n.text for n in refined], [n.id for n in refined])


def _records(out: Path) -> list[dict[str, Any]]:
    """The journal after its header; the run's own version name left out of the "done" record."""
    records = [r for r in Journal(out / "journal.jsonl").read() if r["type"] != "header"]
    return [{k: v for k, v in r.items() if not (r["type"] == "done" and k == "version")} for r in records]


def _reference(make_generator: MakeGenerator, out: Path, **settings: Any) -> Generator:
    made = make_generator(out, **settings)
    ref = SequentialReference(
        made.config, embedder=FakeEmbedder(), diversity=FakeDiversity(), models=fake_models(), retry_wait=0.0
    )
    return ref


def _ucb_arms(n_arms: int, budget: int, rewards: list[list[float]]) -> list[int]:
    """Alg. 2 lines 4-8 and 27-28 from the paper's formulas, for the recorded rewards."""
    counts, q, arms = [0] * n_arms, [0.0] * n_arms, []
    for pulled in rewards:
        unplayed = [i for i in range(n_arms) if counts[i] == 0]
        if unplayed:
            arm = unplayed[0]
        else:
            values = [q[i] + math.sqrt(2 * math.log(budget) / counts[i]) for i in range(n_arms)]
            arm = values.index(max(values))
        arms.append(arm)
        counts[arm] += 1
        q[arm] += ((sum(pulled) / len(pulled) if pulled else 0.0) - q[arm]) / counts[arm]
    return arms


def test_parallel_1_reproduces_the_sequential_algorithm(
    make_generator: MakeGenerator, tmp_path: Path
) -> None:
    settings = {"budget": 7, "n2": 2, "parallel": 1}
    gen = make_generator(tmp_path / "k1", **settings)
    result = asyncio.run(gen.run())
    ref = _reference(make_generator, tmp_path / "ref", **settings)
    expected = asyncio.run(ref.run())
    got, want = _records(tmp_path / "k1"), _records(tmp_path / "ref")
    assert got == want  # the same journal, record for record (units, steps, their order)
    assert result.content_hash == expected.content_hash and result.count > 0
    steps = [r for r in got if r["type"] == "step"]
    assert [r["step"] for r in steps] == list(range(1, 8))  # one at a time, in order
    assert [r["arm"] for r in steps] == _ucb_arms(len(gen.state.arms), 7, [r["rewards"] for r in steps])
    current = 1
    for record in got:  # each step's explorations and refinements lie between it and the previous step
        if record["type"] == "step":
            current = record["step"] + 1
        elif record["type"] == "unit" and record["key"].startswith(("explore/", "refine/")):
            assert int(record["key"].split("/")[1]) == current


class Jittery:
    """A fake model answering after a random delay: pulls finish in a different order each run."""

    def __init__(self, inner: Any, rng: random.Random) -> None:
        self.inner = inner
        self.rng = rng

    async def generate(self, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(self.rng.uniform(0.0, 0.004))
        return await self.inner.generate(*args, **kwargs)


def _jittery_models(seed: int) -> dict[str, MeteredModel]:
    rng = random.Random(seed)
    return {spec: MeteredModel(Jittery(m.model, rng), spec) for spec, m in fake_models().items()}  # type: ignore[arg-type]


def test_parallel_runs_do_not_depend_on_timing(make_generator: MakeGenerator, tmp_path: Path) -> None:
    runs = []
    for seed in (1, 2):
        out = tmp_path / f"jitter{seed}"
        result = asyncio.run(make_generator(out, models=_jittery_models(seed), budget=8, parallel=3).run())
        runs.append((result, _records(out)))
    (first, rec1), (second, rec2) = runs
    assert first.content_hash == second.content_hash and first.count > 0
    steps1 = sorted((r for r in rec1 if r["type"] == "step"), key=lambda r: r["step"])
    steps2 = sorted((r for r in rec2 if r["type"] == "step"), key=lambda r: r["step"])
    assert steps1 == steps2 and [r["step"] for r in steps1] == list(range(1, 9))
    units1 = {r["key"]: r["data"] for r in rec1 if r["type"] == "unit"}
    units2 = {r["key"]: r["data"] for r in rec2 if r["type"] == "unit"}
    assert units1 == units2
    order1 = [r.get("key", r.get("step")) for r in rec1]
    order2 = [r.get("key", r.get("step")) for r in rec2]
    assert order1 != order2  # the timings did differ: the journals interleave differently


def test_concurrent_pulls_are_deduplicated_against_each_other(
    make_generator: MakeGenerator, tmp_path: Path
) -> None:
    """Three pulls of the only arm start together from the same parent and explore the same
    questions: the first to be admitted keeps them, the other two find only duplicates."""
    seeds = write_seeds(tmp_path / "one.jsonl", ["Should payday loans be banned?"])
    gen = make_generator(tmp_path / "run", seeds=seeds, budget=3, parallel=3)
    result = asyncio.run(gen.run())
    steps = sorted((r for r in _records(tmp_path / "run") if r["type"] == "step"), key=lambda r: r["step"])
    assert [r["arm"] for r in steps] == [0, 0, 0]
    first, *others = (r["stats"] for r in steps)
    assert first["explorations"] == 3 and first["accepted"] >= 1
    assert all(s["accepted"] == 0 and s["duplicates"] == s["explorations"] == 3 for s in others)
    assert result.count == first["accepted"]


def test_k_pulls_start_on_k_different_arms(make_generator: MakeGenerator, tmp_path: Path) -> None:
    gen = make_generator(tmp_path / "run", budget=4, parallel=4)
    asyncio.run(gen.run())
    steps = sorted((r for r in _records(tmp_path / "run") if r["type"] == "step"), key=lambda r: r["step"])
    assert sorted(r["arm"] for r in steps) == [0, 1, 2, 3]
