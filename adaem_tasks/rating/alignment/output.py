"""Write a :class:`TargetAlignment`: ``alignment.csv``, ``alignment.json``, ``model_similarity.csv``, a table.

Numbers are written at full precision (the shortest text that reads back as the same float),
so a script can check them against its own computation. An undefined number is an empty CSV
field and ``null`` in the JSON, never 0. Files are first written under temporary names and
renamed only when all of them are complete: an interrupted run leaves no half-written table.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from adaem_tasks.rating.alignment.result import Estimate, EstimateMatrix, TargetAlignment, TargetRanking

__all__ = ["ALIGNMENT_COLUMNS", "SIMILARITY_COLUMNS", "alignment_json", "format_alignment", "write_alignment"]

ALIGNMENT_COLUMNS = [
    "model",
    "target",
    "spearman",
    "spearman_low",
    "spearman_high",
    "match",
    "pearson",
    "pearson_low",
    "pearson_high",
    "weighted",
    "weighted_low",
    "weighted_high",
    "status",
    "reason",
]
SIMILARITY_COLUMNS = [
    "model",
    "other",
    "spearman",
    "spearman_low",
    "spearman_high",
    "pearson",
    "pearson_low",
    "pearson_high",
]


def _text(x: float) -> str:
    return "" if not math.isfinite(x) else repr(float(x))


def _json(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def _triple(estimate: Estimate | None) -> list[str]:
    if estimate is None:
        return ["", "", ""]
    return [_text(estimate.value), _text(estimate.low), _text(estimate.high)]


def _estimate_json(estimate: Estimate | None) -> dict[str, float | None] | None:
    if estimate is None:
        return None
    return {"value": _json(estimate.value), "low": _json(estimate.low), "high": _json(estimate.high)}


def _alignment_csv(result: TargetAlignment) -> str:
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(ALIGNMENT_COLUMNS)
    for cell in result.cells:
        line = [cell.model, cell.target, *_triple(cell.spearman), _text(cell.match.value)]
        line += [*_triple(cell.pearson), *_triple(cell.weighted), cell.status, cell.reason or ""]
        writer.writerow(line)
    return handle.getvalue()


def _similarity_csv(result: TargetAlignment) -> str:
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(SIMILARITY_COLUMNS)
    similarity = result.similarity
    for i, model in enumerate(similarity.models):
        for j, other in enumerate(similarity.models):
            line = [model, other]
            for matrix in (similarity.spearman, similarity.pearson):
                line += [_text(matrix.value[i, j]), _text(matrix.low[i, j]), _text(matrix.high[i, j])]
            writer.writerow(line)
    return handle.getvalue()


def _matrix_json(matrix: EstimateMatrix) -> dict[str, list[list[float | None]]]:
    return {
        name: [[_json(x) for x in row] for row in getattr(matrix, name).tolist()]
        for name in ("value", "low", "high")
    }


def _ranking_json(ranking: TargetRanking) -> dict[str, Any]:
    return {
        "target": ranking.target,
        "kind": ranking.kind,
        "statistic": ranking.statistic,
        "correlations_defined": ranking.correlations_defined,
        "models": [
            {
                "model": entry.model,
                "rank": entry.rank,
                "score": _estimate_json(entry.score),
                "best": entry.best,
                "distinguishable_from_best": entry.distinguishable_from_best,
            }
            for entry in ranking.models
        ],
        "left_out": [
            {"model": m, "reason": why.reason, "reason_text": why.reason_text} for m, why in ranking.left_out
        ],
    }


def alignment_json(result: TargetAlignment, inputs: list[str] | None = None) -> dict[str, Any]:
    """The JSON document: settings, targets, every cell, the orderings, the similarity matrix, the map."""
    targets = result.targets
    return {
        "generated_by": "adaem-rank --targets",
        "method": {
            "spearman": "Spearman rho between the model's win rates and the target (average ranks for ties)",
            "match": "(rho + 1) / 2",
            "pearson": "Pearson r of the two profiles, each centred on its own mean (scale-free)",
            "weighted": "sum_i w_i * win_rate_i / sum_i w_i, for targets of kind weights",
            "intervals": f"{result.ci_level:.0%} percentile intervals over the {result.n_replicates} "
            "bootstrap "
            "replicates behind the win rates' intervals (none when the leaderboard held no replicates)",
            "ordering": "per target by match (profiles) or weighted score (weightings); a model whose "
            "interval "
            "overlaps the best one's is not distinguishable from it",
            "map": "each profile standardised on its own values; a coordinate is the mean standardised "
            "score of "
            "the positive group minus that of the negative group",
        },
        "source": result.source,
        "inputs": list(inputs or []),
        "value_system": result.value_system,
        "set_version": result.set_version,
        "values": result.values,
        "ci_level": result.ci_level,
        "replicates": result.n_replicates,
        "targets_file": targets.path,
        "targets": [
            {
                "name": t.name,
                "kind": t.kind,
                "line": t.line,
                "source": t.source,
                "values": dict(zip(targets.values, t.scores, strict=True)),
                "listed": list(t.listed),
            }
            for t in targets.targets
        ],
        "models": [
            {
                "model": model,
                "status": "not_comparable" if model in result.left_out else "ok",
                "reason": result.left_out[model].reason if model in result.left_out else None,
                "reason_text": result.left_out[model].reason_text if model in result.left_out else None,
            }
            for model in result.models
        ],
        "rows": [
            {
                "model": cell.model,
                "target": cell.target,
                "spearman": _estimate_json(cell.spearman),
                "match": _estimate_json(cell.match),
                "pearson": _estimate_json(cell.pearson),
                "weighted": _estimate_json(cell.weighted),
                "status": cell.status,
                "reason": cell.reason,
                "reason_text": cell.reason_text,
            }
            for cell in result.cells
        ],
        "rankings": [_ranking_json(r) for r in result.rankings],
        "model_similarity": {
            "models": result.similarity.models,
            "spearman": _matrix_json(result.similarity.spearman),
            "pearson": _matrix_json(result.similarity.pearson),
        },
        "value_map": {
            "axes": [
                {
                    "key": a.key,
                    "positive": a.positive,
                    "negative": a.negative,
                    "positive_values": list(a.positive_values),
                    "negative_values": list(a.negative_values),
                }
                for a in result.value_map.axes
            ],
            "points": [
                {
                    "label": p.label,
                    "kind": p.kind,
                    "coordinates": list(p.coordinates),
                    "low": None if p.low is None else list(p.low),
                    "high": None if p.high is None else list(p.high),
                }
                for p in result.value_map.points
            ],
        },
    }


@contextmanager
def _all_or_nothing(paths: list[Path]) -> Iterator[list[Path]]:
    """Temporary siblings of ``paths``, renamed onto them only when the block completes."""
    temporary = [p.with_name(f".{p.name}.{os.getpid()}.tmp") for p in paths]
    try:
        yield temporary
        for tmp, final in zip(temporary, paths, strict=True):
            os.replace(tmp, final)
    finally:
        for tmp in temporary:
            tmp.unlink(missing_ok=True)


def write_alignment(
    result: TargetAlignment, out_dir: str | Path, inputs: list[str] | None = None
) -> dict[str, Path]:
    """``alignment.csv``, ``alignment.json`` and ``model_similarity.csv`` in ``out_dir``, all or none."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts = {
        "alignment_csv": (out / "alignment.csv", _alignment_csv(result)),
        "alignment_json": (
            out / "alignment.json",
            json.dumps(alignment_json(result, inputs), indent=2, ensure_ascii=False) + "\n",
        ),
        "similarity_csv": (out / "model_similarity.csv", _similarity_csv(result)),
    }
    paths = [path for path, _ in texts.values()]
    with _all_or_nothing(paths) as temporary:
        for tmp, (_, text) in zip(temporary, texts.values(), strict=True):
            tmp.write_text(text, encoding="utf-8")
    return {kind: path for kind, (path, _) in texts.items()}


def _interval(estimate: Estimate, scale: float = 1.0) -> str:
    if not estimate.has_interval:
        return ""
    return f" [{scale * estimate.low:.3f}, {scale * estimate.high:.3f}]"


def format_alignment(result: TargetAlignment) -> str:
    """A plain-text summary: per target, the models in order, '=' for not distinguishable from the best."""
    n_scored = len(result.models) - len(result.left_out)
    if result.n_replicates:
        intervals = f"{result.ci_level:.0%} intervals from {result.n_replicates} bootstrap replicates"
    else:
        intervals = "no intervals: the leaderboard held no bootstrap replicates (use leaderboard.json)"
    lines = [
        f"alignment with {len(result.rankings)} targets ({result.value_system}; "
        f"{n_scored} of {len(result.models)} "
        f"models scored; {intervals}; '=' not distinguishable from the best)"
    ]
    width = max([len(m) for m in result.models] + [5])
    for ranking in result.rankings:
        target = next(t for t in result.targets.targets if t.name == ranking.target)
        what = "match = (rho+1)/2" if ranking.statistic == "match" else "weighted win rate"
        lines.append(f"target {ranking.target!r} ({target.kind}, by {what}):")
        for entry in ranking.models:
            cell = result.cell(entry.model, ranking.target)
            place = "  -" if entry.rank is None else f"{entry.rank:>3}"
            mark = "=" if entry.distinguishable_from_best is False else " "
            score = "undefined" if not entry.score.defined else f"{entry.score.value:.3f}"
            extras = []
            if ranking.correlations_defined:
                extras += [f"rho {cell.spearman.value:+.3f}", f"r {cell.pearson.value:+.3f}"]
            lines.append(
                f"  {place}{mark} {entry.model:<{width}}  {score}{_interval(entry.score)}  "
                f"{'  '.join(extras)}".rstrip()
            )
        if not ranking.correlations_defined:
            lines.append("      (equal weights: rho and r do not exist for this target)")
        for model, why in ranking.left_out:
            lines.append(f"      not comparable, left out: {model} ({why.reason})")
    lines += _closest_models(result, width)
    return "\n".join(lines)


def _closest_models(result: TargetAlignment, width: int) -> list[str]:
    """Models as targets: each scored model's nearest other model by rho (model_similarity.csv has all)."""
    similarity = result.similarity
    rho = similarity.spearman
    lines = []
    for i, model in enumerate(similarity.models):
        others = [
            (rho.value[i, j], j)
            for j in range(len(similarity.models))
            if j != i and math.isfinite(rho.value[i, j])
        ]
        if not others:
            continue
        value, j = max(others)
        interval = _interval(Estimate(value, float(rho.low[i, j]), float(rho.high[i, j])))
        lines.append(f"  {model:<{width}}  {similarity.models[j]}  rho {value:+.3f}{interval}")
    if not lines:
        return []
    return [
        "closest other model (Spearman rho of the win-rate profiles; all pairs in model_similarity.csv):",
        *lines,
    ]
