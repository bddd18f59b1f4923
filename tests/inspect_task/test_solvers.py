"""The two AdAEM solvers on their own, in a real Inspect eval with a scripted examinee.

(Not ``mockllm/model``: Inspect counts its tokens with a tiktoken encoding it would have to
download; the scripted providers report their own usage.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessageSystem

from adaem_tasks.opinion import opinion_prompt
from adaem_tasks.solvers import OPINION_STORE_KEY, opinion_solver, value_prime

QUESTION = "Should zoos be closed?"


def _run(task: Task, tmp_path: Path, **kwargs: object) -> EvalLog:
    (log,) = inspect_eval(task, model="adaem-persona/power", log_dir=str(tmp_path), display="none", **kwargs)  # type: ignore[arg-type]
    return log


def test_value_prime_then_opinion_solver_pose_the_listing_3_prompt(tmp_path: Path) -> None:
    task = Task(
        dataset=[Sample(id="q1", input=QUESTION)],
        solver=[value_prime("schwartz", "power"), opinion_solver(points=2, words=120)],
    )
    log = _run(task, tmp_path, model_roles={"grader": "adaem-judge/keyword"})
    assert log.status == "success" and log.samples
    messages = log.samples[0].messages
    assert isinstance(messages[0], ChatMessageSystem) and "value Power" in messages[0].text
    assert messages[1].text == opinion_prompt(QUESTION, points=2, words=120)
    stored = log.samples[0].store[OPINION_STORE_KEY]
    assert stored["outcome"] == "ok" and len(stored["points"]) == 2


def test_opinion_solver_refuses_to_run_without_a_grader(tmp_path: Path) -> None:
    task = Task(dataset=[Sample(id="q1", input=QUESTION)], solver=[opinion_solver()])
    log = _run(task, tmp_path)
    assert log.status == "error" and log.error is not None
    assert "'grader' model role" in log.error.message


def test_bad_solver_arguments_say_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="not a value of 'schwartz'; choose one of: self_direction"):
        value_prime("schwartz", "wealth")
    with pytest.raises(ValueError, match="points must be >= 1"):
        opinion_solver(points=0)
