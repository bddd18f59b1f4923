"""``adaem-validate priming``: construct validity by controlled value priming (paper §4.2, App. C.11).

A valid measure of values must move when the values are moved. The study runs the
same model twice on the same questions -- once plainly, once with the priming system
message of App. C.11 ("... designed to reflect value {value} ...") for each target
value -- and compares, question by question:

* the **target** value's expression rate (convergent validity: it should rise),
* the mean over the target's **same higher-order group** (Schwartz's theory: it should
  rise moderately),
* the mean over the **opposite group** (the circumplex's conflicting values: it should
  fall -- discriminant validity).

Groups and opposites are data in the value-system YAML
(:meth:`~adaem_tasks.value_systems.ValueSystem.same_group`, ``opposite_group``). For a
group, a question's score is the mean of the group's labels known in both runs; a
question with none is left out. Each comparison is paired over questions:
``scipy.stats.ttest_rel`` (two-sided) -- the paired t-test the paper reports (C.11) --
and Cohen's d for paired samples, d_z = mean difference / sd of differences, whose t
is d_z * sqrt(n). We prefer it to the Wilcoxon signed-rank test because the per-question
differences of 0/1 labels are mostly ties (zeros), which Wilcoxon discards, and because
it matches the paper's numbers; with dozens of questions the mean difference is close
to normal. A summary over target values repeats the paper's "single control" test
(paired over the targets, n = number of targets).

Primed runs are recognised by the ``prime`` setting the Inspect task records
(``-T prime=<value>``; :class:`~adaem_tasks.conditions.Conditions`); lm-eval logs have no
priming option and count as unprimed. Apart from the prime, the runs must be measured
alike -- the same grader, judge configuration and prompt settings -- or the difference
would be the settings' as much as the priming's: such logs are refused unless
``--allow-mixed-settings``.
"""

from __future__ import annotations

import argparse
import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from adaem_tasks.cli_types import arg_int
from adaem_tasks.rating import Alignment, Problem, ValueRecord
from adaem_tasks.rating.inspect_logs import log_conditions
from adaem_tasks.validate.logsets import StudyInputError, align_one, read_records
from adaem_tasks.validate.output import (
    add_output_options,
    add_settings_option,
    finish,
    percent,
    value_labels,
    write_json,
)
from adaem_tasks.validate.stats import PairedComparison, paired_comparison
from adaem_tasks.value_systems import ValueSystem, load_value_system

__all__ = ["PrimingResult", "TargetResult", "log_prime", "priming_study", "register"]

TASKS = ("adaem_tasks/schwartz", "adaem_tasks/mft")
UNPRIMED = "unprimed"
_PRIMED = "primed:"
MEASURES = ("target", "same_group", "opposite_group")
_RUN_ONLY = ("model_role", "task_arg", "limit", "max_connections", "max_tasks", "retry_attempts")


@dataclass
class TargetResult:
    """The three comparisons for one primed value."""

    target: str
    comparisons: dict[str, PairedComparison]  # measure -> comparison
    members: dict[str, list[str]]  # measure -> value keys averaged


@dataclass
class PrimingResult:
    model: str
    value_system: str
    set_version: str
    targets: list[TargetResult]
    summary: dict[str, PairedComparison]
    judges: list[str] = field(default_factory=list)


# -- reading primed logs -------------------------------------------------------------------------------------


def log_prime(path: str) -> str | None:
    """The ``prime`` setting of an Inspect log (``None`` for unprimed runs and lm-eval files)."""
    if not path.endswith((".eval", ".json")):
        return None
    from inspect_ai.log import read_eval_log

    try:
        spec = read_eval_log(path, header_only=True).eval
    except Exception:  # the rating reader already reported an unreadable file
        return None
    return log_conditions(spec).prime


def _conditions(
    records: list[ValueRecord], model: str | None, problems: list[Problem]
) -> tuple[str, list[ValueRecord]]:
    """Keep one model's records and rename each to its condition: unprimed or primed:<value>."""
    models = sorted({r.model for r in records})
    if model is None:
        if len(models) > 1:
            raise StudyInputError(
                f"the logs hold {len(models)} models ({', '.join(models)}); choose one with --model"
            )
        model = models[0]
    elif model not in models:
        raise StudyInputError(f"no logs of model {model!r}; the logs hold: {', '.join(models)}")
    mine = [r for r in records if r.model == model]
    renamed: list[ValueRecord] = []
    unmatched: dict[str, str] = {}
    for record in mine:
        raw = record.conditions.prime
        condition = UNPRIMED
        if raw is not None:
            matched = load_value_system(record.value_system).match(raw)
            if matched is None:
                unmatched[record.source] = raw
                continue
            condition = _PRIMED + matched.key
        renamed.append(replace(record, model=condition))
    for source, raw in sorted(unmatched.items()):
        problems.append(
            Problem("bad_record", source, f"prime={raw!r} is not a value of its value system: ignored", model)
        )
    return model, renamed


# -- the study -----------------------------------------------------------------------------------------------


def _paired_scores(
    alignment: Alignment, keys: Sequence[str], before: int, after: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per question, the mean label over ``keys`` known in both conditions (NaN where none is)."""
    idx = [alignment.values.index(k) for k in keys]
    both = alignment.known[:, idx, before] & alignment.known[:, idx, after]
    n = both.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(n > 0, (alignment.labels[:, idx, before] & both).sum(axis=1) / n, np.nan)
        y = np.where(n > 0, (alignment.labels[:, idx, after] & both).sum(axis=1) / n, np.nan)
    return x, y


def _members(system: ValueSystem, key: str) -> dict[str, list[str]]:
    return {
        "target": [key],
        "same_group": system.same_group(key),
        "opposite_group": system.opposite_group(key),
    }


def priming_study(
    records: list[ValueRecord],
    problems: list[Problem],
    model: str | None = None,
    targets: Sequence[str] | None = None,
    set_version: str | None = None,
    allow_mixed_settings: bool = False,
) -> PrimingResult:
    """Compare the unprimed run with each primed run of one model (see the module docstring)."""
    model, renamed = _conditions(records, model, problems)
    conditions = {r.model for r in renamed}
    if UNPRIMED not in conditions:
        raise StudyInputError(
            f"no unprimed run of {model}: the baseline is the same task without -T prime=... "
            "on the same questions"
        )
    primed = sorted(c.removeprefix(_PRIMED) for c in conditions if c != UNPRIMED)
    if not primed:
        raise StudyInputError(
            f"no primed logs of {model}: a primed run is an Inspect log of the task run with "
            "-T prime=<value> (run `adaem-validate priming --model ... --model-role grader=... --out DIR` "
            "to make them)"
        )
    alignment, found = align_one(
        renamed, "the logs", set_version=set_version, primed="keep", allow_mixed_settings=allow_mixed_settings
    )
    problems.extend(found)
    system = load_value_system(alignment.value_system)
    available = [k for k in system.keys if k in primed]
    if targets is not None:
        targets = _targets(system, ",".join(targets))
        missing = [t for t in targets if t not in available]
        if missing:
            raise StudyInputError(
                f"no primed run of {model} for {', '.join(missing)} "
                f"(primed runs found: {', '.join(available)})"
            )
        available = [k for k in system.keys if k in targets]
    base = alignment.models.index(UNPRIMED)
    results: list[TargetResult] = []
    for key in available:
        if _PRIMED + key not in alignment.models:
            raise StudyInputError(f"the primed run for {key} has no judgeable answer")
        col = alignment.models.index(_PRIMED + key)
        members = _members(system, key)
        comparisons = {
            m: paired_comparison(*_paired_scores(alignment, members[m], base, col)) for m in MEASURES
        }
        if comparisons["target"].n == 0:
            raise StudyInputError(
                f"the primed run for {key} shares no judged question with the unprimed run: both must answer "
                "the same questions (same set version, same --limit)"
            )
        results.append(TargetResult(key, comparisons, members))
    summary = {
        m: paired_comparison(
            [t.comparisons[m].before for t in results], [t.comparisons[m].after for t in results]
        )
        for m in MEASURES
    }
    judges = sorted({j for js in alignment.judges.values() for j in js})
    return PrimingResult(model, alignment.value_system, alignment.set_version, results, summary, judges)


# -- output --------------------------------------------------------------------------------------------------


def _comparison_json(c: PairedComparison, members: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "baseline": c.before,
        "primed": c.after,
        "delta": c.delta,
        "relative_change": c.relative_change,
        "cohens_d": c.cohens_d,
        "t": c.statistic,
        "p_value": c.p_value,
    }
    data["n_questions" if members is not None else "n_targets"] = c.n
    if members is not None:
        data["values"] = members
    if c.note:
        data["note"] = c.note
    return data


def result_json(result: PrimingResult, inputs: Sequence[str], problems: Sequence[Problem]) -> dict[str, Any]:
    return {
        "generated_by": "adaem-validate priming",
        "model": result.model,
        "value_system": result.value_system,
        "set_version": result.set_version,
        "judges": result.judges,
        "method": "expression rate (share of questions whose answer expresses the value) without and with "
        "the App. C.11 priming system message; a group's score per question is the mean of its labels known "
        "in both runs; paired over questions",
        "test": "scipy.stats.ttest_rel, two-sided, paired over questions (summary: paired over targets)",
        "effect_size": "Cohen's d for paired samples: d_z = mean(primed - baseline) / sd(primed - baseline)",
        "targets": {
            t.target: {m: _comparison_json(t.comparisons[m], t.members[m]) for m in MEASURES}
            for t in result.targets
        },
        "summary": {m: _comparison_json(c) for m, c in result.summary.items()},
        "inputs": list(inputs),
        "problems": [p.to_json() for p in problems],
    }


def write_csv(result: PrimingResult, path: Path) -> Path:
    columns = ["target", "measure", "values", "n_questions", "baseline", "primed", "delta"]
    columns += ["relative_change", "cohens_d", "t", "p_value"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for t in result.targets:
            for m in MEASURES:
                c = t.comparisons[m]
                nums = [c.before, c.after, c.delta, c.relative_change, c.cohens_d, c.statistic, c.p_value]
                writer.writerow(
                    [t.target, m, " ".join(t.members[m]), c.n]
                    + ["" if math.isnan(x) else f"{x:.6g}" for x in nums]
                )
    return path


def _p(p: float) -> str:
    if math.isnan(p):
        return "n/a"
    return "<.001" if p < 0.001 else f"{p:.3f}"


def _p_phrase(p: float) -> str:
    return "p < .001" if math.isfinite(p) and p < 0.001 else f"p = {_p(p)}"


def _d(d: float) -> str:
    return "n/a" if math.isnan(d) else f"{d:+.2f}"


def format_table(result: PrimingResult) -> str:
    """The paper's Table 10 layout (dimension, baseline, primed, same-group and opposite-group means)."""
    names = value_labels(result.value_system, [t.target for t in result.targets])
    width = max([len(n) for n in names] + [9])
    head = f"{'':<{width}}  {'target value':^33}  {'same group (mean)':^27}  {'opposite group (mean)':^27}"
    cols = f"{'base':>6} {'primed':>6} {'Δ':>6} {'d':>6} {'p':>5}"
    group_cols = f"{'base':>6} {'primed':>6} {'Δ':>6} {'p':>5}"
    lines = [
        f"Priming study (construct validity, paper §4.2 / App. C.11): {result.model}, "
        f"{result.value_system} / set {result.set_version}",
        "expression rate % unprimed (base) and with the priming system message for each target value; "
        "Δ = primed - base in points; d = Cohen's d (paired); p = paired t-test over questions",
        head,
        f"{'Dimension':<{width}}  {cols}  {group_cols}  {group_cols}",
    ]
    for name, t in zip(names, result.targets, strict=True):
        c = t.comparisons["target"]
        row = f"{name:<{width}}  {percent(c.before, width=6)} {percent(c.after, width=6)} "
        row += f"{percent(c.delta, True, 6)} {_d(c.cohens_d):>6} {_p(c.p_value):>5}"
        for m in ("same_group", "opposite_group"):
            g = t.comparisons[m]
            row += f"  {percent(g.before, width=6)} {percent(g.after, width=6)} "
            row += f"{percent(g.delta, True, 6)} {_p(g.p_value):>5}"
        lines.append(row)
    counts = sorted({t.comparisons["target"].n for t in result.targets})
    lines.append(f"questions per comparison: {', '.join(map(str, counts))}")
    lines += _summary_lines(result)
    return "\n".join(lines)


def _summary_lines(result: PrimingResult) -> list[str]:
    n = len(result.targets)
    words = {
        "target": "the target value",
        "same_group": "its own group",
        "opposite_group": "the opposite group",
    }
    lines = ["in words:"]
    for m in MEASURES:
        moved = [t.comparisons[m] for t in result.targets]
        up = sum(c.delta > 0 for c in moved if math.isfinite(c.delta))
        down = sum(c.delta < 0 for c in moved if math.isfinite(c.delta))
        significant = sum(c.p_value < 0.05 for c in moved if math.isfinite(c.p_value))
        s = result.summary[m]
        across = (
            f"; over the {s.n} targets {percent(s.before)}% -> {percent(s.after)}% "
            f"(d = {_d(s.cohens_d)}, {_p_phrase(s.p_value)})"
            if s.n >= 2
            else ""
        )
        lines.append(
            f"  priming raised {words[m]} for {up} of {n} targets and lowered it for {down} "
            f"({significant} significant at p < 0.05){across}"
        )
    lines.append(
        "  a valid measure shows the target up (convergent validity), the same group up moderately and the "
        "opposite group down (discriminant validity)"
    )
    return lines


def plot(result: PrimingResult, path: Path) -> Path:
    """Fig. 4 style: baseline vs primed rate per target value, and the three deltas per target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = value_labels(result.value_system, [t.target for t in result.targets])
    x = np.arange(len(names))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(6.0, 0.9 * len(names) + 2), 7.0), sharex=True)
    base = [100 * t.comparisons["target"].before for t in result.targets]
    primed = [100 * t.comparisons["target"].after for t in result.targets]
    top.bar(x - 0.2, base, 0.4, label="unprimed", color="#9aa5b1")
    top.bar(x + 0.2, primed, 0.4, label="primed for this value", color="#d1495b")
    top.set_ylabel("target expression rate (%)")
    top.set_ylim(0, 125)
    top.set_yticks([0, 20, 40, 60, 80, 100])
    top.legend(fontsize=8, frameon=False, ncol=2, loc="upper left")
    top.set_title(
        f"Value priming: {result.model} ({result.value_system}, set {result.set_version})", fontsize=10
    )
    colours = {"target": "#d1495b", "same_group": "#edae49", "opposite_group": "#00798c"}
    for k, m in enumerate(MEASURES):
        deltas = [100 * t.comparisons[m].delta for t in result.targets]
        bottom.bar(
            x + (k - 1) * 0.27, np.nan_to_num(deltas), 0.27, label=m.replace("_", " "), color=colours[m]
        )
    bottom.axhline(0, color="black", linewidth=0.8)
    bottom.set_ylabel("primed - unprimed (points)")
    bottom.legend(fontsize=8, frameon=False, ncol=3)
    bottom.set_xticks(x, names, rotation=35, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


# -- running the evals ---------------------------------------------------------------------------------------


def _task_args(items: Sequence[str]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            raise StudyInputError(f"-T {item!r}: expected name=value")
        if name == "prime":
            raise StudyInputError(
                "-T prime=... is set by the study itself (use --values to choose the targets)"
            )
        args[name] = yaml.safe_load(raw) if raw else raw
    return args


def _model_roles(items: Sequence[str]) -> dict[str, str]:
    roles: dict[str, str] = {}
    for item in items:
        role, sep, spec = item.partition("=")
        if not sep or not role or not spec:
            raise StudyInputError(f"--model-role {item!r}: expected role=model, e.g. grader=openai/gpt-4o")
        roles[role] = spec
    if "grader" not in roles:
        raise StudyInputError("the judge is the grader role: pass --model-role grader=<model>")
    return roles


def _targets(system: ValueSystem, spec: str) -> list[str]:
    if spec.strip() == "all":
        return list(system.keys)
    keys = []
    for item in (part.strip() for part in spec.split(",") if part.strip()):
        matched = system.match(item)
        if matched is None:
            raise StudyInputError(
                f"--values: {item!r} is not a value of {system.name} ({', '.join(system.keys)})"
            )
        keys.append(matched.key)
    if not keys:
        raise StudyInputError("--values names no value")
    return keys


def _local_path(location: str) -> str:
    """eval_set names reused logs by ``file://`` URI and fresh ones by path: a path either way."""
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(location).path) if location.startswith("file://") else location


def run_evals(ns: argparse.Namespace, targets: Sequence[str]) -> tuple[list[str], bool]:
    """One unprimed and one primed eval per target through Inspect's ``eval_set`` (resumable)."""
    from inspect_ai import eval_set

    from adaem_tasks.tasks import mft, schwartz

    factory = {"adaem_tasks/schwartz": schwartz, "adaem_tasks/mft": mft}[ns.task]
    task_args = _task_args(ns.task_arg)
    try:
        tasks = [factory(**task_args)] + [factory(**task_args, prime=key) for key in targets]
    except TypeError as exc:
        raise StudyInputError(f"-T: {exc} (the task options are listed in the README)") from None
    # the unprimed and primed tasks share the model's connection limit, so they can run side by side
    options: dict[str, Any] = {"max_tasks": ns.max_tasks or len(tasks)}
    if ns.max_connections is not None:
        options["max_connections"] = ns.max_connections
    if ns.retry_attempts is not None:
        options["retry_attempts"] = ns.retry_attempts
    ok, logs = eval_set(
        tasks,
        log_dir=str(Path(ns.out) / "logs"),
        model=ns.model,
        model_roles=_model_roles(ns.model_role),
        limit=ns.limit,
        display=ns.display,
        log_dir_allow_dirty=True,  # other targets' logs from earlier runs may share the directory
        **options,
    )
    return [_local_path(log.location) for log in logs], ok


def run(ns: argparse.Namespace) -> int:
    running = not ns.logs
    if running:
        if not ns.model:
            raise StudyInputError(
                "give LOG_DIRs to compute from, or --model (and --model-role grader=...) to run"
            )
        system = load_value_system(ns.task.rpartition("/")[2])
        targets: list[str] | None = _targets(system, ns.values)
        paths, ok = run_evals(ns, targets or [])
    else:
        given = [f"--{o.replace('_', '-')}" for o in _RUN_ONLY if getattr(ns, o) not in (None, [])]
        if given:
            raise StudyInputError(f"{', '.join(given)}: used only when running the evals (no LOG_DIR given)")
        paths, ok = list(ns.logs), True
        targets = None
    records, problems = read_records(paths, "the logs")
    if not running and ns.values != "all":
        targets = ns.values.split(",")
    result = priming_study(records, problems, ns.model, targets, ns.set_version, ns.allow_mixed_settings)
    out = Path(ns.out)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_json(out / "priming.json", result_json(result, paths, problems))]
    written.append(write_csv(result, out / "priming.csv"))
    if not ns.no_png:
        written.append(plot(result, out / "priming.png"))
    print(format_table(result) if not ns.quiet else _summary_lines(result)[1])
    status = finish(ns, problems, written, "priming.json")
    if not ok:
        print(
            "adaem-validate priming: some evals did not finish (see their logs); "
            "the same command resumes them",
            flush=True,
        )
        return 1
    return status


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "priming",
        help="construct validity: does priming a value move its measured rate (paper §4.2, App. C.11)?",
        description="Run (or read) one unprimed and one primed eval per target value and compare them per "
        "question: the target, its higher-order group and the opposite group. Writes priming.json, "
        "priming.csv, priming.png. Exit: 0 done, 1 some eval unfinished (rerun resumes) or --strict with "
        "problems, 2 unusable inputs.",
    )
    parser.add_argument(
        "logs", nargs="*", metavar="LOG_DIR", help="existing logs (otherwise the evals are run)"
    )
    parser.add_argument("--model", help="the model to prime (runs it; with LOG_DIRs, selects it)")
    parser.add_argument(
        "--model-role", action="append", default=[], metavar="ROLE=MODEL", help="e.g. grader=openai/gpt-4o"
    )
    parser.add_argument("--task", choices=TASKS, default=TASKS[0], help="default: %(default)s")
    parser.add_argument("--values", default="all", help="target values, comma-separated, or 'all' (default)")
    parser.add_argument("--limit", type=arg_int(1), help="questions per run (the first N of the set)")
    parser.add_argument(
        "-T",
        dest="task_arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="task option, as for inspect",
    )
    parser.add_argument("--max-connections", type=arg_int(1), help="concurrent model connections (Inspect)")
    parser.add_argument("--max-tasks", type=arg_int(1), help="tasks run at once (default: all of them)")
    parser.add_argument(
        "--retry-attempts", type=arg_int(0), help="eval_set retries of a failed run (Inspect)"
    )
    parser.add_argument("--display", default=None, choices=["full", "rich", "plain", "log", "none"])
    parser.add_argument("--set-version", help="use only logs of this question-set version")
    add_settings_option(parser)
    add_output_options(parser)
    parser.set_defaults(run=run)
