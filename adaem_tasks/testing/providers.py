"""Inspect model providers for the scripted personas and judges.

Importing this module registers two providers with Inspect:

* ``adaem-persona/<spec>`` -- a scripted examinee (:mod:`adaem_tasks.testing.personas`);
* ``adaem-judge/<kind>`` -- a scripted judge, kind ``keyword``, ``garbage``, ``flaky`` or ``obedient``
  (:mod:`adaem_tasks.testing.judges`).

``adaem_tasks._registry`` imports it, so ``inspect eval ... --model adaem-persona/power``
works from the command line. Both answer the last user message through
:meth:`adaem_tasks.testing.dispatch.Dispatcher.respond`. Every output carries explicit
token usage (whitespace word counts) and token counting is overridden the same way:
Inspect's default counts with a tiktoken encoding that would have to be downloaded.
"""

from __future__ import annotations

from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from adaem_tasks.testing.dispatch import Dispatcher, join_conversation, resolve

__all__ = ["JudgeAPI", "PersonaAPI", "ScriptedModelAPI", "scripted_output", "word_count"]


def word_count(text: str) -> int:
    """The token estimate used everywhere in the test doubles."""
    return len(text.split())


def scripted_output(model: str, text: str, input_tokens: int) -> ModelOutput:
    """A ModelOutput with explicit usage, so Inspect never needs a tokenizer."""
    output = ModelOutput.from_content(model=model, content=text, stop_reason="stop")
    output_tokens = word_count(text)
    output.usage = ModelUsage(
        input_tokens=input_tokens, output_tokens=output_tokens, total_tokens=input_tokens + output_tokens
    )
    return output


def _last_user_text(messages: list[ChatMessage]) -> str:
    for message in reversed(messages):
        if isinstance(message, ChatMessageUser):
            return message.text
    return messages[-1].text if messages else ""


def _system_text(messages: list[ChatMessage]) -> str | None:
    texts = [m.text for m in messages if isinstance(m, ChatMessageSystem)]
    return "\n".join(texts) if texts else None


class ScriptedModelAPI(ModelAPI):
    """Shared base: answers via a per-instance :class:`Dispatcher` under ``<prefix>/<model_name>``."""

    prefix = ""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(
            model_name=model_name, base_url=base_url, api_key=api_key, config=config or GenerateConfig()
        )
        self.qualified = f"{self.prefix}/{model_name}"
        resolve(self.qualified)  # fail at construction, not at the first sample, on a bad spec
        self.dispatcher = Dispatcher()
        self.model_args = model_args

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        turns = [m.text for m in input if not isinstance(m, ChatMessageSystem)]
        text = self.dispatcher.respond(
            self.qualified, _last_user_text(input), _system_text(input), join_conversation(turns)
        )
        return scripted_output(self.model_name, text, sum(word_count(m.text) for m in input))

    async def count_text_tokens(self, text: str) -> int:
        return word_count(text)

    def max_connections(self) -> int:
        return 64


class PersonaAPI(ScriptedModelAPI):
    """``adaem-persona/<spec>``."""

    prefix = "adaem-persona"


class JudgeAPI(ScriptedModelAPI):
    """``adaem-judge/<keyword|garbage|flaky|obedient>``."""

    prefix = "adaem-judge"


@modelapi(name="adaem-persona")
def _persona_api() -> type[ModelAPI]:
    return PersonaAPI


@modelapi(name="adaem-judge")
def _judge_api() -> type[ModelAPI]:
    return JudgeAPI
