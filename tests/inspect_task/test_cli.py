"""The real ``inspect`` CLI runs the registered task, also against an OpenAI-compatible server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log

from adaem_tasks.testing.openai_server import start_server

INSPECT = str(Path(sys.executable).with_name("inspect"))
pytestmark = pytest.mark.slow


def _eval_schwartz(args: list[str], env: dict[str, str], tmp_path: Path) -> EvalLog:
    """``inspect eval adaem_tasks/schwartz <args>`` into ``tmp_path/logs``; must succeed; its one log."""
    log_dir = tmp_path / "logs"
    command = [
        INSPECT,
        "eval",
        "adaem_tasks/schwartz",
        *args,
        "--log-dir",
        str(log_dir),
        "--display",
        "plain",
    ]
    result = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [info] = list_eval_logs(str(log_dir))
    return read_eval_log(info)


def test_cli_with_scripted_providers(tmp_path: Path) -> None:
    env = {**os.environ, "ADAEM_HOME": str(tmp_path / "home")}
    log = _eval_schwartz(
        [
            "--model",
            "adaem-persona/achievement",
            "--model-role",
            "grader=adaem-judge/keyword",
            "--limit",
            "10",
        ],
        env,
        tmp_path,
    )
    assert log.eval.task.endswith("schwartz") and log.eval.task_args.get("version", "seed-v1") == "seed-v1"
    assert log.samples is not None and len(log.samples) == 10
    assert all(len(s.scores["value_judge"].value) == 10 for s in log.samples)  # type: ignore[arg-type,index]
    metrics = {n: m.value for sc in log.results.scores for n, m in sc.metrics.items()}  # type: ignore[union-attr]
    assert metrics["achievement"] >= 0.8 and metrics["hedonism"] <= 0.3


def test_cli_against_loopback_openai_server_with_rate_limits(tmp_path: Path) -> None:
    """The 'done means' run: examinee and judge behind an OpenAI-compatible HTTP API.

    Every 5th request is answered 429; Inspect's model layer must retry them.
    """
    with start_server(rate_limit_every=5) as server:
        env = {
            **os.environ,
            "LOOP_BASE_URL": server.url,
            "LOOP_API_KEY": "test-key",
            "ADAEM_HOME": str(tmp_path / "home"),
        }
        log = _eval_schwartz(
            [
                "--model",
                "openai-api/loop/tradition+universalism",
                "--model-role",
                "grader=openai-api/loop/judge-keyword",
                "-T",
                "judge_mode=batched",
                "--limit",
                "20",
                "--max-connections",
                "8",
            ],
            env,
            tmp_path,
        )
        stats = server.stats()
    assert log.status == "success"
    assert log.samples is not None and len(log.samples) == 20
    metrics = {n: m.value for sc in log.results.scores for n, m in sc.metrics.items()}  # type: ignore[union-attr]
    assert metrics["tradition"] >= 0.8 and metrics["universalism"] >= 0.8 and metrics["power"] <= 0.3
    assert stats["by_status"].get("429", 0) >= 10, stats  # rate limits happened and were retried
