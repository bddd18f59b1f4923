"""Entry point for inspect-ai (``[project.entry-points.inspect_ai] adaem_tasks``).

Importing this module registers the tasks (``adaem_tasks/schwartz``,
``adaem_tasks/mft``), their solvers and scorers (``value_judge`` also under the name
Inspect writes into logs, so ``inspect score <log>`` finds it: see
``adaem_tasks.scorers.rescoring``), and the scripted model providers
used for offline testing (``adaem-persona/<spec>``, ``adaem-judge/<kind>``).
"""

# ruff: noqa: F401
from adaem_tasks.scorers import value_judge, value_judge_by_log_name
from adaem_tasks.solvers import opinion_solver, value_prime
from adaem_tasks.tasks import mft, schwartz
from adaem_tasks.testing import providers as _providers
