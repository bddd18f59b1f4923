"""Agreement between the judge's two modes, and a judge against reference labels.

scikit-learn computes the statistics (``cohen_kappa_score``, ``accuracy_score``,
``precision_recall_fscore_support``). Unknown labels (``None``: the judge stayed
unreadable after its retries) are counted apart and left out of every statistic --
never read as "No". A statistic that the data cannot define (κ when both modes gave one
label to every point, precision with no predicted positive) is ``None``, not 0.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

from adaem_tasks.judge import Label

__all__ = ["ModeAgreement", "agreement", "classification", "under_over"]

ModeAgreement = dict[str, Any]


def _finite(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def _kappa(a: Sequence[int], b: Sequence[int]) -> float | None:
    from sklearn.metrics import cohen_kappa_score

    if not a:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined κ (one shared label) is reported as None below
        kappa = cohen_kappa_score(a, b, labels=[0, 1])
    return _finite(kappa)


def agreement(single: Sequence[Label], batched: Sequence[Label]) -> ModeAgreement:
    """Single vs batched labels of the same items: agreement, Cohen's κ, positives per mode, n.

    ``n`` counts the items both modes labelled readably; ``positives_*`` and ``rate_*`` are
    over those ``n``; ``unknown_*`` counts each mode's unreadable labels over all items.
    """
    if len(single) != len(batched):
        raise ValueError("single and batched labels must cover the same items")
    pairs = [(s, b) for s, b in zip(single, batched, strict=True) if s is not None and b is not None]
    a = [s for s, _ in pairs]
    b = [x for _, x in pairs]
    n = len(pairs)
    return {
        "n": n,
        "agreement": sum(x == y for x, y in pairs) / n if n else None,
        "kappa": _kappa(a, b),
        "positives_single": sum(a),
        "positives_batched": sum(b),
        "rate_single": sum(a) / n if n else None,
        "rate_batched": sum(b) / n if n else None,
        "unknown_single": sum(x is None for x in single),
        "unknown_batched": sum(x is None for x in batched),
    }


def under_over(stats: ModeAgreement) -> str:
    """``under-reports`` / ``over-reports`` / ``disagrees on``: how batched mode departs from single."""
    if stats["positives_batched"] < stats["positives_single"]:
        return "under-reports"
    if stats["positives_batched"] > stats["positives_single"]:
        return "over-reports"
    return "disagrees on"


def classification(truth: Sequence[int], predicted: Sequence[Label]) -> dict[str, Any]:
    """Accuracy, precision, recall and F1 (positive class: the value is reflected) over readable labels."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    if len(truth) != len(predicted):
        raise ValueError("truth and predictions must cover the same items")
    pairs = [(t, p) for t, p in zip(truth, predicted, strict=True) if p is not None]
    result: dict[str, Any] = {
        "n": len(pairs),
        "unknown": sum(p is None for p in predicted),
        "positives_reference": sum(t for t, _ in pairs),
        "positives_judge": sum(p for _, p in pairs),
        "accuracy": None,
        "precision": None,
        "recall": None,
        "f1": None,
    }
    if not pairs:
        return result
    y_true = [t for t, _ in pairs]
    y_pred = [p for _, p in pairs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero_division=nan already marks the undefined ones
        precision, recall, f1, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=[1], average="binary", pos_label=1, zero_division=math.nan
        )
    result.update(
        accuracy=float(accuracy_score(y_true, y_pred)),
        precision=_finite(float(precision)),
        recall=_finite(float(recall)),
        f1=_finite(float(f1)),
    )
    return result
