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
            value_system=value_system, judge_mode=judge_mode, points=points, max_attempts=judge_max_attempts
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
) -> Task:
    """AdAEM over the 10 Schwartz basic values: which values a model expresses when it argues a stance.

    The examinee answers each controversial yes/no question with a stance and key points
    (paper Listing 3); the model bound to the ``grader`` role (required) labels every key point
    against every value (Listing 4), and the labels are OR-ed per question.

    Args:
        version: Question-set version: ``seed-v1`` (shipped) or one published by ``adaem-gen``.
        questions: A question JSONL file (``id``, ``question``, ``category``, ``topic`` per line)
            or a set directory, used instead of ``version``.
        judge_mode: ``single``: one Yes/No judge call per key point and value (paper Listing 4);
            ``batched``: one call per key point that returns every label as JSON.
        points: Key points asked of the examinee (paper App. C.2).
        words: Word budget of the examinee's answer (paper App. C.2).
        prime: A value to prime the examinee with, e.g. ``power`` (the App. C.11 validity check).
        categories: Comma-separated topic categories to keep (default: every category).
        judge_max_attempts: Tries per judge prompt whose answer is unreadable; a label still
            unreadable after them is unknown (counted in ``judge_failure_rate``, never 0).
    """
    return adaem_task(
        "schwartz", version, questions, judge_mode, points, words, prime, categories, judge_max_attempts
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
) -> Task:
    """AdAEM over the 5 moral foundations (paper App. J): care, fairness, loyalty, authority, sanctity.

    The same chain as ``schwartz`` (stance and key points, Listing 3; a judge bound to the
    ``grader`` role labels every key point against every foundation, Listing 4; OR per question).

    Args:
        version: Question-set version: ``seed-v1`` (shipped) or one published by ``adaem-gen``.
        questions: A question JSONL file (``id``, ``question``, ``category``, ``topic`` per line)
            or a set directory, used instead of ``version``.
        judge_mode: ``single``: one Yes/No judge call per key point and value (paper Listing 4);
            ``batched``: one call per key point that returns every label as JSON.
        points: Key points asked of the examinee (paper App. C.2).
        words: Word budget of the examinee's answer (paper App. C.2).
        prime: A value to prime the examinee with, e.g. ``care`` (the App. C.11 validity check).
        categories: Comma-separated topic categories to keep (default: every category).
        judge_max_attempts: Tries per judge prompt whose answer is unreadable; a label still
            unreadable after them is unknown (counted in ``judge_failure_rate``, never 0).
    """
    return adaem_task(
        "mft", version, questions, judge_mode, points, words, prime, categories, judge_max_attempts
    )
