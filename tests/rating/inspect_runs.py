"""Real Inspect runs of the AdAEM task that end the ways a reader must handle: errors, an abort, a kill.

:class:`ScriptedExaminee` is a ``mockllm`` output stream whose n-th call fails, or kills its
own process, so where a run stops does not depend on timing: with one sample at a time
(``max_samples=1``) and a log flushed after every sample (``log_buffer=1``), exactly the
samples before that call are in the log.

Run as a script it makes the killed run: ``python inspect_runs.py QUESTIONS LOG_DIR KILL_AT``
leaves a log whose status stays ``started``, as a crashed or still-running eval does.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from typing import Literal

from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import ModelOutput, ModelUsage, get_model

ANSWER = (
    "Stance: yes\nKey Points:\n1. Freedom: people choose their own way.\n"
    "2. Safety: fewer crashes and injuries.\n3. Cost: cheaper for everyone."
)


class ScriptedExaminee(Iterator[ModelOutput]):
    """One fixed opinion per call; call ``n`` in ``fail`` raises, call ``kill_at`` SIGKILLs the process."""

    def __init__(self, fail: frozenset[int] = frozenset(), kill_at: int | None = None) -> None:
        self.calls = 0
        self.fail = fail
        self.kill_at = kill_at

    def __next__(self) -> ModelOutput:
        self.calls += 1
        if self.calls == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.calls in self.fail:
            raise RuntimeError(f"examinee crashed on call {self.calls}")
        output = ModelOutput.from_content(model="mockllm/model", content=ANSWER)
        output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)  # no tokenizer download
        return output


def run_scripted(
    questions: str,
    log_dir: str,
    examinee: ScriptedExaminee,
    fail_on_error: bool = False,
    log_format: Literal["eval", "json"] = "eval",
) -> EvalLog:
    """The AdAEM Schwartz task with ``examinee`` and the keyword judge, one sample at a time."""
    [log] = inspect_eval(
        "adaem_tasks/schwartz",
        model=get_model("mockllm/model", custom_outputs=examinee),
        model_roles={"grader": "adaem-judge/keyword"},
        task_args={"questions": questions, "judge_mode": "batched"},
        log_dir=log_dir,
        log_format=log_format,
        display="none",
        max_samples=1,
        log_buffer=1,
        fail_on_error=fail_on_error,
    )
    return log


if __name__ == "__main__":
    run_scripted(sys.argv[1], sys.argv[2], ScriptedExaminee(kill_at=int(sys.argv[3])))
