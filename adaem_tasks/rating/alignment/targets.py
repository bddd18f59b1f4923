"""Target files: named value profiles and weightings that models are compared with.

A target is what a user wants models to fit: a country's or a person's value profile (PVQ means on
1-6, centred survey scores, 0-100 ratings; any numeric scale, only the order and the shape count)
or a weighting (non-negative weights; the model's weighted mean win rate is its score). Two file
forms, one meaning:

YAML::

    value_system: schwartz          # optional; else the system whose values the file names
    targets:
      - name: Respondent 17
        source: PVQ-40, centred on the respondent's mean   # optional, carried into the output
        values: {Self-direction: 0.61, Power: -1.12, ...}  # every value of the system
      - name: Our charter
        kind: weights               # profile (default) or weights
        values: {benevolence: 2, universalism: 1}          # unlisted values weigh 0

CSV (one row per target, one column per value; an empty cell of a ``weights`` row weighs 0)::

    name,kind,Self-direction,Stimulation,...
    Respondent 17,profile,0.61,-0.20,...

Value names match the value system the usual ways (``Self-direction``, ``self_direction``,
``Self-Direction``, ``SEL``). Every mistake is one :class:`TargetFileError` naming the file and
line: unknown or missing value, a value given twice, a non-numeric or non-finite number, a profile
whose values are all equal (it orders nothing), a negative or all-zero weighting, a duplicate
target name, an unknown or mismatched value system.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

import numpy as np
import yaml
from numpy.typing import NDArray
from yaml.constructor import SafeConstructor

from adaem_tasks.blank_text import is_blank, strip_blank
from adaem_tasks.cli_types import number
from adaem_tasks.errors import InputError
from adaem_tasks.value_systems import ValueSystem, available_value_systems, load_value_system

__all__ = ["TARGET_KINDS", "Target", "TargetFileError", "TargetKind", "TargetSet", "read_targets"]

TargetKind = Literal["profile", "weights"]
TARGET_KINDS: tuple[TargetKind, ...] = ("profile", "weights")
_TARGET_KEYS = ("name", "kind", "values", "source")
_TOP_KEYS = ("value_system", "targets")
_CSV_META = ("name", "kind", "source", "value_system")


class TargetFileError(InputError):
    """A target file that cannot be used; the message is ``file:line: reason``."""


@dataclass(frozen=True)
class Target:
    """One named target, its numbers in value-system order.

    ``scores`` holds the profile, or the weights (0 for a value a weighting does not list);
    ``listed`` the value keys the file gave.
    """

    name: str
    kind: TargetKind
    scores: tuple[float, ...]
    listed: tuple[str, ...]
    line: int
    source: str | None = None

    @property
    def varies(self) -> bool:
        """Whether the numbers differ: only then do rank and profile correlations exist."""
        return len(set(self.scores)) > 1


@dataclass(frozen=True)
class TargetSet:
    """The targets of one file, all of one value system."""

    path: str
    value_system: str
    values: tuple[str, ...]
    targets: tuple[Target, ...]
    value_system_line: int | None = None
    """Line of the file's ``value_system`` key (None: the system was read from the value names)."""

    def matrix(self) -> NDArray[np.float64]:
        """``(targets, values)``: each target's numbers."""
        return np.array([t.scores for t in self.targets], dtype=np.float64).reshape(
            len(self.targets), len(self.values)
        )

    def require_value_system(self, ranked: Sequence[str], where: str) -> None:
        """Refuse targets of a value system that ``where`` (the logs, a leaderboard) did not rank."""
        if self.value_system in ranked:
            return
        line = self.value_system_line or self.targets[0].line
        raise TargetFileError(
            f"{self.path}:{line}: these targets are {self.value_system} values, but only "
            f"{', '.join(sorted(ranked)) or 'no value system'} was ranked from {where}"
        )


# -- reading: both file forms become raw targets, resolved against one value system ---------------


@dataclass
class _Entry:
    label: str
    raw: object
    line: int
    label_line: int
    """Where the value's name is written: its own line in YAML, the header (line 1) in a CSV."""


@dataclass
class _RawTarget:
    name: str
    line: int
    kind: TargetKind = "profile"
    source: str | None = None
    entries: list[_Entry] = field(default_factory=list)


@dataclass
class _RawFile:
    path: str
    targets: list[_RawTarget]
    value_system: str | None = None
    value_system_line: int | None = None


def _error(path: str, line: int | None, reason: str) -> TargetFileError:
    return TargetFileError(f"{path}:{line}: {reason}" if line is not None else f"{path}: {reason}")


def _kind(path: str, line: int, text: str) -> TargetKind:
    if text not in TARGET_KINDS:
        raise _error(path, line, f"kind must be 'profile' or 'weights', got {text!r}")
    return cast(TargetKind, text)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _scalar_text(path: str, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null") or is_blank(str(node.value)):
        raise _error(path, _line(node), f"{what} must be text")
    return strip_blank(str(node.value))


def _mapping_pairs(path: str, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, int]]:
    """``(key, value node, line)`` of a YAML mapping, refusing a key given twice (YAML keeps the last)."""
    if not isinstance(node, yaml.MappingNode):
        raise _error(path, _line(node), f"{what} must be a mapping (key: value)")
    pairs: list[tuple[str, yaml.Node, int]] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = _scalar_text(path, key_node, f"a key of {what}")
        if key in seen:
            raise _error(
                path,
                _line(key_node),
                f"{key!r} is given twice in {what} (lines {seen[key]} and {_line(key_node)})",
            )
        seen[key] = _line(key_node)
        pairs.append((key, value_node, _line(key_node)))
    return pairs


def _yaml_target(path: str, node: yaml.Node, constructor: SafeConstructor) -> _RawTarget:
    pairs = _mapping_pairs(path, node, "a target")
    unknown = [(k, line) for k, _, line in pairs if k not in _TARGET_KEYS]
    if unknown:
        key, line = unknown[0]
        raise _error(path, line, f"unknown key {key!r} in a target (known: {', '.join(_TARGET_KEYS)})")
    fields = {k: (v, line) for k, v, line in pairs}
    if "name" not in fields:
        raise _error(path, _line(node), "a target without a name (name: TEXT)")
    target = _RawTarget(name=_scalar_text(path, fields["name"][0], "name"), line=_line(node))
    if "kind" in fields:
        target.kind = _kind(path, fields["kind"][1], _scalar_text(path, fields["kind"][0], "kind"))
    if "source" in fields:
        target.source = _scalar_text(path, fields["source"][0], "source")
    if "values" not in fields:
        raise _error(
            path, target.line, f"target {target.name!r} has no values (values: {{value: number, ...}})"
        )
    values, values_line = fields["values"]
    for label, value_node, line in _mapping_pairs(path, values, f"the values of target {target.name!r}"):
        if not isinstance(value_node, yaml.ScalarNode):
            raise _error(
                path, line, f"{label} of target {target.name!r} must be a number, not a list or mapping"
            )
        target.entries.append(_Entry(label, constructor.construct_object(value_node), line, line))
    if not target.entries:
        raise _error(path, values_line, f"target {target.name!r} lists no values")
    return target


def _read_yaml(path: str, text: str) -> _RawFile:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _error(path, None if mark is None else mark.line + 1, f"not valid YAML: {problem}") from None
    if root is None:
        raise _error(path, None, "the file is empty (expected targets: [...])")
    pairs = _mapping_pairs(path, root, "the file")
    for key, _, line in pairs:
        if key not in _TOP_KEYS:
            raise _error(path, line, f"unknown key {key!r} (known: {', '.join(_TOP_KEYS)})")
    top = {k: (v, line) for k, v, line in pairs}
    raw = _RawFile(path=path, targets=[])
    if "value_system" in top:
        node, line = top["value_system"]
        raw.value_system, raw.value_system_line = _scalar_text(path, node, "value_system"), line
    if "targets" not in top:
        raise _error(path, _line(root), "no targets: list")
    node, line = top["targets"]
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise _error(path, line, "targets must be a non-empty list of {name, kind, values}")
    constructor = SafeConstructor()
    raw.targets = [_yaml_target(path, item, constructor) for item in node.value]
    return raw


def _read_csv(path: str, text: str) -> _RawFile:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise _error(path, None, "the file is empty (expected a header: name,<value>,...)") from None
    header = [strip_blank(h) for h in header]
    if "name" not in header:
        hint = " (the file looks ;-separated: use commas)" if len(header) == 1 and ";" in header[0] else ""
        raise _error(path, 1, f"no 'name' column in the header{hint}")
    seen: dict[str, int] = {}
    for i, column in enumerate(header):
        if not column:
            raise _error(path, 1, f"column {i + 1} of the header has no name")
        if column in seen:
            raise _error(path, 1, f"column {column!r} appears twice in the header")
        seen[column] = i
    raw = _RawFile(path=path, targets=[])
    systems: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if all(is_blank(cell) for cell in row):
            continue
        if len(row) != len(header):
            raise _error(path, line, f"the row has {len(row)} fields, the header {len(header)}")
        cells = {column: strip_blank(row[i]) for column, i in seen.items()}
        if not cells["name"]:
            raise _error(path, line, "a target without a name (the name column is empty)")
        target = _RawTarget(name=cells["name"], line=line)
        if cells.get("kind"):
            target.kind = _kind(path, line, cells["kind"])
        target.source = cells.get("source") or None
        if cells.get("value_system"):
            systems.setdefault(cells["value_system"], line)
        for column in header:
            if column in _CSV_META:
                continue
            if cells[column] == "" and target.kind == "weights":
                continue  # an empty cell of a weighting weighs 0
            target.entries.append(_Entry(column, cells[column] if cells[column] else None, line, 1))
        raw.targets.append(target)
    if not raw.targets:
        raise _error(path, None, "no targets: the file has a header but no rows")
    if len(systems) > 1:
        (first, _), (second, line) = list(systems.items())[:2]
        raise _error(
            path, line, f"value_system {second!r} differs from {first!r} above: one file, one value system"
        )
    if systems:
        raw.value_system, raw.value_system_line = next(iter(systems.items()))
    return raw


# -- resolving names and numbers ------------------------------------------------------------------


def _choose_system(raw: _RawFile, default: str | None) -> ValueSystem:
    known = available_value_systems()
    if raw.value_system is not None:
        if raw.value_system not in known:
            raise _error(
                raw.path,
                raw.value_system_line,
                f"unknown value system {raw.value_system!r} (available: {', '.join(known)})",
            )
        return load_value_system(raw.value_system)
    labels = [e.label for t in raw.targets for e in t.entries]
    systems = [load_value_system(name) for name in known]
    fits = [s for s in systems if all(s.match(label) for label in labels)]
    if len(fits) == 1:
        return fits[0]
    if fits:
        chosen = [s for s in fits if s.name == default]
        if chosen:
            return chosen[0]
        first = raw.targets[0].line
        raise _error(
            raw.path,
            first,
            f"the value names fit several value systems ({', '.join(s.name for s in fits)}): "
            "add value_system:",
        )
    # none fits every name: resolve against the best fit (or the default) so the message names the stray one
    by_default = [s for s in systems if s.name == default]
    return by_default[0] if by_default else max(systems, key=lambda s: sum(bool(s.match(x)) for x in labels))


def _unknown_value(raw: _RawFile, system: ValueSystem, entry: _Entry, target: str) -> TargetFileError:
    others = [
        name
        for name in available_value_systems()
        if name != system.name and load_value_system(name).match(entry.label) is not None
    ]
    if others:
        reason = (
            f"{entry.label!r} (target {target!r}) is a {others[0]} value, but this file's values are "
            f"{system.name}: one file, one value system"
        )
    else:
        reason = (
            f"unknown value {entry.label!r} in target {target!r} "
            f"({system.name} values: {', '.join(v.name for v in system.values)})"
        )
    return _error(raw.path, entry.label_line, reason)


def _number(raw: _RawFile, entry: _Entry, label: str, target: str) -> float:
    if entry.raw is None or entry.raw == "":
        raise _error(raw.path, entry.line, f"no number for {label} in target {target!r}")
    try:
        return float(number(label, entry.raw))
    except InputError:
        raise _error(
            raw.path, entry.line, f"{label} of target {target!r} is not a finite number: {entry.raw!r}"
        ) from None


def _resolve_target(raw: _RawFile, system: ValueSystem, target: _RawTarget) -> Target:
    scores: dict[str, float] = {}
    lines: dict[str, int] = {}
    labels: dict[str, str] = {}
    for entry in target.entries:
        value = system.match(entry.label)
        if value is None:
            raise _unknown_value(raw, system, entry, target.name)
        if value.key in scores:
            raise _error(
                raw.path,
                entry.label_line,
                f"{value.name} is given twice in target {target.name!r} "
                f"(as {entry.label!r}; first as {labels[value.key]!r})",
            )
        scores[value.key] = _number(raw, entry, value.name, target.name)
        lines[value.key] = entry.line
        labels[value.key] = entry.label
    if target.kind == "profile":
        missing = [v.name for v in system.values if v.key not in scores]
        if missing:
            raise _error(
                raw.path,
                target.line,
                f"target {target.name!r} gives no number for {', '.join(missing)}: a profile needs every "
                f"{system.name} value (kind: weights lists only the values it weighs)",
            )
        if len(set(scores.values())) == 1:
            raise _error(
                raw.path,
                target.line,
                f"every value of profile {target.name!r} is {next(iter(scores.values())):g}: a profile whose "
                "values are all equal carries no ranking information (for a plain mean use kind: weights)",
            )
    else:
        negative = [(k, w) for k, w in scores.items() if w < 0]
        if negative:
            key, weight = negative[0]
            raise _error(
                raw.path,
                lines[key],
                f"weight {weight:g} for {system.value(key).name} in target {target.name!r}: weights must be "
                ">= 0 (a profile with signed priorities is kind: profile)",
            )
        if not any(w > 0 for w in scores.values()):
            raise _error(
                raw.path, target.line, f"weighting {target.name!r} puts no positive weight on any value"
            )
    return Target(
        name=target.name,
        kind=target.kind,
        scores=tuple(scores.get(k, 0.0) for k in system.keys),
        listed=tuple(k for k in system.keys if k in scores),
        line=target.line,
        source=target.source,
    )


def _resolve(raw: _RawFile, default: str | None) -> TargetSet:
    system = _choose_system(raw, default)
    names: dict[str, int] = {}
    targets = []
    for target in raw.targets:
        folded = target.name.casefold()
        if folded in names:
            raise _error(
                raw.path,
                target.line,
                f"target name {target.name!r} is used twice (lines {names[folded]} and {target.line})",
            )
        names[folded] = target.line
        targets.append(_resolve_target(raw, system, target))
    return TargetSet(
        path=raw.path,
        value_system=system.name,
        values=tuple(system.keys),
        targets=tuple(targets),
        value_system_line=raw.value_system_line,
    )


def read_targets(path: str | Path, default_value_system: str | None = None) -> TargetSet:
    """Read and check a target file (``.yaml``/``.yml`` or ``.csv``).

    Without a ``value_system`` key the system is the one whose values the file names
    (``default_value_system``, the ranked one, breaks a tie). Raises :class:`TargetFileError`.
    """
    name = str(path)
    suffix = Path(name).suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise _error(name, None, "a target file is .yaml, .yml or .csv")
    try:
        text = Path(name).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _error(name, None, "not UTF-8 text") from None
    except OSError as exc:
        raise _error(name, None, f"cannot read: {exc.strerror or exc}") from None
    raw = _read_csv(name, text) if suffix == ".csv" else _read_yaml(name, text)
    return _resolve(raw, default_value_system)
