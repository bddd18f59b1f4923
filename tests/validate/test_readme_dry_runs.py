"""The README's adaem-validate dry runs, run verbatim: what a reader pastes is what is tested.

Each block follows a ``<!-- dry-run: adaem-validate-<study> -->`` line in README.md and
runs with bash in an empty directory, with this interpreter's scripts first on PATH and
Inspect's cache kept inside the test directory.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
_BLOCK = re.compile(r"<!-- dry-run: (adaem-validate-[a-z]+) -->\n```bash\n(.*?)```", re.S)


def dry_runs() -> dict[str, str]:
    return dict(_BLOCK.findall(README.read_text(encoding="utf-8")))


def test_the_readme_has_one_dry_run_per_study() -> None:
    assert set(dry_runs()) == {f"adaem-validate-{s}" for s in ("priming", "reliability", "informativeness")}


def _run(name: str, cwd: Path) -> str:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "INSPECT_CACHE_DIR": str(cwd / ".inspect-cache"),
        "INSPECT_LOG_DIR": str(cwd / "inspect-logs"),
    }
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", dry_runs()[name]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_priming_dry_run(tmp_path: Path) -> None:
    printed = _run("adaem-validate-priming", tmp_path)
    assert "Priming study" in printed and "in words:" in printed
    doc = json.loads((tmp_path / "priming-dry-run" / "priming.json").read_text())
    power = doc["targets"]["power"]
    assert power["target"]["delta"] > 0.5 and power["opposite_group"]["delta"] < -0.4
    assert doc["summary"]["target"]["p_value"] < 0.01 and doc["summary"]["opposite_group"]["delta"] < 0
    assert (tmp_path / "priming-dry-run" / "priming.png").is_file()


@pytest.mark.slow
def test_reliability_dry_run(tmp_path: Path) -> None:
    printed = _run("adaem-validate-reliability", tmp_path)
    assert "Cronbach alpha" in printed
    doc = json.loads((tmp_path / "reliability-dry-run" / "reliability.json").read_text())
    assert doc["n_questions"] == 100 and len(doc["models"]) == 4
    assert doc["headline_metric"] == "win_rate" and doc["not_computed"] == {}
    assert doc["cronbach_alpha"] > 0.7


@pytest.mark.slow
def test_informativeness_dry_run(tmp_path: Path) -> None:
    printed = _run("adaem-validate-informativeness", tmp_path)
    assert "specific tells these models apart better" in printed
    doc = json.loads((tmp_path / "informativeness-dry-run" / "informativeness.json").read_text())
    generic, specific = doc["sets"]
    assert (generic["label"], specific["label"]) == ("seed-v1", "specific")
    assert generic["ci_high"] < specific["ci_low"]
    assert generic["saturated_share"] > specific["saturated_share"]
