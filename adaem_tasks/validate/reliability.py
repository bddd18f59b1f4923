"""``adaem-validate reliability``: internal consistency across random folds of the questions (paper §4.2).

The paper splits its questions into five random folds, measures every model on each
fold, and reports Cronbach's alpha = 0.90 and a coefficient of variation CV = 0.28: the
results do not hinge on which questions were asked. Here:

* the aligned questions are split into ``--folds`` random folds of (nearly) equal size;
* on each fold, every model x value result is computed: the **expression rate** (share
  of the fold's questions, with that label known, whose answer expresses the value) and,
  with at least two models, the **TrueSkill win rate** (``adaem-rank``'s number, one
  seeded chain per fold);
* **Cronbach's alpha** treats the folds as the items of a test and the model x value
  results as the subjects: 1 when every fold orders the results the same way, about 0
  when the differences between results are fold noise (it can be negative);
* **CV** is, per model x value result, the sd across folds divided by the mean across
  folds, averaged over the results (a result with mean 0 has no CV and is counted);
* all of it is repeated over ``--replicates`` fold assignments (seeds ``seed``,
  ``seed + 1``...), and the mean and spread over them are reported.

The headline is the win rate when there are at least two models (the number AdAEM
reports) and the folds are big enough to rate them, else the expression rate; both are
in the JSON. Win rates per fold follow ``adaem-rank``'s comparability rule: a fold of
fewer than ``--min-shared`` questions cannot give any model a comparable win rate, so
with such folds the win-rate metric is not computed and the JSON and summary say why
(rather than reporting the alpha of numbers ``adaem-rank`` would refuse to print). ``per_value`` gives alpha
with the models as subjects, one value at a time (needs 2+ models).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.cli_types import arg_int
from adaem_tasks.rating import DEFAULT_MIN_SHARED, Alignment, RankConfig, rank_alignment
from adaem_tasks.validate.logsets import StudyInputError, load_log_set
from adaem_tasks.validate.output import (
    add_output_options,
    add_settings_option,
    finish,
    value_labels,
    write_json,
)
from adaem_tasks.validate.stats import (
    coefficient_of_variation,
    cronbach_alpha,
    expression_rates,
    finite_mean,
    summarize,
)

__all__ = ["MetricReliability", "fold_assignments", "register", "reliability_study"]

METRICS = ("win_rate", "expression_rate")
DEFAULT_MIN_PER_FOLD = 10


@dataclass
class MetricReliability:
    """Alpha and CV of one metric over every replicate fold assignment."""

    metric: str
    alpha: NDArray[np.float64]  # (replicates,)
    cv: NDArray[np.float64]  # (replicates,)
    value_alpha: NDArray[np.float64]  # (replicates, values): models as subjects
    value_cv: NDArray[np.float64]  # (replicates, values)
    no_cv: NDArray[np.int64]  # (replicates,): results whose mean over folds is 0 or unknown
    dropped: NDArray[np.int64]  # (replicates,): results unknown on some fold (left out of alpha)


@dataclass
class ReliabilityResult:
    alignment: Alignment
    folds: int
    replicates: int
    seed: int
    fold_sizes: tuple[int, int]
    metrics: dict[str, MetricReliability]
    not_computed: dict[str, str]  # metric -> why it could not be computed

    @property
    def headline(self) -> str:
        return "win_rate" if "win_rate" in self.metrics else "expression_rate"


def fold_assignments(n_questions: int, folds: int, seed: int) -> list[NDArray[np.intp]]:
    """Question indices of each fold: a seeded permutation cut into ``folds`` near-equal parts."""
    permutation = np.random.default_rng(seed).permutation(n_questions)
    return [np.sort(part) for part in np.array_split(permutation, folds)]


def _fold_results(
    alignment: Alignment, folds: list[NDArray[np.intp]], metric: str, seed: int, min_shared: int
) -> NDArray[np.float64]:
    """``(folds, models, values)`` results of one fold assignment."""
    results = []
    for k, index in enumerate(folds):
        if metric == "expression_rate":
            results.append(expression_rates(alignment.labels[index], alignment.known[index]).T)
        else:
            board = rank_alignment(
                alignment.subset(index.tolist()),
                RankConfig(replicates=0, seed=seed * 1000 + k, min_shared=min_shared),
            )
            results.append(board.win_rate)
    return np.asarray(results, dtype=np.float64)


def _measure(metric: str, per_replicate: list[NDArray[np.float64]]) -> MetricReliability:
    alpha, cv, no_cv, dropped, value_alpha, value_cv = [], [], [], [], [], []
    for results in per_replicate:  # (folds, models, values)
        subjects = results.reshape(results.shape[0], -1).T  # (models * values, folds)
        alpha.append(cronbach_alpha(subjects))
        ratios = coefficient_of_variation(subjects)
        cv.append(finite_mean(ratios))
        no_cv.append(int(np.isnan(ratios).sum()))
        dropped.append(int(np.isnan(subjects).any(axis=1).sum()))
        value_alpha.append([cronbach_alpha(results[:, :, v].T) for v in range(results.shape[2])])
        value_ratios = [coefficient_of_variation(results[:, :, v].T) for v in range(results.shape[2])]
        value_cv.append([finite_mean(r) for r in value_ratios])
    return MetricReliability(
        metric,
        np.asarray(alpha),
        np.asarray(cv),
        np.asarray(value_alpha),
        np.asarray(value_cv),
        np.asarray(no_cv, dtype=np.int64),
        np.asarray(dropped, dtype=np.int64),
    )


def reliability_study(
    alignment: Alignment,
    folds: int = 5,
    replicates: int = 10,
    seed: int = 0,
    min_per_fold: int = DEFAULT_MIN_PER_FOLD,
    min_shared: int = DEFAULT_MIN_SHARED,
) -> ReliabilityResult:
    """Alpha and CV over ``replicates`` random fold assignments (see the module docstring)."""
    if folds < 2:
        raise StudyInputError(f"--folds must be at least 2 (got {folds}): alpha compares folds")
    if replicates < 1:
        raise StudyInputError(f"--replicates must be at least 1 (got {replicates})")
    n = len(alignment.question_ids)
    if n // folds < min_per_fold:
        raise StudyInputError(
            f"{n} aligned questions cannot make {folds} folds of at least {min_per_fold} questions each "
            f"({n // folds} per fold): use fewer --folds, logs with more questions, or a lower --min-per-fold"
        )
    sizes = (n // folds, -(-n // folds))
    not_computed: dict[str, str] = {}
    if len(alignment.models) < 2:
        not_computed["win_rate"] = "win rates need at least two models"
    elif sizes[0] < min_shared:
        not_computed["win_rate"] = (
            f"folds of {sizes[0]} questions are below --min-shared {min_shared}: no model would get a "
            "comparable win rate on a fold (use fewer --folds, more questions, or a lower --min-shared)"
        )
    metrics = [m for m in ("expression_rate", "win_rate") if m not in not_computed]
    per_metric: dict[str, list[NDArray[np.float64]]] = {m: [] for m in metrics}
    for r in range(replicates):
        assignment = fold_assignments(n, folds, seed + r)
        for metric in metrics:
            per_metric[metric].append(_fold_results(alignment, assignment, metric, seed + r, min_shared))
    measured = {m: _measure(m, per_metric[m]) for m in METRICS if m in per_metric}
    return ReliabilityResult(alignment, folds, replicates, seed, sizes, measured, not_computed)


# -- output --------------------------------------------------------------------------------------------------


def _metric_json(m: MetricReliability, values: list[str]) -> dict[str, Any]:
    return {
        "cronbach_alpha": finite_mean(m.alpha),
        "cv": finite_mean(m.cv),
        "spread": {"cronbach_alpha": summarize(m.alpha), "cv": summarize(m.cv)},
        "per_value": {
            v: {"cronbach_alpha": finite_mean(m.value_alpha[:, j]), "cv": finite_mean(m.value_cv[:, j])}
            for j, v in enumerate(values)
        },
        "results_without_cv": int(m.no_cv.max()),
        "results_left_out_of_alpha": int(m.dropped.max()),
    }


def result_json(result: ReliabilityResult, inputs: list[str], problems: list[Any]) -> dict[str, Any]:
    a = result.alignment
    metrics = {m: _metric_json(r, a.values) for m, r in result.metrics.items()}
    head = metrics[result.headline]
    return {
        "generated_by": "adaem-validate reliability",
        "value_system": a.value_system,
        "set_version": a.set_version,
        "models": a.models,
        "n_questions": len(a.question_ids),
        "folds": result.folds,
        "questions_per_fold": list(result.fold_sizes),
        "replicates": result.replicates,
        "seeds": [result.seed, result.seed + result.replicates - 1],
        "headline_metric": result.headline,
        "cronbach_alpha": head["cronbach_alpha"],
        "cv": head["cv"],
        "spread": head["spread"],
        "per_value": head["per_value"],
        "metrics": metrics,
        "not_computed": result.not_computed,
        "method": "Cronbach's alpha with the folds as items and the model x value results as subjects; "
        "CV = sd across folds / mean across folds per result, averaged over results; mean and spread over "
        "replicate fold assignments",
        "inputs": inputs,
        "problems": [p.to_json() for p in problems],
    }


def _quality(alpha: float) -> str:
    """The common rule-of-thumb reading of alpha (George & Mallery)."""
    if not math.isfinite(alpha):
        return "undefined"
    for bound, word in (
        (0.9, "excellent"),
        (0.8, "good"),
        (0.7, "acceptable"),
        (0.6, "questionable"),
        (0.5, "poor"),
    ):
        if alpha >= bound:
            return word
    return "unacceptable"


def _num(x: float, signed: bool = False) -> str:
    if not math.isfinite(x):
        return "n/a"
    return f"{x:+.2f}" if signed else f"{x:.2f}"


def format_summary(result: ReliabilityResult) -> str:
    a = result.alignment
    low, high = result.fold_sizes
    size = f"{low}" if low == high else f"{low}-{high}"
    lines = [
        f"Reliability (internal consistency, paper §4.2): {a.value_system} / set {a.set_version}, "
        f"{len(a.models)} model(s), {len(a.question_ids)} questions",
        f"{result.folds} random folds of {size} questions, {result.replicates} fold assignments "
        f"(seeds {result.seed}..{result.seed + result.replicates - 1}); items = folds, subjects = "
        f"{len(a.models) * len(a.values)} model x value results",
    ]
    names = {
        name: name.replace("_", " ") + (" (headline)" if name == result.headline else "") for name in METRICS
    }
    width = max(len(label) for label in names.values()) + 2  # a label never runs into its numbers
    lines.append(f"{'metric':<{width}}{'Cronbach alpha: mean ± sd [min, max]':<40}{'CV: mean ± sd':<16}")
    for name, m in result.metrics.items():
        s, c = summarize(m.alpha), summarize(m.cv)
        shown = f"{_num(s['mean'])} ± {_num(s['sd'])} [{_num(s['min'])}, {_num(s['max'])}]"
        lines.append(f"{names[name]:<{width}}{shown:<40}{_num(c['mean'])} ± {_num(c['sd'])}")
    for name, why in result.not_computed.items():
        lines.append(f"{name.replace('_', ' '):<{width}}not computed: {why}")
    head = result.metrics[result.headline]
    labels = value_labels(a.value_system, a.values, short=True)
    if len(a.models) >= 2:
        per_value = "  ".join(
            f"{lab} {_num(finite_mean(head.value_alpha[:, j]))}" for j, lab in enumerate(labels)
        )
        lines.append(
            f"alpha per value ({result.headline.replace('_', ' ')}, models as subjects): {per_value}"
        )
        lines.append("  (unstable, even far below 0, for a value on which the models do not differ)")
    alpha, cv = finite_mean(head.alpha), finite_mean(head.cv)
    lines.append("in words:")
    lines.append(
        f"  alpha = {_num(alpha)} ({_quality(alpha)} by the usual rule of thumb): "
        + (
            "the folds order the model x value results alike, so the results do not hinge on which questions "
            "were drawn"
            if math.isfinite(alpha) and alpha >= 0.7
            else "the folds disagree about which model x value results are high, so the differences between "
            "results are largely question noise"
        )
        + " (1 = identical ordering on every fold; about 0 = no shared signal)"
    )
    moves = f"about {100 * cv:.0f}% of its mean" if math.isfinite(cv) else "an unknown amount"
    lines.append(f"  CV = {_num(cv)}: a result moves by {moves} from one fold to another")
    if head.no_cv.max():
        lines.append(
            f"  {int(head.no_cv.max())} results have a mean of 0 or no data on some fold: no CV for them"
        )
    return "\n".join(lines)


def run(ns: argparse.Namespace) -> int:
    logset = load_log_set(
        ns.logs,
        "the logs",
        set_version=ns.set_version,
        value_system=ns.value_system,
        allow_mixed_settings=ns.allow_mixed_settings,
    )
    result = reliability_study(
        logset.alignment, ns.folds, ns.replicates, ns.seed, ns.min_per_fold, ns.min_shared
    )
    out = Path(ns.out)
    written = [write_json(out / "reliability.json", result_json(result, list(ns.logs), logset.problems))]
    print(format_summary(result) if not ns.quiet else format_summary(result).splitlines()[3])
    return finish(ns, logset.problems, written, "reliability.json")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "reliability",
        help="internal consistency: Cronbach's alpha and CV over random folds of the questions (paper §4.2)",
        description="Split the aligned questions into random folds, compute every model x value result per "
        "fold, and report Cronbach's alpha (folds as items) and the coefficient of variation, over several "
        "fold assignments. Writes reliability.json. "
        "Exit: 0 done, 1 --strict with problems, 2 unusable inputs.",
    )
    parser.add_argument("logs", nargs="+", metavar="LOG_DIR", help="Inspect logs / lm-eval output (one set)")
    parser.add_argument("--folds", type=arg_int(2), default=5, help="default: %(default)s (the paper's)")
    parser.add_argument(
        "--replicates", type=arg_int(1), default=10, help="fold assignments (default: %(default)s)"
    )
    parser.add_argument("--seed", type=arg_int(0), default=0, help="seed of the first fold assignment")
    parser.add_argument(
        "--min-per-fold",
        type=arg_int(1),
        default=DEFAULT_MIN_PER_FOLD,
        help="refuse folds smaller than this (default: %(default)s)",
    )
    parser.add_argument(
        "--min-shared",
        type=arg_int(1),
        default=DEFAULT_MIN_SHARED,
        help="adaem-rank's comparability threshold, applied to each fold's win rates (default: %(default)s)",
    )
    parser.add_argument("--set-version", help="use only logs of this question-set version")
    parser.add_argument("--value-system", help="use only results of this value system (schwartz, mft)")
    add_settings_option(parser)
    add_output_options(parser, png=False)
    parser.set_defaults(run=run)
