"""What counts as blank: whitespace and the characters a screen does not draw, never visible text."""

from __future__ import annotations

import pytest

from adaem_tasks.blank_text import is_blank, strip_blank

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte-order mark / zero-width no-break space
    "\u00ad",  # soft hyphen
    "\u180e",  # Mongolian vowel separator
    "\u3164",  # Hangul filler
    "\ufe0f",  # variation selector 16
    "\U000e0041",  # tag letter A
    "\u2800",  # Braille blank
    "\x00",  # a control character
    "\u3000",  # ideographic space (whitespace)
]


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_characters_are_blank_alone_and_in_runs(char: str) -> None:
    assert is_blank(char) and is_blank(char * 3) and is_blank(f" {char}\t")
    assert strip_blank(f"{char}q1 {char}") == "q1"


@pytest.mark.parametrize("text", ["a", "\u200ba", "a\u200b", "\U0001f468\u200d\U0001f469", ".", "\u0301"])
def test_anything_visible_is_not_blank(text: str) -> None:
    assert not is_blank(text)


def test_empty_is_blank_and_inner_characters_are_kept() -> None:
    assert is_blank("") and strip_blank("") == ""
    assert strip_blank(" \u200bfamily\u200dtree\ufeff ") == "family\u200dtree"
    assert strip_blank("a" + " " * 1000 + "b") == "a" + " " * 1000 + "b"
