"""Inspect solvers for AdAEM (installed as ``adaem_tasks.solvers``).

This folder sits at the repository root per the design card but installs inside
our namespace (setuptools ``package-dir``): PyPI already has a top-level
``solvers`` package.
"""

from adaem_tasks.solvers.judge_preflight import JudgeUnavailableError, judge_preflight
from adaem_tasks.solvers.opinion import (
    OPINION_STORE_KEY,
    MissingGraderError,
    ensure_grader,
    opinion_solver,
    value_prime,
)

__all__ = [
    "OPINION_STORE_KEY",
    "JudgeUnavailableError",
    "MissingGraderError",
    "ensure_grader",
    "judge_preflight",
    "opinion_solver",
    "value_prime",
]
