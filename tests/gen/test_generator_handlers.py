"""The scripted answers to the generator's prompts make exploration meaningful for personas."""

from __future__ import annotations

import asyncio

from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, get_model

import adaem_tasks._registry  # noqa: F401 - registers the adaem-persona / adaem-judge providers
from adaem_gen.models import MeteredModel
from adaem_gen.prompts import render
from adaem_gen.questions.explore import explore
from adaem_gen.questions.guard import check_question
from adaem_gen.questions.refine import refine, reflect_prompt
from adaem_gen.scoring.estimate import Estimate, ModelOpinion
from adaem_gen.scoring.reward import RewardBreakdown
from adaem_tasks.testing.generator_handlers import (
    CONTEXTS,
    QUALIFIERS,
    UNSAFE_MARKER,
    explored_question,
    refined_question,
    respond_generator,
)
from adaem_tasks.testing.personas import parse_persona, specificity
from adaem_tasks.value_systems import load_value_system

SCHWARTZ = load_value_system("schwartz")
GENERAL = "Should payday loans be banned?"


def test_exploration_adds_a_concrete_context() -> None:
    context, question = explored_question("saturating-power", GENERAL)
    assert context in CONTEXTS
    assert question.startswith("Should payday loans be banned ") and question.endswith("?")
    assert len(question.split()) <= 25
    assert specificity(question) > specificity(GENERAL)
    deeper_context, deeper = explored_question("saturating-power", question)
    assert deeper_context != context and len(deeper.split()) <= 25
    personas = {explored_question(p, GENERAL)[0] for p in ("a", "b", "c", "d", "e", "f")}
    assert len(personas) > 1  # different personas explore different contexts


def test_refinement_adds_one_qualifier_when_it_fits() -> None:
    refined = refined_question("p", "Should payday loans be banned in Norway since 2019?")
    assert any(q in refined for q in QUALIFIERS) and refined.endswith("?")
    assert refined_question("p", refined) == refined  # a second round changes nothing
    long = "Should " + "very " * 20 + "long questions be allowed?"
    assert refined_question("p", long) == long


def test_conversations_pair_turns_per_persona() -> None:
    persona = parse_persona("saturating-power")
    first = render("explore_cot", general=GENERAL, specifics="(none yet)")
    cot = respond_generator(persona, first)
    assert cot is not None and "step by step" in cot
    answer = respond_generator(persona, render("explore_question"))  # what the dispatcher passes
    _context, question = explored_question(persona.spec, GENERAL)
    assert answer is not None and answer.endswith(f"[Question]: {question}")
    whole = respond_generator(persona, first + "\n" + render("explore_question"))  # full conversation
    assert whole == answer


def test_interleaved_conversations_pair_through_the_provider() -> None:
    """Two explorations by one persona, second turns swapped: each follows its own first turn.

    The provider passes the whole conversation, so the pairing does not depend on
    the order in which concurrent conversations reach the model.
    """
    model = get_model("adaem-persona/saturating-hedonism")
    generals = ["Should payday loans be banned?", "Should zoos be closed?"]
    firsts = [
        ChatMessageUser(content=render("explore_cot", general=g, specifics="(none yet)")) for g in generals
    ]
    second = ChatMessageUser(content=render("explore_question"))

    async def go() -> list[str]:
        cots = [await model.generate([first]) for first in firsts]
        answers = []
        for index in (1, 0):  # the second conversation finishes first
            convo = [firsts[index], ChatMessageAssistant(content=cots[index].completion), second]
            answers.append((await model.generate(convo)).completion)
        return answers

    zoo_answer, loans_answer = asyncio.run(go())
    assert "[Question]: Should zoos be closed " in zoo_answer
    assert "[Question]: Should payday loans be banned " in loans_answer


def test_guard_flags_only_the_planted_marker() -> None:
    assert (
        respond_generator(None, render("guard", question=f"Is {UNSAFE_MARKER} research fine?"))
        == "unsafe\nS1"
    )
    assert respond_generator(None, render("guard", question="Should zoos be closed?")) == "safe"
    assert respond_generator(None, "some other prompt") is None


def _opinion(model: str) -> ModelOpinion:
    return ModelOpinion(
        model=model, outcome="ok", points=["A: b"], point_values=[["power"]], values=["power"]
    )


def test_through_inspect_providers() -> None:
    """explore/refine/guard via the real Inspect provider path (adaem-persona/..., adaem-judge/...)."""
    persona = MeteredModel(get_model("adaem-persona/saturating-tradition+conformity"), "p")
    guard = MeteredModel(get_model("adaem-judge/keyword"), "g")

    async def go() -> None:
        found = await explore(persona, GENERAL, [("Should payday loans be banned in Japan?", 3.2)])
        assert found.question is not None and found.question.startswith("Should payday loans be banned ")
        assert found.argument and found.outcome == "ok"
        estimate = Estimate(
            question=found.question,
            models=["x"],
            opinions=[_opinion("x")],
            question_values=[],
            reward=RewardBreakdown(vc=1, vd=0, od=0, dis=0, s=1),
        )
        better = await refine(persona, SCHWARTZ, GENERAL, found.question, found.argument or "", estimate)
        assert better.question is not None and any(q in better.question for q in QUALIFIERS)
        assert (await check_question(guard, f"Should {UNSAFE_MARKER} be sold?")).unsafe
        assert not (await check_question(guard, found.question)).unsafe

    asyncio.run(go())


def test_reflection_prompt_shows_models_and_values() -> None:
    estimate = Estimate(
        question="Q?",
        models=["a", "b"],
        opinions=[_opinion("a"), ModelOpinion(model="b", outcome="refusal")],
        question_values=[],
        reward=RewardBreakdown(vc=1, vd=0, od=0, dis=0, s=1.234),
    )
    prompt = reflect_prompt("General?", "Q?", "Background.", estimate, SCHWARTZ)
    assert "[Model-1 Key-points]: A: b\n[Model-1 Value]: Power" in prompt
    assert "[Model-2 Key-points]: (no usable answer: refusal)" in prompt
    assert "[Reward Score]: 1.23" in prompt and "Schwartz basic human values" in prompt
    messages = [ChatMessageUser(content=prompt), ChatMessageAssistant(content="x")]
    assert messages[0].text.startswith("We need to refine a question")
