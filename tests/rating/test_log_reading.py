"""Reading many logs: the cache of log reads and its safety rules, parallel workers, progress, options."""

from __future__ import annotations

import io
import json
import multiprocessing
import subprocess
import sys
import tempfile
import threading
from dataclasses import fields
from pathlib import Path

import pytest
from rich.console import Console

from adaem_tasks.conditions import Conditions
from adaem_tasks.rating import log_cache, log_reading
from adaem_tasks.rating.cli import main as rank_main
from adaem_tasks.rating.log_cache import FileIdentity, LogCache, cache_format, cache_format_text
from adaem_tasks.rating.log_reading import ReadOptions, ReadProgress, ReadReport, read_files, reading_options
from adaem_tasks.rating.records import LogRead, ValueRecord
from adaem_tasks.rating.sources import collect_files, load_records
from adaem_tasks.validate.cli import main as validate_main

from .synth import by_model, planted_records, settle, write_inspect_log, write_lmeval_run


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """Three planted models (two Inspect logs, one lm-eval run) and a foreign log, all settled."""
    root = tmp_path / "logs"
    groups = list(by_model(planted_records(n_models=3, n_questions=60, seed=3, invalid_rate=0.1)).values())
    write_inspect_log(root / "a.eval", groups[0])
    write_inspect_log(root / "b.json", groups[1])
    write_lmeval_run(root / "lm", groups[2])
    write_inspect_log(root / "foreign.eval", groups[0], task="inspect_evals/gsm8k")
    settle(root)
    return root


def _read(root: Path, **options: object) -> tuple[list[LogRead], ReadReport]:
    files, _ = collect_files([root])
    report = read_files(files, ReadOptions(**options))  # type: ignore[arg-type]
    return report.reads, report


def test_a_second_read_of_unchanged_logs_comes_from_the_cache(logs: Path, tmp_path: Path) -> None:
    first, report = _read(logs, cache_dir=tmp_path / "cache", jobs=1)
    assert (report.from_cache, report.read, report.stored) == (0, 4, 4)
    second, report = _read(logs, cache_dir=tmp_path / "cache", jobs=1)
    assert (report.from_cache, report.read, report.stored) == (4, 0, 0)
    assert second == first  # records, problems, status and how, field by field
    assert sum(len(r.records) for r in second) == 180
    assert {r.how for r in second} == {"samples", "lines", "none"}


def test_no_cache_neither_uses_nor_fills_the_cache(logs: Path, tmp_path: Path) -> None:
    _read(logs, cache_dir=tmp_path / "cache", jobs=1)
    reads, report = _read(logs, cache_dir=tmp_path / "cache", jobs=1, cache=False)
    assert (report.from_cache, report.read, report.stored) == (0, 4, 0)
    assert len(reads) == 4
    _, report = _read(logs, cache_dir=tmp_path / "other", cache=False)
    assert not (tmp_path / "other").exists()


def test_a_changed_log_is_read_again(logs: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _ = _read(logs, cache_dir=cache, jobs=1)
    fewer = planted_records(n_models=1, n_questions=20, seed=9)
    settle(write_inspect_log(logs / "a.eval", fewer))
    second, report = _read(logs, cache_dir=cache, jobs=1)
    assert (report.from_cache, report.read) == (3, 1)
    assert len(second[0].records) == 20 and second[1:] == first[1:]


def test_an_lmeval_file_is_read_again_when_its_results_file_changes(tmp_path: Path) -> None:
    """Its model name comes from the results file beside it: that file is part of its identity."""
    records = planted_records(n_models=1, n_questions=8, prefix="org/model")
    write_lmeval_run(tmp_path / "logs", records, with_results=False)
    settle(tmp_path / "logs")
    [read], _ = _read(tmp_path / "logs", cache_dir=tmp_path / "cache")
    assert {r.model for r in read.records} == {"org__model-0"}  # named after its directory
    write_lmeval_run(tmp_path / "logs", records)  # the results file arrives
    settle(tmp_path / "logs")
    [read], report = _read(tmp_path / "logs", cache_dir=tmp_path / "cache")
    assert report.from_cache == 0 and {r.model for r in read.records} == {"org/model-0"}
    [again], report = _read(tmp_path / "logs", cache_dir=tmp_path / "cache")
    assert report.from_cache == 1 and again == read


def test_a_file_written_just_now_is_not_cached(logs: Path, tmp_path: Path) -> None:
    """Its modification time could stay the same through one more write, so a hit could be stale."""
    (logs / "a.eval").touch()
    _, report = _read(logs, cache_dir=tmp_path / "cache", jobs=1)
    assert report.stored == 3
    _, report = _read(logs, cache_dir=tmp_path / "cache", jobs=1)
    assert (report.from_cache, report.read) == (3, 1)


def test_a_started_log_is_read_and_reported_but_never_cached(tmp_path: Path) -> None:
    records = planted_records(n_models=1, n_questions=10)
    path = write_inspect_log(tmp_path / "logs" / "running.eval", records, status="started")
    settle(tmp_path / "logs")
    for _ in range(2):
        [read], report = _read(tmp_path / "logs", cache_dir=tmp_path / "cache")
        assert (report.from_cache, report.read, report.stored) == (0, 1, 0)
        assert read.status == "started" and not read.final and len(read.records) == 10
        assert [p.kind for p in read.problems] == ["incomplete_run"]
    assert LogCache(tmp_path / "cache").store(FileIdentity.of(path), read) is False  # type: ignore[arg-type]


def test_unreadable_files_are_not_cached(tmp_path: Path) -> None:
    """A file that does not parse may be one still being written."""
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "half.eval").write_bytes(b"PK\x03\x04 half a zip")
    settle(tmp_path / "logs")
    [read], report = _read(tmp_path / "logs", cache_dir=tmp_path / "cache")
    assert read.problems[0].kind == "unreadable" and report.stored == 0


def test_entries_of_another_format_or_corrupt_ones_are_misses(
    logs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first, _ = _read(logs, cache_dir=cache, jobs=1)
    entries = sorted(cache.glob("*.json"))
    assert len(entries) == 4
    entries[0].write_text("{not json")
    reads, report = _read(logs, cache_dir=cache, jobs=1)
    assert (report.from_cache, report.read, report.stored) == (3, 1, 1)
    assert reads == first
    # a new record format (a field added, a reader changed) invalidates every entry
    monkeypatch.setattr(log_cache, "RECORD_FORMAT", 999)
    cache_format.cache_clear()
    try:
        _, report = _read(logs, cache_dir=cache, jobs=1)
        assert (report.from_cache, report.read) == (0, 4)
    finally:
        monkeypatch.undo()
        cache_format.cache_clear()


def test_the_cache_format_covers_record_fields_and_reader_code() -> None:
    text = cache_format_text()
    assert all(f.name in text for f in fields(ValueRecord))
    assert "record-format 1" in text and "inspect " in text
    assert cache_format().startswith("1-")


@pytest.mark.parametrize("mixed", [False, True])
def test_cached_records_come_back_field_for_field(tmp_path: Path, mixed: bool) -> None:
    """Shared fields are stored once, nested ones (the run's conditions) rebuilt; labels stay per record."""
    primed = Conditions(prime="power", points=3, judge_mode="batched", judge_threshold=0.5)
    records = [
        ValueRecord(
            "m", f"q{i}", "v1", "schwartz", None, {"power": 1, "security": None}, True, source="x",
            conditions=Conditions(points=i) if mixed else primed,
        )
        for i in range(3)
    ]  # fmt: skip
    path = tmp_path / "x.eval"
    path.write_bytes(b"x")
    settle(tmp_path)
    identity = FileIdentity.of(path)
    assert identity is not None
    cache = LogCache(tmp_path / "cache")
    assert cache.store(identity, LogRead(records, [], status="success", how="summaries"))
    back = cache.load(identity)
    assert back is not None and back.records == records
    assert all(isinstance(r.conditions, Conditions) for r in back.records)
    assert back.records[0].labels is not back.records[1].labels


def test_parallel_reading_gives_the_same_reads_in_the_same_order(logs: Path, tmp_path: Path) -> None:
    sequential, report = _read(logs, cache=False, jobs=1)
    assert report.workers == 0
    parallel, report = _read(logs, cache=False, jobs=2, pool_min_bytes=0)
    assert report.workers == 2
    assert parallel == sequential


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_a_script_without_a_main_guard_can_read_in_parallel(logs: Path, tmp_path: Path) -> None:
    """Workers are forked (this process runs no other thread): they do not import the script again."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "from adaem_tasks.rating.log_reading import ReadOptions, read_files\n"
        "from adaem_tasks.rating.sources import collect_files\n"
        "files, _ = collect_files([Path(sys.argv[1])])\n"
        "report = read_files(files, ReadOptions(jobs=2, cache=False, pool_min_bytes=0))\n"
        "print(report.workers, sum(len(r.records) for r in report.reads))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script), str(logs)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["2", "180"]


def test_workers_that_cannot_start_leave_the_reading_to_this_process(
    logs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """E.g. a fork server whose socket path is too long: the reads still all happen, here."""
    expected, _ = _read(logs, cache=False, jobs=1)

    class Unstartable:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise OSError("AF_UNIX path too long")

    monkeypatch.setattr(log_reading, "ProcessPoolExecutor", Unstartable)
    reads, report = _read(logs, cache=False, jobs=2, pool_min_bytes=0)
    assert reads == expected and report.workers == 0 and report.read == 4


@pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="needs forkserver")
def test_under_a_long_temporary_directory_workers_are_spawned_not_served(
    logs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fork server's socket under a long TMPDIR cannot bind (AF_UNIX path too long): spawn instead.

    Another thread is running, so forking is not safe and a fresh interpreter must start the
    workers; with the long directory they must still start (not fall back to this process).
    """
    long_dir = tmp_path / ("d" * 60) / ("e" * 60)
    long_dir.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(long_dir))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert log_reading._pool_context().get_start_method() == "spawn"
        expected, _ = _read(logs, cache=False, jobs=1)
        reads, report = _read(logs, cache=False, jobs=2, pool_min_bytes=0)
    finally:
        stop.set()
        other.join()
    assert report.workers == 2 and reads == expected


def test_small_reads_stay_in_this_process(logs: Path) -> None:
    """Starting workers costs more than reading a few megabytes."""
    _, report = _read(logs, cache=False, jobs=4)
    assert report.workers == 0


def test_progress_shows_files_and_samples() -> None:
    out = io.StringIO()
    progress = ReadProgress(True, 2, 100, console=Console(file=out, force_terminal=True, width=120))
    progress.advance(60, 1234)
    progress.close()
    text = " ".join(out.getvalue().split())
    assert "reading logs" in text and "1/2 files" in text and "1,234 samples" in text


def test_reading_options_reach_load_records(logs: Path, tmp_path: Path) -> None:
    with reading_options(ReadOptions(cache_dir=tmp_path / "cache", jobs=1)):
        load_records([logs])
    assert len(list((tmp_path / "cache").glob("*.json"))) == 4
    with reading_options(ReadOptions(cache_dir=tmp_path / "none", cache=False)):
        load_records([logs])
    assert not (tmp_path / "none").exists()


def test_adaem_rank_uses_the_cache_and_no_cache_bypasses_it(
    logs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADAEM_CACHE_DIR", str(tmp_path / "cache"))
    args = [str(logs), "--replicates", "5", "--no-png", "--quiet"]
    assert rank_main([*args, "--out", str(tmp_path / "first")]) == 0
    assert rank_main([*args, "--out", str(tmp_path / "second")]) == 0
    first = (tmp_path / "first" / "leaderboard.json").read_text()
    assert (tmp_path / "second" / "leaderboard.json").read_text() == first
    # the second run took the cached reads: doctor one entry and a cached run shows it
    [entry] = [
        p
        for p in (tmp_path / "cache").rglob("*.json")
        if json.loads(p.read_text())["file"][0].endswith("a.eval")
    ]
    doctored = json.loads(entry.read_text())
    doctored["read"]["records"]["shared"]["model"] = "doctored"
    entry.write_text(json.dumps(doctored))
    assert rank_main([*args, "--out", str(tmp_path / "cached")]) == 0
    assert "doctored" in (tmp_path / "cached" / "leaderboard.json").read_text()
    assert rank_main([*args, "--out", str(tmp_path / "fresh"), "--no-cache"]) == 0
    assert (tmp_path / "fresh" / "leaderboard.json").read_text() == first


@pytest.mark.parametrize("bad", ["0", "x", "2.5"])
def test_jobs_must_be_a_positive_integer(logs: Path, bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        rank_main([str(logs), "--jobs", bad])
    assert exit_info.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_adaem_validate_studies_take_the_reading_options(logs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["reliability", str(logs), "--out", str(out), "--replicates", "2", "--folds", "2"]
    assert validate_main([*args, "--jobs", "2", "--no-cache"]) == 0
    first = json.loads((out / "reliability.json").read_text())
    assert validate_main(args) == 0
    assert json.loads((out / "reliability.json").read_text()) == first
