"""The browser fixture: a missing Chromium skips the report's browser tests, except under CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from adaem_tasks.testing.browser import ENV_CHROMIUM, browser_missing, find_chromium

REPO = Path(__file__).resolve().parents[2]


def test_an_explicit_chromium_that_does_not_exist_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV_CHROMIUM, str(tmp_path / "no-such-chromium"))
    assert find_chromium() is None
    assert browser_missing() == f"no Chromium found (apt-get install chromium, or set {ENV_CHROMIUM})"


@pytest.mark.slow
@pytest.mark.parametrize("ci", [None, "1"])
def test_without_a_browser_the_tests_skip_with_the_reason_or_fail_under_ci(
    tmp_path: Path, ci: str | None
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env[ENV_CHROMIUM] = str(tmp_path / "no-such-chromium")
    if ci:
        env["CI"] = ci
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/readme/test_report_browser.py", "-p", "no:cacheprovider"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = " ".join(done.stdout.split())
    if ci:
        assert done.returncode == 1, output[-2000:]
        assert "CI is set but no Chromium found" in output and "1 error" in output
    else:
        assert done.returncode == 0, output[-2000:]
        assert "SKIPPED [1]" in output and "no Chromium found (apt-get install chromium" in output
