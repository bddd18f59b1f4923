"""``adaem-validate informativeness``: which question set tells the same models apart better (Fig. 1, 9a)?

The paper's central claim is that generic questions *saturate* -- every model gives
the same safe answer -- while AdAEM's questions expose value differences. Given the
same models' logs on two or more question sets (one argument per set), per set:

* **separability** (the headline): for every pair of models, the mean over values of
  the absolute difference of their expression rates; averaged over the model pairs.
  It is in rate units (0 = the set cannot tell any two models apart on any value, 1 =
  every pair disagrees completely on every value), needs no rating model, and is what
  Fig. 1 shows by eye. We chose it over win-rate spreads as the headline because a
  win rate is relative to the other models on the same set: every set's win rates are
  centred on 1/2 whatever the set, while rate differences compare across sets.
  Its confidence interval is a percentile bootstrap over the set's questions.
* **saturated share**: of the question x value cells where every model's label is
  known, the fraction where all models gave the same label (all expressed the value,
  or none did) -- cells that carry no information about differences.
* **win-rate spread**: per value, max - min over the models of the TrueSkill win rate
  (``adaem-rank``'s number); its mean over values.
* **differences** between sets (every pair, in argument order): the separability
  difference with a bootstrap interval (each set's questions resampled on its own).
  The difference is paired by model pair: it is the mean over the same model pairs of
  each pair's distance on one set minus its distance on the other.

Every argument must hold one question-set version and the same models, measured alike
(the same grader, judge configuration and prompt settings in every set, or the comparison
would be the settings' as much as the sets'; ``--allow-mixed-settings`` accepts it). A
model without a judged result in some set is left out of every set (and said so); a rate
with no known label stays unknown (a pair's distance uses the values known for both models).

Every set is measured with the *same* random numbers (common random numbers): the same
seed for its bootstrap and its TrueSkill order, so identical inputs give identical rows and
a difference between sets is the sets', not the random draws'.
"""

from __future__ import annotations

import argparse
import csv
import math
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from adaem_tasks.cli_types import arg_float, arg_int
from adaem_tasks.rating import Problem, RankConfig, rank_alignment
from adaem_tasks.rating.bootstrap import MAX_REPLICATES
from adaem_tasks.rating.measurement import compare_observed
from adaem_tasks.validate.logsets import LogSet, StudyInputError, load_log_set
from adaem_tasks.validate.output import (
    add_output_options,
    add_settings_option,
    finish,
    percent,
    value_labels,
    write_json,
)
from adaem_tasks.validate.stats import expression_rates, finite_mean, finite_range, percentile_interval

__all__ = ["SetResult", "informativeness_study", "pair_distances", "register", "separability"]


def pair_distances(rates: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(..., pairs)``: per model pair, the mean over values of |rate difference| (rates ``(..., V, M)``).

    Values unknown for either model of a pair are left out of that pair's mean.
    """
    n_models = rates.shape[-1]
    pairs = list(combinations(range(n_models), 2))
    if not pairs:
        return np.full(rates.shape[:-2] + (0,), np.nan)
    diffs = np.stack([np.abs(rates[..., :, i] - rates[..., :, j]) for i, j in pairs], axis=-1)
    known = np.isfinite(diffs)
    count = known.sum(axis=-2)
    total = np.where(known, diffs, 0.0).sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)


def separability(rates: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean over model pairs of :func:`pair_distances` (the headline; NaN without a known pair)."""
    distances = pair_distances(rates)
    known = np.isfinite(distances)
    count = known.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            count > 0, np.where(known, distances, 0.0).sum(axis=-1) / np.where(count > 0, count, 1), np.nan
        )


@dataclass
class SetResult:
    label: str
    path: str
    logset: LogSet
    models: list[str]  # the models compared (the same in every set), in column order
    rates: NDArray[np.float64]  # (values, models) on all questions
    separability: float
    ci: tuple[float, float]
    boot: NDArray[np.float64]  # (replicates,) bootstrap separability
    saturated: int
    cells: int
    win_rate: NDArray[np.float64]  # (models, values)

    @property
    def saturated_share(self) -> float:
        return self.saturated / self.cells if self.cells else math.nan

    @property
    def win_rate_spread(self) -> NDArray[np.float64]:
        """Per value, max - min win rate over the models."""
        return finite_range(self.win_rate, axis=0)


@dataclass
class Difference:
    a: str
    b: str
    delta: float  # separability(b) - separability(a)
    ci: tuple[float, float]
    pairs_larger: int  # model pairs further apart on b than on a
    pairs: int


def _measure_set(
    logset: LogSet, label: str, path: str, models: list[str], replicates: int, seed: int, level: float
) -> SetResult:
    a = logset.alignment
    order = [a.models.index(m) for m in models]
    labels, known = a.labels[:, :, order], a.known[:, :, order]
    rates = expression_rates(labels, known)
    rng = np.random.default_rng(seed)
    n = len(a.question_ids)
    counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(replicates)]).astype(
        float
    )
    boot = separability(expression_rates(labels, known, counts)) if replicates else np.zeros(0)
    all_known = known.all(axis=2)
    agree = (labels.all(axis=2) | ~labels.any(axis=2)) & all_known
    board = rank_alignment(a, RankConfig(replicates=0, seed=seed))
    win_rate = board.win_rate[[board.models.index(m) for m in models]]
    return SetResult(
        label=label,
        path=path,
        logset=logset,
        models=list(models),
        rates=rates,
        separability=float(separability(rates)),
        ci=percentile_interval(boot, level),
        boot=boot,
        saturated=int(agree.sum()),
        cells=int(all_known.sum()),
        win_rate=win_rate,
    )


def _labels(given: str | None, logsets: list[LogSet]) -> list[str]:
    if given:
        labels = [part.strip() for part in given.split(",")]
        if len(labels) != len(logsets) or not all(labels) or len(set(labels)) != len(labels):
            raise StudyInputError(
                f"--labels needs {len(logsets)} distinct names, one per argument, got {given!r}"
            )
        return labels
    versions = [s.alignment.set_version for s in logsets]
    return [v if versions.count(v) == 1 else f"{v}#{i}" for i, v in enumerate(versions, start=1)]


def _common_models(logsets: list[LogSet]) -> tuple[list[str], list[Problem]]:
    """The models every set holds with a judged result, and a problem naming any left out."""
    systems = {s.alignment.value_system for s in logsets}
    if len(systems) > 1:
        listed = "; ".join(f"{s.where}: {s.alignment.value_system}" for s in logsets)
        raise StudyInputError(
            f"the sets measure different value systems ({listed}): compare sets of one system"
        )
    everyone = sorted({m for s in logsets for m in s.alignment.models})
    missing = [(s.where, sorted(set(everyone) - set(s.alignment.models))) for s in logsets]
    missing = [(w, m) for w, m in missing if m]
    if missing:
        listed = "; ".join(f"{w} lacks {', '.join(m)}" for w, m in missing)
        raise StudyInputError(
            "every set must hold the same models (with judgeable answers), so that their differences "
            f"compare: {listed}"
        )
    unjudged = {
        m: [s.where for s in logsets if not s.alignment.known[:, :, s.alignment.models.index(m)].any()]
        for m in everyone
    }
    used = [m for m in everyone if not unjudged[m]]
    problems = [
        Problem(
            "not_comparable",
            ", ".join(where),
            f"no judged result in {', '.join(where)}: left out of every set, so that all sets compare the "
            "same models",
            model=m,
        )
        for m, where in unjudged.items()
        if where
    ]
    if len(used) < 2:
        raise StudyInputError(
            f"separability compares models: only {len(used)} model(s) have judged results in every set "
            f"({', '.join(used) or 'none'}; given: {', '.join(everyone)})"
        )
    return used, problems


def _check_settings_across_sets(logsets: list[LogSet], labels: list[str], allow_mixed: bool) -> list[Problem]:
    """The sets must measure the models alike: the same grader, judge configuration and prompt settings."""
    observed: dict[str, dict[str, set[Any]]] = {}
    sources: dict[str, set[str]] = {}
    for logset, label in zip(logsets, labels, strict=True):
        for model, settings in logset.alignment.settings.items():
            entry = f"{label}: {model}"
            observed[entry] = {k: {v} for k, v in settings.items() if k != "prime"}
            sources[entry] = set(logset.paths)
    comparison = compare_observed(observed, sources, {}, "the sets")
    refusal = comparison.refusal("the sets")
    if refusal is not None and not allow_mixed:
        raise StudyInputError(refusal)
    return comparison.mixed


def informativeness_study(
    arguments: list[str],
    labels: str | None = None,
    replicates: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    allow_mixed_settings: bool = False,
) -> tuple[list[SetResult], list[Difference], list[Problem]]:
    """Measure each argument's set, then every pair of sets (see the module docstring)."""
    if len(arguments) < 2:
        raise StudyInputError("give at least two log sets (one argument per question set) to compare")
    logsets = [
        load_log_set(
            [path],
            f"argument {i} ({path})",
            version_hint="give each set's logs as its own argument",
            allow_mixed_settings=allow_mixed_settings,
        )
        for i, path in enumerate(arguments, start=1)
    ]
    names = _labels(labels, logsets)
    models, left_out = _common_models(logsets)
    mixed = _check_settings_across_sets(logsets, names, allow_mixed_settings)
    # common random numbers: every set gets the same seed, so identical inputs give identical rows
    sets = [
        _measure_set(s, name, path, models, replicates, seed, level)
        for s, name, path in zip(logsets, names, arguments, strict=True)
    ]
    differences = []
    for first, second in combinations(sets, 2):
        d_first, d_second = pair_distances(first.rates), pair_distances(second.rates)
        both = np.isfinite(d_first) & np.isfinite(d_second)
        differences.append(
            Difference(
                a=first.label,
                b=second.label,
                delta=second.separability - first.separability,
                ci=percentile_interval(second.boot - first.boot, level),
                pairs_larger=int((d_second[both] > d_first[both]).sum()),
                pairs=int(both.sum()),
            )
        )
    problems = [p for s in logsets for p in s.problems] + left_out + mixed
    return sets, differences, problems


# -- output --------------------------------------------------------------------------------------------------


def _set_json(s: SetResult, models: list[str]) -> dict[str, Any]:
    a = s.logset.alignment
    spread = s.win_rate_spread
    rate_spread = finite_range(s.rates, axis=1)
    distances = pair_distances(s.rates)
    return {
        "label": s.label,
        "path": s.path,
        "version": a.set_version,
        "n_questions": len(a.question_ids),
        "separability": s.separability,
        "ci_low": s.ci[0],
        "ci_high": s.ci[1],
        "saturated_share": s.saturated_share,
        "saturated_cells": s.saturated,
        "known_cells": s.cells,
        "win_rate_spread": finite_mean(spread),
        "per_value": {
            v: {"rate_spread": float(rate_spread[j]), "win_rate_spread": float(spread[j])}
            for j, v in enumerate(a.values)
        },
        "pair_distances": {
            f"{models[i]} | {models[j]}": float(distances[k])
            for k, (i, j) in enumerate(combinations(range(len(models)), 2))
        },
        "rates": {m: {v: float(s.rates[j, i]) for j, v in enumerate(a.values)} for i, m in enumerate(models)},
        "win_rates": {
            m: {v: float(s.win_rate[i, j]) for j, v in enumerate(a.values)} for i, m in enumerate(models)
        },
    }


def result_json(
    sets: list[SetResult],
    differences: list[Difference],
    problems: list[Problem],
    replicates: int,
    seed: int,
    level: float,
) -> dict[str, Any]:
    models = _models_of(sets)
    return {
        "generated_by": "adaem-validate informativeness",
        "value_system": sets[0].logset.alignment.value_system,
        "models": models,
        "method": "separability = mean over model pairs of the mean over values of |expression-rate "
        "difference|; CI = percentile bootstrap over the set's questions; saturated share = share of fully "
        "known question x value cells where every model gave the same label; win-rate spread = max - min "
        "TrueSkill win rate per value, averaged over values",
        "config": {"replicates": replicates, "seed": seed, "ci_level": level},
        "sets": [_set_json(s, models) for s in sets],
        "differences": [
            {
                "a": d.a,
                "b": d.b,
                "delta": d.delta,
                "ci_low": d.ci[0],
                "ci_high": d.ci[1],
                "model_pairs_further_apart_on_b": d.pairs_larger,
                "model_pairs": d.pairs,
            }
            for d in differences
        ],
        "problems": [p.to_json() for p in problems],
    }


def _models_of(sets: list[SetResult]) -> list[str]:
    return sets[0].models


def write_csv(sets: list[SetResult], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "label",
                "version",
                "n_questions",
                "separability",
                "ci_low",
                "ci_high",
                "saturated_share",
                "win_rate_spread",
            ]
        )
        for s in sets:
            spread = s.win_rate_spread
            nums = [s.separability, s.ci[0], s.ci[1], s.saturated_share, finite_mean(spread)]
            writer.writerow(
                [s.label, s.logset.alignment.set_version, len(s.logset.alignment.question_ids)]
                + ["" if not math.isfinite(x) else f"{x:.6g}" for x in nums]
            )
    return path


def format_table(sets: list[SetResult], differences: list[Difference], level: float) -> str:
    models = _models_of(sets)
    width = max([len(s.label) for s in sets] + [5])
    vwidth = max([len(s.logset.alignment.set_version) for s in sets] + [7])
    ci = f"{level:.0%} CI"
    lines = [
        f"Informativeness (paper Fig. 1, Fig. 9a): {len(models)} models ({', '.join(models)}), "
        f"{sets[0].logset.alignment.value_system}, {len(sets)} question sets",
        f"{'set':<{width}}  {'version':<{vwidth}}  {'questions':>9}  {'separability [' + ci + ']':>28}  "
        f"{'saturated':>9}  {'win-rate spread':>15}",
    ]
    for s in sets:
        a = s.logset.alignment
        sep = f"{percent(s.separability)} [{percent(s.ci[0])}, {percent(s.ci[1])}]"
        spread = finite_mean(s.win_rate_spread)
        saturated = f"{percent(s.saturated_share)}%" if s.cells else "n/a"
        lines.append(
            f"{s.label:<{width}}  {a.set_version:<{vwidth}}  {len(a.question_ids):>9}  {sep:>28}  "
            f"{saturated:>9}  {percent(spread):>15}"
        )
    labels = value_labels(sets[0].logset.alignment.value_system, sets[0].logset.alignment.values, short=True)
    lines.append("win-rate spread per value (max - min over models, points):")
    lines.append(f"{'':<{width}}  " + "".join(f"{lab:>6}" for lab in labels))
    for s in sets:
        lines.append(f"{s.label:<{width}}  " + "".join(f"{percent(x, width=6)}" for x in s.win_rate_spread))
    lines.append("in words:")
    lines.append(
        "  separability = how far apart two models' value profiles are on the set, in points of expression "
        "rate, averaged over model pairs (0 = indistinguishable); saturated = question x value cells where "
        "every model gave the same label (no information); win-rate spread = how far apart the TrueSkill win "
        "rates are"
    )
    for s in sets:
        if not s.cells:
            lines.append(
                f"  {s.label}: saturated n/a: no question x value cell has a known label for every model"
            )
    for d in differences:
        excludes = math.isfinite(d.ci[0]) and (d.ci[0] > 0 or d.ci[1] < 0)
        better = d.b if d.delta > 0 else d.a
        verdict = (
            f"the {ci} excludes 0: {better} tells these models apart better"
            if excludes
            else f"the {ci} includes 0: no clear difference"
        )
        lines.append(
            f"  {d.b} vs {d.a}: separability {percent(d.delta, signed=True)} points "
            f"[{percent(d.ci[0], signed=True)}, {percent(d.ci[1], signed=True)}]; "
            f"{d.pairs_larger} of {d.pairs} model pairs further apart on {d.b}; {verdict}"
        )
    return "\n".join(lines)


def plot(sets: list[SetResult], path: Path) -> Path:
    """Fig. 9a style: each set's value profile per model (expression rates), and its win-rate spread."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = _models_of(sets)
    a = sets[0].logset.alignment
    names = value_labels(a.value_system, a.values, short=True)
    x = np.arange(len(names))
    fig, axes = plt.subplots(1, len(sets) + 1, figsize=(4.2 * (len(sets) + 1), 3.8), sharey=False)
    for ax, s in zip(axes[:-1], sets, strict=False):
        for i, model in enumerate(models):
            ax.plot(x, 100 * s.rates[:, i], marker="o", linewidth=1.2, markersize=3, label=model)
        ax.set_ylim(0, 105)
        ax.set_xticks(x, names, fontsize=8, rotation=45)
        ax.set_title(
            f"{s.label}\nseparability {percent(s.separability)} [{percent(s.ci[0])}, {percent(s.ci[1])}]",
            fontsize=9,
        )
        ax.set_ylabel("expression rate (%)")
    axes[0].legend(fontsize=7, frameon=False, loc="upper left")
    spread_ax = axes[-1]
    width = 0.8 / len(sets)
    for k, s in enumerate(sets):
        spread_ax.bar(
            x + (k - (len(sets) - 1) / 2) * width,
            100 * np.nan_to_num(s.win_rate_spread),
            width,
            label=s.label,
        )
    spread_ax.set_xticks(x, names, fontsize=8, rotation=45)
    spread_ax.set_ylabel("win-rate spread over models (points)")
    spread_ax.set_title("TrueSkill win-rate spread (max - min over models)", fontsize=9)
    spread_ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def run(ns: argparse.Namespace) -> int:
    sets, differences, problems = informativeness_study(
        ns.logs, ns.labels, ns.replicates, ns.seed, ns.ci_level, ns.allow_mixed_settings
    )
    out = Path(ns.out)
    document = result_json(sets, differences, problems, ns.replicates, ns.seed, ns.ci_level)
    written = [
        write_json(out / "informativeness.json", document),
        write_csv(sets, out / "informativeness.csv"),
    ]
    if not ns.no_png:
        written.append(plot(sets, out / "informativeness.png"))
    table = format_table(sets, differences, ns.ci_level)
    print(table if not ns.quiet else "\n".join(table.splitlines()[1 : 2 + len(sets)]))
    return finish(ns, problems, written, "informativeness.json")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "informativeness",
        help="which question set tells the same models apart better (paper Fig. 1, Fig. 9a)?",
        description="One argument per question set (log files or directories of the same models). Per set: "
        "separability with a bootstrap CI, saturated share, win-rate spread; and the separability difference "
        "between every two sets. Writes informativeness.json, informativeness.csv, informativeness.png. "
        "Exit: 0 done, 1 --strict with problems, 2 unusable inputs.",
    )
    parser.add_argument(
        "logs", nargs="+", metavar="LOGS", help="one log set per question set, in display order"
    )
    parser.add_argument("--labels", help="comma-separated names for the sets (default: their versions)")
    parser.add_argument(
        "--replicates",
        type=arg_int(1, MAX_REPLICATES),
        default=1000,
        help=f"bootstrap replicates, 1 to {MAX_REPLICATES:,} (default: %(default)s)",
    )
    parser.add_argument("--seed", type=arg_int(0), default=0, help="bootstrap seed")
    parser.add_argument(
        "--ci-level",
        type=arg_float(0, 1, low_open=True, high_open=True),
        default=0.95,
        help="default: %(default)s",
    )
    add_settings_option(parser)
    add_output_options(parser)
    parser.set_defaults(run=run)
