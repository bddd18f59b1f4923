"""``python -m adaem_tasks.task_configs``: print the directory to pass to ``lm-eval --include_path``.

Works the same from a checkout (editable install) and from site-packages, so commands in
the README need no path that depends on how the package was installed.
"""

from adaem_tasks.task_configs import TASK_CONFIG_DIR

print(TASK_CONFIG_DIR)
