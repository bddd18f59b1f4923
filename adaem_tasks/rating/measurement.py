"""Which runs measure the same thing: primed runs, a model under several settings, models measured apart.

A leaderboard compares models *under one measurement*: the same questions (checked by
:mod:`adaem_tasks.rating.align`), the same prompt and the same judge configuration
(:class:`~adaem_tasks.conditions.Conditions`, read from every log). Three things break
that, and none may pass silently:

* **a primed run** (``-T prime=<value>``) measures how far priming moves the model
  (paper §4.2, App. C.11), not its values. It is never merged into the model's answers:
  it is left out with a ``primed_run`` problem naming the file, or -- when the caller asks
  (``adaem-rank --rank-primed``) -- ranked as an entry of its own, ``model [prime=power]``;
* **one model under several settings** (judged batched in one run, single in another):
  each setting is an entry of its own, ``model [judge_mode=batched]``, instead of the
  newest run silently replacing the other;
* **models measured differently** (one judged batched, the others single; a different
  grader; five key points instead of three): their win rates compare the settings as much
  as the models. :func:`compare_settings` names every difference (``mixed_judges``,
  ``mixed_settings``); the aligner refuses the records unless the caller accepts it.

A setting a log does not record (an older log) is unknown: it separates nothing and
contradicts nothing, and is reported as ``unverified_settings``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from adaem_tasks.conditions import JUDGE_SETTINGS, PROMPT_SETTINGS
from adaem_tasks.rating.records import Problem, ProblemKind, ValueRecord

__all__ = [
    "SETTING_ORDER",
    "PrimedPolicy",
    "SettingsComparison",
    "compare_observed",
    "compare_settings",
    "entry_settings",
    "separate_conditions",
    "settings_of",
]

PrimedPolicy = Literal["leave_out", "separate", "keep"]
"""What to do with primed runs: leave them out (a leaderboard), rank them as entries of their own, or
keep them as they are (the priming study, which names its conditions itself)."""

GRADER = "grader"
SETTING_ORDER = (GRADER, *PROMPT_SETTINGS, *JUDGE_SETTINGS)
"""How settings are listed: the grader model, the prompt, then the judge configuration."""
_JUDGE_NAMES = frozenset({GRADER, *JUDGE_SETTINGS})


def settings_of(record: ValueRecord) -> dict[str, Any]:
    """The settings that shape a record's numbers besides ``prime`` (``None`` = unknown)."""
    return {GRADER: record.judge, **record.conditions.measurement()}


_UNUSED = "n/a"
"""Shown for a setting that does not act in a run (the threshold of a batched judge)."""


def _shown(value: object) -> str:
    return "unknown" if value is None else str(value)


def _entry_name(model: str, named: dict[str, Any]) -> str:
    if not named:
        return model
    return f"{model} [{', '.join(f'{k}={_shown(v)}' for k, v in named.items())}]"


def _key(record: ValueRecord, with_prime: bool) -> tuple[tuple[str, Any], ...]:
    """Every setting by name, in one order (``n/a`` where it does not act), ``prime`` first if asked."""
    settings = settings_of(record)
    key = tuple((name, settings.get(name, _UNUSED)) for name in SETTING_ORDER)
    return (("prime", record.conditions.prime), *key) if with_prime else key


def _leave_out_primed(records: Sequence[ValueRecord]) -> tuple[list[ValueRecord], list[Problem]]:
    """Drop primed records; one problem per primed file, saying whether its model is now absent."""
    unprimed_models = {r.model for r in records if r.conditions.prime is None}
    by_file: dict[tuple[str, str, str], int] = defaultdict(int)
    kept: list[ValueRecord] = []
    for record in records:
        if record.conditions.prime is None:
            kept.append(record)
        else:
            by_file[(record.source, record.model, record.conditions.prime)] += 1
    problems = []
    for (source, model, prime), count in sorted(by_file.items()):
        absent = model not in unprimed_models
        problems.append(
            Problem(
                "primed_run",
                source,
                f"a primed run (-T prime={prime}) measures how far priming moves the model "
                "(paper App. C.11), not its values: left out"
                + (
                    " (the model has no unprimed run here, so it is left out entirely)"
                    if absent
                    else " (its unprimed run is used)"
                )
                + f"; adaem-rank --rank-primed ranks it as its own entry '{model} [prime={prime}]', "
                "adaem-validate priming compares it with the unprimed run",
                model=model,
                count=count,
                details={"prime": prime, "model_left_out": absent},
            )
        )
    return kept, problems


def separate_conditions(
    records: Sequence[ValueRecord], primed: PrimedPolicy = "leave_out"
) -> tuple[list[ValueRecord], list[Problem]]:
    """Records renamed so that one name holds one measurement (see the module docstring).

    A model measured under one setting keeps its name; a model with runs under several
    becomes one entry per setting, named by the settings that differ between its runs
    (a primed run is always named by its prime).
    """
    problems: list[Problem] = []
    if primed == "leave_out":
        records, problems = _leave_out_primed(records)
    with_prime = primed == "separate"
    groups: dict[str, dict[tuple[tuple[str, Any], ...], list[ValueRecord]]] = defaultdict(dict)
    for record in records:
        groups[record.model].setdefault(_key(record, with_prime), []).append(record)
    renamed: list[ValueRecord] = []
    for model, by_key in groups.items():
        keys = list(by_key)
        names = [name for name, _ in keys[0]]
        # a setting names the entries where its known, acting values differ (n/a follows from another
        # setting; unknown separates nothing: runs that differ only there keep one name)
        differing = {
            name for i, name in enumerate(names) if len({key[i][1] for key in keys} - {_UNUSED, None}) > 1
        }
        for key, members in by_key.items():
            # an unprimed run keeps the model's name; a primed one is always named by its prime
            named = {
                name: value
                for name, value in key
                if (name == "prime" and value is not None)
                or (name != "prime" and name in differing and value not in (_UNUSED, None))
            }
            entry = _entry_name(model, named)
            renamed.extend(members if entry == model else [replace(r, model=entry) for r in members])
            if primed == "separate" and dict(key).get("prime") is not None:
                problems.append(
                    Problem(
                        "primed_run",
                        ", ".join(sorted({r.source for r in members})),
                        f"a primed run (-T prime={dict(key)['prime']}) is ranked as its own entry '{entry}' "
                        "(--rank-primed): it shows where priming moves the model, not the model's values",
                        model=model,
                        count=len(members),
                        details={"prime": dict(key)["prime"], "entry": entry},
                    )
                )
    return renamed, problems


def entry_settings(records: Sequence[ValueRecord]) -> dict[str, dict[str, Any]]:
    """Per entry (model name), its settings with ``prime`` (its first record's)."""
    found: dict[str, dict[str, Any]] = {}
    for record in records:
        found.setdefault(record.model, {"prime": record.conditions.prime, **settings_of(record)})
    return found


@dataclass(frozen=True)
class SettingsComparison:
    """What :func:`compare_settings` found: differences across entries, and entries with unknown settings."""

    mixed: list[Problem]
    unverified: list[Problem]

    def refusal(self, where: str) -> str | None:
        """The message that refuses these records, or None when every entry was measured alike."""
        if not self.mixed:
            return None
        lines = [
            f"{where}: the models were not measured alike, so their numbers compare the settings as much as "
            "the models:"
        ]
        for problem in self.mixed:
            for name, groups in problem.details["differences"].items():
                shown = "; ".join(
                    f"{value} ({', '.join(group['models'])}; e.g. {group['example']})"
                    for value, group in groups.items()
                )
                lines.append(f"  {name}: {shown}")
        lines.append(
            "Re-run the models under one configuration (the same task options and grader), or accept the "
            "difference with --allow-mixed-settings (every model's settings are written to the JSON)."
        )
        return "\n".join(lines)


def _example(sources_by_model: dict[str, set[str]]) -> str:
    named = sorted(s for sources in sources_by_model.values() for s in sources if s)
    return named[0] if named else "(no file)"


def compare_settings(records: Sequence[ValueRecord], where: str) -> SettingsComparison:
    """Compare the settings of every entry (model name) of ``records``, one value system's worth."""
    observed: dict[str, dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    sources: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        counts[record.model] += 1
        sources[record.model].add(record.source)
        for name, value in settings_of(record).items():
            observed[record.model][name].add(value)
    return compare_observed(observed, sources, counts, where)


def compare_observed(
    observed: Mapping[str, Mapping[str, Iterable[Any]]],
    sources: Mapping[str, set[str]],
    counts: Mapping[str, int],
    where: str,
) -> SettingsComparison:
    """:func:`compare_settings` on summaries: per entry, the values seen of each setting (None = unknown).

    Used directly where the entries are not records, e.g. the same models on several
    question sets (``adaem-validate informativeness``).
    """
    # setting -> shown value -> entry -> files
    values: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(set))
    )
    unknown: dict[str, set[str]] = defaultdict(set)
    for entry, settings in observed.items():
        for name, seen in settings.items():
            for value in seen:
                if value is None:
                    unknown[entry].add(name)
                else:
                    values[name][_shown(value)][entry].update(sources.get(entry, set()))
    mixed: list[Problem] = []
    kinds: tuple[tuple[ProblemKind, frozenset[str]], ...] = (
        ("mixed_judges", _JUDGE_NAMES),
        ("mixed_settings", frozenset(PROMPT_SETTINGS)),
    )
    for kind, members in kinds:
        differences = {
            name: {
                value: {"models": sorted(by_entry), "example": _example(by_entry)}
                for value, by_entry in sorted(values[name].items())
            }
            for name in SETTING_ORDER
            if name in members and len(values[name]) > 1
        }
        if not differences:
            continue
        listed = "; ".join(
            f"{name} " + ", ".join(f"{value} ({', '.join(g['models'])})" for value, g in groups.items())
            for name, groups in differences.items()
        )
        what = "judged" if kind == "mixed_judges" else "prompted"
        mixed.append(
            Problem(
                kind,
                where,
                f"models were {what} differently ({listed}): their numbers compare the settings as much as "
                "the models",
                count=len(differences),
                details={"differences": differences},
            )
        )
    unverified = [
        Problem(
            "unverified_settings",
            ", ".join(sorted(s for s in sources.get(entry, set()) if s)) or "(no file)",
            f"its logs do not record {', '.join(n for n in SETTING_ORDER if n in names)} (written before "
            "adaem-tasks recorded them): these settings cannot be checked against the other models'",
            model=entry,
            count=counts.get(entry, 0),
            details={"unknown": [n for n in SETTING_ORDER if n in names]},
        )
        for entry, names in sorted(unknown.items())
    ]
    return SettingsComparison(mixed=mixed, unverified=unverified)
