"""Test doubles for the lm-eval side: a scripted Inspect judge and scripted examinee answers.

The scripted judge is an Inspect model provider (``lmeval-test/keyword``) that answers
"Yes" iff the judged text contains the value's marker ``[<value key>]``; the scripted
examinee answers carry those markers in their key points, so the planted profile is known.
(A module with a unique name rather than ``conftest`` so tests can import it unambiguously.)
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.model import ChatMessage, GenerateConfig, ModelAPI, ModelOutput, modelapi
from inspect_ai.tool import ToolChoice, ToolInfo

from adaem_tasks.testing.judges import parse_judge_request
from adaem_tasks.testing.providers import scripted_output, word_count
from adaem_tasks.value_systems import load_value_system

TEST_JUDGE = "lmeval-test/keyword"
_VALUE_RE = re.compile(r"### \[Value\]: (.*?)\n", re.S)


@dataclass
class JudgeStats:
    """What the scripted judge saw (module-level: Inspect builds the provider instances)."""

    calls: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    latency_s: float = 0.0  # > 0 makes overlapping calls observable

    def reset(self) -> None:
        self.calls = self.in_flight = self.max_in_flight = 0
        self.latency_s = 0.0


JUDGE_STATS = JudgeStats()


@modelapi(name="lmeval-test")
class KeywordJudge(ModelAPI):
    """Answers the single and batched judge prompts from value markers in the text.

    No ``__init__``: :class:`ModelAPI`'s own takes what Inspect passes (no model args here).
    """

    def connection_key(self) -> str:
        # one Inspect connection pool per model name (the default shares one per provider)
        return self.model_name

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        stats = JUDGE_STATS
        stats.calls += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            if stats.latency_s:
                await asyncio.sleep(stats.latency_s)
            return self._answer(input[-1].text)
        finally:
            stats.in_flight -= 1

    def _answer(self, prompt: str) -> ModelOutput:
        request = parse_judge_request(prompt)
        text = request.text if request else ""
        system = load_value_system("mft" if "moral foundation" in prompt.lower() else "schwartz")
        value_match = _VALUE_RE.search(prompt)
        if value_match:  # single mode: one Yes/No
            value = system.match(value_match.group(1))
            answer = "Yes" if value is not None and f"[{value.key}]" in text else "No"
        else:  # batched mode: one JSON object
            answer = json.dumps({k: f"[{k}]" in text for k in system.keys})
        return scripted_output(self.model_name, answer, word_count(prompt))


def persona_answer(markers: list[str]) -> str:
    """A well-formed opinion whose three key points carry the given value markers."""
    tags = " ".join(f"[{m}]" for m in markers)
    return (
        "Stance: yes\nKey Points:\n"
        f"1. **Order first**: it protects what matters {tags}.\n"
        f"2. Clear rules: people know where they stand {tags}.\n"
        "3. Less confusion: decisions get made faster.\n"
    )


REFUSAL = "I'm sorry, but I cannot share a personal opinion on this question."


def write_questions(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            record = {
                "id": f"q{i:02d}",
                "question": f"Should town {i} ban cars?",
                "category": "Society",
                "topic": "transport",
            }
            handle.write(json.dumps(record) + "\n")
    return path
