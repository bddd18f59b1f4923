"""The AdAEM Inspect tasks: ``adaem_tasks/schwartz`` and ``adaem_tasks/mft``.

Both are the same chain (opinion prompt -> parse -> per-point judge -> OR) over a
versioned question set; only the value system differs, and it is data.

Usage::

    inspect eval adaem_tasks/schwartz --model openai/gpt-4o-mini --model-role grader=openai/gpt-4o
    inspect eval adaem_tasks/schwartz -T version=seed-v1 -T judge_mode=batched -T prime=power ...

Failing early, and readably:

* Bad input found while the task is built (a question file's ``path:line: reason``, an
  unknown version, category or option, an option value out of range or of the wrong type --
  see :mod:`adaem_tasks.task_options` -- a missing ``grader`` role) is raised as Inspect's
  ``PrerequisiteError``: ``inspect eval`` prints that one message and exits 1, before a
  log is opened or a model called. ``ADAEM_DEBUG=1`` raises the original error instead
  (with its traceback); ``--log-level debug`` logs the traceback before the message.
* A judge that cannot be reached is found by the ``setup`` step (:func:`judge_preflight`),
  before the first examinee call. That happens inside the eval, so it ends as an eval
  with status ``error``; Inspect's ``inspect eval`` exits 0 for those (``inspect eval-set``
  exits 1).
"""

from __future__ import annotations

import logging
from typing import Any

from inspect_ai import Task, task
from inspect_ai.solver import Solver

from adaem_tasks.conditions import Conditions
from adaem_tasks.dataset import SUMMARY_EXACT_KEY, question_dataset, summary_exact_metadata
from adaem_tasks.errors import as_prerequisite_error, debug_requested
from adaem_tasks.judge import JudgeMode
from adaem_tasks.opinion import DEFAULT_POINTS, DEFAULT_WORDS
from adaem_tasks.questions import DEFAULT_VERSION
from adaem_tasks.scorers import value_judge
from adaem_tasks.solvers import ensure_grader, judge_preflight, opinion_solver, value_prime
from adaem_tasks.task_options import task_options

__all__ = ["adaem_task", "mft", "schwartz"]

logger = logging.getLogger(__name__)


def _resolving_in_an_eval() -> bool:
    """Whether Inspect is building this task for an eval it runs (``inspect eval``, ``eval(\"...\")``).

    Inspect binds the eval's model and its roles before it calls a task function by name,
    so the ``grader`` role can be checked here. A ``Task`` built in Python before
    ``eval()`` sees no active model: the check is then left to the task's setup step.
    """
    try:
        # Inspect has no public way to ask whether an eval is being set up; if this private
        # name moves, the ImportError below leaves the check to the task's setup step.
        from inspect_ai.model._model import (
            active_model,  # inspect-evals-lint: ignore[IECQ001] -- no public equivalent (see above)
        )
    except ImportError:  # pragma: no cover - Inspect moved it: the setup step still checks
        return False
    return active_model() is not None


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
    **unknown_options: Any,
) -> Task:
    """Build the task for one value system (shared by every registered AdAEM task).

    Bad input ends in one message (see the module docstring), not a traceback: every option
    is checked first (:func:`~adaem_tasks.task_options.task_options`), and a name that is no
    option (``unknown_options``) is refused, not ignored.
    """
    try:
        options = task_options(
            value_system,
            version=version,
            questions=questions,
            judge_mode=judge_mode,
            points=points,
            words=words,
            prime=prime,
            categories=categories,
            judge_max_attempts=judge_max_attempts,
            judge_threshold=judge_threshold,
            judge_logprobs=judge_logprobs,
            unknown=unknown_options,
        )
        return _build_task(
            value_system,
            options.version,
            options.questions,
            options.judge_mode,
            options.points,
            options.words,
            options.prime,
            options.categories,
            options.judge_max_attempts,
            options.judge_threshold,
            options.judge_logprobs,
        )
    except ValueError as exc:  # our input errors, bad options, unknown versions and categories
        if debug_requested():
            raise
        logger.debug("cannot build adaem_tasks/%s", value_system, exc_info=True)
        raise as_prerequisite_error(exc, context=f"adaem_tasks/{value_system}") from exc


def _build_task(
    value_system: str,
    version: str,
    questions: str | None,
    judge_mode: JudgeMode,
    points: int,
    words: int,
    prime: str | None,
    categories: list[str] | None,
    judge_max_attempts: int,
    judge_threshold: float,
    judge_logprobs: bool,
) -> Task:
    if _resolving_in_an_eval():
        ensure_grader()
    dataset, qset = question_dataset(
        value_system, version=version, questions=questions, categories=categories
    )
    solvers: list[Solver] = []
    if prime:
        solvers.append(value_prime(value_system, prime))
    solvers.append(opinion_solver(points=points, words=words))
    return Task(
        dataset=dataset,
        setup=judge_preflight(value_system=value_system, judge_mode=judge_mode),
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
            # every measurement setting, so readers never merge runs measured differently
            **Conditions(
                prime=prime or None,
                points=points,
                words=words,
                judge_mode=judge_mode,
                judge_threshold=judge_threshold,
                judge_logprobs=judge_logprobs,
                judge_max_attempts=judge_max_attempts,
            ).to_metadata(),
            SUMMARY_EXACT_KEY: summary_exact_metadata(dataset),
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
    **unknown_options: Any,
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
        judge_threshold: P(Yes) at or above which a probability label is Yes (single mode, where
            the grader returns token log-probabilities).
        judge_logprobs: Ask the grader for token log-probabilities in single mode and label by
            P(Yes) where they come back; ``false`` reads the answer text only.
        **unknown_options: Any other ``-T`` name: refused (exit 1), never ignored.
    """
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
        **unknown_options,
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
    **unknown_options: Any,
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
        judge_threshold: P(Yes) at or above which a probability label is Yes (single mode, where
            the grader returns token log-probabilities).
        judge_logprobs: Ask the grader for token log-probabilities in single mode and label by
            P(Yes) where they come back; ``false`` reads the answer text only.
        **unknown_options: Any other ``-T`` name: refused (exit 1), never ignored.
    """
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
        **unknown_options,
    )
