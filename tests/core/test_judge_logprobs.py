"""Probability labels: P(Yes) from the first answer token's log-probabilities, where the provider has them.

The loopback server answers as the ``split-yes`` judge: its Yes mass is split over token
variants (" Yes" 0.30, "yes" 0.25, "No" 0.45 where the keyword truth is Yes), so its
*text* is always "No". Only pooling the variants (P(Yes) = 0.55) recovers the truth; a
provider without log-probabilities leaves the text label, exactly as before.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessageAssistant,
    GenerateConfig,
    Logprob,
    Logprobs,
    ModelOutput,
    TopLogprob,
    get_model,
)

from adaem_tasks.judge import JudgeConfig, judge_opinion, judge_point, yes_probability
from adaem_tasks.opinion import parse_opinion
from adaem_tasks.task_configs import lm_eval_bridge as bridge
from adaem_tasks.testing.judges import keyword_labels
from adaem_tasks.testing.openai_server import ServerHandle
from adaem_tasks.testing.personas import parse_persona
from adaem_tasks.value_systems import load_value_system

SCHWARTZ = load_value_system("schwartz")
FAST = GenerateConfig(max_retries=2, timeout=20)
POWER_TEXT = f"Payday lenders: this is about {SCHWARTZ.value('power').definition}."


def _output(*positions: tuple[str, float, dict[str, float]]) -> ModelOutput:
    content = [
        Logprob(
            token=token,
            logprob=math.log(p),
            top_logprobs=[TopLogprob(token=t, logprob=math.log(q)) for t, q in alternatives.items()],
        )
        for token, p, alternatives in positions
    ]
    text = "".join(token for token, _, _ in positions)
    return ModelOutput(
        model="m",
        choices=[
            ChatCompletionChoice(
                message=ChatMessageAssistant(content=text), logprobs=Logprobs(content=content)
            )
        ],
    )


def test_p_yes_pools_token_variants() -> None:
    output = _output(("No", 0.45, {"No": 0.45, " Yes": 0.30, "yes": 0.20, "YES.": 0.05}))
    assert yes_probability(output) == pytest.approx(0.55)


def test_p_yes_reads_the_first_yes_no_token() -> None:
    """Markdown or whitespace before the answer is skipped; later Yes/No tokens are not read."""
    output = _output(
        ("**", 0.9, {"**": 0.9}), ("Yes", 0.8, {"Yes": 0.8, "No": 0.2}), (" no", 0.9, {" no": 0.9})
    )
    assert yes_probability(output) == pytest.approx(0.8)


def test_p_yes_counts_the_chosen_token_once() -> None:
    output = _output(("Yes", 0.6, {"Yes": 0.6, "No": 0.2}))  # the chosen token is also in top_logprobs
    assert yes_probability(output) == pytest.approx(0.75)


def test_p_yes_without_alternatives_gives_the_rest_to_the_other_answer() -> None:
    """Providers that return only the chosen token's log-probability (no top_logprobs)."""
    assert yes_probability(_output(("No", 0.7, {}))) == pytest.approx(0.3)
    assert yes_probability(_output((" Yes", 0.95, {}))) == pytest.approx(0.95)


def test_p_yes_is_unknown_without_logprobs_or_answer_token() -> None:
    assert yes_probability(ModelOutput.from_content("m", "Yes")) is None
    assert yes_probability(_output(("Maybe", 0.9, {"Maybe": 0.9, "Perhaps": 0.1}))) is None


async def test_probability_labels_recover_what_the_text_hides(loop: ServerHandle) -> None:
    judge = get_model("openai-api/loop/judge-split-yes", config=FAST, memoize=False)
    truth = {k: int(v) for k, v in keyword_labels(SCHWARTZ, POWER_TEXT).items()}
    assert truth["power"] == 1 and sum(truth.values()) == 1

    with_p = await judge_point(judge, SCHWARTZ, POWER_TEXT, JudgeConfig(cache=False))
    assert with_p.labels == truth
    assert with_p.probabilities["power"] == pytest.approx(0.55)
    assert with_p.probabilities["tradition"] == pytest.approx(0.20)

    text_only = await judge_point(judge, SCHWARTZ, POWER_TEXT, JudgeConfig(cache=False, logprobs=False))
    assert text_only.labels == dict.fromkeys(SCHWARTZ.keys, 0)  # the text says "No" every time
    assert text_only.probabilities == {}

    strict = await judge_point(judge, SCHWARTZ, POWER_TEXT, JudgeConfig(cache=False, threshold=0.6))
    assert strict.labels["power"] == 0 and strict.probabilities["power"] == pytest.approx(0.55)


async def test_consistent_judge_labels_are_unchanged_by_logprobs(loop: ServerHandle) -> None:
    """The keyword judge's P(Yes) agrees with its text: probability labels equal the text labels."""
    judge = get_model("openai-api/loop/judge-keyword", config=FAST, memoize=False)
    with_p = await judge_point(judge, SCHWARTZ, POWER_TEXT, JudgeConfig(cache=False))
    text_only = await judge_point(judge, SCHWARTZ, POWER_TEXT, JudgeConfig(cache=False, logprobs=False))
    assert with_p.labels == text_only.labels
    assert with_p.probabilities["power"] == pytest.approx(0.9)
    assert all(p == pytest.approx(0.1) for k, p in with_p.probabilities.items() if k != "power")


async def test_batched_mode_carries_no_probabilities(loop: ServerHandle) -> None:
    judge = get_model("openai-api/loop/judge-split-yes", config=FAST, memoize=False)
    result = await judge_opinion(judge, SCHWARTZ, [POWER_TEXT], JudgeConfig(mode="batched", cache=False))
    assert result.points[0].probabilities == {}
    assert result.vector["power"] == 1


async def test_flaky_judge_with_logprobs_still_retries(loop: ServerHandle) -> None:
    """A garbage first answer holds no Yes/No token: no P(Yes), unreadable text, so it is asked again."""
    judge = get_model("openai-api/loop/judge-flaky", config=FAST, memoize=False)
    loop.dispatcher.reset()
    result = await judge_point(judge, SCHWARTZ, POWER_TEXT, JudgeConfig(max_attempts=2))
    assert result.failed == [] and result.labels["power"] == 1
    assert set(result.probabilities) == set(SCHWARTZ.keys)


def test_inspect_task_puts_p_yes_in_score_metadata(loop: ServerHandle, tmp_path: Path) -> None:
    """The real task, examinee and grader behind the loopback server: labels from P(Yes), P(Yes) kept."""
    persona = "power+security"
    logs = inspect_eval(
        "adaem_tasks/schwartz",
        model=f"openai-api/loop/{persona}",
        model_roles={"grader": "openai-api/loop/judge-split-yes"},
        limit=4,
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    samples = logs[0].samples or []
    assert logs[0].status == "success" and len(samples) == 4
    for sample in samples:
        score = sample.scores["value_judge"]  # type: ignore[index]
        question = str(sample.input)  # the question text (the solver builds the Listing 3 prompt)
        points = score.metadata["points"]
        assert len(score.metadata["point_probabilities"]) == len(points)
        for text, probabilities in zip(points, score.metadata["point_probabilities"], strict=True):
            truth = keyword_labels(SCHWARTZ, text)
            assert {k: p >= 0.5 for k, p in probabilities.items()} == truth
        assert score.metadata["vector"] == parse_persona(persona).expressed(question)


async def test_lm_eval_verdicts_carry_p_yes(loop: ServerHandle) -> None:
    persona = parse_persona("power+security")
    question = "Should payday lenders be allowed to advertise on television after midnight?"
    answer = persona.answer(question)
    async with get_model("openai-api/loop/judge-split-yes", config=FAST, memoize=False) as judge:
        verdicts = await bridge.judge_answers(
            judge, [(SCHWARTZ, answer)], JudgeConfig(cache=False), judge="openai-api/loop/judge-split-yes"
        )
    verdict = verdicts[0]
    assert verdict.vector == persona.expressed(question)
    assert len(verdict.point_probabilities) == len(parse_opinion(answer).points)
    assert "point_probabilities" in verdict.model_dump_json()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ADAEM_JUDGE_THRESHOLD": "1.5"}, "ADAEM_JUDGE_THRESHOLD"),
        ({"ADAEM_JUDGE_THRESHOLD": "half"}, "ADAEM_JUDGE_THRESHOLD"),
        ({"ADAEM_JUDGE_LOGPROBS": "maybe"}, "ADAEM_JUDGE_LOGPROBS"),
    ],
)
def test_lm_eval_threshold_settings_are_checked(env: dict[str, str], message: str) -> None:
    with pytest.raises(bridge.JudgeNotConfiguredError, match=message):
        bridge.judge_settings({"ADAEM_JUDGE_MODEL": "mockllm/model", **env})


def test_lm_eval_threshold_settings_are_read() -> None:
    settings = bridge.judge_settings(
        {"ADAEM_JUDGE_MODEL": "mockllm/model", "ADAEM_JUDGE_THRESHOLD": "0.7", "ADAEM_JUDGE_LOGPROBS": "0"}
    )
    assert settings.threshold == 0.7 and settings.logprobs is False
    assert bridge.judge_settings({"ADAEM_JUDGE_MODEL": "mockllm/model"}).logprobs is True
