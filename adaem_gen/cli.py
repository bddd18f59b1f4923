"""``adaem-gen``: generate (``run``), describe (``stats``) and prepare (``seeds``) question sets.

Usage::

    adaem-gen run --p1 openai/gpt-4o-mini,vllm/Qwen2.5-7B --p2 openai/gpt-4o,anthropic/claude-3-5-sonnet \\
        --judge openai/gpt-4o --budget 200 --out runs/r1
    adaem-gen run --out runs/r1 --resume          # after an interruption (even kill -9)
    adaem-gen run --config run.yaml --budget 50   # YAML settings, flags override
    adaem-gen plan --p1 ... --judge ... --budget 1500 --prices prices.yaml   # calls/tokens/cost, no calls
    adaem-gen stats seed-v1 adaem-20250101-abc123
    adaem-gen seeds arguments-training.tsv value_items.csv --out seeds/ --model openai/gpt-4o

Exit codes: 0 done, 2 bad configuration or input (one ``adaem-gen: error: ...`` line;
``--debug`` shows the traceback) or the 'gen' extra not installed, 3 run stopped (models
kept failing; ``--resume`` continues), 4 no question survived the filters, 1 anything else.

Everything that can be checked before money is spent is checked here, before the
generator starts: the settings, ``--resume`` (there must be a journal to resume), the
version name (shipped names are reserved, published ones immutable), the seed questions
and every model (an unknown provider or a missing API key ends the command before a run
directory is made).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from adaem_gen.config import ConfigError, RunConfig, load_yaml_config, recorded_config
from adaem_gen.extras import MissingExtraError, require_gen
from adaem_gen.models import MeteredModel, resolve_model
from adaem_gen.run.journal import Journal, JournalError
from adaem_tasks.cli_paths import output_dir
from adaem_tasks.cli_types import arg_float, arg_int, pydantic_message
from adaem_tasks.errors import InputError, plain_text
from adaem_tasks.questions import check_version_name, ensure_version_available

__all__ = ["build_parser", "main", "resolve_run_config"]

# run / plan flags that are not RunConfig fields
_RUN_ONLY = {
    "command",
    "debug",
    "config",
    "resume",
    "quiet",
    "prices_file",
    "dry_run",
    "accept_rate",
    "refine_rounds",
    "json",
}


_TOP_P = arg_float(0.0, 1.0, low_open=True)


def _float_or_none(text: str) -> float | None:
    """``--top-p``: a number in (0, 1], or ``none`` to send no top_p."""
    return None if text.strip().lower() in ("none", "null", "") else _TOP_P(text)


def _add_run_parser(sub: Any) -> None:
    run = sub.add_parser(
        "run",
        help="run the AdAEM bandit (Alg. 2) and publish a new question set",
        description="Generate a new versioned question set from seed questions (paper Alg. 2).",
        argument_default=argparse.SUPPRESS,
    )
    run.add_argument("--config", help="YAML file of settings (flags override it)")
    run.add_argument("--resume", action="store_true", help="continue the run journaled in --out")
    run.add_argument("--quiet", action="store_true", help="no progress display")
    run.add_argument(
        "--dry-run", dest="dry_run", action="store_true", help="print the plan (calls, tokens, cost) and stop"
    )
    _add_settings(run)
    plan = sub.add_parser(
        "plan",
        help="estimate calls, tokens and cost of a run configuration without calling any model",
        description="Estimate a run's model calls, tokens and cost from the algorithm's structure.",
        argument_default=argparse.SUPPRESS,
    )
    plan.add_argument("--config", help="YAML file of settings (flags override it)")
    plan.add_argument(
        "--accept-rate",
        dest="accept_rate",
        type=arg_float(0.0, 1.0),
        help="assumed share of explorations that are readable, safe and new (default 1.0)",
    )
    plan.add_argument(
        "--refine-rounds",
        dest="refine_rounds",
        type=arg_float(0.0),
        help="assumed refinement rounds per admitted question (default 1; at most --max-refine)",
    )
    plan.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _add_settings(plan)


def _add_settings(run: argparse.ArgumentParser) -> None:
    """The RunConfig flags, shared by ``run`` and ``plan``."""
    g = run.add_argument_group("inputs and models (Inspect model specs, comma-separated)")
    g.add_argument(
        "--seeds", help="seed questions: set version, set directory or JSONL file (default seed-v1)"
    )
    g.add_argument("--value-system", dest="value_system", help="schwartz (default) or mft")
    g.add_argument("--p1", help="cheap models that explore, refine and estimate S")
    g.add_argument("--p2", help="stronger models for the final S (default: the P1 models)")
    g.add_argument("--judge", help="the value judge (Listing 4)")
    g.add_argument("--guard", help="optional safety guard model; unsafe questions are dropped")
    g.add_argument("--guard-mode", dest="guard_mode", choices=["prompt", "llama-guard"])
    a = run.add_argument_group("algorithm (defaults: paper App. C.4)")
    a.add_argument(
        "--budget",
        type=arg_int(1),
        help="B, bandit steps (default 100; paper: 1,500, App. K). A run can grow its budget later: "
        "--resume --budget 1500 continues the same search",
    )
    a.add_argument(
        "--parallel",
        type=arg_int(1),
        help="K, bandit pulls in flight (default 8; 1 = the sequential algorithm; see README)",
    )
    a.add_argument("--n2", type=arg_int(1), help="N_2, explorations per step (default 3)")
    a.add_argument(
        "--epsilon", type=arg_float(-1.0, 1.0), help="ε, dedup similarity threshold (default 0.85)"
    )
    a.add_argument(
        "--top-k", dest="top_k", type=arg_int(1), help="top-k similarities averaged for dedup (default 3)"
    )
    a.add_argument("--tau", type=arg_float(), help="τ, refine while S gains more than this (default 0.5)")
    a.add_argument(
        "--max-depth", dest="max_depth", type=arg_int(1), help="exploration tree depth (default 3)"
    )
    a.add_argument(
        "--max-refine", dest="max_refine", type=arg_int(0), help="refinement rounds cap (default 3)"
    )
    a.add_argument(
        "--n-shot", dest="n_shot", type=arg_int(0), help="N_shot, scored examples shown (default 5)"
    )
    a.add_argument("--temperature", type=arg_float(0.0), help="generation temperature (default 1.0)")
    a.add_argument(
        "--top-p", dest="top_p", type=_float_or_none, help="generation top_p (default 0.95; 'none' to omit)"
    )
    a.add_argument("--points", type=arg_int(1), help="key points per opinion (default 3)")
    a.add_argument("--words", type=arg_int(1), help="opinion word limit (default 250)")
    a.add_argument("--judge-mode", dest="judge_mode", choices=["single", "batched"])
    a.add_argument(
        "--jaccard",
        choices=["as_written", "max"],
        help="reading of C.3's min(|∩|,1) denominators: max = |∪|/max(|∩|,1) (default; its sets separate "
        "models better, see docs/generator.md) or as_written = |∪|",
    )
    a.add_argument(
        "--estimator", choices=["approx", "exact"], help="S from C.3 (default) or App. I's probabilities"
    )
    a.add_argument(
        "--max-attempts", dest="max_attempts", type=arg_int(1), help="tries per unreadable generation (3)"
    )
    a.add_argument("--seed", type=arg_int(), help="sampling seed (default 0)")
    o = run.add_argument_group("output")
    o.add_argument("--out", help="run directory: journal.jsonl, set/")
    o.add_argument("--version", help="name of the new set version (default adaem-<date>-<run id>)")
    o.add_argument("--previous", nargs="+", help="versions (or 'all') whose questions must not be repeated")
    o.add_argument("--top", type=arg_int(1), help="keep only the N best-scored questions")
    o.add_argument(
        "--min-score", dest="min_score", type=arg_float(), help="keep only questions with S >= this"
    )
    o.add_argument("--no-publish", dest="publish", action="store_false", help="write <out>/set only")
    o.add_argument("--description", help="set description for the manifest")
    p = run.add_argument_group("operations")
    p.add_argument(
        "--max-connections", dest="max_connections", type=arg_int(1), help="per-model concurrent requests"
    )
    p.add_argument("--max-retries", dest="max_retries", type=arg_int(0), help="Inspect retries per request")
    p.add_argument("--timeout", type=arg_int(1), help="request timeout in seconds")
    p.add_argument("--concurrency", type=arg_int(1), help="seed questions scored concurrently (default 16)")
    p.add_argument(
        "--no-cache", dest="cache", action="store_false", help="do not use Inspect's response cache"
    )
    p.add_argument("--prices", dest="prices_file", help="YAML: model spec -> {input: $/1M, output: $/1M}")
    p.add_argument(
        "--max-failed-steps", dest="max_failed_steps", type=arg_int(1), help="stop after N failing steps (3)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="adaem-gen", description="AdAEM question-set generator.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run_parser(sub)

    stats = sub.add_parser(
        "stats", help="Table 1 statistics of question sets, and each set's novelty vs the others"
    )
    stats.add_argument("sets", nargs="+", metavar="SET", help="set versions, set directories or JSONL files")
    stats.add_argument("--json", action="store_true", help="print JSON instead of a table")

    seeds = sub.add_parser(
        "seeds",
        help="convert Touché23-ValueEval / ValueBench files into a seed question set",
        description="Turn downloaded Touché23-ValueEval (arguments-*.tsv) or ValueBench item tables into "
        "generic yes/no seed questions (paper App. B, Listing 2) and write them as a seed set.",
    )
    seeds.add_argument("inputs", nargs="+", metavar="FILE")
    seeds.add_argument("--format", dest="fmt", default="auto", choices=["auto", "touche", "valuebench"])
    seeds.add_argument(
        "--out",
        type=output_dir,
        required=True,
        help="directory for the seed set (questions.jsonl + manifest.json)",
    )
    seeds.add_argument("--version", help="version name of the seed set (default: seeds-<date>)")
    seeds.add_argument(
        "--model",
        help="Inspect model that rewrites descriptions as questions (default: rules) and writes --expand's",
    )
    seeds.add_argument(
        "--expand",
        type=arg_int(1),
        metavar="N",
        help="first write N new descriptions with --model from the paper's Listing 1 (three sampled input "
        "descriptions per call, deduplicated against the inputs and each other; App. B)",
    )
    seeds.add_argument(
        "--resume", action="store_true", help="continue the --expand expansion journaled in --out"
    )
    seeds.add_argument(
        "--per-category", dest="per_category", type=arg_int(1), help="sample N descriptions per category"
    )
    seeds.add_argument("--seed", type=arg_int(), default=0, help="sampling seed (default 0)")
    seeds.add_argument("--no-dedup", dest="dedup", action="store_false", help="keep near-duplicate questions")
    seeds.add_argument("--publish", action="store_true", help="also publish to the user set store")
    return parser


def _journal_config(out: str | None) -> dict[str, Any] | None:
    if not out:
        return None
    journal = Journal(Path(out) / "journal.jsonl")
    if not journal.exists():
        return None
    records = journal.read()
    if not records or records[0].get("type") != "header":
        raise JournalError(f"{journal.path}: no header record; not an adaem-gen journal")
    config = records[0]["config"]
    return recorded_config(config) if isinstance(config, dict) else None


def _require_run_to_resume(out: str | None) -> None:
    """``--resume`` needs a journal in ``--out``: say so before any setting it would supply is missed."""
    if not out:
        raise ConfigError("--resume needs --out: the run directory whose journal.jsonl to continue")
    journal = Path(out) / "journal.jsonl"
    if not Journal(journal).exists():
        raise ConfigError(
            f"--resume: there is no run to resume in {out} (no {journal.name}); "
            "check the --out path, or drop --resume to start a new run"
        )


def resolve_run_config(ns: argparse.Namespace) -> RunConfig:
    """defaults < journal header (on --resume) < YAML < flags."""
    explicit = {k: v for k, v in vars(ns).items() if k not in _RUN_ONLY}
    yaml_data = load_yaml_config(ns.config) if getattr(ns, "config", None) else {}
    out = explicit.get("out", yaml_data.get("out"))
    base = None
    if getattr(ns, "resume", False):  # the run to resume first: its journal holds the other settings
        _require_run_to_resume(out)
        base = _journal_config(out)
    merged: dict[str, Any] = {**(base or {}), **yaml_data, **explicit}
    prices_file = getattr(ns, "prices_file", None)
    if prices_file:
        prices = yaml.safe_load(Path(prices_file).read_text(encoding="utf-8")) or {}
        if not isinstance(prices, dict):
            raise ConfigError(f"{prices_file}: expected a mapping of model spec -> {{input, output}}")
        merged["prices"] = {**merged.get("prices", {}), **prices}
    try:
        return RunConfig.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {pydantic_message(exc)}") from None


def _check_before_running(config: RunConfig, resume: bool) -> dict[str, MeteredModel]:
    """What can fail cheaply fails here, before the generator makes a run directory or a call."""
    from adaem_gen.run.pipeline import load_seeds

    if config.out is not None:  # from a flag or the YAML file: checked as adaem-rank checks its --out
        try:
            output_dir(config.out)
        except argparse.ArgumentTypeError as exc:
            raise ConfigError(f"--out: {exc}") from None
    if config.version is not None:
        check_version_name(config.version)
        if config.publish and not resume:
            ensure_version_available(config.version)
    load_seeds(config.seeds)
    return _resolve_models(config)


def _resolve_models(config: RunConfig) -> dict[str, MeteredModel]:
    """Every model of the run, built up front: an unknown provider or a missing API key ends here."""
    specs = [*config.p1, *config.p2_models, str(config.judge), *([config.guard] if config.guard else [])]
    models: dict[str, MeteredModel] = {}
    for spec in dict.fromkeys(specs):
        try:
            models[spec] = resolve_model(
                spec,
                max_connections=config.max_connections,
                max_retries=config.max_retries,
                timeout=config.timeout,
                model_args=config.model_args.get(spec),
            )
        except Exception as exc:  # noqa: BLE001 - unknown provider, missing API key or base URL...
            reason = " ".join(plain_text(getattr(exc, "message", exc)).split())
            raise ConfigError(f"cannot use model {spec!r}: {reason}") from exc
    return models


def _print_plan(config: RunConfig, ns: argparse.Namespace) -> int:
    from adaem_gen.run.pipeline import load_seeds
    from adaem_gen.run.plan import PlanAssumptions, plan_run
    from adaem_tasks.value_systems import load_value_system

    missing = [name for name, ok in (("--p1", config.p1), ("--judge", config.judge)) if not ok]
    if missing:
        raise ConfigError(f"missing required setting(s): {', '.join(missing)}")
    try:
        assumptions = PlanAssumptions.model_validate(
            {k: v for k in ("accept_rate", "refine_rounds") if (v := getattr(ns, k, None)) is not None}
        )
    except ValidationError as exc:
        raise ConfigError(f"invalid plan assumptions: {pydantic_message(exc)}") from None
    seeds = load_seeds(config.seeds)
    plan = plan_run(
        config,
        seeds=len(seeds.questions),
        system=load_value_system(config.value_system),
        assumptions=assumptions,
    )
    if getattr(ns, "json", False):
        print(plan.model_dump_json(indent=2))
        return 0
    a = plan.assumptions
    print(
        f"adaem-gen plan: {plan.budget} steps x {config.n2} x {len(config.p1)} P1 explorations, "
        f"{plan.seeds} seeds, P2 = {len(config.p2_models)} models, judge {config.judge_mode}"
    )
    for label, row in (
        (f"estimate (accept {a.accept_rate:g}, {a.refine_rounds:g} refinement rounds)", plan.estimate),
        (f"upper (accept 1, {config.max_refine} rounds)", plan.upper),
    ):
        cost = f"${row.cost_usd:,.2f}" if row.cost_usd is not None else "cost n/a (no --prices)"
        roles = ", ".join(f"{k} {v:,}" for k, v in row.by_role.items() if v)
        print(
            f"  {label}: {row.calls:,} calls ({roles}), {row.input_tokens:,} input + "
            f"{row.output_tokens:,} output tokens, {cost}"
        )
    return 0


def _cmd_plan(ns: argparse.Namespace) -> int:
    return _print_plan(resolve_run_config(ns), ns)


def _cmd_run(ns: argparse.Namespace) -> int:
    from adaem_gen.run.pipeline import Generator, RunAborted
    from adaem_gen.run.progress import NullDisplay, RichDisplay
    from adaem_gen.scoring.estimators import require_estimator_support
    from adaem_gen.sets.publish import EmptySetError

    resume = bool(getattr(ns, "resume", False))
    config = resolve_run_config(ns)
    if getattr(ns, "dry_run", False):
        return _print_plan(config, ns)
    config.require_runnable()
    require_estimator_support(config)
    models = _check_before_running(config, resume)
    display = NullDisplay() if getattr(ns, "quiet", False) else RichDisplay()
    generator = Generator(config, display=display, models=models, freeze_gc=True)
    try:
        result = asyncio.run(generator.run(resume=resume))
    except RunAborted as exc:
        print(f"adaem-gen: {exc}", file=sys.stderr)
        return 3
    except EmptySetError as exc:
        print(f"adaem-gen: {exc}", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        print(
            f"adaem-gen: interrupted; continue with: adaem-gen run --out {config.out} --resume",
            file=sys.stderr,
        )
        return 130
    print(
        json.dumps(
            {
                "version": result.version,
                "count": result.count,
                "mean_s": result.mean_s_new,
                "mean_s_seeds": result.mean_s_seeds,
                "set_dir": str(result.set_dir),
                "published": str(result.published_dir) if result.published_dir else None,
                "content_hash": result.content_hash,
                "removed": result.removed,
                "throughput": generator.summary(),
            },
            indent=2,
        )
    )
    return 0


def _load_any_set(spec: str) -> Any:
    from adaem_tasks.questions import load_question_set

    path = Path(spec).expanduser()
    return load_question_set(questions=path) if path.exists() else load_question_set(version=spec)


def _cmd_stats(ns: argparse.Namespace) -> int:
    from adaem_gen.sets.stats import format_stats_table, novelty, set_stats

    sets = [_load_any_set(s) for s in ns.sets]
    rows: list[dict[str, Any]] = []
    for i, qset in enumerate(sets):
        texts = [q.question for q in qset.questions]
        others = [q.question for j, other in enumerate(sets) if j != i for q in other.questions]
        row: dict[str, Any] = {"name": qset.version, **set_stats(texts)}
        if others:
            row.update(novelty(texts, others))
        rows.append(row)
    if ns.json:
        print(json.dumps(rows, indent=2, default=str))
    else:
        print(format_stats_table(rows))
    return 0


def _seed_model(spec: str | None) -> Any:
    """The Inspect model of ``adaem-gen seeds --model``, built before any work (bad spec: one line)."""
    if spec is None:
        return None
    from inspect_ai.model import get_model

    try:
        return get_model(spec)
    except Exception as exc:  # noqa: BLE001 - unknown provider, missing API key or base URL...
        reason = " ".join(plain_text(getattr(exc, "message", exc)).split())
        raise ConfigError(f"cannot use model {spec!r}: {reason}") from exc


def _cmd_seeds(ns: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from adaem_gen.sets.dedup import QuestionIndex
    from adaem_gen.sets.expand import EXPAND_JOURNAL, ExpansionStopped, expand_descriptions, prompt_version
    from adaem_gen.sets.seeds import questions_from_records, read_descriptions, write_seed_set
    from adaem_tasks.questions import publish_question_set

    if ns.expand is not None and not ns.model:
        raise ConfigError("--expand needs --model: the model that writes the new descriptions (Listing 1)")
    if ns.resume and ns.expand is None:
        raise ConfigError("--resume continues an --expand expansion; there is nothing else to resume")
    version = check_version_name(ns.version or f"seeds-{datetime.now(UTC):%Y%m%d}")
    if ns.publish:  # before any (paid) transformation call
        ensure_version_available(version)
    model = _seed_model(ns.model)
    records = read_descriptions(ns.inputs, ns.fmt)
    settings: dict[str, Any] = {
        "per_category": ns.per_category,
        "seed": ns.seed,
        "dedup": ns.dedup,
        "format": ns.fmt,
    }
    if ns.expand is not None:
        index = QuestionIndex()
        index.add([r.description for r in records])
        try:
            expansion = asyncio.run(
                expand_descriptions(
                    records, ns.expand, model, ns.model, index, Path(ns.out) / EXPAND_JOURNAL,
                    seed=ns.seed, resume=ns.resume,
                )
            )  # fmt: skip
        except ExpansionStopped as exc:
            print(f"adaem-gen: {exc}", file=sys.stderr)
            return 3
        records += expansion.records
        settings.update(expand=ns.expand, expand_prompt=prompt_version(), expansion=expansion.summary())
    questions = asyncio.run(
        questions_from_records(records, model, per_category=ns.per_category, seed=ns.seed, dedup=ns.dedup)
    )
    if not questions:
        print("adaem-gen: no seed questions found in the inputs", file=sys.stderr)
        return 4
    out = write_seed_set(
        questions,
        ns.out,
        version,
        model=ns.model,
        inputs=ns.inputs,
        hyperparameters=settings,
        expanded_by=ns.model if ns.expand is not None else None,
    )
    published = publish_question_set(out) if ns.publish else None
    summary: dict[str, Any] = {
        "version": version,
        "count": len(questions),
        "out": str(out),
        "published": str(published) if published else None,
    }
    if ns.expand is not None:
        generated = sum(1 for q in questions if q.model_dump().get("generated_by"))
        summary["expansion"] = {**settings["expansion"], "in_set": generated}
    print(json.dumps(summary))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # weight-loading bars would garble the display
    parser = build_parser()
    ns = parser.parse_args(argv)
    try:
        require_gen()  # every sub-command embeds questions; `--help` above works without the extra
        if ns.command == "run":
            return _cmd_run(ns)
        if ns.command == "plan":
            return _cmd_plan(ns)
        if ns.command == "stats":
            return _cmd_stats(ns)
        if ns.command == "seeds":
            return _cmd_seeds(ns)
    except MissingExtraError as exc:
        print(f"adaem-gen: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # a pydantic model met bad data somewhere else (a journal, a set file)
        if ns.debug:
            raise
        print(f"adaem-gen: error: invalid {exc.title}: {pydantic_message(exc)}", file=sys.stderr)
        return 2
    except (ConfigError, JournalError, InputError, FileExistsError, ValueError) as exc:
        if ns.debug:
            raise
        print(f"adaem-gen: error: {plain_text(exc)}", file=sys.stderr)
        return 2
    parser.error(f"unknown command {ns.command!r}")
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
