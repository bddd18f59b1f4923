"""``adaem-rank``: a TrueSkill leaderboard of value win rates from AdAEM eval logs.

Usage::

    adaem-rank logs/ lm_eval_out/ --out leaderboard/
    adaem-rank logs/ --by-category --replicates 200 --seed 1
    adaem-rank new_model.eval --panel seed-v1          # place one model among a stored panel
    adaem-rank logs/ --export-panel panel.jsonl        # store these models as a panel
    adaem-rank logs/ --out board/ --targets targets.yaml            # + alignment with value profiles
    adaem-rank --leaderboard board/leaderboard.json --targets t.csv --out fit/   # the same, no logs
    adaem-rank logs/ --report-cases 20                 # more questions per value in report.html

Exit status (also in the README):

* 0 -- every model, value (and category, with ``--by-category``) was compared;
* 1 -- ``--strict`` and some problem was reported;
* 2 -- nothing could be ranked, or the inputs were refused: bad options, no usable logs,
  mixed question-set versions, one version with different set content hashes, models
  measured under different settings (judge configuration, prompt; ``--allow-mixed-settings``
  accepts that), fewer than 2 comparable models, more replicates than memory holds, a bad
  ``--targets`` or ``--leaderboard`` file; or the HTML report could not be written (the other
  outputs were);
* 3 -- the leaderboard was written, but some model (or some value or category of a model)
  is **not comparable**: it shared fewer than ``--min-shared`` questions with the others,
  or sits in a separate comparison group, or its only runs are primed (left out; see
  :mod:`adaem_tasks.rating.measurement`). Its rows carry ``status=not_comparable`` and the
  reason; the others are ranked without it. ``--drop-incomparable`` accepts that (exit 0).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from adaem_tasks.cli_paths import output_dir, output_file
from adaem_tasks.cli_types import arg_float, arg_int
from adaem_tasks.errors import InputError
from adaem_tasks.rating.align import SetMismatchError
from adaem_tasks.rating.alignment import TargetAlignment, TargetSet, format_alignment, read_targets
from adaem_tasks.rating.alignment.command import align_profiles, left_out_summary, write_alignment_outputs
from adaem_tasks.rating.alignment.leaderboard_files import read_leaderboard
from adaem_tasks.rating.alignment.profiles import profiles_from_leaderboard
from adaem_tasks.rating.bootstrap import MAX_REPLICATES
from adaem_tasks.rating.comparability import DEFAULT_MIN_SHARED
from adaem_tasks.rating.html import DEFAULT_REPORT_CASES, alignment_section, render_report, write_report
from adaem_tasks.rating.leaderboard import (
    DEFAULT_TEAM_WEIGHTS,
    Leaderboard,
    RankConfig,
    RankResult,
    rank_records,
)
from adaem_tasks.rating.log_reading import add_reading_arguments, reading_options_from_args
from adaem_tasks.rating.openskill_backend import OPENSKILL_MODELS
from adaem_tasks.rating.records import Problem, write_panel
from adaem_tasks.rating.report import format_table, print_problems, write_outputs
from adaem_tasks.rating.sources import load_panel, load_records
from adaem_tasks.rating.trueskill_vec import TEAM_WEIGHTS, TeamWeights, TrueSkillParams

__all__ = ["EXIT_NOT_COMPARABLE", "EXIT_REFUSED", "EXIT_STRICT", "build_parser", "main"]

_DEFAULT = TrueSkillParams()
EXIT_STRICT = 1
EXIT_REFUSED = 2
EXIT_NOT_COMPARABLE = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adaem-rank",
        description="Rank models by relative value win rates (AdAEM paper §3.3, App. C.8) from Inspect "
        "eval logs and lm-eval --log_samples output.",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="log files or directories (searched recursively)"
    )
    parser.add_argument(
        "--out", type=output_dir, default="adaem-leaderboard", help="output directory (default: %(default)s)"
    )
    parser.add_argument("--set-version", help="rank only records of this question-set version")
    parser.add_argument(
        "--replicates",
        type=arg_int(0, MAX_REPLICATES),
        default=100,
        help=f"bootstrap replicates, 0 to {MAX_REPLICATES:,} (default: %(default)s)",
    )
    parser.add_argument("--seed", type=arg_int(0), default=0, help="seed for question order and bootstrap")
    parser.add_argument(
        "--order",
        choices=["shuffle", "given"],
        default="shuffle",
        help="point estimate over a seeded shuffle (default) or sorted question ids",
    )
    parser.add_argument(
        "--ci-level",
        type=arg_float(0, 1, low_open=True, high_open=True),
        default=0.95,
        help="confidence level (default: %(default)s)",
    )
    parser.add_argument(
        "--win-probability",
        choices=["paper", "textbook"],
        default="paper",
        help="paper App. C.8 formula (default) or the textbook TrueSkill one; see adaem_tasks.rating.winrate",
    )
    parser.add_argument("--backend", choices=["trueskill", "openskill"], default="trueskill")
    parser.add_argument("--openskill-model", choices=OPENSKILL_MODELS, default="PlackettLuce")
    parser.add_argument(
        "--team-weights",
        choices=TEAM_WEIGHTS,
        default=None,
        help="TrueSkill partial-play weights: 'mean' (1 / team size: a team is the average of its members, "
        "invariant to --mu; default) or 'sum' (unit weights, the trueskill package default)",
    )
    parser.add_argument(
        "--min-shared",
        type=arg_int(1),
        default=DEFAULT_MIN_SHARED,
        metavar="N",
        help="questions a model must share (both judged) with another model to get a win rate "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--drop-incomparable",
        action="store_true",
        help="accept a leaderboard without the models (or values) that are not comparable: exit 0, not 3",
    )
    parser.add_argument("--mu", type=arg_float(), default=_DEFAULT.mu, help="TrueSkill prior mean")
    parser.add_argument(
        "--sigma", type=arg_float(0, low_open=True), default=_DEFAULT.sigma, help="prior sd (> 0)"
    )
    parser.add_argument(
        "--beta", type=arg_float(0, low_open=True), default=_DEFAULT.beta, help="performance sd (> 0)"
    )
    parser.add_argument("--tau", type=arg_float(0), default=_DEFAULT.tau, help="dynamics (>= 0)")
    parser.add_argument(
        "--draw-probability", type=arg_float(0, 1, high_open=True), default=_DEFAULT.draw_probability
    )
    parser.add_argument("--by-category", action="store_true", help="also rank within each topic category")
    parser.add_argument(
        "--panel",
        action="append",
        default=[],
        metavar="PANEL",
        help="reference panel: a panel JSONL file, a question-set directory with panel.jsonl, or a version",
    )
    parser.add_argument(
        "--export-panel",
        type=output_file,
        metavar="FILE",
        help="write the records read from PATHs as a panel",
    )
    parser.add_argument("--split-runs", action="store_true", help="rank repeated runs of a model separately")
    parser.add_argument(
        "--rank-primed",
        action="store_true",
        help="rank primed runs (-T prime=VALUE) as entries of their own, 'MODEL [prime=VALUE]', instead of "
        "leaving them out (they show where priming moves a model, not its values)",
    )
    parser.add_argument(
        "--allow-mixed-settings",
        "--allow-mixed-judging",
        dest="allow_mixed_settings",
        action="store_true",
        help="rank models measured under different settings (grader, judge mode, threshold, "
        "log-probabilities, attempts, key points, words) instead of refusing them; the differences are "
        "reported",
    )
    parser.add_argument("--no-png", action="store_true", help="skip the picture")
    _add_report_options(parser)
    parser.add_argument("--strict", action="store_true", help="exit 1 when any problem was reported")
    parser.add_argument("--quiet", action="store_true", help="print only the summary line")
    alignment = parser.add_argument_group("alignment with value profiles and weightings (docs/alignment.md)")
    alignment.add_argument(
        "--targets",
        metavar="FILE",
        help="target profiles/weightings (.yaml or .csv): writes alignment.csv/.json and pictures to --out",
    )
    alignment.add_argument(
        "--leaderboard",
        metavar="FILE",
        help="align a stored leaderboard.json (with intervals) or leaderboard.csv (points only) "
        "instead of ranking logs; needs --targets",
    )
    add_reading_arguments(parser)
    return parser


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    """``report.html``: the leaderboard with the answers behind it (adaem_tasks.rating.html)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--report",
        type=output_file,
        metavar="PATH",
        help="write the HTML report here (default: OUT/report.html)",
    )
    where.add_argument("--no-report", action="store_true", help="skip the HTML report")
    parser.add_argument(
        "--report-cases",
        type=arg_int(0, 1000),
        default=DEFAULT_REPORT_CASES,
        metavar="N",
        help="questions shown per value in the report, those that split the models most evenly "
        "(default: %(default)s)",
    )


def _write_report(
    args: argparse.Namespace,
    boards: list[Leaderboard],
    config: RankConfig,
    problems: list[Problem],
    result: RankResult,
    alignment: TargetAlignment | None,
) -> Path | None:
    """The HTML report; None (after one line on stderr) when it cannot be written."""
    path = Path(args.report) if args.report else Path(args.out) / "report.html"
    section = alignment_section(alignment)
    try:
        html = render_report(
            boards,
            config,
            problems,
            by_category=result.by_category,
            inputs=[str(Path(p)) for p in args.paths],
            cases_per_value=args.report_cases,
            sections=[section] if section else [],
        )
        return write_report(path, html)
    except OSError as exc:
        print(f"adaem-rank: cannot write the report {path}: {exc}", file=sys.stderr)
        return None


def _not_comparable_summary(result: RankResult) -> str | None:
    cells = result.not_comparable
    if not cells:
        return None
    boards: dict[str, set[str]] = {}
    for board, model, _ in cells:
        boards.setdefault(board, set()).add(model)
    where = "; ".join(f"{board}: {', '.join(sorted(models))}" for board, models in boards.items())
    return f"{len(cells)} model x value cells are not comparable ({where}); their rows say why"


def _primed_only_summary(problems: list[Problem]) -> str | None:
    """Models that are not on the board at all because every run of theirs was primed."""
    absent = sorted(
        {p.model or "" for p in problems if p.kind == "primed_run" and p.details.get("model_left_out")}
    )
    if not absent:
        return None
    return (
        f"{len(absent)} model(s) have only primed runs, which are left out: {', '.join(absent)} "
        "(--rank-primed ranks them as entries of their own)"
    )


def _team_weights(args: argparse.Namespace) -> TeamWeights:
    if args.team_weights is not None and args.backend != "trueskill":
        raise ValueError("--team-weights applies to the trueskill backend only")
    return cast(TeamWeights, args.team_weights or DEFAULT_TEAM_WEIGHTS)


def _align_leaderboard(args: argparse.Namespace, targets: TargetSet) -> int:
    """``--leaderboard FILE --targets FILE``: align a stored leaderboard; no logs are read."""
    try:
        profiles = read_leaderboard(args.leaderboard)
        result = align_profiles(profiles, targets, args.leaderboard)
    except InputError as exc:
        print(f"adaem-rank: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    written = write_alignment_outputs(result, args.out, png=not args.no_png, inputs=[args.leaderboard])
    return _report_alignment(args, result, written)


def _report_alignment(args: argparse.Namespace, result: TargetAlignment, written: dict[str, Path]) -> int:
    if not args.quiet:
        print(format_alignment(result))
    print("wrote " + ", ".join(str(p) for p in written.values()))
    if result.left_out and not args.drop_incomparable:
        print(f"adaem-rank: {left_out_summary(result)}; exit status {EXIT_NOT_COMPARABLE}", file=sys.stderr)
        return EXIT_NOT_COMPARABLE
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.leaderboard is not None and (args.paths or args.targets is None):
        parser.error("--leaderboard takes no PATH and needs --targets")
    if args.leaderboard is None and not args.paths:
        parser.error("give at least one PATH (or --leaderboard FILE --targets FILE)")
    try:  # checked before any ranking: a bad target file costs no minutes of rating
        targets = None if args.targets is None else read_targets(args.targets)
    except InputError as exc:
        print(f"adaem-rank: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if args.leaderboard is not None and targets is not None:
        return _align_leaderboard(args, targets)
    try:
        config = RankConfig(
            replicates=args.replicates,
            seed=args.seed,
            order=args.order,
            formula=args.win_probability,
            backend=args.backend,
            params=TrueSkillParams(args.mu, args.sigma, args.beta, args.tau, args.draw_probability),
            ci_level=args.ci_level,
            openskill_model=args.openskill_model,
            team_weights=_team_weights(args),
            min_shared=args.min_shared,
        )
    except ValueError as exc:
        print(f"adaem-rank: {exc}", file=sys.stderr)
        return EXIT_REFUSED

    records, problems = load_records(args.paths, reading_options_from_args(args))
    if args.export_panel:
        own = [r for r in records if not r.panel]
        try:
            write_panel(own, args.export_panel)
        except OSError as exc:
            print(f"adaem-rank: cannot write the panel {str(args.export_panel)!r}: {exc}", file=sys.stderr)
            return EXIT_REFUSED
        n_models = len({r.model for r in own})
        print(f"wrote a panel of {n_models} models ({len(own)} records) to {args.export_panel}")
    for spec in args.panel:
        panel_records, panel_problems = load_panel(spec)
        records.extend(panel_records)
        problems.extend(panel_problems)
    if not records:
        print_problems(problems, args.quiet, "leaderboard.json")
        print("adaem-rank: no usable AdAEM records found; nothing to rank", file=sys.stderr)
        return EXIT_REFUSED
    try:
        result = rank_records(
            records,
            config,
            set_version=args.set_version,
            split_runs=args.split_runs,
            by_category=args.by_category,
            primed="separate" if args.rank_primed else "leave_out",
            allow_mixed_settings=args.allow_mixed_settings,
        )
    except SetMismatchError as exc:
        print_problems(problems, args.quiet, "leaderboard.json")
        print(f"adaem-rank: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except ValueError as exc:  # e.g. an unknown --set-version, more replicates than memory holds
        print_problems(problems, args.quiet, "leaderboard.json")
        print(f"adaem-rank: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    problems.extend(result.problems)
    boards = [b for b in result.leaderboards if len(b.comparability.comparable_models) >= 2]
    if not boards:
        print_problems(problems, args.quiet, "leaderboard.json")
        print(
            "adaem-rank: fewer than 2 comparable models (models that answered and were judged on the same "
            f"questions, at least --min-shared {args.min_shared} of them); nothing to rank",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    alignment = None
    if targets is not None:
        try:  # before anything is written: targets of another value system write nothing
            alignment = align_profiles([profiles_from_leaderboard(b) for b in boards], targets, "the logs")
        except InputError as exc:
            print(f"adaem-rank: {exc}", file=sys.stderr)
            return EXIT_REFUSED

    try:
        written = write_outputs(
            args.out,
            boards,
            config,
            problems,
            by_category=result.by_category,
            inputs=[str(Path(p)) for p in args.paths],
            png=not args.no_png,
        )
        if alignment is not None:
            written |= write_alignment_outputs(
                alignment, args.out, not args.no_png, [str(Path(p)) for p in args.paths]
            )
    except OSError as exc:  # the place was checked when parsing; a disk can still fill up
        print(f"adaem-rank: cannot write to {str(args.out)!r}: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    report = None if args.no_report else _write_report(args, boards, config, problems, result, alignment)
    if report is not None:
        written["report"] = report
    if not args.quiet:
        for board in boards:
            print(format_table(board))
            print()
        for board in result.by_category:
            print(format_table(board))
            print()
        if alignment is not None:
            print(format_alignment(alignment))
            print()
    print_problems(problems, args.quiet, "leaderboard.json")
    print("wrote " + ", ".join(str(p) for p in written.values()))
    if report is None and not args.no_report:
        return EXIT_REFUSED
    not_compared, primed_only = _not_comparable_summary(result), _primed_only_summary(problems)
    summary = "; ".join(s for s in (not_compared, primed_only) if s)
    if summary:
        if not args.drop_incomparable:
            remedies = []
            if not_compared:
                remedies.append("re-run those models on the same questions or lower --min-shared knowingly")
            if primed_only:
                remedies.append("add the models' unprimed runs or pass --rank-primed")
            print(
                f"adaem-rank: {summary}. The others are ranked without them; exit status "
                f"{EXIT_NOT_COMPARABLE}. To change that, {'; or '.join(remedies)}; or pass "
                "--drop-incomparable to accept this leaderboard.",
                file=sys.stderr,
            )
            return EXIT_NOT_COMPARABLE
        print(f"adaem-rank: {summary}; dropped from the ranking (--drop-incomparable)", file=sys.stderr)
    return EXIT_STRICT if args.strict and problems else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
