"""The fast reader gives exactly the records of the full read, on logs Inspect itself wrote.

Every log here comes from a real run of ``adaem_tasks/schwartz`` (scripted personas, the
keyword and flaky judges, ``mockllm`` examinees that fail or die on a given call) or, for
the old format, from ``inspect-ai==0.3.150`` (``fixtures/make_old_inspect_log.py``). For
each, :func:`read_inspect_file` must return the records and problems of the full read
(``summaries=False``, today's path) -- and take the path it should, so that a fallback
cannot pass for the fast path.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log, read_eval_log_sample_summaries

from adaem_tasks.dataset import SUMMARY_EXACT_KEY, summary_exact
from adaem_tasks.rating import _sample_source
from adaem_tasks.rating._summary_json import read_summaries_json
from adaem_tasks.rating.inspect_logs import (
    SampleSource,
    adaem_samples,
    read_inspect_file,
    read_inspect_log,
    read_inspect_log_full,
)
from adaem_tasks.rating.log_reading import ReadOptions, read_files
from adaem_tasks.validate.judge_inputs import _has_points, read_key_points

from .inspect_runs import ScriptedExaminee, run_scripted
from .synth import settle

FIXTURES = Path(__file__).with_name("fixtures")
CATEGORIES = ("Environment", "Law, Justice, and Human Rights", "Education")


def _questions(path: Path, n: int, categories: tuple[str, ...] = CATEGORIES) -> str:
    lines = [
        {
            "id": f"q{i:03d}",
            "question": f"Should town {i} ban cars from its centre?",
            "category": categories[i % len(categories)],
            "topic": "cars",
        }
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return str(path)


def _persona_logs(
    log_dir: Path, questions: str, models: list[str], grader: str, **kwargs: object
) -> list[Path]:
    logs = inspect_eval(
        "adaem_tasks/schwartz",
        model=models,
        model_roles={"grader": grader},
        task_args={"questions": questions, "judge_mode": "batched", **kwargs.pop("task_args", {})},  # type: ignore[dict-item]
        log_dir=str(log_dir),
        display="none",
        **kwargs,  # type: ignore[arg-type]
    )
    return [Path(log.location) for log in logs]


@pytest.fixture(scope="module")
def real_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One log per case the reader distinguishes, all written by Inspect."""
    root = tmp_path_factory.mktemp("real-logs")
    questions = _questions(root / "questions.jsonl", 24)
    logs: dict[str, Path] = {}
    power, tradition = _persona_logs(
        root / "personas",
        questions,
        ["adaem-persona/power+security", "adaem-persona/tradition"],
        "adaem-judge/keyword",
    )
    logs["persona"], logs["persona_2"] = power, tradition
    [logs["unknown_labels"]] = _persona_logs(
        root / "flaky", questions, ["adaem-persona/benevolence+power"], "adaem-judge/flaky",
        task_args={"judge_max_attempts": 1},  # unreadable the first time it sees a prompt: unknown labels
    )  # fmt: skip
    [logs["refusals"]] = _persona_logs(
        root / "refuser", questions, ["adaem-persona/refuser"], "adaem-judge/keyword"
    )
    [logs["epochs"]] = _persona_logs(
        root / "epochs", questions, ["adaem-persona/hedonism"], "adaem-judge/keyword", epochs=2
    )
    [logs["json"]] = _persona_logs(
        root / "json", questions, ["adaem-persona/power"], "adaem-judge/keyword", log_format="json"
    )
    odd = _questions(root / "odd.jsonl", 12, ("Health  and Care", "Economics ", "Environment"))
    [logs["unvouched"]] = _persona_logs(root / "odd", odd, ["adaem-persona/power"], "adaem-judge/keyword")
    [logs["long_points"]] = _persona_logs(
        root / "long", questions, ["adaem-persona/power+universalism"], "adaem-judge/keyword",
        task_args={"points": 9},  # the key points of a few answers exceed 1k of JSON
    )  # fmt: skip
    logs["errored"] = Path(
        run_scripted(questions, str(root / "errored"), ScriptedExaminee(fail=frozenset({3, 7}))).location
    )
    logs["interrupted"] = Path(
        run_scripted(
            questions, str(root / "aborted"), ScriptedExaminee(fail=frozenset({5})), fail_on_error=True
        ).location
    )
    killed = root / "killed"
    script = Path(__file__).with_name("inspect_runs.py")
    done = subprocess.run([sys.executable, str(script), questions, str(killed), "6"], capture_output=True)
    assert done.returncode != 0  # killed by its own examinee
    [logs["killed"]] = killed.glob("*.eval")
    logs["old_inspect"] = Path(shutil.copy(FIXTURES / "inspect-0.3.150.eval", root / "inspect-0.3.150.eval"))
    return logs


#: The path each log must take: summaries wherever the task vouches and the run has ended.
EXPECTED_PATH = {
    "persona": "summaries",
    "persona_2": "summaries",
    "unknown_labels": "summaries",
    "refusals": "summaries",
    "epochs": "summaries",
    "long_points": "summaries",
    "errored": "summaries",
    "interrupted": "summaries",
    "old_inspect": "summaries",
    "json": "samples",  # a .json log stores no summaries
    "unvouched": "samples",  # its categories would lose whitespace in summaries
    "killed": "samples",  # the eval never finished
}


@pytest.mark.parametrize("name", sorted(EXPECTED_PATH))
def test_fast_reader_returns_the_full_reads_records(real_logs: dict[str, Path], name: str) -> None:
    path = real_logs[name]
    fast = read_inspect_file(path)
    full = read_inspect_file(path, summaries=False)
    assert fast.how == EXPECTED_PATH[name], fast.why
    assert full.how == "samples"
    assert fast.records == full.records  # same records, same order, every field
    assert fast.problems == full.problems
    assert fast.status == full.status
    assert fast.records, "every case keeps some records"
    assert (fast.records, fast.problems) == read_inspect_log(path)
    assert (full.records, full.problems) == read_inspect_log_full(path)


def _kinds(path: Path) -> dict[str, int]:
    return {p.kind: p.count for p in read_inspect_file(path).problems}


def test_the_cases_are_what_their_names_say(real_logs: dict[str, Path]) -> None:
    """Guards the fixture: each log really holds the case it stands for."""
    assert _kinds(real_logs["persona"]) == {}
    assert "judge_failures" in _kinds(real_logs["unknown_labels"])
    unknown = read_inspect_file(real_logs["unknown_labels"]).records
    assert all(r.valid for r in unknown) and None in {v for r in unknown for v in r.labels.values()}
    old = read_inspect_file(real_logs["old_inspect"]).records
    assert {None, 0, 1} <= {v for r in old for v in r.labels.values()}  # unknown and known in one log
    assert _kinds(real_logs["refusals"])["not_judgeable"] == 24
    assert _kinds(real_logs["epochs"])["duplicate"] == 24
    assert _kinds(real_logs["errored"])["sample_error"] == 2
    interrupted = read_inspect_file(real_logs["interrupted"])
    assert interrupted.status == "error" and "incomplete_run" in _kinds(real_logs["interrupted"])
    assert len(interrupted.records) < 24
    killed = read_inspect_file(real_logs["killed"])
    assert killed.status == "started" and not killed.final
    assert len(killed.records) == 5  # the samples before the examinee's 6th call
    assert "incomplete_run" in _kinds(real_logs["killed"])
    unvouched = read_eval_log(str(real_logs["unvouched"]), header_only=True).eval.metadata or {}
    assert unvouched[SUMMARY_EXACT_KEY] is False
    assert {r.category for r in read_inspect_file(real_logs["unvouched"]).records} == {
        "Health  and Care",
        "Economics ",
        "Environment",
    }


def test_planted_values_are_recovered_through_the_fast_path(real_logs: dict[str, Path]) -> None:
    """The records are not merely equal: the persona's planted values come back."""
    records = [r for r in read_inspect_file(real_logs["persona"]).records if r.valid]
    rate = {key: sum(r.labels[key] == 1 for r in records) / len(records) for key in records[0].labels}
    planted = {"power", "security"}
    assert min(rate[k] for k in planted) > max(rate[k] for k in rate if k not in planted)


def test_summaries_keep_the_metadata_the_task_vouches_for(real_logs: dict[str, Path]) -> None:
    """Pins Inspect's summary thinning: for a vouched log, summary metadata equals sample metadata."""
    path = real_logs["persona"]
    samples = {(s.id, s.epoch): s for s in read_eval_log(str(path)).samples or []}
    summaries = read_eval_log_sample_summaries(str(path))
    assert len(summaries) == len(samples) == 24
    for summary in summaries:
        sample = samples[(summary.id, summary.epoch)]
        assert summary.metadata == sample.metadata
        score, full = (summary.scores or {})["value_judge"], (sample.scores or {})["value_judge"]
        assert score.value == full.value
        for key in ("question_id", "set_version", "value_system", "category", "parse_outcome"):
            assert (score.metadata or {})[key] == (full.metadata or {})[key]


@pytest.mark.parametrize(
    "text",
    ["Economics", "Law, Justice, and Human Rights", "Health  and Care", "Economics ", " Economics",
     "tab\tinside", "line\nbreak", "no\u00a0break", "x" * 1000, "x" * 1001, "a-b " * 300],
)  # fmt: skip
def test_summary_exact_agrees_with_inspects_thinning(text: str) -> None:
    from inspect_ai.log._util import thin_text  # private: this test pins the rule the task relies on

    if summary_exact(text):
        assert thin_text(text) == text
    assert summary_exact(text) == (thin_text(text) == text and len(text) <= 1000)


def test_key_points_read_from_summaries_and_from_dropped_ones(real_logs: dict[str, Path]) -> None:
    """Key points over 1k are dropped from summaries: those samples are read by id, the rest not."""
    path = real_logs["long_points"]
    summaries = read_eval_log_sample_summaries(str(path))
    dropped = [
        s for s in summaries if not isinstance((s.scores or {})["value_judge"].metadata["points"], list)
    ]
    assert 0 < len(dropped) < len(summaries) / 2  # both kinds are there
    expected: dict[tuple[str, str], None] = {}
    for sample in read_eval_log(str(path)).samples or []:
        for text in (sample.scores or {})["value_judge"].metadata["points"]:
            expected.setdefault(("schwartz", text), None)
    header = read_eval_log(str(path), header_only=True)
    source = adaem_samples(path, header, _has_points)
    assert isinstance(source, SampleSource) and source.how == "summaries"
    assert source.why.endswith(f"; {len(dropped)} samples read in full: their summaries dropped a value")
    found = read_key_points([path])
    assert found.texts == list(expected)
    assert found.answers == 24 and found.problems == []


def test_a_killed_eval_is_read_reported_and_never_cached(real_logs: dict[str, Path], tmp_path: Path) -> None:
    path = settle(Path(shutil.copy(real_logs["killed"], tmp_path / "killed.eval")))
    for _ in range(2):
        report = read_files([("inspect", path)], ReadOptions(cache_dir=tmp_path / "cache"))
        assert (report.from_cache, report.read, report.stored) == (0, 1, 0)
        [read] = report.reads
        assert read.status == "started" and len(read.records) == 5
        assert "incomplete_run" in {p.kind for p in read.problems}
    assert not list((tmp_path / "cache").glob("*.json"))


def test_logs_read_through_the_fast_path_are_cached(real_logs: dict[str, Path], tmp_path: Path) -> None:
    paths = [
        settle(Path(shutil.copy(real_logs[name], tmp_path / f"{name}.eval")))
        for name in ("persona", "errored")
    ]
    options = ReadOptions(cache_dir=tmp_path / "cache")
    first = read_files([("inspect", p) for p in paths], options)
    second = read_files([("inspect", p) for p in paths], options)
    assert (first.stored, second.from_cache) == (2, 2)
    assert second.reads == first.reads and {r.how for r in second.reads} == {"summaries"}


def _nan_free(value: Any) -> Any:
    """``value`` with NaN replaced by a marker, so that equal values compare equal."""
    if isinstance(value, float) and math.isnan(value):
        return "<nan>"
    if isinstance(value, dict):
        return {k: _nan_free(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_free(v) for v in value]
    return value


@pytest.mark.parametrize(
    "name", ["persona", "unknown_labels", "errored", "interrupted", "epochs", "long_points", "old_inspect"]
)
def test_summaries_json_holds_what_inspects_reader_returns(real_logs: dict[str, Path], name: str) -> None:
    """Pins the one piece of Inspect's file layout the fast path reads, against Inspect's own reader."""
    path = real_logs[name]
    ours = read_summaries_json(path)
    assert not isinstance(ours, str), ours
    theirs = read_eval_log_sample_summaries(str(path))
    assert len(ours) == len(theirs) > 0
    for a, b in zip(
        sorted(ours, key=_sample_source._sample_order),
        sorted(theirs, key=_sample_source._sample_order),
        strict=True,
    ):
        assert (a.id, a.epoch, a.error) == (b.id, b.epoch, b.error)
        assert _nan_free(a.metadata) == _nan_free(b.metadata)
        assert set(a.scores or {}) == set(b.scores or {})
        for scorer, score in (a.scores or {}).items():
            other = (b.scores or {})[scorer]
            assert _nan_free(score.value) == _nan_free(other.value)
            assert _nan_free(score.metadata) == _nan_free(other.metadata)


def test_inspects_summary_reader_is_the_fallback(
    real_logs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where summaries.json cannot be read directly, Inspect's reader gives the same records."""
    monkeypatch.setattr(_sample_source, "read_summaries_json", lambda path: "no summaries.json here")
    for name in ("persona", "errored", "interrupted", "old_inspect"):
        fast = read_inspect_file(real_logs[name])
        full = read_inspect_file(real_logs[name], summaries=False)
        assert (fast.how, fast.why) == ("summaries-api", "read by Inspect: no summaries.json here")
        assert (fast.records, fast.problems) == (full.records, full.problems)
