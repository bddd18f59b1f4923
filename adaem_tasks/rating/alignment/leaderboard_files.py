"""Read a stored ``leaderboard.csv`` or ``leaderboard.json`` back into :class:`ModelProfiles`.

So that nobody re-reads logs to compare models with a new target. The CSV gives point win
rates only (its ``ci_low``/``ci_high`` bound each win rate, not a statistic computed from all of
them), so alignment numbers from a CSV have no interval. ``leaderboard.json`` carries the
bootstrap chains (:mod:`adaem_tasks.rating.chain_encoding`), so intervals from it equal those
computed from the logs, bit for bit. A file that does not read as a leaderboard is one
:class:`LeaderboardFileError` naming the file (and the line, for a CSV or a JSON syntax error).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from adaem_tasks.blank_text import is_blank
from adaem_tasks.errors import InputError
from adaem_tasks.rating.alignment.profiles import LeftOut, ModelProfiles, left_out_for_missing_values
from adaem_tasks.rating.chain_encoding import decode_chains
from adaem_tasks.value_systems import available_value_systems, load_value_system

__all__ = ["LeaderboardFileError", "read_leaderboard"]

_CSV_REQUIRED = ("model", "value", "win_rate", "status", "reason")
_STATUSES = ("ok", "not_comparable")
_POINT_TOLERANCE = 5e-6  # the JSON rows round win rates to 6 decimals


class LeaderboardFileError(InputError):
    """A leaderboard file that cannot be read; the message says where and why."""


def _system_of(value: str) -> str | None:
    for name in available_value_systems():
        if value in load_value_system(name).keys:
            return name
    return None


def _win_rate(path: str, line: int, text: str, status: str) -> float:
    if status == "not_comparable":
        if text.strip():
            raise LeaderboardFileError(
                f"{path}:{line}: a not_comparable row must have no win_rate, got {text!r}"
            )
        return math.nan
    try:
        rate = float(text)
    except ValueError:
        rate = math.nan
    if not math.isfinite(rate) or not 0.0 <= rate <= 1.0:
        raise LeaderboardFileError(
            f"{path}:{line}: win_rate must be a number in [0, 1] on an ok row, got {text!r}"
        )
    return rate


def _read_csv(path: str, text: str) -> list[ModelProfiles]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if "category" in header:
        raise LeaderboardFileError(
            f"{path}:1: a per-category leaderboard (it has a category column); give leaderboard.csv or "
            "leaderboard.json"
        )
    missing = [c for c in _CSV_REQUIRED if c not in header]
    if missing:
        raise LeaderboardFileError(
            f"{path}:1: not an adaem-rank leaderboard.csv: no {', '.join(missing)} column "
            f"(expected {','.join(_CSV_REQUIRED)}, ...)"
        )
    cells: dict[str, dict[tuple[str, str], float]] = {}
    reasons: dict[str, dict[str, str]] = {}
    models: dict[str, list[str]] = {}
    for row in reader:
        line = reader.line_num
        model, value, status = row["model"] or "", row["value"] or "", (row["status"] or "").strip()
        if is_blank(model):
            raise LeaderboardFileError(f"{path}:{line}: a row without a model")
        system = _system_of(value)
        if system is None:
            raise LeaderboardFileError(
                f"{path}:{line}: unknown value {value!r} (not a value key of any value system)"
            )
        if status not in _STATUSES:
            raise LeaderboardFileError(f"{path}:{line}: status must be ok or not_comparable, got {status!r}")
        board = cells.setdefault(system, {})
        if (model, value) in board:
            raise LeaderboardFileError(f"{path}:{line}: a second row for model {model!r} and value {value!r}")
        board[(model, value)] = _win_rate(path, line, row["win_rate"] or "", status)
        if status == "not_comparable":
            reasons.setdefault(system, {}).setdefault(model, (row["reason"] or "not_comparable").strip())
        if model not in models.setdefault(system, []):
            models[system].append(model)
    if not cells:
        raise LeaderboardFileError(f"{path}: no rows")
    profiles = []
    for system, board in cells.items():
        keys = load_value_system(system).keys
        names = models[system]
        absent = [(m, v) for m in names for v in keys if (m, v) not in board]
        if absent:
            model, value = absent[0]
            raise LeaderboardFileError(
                f"{path}: model {model!r} has no row for value {value!r} ({len(absent)} missing)"
            )
        point = np.array([[board[(m, v)] for v in keys] for m in names], dtype=np.float64)
        known = {
            m: LeftOut(reason, f"not comparable in {path} ({reason})")
            for m, reason in reasons.get(system, {}).items()
        }
        profiles.append(
            ModelProfiles(
                value_system=system,
                set_version=None,
                models=names,
                values=list(keys),
                chains=point[None],
                left_out=left_out_for_missing_values(names, list(keys), point, known),
                source=path,
            )
        )
    return profiles


def _require(condition: bool, path: str, where: str, reason: str) -> None:
    if not condition:
        raise LeaderboardFileError(f"{path}: {where}: {reason}")


def _json_board(path: str, where: str, board: Any, ci_level: float) -> ModelProfiles:
    _require(isinstance(board, dict), path, where, "expected an object")
    system = board.get("value_system")
    _require(system in available_value_systems(), path, where, f"unknown value_system {system!r}")
    models, values, rows = board.get("models"), board.get("values"), board.get("rows")
    _require(
        isinstance(models, list) and all(isinstance(m, str) for m in models),
        path,
        where,
        "models must be a list of names",
    )
    _require(
        isinstance(values, list) and values == load_value_system(system).keys,
        path,
        where,
        f"values must be the {system} value keys in order",
    )
    _require(isinstance(rows, list), path, where, "rows must be a list")
    point = np.full((len(models), len(values)), np.nan)
    seen = np.zeros(point.shape, dtype=bool)
    known: dict[str, LeftOut] = {}
    for k, row in enumerate(rows):
        at = f"{where}.rows[{k}]"
        _require(
            isinstance(row, dict) and row.get("model") in models and row.get("value") in values,
            path,
            at,
            "model and value must be among the board's models and values",
        )
        i, j = models.index(row["model"]), values.index(row["value"])
        _require(not seen[i, j], path, at, f"a second row for {row['model']!r} / {row['value']!r}")
        seen[i, j] = True
        status, rate = row.get("status"), row.get("win_rate")
        _require(status in _STATUSES, path, at, f"status must be ok or not_comparable, got {status!r}")
        if status == "ok":
            ok = isinstance(rate, int | float) and not isinstance(rate, bool) and 0.0 <= rate <= 1.0
            _require(ok, path, at, f"win_rate must be a number in [0, 1] on an ok row, got {rate!r}")
            point[i, j] = float(rate)
        else:
            _require(rate is None, path, at, "a not_comparable row must have win_rate null")
            reason = str(row.get("reason") or "not_comparable")
            known.setdefault(row["model"], LeftOut(reason, str(row.get("reason_text") or reason)))
    _require(bool(seen.all()), path, where, "rows must cover every model and value once")
    chains = point[None]
    block = board.get("win_rate_chains")
    if block is not None:
        try:
            stored = decode_chains(block, f"{path}: {where}.win_rate_chains")
        except ValueError as exc:
            raise LeaderboardFileError(str(exc)) from None
        _require(
            stored.shape[1:] == point.shape and stored.shape[0] >= 1,
            path,
            f"{where}.win_rate_chains",
            f"shape {list(stored.shape)} does not fit {len(models)} models x {len(values)} values",
        )
        same = np.isnan(stored[0]) == np.isnan(point)
        close = np.abs(np.nan_to_num(stored[0]) - np.nan_to_num(point)) <= _POINT_TOLERANCE
        _require(
            bool(same.all() and close.all()),
            path,
            f"{where}.win_rate_chains",
            "chain 0 does not match the rows' win rates (an edited file?)",
        )
        chains = stored
    return ModelProfiles(
        value_system=system,
        set_version=board.get("set_version") if isinstance(board.get("set_version"), str) else None,
        models=list(models),
        values=list(values),
        chains=chains,
        ci_level=ci_level,
        left_out=left_out_for_missing_values(list(models), list(values), chains[0], known),
        source=path,
    )


def _read_json(path: str, text: str) -> list[ModelProfiles]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LeaderboardFileError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    _require(
        isinstance(document, dict) and document.get("generated_by") == "adaem-rank",
        path,
        "top level",
        "not an adaem-rank leaderboard.json (no generated_by: adaem-rank)",
    )
    config = document.get("config") if isinstance(document.get("config"), dict) else {}
    level = config.get("ci_level", 0.95)
    _require(
        isinstance(level, float) and 0.0 < level < 1.0,
        path,
        "config.ci_level",
        f"must be in (0, 1), got {level!r}",
    )
    boards = document.get("leaderboards")
    _require(isinstance(boards, list) and bool(boards), path, "leaderboards", "must be a non-empty list")
    return [_json_board(path, f"leaderboards[{k}]", board, level) for k, board in enumerate(boards)]


def read_leaderboard(path: str | Path) -> list[ModelProfiles]:
    """One :class:`ModelProfiles` per value system ranked in ``path`` (``.csv`` or ``.json``)."""
    name = str(path)
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".json"):
        raise LeaderboardFileError(f"{name}: give the leaderboard.csv or leaderboard.json adaem-rank wrote")
    try:
        text = Path(name).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise LeaderboardFileError(f"{name}: not UTF-8 text") from None
    except OSError as exc:
        raise LeaderboardFileError(f"{name}: cannot read: {exc.strerror or exc}") from None
    return _read_csv(name, text) if suffix == ".csv" else _read_json(name, text)
