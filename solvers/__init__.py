"""Inspect solvers for AdAEM (installed as ``adaem_tasks.solvers``).

This folder sits at the repository root per the design card but installs inside
our namespace (setuptools ``package-dir``): PyPI already has a top-level
``solvers`` package.
"""

from adaem_tasks.solvers.opinion import OPINION_STORE_KEY, opinion_solver, value_prime

__all__ = ["OPINION_STORE_KEY", "opinion_solver", "value_prime"]
