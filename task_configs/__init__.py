"""lm-evaluation-harness task configs for AdAEM (YAML package data).

Installed as ``adaem_tasks.task_configs`` so that ``--include_path`` can point at the
installed copy; the logic the YAML calls lives in :mod:`adaem_tasks.lm_eval_bridge`.
"""

from pathlib import Path

__all__ = ["TASK_CONFIG_DIR"]

TASK_CONFIG_DIR = Path(__file__).resolve().parent
"""Pass this directory to ``lm-eval run --include_path``."""
