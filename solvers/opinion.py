"""Ask the examinee for a stance and key points (paper Listing 3), then parse them."""

from __future__ import annotations

import logging

from inspect_ai.model import ChatMessageSystem, get_model, model_roles
from inspect_ai.solver import Generate, Solver, TaskState, solver

from adaem_tasks.cli_types import number
from adaem_tasks.errors import InputError
from adaem_tasks.opinion import DEFAULT_POINTS, DEFAULT_WORDS, MAX_POINTS, opinion_prompt, parse_opinion
from adaem_tasks.value_systems import load_value_system

__all__ = ["OPINION_STORE_KEY", "MissingGraderError", "opinion_solver", "ensure_grader", "value_prime"]

OPINION_STORE_KEY = "adaem_opinion"
"""Where the parsed opinion is kept in the sample store (and so in the log)."""

logger = logging.getLogger(__name__)


class MissingGraderError(InputError):
    """No model is bound to the ``grader`` role."""


_MISSING_GRADER = (
    "AdAEM needs a value judge bound to the 'grader' model role, e.g. "
    "`--model-role grader=openai/gpt-4o` (CLI) or `model_roles={'grader': ...}` (eval()). "
    "It is required: the model under evaluation never grades itself."
)


def ensure_grader() -> None:
    """Fail before the examinee is called if no judge is bound.

    The judge is the ``grader`` model role. Falling back to the model under test would
    let the examinee grade itself, so a missing role is an error, not a default. Only the
    binding is checked here (the task calls this while it is built); the solver resolves
    the model itself.
    """
    if "grader" not in model_roles():
        raise MissingGraderError(_MISSING_GRADER)


@solver
def value_prime(value_system: str, value: str) -> Solver:
    """Add the value-priming system message of paper App. C.11 (a validity check)."""
    system = load_value_system(value_system)
    matched = system.match(value)
    if matched is None:
        raise ValueError(
            f"prime={value!r} is not a value of {system.name!r}; choose one of: {', '.join(system.keys)}"
        )
    message = system.priming_message(matched.name)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.messages.insert(0, ChatMessageSystem(content=message))
        return state

    return solve


@solver
def opinion_solver(
    points: int = DEFAULT_POINTS, words: int = DEFAULT_WORDS, require_grader: bool = True
) -> Solver:
    """Pose the question with the Listing 3 prompt, generate, and store the parsed answer."""
    points = number("points", points, "int", low=1, high=MAX_POINTS)
    words = number("words", words, "int", low=1)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        # Fail before the examinee is called if no judge is bound. The judge is the
        # ``grader`` role; falling back to the model under test would let the examinee
        # grade itself, so a missing role is an error, not a default.
        if require_grader:
            ensure_grader()
            grader = get_model(role="grader", required=True)
            if str(grader) == str(get_model()):
                logger.warning(
                    "the grader role is bound to the model under evaluation (%s); it grades itself", grader
                )
        state.user_prompt.text = opinion_prompt(state.input_text, points=points, words=words)
        state = await generate(state)
        parsed = parse_opinion(state.output.completion, expected_points=points)
        state.store.set(OPINION_STORE_KEY, parsed.model_dump(mode="json"))
        return state

    return solve
