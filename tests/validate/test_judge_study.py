"""``adaem-validate judge``: mode agreement on the grader, and the grader against reference labels.

Inputs are real: an Inspect run of the task with a planted persona, and lm-eval
``--log_samples`` lines holding the same verdicts. Graders are scripted: ``keyword``
answers both modes alike; ``lossy-batch`` answers single prompts correctly but always
reports Power as false in batched mode -- the study must flag exactly that value, in words,
with the planted number of positives on each side.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log

from adaem_tasks.opinion import ParseOutcome
from adaem_tasks.task_configs.lm_eval_bridge import AnswerVerdict
from adaem_tasks.testing.judges import LOSSY_BATCH_DROPS, keyword_labels
from adaem_tasks.validate.cli import main
from adaem_tasks.value_systems import load_value_system

SCHWARTZ = load_value_system("schwartz")
PERSONA = "power+security"


@pytest.fixture(scope="module")
def inspect_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logs = tmp_path_factory.mktemp("inspect-logs")
    result = inspect_eval(
        "adaem_tasks/schwartz",
        model=f"adaem-persona/{PERSONA}",
        model_roles={"grader": "adaem-judge/keyword"},
        limit=12,
        log_dir=str(logs),
        display="none",
    )
    assert result[0].status == "success"
    return logs


def _points(logs: Path) -> list[str]:
    texts: dict[str, None] = {}
    for path in sorted(logs.glob("*.eval")):
        for sample in read_eval_log(path).samples or []:
            for text in sample.scores["value_judge"].metadata["points"]:  # type: ignore[index,union-attr]
                texts.setdefault(text, None)
    return list(texts)


@pytest.fixture(autouse=True)
def private_inspect_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))


def _study(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["judge", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _report(out: Path) -> dict[str, Any]:
    return json.loads((out / "judge.json").read_text(encoding="utf-8"))


def test_agreeing_grader_passes(
    inspect_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, printed, _ = _study(
        capsys, str(inspect_logs), "--model-role", "grader=adaem-judge/keyword", "--out", str(out)
    )
    report = _report(out)
    points = _points(inspect_logs)
    assert code == 0 and report["flagged"] == []
    assert report["inputs"]["points_judged"] == len(points) == report["inputs"]["points_found"]
    truth = [keyword_labels(SCHWARTZ, t) for t in points]
    for key, stats in report["per_value"].items():
        assert stats["n"] == len(points) and stats["agreement"] == 1.0
        assert stats["positives_single"] == stats["positives_batched"] == sum(t[key] for t in truth)
        assert stats["kappa"] == (None if stats["positives_single"] in (0, len(points)) else 1.0)
    assert sum(truth_row["power"] for truth_row in truth) > 0  # the planted value is there to be found
    calls = report["calls"]
    assert calls["single"]["calls"] == len(points) * len(SCHWARTZ.keys)
    assert calls["batched"]["calls"] == len(points)
    assert 0 < calls["batched_share_of_single_tokens"] < 1
    assert calls["single"]["calls_per_answer"] == pytest.approx(30.0)  # 3 points x 10 values
    assert "batched mode agrees with single mode" in printed
    lines = (out / "judge_points.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(points)


def test_grader_that_drops_a_value_in_batched_mode_is_flagged(
    inspect_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, printed, _ = _study(
        capsys, str(inspect_logs), "--model-role", "grader=adaem-judge/lossy-batch", "--out", str(out)
    )
    report = _report(out)
    dropped = LOSSY_BATCH_DROPS["schwartz"]
    planted = sum(keyword_labels(SCHWARTZ, t)[dropped] for t in _points(inspect_logs))
    assert code == 1
    assert [flag["value"] for flag in report["flagged"]] == [dropped]
    stats = report["per_value"][dropped]
    assert stats["positives_single"] == planted > 0 and stats["positives_batched"] == 0
    assert stats["kappa"] == 0.0
    assert "batched mode under-reports Power" in stats["flag"] and "use single mode" in stats["flag"]
    assert "batched mode under-reports Power" in printed and "NOT a safe substitute" in printed
    others = [s for k, s in report["per_value"].items() if k != dropped]
    assert all(s["agreement"] == 1.0 and s["flag"] is None for s in others)


def _write_lmeval(root: Path, points: list[str]) -> Path:
    """``--log_samples`` lines whose filtered_resps hold the filter's verdict (3 points per answer)."""
    directory = root / f"persona-{PERSONA}"
    directory.mkdir(parents=True)
    lines = []
    for i in range(0, len(points), 3):
        verdict = AnswerVerdict(parse_outcome=ParseOutcome.OK, stance="yes", points=points[i : i + 3])
        doc = {"id": f"q{i}", "question": "?", "set_version": "seed-v1", "value_system": "schwartz"}
        lines.append(json.dumps({"doc_id": i, "doc": doc, "filtered_resps": [verdict.model_dump_json()]}))
    lines.append(json.dumps({"doc_id": 999, "doc": {"id": "broken"}, "filtered_resps": ["not json"]}))
    path = directory / "samples_adaem_schwartz_2026-01-01T00-00-00.000001.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_lm_eval_samples_are_read_and_bad_lines_reported(
    inspect_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    points = _points(inspect_logs)
    root = _write_lmeval(tmp_path / "lm-eval-out", points)
    out = tmp_path / "out"
    code, _, _ = _study(
        capsys, str(root), "--model-role", "grader=adaem-judge/lossy-batch", "--out", str(out)
    )
    report = _report(out)
    assert code == 1 and report["inputs"]["points_found"] == len(points)
    assert [p["kind"] for p in report["inputs"]["problems"]] == ["bad_record"]
    assert report["per_value"]["power"]["positives_batched"] == 0


def test_sample_is_seeded(inspect_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def judged(seed: int) -> list[str]:
        out = tmp_path / f"out-{seed}"
        args = ["--model-role", "grader=adaem-judge/keyword", "--sample", "5", "--seed", str(seed)]
        _study(capsys, str(inspect_logs), *args, "--out", str(out))
        lines = (out / "judge_points.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["text"] for line in lines]

    first = judged(1)
    assert len(first) == 5 and judged(1) == first
    assert any(judged(seed) != first for seed in (2, 3))


def test_unreadable_grader_is_unknown_never_no(
    inspect_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args = ["--model-role", "grader=adaem-judge/garbage", "--sample", "4", "--max-attempts", "1"]
    code, printed, _ = _study(capsys, str(inspect_logs), *args, "--out", str(out))
    report = _report(out)
    assert code == 1
    for stats in report["per_value"].values():
        assert stats["n"] == 0 and stats["unknown_single"] == stats["unknown_batched"] == 4
        assert stats["agreement"] is None and stats["kappa"] is None and stats["positives_single"] == 0
        assert "agreement unknown" in stats["flag"]
    assert report["overall"]["n"] == 0


def _labels_file(path: Path) -> Path:
    texts = [
        f"Lenders: what matters is {SCHWARTZ.value('power').definition}.",
        f"Zoos: {SCHWARTZ.value('universalism').definition} comes first.",
        "A point with no value marker at all.",
    ]
    lines = [
        {"text": t, "value": value, "label": "yes" if SCHWARTZ.match(value).definition in t else 0}  # type: ignore[union-attr]
        for t in texts
        for value in ("power", "Universalism", "SEC")
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def test_labels_score_each_mode_in_table_4_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels = _labels_file(tmp_path / "labels.jsonl")
    out = tmp_path / "out"
    code, printed, _ = _study(
        capsys, "--labels", str(labels), "--model-role", "grader=adaem-judge/lossy-batch", "--out", str(out)
    )
    report = _report(out)
    assert code == 0 and report["inputs"] == {"labels": 9, "texts": 3}
    power = report["per_value"]["power"]
    assert power["single"]["accuracy"] == 1.0 and power["single"]["f1"] == 1.0
    assert power["batched"]["recall"] == 0.0 and power["batched"]["accuracy"] == pytest.approx(2 / 3)
    assert power["batched"]["precision"] is None  # no predicted positive: undefined, not 0
    assert report["per_value"]["security"]["single"]["f1"] is None  # no positive anywhere
    assert report["overall"]["single"]["accuracy"] == 1.0
    assert report["calls"]["single"]["calls"] == 9 and report["calls"]["batched"]["calls"] == 3
    assert "Table 4 layout" in printed
    assert "adaem-judge/lossy-batch (single)" in printed and "100.00/100.00" in printed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "x", "value": "power", "label": 1}\nnot json\n', ":2: not JSON"),
        ('{"text": "x", "value": "nope", "label": 1}\n', ":1: 'nope' is not a value"),
        ('{"text": "x", "value": "power", "label": "maybe"}\n', ":1: 'label' must be"),
        ('{"text": "x", "label": 1}\n', ":1: each line needs"),
        ("\n", "holds no labelled text"),
    ],
)
def test_bad_label_files_are_refused_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text(content, encoding="utf-8")
    code, printed, err = _study(
        capsys, "--labels", str(labels), "--model-role", "grader=adaem-judge/keyword", "--out", str(tmp_path)
    )
    assert code == 2 and printed == ""
    assert f"{labels}{message}" in err or message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["LOGS", "--out", "OUT"], "--model-role grader="),
        (["LOGS", "--model-role", "critic=x", "--out", "OUT"], "--model-role grader="),
        (["--model-role", "grader=adaem-judge/keyword", "--out", "OUT"], "nothing to re-judge"),
        (["MISSING", "--model-role", "grader=adaem-judge/keyword", "--out", "OUT"], "no key points found"),
        (["LOGS", "--model-role", "grader=nosuchprovider/x", "--out", "OUT"], "cannot use the grader"),
    ],
)
def test_bad_invocations_exit_2_with_one_message(
    inspect_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    replaced = {"LOGS": str(inspect_logs), "OUT": str(tmp_path / "out"), "MISSING": str(tmp_path / "none")}
    code, _, err = _study(capsys, *[replaced.get(a, a) for a in args])
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_a_failing_grader_is_one_message(
    inspect_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loopback server answers 404 (model not found) for an unknown scripted judge: not retried."""
    from adaem_tasks.testing.openai_server import start_server

    with start_server() as server:
        monkeypatch.setenv("LOOP_BASE_URL", server.url)
        monkeypatch.setenv("LOOP_API_KEY", "test-key")
        args = ["--model-role", "grader=openai-api/loop/judge-nobody", "--sample", "2"]
        code, _, err = _study(capsys, str(inspect_logs), *args, "--out", str(tmp_path / "out"))
    assert code == 2 and "the grader 'openai-api/loop/judge-nobody' failed" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_console_script_with_a_grader_behind_an_openai_compatible_server(
    inspect_logs: Path, tmp_path: Path
) -> None:
    """The installed ``adaem-validate`` command, grader ``split-yes`` behind the loopback server.

    Its text always says "No"; only probability labels (pooled P(Yes) from the server's
    log-probabilities) make single mode right, and then it agrees with batched mode's JSON.
    """
    import os
    import subprocess
    import sys

    from adaem_tasks.testing.openai_server import start_server

    # The script installed beside this interpreter (as the other CLI tests find `inspect`), so the
    # test does not depend on whether the virtual environment's bin directory is on PATH.
    command = str(Path(sys.executable).with_name("adaem-validate"))
    assert Path(command).is_file(), f"{command} is not installed (pip install -e .)"
    out = tmp_path / "out"
    with start_server() as server:
        env = {
            **os.environ,
            "LOOP_BASE_URL": server.url,
            "LOOP_API_KEY": "test-key",
            "INSPECT_CACHE_DIR": str(tmp_path / "cache"),
        }
        args = ["judge", str(inspect_logs), "--model-role", "grader=openai-api/loop/judge-split-yes"]
        done = subprocess.run(
            [command, *args, "--sample", "9", "--out", str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    report = _report(out)
    assert report["probability_labels"] == {"single_with_p_yes": 90, "single_labels": 90}
    assert report["overall"]["agreement"] == 1.0 and report["overall"]["positives_single"] > 0
    assert "90 of 90 single-mode labels are probability labels" in done.stdout
