"""Prompt templates, kept as text files beside this module.

Templates use :class:`string.Template` placeholders (``$name``), so the JSON braces
and markdown in prompts need no escaping. Listing 3 and the priming messages of
Appendix C.11 and J of the AdAEM paper are reproduced as the paper prints them; Listing 4 (the
judge) too, except that the judged text sits between hash-derived boundary lines instead
of a markdown fence the text could close (see :mod:`adaem_tasks.judge`).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template

__all__ = ["load_template", "render"]


@cache
def load_template(name: str, package: str = __name__) -> Template:
    """Load ``<name>.txt`` from ``package`` (default: this one)."""
    text = resources.files(package).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return Template(text)


def render(name: str, package: str = __name__, **fields: object) -> str:
    """Fill a template; a missing field is an error, not a silent ``$name`` in a prompt."""
    return load_template(name, package).substitute({k: str(v) for k, v in fields.items()}).rstrip("\n")
