"""Inspect scorers and metrics for AdAEM (installed as ``adaem_tasks.scorers``).

Lives at the repository root per the design card; installed inside our namespace
because PyPI already has a top-level ``scorers`` package.
"""

from adaem_tasks.scorers.metrics import (
    category_expression_rate,
    expression_rate,
    expression_stderr,
    judge_failure_rate,
    parse_failure_rate,
)
from adaem_tasks.scorers.rescoring import value_judge_by_log_name
from adaem_tasks.scorers.value_judge import value_judge, value_judge_metrics

__all__ = [
    "category_expression_rate",
    "expression_rate",
    "expression_stderr",
    "judge_failure_rate",
    "parse_failure_rate",
    "value_judge",
    "value_judge_by_log_name",
    "value_judge_metrics",
]
