"""The optional safety guard (paper ethics statement): drop unsafe questions.

The paper runs Llama-Guard-4-12B over generated questions and removes those that are
harmful or could elicit serious harm. Two ways to ask:

* ``prompt`` (default): any instruction model, with our ``guard`` prompt.
* ``llama-guard``: the question is sent as the user turn of a conversation and the
  guard model's own chat template does the rest (Llama-Guard answers ``safe`` or
  ``unsafe\\nS<k>``).

An unreadable verdict is asked again; if it stays unreadable the question is treated
as **unsafe** (fail closed) and counted. A guard that only raises is
:class:`~adaem_gen.models.ModelUnavailable`, like any other model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from inspect_ai.model import CachePolicy, GenerateConfig
from pydantic import BaseModel

from adaem_gen.models import MeteredModel, ModelUnavailable, current_ledger
from adaem_gen.prompts import render
from adaem_gen.questions.parsing import parse_guard_verdict

__all__ = ["GuardMode", "GuardVerdict", "check_question"]

GuardMode = Literal["prompt", "llama-guard"]


class GuardVerdict(BaseModel):
    unsafe: bool
    readable: bool = True
    raw: str = ""


async def check_question(
    guard: MeteredModel,
    question: str,
    *,
    mode: GuardMode = "prompt",
    max_attempts: int = 3,
    cache_for: Callable[[str], bool | CachePolicy] = lambda _s: False,
    scope: str = "",
) -> GuardVerdict:
    prompt = question if mode == "llama-guard" else render("guard", question=question)
    config = GenerateConfig(temperature=0.0)
    ledger = current_ledger()
    raw = ""
    errors: list[str] = []
    for attempt in range(1, max_attempts + 1):
        try:
            output = await guard.generate(prompt, config=config, cache=cache_for(f"{scope}/guard/{attempt}"))
        except Exception as exc:  # noqa: BLE001 - provider failure after Inspect's retries: retry
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        raw = output.completion
        verdict = parse_guard_verdict(raw)
        if verdict is not None:
            return GuardVerdict(unsafe=verdict, raw=raw.strip()[:200])
        if ledger is not None:
            ledger.fail("guard_unreadable_retry")
    if len(errors) == max_attempts:
        raise ModelUnavailable(f"guard {guard.spec} failed {max_attempts} times: {errors[-1]}")
    if ledger is not None:
        ledger.fail("guard_unreadable")
    return GuardVerdict(unsafe=True, readable=False, raw=raw.strip()[:200])
