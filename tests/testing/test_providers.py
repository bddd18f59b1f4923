"""The Inspect providers and the shared dispatcher behind them."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser, get_model
from inspect_ai.solver import generate

import adaem_tasks.testing.providers  # noqa: F401  (registers adaem-persona / adaem-judge)
from adaem_tasks.judge import single_judge_prompt
from adaem_tasks.opinion import ParseOutcome, opinion_prompt, parse_opinion
from adaem_tasks.testing import dispatch, generator_handlers
from adaem_tasks.testing.personas import Persona, marker, parse_persona
from adaem_tasks.value_systems import load_value_system

from .synth import synth_questions

SCHWARTZ = load_value_system("schwartz")


@pytest.mark.parametrize(
    ("name", "judge", "spec"),
    [
        ("adaem-judge/keyword", "keyword", None),
        ("judge-flaky", "flaky", None),
        ("adaem-persona/power+security", None, "power+security"),
        ("persona-saturating-care", None, "saturating-care"),
        ("markdown-power:0.5", None, "markdown-power:0.5"),
        ("refuser", None, "refuser"),
    ],
)
def test_resolve(name: str, judge: str | None, spec: str | None) -> None:
    target = dispatch.resolve(name)
    assert target.judge == judge
    assert (target.persona.spec if target.persona else None) == spec


@pytest.mark.parametrize("name", ["adaem-judge/lenient", "judge-", "adaem-persona/powr", "gpt-4o", ""])
def test_resolve_rejects_unknown_names(name: str) -> None:
    with pytest.raises(ValueError):
        dispatch.resolve(name)


async def test_persona_provider_answers_like_the_persona() -> None:
    model = get_model("adaem-persona/power:0.7+hedonism:0.4")
    assert get_model("adaem-persona/power:0.7+hedonism:0.4") is model  # memoized like any provider
    question = synth_questions(1)[0]
    output = await model.generate(opinion_prompt(question))
    assert output.completion == parse_persona("power:0.7+hedonism:0.4").answer(question)
    assert output.usage is not None
    assert output.usage.output_tokens == len(output.completion.split())
    assert output.usage.input_tokens == len(opinion_prompt(question).split())


async def test_provider_reads_the_last_user_message_and_the_prime() -> None:
    model = get_model("adaem-persona/power", memoize=False)
    question = synth_questions(5)[4]
    prime = SCHWARTZ.priming_message("Tradition")
    messages: list[ChatMessage] = [
        ChatMessageSystem(content=prime),
        ChatMessageUser(content="Earlier turn."),
        ChatMessageUser(content=opinion_prompt(question)),
    ]
    output = await model.generate(messages)
    assert output.completion == parse_persona("power").answer(question, prime="tradition")


def test_bad_spec_fails_at_get_model() -> None:
    with pytest.raises(ValueError, match="powr"):
        get_model("adaem-persona/powr", memoize=False)
    with pytest.raises(ValueError, match="lenient"):
        get_model("adaem-judge/lenient", memoize=False)


async def test_other_prompts_go_to_the_generator_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Persona | None, str]] = []

    def handler(persona: Persona | None, prompt: str) -> str | None:
        seen.append((persona, prompt))
        return "Should cities ban cars?" if "question" in prompt else None

    monkeypatch.setattr(generator_handlers, "respond_generator", handler)
    persona_model = get_model("adaem-persona/saturating-power", memoize=False)
    judge_model = get_model("adaem-judge/keyword", memoize=False)
    assert (await persona_model.generate("Write a question.")).completion == "Should cities ban cars?"
    fallback = (await judge_model.generate("Say hello.")).completion
    assert fallback == dispatch.fallback_answer("adaem-judge/keyword", "Say hello.")
    assert fallback == (await judge_model.generate("Say hello.")).completion  # deterministic
    assert seen[0][0] is parse_persona("saturating-power") and seen[1][0] is None
    # judge and opinion prompts never reach the generator handlers
    await persona_model.generate(single_judge_prompt(SCHWARTZ, marker(SCHWARTZ, "power"), "power"))
    await persona_model.generate(opinion_prompt("Should zoos exist?"))
    assert len(seen) == 3


def test_inspect_eval_with_scripted_models(tmp_path: Path) -> None:
    questions = synth_questions(6)
    task = Task(
        dataset=[Sample(input=opinion_prompt(q), id=i) for i, q in enumerate(questions)], solver=generate()
    )
    logs = eval(
        task,
        model="adaem-persona/markdown-power",
        log_dir=str(tmp_path / "logs"),
        display="none",
        log_format="json",
    )
    assert logs[0].status == "success"
    samples = logs[0].samples or []
    assert len(samples) == len(questions)
    for sample in samples:
        assert parse_opinion(sample.output.completion).outcome is ParseOutcome.OK
    usage = logs[0].stats.model_usage["adaem-persona/markdown-power"]
    assert usage.output_tokens == sum(len(s.output.completion.split()) for s in samples)
