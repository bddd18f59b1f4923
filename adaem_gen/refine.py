"""Question refinement (Alg. 2 line 17): reflection (Listing 7) then refinement (Listing 8).

The reflection turn shows the question, its background (the exploration's
``[Argument]`` sentence), every P1 model's key points and values, and the current S,
and asks for improvement suggestions only; the refinement turn, in the same
conversation, asks for the improved yes/no question. Unreadable refinements are
retried and then counted; the caller keeps the unrefined question.
"""

from __future__ import annotations

from collections.abc import Callable

from inspect_ai.model import CachePolicy, ChatMessageAssistant, ChatMessageUser, GenerateConfig
from pydantic import BaseModel

from adaem_gen.estimate import Estimate
from adaem_gen.models import MeteredModel, ModelUnavailable, current_ledger
from adaem_gen.parsing import GenOutcome, parse_generated_question
from adaem_gen.prompts import render
from adaem_tasks.value_systems import ValueSystem

__all__ = ["Refinement", "format_generation", "reflect_prompt", "refine"]


class Refinement(BaseModel):
    model: str
    outcome: str
    question: str | None = None
    suggestions: str = ""
    attempts: int = 0


def format_generation(estimate: Estimate, system: ValueSystem) -> str:
    """Listing 7's ``[Model-i Key-points]`` / ``[Model-i Value]`` blocks (models anonymised)."""
    blocks: list[str] = []
    for i, opinion in enumerate(estimate.opinions, start=1):
        if opinion.answered:
            points = "; ".join(opinion.points) or "(none)"
            values = ", ".join(system.value(k).name for k in opinion.values) or "(none)"
        else:
            points, values = f"(no usable answer: {opinion.outcome})", "(none)"
        blocks.append(f"[Model-{i} Key-points]: {points}\n[Model-{i} Value]: {values}")
    return "\n".join(blocks)


def reflect_prompt(
    general: str, question: str, background: str, estimate: Estimate, system: ValueSystem
) -> str:
    return render(
        "reflect",
        framework=system.title if system.name != "schwartz" else "Schwartz basic human values",
        general=general,
        question=question,
        background=background or "(none)",
        generation=format_generation(estimate, system),
        score=f"{estimate.s:.2f}",
    )


async def refine(
    model: MeteredModel,
    system: ValueSystem,
    general: str,
    question: str,
    background: str,
    estimate: Estimate,
    *,
    temperature: float | None = 1.0,
    top_p: float | None = 0.95,
    max_attempts: int = 3,
    cache_for: Callable[[str], bool | CachePolicy] = lambda _s: False,
    scope: str = "",
) -> Refinement:
    """One reflect -> refine round with ``model``; ``question=None`` when it never worked."""
    config = GenerateConfig(temperature=temperature, top_p=top_p)
    first = ChatMessageUser(content=reflect_prompt(general, question, background, estimate, system))
    second = ChatMessageUser(content=render("refine"))
    ledger = current_ledger()
    outcome = GenOutcome.EMPTY
    errors: list[str] = []
    for attempt in range(1, max_attempts + 1):
        key = f"{scope}/refine/{model.spec}/{attempt}"
        try:
            reflection = await model.generate([first], config=config, cache=cache_for(key + "/reflect"))
            suggestions = reflection.completion
            answer = await model.generate(
                [first, ChatMessageAssistant(content=suggestions), second],
                config=config,
                cache=cache_for(key + "/q"),
            )
        except Exception as exc:  # noqa: BLE001 - provider failure after Inspect's retries: retry
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        parsed = parse_generated_question(answer.completion)
        outcome = parsed.outcome
        if parsed.outcome is GenOutcome.OK:
            return Refinement(
                model=model.spec,
                outcome=outcome.value,
                question=parsed.question,
                suggestions=suggestions.strip(),
                attempts=attempt,
            )
        if ledger is not None:
            ledger.fail(f"refine_{outcome.value}_retry")
    if len(errors) == max_attempts:
        raise ModelUnavailable(f"{model.spec} failed {max_attempts} times while refining: {errors[-1]}")
    if ledger is not None:
        ledger.fail(f"refine_{outcome.value}")
    return Refinement(model=model.spec, outcome=outcome.value, attempts=max_attempts)
