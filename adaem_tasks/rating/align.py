"""Align value records into model x question x value tensors, one per value system.

AdAEM ranks models *relative to each other* on one question set (paper App. C.7: "all
LLMs are evaluated under the same X"), so records of different set versions are never
mixed: :func:`align` refuses them with :class:`VersionMismatchError` unless one version
is selected. A version name is not enough: logs of one version whose set *content
hashes* differ answered different questions under the same ids, and are refused with
:class:`ContentMismatchError`; records that carry no hash (older logs) are reported.
Missing or unjudgeable answers become ``valid == False``: that model sits out the
question (it is in neither team), and its coverage is reported. A judged answer whose
label for one value is unknown (unreadable judge) sits out that value only: ``known ==
False`` there. A model with no judgeable answer stays in the alignment, so the
leaderboard can say why it has no win rate.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.rating.measurement import (
    PrimedPolicy,
    SettingsComparison,
    compare_settings,
    entry_settings,
    separate_conditions,
)
from adaem_tasks.rating.records import Problem, ValueRecord
from adaem_tasks.value_systems import available_value_systems, load_value_system

__all__ = [
    "Alignment",
    "ContentMismatchError",
    "Coverage",
    "MixedSettingsError",
    "SetMismatchError",
    "VersionMismatchError",
    "align",
    "check_content_hashes",
    "select_version",
]


class SetMismatchError(ValueError):
    """The records were not all made on the same questions: nothing may be ranked."""


def _described(groups: dict[str, dict[str, set[str]]]) -> list[str]:
    """One line per group (a version or a content hash): its models, file count and an example file."""
    lines = []
    for name in sorted(groups):
        models = groups[name]
        files = sorted({f for sources in models.values() for f in sources})
        n_files = f"{len(files)} file{'s' * (len(files) != 1)}"
        lines.append(f"  {name!r}: models {', '.join(sorted(models))} ({n_files}, e.g. {files[0]})")
    return lines


class VersionMismatchError(SetMismatchError):
    """Records of more than one question-set version were given together."""

    def __init__(self, versions: dict[str, dict[str, set[str]]]) -> None:
        self.versions = versions
        super().__init__(
            "cannot rank models answering different question-set versions:\n"
            + "\n".join(_described(versions))
            + "\nAdAEM win rates are relative, so every model must answer the same question set "
            "(paper App. C.7). Re-run the models on one version, or choose one with --set-version VERSION "
            "(records of other versions are then reported and left out)."
        )


class MixedSettingsError(SetMismatchError):
    """Models measured under different settings (judge configuration, prompt), and nobody accepted it."""

    def __init__(self, message: str, comparison: SettingsComparison) -> None:
        self.comparison = comparison
        super().__init__(message)


class ContentMismatchError(SetMismatchError):
    """Logs of one question-set version whose set content hashes differ."""

    def __init__(self, version: str, hashes: dict[str, dict[str, set[str]]]) -> None:
        self.version = version
        self.hashes = hashes
        super().__init__(
            f"cannot rank logs of question-set version {version!r} whose questions differ "
            "(different set content hashes):\n"
            + "\n".join(_described(hashes))
            + "\nOne version name was run on different questions (an edited copy of the set?), so the "
            "same question ids would be compared across different questions. Re-run the models on one "
            "copy of the set (publish an edited copy as a new version), or rank each copy's logs separately."
        )


def check_content_hashes(records: Sequence[ValueRecord]) -> list[Problem]:
    """Refuse one version with several content hashes; report records that carry none.

    Raises:
        ContentMismatchError: two records of the same version carry different hashes.
    """
    by_version: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(set))
    )
    unhashed: dict[str, set[str]] = defaultdict(set)
    unhashed_count: Counter[str] = Counter()
    for record in records:
        if record.content_hash:
            by_version[record.set_version][record.content_hash][record.model].add(record.source)
        else:
            unhashed[record.model].add(record.source)
            unhashed_count[record.model] += 1
    for version, hashes in sorted(by_version.items()):
        if len(hashes) > 1:
            raise ContentMismatchError(version, {h: dict(m) for h, m in hashes.items()})
    return [
        Problem(
            "unverified_content",
            ", ".join(sorted(sources)),
            f"{unhashed_count[model]} records carry no question-set content hash (a log written before "
            "hashes were recorded): their questions cannot be checked against the other logs' and are "
            "trusted by question id only",
            model=model,
            count=unhashed_count[model],
        )
        for model, sources in sorted(unhashed.items())
    ]


@dataclass
class Coverage:
    """How much of the question set one model answered judgeably."""

    model: str
    valid: int
    not_judgeable: int
    missing: int
    total: int
    panel: bool = False

    @property
    def fraction(self) -> float:
        return self.valid / self.total if self.total else 0.0


@dataclass
class Alignment:
    """Everything the rating needs for one value system, as dense arrays."""

    value_system: str
    set_version: str
    values: list[str]
    models: list[str]
    question_ids: list[str]
    categories: list[str | None]
    labels: NDArray[np.bool_]  # (questions, values, models); meaningful only where known
    valid: NDArray[np.bool_]  # (questions, models): the answer could be judged
    known: NDArray[np.bool_]  # (questions, values, models): valid, and that label is not unknown
    coverage: list[Coverage] = field(default_factory=list)
    panel_models: list[str] = field(default_factory=list)
    judges: dict[str, list[str]] = field(default_factory=dict)
    settings: dict[str, dict[str, object]] = field(default_factory=dict)  # entry -> prime, grader, settings
    records: dict[tuple[str, str], ValueRecord] = field(default_factory=dict, repr=False)
    """The record behind each ``(model, question_id)`` cell (after de-duplication and run naming):
    where the HTML report finds the answer it shows as evidence."""

    def subset(self, questions: NDArray[np.bool_] | Sequence[int]) -> Alignment:
        """The same models and values on a subset of the questions (e.g. one topic category)."""
        index = np.flatnonzero(questions) if np.asarray(questions).dtype == bool else np.asarray(questions)
        return replace(
            self,
            question_ids=[self.question_ids[i] for i in index],
            categories=[self.categories[i] for i in index],
            labels=self.labels[index],
            valid=self.valid[index],
            known=self.known[index],
        )


def select_version(
    records: Sequence[ValueRecord], set_version: str | None = None
) -> tuple[list[ValueRecord], list[Problem]]:
    """Keep the records of one question-set version; raise if several are mixed and none chosen."""
    by_version: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for record in records:
        by_version[record.set_version][record.model].add(record.source)
    if set_version is None:
        if len(by_version) > 1:
            raise VersionMismatchError({v: dict(m) for v, m in by_version.items()})
        return list(records), []
    if set_version not in by_version:
        known = ", ".join(repr(v) for v in sorted(by_version)) or "none"
        raise ValueError(f"no records of question-set version {set_version!r}; the logs hold: {known}")
    problems = [
        Problem(
            "other_version",
            ", ".join(sorted({s for sources in models.values() for s in sources})),
            f"{sum(1 for r in records if r.set_version == version)} records of version {version!r} left out "
            f"(ranking version {set_version!r})",
            details={"version": version, "models": sorted(models)},
        )
        for version, models in sorted(by_version.items())
        if version != set_version
    ]
    return [r for r in records if r.set_version == set_version], problems


def _run_names(records: Iterable[ValueRecord]) -> dict[tuple[str, str], str]:
    """``model#1``, ``model#2``... per model, oldest run first (for --split-runs)."""
    runs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in records:
        runs[r.model].add((r.created, r.run))
    names: dict[tuple[str, str], str] = {}
    for model, model_runs in runs.items():
        ordered = sorted(model_runs)
        for i, (_, run) in enumerate(ordered, start=1):
            names[(model, run)] = model if len(ordered) == 1 else f"{model}#{i}"
    return names


def _dedupe(records: Sequence[ValueRecord]) -> tuple[dict[tuple[str, str], ValueRecord], list[Problem]]:
    """One record per (model, question): a judgeable answer beats none, then the newest run wins."""
    chosen: dict[tuple[str, str], ValueRecord] = {}
    repeats: Counter[str] = Counter()
    for record in sorted(records, key=lambda r: (r.valid, r.created, r.run)):
        key = (record.model, record.question_id)
        if key in chosen:
            repeats[record.model] += 1
        chosen[key] = record  # later in the sort order = better
    problems = [
        Problem(
            "duplicate",
            "(several runs)",
            f"{n} questions answered in more than one run: the newest judgeable answer is used "
            "(use --split-runs to rank runs separately)",
            model=model,
            count=n,
        )
        for model, n in sorted(repeats.items())
    ]
    return chosen, problems


def _values_of(system: str, records: Sequence[ValueRecord]) -> list[str]:
    if system in available_value_systems():
        return load_value_system(system).keys
    seen: dict[str, None] = {}
    for record in records:
        seen.update(dict.fromkeys(record.labels))
    return list(seen)


def align(
    records: Sequence[ValueRecord],
    set_version: str | None = None,
    split_runs: bool = False,
    *,
    primed: PrimedPolicy = "leave_out",
    allow_mixed_settings: bool = False,
) -> tuple[list[Alignment], list[Problem]]:
    """Dense tensors per value system, plus coverage and consistency problems.

    Runs are first separated by their measurement conditions
    (:mod:`adaem_tasks.rating.measurement`): primed runs follow ``primed``, a model measured
    under several settings becomes one entry per setting, and models measured differently
    are refused unless ``allow_mixed_settings``.

    Raises:
        VersionMismatchError: records of several set versions and no ``set_version`` chosen.
        ContentMismatchError: records of one version made on different questions.
        MixedSettingsError: models measured differently, and ``allow_mixed_settings`` is False.
    """
    records, problems = select_version(records, set_version)
    problems.extend(check_content_hashes(records))
    if split_runs:
        names = _run_names(r for r in records if not r.panel)
        records = [r if r.panel else replace(r, model=names[(r.model, r.run)]) for r in records]
    alignments: list[Alignment] = []
    by_system: dict[str, list[ValueRecord]] = defaultdict(list)
    for record in records:
        by_system[record.value_system].append(record)
    for system in sorted(by_system):
        system_records, found = separate_conditions(by_system[system], primed)
        problems.extend(found)
        comparison = compare_settings(system_records, system)
        refusal = comparison.refusal(system)
        if refusal is not None and not allow_mixed_settings:
            raise MixedSettingsError(refusal, comparison)
        problems.extend(comparison.mixed + comparison.unverified)
        if not system_records:
            continue
        alignment, found = _align_system(system, system_records)
        problems.extend(found)
        if alignment is not None:
            alignments.append(alignment)
    return alignments, problems


def _align_system(system: str, records: list[ValueRecord]) -> tuple[Alignment | None, list[Problem]]:
    chosen, problems = _dedupe(records)
    values = _values_of(system, records)
    question_ids = sorted({q for _, q in chosen})
    q_index = {q: i for i, q in enumerate(question_ids)}
    categories: list[str | None] = [None] * len(question_ids)
    all_models = sorted({m for m, _ in chosen})
    panel = {r.model for r in chosen.values() if r.panel}

    per_model: dict[str, list[ValueRecord]] = defaultdict(list)
    incomplete: Counter[str] = Counter()
    for (model, _), record in chosen.items():
        per_model[model].append(record)
        if categories[q_index[record.question_id]] is None:
            categories[q_index[record.question_id]] = record.category
    models = all_models  # models without a judgeable answer stay: the leaderboard says why they are unrated
    m_index = {m: i for i, m in enumerate(models)}
    labels = np.zeros((len(question_ids), len(values), len(models)), dtype=bool)
    valid = np.zeros((len(question_ids), len(models)), dtype=bool)
    known = np.zeros((len(question_ids), len(values), len(models)), dtype=bool)
    for model in models:
        j = m_index[model]
        for record in per_model[model]:
            if not record.valid:
                continue
            if any(k not in record.labels for k in values):
                incomplete[model] += 1
                continue
            i = q_index[record.question_id]
            valid[i, j] = True
            row = [record.labels[k] for k in values]
            known[i, :, j] = [label is not None for label in row]
            labels[i, :, j] = [bool(label) for label in row]
    for model, n in sorted(incomplete.items()):
        problems.append(
            Problem(
                "bad_record",
                "(several files)",
                f"{n} answers lack some {system} value keys: counted as unanswered",
                model=model,
                count=n,
            )
        )

    coverage: list[Coverage] = []
    for model in models:
        answered = {r.question_id for r in per_model[model]}
        n_valid = int(valid[:, m_index[model]].sum())
        cov = Coverage(
            model=model,
            valid=n_valid,
            not_judgeable=len(answered) - n_valid,
            missing=len(question_ids) - len(answered),
            total=len(question_ids),
            panel=model in panel,
        )
        coverage.append(cov)
        if cov.missing:  # unjudgeable answers are already reported by the readers
            problems.append(
                Problem(
                    "coverage",
                    system,
                    f"answered {cov.total - cov.missing} of the {cov.total} questions other models answered "
                    f"({cov.valid} judgeably, {cov.fraction:.1%}): it sits out the rest",
                    model=model,
                    count=cov.total - cov.valid,
                )
            )

    judges: dict[str, list[str]] = {
        m: sorted({r.judge for r in per_model[m] if r.judge})
        for m in models
        if any(r.judge for r in per_model[m])
    }
    if not models:
        return None, problems
    return (
        Alignment(
            value_system=system,
            set_version=records[0].set_version,
            values=values,
            models=models,
            question_ids=question_ids,
            categories=categories,
            labels=labels,
            valid=valid,
            known=known,
            coverage=coverage,
            panel_models=sorted(panel & set(models)),
            judges=judges,
            settings=entry_settings(records),
            records=chosen,
        ),
        problems,
    )
