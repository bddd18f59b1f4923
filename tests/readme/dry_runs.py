"""Extract the tagged dry-run blocks of the README and docs pages; run them as a reader would paste them.

A dry run is a fenced ``bash`` block right below a marker line::

    <!-- dry-run: NAME [copy=PATH,...] [after=NAME,...] [expect=PATH,...] -->

``NAME`` names it (test ids, per-name checks); ``copy=`` lists repository paths copied into
the empty working directory first (for blocks that run "from the repository root");
``after=`` names earlier blocks of the same file that run first, in the same directory (a
follow-up that uses what they wrote, as a reader runs them one after the other);
``expect=`` lists paths the block must create. Blank lines may sit between marker and
fence; anything else is an error naming the file and line, so a marker never silently
stops testing its block. The block's text is run unchanged with ``bash -euo pipefail``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DryRun",
    "DryRunError",
    "DryRunResult",
    "all_dry_runs",
    "documents",
    "free_port",
    "parse_dry_runs",
    "run_dry_run",
]

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DOCS = REPO / "docs"


def documents() -> list[Path]:
    """The files whose dry runs are run: the README, then every docs page (sorted, so ids are stable)."""
    return [README, *sorted(DOCS.rglob("*.md"))]


_MARKER = re.compile(r"^<!--\s*dry-run:\s*(?P<name>[\w.-]+)(?P<options>(?:\s+[a-z]+=\S+)*)\s*-->\s*$")
_OPTIONS = ("copy", "after", "expect")


class DryRunError(ValueError):
    """A malformed dry-run marker or block (the message names file and line)."""


@dataclass(frozen=True)
class DryRun:
    name: str
    script: str
    line: int
    """Line of the marker (1-based) in ``source``, for messages."""
    copy: tuple[str, ...] = ()
    expect: tuple[str, ...] = ()
    source: str = "README.md"
    """The file (relative to the repository) that holds the block."""
    after: tuple[str, ...] = ()
    """Earlier blocks of the same file that run first, in the same directory."""

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True)
class DryRunResult:
    run: DryRun
    workdir: Path
    returncode: int
    stdout: str
    stderr: str

    def failure(self) -> str:
        """What to show when the block failed: where it is and the end of its output."""
        return (
            f"{self.run.where}: dry run {self.run.name!r} exited {self.returncode}\n"
            f"--- stdout (tail)\n{self.stdout[-3000:]}\n--- stderr (tail)\n{self.stderr[-4000:]}"
        )


def _options(text: str, where: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for item in text.split():
        key, _, value = item.partition("=")
        if key not in _OPTIONS:
            raise DryRunError(f"{where}: unknown dry-run option {key!r} (known: {', '.join(_OPTIONS)})")
        found[key] = tuple(v for v in value.split(",") if v)
    return found


def parse_dry_runs(text: str, source: str = "README.md") -> list[DryRun]:
    """Every tagged block of ``text``, in order; :class:`DryRunError` on a malformed one."""
    lines = text.splitlines()
    runs: list[DryRun] = []
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("<!-- dry-run"):
            i += 1
            continue
        where = f"{source}:{i + 1}"
        marker = _MARKER.match(lines[i].strip())
        if marker is None:
            raise DryRunError(f"{where}: malformed marker {lines[i].strip()!r}")
        options = _options(marker["options"], where)
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or lines[j].strip() != "```bash":
            raise DryRunError(
                f"{where}: dry-run marker {marker['name']!r} is not followed by a ```bash block"
            )
        end = j + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if end >= len(lines):
            raise DryRunError(f"{where}: the ```bash block of {marker['name']!r} is never closed")
        runs.append(
            DryRun(
                name=marker["name"],
                script="\n".join(lines[j + 1 : end]) + "\n",
                line=i + 1,
                copy=options.get("copy", ()),
                expect=options.get("expect", ()),
                source=source,
                after=options.get("after", ()),
            )
        )
        i = end + 1
    names = [r.name for r in runs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DryRunError(f"{source}: dry-run names used more than once: {', '.join(duplicates)}")
    for k, run in enumerate(runs):
        unknown = [name for name in run.after if name not in names[:k]]
        if unknown:
            raise DryRunError(
                f"{run.where}: {run.name!r} runs after {', '.join(unknown)}, not an earlier block of {source}"
            )
    return runs


def all_dry_runs(files: list[Path] | None = None) -> dict[str, DryRun]:
    """The dry runs of every documented file by name; a name used in two files is an error naming both."""
    found: dict[str, DryRun] = {}
    for path in documents() if files is None else files:
        source = path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)
        for run in parse_dry_runs(path.read_text(encoding="utf-8"), source=source):
            if run.name in found:
                raise DryRunError(
                    f"{run.where}: dry-run name {run.name!r} is already used at {found[run.name].where}"
                )
            found[run.name] = run
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(root: Path) -> dict[str, str]:
    """The user's environment minus our settings, offline, with this venv's commands first."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ADAEM_", "INSPECT_EVAL_", "INSPECT_LOG")) and not k.endswith("_BASE_URL")
    }
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        ADAEM_HOME=str(root / "adaem-home"),
        ADAEM_CACHE_DIR=str(root / "adaem-cache"),  # adaem-rank's cache of log reads
        INSPECT_CACHE_DIR=str(root / "inspect-cache"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        PYTHONUNBUFFERED="1",
        PORT=str(free_port()),  # blocks default to 8000; a free port keeps parallel runs apart
    )
    return env


_SERVER_MODULE = "adaem_tasks.testing.openai_server"


def _stop_started_servers(workdir: Path) -> None:
    """Stop a test server the block left running (a failed block never reaches its ``kill``).

    Only a process named in the block's own pid files, and only while it still is our
    server (its command line says so), so a recycled pid is never signalled.
    """
    for pid_file in workdir.rglob("*.pid"):
        try:
            pid = int(pid_file.read_text(encoding="utf-8").strip())
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (ValueError, OSError):
            continue
        if _SERVER_MODULE in command:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)


def run_dry_run(
    run: DryRun, root: Path, timeout_s: float = 600, before: tuple[DryRun, ...] = ()
) -> DryRunResult:
    """Run ``run`` in ``root/work`` (created empty, then the ``copy=`` paths copied in).

    ``before`` are the blocks its ``after=`` names, run first in the same directory; a
    failing one is returned as the result (its output says which block failed).
    """
    workdir = root / "work"
    workdir.mkdir(parents=True)
    for rel in dict.fromkeys([*run.copy, *(rel for block in before for rel in block.copy)]):
        source = REPO / rel
        if source.is_dir():
            shutil.copytree(source, workdir / rel, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (workdir / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, workdir / rel)
    for block in before:
        done = _run_block(block, root, workdir, timeout_s)
        if done.returncode != 0:
            stderr = f"(in {block.name!r}, which runs first)\n{done.stderr}"
            return DryRunResult(run, workdir, done.returncode, done.stdout, stderr)
    done = _run_block(run, root, workdir, timeout_s)
    return DryRunResult(run, workdir, done.returncode, done.stdout, done.stderr)


def _run_block(
    block: DryRun, root: Path, workdir: Path, timeout_s: float
) -> subprocess.CompletedProcess[str]:
    script = root / f"{block.name}.sh"  # outside the working directory: not one of its outputs
    script.write_text(block.script, encoding="utf-8")
    try:
        return subprocess.run(
            ["bash", "-euo", "pipefail", str(script)],
            cwd=workdir,
            env=_environment(root),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    finally:
        _stop_started_servers(workdir)
