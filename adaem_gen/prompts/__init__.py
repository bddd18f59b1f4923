"""Generator prompt templates: paper Listings 1, 2 and 5-8, and the safety-guard prompt.

``expand`` (Listing 1: a new description from three sampled cases) and ``transform``
(Listing 2: a description as a question) prepare the seeds (App. B). ``explore_cot``
(Listing 5) and ``explore_question`` (Listing 6) are two turns of one conversation, as
are ``reflect`` (Listing 7) and ``refine`` (Listing 8). The wording is the paper's; the
placeholders (``$general``, ``$specifics``...) mark where the paper prints ``<...>``
slots. Listing 7's "Schwartz basic human values" is the ``$framework`` placeholder so
the MFT value system gets its own wording. ``guard`` is ours (the paper's ethics
statement uses Llama-Guard; any instruction-following model can play the guard with
this prompt).
"""

from __future__ import annotations

from adaem_tasks.prompts import render as _render

__all__ = ["render"]


def render(name: str, **fields: object) -> str:
    """Fill one of this package's templates (a missing field is an error)."""
    return _render(name, package=__name__, **fields)
