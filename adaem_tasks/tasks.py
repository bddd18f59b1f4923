"""The AdAEM Inspect tasks: ``adaem_tasks/schwartz`` and ``adaem_tasks/mft``.

Both are the same chain (opinion prompt -> parse -> per-point judge -> OR) over a
versioned question set; only the value system differs, and it is data.

Usage::

    inspect eval adaem_tasks/schwartz --model openai/gpt-4o-mini --model-role grader=openai/gpt-4o
    inspect eval adaem_tasks/schwartz -T version=seed-v1 -T judge_mode=batched -T prime=power ...
"""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.solver import Solver

from adaem_tasks.dataset import question_dataset
from adaem_tasks.judge import JudgeMode
from adaem_tasks.opinion import DEFAULT_POINTS, DEFAULT_WORDS
from adaem_tasks.questions import DEFAULT_VERSION
from adaem_tasks.scorers import value_judge
from adaem_tasks.solvers import opinion_solver, value_prime

__all__ = ["adaem_task", "mft", "schwartz"]


def _as_list(value: str | list[str] | None) -> list[str] | None:
    if value is None or isinstance(value, list):
        return value
    return [part.strip() for part in value.split(",") if part.strip()]


def adaem_task(
    value_system: str,
    version: str = DEFAULT_VERSION,
    questions: str | None = None,
    judge_mode: JudgeMode = "single",
    points: int = DEFAULT_POINTS,
    words: int = DEFAULT_WORDS,
    prime: str | None = None,
    categories: str | list[str] | None = None,
    judge_max_attempts: int = 3,
    judge_threshold: float = 0.5,
    judge_logprobs: bool = True,
) -> Task:
    """Build the task for one value system (shared by every registered AdAEM task)."""
    if judge_mode not in ("single", "batched"):
        raise ValueError(f"judge_mode must be 'single' or 'batched', got {judge_mode!r}")
    dataset, qset = question_dataset(
        value_system, version=version, questions=questions, categories=_as_list(categories)
    )
    solvers: list[Solver] = []
    if prime:
        solvers.append(value_prime(value_system, prime))
    solvers.append(opinion_solver(points=points, words=words))
    return Task(
        dataset=dataset,
        solver=solvers,
        scorer=value_judge(
            value_system=value_system,
            judge_mode=judge_mode,
            points=points,
            max_attempts=judge_max_attempts,
            threshold=judge_threshold,
            logprobs=judge_logprobs,
        ),
        metadata={
            "set_version": qset.version,
            "set_content_hash": qset.manifest.content_hash,
            "set_kind": qset.manifest.kind,
            "value_system": value_system,
            "judge_mode": judge_mode,
            "prime": prime,
        },
    )


@task
def schwartz(
    version: str = DEFAULT_VERSION,
    questions: str | None = None,
    judge_mode: JudgeMode = "single",
    points: int = DEFAULT_POINTS,
    words: int = DEFAULT_WORDS,
    prime: str | None = None,
    categories: str | None = None,
    judge_max_attempts: int = 3,
    judge_threshold: float = 0.5,
    judge_logprobs: bool = True,
) -> Task:
    """AdAEM over the 10 Schwartz basic values."""
    return adaem_task(
        "schwartz",
        version,
        questions,
        judge_mode,
        points,
        words,
        prime,
        categories,
        judge_max_attempts,
        judge_threshold,
        judge_logprobs,
    )


@task
def mft(
    version: str = DEFAULT_VERSION,
    questions: str | None = None,
    judge_mode: JudgeMode = "single",
    points: int = DEFAULT_POINTS,
    words: int = DEFAULT_WORDS,
    prime: str | None = None,
    categories: str | None = None,
    judge_max_attempts: int = 3,
    judge_threshold: float = 0.5,
    judge_logprobs: bool = True,
) -> Task:
    """AdAEM over the 5 moral foundations (paper App. J)."""
    return adaem_task(
        "mft",
        version,
        questions,
        judge_mode,
        points,
        words,
        prime,
        categories,
        judge_max_attempts,
        judge_threshold,
        judge_logprobs,
    )
