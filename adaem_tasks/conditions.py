"""The measurement conditions of a run: what the examinee was asked and how its answers were judged.

Two runs of one model on one question set are the *same measurement* only when these
settings match. A run with ``-T prime=power`` measures how far priming moves the model
(paper §4.2, App. C.11), not its values; a batched judge and a single-call judge can
disagree on a whole value (that is what ``adaem-validate judge`` measures); a model asked
for five key points expresses more values than one asked for three. So every log carries
them, and every reader compares them instead of merging runs by model name:

* the Inspect task writes them into the eval metadata (:meth:`Conditions.to_metadata`),
  and an older log is read from its ``task_args`` (Inspect records every task argument,
  defaults included);
* the lm-eval bridge writes them into every sample's JSON verdict (lm-eval has no priming
  option: its runs are unprimed).

A setting a log does not record is ``None``: *unknown*, never assumed to be the default.

This module has no heavy imports: the task and the lm-eval glue import it at load time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

__all__ = ["JUDGE_SETTINGS", "PROMPT_SETTINGS", "Conditions"]

PROMPT_SETTINGS = ("points", "words")
"""What the examinee was asked besides the question (paper App. C.2)."""

JUDGE_SETTINGS = ("judge_mode", "judge_threshold", "judge_logprobs", "judge_max_attempts")
"""How the answers were judged (besides the grader model, which logs name on their own)."""


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        parsed = float(value)
    except ValueError:
        return None
    return parsed if math.isfinite(parsed) else None


def _bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    return None


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


_PARSERS = {
    "prime": _text,
    "points": _int,
    "words": _int,
    "judge_mode": _text,
    "judge_threshold": _float,
    "judge_logprobs": _bool,
    "judge_max_attempts": _int,
}


@dataclass(frozen=True, slots=True)
class Conditions:
    """The settings of one run that shape its numbers; ``None`` = not recorded (unknown).

    ``prime`` is the exception: ``None`` means *unprimed*, because every writer records it
    (the task's metadata has named it since priming existed, and lm-eval cannot prime).
    """

    prime: str | None = None
    points: int | None = None
    words: int | None = None
    judge_mode: str | None = None
    judge_threshold: float | None = None
    judge_logprobs: bool | None = None
    judge_max_attempts: int | None = None

    def to_metadata(self) -> dict[str, Any]:
        """What a writer stores: every setting by its task-option name."""
        return asdict(self)

    @classmethod
    def from_mapping(cls, *sources: Mapping[str, Any] | None) -> Conditions:
        """Read each setting from the first source that records it with a usable value.

        Inspect passes the eval metadata first and ``task_args`` second (older logs); a
        value of the wrong type counts as not recorded.
        """
        found: dict[str, Any] = {}
        for name, parse in _PARSERS.items():
            for source in sources:
                if source and source.get(name) is not None:
                    value = parse(source[name])
                    if value is not None:
                        found[name] = value
                        break
        return cls(**found)

    def measurement(self) -> dict[str, Any]:
        """The settings that change the measurement, besides ``prime``; unused ones left out.

        The probability threshold and the log-probability switch act only in single mode,
        and the threshold only where log-probabilities are asked for: a batched run's
        threshold changes nothing, so two batched runs that differ only there are one
        measurement. ``None`` values are unknown settings.
        """
        settings: dict[str, Any] = {name: getattr(self, name) for name in PROMPT_SETTINGS}
        settings["judge_mode"] = self.judge_mode
        if self.judge_mode != "batched":
            settings["judge_logprobs"] = self.judge_logprobs
            if self.judge_logprobs is not False:
                settings["judge_threshold"] = self.judge_threshold
        settings["judge_max_attempts"] = self.judge_max_attempts
        return settings

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
