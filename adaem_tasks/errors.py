"""Bad input, reported the way a user can act on it: one line with file, line and reason.

Every command of the project (the Inspect tasks, the lm-eval tasks, ``adaem-gen``) ends a
bad-input path the same way: one message, a non-zero exit, and no traceback unless one is
asked for (``ADAEM_DEBUG=1``; ``adaem-gen --debug``; Inspect's ``--log-level debug``). The
exception types here carry that message; each command decides how to print it, because each
harness has its own way of ending a run:

* Inspect prints the message of a :class:`~inspect_ai._util.error.PrerequisiteError` raised
  while a task is built (through rich, so the text is escaped here: a path or a JSON excerpt
  holding ``[...]`` must not be read as markup) and exits 1 -- :func:`as_prerequisite_error`.
* lm-eval has no such hook, so :func:`install_excepthook` installs one for our input errors.
* ``adaem-gen`` catches them in ``main``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

# Inspect's CLI prints only this exception as one message without a traceback, and it has no
# public equivalent: the private import is deliberate (a task built from bad input must not
# end in a 200-line traceback).
from inspect_ai._util.error import (
    PrerequisiteError,  # inspect-evals-lint: ignore[IECQ001] -- no public equivalent (see above)
)

__all__ = [
    "DEBUG_ENV",
    "InputError",
    "TaskInputError",
    "as_prerequisite_error",
    "debug_requested",
    "install_excepthook",
    "plain_text",
]

DEBUG_ENV = "ADAEM_DEBUG"
"""Set to 1 to see the traceback behind an input error instead of its one-line message."""


class InputError(ValueError):
    """Input the user has to fix (a file, a setting, a version name); the message says where and why."""


def debug_requested() -> bool:
    """Whether the user asked for tracebacks (``ADAEM_DEBUG`` set to anything but 0/false/empty)."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


def plain_text(message: Any) -> str:
    """A message without rich markup: providers' errors (e.g. a missing API key) carry ``[bold]...``.

    Only text holding a closing tag (``[/...]``) is read as markup, so a path or an excerpt
    with brackets in our own messages (``[1, 2]``, ``runs/[old]/q.jsonl``) passes unchanged.
    """
    from rich.text import Text

    if isinstance(message, Text):
        return message.plain
    text = str(message)
    if "[/" not in text:
        return text
    try:
        return Text.from_markup(text).plain
    except Exception:  # noqa: BLE001 - not valid markup: it was plain text all along
        return text


class TaskInputError(PrerequisiteError, InputError):
    """Bad input found while an Inspect task is built.

    A ``PrerequisiteError``, so ``inspect eval`` prints just the message and exits 1; and a
    ``ValueError`` (:class:`InputError`), so Python callers can catch it like any bad argument.
    """


def as_prerequisite_error(exc: BaseException, context: str = "") -> TaskInputError:
    """Inspect's "print this message, exit 1" error for ``exc`` (its message escaped for rich).

    A pydantic ``ValidationError`` becomes one line per field
    (:func:`~adaem_tasks.cli_types.pydantic_message`), not pydantic's multi-line report.
    """
    from pydantic import ValidationError
    from rich.markup import escape

    from adaem_tasks.cli_types import pydantic_message  # imports this module: not at the top

    message = pydantic_message(exc) if isinstance(exc, ValidationError) else str(exc)
    text = f"{context}: {message}" if context else message
    error = TaskInputError(escape(text))
    error.args = (text,)  # str(error) is the plain message, for logs and callers
    _say_where_inspect_is_quiet(text)
    return error


def _say_where_inspect_is_quiet(text: str) -> None:
    """Write ``text`` to stderr when Inspect's console is silenced (``inspect eval --display none``).

    Inspect prints a ``PrerequisiteError`` through rich's global console, which ``--display
    none`` makes quiet: the run would exit 1 with no word of why (measured with inspect-ai
    0.3.285; Inspect's own prerequisite errors go silent the same way). Scripts and CI are
    exactly where ``--display none`` is used, so the one line goes to stderr directly there.
    """
    import rich

    if rich.get_console().quiet:
        print(text, file=sys.stderr)


_installed: set[type[BaseException]] = set()


def install_excepthook(prog: str, handled: tuple[type[BaseException], ...] = (InputError,)) -> None:
    """Print uncaught ``handled`` errors as ``prog: error: <message>`` (exit 1) instead of a traceback.

    For harnesses without a hook of their own (lm-eval). Other exceptions, and every
    exception when :func:`debug_requested`, go to the previous hook unchanged. Idempotent.
    """
    new = tuple(t for t in handled if t not in _installed)
    if not new:
        return
    _installed.update(new)
    previous: Callable[..., Any] = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if isinstance(exc, new) and not debug_requested():
            print(f"{prog}: error: {plain_text(exc)}", file=sys.stderr)
            print(f"(set {DEBUG_ENV}=1 for the traceback)", file=sys.stderr)
            return
        previous(kind, exc, tb)

    sys.excepthook = hook
