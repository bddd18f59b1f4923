"""The two-turn "ask, follow up, read a question" loop shared by exploration and refinement.

Both Listing 5 -> 6 (explore) and Listing 7 -> 8 (refine) ask one open turn (facts or
suggestions), then, in the same conversation, ask for a yes/no question. An answer with
no readable question (or a refusal) is retried from turn 1 up to ``max_attempts`` times
and each unreadable try is counted; when every try raised (after Inspect's own
retries) :class:`ModelUnavailable` is raised -- nothing came back at all.

Cache keys (``{scope}/{step}/{spec}/{attempt}/{first_tag}`` and ``.../q``) and ledger
counters (``{step}_{outcome}_retry``, ``{step}_{outcome}``) are part of the journal's
contract: a resumed run must hit the same cache entries and report the same counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from inspect_ai.model import CachePolicy, ChatMessageAssistant, ChatMessageUser, GenerateConfig

from adaem_gen.models import MeteredModel, ModelUnavailable, current_ledger
from adaem_gen.questions.parsing import GenOutcome, parse_generated_question

__all__ = ["TwoTurnAnswer", "TwoTurnOptions", "ask_two_turn"]


class TwoTurnOptions(TypedDict, total=False):
    """Keyword options of :func:`ask_two_turn`, passed through by ``explore`` and ``refine``.

    ``temperature`` / ``top_p`` (default 1.0 / 0.95, App. C.4), ``max_attempts`` (3),
    ``cache_for`` (scope -> Inspect cache policy; default no cache) and ``scope`` (the
    unit's cache-key prefix). The pipeline builds them once from its run config.
    """

    temperature: float | None
    top_p: float | None
    max_attempts: int
    cache_for: Callable[[str], bool | CachePolicy]
    scope: str


@dataclass(frozen=True)
class TwoTurnAnswer:
    """The outcome of the last try; the other fields are set only when it is OK."""

    outcome: GenOutcome
    attempts: int
    question: str | None = None
    argument: str | None = None
    first_reply: str = ""
    """The first turn's reply (facts, suggestions), stripped."""


async def ask_two_turn(
    model: MeteredModel,
    first_prompt: str,
    second_prompt: str,
    *,
    step: str,
    first_tag: str,
    doing: str,
    temperature: float | None = 1.0,
    top_p: float | None = 0.95,
    max_attempts: int = 3,
    cache_for: Callable[[str], bool | CachePolicy] = lambda _s: False,
    scope: str = "",
) -> TwoTurnAnswer:
    """Ask ``first_prompt``, then ``second_prompt`` after its reply; parse a generated question.

    ``step`` names the cache keys and ledger counters, ``first_tag`` the first turn's
    cache key suffix, and ``doing`` the activity in the :class:`ModelUnavailable` message.
    """
    config = GenerateConfig(temperature=temperature, top_p=top_p)
    first = ChatMessageUser(content=first_prompt)
    second = ChatMessageUser(content=second_prompt)
    ledger = current_ledger()
    outcome = GenOutcome.EMPTY
    errors: list[str] = []
    for attempt in range(1, max_attempts + 1):
        key = f"{scope}/{step}/{model.spec}/{attempt}"
        try:
            reply = await model.generate([first], config=config, cache=cache_for(f"{key}/{first_tag}"))
            first_reply = reply.completion
            answer = await model.generate(
                [first, ChatMessageAssistant(content=first_reply), second],
                config=config,
                cache=cache_for(key + "/q"),
            )
        except Exception as exc:  # noqa: BLE001 - provider failure after Inspect's retries: retry
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        parsed = parse_generated_question(answer.completion)
        outcome = parsed.outcome
        if parsed.outcome is GenOutcome.OK:
            return TwoTurnAnswer(
                outcome=outcome,
                attempts=attempt,
                question=parsed.question,
                argument=parsed.argument,
                first_reply=first_reply.strip(),
            )
        if ledger is not None:
            ledger.fail(f"{step}_{outcome.value}_retry")
    if len(errors) == max_attempts:
        raise ModelUnavailable(f"{model.spec} failed {max_attempts} times while {doing}: {errors[-1]}")
    if ledger is not None:
        ledger.fail(f"{step}_{outcome.value}")
    return TwoTurnAnswer(outcome=outcome, attempts=max_attempts)
