"""Configuration precedence, resume rules, and the stats / seeds subcommands' wiring."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from adaem_gen import cli
from adaem_gen.config import ConfigError, RunConfig, config_differences, load_yaml_config
from adaem_gen.run.journal import Journal

from .fakes import FakeEmbedder


def _ns(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["run", *argv])


def test_defaults_are_the_papers() -> None:
    config = RunConfig()
    assert (config.epsilon, config.top_k, config.tau, config.max_depth, config.n_shot, config.n2) == (
        0.85,
        3,
        0.5,
        3,
        5,
        3,
    )
    assert (config.temperature, config.top_p, config.points) == (1.0, 0.95, 3)
    assert config.seeds == "seed-v1"
    assert config.jaccard == "max"  # chosen by measurement (docs/generator.md), not printed in C.3


def test_yaml_then_flags(tmp_path: Path) -> None:
    yaml_file = tmp_path / "run.yaml"
    yaml_file.write_text(
        "p1: openai/a, openai/b\njudge: openai/j\nbudget: 7\ntop-k: 5\nout: " + str(tmp_path / "o") + "\n",
        encoding="utf-8",
    )
    config = cli.resolve_run_config(_ns("--config", str(yaml_file), "--budget", "9", "--p2", "x/y,x/z"))
    assert config.p1 == ["openai/a", "openai/b"]
    assert config.p2 == ["x/y", "x/z"]
    assert config.budget == 9  # the flag wins
    assert config.top_k == 5  # from YAML, dashes accepted
    assert config.tau == 0.5  # default
    config.require_runnable()


def test_bad_settings_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("budgett: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="budgett"):
        load_yaml_config(bad)
    with pytest.raises(SystemExit):  # argparse refuses it where it is typed
        _ns("--budget", "0")
    bad.write_text("budget: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="budget: Input should be greater than or equal to 1"):
        cli.resolve_run_config(_ns("--config", str(bad)))
    with pytest.raises(ConfigError, match="--p1, --judge, --out"):
        RunConfig().require_runnable()
    assert cli.main(["run", "--p1", "a/b", "--judge", "a/j"]) == 2  # no --out: exit code 2


def test_resume_starts_from_the_journaled_config(tmp_path: Path) -> None:
    out = tmp_path / "run"
    recorded = RunConfig(p1=["m/a"], judge="m/j", out=str(out), budget=5, tau=0.7)
    journal = Journal(out / "journal.jsonl")
    journal.append({"type": "header", "config": recorded.model_dump(mode="json")})
    journal.close()
    config = cli.resolve_run_config(_ns("--out", str(out), "--resume", "--budget", "8"))
    assert config.tau == 0.7 and config.p1 == ["m/a"] and config.budget == 8
    assert config_differences(recorded, config) == []
    changed = cli.resolve_run_config(_ns("--out", str(out), "--resume", "--n2", "1"))
    assert config_differences(recorded, changed) == ["n2: 3 -> 1"]


def test_parallel_is_part_of_the_search_and_old_journals_ran_sequentially(tmp_path: Path) -> None:
    out = tmp_path / "run"
    recorded = RunConfig(p1=["m/a"], judge="m/j", out=str(out), budget=5).model_dump(mode="json")
    del recorded["parallel"]  # a journal written before --parallel existed
    journal = Journal(out / "journal.jsonl")
    journal.append({"type": "header", "config": recorded})
    journal.close()
    assert RunConfig().parallel == 8
    config = cli.resolve_run_config(_ns("--out", str(out), "--resume"))
    assert config.parallel == 1  # it ran one pull at a time, and so it continues
    faster = cli.resolve_run_config(_ns("--out", str(out), "--resume", "--parallel", "4"))
    assert config_differences(RunConfig.model_validate({**recorded, "parallel": 1}), faster) == [
        "parallel: 1 -> 4"  # refused on resume: the interrupted pulls would be planned differently
    ]


@pytest.fixture
def fake_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    import adaem_gen.sets.dedup
    import adaem_gen.sets.stats

    fake = FakeEmbedder()
    monkeypatch.setattr(adaem_gen.sets.stats, "default_embedder", lambda: fake)
    monkeypatch.setattr(adaem_gen.sets.dedup, "default_embedder", lambda: fake)


def _set_file(path: Path, questions: list[str]) -> Path:
    path.write_text(
        "".join(
            json.dumps({"id": f"q{i}", "question": q, "category": "c", "topic": "t"}) + "\n"
            for i, q in enumerate(questions)
        ),
        encoding="utf-8",
    )
    return path


def test_stats_prints_table1_and_novelty(
    tmp_path: Path, fake_embeddings: None, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _set_file(
        tmp_path / "a.jsonl", ["Should zoos be closed?", "Is voting a duty?", "Should cars be banned?"]
    )
    b = _set_file(
        tmp_path / "b.jsonl", ["Should zoos in Norway be closed since 2019?", "Is homework useful?"]
    )
    assert cli.main(["stats", str(a), str(b)]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split()[:6] == ["Set", "#q", "Avg.L", "SB", "Dist-2", "Sim"]
    assert "AvgSim(other)" in table and "file:a@" in table and "file:b@" in table
    assert cli.main(["stats", str(a), "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["n_questions"] == 3 and row["avg_len"] == pytest.approx(12 / 3)
    assert "avg_similarity" not in row  # a single set has no "other"


def test_seeds_converts_touche_arguments(
    tmp_path: Path, fake_embeddings: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADAEM_HOME", str(tmp_path / "home"))
    tsv = tmp_path / "arguments-training.tsv"
    tsv.write_text(
        "Argument ID\tConclusion\tStance\tPremise\n"
        "A1\tPayday loans should be banned\tin favor of\tThey trap the poor.\n"
        "A2\tPayday loans should be banned\tagainst\tPeople need credit.\n"
        "A3\tWe should abolish the death penalty\tin favor of\tIt is irreversible.\n",
        encoding="utf-8",
    )
    out = tmp_path / "seedset"
    assert cli.main(["seeds", str(tsv), "--out", str(out), "--version", "my-seeds", "--publish"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["version"] == "my-seeds" and summary["count"] == 2
    from adaem_tasks.questions import load_question_set

    qset = load_question_set(version="my-seeds")
    assert qset.manifest.kind == "seed"
    assert all(q.question.endswith("?") for q in qset.questions)
