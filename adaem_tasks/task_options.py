"""The Inspect tasks' ``-T`` options, checked while the task is built: one line for every bad value.

Inspect reads each ``-T name=value`` as YAML before a task function sees it (inspect-ai
0.3.285, ``parse_cli_args``): ``3`` arrives as an int, ``2.5`` as a float, ``true``/``yes``/
``on`` as bools, ``abc`` as text, ``a: b`` as a mapping, and an unquoted value holding commas
as a list. A Python caller may pass anything. So every option is checked here for what it
must be, whatever type it arrived as -- a string where a number belongs would otherwise
surface as a ``TypeError`` traceback deep in a solver, or, worse, as a prompt asking for
"-5 words" -- and :class:`TaskOptions` holds the values the task then uses.

An option name the tasks do not take is refused too (:func:`task_options`' ``unknown``):
the task functions take ``**unknown_options`` for that, because Inspect passes names a task
does not declare only to a function with a variadic keyword parameter; otherwise it logs
"param not used" and runs the eval without the option.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import get_args

from adaem_tasks.blank_text import is_blank, strip_blank
from adaem_tasks.cli_types import flag, number
from adaem_tasks.errors import InputError
from adaem_tasks.judge import JudgeMode
from adaem_tasks.opinion import MAX_POINTS
from adaem_tasks.value_systems import load_value_system

__all__ = ["MAX_JUDGE_ATTEMPTS", "OPTION_NAMES", "TaskOptions", "task_options"]

MAX_JUDGE_ATTEMPTS = 10
"""The most tries per judge prompt: beyond that a judge that cannot answer is only asked again
(and a scripted ``garbage`` judge would be asked forever)."""

_YAML_HINT = "Inspect reads -T values as YAML: quote it, -T '{name}=\"...\"'"


@dataclass(frozen=True)
class TaskOptions:
    """The options of ``adaem_tasks/schwartz`` and ``adaem_tasks/mft``, checked (see :func:`task_options`)."""

    version: str
    questions: str | None
    judge_mode: JudgeMode
    points: int
    words: int
    prime: str | None  # the value's key (``-T prime=Power`` and ``prime=POW`` become ``power``)
    categories: list[str] | None
    judge_max_attempts: int
    judge_threshold: float
    judge_logprobs: bool


OPTION_NAMES: tuple[str, ...] = tuple(f.name for f in fields(TaskOptions))
"""Every ``-T`` option of the tasks, in the order of their signatures."""


def _text(name: str, value: object, optional: bool) -> str | None:
    if value is None and optional:
        return None
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, list):
        raise InputError(
            f"{name} must be one value, got the list {value!r} (Inspect splits -T values at commas)"
        )
    if isinstance(value, bool | int | float):
        raise InputError(f"{name} must be text, got {value!r} ({_YAML_HINT.format(name=name)})")
    if not isinstance(value, str):
        raise InputError(f"{name} must be text, got {value!r}")
    if is_blank(value):
        raise InputError(f"{name} must not be blank, got {value!r}")
    return value


def _judge_mode(value: object) -> JudgeMode:
    modes: tuple[JudgeMode, ...] = get_args(JudgeMode)
    if value not in modes:
        raise InputError(f"judge_mode must be {' or '.join(repr(m) for m in modes)}, got {value!r}")
    return value


def _prime(value_system: str, value: object) -> str | None:
    if value is None or value == "":
        return None
    system = load_value_system(value_system)
    matched = system.match(value) if isinstance(value, str) else None
    if matched is None:
        raise InputError(
            f"prime={value!r} is not a value of {system.name!r}; choose one of: {', '.join(system.keys)}"
        )
    return matched.key


def _categories(value: object) -> list[str] | None:
    if value is None:
        return None
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, list | tuple) or not all(isinstance(p, str) for p in parts):
        raise InputError(
            f"categories must be comma-separated category names, got {value!r} "
            f"({_YAML_HINT.format(name='categories')})"
        )
    names = [strip_blank(p) for p in parts if not is_blank(p)]
    if not names:
        # selecting nothing must not quietly mean "every category"
        raise InputError(f"categories names no category, got {value!r} (leave it out for every category)")
    return names


def _unknown(names: Mapping[str, object]) -> str:
    parts = []
    for name in sorted(names):
        close = difflib.get_close_matches(name, OPTION_NAMES, n=1)
        parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    plural = "s" if len(parts) > 1 else ""
    return f"unknown option{plural} {', '.join(parts)}; the options are: {', '.join(OPTION_NAMES)}"


def task_options(
    value_system: str,
    *,
    version: object,
    questions: object,
    judge_mode: object,
    points: object,
    words: object,
    prime: object,
    categories: object,
    judge_max_attempts: object,
    judge_threshold: object,
    judge_logprobs: object,
    unknown: Mapping[str, object] | None = None,
) -> TaskOptions:
    """Check every option; :class:`InputError` names each bad one (all of them, in one line).

    Ranges: ``points`` 1 to :data:`~adaem_tasks.opinion.MAX_POINTS`, ``words`` 1 or more,
    ``judge_max_attempts`` 1 to :data:`MAX_JUDGE_ATTEMPTS`, ``judge_threshold`` 0 to 1;
    integers must be whole (``2.5`` is refused, not truncated) and numbers finite.
    """
    problems: list[str] = []
    if unknown:
        problems.append(_unknown(unknown))
    checks = {
        "version": lambda: _text("version", version, optional=False),
        "questions": lambda: _text("questions", questions, optional=True),
        "judge_mode": lambda: _judge_mode(judge_mode),
        "points": lambda: number("points", points, "int", low=1, high=MAX_POINTS),
        "words": lambda: number("words", words, "int", low=1),
        "prime": lambda: _prime(value_system, prime),
        "categories": lambda: _categories(categories),
        "judge_max_attempts": lambda: number(
            "judge_max_attempts", judge_max_attempts, "int", low=1, high=MAX_JUDGE_ATTEMPTS
        ),
        "judge_threshold": lambda: number("judge_threshold", judge_threshold, low=0, high=1),
        "judge_logprobs": lambda: flag("judge_logprobs", judge_logprobs),
    }
    checked: dict[str, object] = {}
    for name, check in checks.items():
        try:
            checked[name] = check()
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise InputError("; ".join(problems))
    return TaskOptions(**checked)  # type: ignore[arg-type]  # each check returns its field's type
