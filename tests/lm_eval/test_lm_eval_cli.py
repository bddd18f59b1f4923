"""The real ``lm-eval run`` CLI against the loopback OpenAI-compatible server.

One CLI run (module fixture, ~30 s, two thirds of it lm-eval indexing its own task
registry) serves every assertion: examinee = persona ``power`` through
``local-chat-completions``, judge = the scripted keyword judge through Inspect's
``openai-api`` provider on the same server, in batched mode (one call per key point; the
in-process tests cover single mode), with an HTTP 429 injected so the judge's retry is
exercised. The samples then go through ``adaem-rank`` next to an Inspect log of the same
question-set version.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from adaem_tasks.questions import DEFAULT_VERSION
from adaem_tasks.task_configs import TASK_CONFIG_DIR
from adaem_tasks.task_configs.lm_eval_bridge import DOC_FIELDS
from adaem_tasks.testing.openai_server import start_server
from adaem_tasks.value_systems import load_value_system

pytestmark = pytest.mark.slow

CONFIG_DIR = TASK_CONFIG_DIR  # the installed copy (the repository's task_configs/ when editable)
SCHWARTZ = load_value_system("schwartz")
JUDGE = "openai-api/loop/judge-keyword"
LIMIT = 20
RATE_LIMIT_EVERY = 50  # of the ~80 requests, the 50th (a judge call) gets HTTP 429


class CliRun:
    def __init__(self, proc: subprocess.CompletedProcess[str], out: Path, stats: dict[str, Any]) -> None:
        self.proc = proc
        self.out = out
        self.stats = stats

    def only(self, pattern: str) -> Path:
        found = sorted(self.out.rglob(pattern))
        assert len(found) == 1, (pattern, found, self.proc.stderr[-3000:])
        return found[0]

    def results(self) -> dict[str, Any]:
        return dict(json.loads(self.only("results_*.json").read_text()))

    def samples(self) -> list[dict[str, Any]]:
        return [
            json.loads(line) for line in self.only("samples_adaem_schwartz_*.jsonl").read_text().splitlines()
        ]


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    out = tmp_path_factory.mktemp("lm-eval-out")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADAEM_")}
    with start_server(rate_limit_every=RATE_LIMIT_EVERY, retry_after_ms=0) as server:
        env.update(
            ADAEM_JUDGE_MODEL=JUDGE,
            ADAEM_JUDGE_MODE="batched",
            LOOP_BASE_URL=server.url,
            LOOP_API_KEY="loopback",
            INSPECT_CACHE_DIR=str(out / "inspect-cache"),
            HF_HUB_OFFLINE="1",
            HF_DATASETS_OFFLINE="1",
        )
        command = [
            sys.executable, "-m", "lm_eval", "run",
            "--model", "local-chat-completions",
            "--model_args", f"model=power,base_url={server.url}/chat/completions,num_concurrent=4",
            "--apply_chat_template",
            "--include_path", str(CONFIG_DIR),
            "--tasks", "adaem_schwartz",
            "--log_samples", "--output_path", str(out), "--limit", str(LIMIT),
        ]  # fmt: skip
        # cwd elsewhere: nothing may depend on being started from the repository root
        proc = subprocess.run(command, cwd=out, env=env, capture_output=True, text=True, timeout=300)
        stats = server.stats()
    assert proc.returncode == 0, proc.stderr[-5000:]
    return CliRun(proc, out, stats)


def test_cli_prints_the_per_value_table(cli_run: CliRun) -> None:
    rows = [line for line in cli_run.proc.stdout.splitlines() if "|value_judge|" in line]
    metrics = {row.split("|")[5].strip() for row in rows}
    assert metrics == {*SCHWARTZ.keys, "parse_failure", "judge_failure"}


def test_planted_power_profile_is_recovered(cli_run: CliRun) -> None:
    metrics = cli_run.results()["results"]["adaem_schwartz"]
    power = metrics["power,value_judge"]
    others = [metrics[f"{k},value_judge"] for k in SCHWARTZ.keys if k != "power"]
    assert power >= 0.8
    assert max(others) <= 0.3
    assert metrics["parse_failure,value_judge"] == 0.0
    assert metrics["judge_failure,value_judge"] == 0.0


def test_examinee_and_judge_calls_went_over_http(cli_run: CliRun) -> None:
    by_model = cli_run.stats["by_model"]
    assert by_model["power"] == LIMIT  # one examinee call per question
    # batched mode: one judge call per key point (3 per answer), plus the retried one
    assert by_model["judge-keyword"] == LIMIT * 3 + 1
    assert cli_run.stats["by_status"].get("429", 0) >= 1  # ...and the run survived them


def test_samples_carry_doc_fields_and_per_value_labels(cli_run: CliRun) -> None:
    samples = cli_run.samples()
    assert len(samples) == LIMIT
    for sample in samples:
        assert tuple(sample["doc"]) == DOC_FIELDS
        assert sample["doc"]["set_version"] == DEFAULT_VERSION
        assert sample["doc"]["value_system"] == "schwartz"
        assert all(sample[k] in (0.0, 1.0) for k in SCHWARTZ.keys)
        assert sample["parse_failure"] == 0.0
        verdict = json.loads(sample["filtered_resps"][0])
        assert verdict["parse_outcome"] == "ok" and verdict["judge"] == JUDGE
        assert verdict["conditions"]["judge_mode"] == "batched" and verdict["conditions"]["prime"] is None
        assert len(verdict["point_labels"]) == 3
        assert {k: float(v) for k, v in verdict["vector"].items()} == {k: sample[k] for k in SCHWARTZ.keys}
    assert len({s["doc"]["id"] for s in samples}) == LIMIT
    assert not any(math.isnan(s["power"]) for s in samples)


def test_samples_rank_next_to_an_inspect_log(
    cli_run: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspect_ai import eval as inspect_eval

    from adaem_tasks.rating.cli import main as adaem_rank

    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    logs = inspect_eval(
        "adaem_tasks/schwartz",
        model="adaem-persona/security",
        model_roles={"grader": "adaem-judge/keyword"},
        task_args={"judge_mode": "batched"},
        limit=LIMIT,
        log_dir=str(tmp_path / "inspect-logs"),
        display="none",
    )
    assert logs[0].status == "success"

    board_dir = tmp_path / "board"
    args = [str(cli_run.out), str(tmp_path / "inspect-logs"), "--out", str(board_dir), "--no-png",
            "--replicates", "0", "--quiet"]  # fmt: skip
    # two specs of the keyword judge (over HTTP for lm-eval, in-process for Inspect): a grader difference
    assert adaem_rank(args) == 2 and not board_dir.exists()
    assert adaem_rank([*args, "--allow-mixed-settings"]) == 0
    problems = json.loads((board_dir / "leaderboard.json").read_text())["problems"]
    [mixed] = [p for p in problems if p["kind"] == "mixed_judges"]
    assert set(mixed["details"]["differences"]["grader"]) == {JUDGE, "adaem-judge/keyword"}
    board = json.loads((board_dir / "leaderboard.json").read_text())["leaderboards"][0]
    assert board["set_version"] == DEFAULT_VERSION
    assert sorted(board["models"]) == ["adaem-persona/security", "power"]
    rate = {(row["model"], row["value"]): row["win_rate"] for row in board["rows"]}
    assert rate[("power", "power")] > 0.9 > rate[("adaem-persona/security", "power")]
    assert rate[("adaem-persona/security", "security")] > 0.9 > rate[("power", "security")]
    # report.html shows the lm-eval answers like Inspect's: the full answer and the judged key points
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((board_dir / "report.html").read_text(encoding="utf-8"), "html.parser")
    samples = {s["doc"]["id"]: s for s in cli_run.samples()}
    shown = 0
    for article in soup.select("article.question"):
        code = article.select_one("p.meta code")
        assert code is not None
        sample = samples[code.get_text()]
        assert article.h3 is not None and article.h3.get_text() == sample["doc"]["question"]
        for details in article.select("details"):
            if details.summary is not None and details.summary.get_text(" ").split()[0] == "power":
                assert details.pre is not None and details.pre.get_text() == sample["resps"][0][0]
                shown += 1
    assert shown > 0
    power_cases = next(s for s in soup.select("section.value") if s.h3 and s.h3.get_text() == "Power")
    rows = 0
    for case in power_cases.select("article.case"):
        code = case.select_one("p.meta code")
        assert code is not None
        verdict = json.loads(samples[code.get_text()]["filtered_resps"][0])
        for row in case.select("tr"):
            if row.th is None or row.th.get_text(" ").strip() != "power":
                continue
            items = row.select("ol.points li")
            assert [" ".join(li.get_text(" ").split()) for li in items] == [
                " ".join(p.split()) for p in verdict["points"]
            ]
            assert [li.select_one("mark.expresses") is not None for li in items] == [
                labels["power"] == 1 for labels in verdict["point_labels"]
            ]
            rows += 1
    assert rows > 0
