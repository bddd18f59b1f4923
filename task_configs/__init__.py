"""lm-evaluation-harness task configs for AdAEM (YAML package data).

Installed as ``adaem_tasks.task_configs`` so that ``--include_path`` can point at the
installed copy. The functions the YAML calls live beside it in
:mod:`adaem_tasks.task_configs.lm_eval_bridge`: the lm-eval side of the package (it runs no
Inspect solver or scorer, and imports lm-eval's own ``datasets`` and ``tqdm``), kept apart
from the Inspect eval package ``adaem_tasks``. ``python -m adaem_tasks.task_configs`` prints
this directory, for ``lm-eval run --include_path``.
"""

from pathlib import Path

__all__ = ["TASK_CONFIG_DIR"]

TASK_CONFIG_DIR = Path(__file__).resolve().parent
"""Pass this directory to ``lm-eval run --include_path``."""
