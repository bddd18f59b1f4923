"""``adaem-validate``: one sub-command per study.

Usage::

    adaem-validate <study> [options]

Exit status: 0 on success, 2 when the inputs cannot support the study (the message says
why), 1 when the study ran but a check it makes failed (each study documents its own).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from adaem_tasks.rating.log_reading import add_reading_arguments, reading_options, reading_options_from_args

__all__ = ["STUDIES", "build_parser", "main"]

#: Modules of :mod:`adaem_tasks.validate` that each register one sub-command.
STUDIES: tuple[str, ...] = ("priming", "reliability", "informativeness", "judge")
#: Studies that read value records, and so take ``--jobs`` / ``--no-cache`` for reading logs. The
#: judge study reads key points instead (and its ``--no-cache`` is Inspect's model cache).
RECORD_STUDIES = frozenset({"priming", "reliability", "informativeness"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adaem-validate",
        description="The AdAEM paper's validity, reliability, informativeness and judge studies, computed "
        "from Inspect eval logs and lm-eval --log_samples output.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    subparsers = parser.add_subparsers(dest="study", metavar="STUDY", required=True)
    for name in STUDIES:
        importlib.import_module(f"adaem_tasks.validate.{name}").register(subparsers)
        if name in RECORD_STUDIES:
            add_reading_arguments(subparsers.choices[name])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    try:
        with reading_options(reading_options_from_args(ns)):
            return int(ns.run(ns))
    except (ValueError, OSError) as exc:
        if ns.debug:
            raise
        print(f"adaem-validate {ns.study}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
