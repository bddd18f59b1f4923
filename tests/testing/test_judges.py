"""Scripted judges through Inspect: the keyword judge recovers planted vectors; garbage and flaky
judges exercise the retry and failure accounting of :func:`adaem_tasks.judge.judge_opinion`."""

from __future__ import annotations

import json

import pytest
from inspect_ai.model import get_model

import adaem_tasks.testing.providers  # noqa: F401  (registers adaem-persona / adaem-judge)
from adaem_tasks.judge import (
    JudgeConfig,
    batched_judge_prompt,
    judge_opinion,
    parse_batched_labels,
    parse_yes_no,
    single_judge_prompt,
)
from adaem_tasks.opinion import parse_opinion
from adaem_tasks.testing.judges import GARBAGE_ANSWER, ScriptedJudge, parse_judge_request
from adaem_tasks.testing.personas import marker, parse_persona
from adaem_tasks.value_systems import load_value_system

from .synth import long_questions, synth_questions

SCHWARTZ = load_value_system("schwartz")
MFT = load_value_system("mft")


def _points(spec: str, question: str) -> list[str]:
    return [p.text for p in parse_opinion(parse_persona(spec).answer(question)).points]


def test_judge_prompts_are_recognised() -> None:
    text = f"Order first: {marker(SCHWARTZ, 'security')}."
    single = parse_judge_request(single_judge_prompt(SCHWARTZ, text, "self_direction"))
    assert single is not None and single.mode == "single" and single.value_key == "self_direction"
    assert single.system.name == "schwartz" and single.text == text
    batched = parse_judge_request(batched_judge_prompt(MFT, text))
    assert batched is not None and batched.mode == "batched" and batched.system.name == "mft"
    assert batched.text == text
    assert parse_judge_request("Stance: yes\nKey Points:\n1. a: b") is None


def test_keyword_judge_reads_only_the_text() -> None:
    """The definitions block lists every marker; only the annotated text may count."""
    judge = ScriptedJudge("keyword")
    text = f"We need {marker(SCHWARTZ, 'security').upper()} above all."
    answers = {k: judge.respond(single_judge_prompt(SCHWARTZ, text, k)) for k in SCHWARTZ.keys}
    assert answers == {k: "Yes" if k == "security" else "No" for k in SCHWARTZ.keys}
    batched = json.loads(judge.respond(batched_judge_prompt(SCHWARTZ, text)) or "")
    assert batched == {k: k == "security" for k in SCHWARTZ.keys}


def test_garbage_answer_is_unreadable() -> None:
    assert parse_yes_no(GARBAGE_ANSWER) is None
    assert set(parse_batched_labels(GARBAGE_ANSWER, SCHWARTZ).values()) == {None}


@pytest.mark.parametrize("mode", ["single", "batched"])
async def test_keyword_judge_recovers_planted_vectors(mode: str) -> None:
    judge = get_model("adaem-judge/keyword", memoize=False)
    specs = [
        "power",
        "power+security+tradition",
        "markdown-hedonism:0.6",
        "care+loyalty:0.5",
        "fewpoints-sanctity",
    ]
    n_questions = 3 if mode == "single" else 10
    questions = synth_questions(n_questions) + long_questions(n_questions)
    nonzero = 0
    for spec in specs:
        persona = parse_persona(spec)
        assert persona.system is not None
        for question in questions:
            result = await judge_opinion(
                judge, persona.system, _points(spec, question), JudgeConfig(mode=mode, cache=False)
            )
            assert result.judge_failures == 0
            assert result.vector == persona.expressed(question), (spec, question)
            nonzero += sum(result.vector.values())
    assert nonzero > len(specs) * len(questions)  # the vectors recovered are not all zero


async def test_persona_model_answers_judge_prompts_with_the_keyword_judge() -> None:
    model = get_model("adaem-persona/power", memoize=False)
    text = f"Strength matters: {marker(SCHWARTZ, 'power')}."
    result = await judge_opinion(model, SCHWARTZ, [text], JudgeConfig(cache=False))
    assert result.vector == {k: int(k == "power") for k in SCHWARTZ.keys}


@pytest.mark.parametrize("mode", ["single", "batched"])
async def test_garbage_judge_failures_are_counted(mode: str) -> None:
    judge = get_model("adaem-judge/garbage", memoize=False)
    points = _points("power+security", synth_questions(1)[0])
    result = await judge_opinion(judge, SCHWARTZ, points, JudgeConfig(mode=mode, max_attempts=2))
    assert result.judge_failures == len(points) * len(SCHWARTZ.keys)
    assert result.vector == dict.fromkeys(SCHWARTZ.keys)  # unknown, not "not expressed"
    assert result.unknown == SCHWARTZ.keys
    assert all(set(p.failed) == set(SCHWARTZ.keys) for p in result.points)


@pytest.mark.parametrize("mode", ["single", "batched"])
async def test_flaky_judge_is_recovered_by_retries(mode: str) -> None:
    spec, question = "power+security", synth_questions(3)[2]
    points = _points(spec, question)
    expected = parse_persona(spec).expressed(question)

    patient = get_model("adaem-judge/flaky", memoize=False)
    result = await judge_opinion(patient, SCHWARTZ, points, JudgeConfig(mode=mode, max_attempts=2))
    assert result.judge_failures == 0
    assert result.vector == expected

    impatient = get_model("adaem-judge/flaky", memoize=False)  # a fresh judge: has seen nothing
    result = await judge_opinion(
        impatient, SCHWARTZ, points, JudgeConfig(mode=mode, max_attempts=1, cache=False)
    )
    assert result.judge_failures == len(points) * len(SCHWARTZ.keys)
    # ... and now that it has seen the prompts it answers them correctly
    result = await judge_opinion(
        impatient, SCHWARTZ, points, JudgeConfig(mode=mode, max_attempts=1, cache=False)
    )
    assert result.judge_failures == 0 and result.vector == expected


async def test_mft_keyword_judge() -> None:
    judge = get_model("adaem-judge/keyword", memoize=False)
    persona = parse_persona("care+authority")
    for question in synth_questions(5):
        result = await judge_opinion(
            judge, MFT, _points("care+authority", question), JudgeConfig(cache=False)
        )
        assert result.vector == persona.expressed(question)
