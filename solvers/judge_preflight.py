"""Call the judge once before the first examinee call: an unreachable judge costs no examinee tokens.

Without this, a judge behind a wrong base URL, a dead server or a bad key shows up only
when the first answer is scored -- after the examinee has answered, and (Inspect retrying
connection errors forever by default) possibly never. The task's ``setup`` step runs
before the solver of every sample; the first sample to get there makes one judge call
(the real judge prompt over a fixed probe text) while the others wait for it, so the
examinee is called only once the judge has answered. If the call raises, every sample
fails with :class:`JudgeUnavailableError` and the eval stops with status ``error``
before any examinee call.

What it checks is *reachability*: any answer will do. An answer that is neither Yes/No
nor JSON is logged as a warning but is not fatal -- an unreadable judge label is a
counted unknown (``judge_failure_rate``), see :mod:`adaem_tasks.judge`.
"""

from __future__ import annotations

import logging

import anyio
from inspect_ai.model import GenerateConfig, Model, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from tenacity import RetryError

from adaem_tasks.judge import (
    JudgeMode,
    batched_judge_prompt,
    parse_batched_labels,
    parse_yes_no,
    single_judge_prompt,
)
from adaem_tasks.solvers.opinion import ensure_grader
from adaem_tasks.value_systems import ValueSystem, load_value_system

__all__ = ["PREFLIGHT_MAX_RETRIES", "PROBE_TEXT", "JudgeUnavailableError", "judge_preflight"]

logger = logging.getLogger(__name__)

PROBE_TEXT = "People should be free to choose their own goals and to think for themselves."
"""The text the probe asks the judge to label (its label does not matter, only that it answers)."""

PREFLIGHT_MAX_RETRIES = 2
"""Retries of the probe when the grader model sets none: Inspect's default is to retry forever."""


class JudgeUnavailableError(RuntimeError):
    """The judge bound to the ``grader`` role raised on the preflight call (after its retries)."""


async def _probe(grader: Model, system: ValueSystem, mode: JudgeMode) -> str:
    retries = grader.config.max_retries
    config = GenerateConfig(
        temperature=0.0, max_retries=PREFLIGHT_MAX_RETRIES if retries is None else retries
    )
    if mode == "single":
        prompt = single_judge_prompt(system, PROBE_TEXT, system.keys[0])
    else:
        prompt = batched_judge_prompt(system, PROBE_TEXT)
    # cache=False: a cached answer would say nothing about whether the judge is reachable now
    output = await grader.generate(prompt, config=config, cache=False)
    answer = output.completion
    readable = (
        parse_yes_no(answer) is not None
        if mode == "single"
        else any(v is not None for v in parse_batched_labels(answer, system).values())
    )
    if not readable:
        logger.warning(
            "the judge %s answered the preflight probe unreadably (%r); its unreadable labels will be "
            "counted in judge_failure_rate",
            grader,
            answer[:120],
        )
    return answer


def _root_cause(exc: BaseException) -> BaseException:
    """The provider's own error behind Inspect's retry wrapper (``RetryError[<Future ...>]`` says nothing)."""
    if isinstance(exc, RetryError):
        inner = exc.last_attempt.exception()
        if inner is not None:
            return inner
    return exc


@solver
def judge_preflight(value_system: str = "schwartz", judge_mode: JudgeMode = "single") -> Solver:
    """Setup step: one judge call per task before any examinee call (see the module docstring)."""
    system = load_value_system(value_system)
    lock = anyio.Lock()
    outcome: dict[str, JudgeUnavailableError | None] = {}

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        async with lock:
            if "error" not in outcome:
                ensure_grader()
                grader = get_model(role="grader", required=True)
                try:
                    await _probe(grader, system, judge_mode)
                    outcome["error"] = None
                except Exception as exc:  # noqa: BLE001 - whatever the provider raised, after its retries
                    cause = _root_cause(exc)
                    outcome["error"] = JudgeUnavailableError(
                        f"the judge {grader} (the 'grader' role) did not answer a preflight call: "
                        f"{type(cause).__name__}: {str(cause).rstrip('.')}. No examinee call was made. "
                        "Check the judge's model name, base URL and API key."
                    )
        error = outcome["error"]
        if error is not None:
            raise error
        return state

    return solve
