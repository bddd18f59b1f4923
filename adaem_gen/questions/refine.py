"""Question refinement (Alg. 2 line 17): reflection (Listing 7) then refinement (Listing 8).

The reflection turn shows the general question (the question the candidate was explored
from, as in Listing 5's ``[General Argument]``), the question, its background (the
contextual fact Listing 5 collected), every P1 model's key points and values, and the
current S, and asks for improvement suggestions only; the refinement turn, in the same
conversation, asks for the improved yes/no question. Unreadable refinements are
retried and then counted; the caller keeps the unrefined question.
"""

from __future__ import annotations

from typing import Unpack

from pydantic import BaseModel

from adaem_gen.models import MeteredModel
from adaem_gen.prompts import render
from adaem_gen.questions.two_turn import TwoTurnOptions, ask_two_turn
from adaem_gen.scoring.estimate import Estimate
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
    **options: Unpack[TwoTurnOptions],
) -> Refinement:
    """One reflect -> refine round with ``model``; ``question=None`` when it never worked."""
    answer = await ask_two_turn(
        model,
        reflect_prompt(general, question, background, estimate, system),
        render("refine"),
        step="refine",
        first_tag="reflect",
        doing="refining",
        **options,
    )
    return Refinement(
        model=model.spec,
        outcome=answer.outcome.value,
        question=answer.question,
        suggestions=answer.first_reply,
        attempts=answer.attempts,
    )
