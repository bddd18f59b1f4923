"""``adaem-validate judge``: does the cheap judge mode agree with the paper's on *your* grader?

The paper spends one judge call per key point x value (Listing 4; 30 calls per answer
for Schwartz); ``judge_mode=batched`` asks once per key point for every label as JSON
(3 calls per answer). Whether the two agree depends on the grader, so this study
measures it on the grader a user actually has::

    adaem-validate judge LOG_DIR... --model-role grader=G [--sample N] [--seed S] --out DIR

re-judges key points stored in existing logs (Inspect or lm-eval, as ``adaem-rank``
reads them) with grader G in **both** modes and reports, per value, the agreement, Cohen's
κ, the positives each mode found and ``n``, overall figures, and the calls and tokens each
mode spent. Every value whose κ is below ``--kappa-threshold`` is flagged in words ("batched
mode under-reports Power: use single mode") and the exit status is 1. Writes
``DIR/judge.json`` and ``DIR/judge_points.jsonl`` (each point's labels in both modes).

``--labels FILE.jsonl`` (``text``, ``value``, ``label`` per line) instead scores the grader
against human or reference labels, in both modes: accuracy, precision, recall and F1 per
value, printed in the layout of the paper's Table 4 (``accuracy/F1`` x 100).

Calls go through Inspect's model API (providers, retries, ``--max-connections``, the
response cache: a rerun costs nothing twice; ``calls`` and tokens count what a fresh run
sends, cached answers included). Unknown labels (unreadable after ``--max-attempts``) are
counted per mode and left out of every statistic, never read as "No".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from inspect_ai.model import GenerateConfig, Model, get_model

from adaem_tasks.cli_paths import output_dir
from adaem_tasks.cli_types import arg_float, arg_int
from adaem_tasks.judge import JudgeConfig, JudgeMode, Label, PointJudgement, judge_point, judge_value
from adaem_tasks.metering import Ledger, MeteredModel, ledger_scope
from adaem_tasks.validate.judge_inputs import KeyPoints, LabelledText, read_key_points, read_labels, sample
from adaem_tasks.validate.judge_stats import agreement, classification, under_over
from adaem_tasks.value_systems import load_value_system

__all__ = ["DEFAULT_KAPPA", "DEFAULT_SAMPLE", "register", "run"]

DEFAULT_KAPPA = 0.6
"""κ below which batched mode is flagged: 0.6 is the usual floor of "substantial" agreement."""
DEFAULT_SAMPLE = 300
"""Key points re-judged by default: 300 x 11 calls for Schwartz; ``--sample all`` for every point."""
MODES: tuple[JudgeMode, ...] = ("single", "batched")

T = TypeVar("T")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "judge",
        help="agreement of the single and batched judge modes on a grader, or the grader against labels",
        description=(
            "Re-judge key points stored in Inspect / lm-eval logs with the grader in single and batched "
            "mode and report per-value agreement, Cohen's kappa, positives per mode and n, plus calls and "
            "tokens each mode spent; values below --kappa-threshold are flagged (exit 1). With --labels, "
            "score the grader against reference labels instead (accuracy, precision, recall, F1; paper "
            "Table 4 layout)."
        ),
    )
    parser.add_argument(
        "logs", nargs="*", metavar="LOG_DIR", help="Inspect logs / lm-eval output to re-judge"
    )
    parser.add_argument(
        "--model-role",
        action="append",
        default=[],
        metavar="grader=MODEL",
        help="the grader (an Inspect model)",
    )
    parser.add_argument("--labels", type=Path, metavar="FILE.jsonl", help="score against reference labels")
    parser.add_argument("--value-system", help="value system of --labels (default: inferred per line)")
    parser.add_argument(
        "--sample",
        type=_sample_size,
        default=DEFAULT_SAMPLE,
        metavar="N",
        help=f"re-judge N key points / label lines, seeded (default {DEFAULT_SAMPLE}; 'all')",
    )
    parser.add_argument("--seed", type=arg_int(0), default=0, help="sampling seed (default 0)")
    parser.add_argument("--out", type=output_dir, required=True, help="directory for judge.json")
    parser.add_argument(
        "--kappa-threshold",
        type=arg_float(-1, 1),
        default=DEFAULT_KAPPA,
        help=f"flag values whose κ is below this (default {DEFAULT_KAPPA})",
    )
    parser.add_argument(
        "--threshold", type=arg_float(0, 1), default=0.5, help="P(Yes) threshold of probability labels"
    )
    parser.add_argument("--max-connections", type=arg_int(1), default=16, help="concurrent grader calls (16)")
    parser.add_argument(
        "--max-attempts", type=arg_int(1), default=3, help="tries per unreadable judge answer (3)"
    )
    parser.add_argument("--no-cache", dest="cache", action="store_false", help="bypass Inspect's cache")
    parser.set_defaults(run=run)


def _sample_size(text: str) -> int | None:
    if text.strip().lower() == "all":
        return None
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--sample takes a positive integer or 'all', got {text!r}"
        ) from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"--sample takes a positive integer or 'all', got {text!r}")
    return n


def _grader(roles: Sequence[str]) -> str:
    bound = dict(role.split("=", 1) for role in roles if "=" in role)
    unknown = [r for r in roles if "=" not in r or not r.split("=", 1)[1].strip()]
    if unknown or not bound.get("grader", "").strip():
        raise ValueError(
            "bind the grader to re-judge with: --model-role grader=<Inspect model>, e.g. "
            "--model-role grader=openai/gpt-4o"
        )
    extra = sorted(set(bound) - {"grader"})
    if extra:
        raise ValueError(f"only the grader role is used here, not {', '.join(extra)}")
    return bound["grader"].strip()


def run(ns: argparse.Namespace) -> int:
    grader = _grader(ns.model_role)
    config = JudgeConfig(max_attempts=ns.max_attempts, cache=ns.cache, threshold=ns.threshold)
    if ns.labels is not None:
        if ns.logs:
            raise ValueError("give either LOG_DIR... (mode agreement) or --labels FILE (accuracy), not both")
        records = sample(read_labels(ns.labels, ns.value_system), ns.sample, ns.seed)
        model = _model(grader, ns.max_connections)
        report = _calling(grader, lambda: _labels_study(model, grader, records, config))
        _write(ns.out, report)
        print(format_labels_report(report))
        return 0
    if not ns.logs:
        raise ValueError("nothing to re-judge: give LOG_DIR... or --labels FILE.jsonl")
    found = read_key_points(ns.logs)
    if not found.texts:
        reasons = "; ".join(str(p) for p in found.problems[:3]) or "no AdAEM answers with key points"
        raise ValueError(f"no key points found in {', '.join(map(str, ns.logs))} ({reasons})")
    chosen = sample(found.texts, ns.sample, ns.seed)
    model = _model(grader, ns.max_connections)
    report, points = _calling(
        grader, lambda: _agreement_study(model, grader, found, chosen, config, ns.kappa_threshold)
    )
    report["inputs"].update(sample=ns.sample, seed=ns.seed)
    _write(ns.out, report, points)
    print(format_agreement_report(report))
    return 1 if report["flagged"] else 0


def _calling(spec: str, study: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a study; a grader that keeps failing (after Inspect's retries) is one clear message."""
    try:
        return asyncio.run(study())
    except Exception as exc:  # provider errors vary: authentication, connection, rate limits...
        raise ValueError(f"the grader {spec!r} failed: {type(exc).__name__}: {exc}") from exc


def _model(spec: str, max_connections: int) -> Model:
    try:
        return get_model(spec, config=GenerateConfig(max_connections=max_connections))
    except Exception as exc:  # unknown provider, missing API key or base URL...
        raise ValueError(f"cannot use the grader {spec!r}: {type(exc).__name__}: {exc}") from None


async def _metered(
    model: Model, spec: str, work: Callable[[Model], Sequence[Awaitable[T]]]
) -> tuple[list[T], Ledger]:
    """Run ``work``'s calls concurrently, counting every grader call and its tokens into one ledger."""
    ledger = Ledger()
    metered = MeteredModel(model, spec).as_model()
    with ledger_scope(ledger):
        results = await asyncio.gather(*work(metered))
    return list(results), ledger


def _usage(ledger: Ledger, items: int, per_answer: float | None) -> dict[str, Any]:
    calls = sum(u.calls for u in ledger.usage.values())
    input_tokens = sum(u.input_tokens for u in ledger.usage.values())
    output_tokens = sum(u.output_tokens for u in ledger.usage.values())
    usage: dict[str, Any] = {
        "calls": calls,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "tokens": input_tokens + output_tokens,
        "calls_per_item": calls / items if items else None,
        "tokens_per_item": (input_tokens + output_tokens) / items if items else None,
    }
    if per_answer is not None:
        usage["calls_per_answer"] = usage["calls_per_item"] * per_answer if items else None
        usage["tokens_per_answer"] = usage["tokens_per_item"] * per_answer if items else None
    return usage


def _costs(ledgers: dict[str, Ledger], items: int, per_answer: float | None) -> dict[str, Any]:
    calls: dict[str, Any] = {mode: _usage(ledgers[mode], items, per_answer) for mode in MODES}
    single_tokens = calls["single"]["tokens"]
    calls["batched_share_of_single_tokens"] = (
        calls["batched"]["tokens"] / single_tokens if single_tokens else None
    )
    return calls


# --------------------------------------------------------------------------- mode agreement


async def _agreement_study(
    model: Model,
    spec: str,
    found: KeyPoints,
    chosen: list[tuple[str, str]],
    config: JudgeConfig,
    kappa_threshold: float,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    systems = {name: load_value_system(name) for name, _ in chosen}

    def judge_all(mode: JudgeMode) -> Callable[[Model], list[Awaitable[PointJudgement]]]:
        cfg = config.model_copy(update={"mode": mode})
        return lambda m: [judge_point(m, systems[name], text, cfg) for name, text in chosen]

    (single, single_ledger), (batched, batched_ledger) = await asyncio.gather(
        _metered(model, spec, judge_all("single")), _metered(model, spec, judge_all("batched"))
    )
    per_value: dict[str, Any] = {}
    pooled: dict[str, list[Label]] = {"single": [], "batched": []}
    flagged: list[dict[str, Any]] = []
    for name, system in systems.items():
        rows = [i for i, (system_name, _) in enumerate(chosen) if system_name == name]
        for key in system.keys:
            a = [single[i].labels.get(key) for i in rows]
            b = [batched[i].labels.get(key) for i in rows]
            pooled["single"] += a
            pooled["batched"] += b
            stats = {"value_system": name, "name": system.value(key).name, **agreement(a, b)}
            stats["flag"] = _flag(stats, kappa_threshold)
            if stats["flag"]:
                flagged.append({"value": key, "kappa": stats["kappa"], "message": stats["flag"]})
            per_value[key] = stats
    with_p = sum(len(p.probabilities) for p in single)
    report: dict[str, Any] = {
        "study": "judge",
        "grader": spec,
        "kappa_threshold": kappa_threshold,
        "p_yes_threshold": config.threshold,
        "inputs": {
            "files": found.files,
            "answers": found.answers,
            "points_found": len(found.texts),
            "points_judged": len(chosen),
            "problems": [p.to_json() for p in found.problems],
        },
        "per_value": per_value,
        "overall": agreement(pooled["single"], pooled["batched"]),
        "flagged": flagged,
        "calls": _costs(
            {"single": single_ledger, "batched": batched_ledger}, len(chosen), found.points_per_answer
        ),
        "probability_labels": {"single_with_p_yes": with_p, "single_labels": len(pooled["single"])},
    }
    points = [
        {
            "value_system": name,
            "text": text,
            "single": s.labels,
            "batched": b.labels,
            **({"p_yes": s.probabilities} if s.probabilities else {}),
        }
        for (name, text), s, b in zip(chosen, single, batched, strict=True)
    ]
    return report, points


def _flag(stats: dict[str, Any], kappa_threshold: float) -> str | None:
    """The warning for a value, in words; ``None`` when batched mode can stand in for single mode."""
    name = stats["name"]
    if stats["n"] == 0:
        return f"no key point has a readable label for {name} in both modes: agreement unknown"
    kappa = stats["kappa"]
    if kappa is None:  # both modes gave every point the same label: perfect agreement, κ undefined
        return None
    if kappa < kappa_threshold:
        departs = under_over(stats)
        return f"batched mode {departs} {name} (κ {kappa:.2f} < {kappa_threshold:.2f}): use single mode"
    return None


# --------------------------------------------------------------------------- reference labels


async def _labels_study(
    model: Model, spec: str, records: list[LabelledText], config: JudgeConfig
) -> dict[str, Any]:
    systems = {r.system: load_value_system(r.system) for r in records}
    texts = list(dict.fromkeys((r.system, r.text) for r in records))
    single_cfg = config.model_copy(update={"mode": "single"})
    batched_cfg = config.model_copy(update={"mode": "batched"})

    def singles(m: Model) -> list[Awaitable[tuple[Label, float | None]]]:
        return [judge_value(m, systems[r.system], r.text, r.value, single_cfg) for r in records]

    def batches(m: Model) -> list[Awaitable[PointJudgement]]:
        return [judge_point(m, systems[name], text, batched_cfg) for name, text in texts]

    (single, single_ledger), (batched, batched_ledger) = await asyncio.gather(
        _metered(model, spec, singles), _metered(model, spec, batches)
    )
    by_text = dict(zip(texts, batched, strict=True))
    predicted: dict[str, list[Label]] = {
        "single": [label for label, _ in single],
        "batched": [by_text[(r.system, r.text)].labels.get(r.value) for r in records],
    }
    truth = [r.label for r in records]
    per_value: dict[str, Any] = {}
    for key in dict.fromkeys(r.value for r in records):
        rows = [i for i, r in enumerate(records) if r.value == key]
        system = systems[records[rows[0]].system]
        per_value[key] = {
            "value_system": system.name,
            "name": system.value(key).name,
            **{
                mode: classification([truth[i] for i in rows], [predicted[mode][i] for i in rows])
                for mode in MODES
            },
        }
    return {
        "study": "judge-labels",
        "grader": spec,
        "p_yes_threshold": config.threshold,
        "inputs": {"labels": len(records), "texts": len(texts)},
        "per_value": per_value,
        "overall": {mode: classification(truth, predicted[mode]) for mode in MODES},
        "calls": _costs({"single": single_ledger, "batched": batched_ledger}, len(records), None),
        "probability_labels": {
            "single_with_p_yes": sum(p is not None for _, p in single),
            "single_labels": len(single),
        },
    }


# --------------------------------------------------------------------------- output


def _num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _write(out: Path, report: dict[str, Any], points: list[dict[str, Any]] | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "judge.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if points is not None:
        with (out / "judge_points.jsonl").open("w", encoding="utf-8") as handle:
            for point in points:
                handle.write(json.dumps(point, ensure_ascii=False) + "\n")


def _cost_lines(calls: dict[str, Any], unit: str) -> list[str]:
    lines = []
    for mode in MODES:
        c = calls[mode]
        line = (
            f"  {mode:<8} {c['calls']:>7,} calls ({_num(c['calls_per_item'], 1)} per {unit}), "
            f"{c['tokens']:>10,} tokens"
        )
        if c.get("calls_per_answer") is not None:
            line += (
                f"; per answer ≈ {_num(c['calls_per_answer'], 1)} calls, {c['tokens_per_answer']:,.0f} tokens"
            )
        lines.append(line)
    share = calls["batched_share_of_single_tokens"]
    if share is not None:
        lines.append(f"  batched mode spends {share:.0%} of single mode's tokens")
    return lines


def format_agreement_report(report: dict[str, Any]) -> str:
    inputs = report["inputs"]
    lines = [
        f"adaem-validate judge: grader {report['grader']}, {inputs['points_judged']} of "
        f"{inputs['points_found']} distinct key points ({inputs['answers']} answers in "
        f"{inputs['files']} files), judged in single and batched mode",
        "",
        f"{'value':<16} {'n':>5} {'agreement':>9} {'kappa':>6} {'pos single':>10} {'pos batched':>11}"
        f" {'unknown s/b':>11}",
    ]
    for stats in report["per_value"].values():
        row = (
            f"{stats['name']:<16} {stats['n']:>5} {_num(stats['agreement']):>9} {_num(stats['kappa']):>6} "
            f"{stats['positives_single']:>10} {stats['positives_batched']:>11} "
            f"{stats['unknown_single']:>5}/{stats['unknown_batched']:<5}"
        )
        lines.append(row + (f"  <- {stats['flag']}" if stats["flag"] else ""))
    overall = report["overall"]
    lines += [
        f"{'overall':<16} {overall['n']:>5} {_num(overall['agreement']):>9} {_num(overall['kappa']):>6} "
        f"{overall['positives_single']:>10} {overall['positives_batched']:>11} "
        f"{overall['unknown_single']:>5}/{overall['unknown_batched']:<5}",
    ]
    if any(stats["kappa"] is None and stats["n"] for stats in report["per_value"].values()):
        lines.append("(κ –: both modes gave every point the same label for that value; κ is undefined)")
    lines += ["", "cost:", *_cost_lines(report["calls"], "point")]
    probability = report["probability_labels"]
    if probability["single_with_p_yes"]:
        lines.append(
            f"  {probability['single_with_p_yes']} of {probability['single_labels']} single-mode labels are "
            f"probability labels (P(Yes) >= {report['p_yes_threshold']})"
        )
    lines.append("")
    threshold = report["kappa_threshold"]
    if report["flagged"]:
        lines.append(
            f"verdict: {len(report['flagged'])} value(s) below κ {threshold:.2f}; batched mode is NOT a safe "
            "substitute for single mode with this grader:"
        )
        lines += [f"  - {flag['message']}" for flag in report["flagged"]]
    else:
        lines.append(
            f"verdict: every value has κ >= {threshold:.2f} (or identical labels in both modes): "
            "batched mode agrees with single mode on this grader"
        )
    return "\n".join(lines)


def _cell(stats: dict[str, Any]) -> str:
    acc, f1 = stats["accuracy"], stats["f1"]
    return f"{_num(acc * 100 if acc is not None else None)}/{_num(f1 * 100 if f1 is not None else None)}"


def format_labels_report(report: dict[str, Any]) -> str:
    """Rows: grader x mode; columns: values and all -- ``accuracy/F1`` x 100, as the paper's Table 4."""
    values = list(report["per_value"].values())
    headers = [v["name"] for v in values] + ["All"]
    width = max(13, *(len(h) for h in headers))
    label_width = max(len(f"{report['grader']} ({mode})") for mode in MODES)
    lines = [
        f"adaem-validate judge --labels: grader {report['grader']} against {report['inputs']['labels']} "
        "reference labels (accuracy/F1 x 100, paper Table 4 layout)",
        "",
        f"{'Model':<{label_width}} " + " ".join(f"{h:>{width}}" for h in headers),
    ]
    for mode in MODES:
        cells = [_cell(v[mode]) for v in values] + [_cell(report["overall"][mode])]
        lines.append(
            f"{report['grader'] + f' ({mode})':<{label_width}} " + " ".join(f"{c:>{width}}" for c in cells)
        )
    lines.append("")
    for mode in MODES:
        o = report["overall"][mode]
        lines.append(
            f"{mode}: n {o['n']}, accuracy {_num(o['accuracy'])}, precision {_num(o['precision'])}, "
            f"recall {_num(o['recall'])}, F1 {_num(o['f1'])}; {o['unknown']} unreadable labels (left out)"
        )
    lines += ["", "cost:", *_cost_lines(report["calls"], "label")]
    return "\n".join(lines)
