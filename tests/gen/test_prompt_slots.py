"""What fills the slots of Listings 5 and 7 for a depth-2 question (issue 19, items 2 and 3).

One reading of "the general question" in both listings, from Alg. 2 line 11 ("Sample a
question from X_i* and query different LLMs in P1 to generate ... questions using COT"):
the sampled question -- the parent the candidate is explored from. Below depth 1 that is a
generated question, not the arm's seed, which is what a depth-2 node shows. Listing 7's
``[Background]`` is the contextual fact the Listing 5 turn collected.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adaem_gen.models import MeteredModel
from adaem_gen.run.journal import Journal
from adaem_gen.run.pipeline import Generator

from .conftest import PERSONAS, fake_models
from .fakes import Responder, metered, persona_responder

LISTING5 = "explore contextually rich argument questions"
LISTING7 = "We need to refine a question towards a general question"


@dataclass(frozen=True)
class Call:
    spec: str
    turns: list[str]
    reply: str


def recording_models(calls: list[Call]) -> dict[str, MeteredModel]:
    def record(respond: Responder) -> Responder:
        def answer(spec: str, turns: list[str]) -> str:
            reply = respond(spec, turns)
            calls.append(Call(spec, list(turns), reply))
            return reply

        return answer

    models = fake_models()
    for spec, values in PERSONAS.items():
        models[spec] = metered(spec, record(persona_responder(values)))
    return models


def input_slots(prompt: str, listing_marker: str) -> dict[str, str]:
    """``{label: value}`` of the filled ``[Label]: value`` lines after the listing's own format block."""
    start = prompt.index("Here is the input data:") if listing_marker == LISTING7 else 0
    slots: dict[str, str] = {}
    for match in re.finditer(r"^\[([A-Za-z ]+)\]: ?(.*)$", prompt[start:], re.M):
        slots.setdefault(match.group(1), match.group(2).strip())
    return slots


def run_to_depth_two(make_generator: Callable[..., Generator], out: Path) -> tuple[list[Call], list[Any]]:
    calls: list[Call] = []
    gen = make_generator(out, models=recording_models(calls), budget=12, n2=2, parallel=1)
    asyncio.run(gen.run())
    nodes = [n for r in Journal(out / "journal.jsonl").read() if r["type"] == "step" for n in r["nodes"]]
    return calls, nodes


def test_listings_5_and_7_read_the_parent_and_its_fact_for_a_depth_2_node(
    make_generator: Callable[..., Generator], tmp_path: Path
) -> None:
    calls, nodes = run_to_depth_two(make_generator, tmp_path / "run")
    by_id = {n["id"]: n for n in nodes}
    deep = [n for n in nodes if n["depth"] == 2]
    assert deep, "the run must grow a depth-2 question for this test to mean anything"
    checked = 0
    for node in deep:
        parent = by_id[node["parent"]]
        assert parent["depth"] == 1 and parent["text"] != node["topic"]  # a generated parent, not the seed
        explorations = [
            c
            for c in calls
            if c.spec == node["model"]
            and LISTING5 in c.turns[-1]
            and len(c.turns) == 1
            and input_slots(c.turns[0], LISTING5).get("General Argument") == parent["text"]
        ]
        assert explorations, f"no Listing 5 with [General Argument] = the parent {parent['text']!r}"
        # The fake's Listing 5 reply is "A relevant fact: <context>." -- the fact is what follows the label.
        facts = {c.reply.split("A relevant fact:", 1)[1].strip() for c in explorations}
        assert len(facts) == 1
        fact = facts.pop()
        reflections = [
            input_slots(c.turns[-1], LISTING7)
            for c in calls
            if c.spec == node["model"] and LISTING7 in c.turns[-1]
        ]
        mine = [s for s in reflections if s["Question"] == node["candidate"]]
        assert mine, f"no Listing 7 for {node['candidate']!r}"
        for slots in mine:
            assert slots["General question"] == parent["text"]
            assert slots["General question"] != node["topic"]
            assert slots["Background"] == fact == node["background"]
        checked += 1
    assert checked == len(deep)


def test_the_background_is_journaled_so_a_resume_reasks_the_same_listing_7(
    make_generator: Callable[..., Generator], tmp_path: Path
) -> None:
    """Cut the journal before the step records: the resumed run's Listing 7 prompts are the same."""
    first, nodes = run_to_depth_two(make_generator, tmp_path / "full")
    lines = (tmp_path / "full" / "journal.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    explore_units = [i for i, ln in enumerate(lines) if json.loads(ln).get("key", "").startswith("explore/")]
    keep = explore_units[-1] + 1  # every exploration journaled, later refinements not
    cut = tmp_path / "cut"
    cut.mkdir()
    (cut / "journal.jsonl").write_text("".join(lines[:keep]), encoding="utf-8")
    resumed: list[Call] = []
    gen = make_generator(cut, models=recording_models(resumed), budget=12, n2=2, parallel=1)
    asyncio.run(gen.run(resume=True))
    assert not any(LISTING5 in c.turns[-1] for c in resumed)  # every exploration came from the journal
    asked_again = {c.turns[-1] for c in resumed if LISTING7 in c.turns[-1]}
    asked_first = {c.turns[-1] for c in first if LISTING7 in c.turns[-1]}
    assert asked_again and asked_again <= asked_first
    assert all(input_slots(p, LISTING7)["Background"] not in ("", "(none)") for p in asked_again)
