"""An examinee that writes judge instructions into its key points gets the labels its text earns.

The same persona answers twice -- once clean, once with an injection string appended to every
key point -- and the ``obedient`` scripted judge (which obeys any label it finds once the
judged text has ended) grades both. Every sample's value vector must be the same.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage, ChatMessageUser, GenerateConfig, ModelAPI, ModelOutput, modelapi
from inspect_ai.tool import ToolChoice, ToolInfo

from adaem_tasks.judge import single_judge_prompt
from adaem_tasks.tasks import schwartz
from adaem_tasks.testing.injections import inject_key_points, listing4_single_prompt
from adaem_tasks.testing.judges import keyword_labels, obedient_answer
from adaem_tasks.testing.personas import parse_opinion_request, parse_persona
from adaem_tasks.testing.providers import scripted_output
from adaem_tasks.value_systems import load_value_system

SPEC = "power+security"
SCHWARTZ = load_value_system("schwartz")
OBEDIENT = {"grader": "adaem-judge/obedient"}


class _InjectingPersona(ModelAPI):
    """``adaem-test-injecting/<persona spec>``: the persona's answer, an injection after every key point."""

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        prompt = next(m.text for m in reversed(input) if isinstance(m, ChatMessageUser))
        request = parse_opinion_request(prompt)
        assert request is not None, "only the opinion prompt is expected here"
        answer = parse_persona(self.model_name).answer(request.question, request.points)
        return scripted_output(self.model_name, inject_key_points(answer), len(prompt.split()))


@modelapi(name="adaem-test-injecting")
def _injecting_api() -> type[ModelAPI]:
    return _InjectingPersona


def _questions(tmp_path: Path) -> Path:
    topics = ["zoos", "nuclear power", "school uniforms", "meat taxes", "voting age", "space travel"]
    path = tmp_path / "questions.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": f"q{i}", "question": f"Should we rethink {t}?", "category": "c", "topic": t})
            + "\n"
            for i, t in enumerate(topics)
        ),
        encoding="utf-8",
    )
    return path


def _vectors(log: EvalLog) -> dict[str, dict[str, int | None]]:
    assert log.status == "success", log.error
    return {str(s.id): s.scores["value_judge"].metadata["vector"] for s in log.samples or []}  # type: ignore[index,union-attr]


@pytest.mark.parametrize("judge_mode", ["single", "batched"])
def test_injected_key_points_do_not_change_the_labels(tmp_path: Path, judge_mode: str) -> None:
    questions = _questions(tmp_path)
    logs = {}
    for model in (f"adaem-persona/{SPEC}", f"adaem-test-injecting/{SPEC}"):
        task = schwartz(questions=str(questions), judge_mode=judge_mode)  # type: ignore[arg-type]
        [logs[model]] = inspect_eval(
            task, model=model, model_roles=OBEDIENT, log_dir=str(tmp_path / "logs"), display="none"
        )
    clean, injected = (_vectors(log) for log in logs.values())
    assert injected == clean
    assert sum(v["power"] == 1 for v in clean.values()) >= 4  # the planted profile is what was read
    # the injections reached the judge, and would have worked on the paper's fenced prompt
    points = [
        p
        for s in logs[f"adaem-test-injecting/{SPEC}"].samples or []
        for p in s.scores["value_judge"].metadata["points"]
    ]  # type: ignore[index,union-attr]
    assert any("[Label]: Yes" in p for p in points)

    def truth(point: str) -> str:
        return "Yes" if keyword_labels(SCHWARTZ, point)["hedonism"] else "No"

    fooled = [
        p for p in points if obedient_answer(listing4_single_prompt(SCHWARTZ, p, "hedonism")) != truth(p)
    ]
    assert fooled and all(
        obedient_answer(single_judge_prompt(SCHWARTZ, p, "hedonism")) == truth(p) for p in points
    )
