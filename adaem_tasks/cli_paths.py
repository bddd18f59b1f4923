"""Output paths of the command-line tools, checked where they are typed.

``adaem-rank --out results.csv`` (an existing file) or ``--out /proc/x`` used to end, after
all the work, in a ``FileExistsError`` traceback from ``mkdir``. These argparse ``type=``
callables check the path before anything is read: an output directory must be a directory
or creatable, an output file must not be a directory, and the place it goes must be
writable -- probed by creating (and at once removing) a temporary directory there, since
``os.access`` says yes to everything for root. Nothing is left behind by the check.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

__all__ = ["output_dir", "output_file"]


def _existing_ancestor(path: Path) -> Path:
    for candidate in [path, *path.parents]:
        if candidate.exists():
            return candidate
    return Path.cwd()  # pragma: no cover - a relative path always has '.' above it


def _writable(directory: Path, text: str) -> None:
    try:
        probe = tempfile.mkdtemp(prefix=".adaem-write-check-", dir=directory)
    except OSError as exc:
        raise argparse.ArgumentTypeError(
            f"cannot write under {str(directory)!r} for {text!r}: {exc.strerror or exc}"
        ) from None
    Path(probe).rmdir()


def output_dir(text: str) -> Path:
    """An argparse ``type=`` for a directory the command will create or write into."""
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a directory")
    base = _existing_ancestor(path.absolute())
    if not base.is_dir():
        raise argparse.ArgumentTypeError(f"cannot create {text!r}: {str(base)!r} is a file, not a directory")
    _writable(base, text)
    return path


def output_file(text: str) -> Path:
    """An argparse ``type=`` for a file the command will (over)write."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a directory, not a file")
    base = _existing_ancestor(path.absolute().parent)
    if not base.is_dir():
        raise argparse.ArgumentTypeError(f"cannot create {text!r}: {str(base)!r} is a file, not a directory")
    _writable(base, text)
    return path
