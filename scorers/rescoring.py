"""Let ``inspect score <log>`` find :func:`value_judge` with no ``--scorer`` flag.

Inspect registers a scorer that ships in a package under its *qualified* name
(``adaem_tasks/value_judge``) but writes its *unqualified* name into the log
(``EvalSpec.scorers[].name == "value_judge"``, via ``registry_unqualified_name``). On
re-scoring, ``inspect score`` looks that recorded name up as written; an unqualified name
is only searched among Inspect's own scorers, and ``log.eval.task_file`` (its fallback) is
empty for a task run by registry name. So a package scorer recorded in a log is never
found again (seen with inspect-ai 0.3.285), and the user has to know
``--scorer adaem_tasks/value_judge`` -- which then also drops the scorer options recorded in
the log (an ``adaem_tasks/mft`` log would be re-judged on the Schwartz values).

The fix here is a second registration of the same factory under exactly the name Inspect
records, :data:`LOG_NAME`. Inspect qualifies a registered name with the package the
function's module belongs to; the alias is a thin wrapper whose ``__module__`` names no
importable module, so the public ``@scorer`` decorator registers it unqualified. It has
value_judge's signature (``functools.wraps``), so the options recorded in the log are
passed back to it; the scores it produces carry the same name, ``value_judge``.
``adaem_tasks._registry`` (the entry point Inspect loads at start-up) imports this module.
The README dry run ``rescore`` (``tests/readme/test_dry_runs.py``) runs the real ``inspect score``
on an ``adaem_tasks/mft`` log with no flags and checks the scores come back on the MFT values.
"""

from __future__ import annotations

import functools
from typing import Any

from inspect_ai.scorer import Scorer, scorer

from adaem_tasks.scorers.value_judge import value_judge, value_judge_metrics

__all__ = ["LOG_NAME", "value_judge_by_log_name"]

LOG_NAME = "value_judge"
"""The scorer name Inspect writes into the logs of the AdAEM tasks."""


@functools.wraps(value_judge)
def _value_judge_alias(*args: Any, **kwargs: Any) -> Scorer:
    return value_judge(*args, **kwargs)


# Not an importable module: Inspect then registers the alias under LOG_NAME, unqualified.
_value_judge_alias.__module__ = f"{__name__}:log-name-alias"

value_judge_by_log_name = scorer(metrics=value_judge_metrics(), name=LOG_NAME)(_value_judge_alias)
""":func:`value_judge` registered as ``value_judge``: what ``inspect score <log>`` looks up."""
