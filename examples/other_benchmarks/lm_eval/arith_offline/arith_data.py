"""The questions of the ``arith_offline`` lm-eval task, inline (nothing to download)."""

from typing import Any

PROBLEMS = [(2, 3), (7, 5), (12, 30), (41, 1), (9, 9), (100, 250)]


def load(**_metadata: Any) -> Any:
    """``custom_dataset`` of arith_offline.yaml: a one-split ``DatasetDict``."""
    import datasets  # lm-eval's dependency

    rows = [{"a": a, "b": b, "answer": str(a + b)} for a, b in PROBLEMS]
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)})
