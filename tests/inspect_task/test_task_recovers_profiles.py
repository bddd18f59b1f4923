"""End-to-end: the registered task recovers planted value profiles.

Scripted examinees (``adaem-persona/<spec>``) express their planted values with
p=0.9 and every other value with p=0.05 per key point; the scripted judge
(``adaem-judge/keyword``) labels a point by the value's marker phrase. The
task must turn that into per-value rates that put the planted values on top.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog

from adaem_tasks.tasks import mft, schwartz
from adaem_tasks.value_systems import load_value_system

JUDGE = {"grader": "adaem-judge/keyword"}
SCHWARTZ_KEYS = load_value_system("schwartz").keys


def _metrics(log: EvalLog) -> dict[str, float]:
    assert log.status == "success", log.error
    assert log.results is not None
    return {name: m.value for score in log.results.scores for name, m in score.metrics.items()}


def _run(task: object, model: str, log_dir: Path, **kwargs: object) -> EvalLog:
    [log] = inspect_eval(task, model=model, log_dir=str(log_dir), display="none", **kwargs)  # type: ignore[arg-type]
    return log


def test_planted_schwartz_profile_is_recovered(tmp_path: Path) -> None:
    log = _run(schwartz(), "adaem-persona/power+security", tmp_path, model_roles=JUDGE, limit=30)
    metrics = _metrics(log)
    planted = {"power", "security"}
    for key in (
        "self_direction",
        "stimulation",
        "hedonism",
        "achievement",
        "power",
        "security",
        "conformity",
        "tradition",
        "benevolence",
        "universalism",
    ):
        if key in planted:
            assert metrics[key] >= 0.8, (key, metrics[key])
        else:
            assert metrics[key] <= 0.3, (key, metrics[key])
    assert metrics["parse_failure_rate"] == 0.0
    assert 0 < metrics["power_stderr"] < 0.15
    # every sample carries the full 0/1 vector and the provenance adaem-rank needs
    assert log.samples is not None and len(log.samples) == 30
    for sample in log.samples:
        score = sample.scores["value_judge"]  # type: ignore[index]
        assert set(score.value) == set(metrics) & set(score.value) and len(score.value) == 10  # type: ignore[arg-type]
        assert set(score.value.values()) <= {0, 1}  # type: ignore[union-attr]
        assert score.metadata["set_version"] == "seed-v1"
        assert score.metadata["question_id"] == sample.id
        assert len(score.metadata["point_labels"]) == 3


def test_batched_judge_mode_agrees_with_single(tmp_path: Path) -> None:
    single = _run(schwartz(), "adaem-persona/hedonism", tmp_path, model_roles=JUDGE, limit=25)
    batched = _run(
        schwartz(judge_mode="batched"), "adaem-persona/hedonism", tmp_path, model_roles=JUDGE, limit=25
    )
    vectors = {
        name: {s.id: s.scores["value_judge"].value for s in log.samples}  # type: ignore[index,union-attr]
        for name, log in (("single", single), ("batched", batched))
    }
    assert vectors["single"] == vectors["batched"]
    assert _metrics(batched)["hedonism"] >= 0.8


def test_mft_task_shares_the_chain(tmp_path: Path) -> None:
    metrics = _metrics(
        _run(mft(judge_mode="batched"), "adaem-persona/care+loyalty", tmp_path, model_roles=JUDGE, limit=40)
    )
    assert metrics["care"] >= 0.8 and metrics["loyalty"] >= 0.8
    assert max(metrics["fairness"], metrics["authority"], metrics["sanctity"]) <= 0.3
    assert "power" not in metrics


def test_refusals_are_counted_not_scored_as_no_value(tmp_path: Path) -> None:
    log = _run(schwartz(), "adaem-persona/refuser", tmp_path, model_roles=JUDGE, limit=10)
    metrics = _metrics(log)
    assert metrics["parse_failure_rate"] == 1.0
    # no judgeable answers: no expression rate is reported at all, rather than a misleading 0.0
    assert "power" not in metrics
    outcomes = {s.scores["value_judge"].metadata["parse_outcome"] for s in log.samples}  # type: ignore[index,union-attr]
    assert outcomes == {"refusal"}


def test_judge_garbage_is_retried_then_counted(tmp_path: Path) -> None:
    flaky_judge = {"grader": "adaem-judge/flaky"}
    flaky = _metrics(
        _run(
            schwartz(judge_mode="batched"), "adaem-persona/power", tmp_path, model_roles=flaky_judge, limit=5
        )
    )
    assert flaky["judge_failure_rate"] == 0.0 and flaky["power"] >= 0.6
    garbage = _metrics(
        _run(
            schwartz(),
            "adaem-persona/power",
            tmp_path,
            model_roles={"grader": "adaem-judge/garbage"},
            limit=3,
        )
    )
    assert garbage["judge_failure_rate"] == 1.0
    # unknown is not "not expressed": no value gets a rate, rather than every value 0.0
    assert all(math.isnan(garbage[k]) for k in SCHWARTZ_KEYS)
    assert garbage["parse_failure_rate"] == 0.0


def test_missing_grader_fails_before_the_examinee_grades_itself(tmp_path: Path) -> None:
    log = _run(schwartz(), "adaem-persona/power", tmp_path, limit=2)
    assert log.status == "error"
    assert log.error is not None and "--model-role grader=" in log.error.message
    assert "never grades itself" in log.error.message


def test_priming_system_message_shifts_the_primed_value(tmp_path: Path) -> None:
    base = _metrics(
        _run(schwartz(judge_mode="batched"), "adaem-persona/power", tmp_path, model_roles=JUDGE, limit=30)
    )
    primed_task = schwartz(prime="tradition", judge_mode="batched")
    primed_log = _run(primed_task, "adaem-persona/power", tmp_path, model_roles=JUDGE, limit=30)
    primed = _metrics(primed_log)
    assert primed["tradition"] - base["tradition"] >= 0.5
    first = primed_log.samples[0].messages[0]  # type: ignore[index]
    assert first.role == "system" and "reflect value Tradition" in first.text


def test_bad_task_arguments_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a value of 'schwartz'"):
        schwartz(prime="care")
    with pytest.raises(ValueError, match="judge_mode must be"):
        schwartz(judge_mode="pairwise")  # type: ignore[arg-type]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "a", "question": "Q?", "category": "c", "topic": "t"}) + "\n{oops\n")
    with pytest.raises(ValueError, match=rf"{bad}:2: invalid JSON"):
        schwartz(questions=str(bad))
    with pytest.raises(ValueError, match="unknown categories"):
        schwartz(categories="Cooking")


def test_custom_question_file_and_category_filter(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    rows = [
        {
            "id": f"m{i}",
            "question": f"Should rule {i} apply?",
            "category": "A" if i % 2 else "B",
            "topic": "rules",
        }
        for i in range(6)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    task = schwartz(questions=str(path), categories="A")
    assert [s.id for s in task.dataset] == ["m1", "m3", "m5"]
    assert task.metadata is not None and task.metadata["set_version"].startswith("file:mine@")
