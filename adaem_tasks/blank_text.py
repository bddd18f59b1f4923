"""Text that shows nothing: whitespace, and the characters a screen does not draw.

A question, id, category or topic made of zero-width spaces (U+200B), joiners (U+200C,
U+200D), word joiners (U+2060), byte-order marks (U+FEFF), soft hyphens or Hangul fillers
is as empty as one of spaces, yet ``str.strip()`` keeps every one of them: they are not
whitespace to Python. A reader sees a blank line; the pipeline would ask a model an empty
question and count its answer. Every place that refuses blank text (question files, task
options, ``adaem-gen``'s seed reading and Listing 1 descriptions, target files, leaderboard
files) asks :func:`is_blank`, so the rule is the same everywhere.

What counts as invisible is Unicode's own list, read through the ``regex`` module (already
installed with inspect-ai, whose tokenizer needs it): ``White_Space``,
``Default_Ignorable_Code_Point`` (zero-width and format characters, variation selectors,
Hangul fillers, tags), control characters (``Cc``) and format characters (``Cf``), plus the
Braille blank U+2800, which Unicode does not list but every font draws empty.
"""

from __future__ import annotations

import regex

__all__ = ["INVISIBLE_CLASS", "is_blank", "strip_blank"]

INVISIBLE_CLASS = r"[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\u2800]"
"""A regular-expression class (``regex`` syntax) of the characters that show nothing."""

_INVISIBLE = regex.compile(INVISIBLE_CLASS)
_RUN = regex.compile(rf"{INVISIBLE_CLASS}*+")


def is_blank(text: str) -> bool:
    """Whether ``text`` is empty or made only of whitespace and invisible characters."""
    return _RUN.fullmatch(text) is not None


def strip_blank(text: str) -> str:
    """``text`` without whitespace and invisible characters at either end (``str.strip`` for both)."""
    leading = _RUN.match(text)  # ``*+`` always matches, possibly empty
    start = leading.end() if leading is not None else 0
    end = len(text)
    # one character at a time from the end: a pattern anchored at ``$`` would be retried
    # from every position of a long run inside the text (quadratic)
    while end > start and _INVISIBLE.match(text, end - 1) is not None:
        end -= 1
    return text[start:end]
