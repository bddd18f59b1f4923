"""Benchmark: reading AdAEM results from Inspect logs -- today's path against the fast reader, and cached.

The logs are real: ``inspect eval adaem_tasks/schwartz`` of scripted personas judged by the
keyword judge in batched mode, on a generated question file (``bench_logs_data.py`` writes
them once and reuses them). Every measurement runs in a fresh process, watched from outside
with psutil: wall time, CPU seconds and peak memory are summed over that process and its
worker processes (memory as the largest sum of their proportional set sizes, sampled every
50 ms: pages shared by forked workers count once).

1. **Reading, one core** -- ``read_inspect_log_full`` (today's path: ``read_eval_log`` with
   ``exclude_fields``, every sample validated) against ``read_inspect_log`` (the fast path:
   the log's ``summaries.json``), file after file, no cache. Both must give identical
   records and problems (compared by digest).
2. **Reading, ``--jobs`` workers** -- the fast path as ``adaem-rank`` runs it (``read_files``),
   cache off.
3. **Paper scale** -- 16 x 12,310 samples. With ``--paper-logs``, measured: one real
   12,310-question log read through ``--paper-copies`` hard links (reading cost does not
   depend on which persona answered); today's path is timed on one of them and multiplied.
   Always also extrapolated linearly from parts 1 and 2.
4. **adaem-rank, first run and cached run** on the part-1 logs with an empty cache
   directory: the CLI itself (``adaem_tasks.rating.cli.main``), with reading, rating and
   writing timed separately, and the leaderboard files compared byte for byte.

Run: ``.venv/bin/python benchmarks/bench_logs.py --logs DIR [--questions 5000] [--models 4]
[--jobs 2] [--paper-logs DIR --paper-questions 12310 --paper-copies 16]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from bench_logs_data import ensure_logs  # noqa: E402

from adaem_tasks.rating.log_cache import SETTLE_NS  # noqa: E402

PAPER_MODELS, PAPER_QUESTIONS = 16, 12_310
PAPER_SAMPLES = PAPER_MODELS * PAPER_QUESTIONS
_POLL_S = 0.05


# -- what one measured process does ------------------------------------------------------------------------


def _digest(records: Sequence[Any], problems: Sequence[Any]) -> str:
    """A digest of every field of every record and problem, in order (one at a time: no big string)."""
    digest = hashlib.sha256()
    for item in [*records, None, *problems]:
        digest.update(json.dumps(item.to_json() if item is not None else None, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def _measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in this (fresh) process; its timings leave out importing the code."""
    from adaem_tasks.rating import cli
    from adaem_tasks.rating.inspect_logs import read_inspect_log_full
    from adaem_tasks.rating.log_reading import ReadOptions, read_files

    files = [Path(f) for f in spec["files"]]
    result: dict[str, Any] = {}
    records: list[Any] = []
    problems: list[Any] = []
    start, cpu = time.perf_counter(), time.process_time()
    if spec["what"] == "old":
        for path in files:
            got, found = read_inspect_log_full(path)
            records += got
            problems += found
    elif spec["what"] == "new":
        cache_dir = spec.get("cache_dir")
        options = ReadOptions(
            jobs=spec["jobs"],
            cache=cache_dir is not None,
            cache_dir=Path(cache_dir) if cache_dir else None,
            progress=False,
        )
        report = read_files([("inspect", p) for p in files], options)
        records = [r for read in report.reads for r in read.records]
        problems = [p for read in report.reads for p in read.problems]
        paths = sorted({read.how for read in report.reads})
        result.update(paths=paths, from_cache=report.from_cache, workers=report.workers)
    elif spec["what"] == "rank":
        result.update(_rank(cli, files, spec))
    result["wall"] = time.perf_counter() - start
    result["self_cpu"] = time.process_time() - cpu
    result.update(samples=len(records), digest=_digest(records, problems))  # after the clock stops
    return result


def _rank(cli: Any, files: list[Path], spec: dict[str, Any]) -> dict[str, Any]:
    """``adaem-rank`` itself (``cli.main``), with its three phases timed by wrapping what it calls."""
    phases: dict[str, float] = {}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            begin = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - begin

        return wrapper

    cli.load_records = timed("reading", cli.load_records)
    cli.rank_records = timed("rating", cli.rank_records)
    cli.write_outputs = timed("writing", cli.write_outputs)
    out = Path(spec["out"])
    code = cli.main([*map(str, files), "--out", str(out), "--quiet", "--jobs", str(spec["jobs"])])
    boards = {
        name: hashlib.sha256((out / name).read_bytes()).hexdigest()[:16]
        for name in ("leaderboard.csv", "leaderboard.json")
    }
    return {"exit": code, "phases": phases, "boards": boards}


# -- watching a measured process from outside --------------------------------------------------------------


def _memory(proc: psutil.Process) -> int:
    """A process's proportional set size: its own pages plus its share of pages it shares.

    Forked workers share their parent's pages until they write to them; summing resident
    sets would count those pages once per process. PSS sums to what the processes use
    together. Where the system does not report it, the resident set (an upper bound).
    """
    info = proc.memory_full_info()
    return int(getattr(info, "pss", info.rss))


@dataclass
class Measured:
    wall: float
    cpu: float
    peak_mb: float
    result: dict[str, Any]


def run_measured(spec: dict[str, Any], env: dict[str, str] | None = None) -> Measured:
    """``spec`` measured in a fresh process; CPU and memory summed over it and its workers."""
    command = [sys.executable, __file__, "--measure", json.dumps(spec)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env={**os.environ, **(env or {})}, text=True)
    root = psutil.Process(process.pid)
    peak = 0
    cpu_of: dict[int, float] = {}
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        total = 0
        for proc in tree:
            try:
                total += _memory(proc)
                if proc.pid != root.pid:
                    times = proc.cpu_times()
                    cpu_of[proc.pid] = times.user + times.system
            except psutil.NoSuchProcess:
                continue
        peak = max(peak, total)
        time.sleep(_POLL_S)
    out, _ = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"measurement failed ({process.returncode}): {spec['what']}")
    result = json.loads(out.strip().splitlines()[-1])
    return Measured(result["wall"], result["self_cpu"] + sum(cpu_of.values()), peak / 2**20, result)


# -- the report --------------------------------------------------------------------------------------------


def _settle(files: Sequence[Path]) -> None:
    """Wait until no log was modified in the last seconds: the cache skips files that may still change."""
    newest = max(p.stat().st_mtime_ns for p in files)
    wait = (newest + SETTLE_NS - time.time_ns()) / 1e9
    if wait > 0:
        time.sleep(wait + 0.1)


def _row(name: str, m: Measured, samples: int, base: Measured | None = None) -> str:
    speed = ""
    if base is not None:
        speed = f"{base.wall / m.wall:.1f}x / {base.cpu / m.cpu:.1f}x"
    return (
        f"| {name} | {m.wall:.2f} | {m.cpu:.2f} | {m.peak_mb:.0f} | {samples / m.wall:,.0f} | "
        f"{1000 * m.wall / samples:.3f} | {speed} |"
    )


_HEADER = (
    "| path | wall s | CPU s | peak MB | samples/s | ms/sample (wall) | speed-up wall / CPU |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def reading(files: list[Path], jobs: int) -> tuple[Measured, Measured, Measured]:
    old = run_measured({"what": "old", "files": list(map(str, files))})
    new = run_measured({"what": "new", "files": list(map(str, files)), "jobs": 1})
    par = run_measured({"what": "new", "files": list(map(str, files)), "jobs": jobs})
    samples = old.result["samples"]
    same = old.result["digest"] == new.result["digest"] == par.result["digest"]
    print(f"\n### Reading {len(files)} logs, {samples:,} samples (no cache)\n")
    print(_HEADER)
    print(_row("today: read_inspect_log_full, 1 process", old, samples))
    print(_row(f"fast: read_inspect_log ({', '.join(new.result['paths'])}), 1 process", new, samples, old))
    print(_row(f"fast, --jobs {jobs} ({par.result['workers']} workers)", par, samples, old))
    print(f"\nrecords and problems identical (digest {old.result['digest']}): {'yes' if same else 'NO'}")
    if not same:
        raise SystemExit("the fast reader's records differ from today's")
    return old, new, par


def extrapolate(old: Measured, new: Measured, par: Measured, samples: int) -> None:
    scale = PAPER_SAMPLES / samples
    print(
        f"\n### Extrapolated linearly to {PAPER_MODELS} x {PAPER_QUESTIONS:,} = {PAPER_SAMPLES:,} samples\n"
    )
    print("| path | wall s | CPU s |\n| --- | ---: | ---: |")
    for name, m in (("today, 1 process", old), ("fast, 1 process", new), ("fast, --jobs", par)):
        print(f"| {name} | {m.wall * scale:.0f} | {m.cpu * scale:.0f} |")


def paper_scale(log: Path, copies: int, jobs: int, scratch: Path) -> None:
    links = []
    for k in range(copies):
        link = scratch / f"copy-{k:02d}.eval"
        try:
            os.link(log, link)
        except OSError:  # another file system: a symbolic link reads the same
            link.symlink_to(log.resolve())
        links.append(link)
    one_old = run_measured({"what": "old", "files": [str(links[0])]})
    cold = run_measured(
        {"what": "new", "files": list(map(str, links)), "jobs": jobs, "cache_dir": str(scratch / "cache")}
    )
    warm = run_measured(
        {"what": "new", "files": list(map(str, links)), "jobs": jobs, "cache_dir": str(scratch / "cache")}
    )
    samples = cold.result["samples"]
    print(f"\n### Paper scale, measured: {copies} logs x {samples // copies:,} samples = {samples:,}\n")
    print(_HEADER)
    old_total = Measured(one_old.wall * copies, one_old.cpu * copies, one_old.peak_mb, {})
    print(_row(f"today, 1 process (1 log measured, x {copies})", old_total, samples))
    print(_row(f"fast, --jobs {jobs}, empty cache", cold, samples, old_total))
    print(
        _row(
            f"fast, --jobs {jobs}, cached ({warm.result['from_cache']} from cache)", warm, samples, old_total
        )
    )
    if cold.result["digest"] != warm.result["digest"]:
        raise SystemExit("cached records differ")


def rank_runs(files: list[Path], jobs: int, scratch: Path) -> None:
    env = {"ADAEM_CACHE_DIR": str(scratch / "rank-cache")}
    runs = []
    for name in ("first", "cached"):
        spec = {"what": "rank", "files": list(map(str, files)), "jobs": jobs, "out": str(scratch / name)}
        runs.append(run_measured(spec, env))
    print(f"\n### adaem-rank on the {len(files)} logs (--jobs {jobs}): first run, then the cached run\n")
    print("| run | reading s | rating s | writing s | wall s (process) | CPU s | peak MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, m in zip(("first (empty cache)", "second (cached)"), runs, strict=True):
        phases = m.result["phases"]
        print(
            f"| {name} | {phases['reading']:.2f} | {phases['rating']:.2f} | {phases['writing']:.2f} | "
            f"{m.wall:.2f} | {m.cpu:.2f} | {m.peak_mb:.0f} |"
        )
    first, cached = (m.result for m in runs)
    ratio = first["phases"]["reading"] / cached["phases"]["reading"]
    same = first["boards"] == cached["boards"]
    print(f"\nreading: {ratio:.0f}x less time on the cached run")
    print(f"leaderboard csv and json of both runs identical: {'yes' if same else 'NO'}")
    if not same or first["exit"] != cached["exit"]:
        raise SystemExit("the cached run wrote another leaderboard")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=Path, help="directory that keeps (and reuses) the persona logs")
    parser.add_argument("--questions", type=int, default=5000, help="questions per log (default: 5000)")
    parser.add_argument("--models", type=int, default=4, help="persona logs (default: 4)")
    parser.add_argument("--jobs", type=int, default=2, help="workers for the parallel runs (default: 2)")
    parser.add_argument("--paper-logs", type=Path, help="directory that keeps the one paper-scale log")
    parser.add_argument("--paper-questions", type=int, default=PAPER_QUESTIONS)
    parser.add_argument("--paper-copies", type=int, default=PAPER_MODELS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(json.loads(args.measure))))
        return
    if args.logs is None:
        parser.error("--logs is required")
    print(f"machine: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    files = ensure_logs(args.logs, args.questions, args.models)
    _settle(files)
    old, new, par = reading(files, args.jobs)
    extrapolate(old, new, par, old.result["samples"])
    with tempfile.TemporaryDirectory() as scratch:
        if args.paper_logs is not None:
            [paper] = ensure_logs(args.paper_logs, args.paper_questions, 1)
            _settle([paper])
            paper_scale(paper, args.paper_copies, args.jobs, Path(scratch))
        rank_runs(files, args.jobs, Path(scratch))
    print(f"\nload average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
