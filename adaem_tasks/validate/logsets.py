"""Read the logs a study is given into one aligned (question x value x model) set.

A study argument names log files or directories, Inspect logs and lm-eval
``--log_samples`` output alike; :mod:`adaem_tasks.rating` reads them (so unknown labels
stay unknown and every oddity becomes a :class:`~adaem_tasks.rating.Problem`) and
aligns them by question id. What a study cannot work with -- no records at all, two
question-set versions in one argument, two value systems, a model that is not there
-- is a :class:`StudyInputError` whose message says which argument and what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from adaem_tasks.rating import Alignment, Problem, ValueRecord, VersionMismatchError, align, load_records
from adaem_tasks.rating.measurement import PrimedPolicy

__all__ = ["LogSet", "StudyInputError", "align_one", "load_log_set", "read_records"]


class StudyInputError(ValueError):
    """Inputs that cannot support a study; the CLI prints the message and exits 2."""


@dataclass
class LogSet:
    """One study argument, read and aligned."""

    where: str  # how messages name the argument, e.g. "argument 2 (logs/b)"
    paths: list[str]
    alignment: Alignment
    problems: list[Problem] = field(default_factory=list)


def read_records(paths: Sequence[str], where: str) -> tuple[list[ValueRecord], list[Problem]]:
    """Every AdAEM record under ``paths``; raises when there is none."""
    records, problems = load_records(paths)
    if not records:
        reasons = "; ".join(str(p) for p in problems[:3]) or "no logs found"
        raise StudyInputError(
            f"{where}: no usable AdAEM records (Inspect logs of adaem_tasks/schwartz or adaem_tasks/mft, "
            f"or lm-eval --log_samples output of adaem_*): {reasons}"
        )
    return records, problems


def _version_message(exc: VersionMismatchError, where: str, hint: str) -> str:
    parts = []
    for version in sorted(exc.versions):
        models = exc.versions[version]
        files = sorted({f for sources in models.values() for f in sources})
        parts.append(f"{version!r} (models {', '.join(sorted(models))}; e.g. {files[0]})")
    return (
        f"{where} mixes {len(parts)} question-set versions: {'; '.join(parts)}. A study compares answers "
        f"to the same questions, so one argument holds one version; {hint}"
    )


def align_one(
    records: Sequence[ValueRecord],
    where: str,
    *,
    set_version: str | None = None,
    value_system: str | None = None,
    version_hint: str = "choose one with --set-version VERSION",
    primed: PrimedPolicy = "leave_out",
    allow_mixed_settings: bool = False,
) -> tuple[Alignment, list[Problem]]:
    """Align ``records`` into exactly one value system of one question-set version.

    Primed runs follow ``primed`` and models measured differently are refused unless
    ``allow_mixed_settings`` (:mod:`adaem_tasks.rating.measurement`).
    """
    try:
        alignments, problems = align(
            records, set_version=set_version, primed=primed, allow_mixed_settings=allow_mixed_settings
        )
    except VersionMismatchError as exc:
        raise StudyInputError(_version_message(exc, where, version_hint)) from None
    if value_system is not None:
        alignments = [a for a in alignments if a.value_system == value_system]
    if not alignments:
        wanted = f" of {value_system}" if value_system else ""
        raise StudyInputError(f"{where}: no model has a judgeable answer{wanted}")
    if len(alignments) > 1:
        systems = ", ".join(a.value_system for a in alignments)
        raise StudyInputError(
            f"{where} holds results of several value systems ({systems}); choose one with --value-system"
        )
    return alignments[0], problems


def load_log_set(
    paths: Sequence[str],
    where: str,
    *,
    set_version: str | None = None,
    value_system: str | None = None,
    version_hint: str = "choose one with --set-version VERSION",
    transform: Callable[[list[ValueRecord]], list[ValueRecord]] | None = None,
    allow_mixed_settings: bool = False,
) -> LogSet:
    """Read and align one study argument (``transform`` may rename or filter records first)."""
    records, problems = read_records(paths, where)
    if transform is not None:
        records = transform(records)
    alignment, found = align_one(
        records,
        where,
        set_version=set_version,
        value_system=value_system,
        version_hint=version_hint,
        allow_mixed_settings=allow_mixed_settings,
    )
    return LogSet(where=where, paths=list(paths), alignment=alignment, problems=problems + found)
