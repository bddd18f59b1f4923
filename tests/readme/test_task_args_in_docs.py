"""Every ``-T name=`` the README and the docs show names an option the tasks take.

inspect-evals-lint's IEFS007 made this check on the README until the tasks took
``**unknown_options`` (so that they can refuse unknown names with exit 1 themselves, see
``adaem_tasks/task_options.py``): a task with ``**kwargs`` is skipped by that rule. Copied
commands must still run, so the check lives here, over the README and every docs page.
"""

from __future__ import annotations

import re

from dry_runs import documents

from adaem_tasks.task_options import OPTION_NAMES

# -T name=value, -T 'name=value', -T "name=value"; the docs write "-T name=value" as a placeholder
_TASK_ARG = re.compile(r"-T\s*['\"]?([A-Za-z_][\w]*)=")
_PLACEHOLDERS = {"name"}


def test_every_task_argument_shown_is_an_option_of_the_tasks() -> None:
    shown: dict[str, list[str]] = {}
    for path in documents():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for name in _TASK_ARG.findall(line):
                shown.setdefault(name, []).append(f"{path.name}:{number}")
    assert shown, "the README and docs show task arguments"
    unknown = {name: where for name, where in shown.items() if name not in {*OPTION_NAMES, *_PLACEHOLDERS}}
    assert not unknown, f"-T names the tasks do not take: {unknown}"
