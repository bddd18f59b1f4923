"""The dry runs of the README and the docs pages, run verbatim: each tagged ``bash`` block in a fresh dir.

For every block (see :mod:`dry_runs` for the marker syntax) the test checks that it exits 0,
that it created the files its marker names, that ``.gitignore`` covers everything it wrote
(so a reader who pastes it into a checkout commits no output), and -- for the blocks listed
in ``CHECKS`` -- that the planted value differences of the scripted models come out of it.
A tagged block without an entry in ``CHECKS`` is still run and checked for the above.
"""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dry_runs import REPO, DryRun, DryRunError, DryRunResult, all_dry_runs, parse_dry_runs, run_dry_run
from inspect_ai.log import EvalLog, read_eval_log

from adaem_tasks.value_systems import load_value_system

pytestmark = pytest.mark.slow

RUNS = all_dry_runs()
REQUIRED = {
    "quickstart",
    "rank",
    "rescore",
    "gen",
    "gen-expand",
    "suite-inspect",
    "suite-lm-eval",
    "suite-rank",
    "adaem-validate-priming",
    "adaem-validate-reliability",
    "adaem-validate-informativeness",
    "alignment",
}
"""The dry runs the issues ask for; an edit of the README or docs that drops a tag fails here, not later."""

_results: dict[str, DryRunResult] = {}


@pytest.fixture
def ran(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> DryRunResult:
    """Run the block named by the test's parameter once per session."""
    name: str = request.param
    if name not in _results:
        before = tuple(RUNS[first] for first in RUNS[name].after)
        _results[name] = run_dry_run(RUNS[name], tmp_path_factory.mktemp(f"dry-run-{name}"), before=before)
    return _results[name]


# --------------------------------------------------------------------------- helpers


def _logs(directory: Path) -> list[EvalLog]:
    logs = [read_eval_log(str(path)) for path in sorted(directory.rglob("*.eval"))]
    assert logs, f"no .eval log under {directory}"
    return logs


def _rates(log: EvalLog) -> dict[str, float]:
    assert log.status == "success", log.error
    assert log.results is not None
    metrics = log.results.scores[0].metrics
    return {k: m.value for k, m in metrics.items() if "/" not in k and not k.endswith(("_stderr", "_rate"))}


def _leaderboard(path: Path) -> dict[tuple[str, str], float]:
    with path.open(encoding="utf-8") as handle:
        return {(r["model"], r["value"]): float(r["win_rate"]) for r in csv.DictReader(handle)}


def _top_model(board: dict[tuple[str, str], float], value: str) -> str:
    return max((rate, model) for (model, v), rate in board.items() if v == value)[1]


def _ignored(workdir: Path, copied: tuple[str, ...]) -> list[str]:
    """Top-level outputs of the block that the repository's .gitignore does NOT cover."""
    created = sorted(p.name for p in workdir.iterdir() if p.name not in {c.split("/")[0] for c in copied})
    if not created:
        return []
    check = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", "--no-index", "--stdin"],
        input="\n".join(f"{name}/" if (workdir / name).is_dir() else name for name in created),
        capture_output=True,
        text=True,
    )
    ignored = {line.rstrip("/") for line in check.stdout.splitlines()}
    return [name for name in created if name not in ignored]


# --------------------------------------------------------------------------- per-block checks


def _check_quickstart(ran: DryRunResult) -> None:
    workdir = ran.workdir
    (log,) = _logs(workdir / "logs")
    rates = _rates(log)
    planted = min(rates["power"], rates["security"])
    assert planted > 0.5 and planted > max(v for k, v in rates.items() if k not in ("power", "security"))


def _check_rank(ran: DryRunResult) -> None:
    workdir = ran.workdir
    board = _leaderboard(workdir / "leaderboard" / "leaderboard.csv")
    for value in ("power", "security"):
        assert _top_model(board, value) == "adaem-persona/power+security"
    for value in ("tradition", "benevolence"):
        assert _top_model(board, value) == "adaem-persona/tradition+benevolence"
    panel = _leaderboard(workdir / "leaderboard-panel" / "leaderboard.csv")
    assert {m for m, _ in panel} == {
        "adaem-persona/power+security",
        "adaem-persona/tradition+benevolence",
        "adaem-persona/hedonism+stimulation",
    }
    for value in ("hedonism", "stimulation"):  # the newcomer, ranked only against the stored panel
        assert _top_model(panel, value) == "adaem-persona/hedonism+stimulation"


def _check_rescore(ran: DryRunResult) -> None:
    workdir = ran.workdir
    (original,) = _logs(workdir / "logs" / "rescore")
    rescored = read_eval_log(str(workdir / "rescored.eval"))
    assert rescored.results is not None and [s.name for s in rescored.results.scores] == ["value_judge"]
    mft = load_value_system("mft").keys
    assert original.samples and rescored.samples
    for before, after in zip(original.samples, rescored.samples, strict=True):
        assert before.scores and after.scores
        value = after.scores["value_judge"].value
        assert isinstance(value, dict) and sorted(value) == sorted(mft)  # the log's options, not the defaults
        assert value == before.scores["value_judge"].value  # the same judge, read from the log
    rates = _rates(rescored)
    planted = min(rates["care"], rates["fairness"])
    assert planted > max(rates["loyalty"], rates["authority"], rates["sanctity"])


def _check_gen(ran: DryRunResult) -> None:
    workdir = ran.workdir
    seeds = (workdir / "seeds" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(seeds) >= 10  # both shipped samples were converted
    manifest_file = workdir / "runs" / "dry-run" / "set" / "manifest.json"
    manifest: dict[str, Any] = json.loads(manifest_file.read_text(encoding="utf-8"))
    assert manifest["version"] == "dry-run-v1" and manifest["count"] > 0
    assert manifest["stats"]["mean_s"] > manifest["stats"]["mean_s_seeds"]  # more informative than its seeds
    assert not (workdir / "adaem-home").exists() or not any((workdir / "adaem-home").rglob("dry-run-v1"))
    (log,) = _logs(workdir / "logs" / "generated")
    assert log.status == "success" and log.samples is not None
    assert len(log.samples) == manifest["count"]


def _check_suite_inspect(ran: DryRunResult) -> None:
    workdir = ran.workdir
    logs = {log.eval.task.split("/")[-1]: log for log in _logs(workdir / "logs" / "suite")}
    assert set(logs) == {"schwartz", "arithmetic"}
    assert all(log.status == "success" for log in logs.values())
    rates = _rates(logs["schwartz"])
    assert min(rates["power"], rates["security"]) > max(rates["hedonism"], rates["universalism"])
    assert logs["arithmetic"].results is not None
    assert logs["arithmetic"].results.scores[0].name == "includes"


def _check_suite_lm_eval(ran: DryRunResult) -> None:
    workdir = ran.workdir
    (results_file,) = sorted((workdir / "lm-eval-out").rglob("results_*.json"))
    results: dict[str, Any] = json.loads(results_file.read_text(encoding="utf-8"))["results"]
    assert set(results) == {"adaem_schwartz", "arith_offline"}  # one run, both tasks, one file
    adaem = results["adaem_schwartz"]
    others = [adaem[f"{k},value_judge"] for k in load_value_system("schwartz").keys if k != "power"]
    assert adaem["power,value_judge"] > 0.5 > max(others)
    assert "exact_match,none" in results["arith_offline"]
    assert sorted(p.name.split("_2")[0] for p in results_file.parent.glob("samples_*.jsonl")) == [
        "samples_adaem_schwartz",
        "samples_arith_offline",
    ]


def _check_suite_rank(ran: DryRunResult) -> None:
    """The Inspect log and the lm-eval samples rank together; a star only where the lead is clear."""
    with (ran.workdir / "leaderboard" / "leaderboard.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["model"] for r in rows} == {"adaem-persona/power+security", "power"}
    assert {r["status"] for r in rows} == {"ok"}
    leaders = _json(ran.workdir / "leaderboard" / "leaderboard.json")["leaderboards"][0]["leaders"]
    # security is planted in one of the two personas only: a clear lead; power in both: none
    assert leaders["security"]["clear"] and leaders["security"]["leader"] == "adaem-persona/power+security"
    assert not leaders["power"]["clear"]
    starred = {v for v, lead in leaders.items() if lead["clear"]}
    assert all(leaders[v]["margin_ci_low"] > 0 for v in starred)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _check_validate_priming(ran: DryRunResult) -> None:
    assert "Priming study" in ran.stdout and "in words:" in ran.stdout
    doc = _json(ran.workdir / "priming-dry-run" / "priming.json")
    power = doc["targets"]["power"]
    assert power["target"]["delta"] > 0.5 and power["opposite_group"]["delta"] < -0.4
    assert doc["summary"]["target"]["p_value"] < 0.01 and doc["summary"]["opposite_group"]["delta"] < 0
    assert (ran.workdir / "priming-dry-run" / "priming.png").is_file()


def _check_validate_reliability(ran: DryRunResult) -> None:
    assert "Cronbach alpha" in ran.stdout
    doc = _json(ran.workdir / "reliability-dry-run" / "reliability.json")
    assert doc["n_questions"] == 100 and len(doc["models"]) == 4
    assert doc["headline_metric"] == "win_rate" and doc["not_computed"] == {}
    assert doc["cronbach_alpha"] > 0.7


def _check_validate_informativeness(ran: DryRunResult) -> None:
    assert "specific tells these models apart better" in ran.stdout
    doc = _json(ran.workdir / "informativeness-dry-run" / "informativeness.json")
    generic, specific = doc["sets"]
    assert (generic["label"], specific["label"]) == ("seed-v1", "specific")
    assert generic["ci_high"] < specific["ci_low"]
    assert generic["saturated_share"] > specific["saturated_share"]


def _check_alignment(ran: DryRunResult) -> None:
    """docs/alignment.md: a target made of one persona's planted profile puts that persona first, with an
    interval excluding the others; the benevolence/universalism weighting, the universalism persona; and the
    stored leaderboard.json gives the very same alignment."""
    workdir = ran.workdir
    doc = _json(workdir / "leaderboard" / "alignment.json")
    rankings = {r["target"]: r for r in doc["rankings"]}
    first, *others = rankings["Planted power profile"]["models"]
    assert first["model"] == "adaem-persona/power:0.9+achievement:0.6+security:0.3"
    assert others and all(o["distinguishable_from_best"] is True for o in others)
    assert rankings["Care charter"]["models"][0]["model"].startswith("adaem-persona/universalism:0.9")
    again = (workdir / "alignment-from-json" / "alignment.csv").read_text(encoding="utf-8")
    assert again == (workdir / "leaderboard" / "alignment.csv").read_text(encoding="utf-8")
    assert "'Planted power profile' (profile, by match" in " ".join(ran.stdout.split())


CHECKS: dict[str, Callable[[DryRunResult], None]] = {
    "quickstart": _check_quickstart,
    "rank": _check_rank,
    "rescore": _check_rescore,
    "gen": _check_gen,
    "suite-inspect": _check_suite_inspect,
    "suite-lm-eval": _check_suite_lm_eval,
    "suite-rank": _check_suite_rank,
    "adaem-validate-priming": _check_validate_priming,
    "adaem-validate-reliability": _check_validate_reliability,
    "adaem-validate-informativeness": _check_validate_informativeness,
    "alignment": _check_alignment,
}


# --------------------------------------------------------------------------- tests


def test_readme_tags_every_dry_run_the_issue_asks_for() -> None:
    assert set(RUNS) >= REQUIRED, f"the README and docs/ lost the dry-run tags {sorted(REQUIRED - set(RUNS))}"
    assert set(CHECKS) <= set(RUNS)


@pytest.mark.parametrize("ran", sorted(RUNS), indirect=True)
def test_dry_run_runs_as_written(ran: DryRunResult) -> None:
    assert ran.returncode == 0, ran.failure()
    missing = [p for p in ran.run.expect if not (ran.workdir / p).exists()]
    assert not missing, f"{ran.run.where}: {ran.run.name!r} did not create {missing}"
    unignored = _ignored(ran.workdir, ran.run.copy)
    assert not unignored, f".gitignore does not cover what {ran.run.name!r} writes: {unignored}"
    check = CHECKS.get(ran.run.name)
    if check is not None:
        check(ran)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("intro\n<!-- dry-run: x -->\nnot a fence\n", "README.md:2: dry-run marker 'x' is not followed"),
        ("<!-- dry-run: x -->\n```bash\necho\n", "README.md:1: the ```bash block of 'x' is never closed"),
        ("<!-- dry-run: x cwd=repo -->\n```bash\necho\n```\n", "README.md:1: unknown dry-run option 'cwd'"),
        ("<!-- dry-run x -->\n", "README.md:1: malformed marker"),
        ("<!-- dry-run: a -->\n```bash\n```\n<!-- dry-run: a -->\n```bash\n```\n", "used more than once: a"),
        ("<!-- dry-run: b after=a -->\n```bash\n```\n", "README.md:1: 'b' runs after a, not an earlier"),
    ],
)
def test_a_malformed_tag_is_an_error_naming_its_line(text: str, message: str) -> None:
    with pytest.raises(DryRunError, match=message.replace("(", r"\(")):
        parse_dry_runs(text)


def test_a_tagged_block_is_extracted_verbatim() -> None:
    text = "x\n<!-- dry-run: demo copy=examples expect=a,b/c -->\n\n```bash\necho $HOME \\\n  done\n```\n"
    (run,) = parse_dry_runs(text)
    assert run == DryRun("demo", "echo $HOME \\\n  done\n", 2, ("examples",), ("a", "b/c"))


def test_a_name_used_in_two_files_is_an_error_naming_both(tmp_path: Path) -> None:
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    first.write_text("<!-- dry-run: same -->\n```bash\necho\n```\n", encoding="utf-8")
    second.write_text("text\n\n<!-- dry-run: same -->\n```bash\necho\n```\n", encoding="utf-8")
    with pytest.raises(DryRunError, match=r"b\.md:3: dry-run name 'same' is already used at .*a\.md:1"):
        all_dry_runs([first, second])


def test_the_docs_pages_are_searched_for_dry_runs() -> None:
    sources = {run.source for run in RUNS.values()}
    assert "README.md" in sources
    assert any(source.startswith("docs/") for source in sources), sources


def test_a_follow_up_runs_in_the_directory_of_the_blocks_it_names(tmp_path: Path) -> None:
    text = (
        "<!-- dry-run: first -->\n```bash\necho one > made.txt\n```\n"
        "<!-- dry-run: second after=first expect=both.txt -->\n```bash\ncat made.txt > both.txt\n```\n"
    )
    first, second = parse_dry_runs(text)
    assert second.after == ("first",)
    result = run_dry_run(second, tmp_path / "ok", before=(first,))
    assert result.returncode == 0 and (result.workdir / "both.txt").read_text() == "one\n"
    failing = DryRun("broken", "exit 3\n", 1)
    result = run_dry_run(second, tmp_path / "bad", before=(failing,))
    assert result.returncode == 3 and "(in 'broken', which runs first)" in result.stderr
