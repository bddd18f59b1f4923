"""Numeric command-line and task options, checked where they enter: finite, in range, of the right type.

Every entry point of the project (``adaem-rank``, ``adaem-validate``, ``adaem-gen``,
``adaem-test-server``, the Inspect tasks' ``-T`` options, the lm-eval task metadata) takes
numbers from a user. ``float("nan")`` and ``float("inf")`` parse, ``int("2.5")`` does not,
and a range error found deep inside a computation surfaces as a traceback or, worse, as a
silently empty result. These checkers make each such value one line of error where it is
typed, the same way everywhere:

* :func:`number` checks one value (for task options and config files; raises
  :class:`~adaem_tasks.errors.InputError`), :func:`flag` one true/false value;
* :func:`arg_float` / :func:`arg_int` build ``argparse`` ``type=`` callables that raise
  ``argparse.ArgumentTypeError``, so argparse prints ``usage`` plus one line and exits 2;
* :func:`pydantic_message` turns a pydantic ``ValidationError`` into one line per field
  instead of pydantic's multi-line report.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, overload

from adaem_tasks.errors import InputError

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = ["arg_float", "arg_int", "flag", "number", "pydantic_message"]


def _range_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    return " and ".join(parts)


@overload
def number(
    name: str,
    value: object,
    kind: Literal["int"],
    *,
    low: float | None = ...,
    high: float | None = ...,
    low_open: bool = ...,
    high_open: bool = ...,
) -> int: ...
@overload
def number(
    name: str,
    value: object,
    kind: Literal["float"] = ...,
    *,
    low: float | None = ...,
    high: float | None = ...,
    low_open: bool = ...,
    high_open: bool = ...,
) -> float: ...
def number(
    name: str,
    value: object,
    kind: Literal["int", "float"] = "float",
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> int | float:
    """``value`` as a finite int/float within the bounds, else :class:`InputError` naming ``name``.

    Accepts numbers and their string forms (``-T points=3`` arrives as ``3`` or ``"3"``
    depending on the harness); an int option refuses ``2.5`` and ``"2.5"`` rather than
    truncating them, and a bool is not a number.
    """
    expected = "an integer" if kind == "int" else "a number"
    bounds = _range_text(low, high, low_open, high_open)
    wanted = f"{expected}{' ' + bounds if bounds else ''}"
    parsed: int | float
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{name} must be {wanted}, got {value!r}")
    try:
        if kind == "int":
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError
                parsed = int(value)
            else:
                parsed = int(value)
        else:
            parsed = float(value)
    except (ValueError, OverflowError):
        raise InputError(f"{name} must be {wanted}, got {value!r}") from None
    if isinstance(parsed, float) and not math.isfinite(parsed):
        raise InputError(f"{name} must be {wanted} (finite), got {value!r}")
    too_low = low is not None and (parsed <= low if low_open else parsed < low)
    too_high = high is not None and (parsed >= high if high_open else parsed > high)
    if too_low or too_high:
        raise InputError(f"{name} must be {wanted}, got {value!r}")
    return parsed


_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def flag(name: str, value: object) -> bool:
    """``value`` as a bool, else :class:`InputError` naming ``name``.

    Takes what the harnesses deliver for a true/false option: a bool (Inspect reads ``-T``
    values as YAML, so ``true``/``yes``/``on`` arrive as ``True``), ``0``/``1``, or those words
    as text (an environment variable, a Python caller). Anything else -- ``maybe``, ``2``,
    ``0.5`` -- is refused rather than read by Python's truthiness, which calls every
    non-empty string true.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InputError(f"{name} must be true or false (or 1 or 0), got {value!r}")


def _argparse_type(
    kind: Literal["int", "float"],
    low: float | None,
    high: float | None,
    low_open: bool,
    high_open: bool,
) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            return number("value", text, kind, low=low, high=high, low_open=low_open, high_open=high_open)
        except InputError as exc:
            # argparse prefixes "argument --name:", so the message starts after "value "
            raise argparse.ArgumentTypeError(str(exc).removeprefix("value ")) from None

    parse.__name__ = kind  # argparse names the type in "invalid int value" messages
    return parse


def arg_float(
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> Callable[[str], float]:
    """An argparse ``type=`` for a finite float in the given range (``nan``/``inf`` refused)."""
    return _argparse_type("float", low, high, low_open, high_open)


def arg_int(
    low: int | None = None,
    high: int | None = None,
) -> Callable[[str], int]:
    """An argparse ``type=`` for an integer in the given (closed) range."""
    return _argparse_type("int", low, high, False, False)  # type: ignore[return-value]


def pydantic_message(error: ValidationError, prefix: str = "") -> str:
    """One line per invalid field (``field: reason (got value)``), joined by ``; ``.

    pydantic's own ``str()`` spans several lines with a documentation URL per error, which
    reads like a traceback in a terminal and wraps badly in logs.
    """
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ())) or "value"
        message = str(item.get("msg", "invalid value"))
        if "input" in item and not isinstance(item["input"], dict):
            message += f" (got {item['input']!r})"
        parts.append(f"{prefix}{where}: {message}")
    return "; ".join(parts)
