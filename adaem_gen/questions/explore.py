"""Question exploration (Alg. 2 line 11): the two-turn COT of Listings 5 and 6.

Turn 1 (Listing 5) shows the question sampled from the arm's pool (Alg. 2 line 11: the
parent) as the ``[General Argument]`` and the arm's best-scored specific questions (top
``N_shot``, with their S) and asks for one new contextual fact; turn 2 (Listing 6) asks
for a one-sentence argument and its yes/no question. The fact (read from turn 1 by
:func:`~adaem_gen.questions.parsing.contextual_fact`) is kept as the exploration's
``background``: it is journaled with the exploration and becomes Listing 7's
``[Background]`` when the question is refined. Generation uses temperature 1.0 / top_p
0.95 (App. C.4).

An answer with no readable question (or a refusal) is retried from turn 1 up to
``max_attempts`` times and then counted; the caller gets ``question=None``. When
every try raised (after Inspect's own retries) :class:`ModelUnavailable` is raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

from pydantic import BaseModel

from adaem_gen.models import MeteredModel
from adaem_gen.prompts import render
from adaem_gen.questions.parsing import contextual_fact
from adaem_gen.questions.two_turn import TwoTurnOptions, ask_two_turn

__all__ = ["Exploration", "explore", "explore_prompt", "format_specifics"]


class Exploration(BaseModel):
    model: str
    outcome: str
    question: str | None = None
    argument: str | None = None
    facts: str = ""
    background: str = ""
    """The contextual fact of ``facts`` (Listing 5's answer): Listing 7's ``[Background]``."""
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
    **options: Unpack[TwoTurnOptions],
) -> Exploration:
    """Run Listings 5 -> 6 with ``model``; retry unreadable answers, then give up counted."""
    answer = await ask_two_turn(
        model,
        explore_prompt(general, specifics),
        render("explore_question"),
        step="explore",
        first_tag="cot",
        doing="exploring",
        **options,
    )
    return Exploration(
        model=model.spec,
        outcome=answer.outcome.value,
        question=answer.question,
        argument=answer.argument,
        facts=answer.first_reply,
        background=contextual_fact(answer.first_reply),
        attempts=answer.attempts,
    )
