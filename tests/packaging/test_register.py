"""What the inspect_evals register reads stays true to the code: eval.yaml, exports, task docs."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import adaem_tasks
from adaem_tasks.questions import DEFAULT_VERSION, load_question_set
from adaem_tasks.tasks import mft, schwartz

EVAL_YAML = Path(adaem_tasks.__file__).with_name("eval.yaml")
TASKS = {"schwartz": schwartz, "mft": mft}


def _documented_args(doc: str) -> list[str]:
    """Parameter names of a Google-style ``Args:`` section."""
    section = doc.split("Args:", 1)[1]
    return re.findall(r"^ {4}\*{0,2}(\w+): \S", section, flags=re.MULTILINE)  # **kwargs too


def test_eval_yaml_lists_exactly_the_exported_tasks() -> None:
    meta = yaml.safe_load(EVAL_YAML.read_text(encoding="utf-8"))
    assert {"title", "description", "group", "contributors", "tasks"} <= set(meta)
    assert [t["name"] for t in meta["tasks"]] == ["schwartz", "mft"]
    assert set(adaem_tasks.__all__) >= set(TASKS)
    count = len(load_question_set(version=DEFAULT_VERSION).questions)
    for entry in meta["tasks"]:
        assert getattr(adaem_tasks, entry["name"]) is TASKS[entry["name"]]
        assert entry["dataset_samples"] == count
        assert entry["value_system"] == entry["name"]


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_task_argument_is_documented(name: str) -> None:
    task_fn = TASKS[name]
    params = list(inspect.signature(task_fn).parameters)
    assert _documented_args(inspect.getdoc(task_fn) or "") == params


def test_inspect_lists_both_tasks_from_the_package() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "inspect_ai", "list", "tasks", "adaem_tasks", "--json"],
        cwd=Path(adaem_tasks.__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(t["name"] for t in json.loads(done.stdout)) == ["mft", "schwartz"]
