"""Question exploration (Alg. 2 line 11): the two-turn COT of Listings 5 and 6.

Turn 1 (Listing 5) shows the parent question as the ``[General Argument]`` and the
arm's best-scored specific questions (top ``N_shot``, with their S) and asks for one
new contextual fact; turn 2 (Listing 6) asks for a one-sentence argument and its
yes/no question. Generation uses temperature 1.0 / top_p 0.95 (App. C.4).

An answer with no readable question (or a refusal) is retried from turn 1 up to
``max_attempts`` times and then counted; the caller gets ``question=None``. When
every try raised (after Inspect's own retries) :class:`ModelUnavailable` is raised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from inspect_ai.model import CachePolicy, ChatMessageAssistant, ChatMessageUser, GenerateConfig
from pydantic import BaseModel

from adaem_gen.models import MeteredModel, ModelUnavailable, current_ledger
from adaem_gen.parsing import GenOutcome, parse_generated_question
from adaem_gen.prompts import render

__all__ = ["Exploration", "explore", "explore_prompt", "format_specifics"]


class Exploration(BaseModel):
    model: str
    outcome: str
    question: str | None = None
    argument: str | None = None
    facts: str = ""
    attempts: int = 0


def format_specifics(specifics: Sequence[tuple[str, float]]) -> str:
    """Listing 5's numbered ``<question>[Score: <S>]`` list (``(none yet)`` for a fresh arm)."""
    if not specifics:
        return "(none yet)"
    return "\n".join(f"{i}. {text}[Score: {score:.2f}]" for i, (text, score) in enumerate(specifics, start=1))


def explore_prompt(general: str, specifics: Sequence[tuple[str, float]]) -> str:
    return render("explore_cot", general=general, specifics=format_specifics(specifics))


async def explore(
    model: MeteredModel,
    general: str,
    specifics: Sequence[tuple[str, float]],
    *,
    temperature: float | None = 1.0,
    top_p: float | None = 0.95,
    max_attempts: int = 3,
    cache_for: Callable[[str], bool | CachePolicy] = lambda _s: False,
    scope: str = "",
) -> Exploration:
    """Run Listings 5 -> 6 with ``model``; retry unreadable answers, then give up counted."""
    config = GenerateConfig(temperature=temperature, top_p=top_p)
    first = ChatMessageUser(content=explore_prompt(general, specifics))
    second = ChatMessageUser(content=render("explore_question"))
    ledger = current_ledger()
    outcome = GenOutcome.EMPTY
    errors: list[str] = []
    for attempt in range(1, max_attempts + 1):
        key = f"{scope}/explore/{model.spec}/{attempt}"
        try:
            cot = await model.generate([first], config=config, cache=cache_for(key + "/cot"))
            facts = cot.completion
            answer = await model.generate(
                [first, ChatMessageAssistant(content=facts), second],
                config=config,
                cache=cache_for(key + "/q"),
            )
        except Exception as exc:  # noqa: BLE001 - provider failure after Inspect's retries: retry
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        parsed = parse_generated_question(answer.completion)
        outcome = parsed.outcome
        if parsed.outcome is GenOutcome.OK:
            return Exploration(
                model=model.spec,
                outcome=outcome.value,
                question=parsed.question,
                argument=parsed.argument,
                facts=facts.strip(),
                attempts=attempt,
            )
        if ledger is not None:
            ledger.fail(f"explore_{outcome.value}_retry")
    if len(errors) == max_attempts:
        raise ModelUnavailable(f"{model.spec} failed {max_attempts} times while exploring: {errors[-1]}")
    if ledger is not None:
        ledger.fail(f"explore_{outcome.value}")
    return Exploration(model=model.spec, outcome=outcome.value, attempts=max_attempts)
