"""Log readers: Inspect logs and lm-eval --log_samples output, and everything that goes wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelOutput, ModelUsage, get_model

from adaem_tasks.rating.inspect_logs import read_inspect_log, task_value_system
from adaem_tasks.rating.lmeval_logs import read_lmeval_samples
from adaem_tasks.rating.sources import load_records

from .synth import by_model, planted_records, write_inspect_log, write_lmeval_run


@pytest.mark.parametrize("suffix", [".eval", ".json"])
def test_inspect_round_trip(tmp_path: Path, suffix: str) -> None:
    records = planted_records(n_models=1, n_questions=20, invalid_rate=0.25, seed=5)
    path = write_inspect_log(tmp_path / f"log{suffix}", records, errored=["q0003"])
    got, problems = read_inspect_log(path)
    assert len(got) == 19  # the errored sample is unanswered
    expected = {r.question_id: r for r in records}
    for record in got:
        assert record.model == "model-0"
        assert record.labels == expected[record.question_id].labels
        assert record.valid == expected[record.question_id].valid
        assert record.set_version == "test-v1" and record.value_system == "schwartz"
        assert record.judge == "mockllm/judge"
    kinds = {p.kind for p in problems}
    assert {"sample_error", "not_judgeable"} <= kinds
    invalid = sum(not r.valid for r in got)
    assert next(p for p in problems if p.kind == "not_judgeable").count == invalid > 0


def test_foreign_and_corrupt_inspect_logs_are_reported(tmp_path: Path) -> None:
    records = planted_records(n_models=1, n_questions=5)
    foreign = write_inspect_log(tmp_path / "foreign.eval", records, task="inspect_evals/gsm8k")
    got, problems = read_inspect_log(foreign)
    assert got == [] and [p.kind for p in problems] == ["foreign_task"]
    assert "inspect_evals/gsm8k" in problems[0].message

    corrupt = tmp_path / "corrupt.eval"
    corrupt.write_bytes(b"PK\x03\x04 this is not a zip file")
    got, problems = read_inspect_log(corrupt)
    assert got == [] and [p.kind for p in problems] == ["unreadable"]

    truncated = tmp_path / "truncated.json"
    good = write_inspect_log(tmp_path / "good.json", records)
    truncated.write_text(good.read_text()[:200])
    got, problems = read_inspect_log(truncated)
    assert got == [] and problems[0].kind == "unreadable"


def test_task_names() -> None:
    assert task_value_system("adaem_tasks/schwartz") == "schwartz"
    assert task_value_system("adaem_tasks/mft") == "mft"
    assert task_value_system("schwartz", ["value_judge"]) == "schwartz"
    assert task_value_system("schwartz", ["match"]) is None
    assert task_value_system("other/schwartz") is None
    assert task_value_system("inspect_evals/gsm8k") is None


def test_incomplete_run_is_reported_but_used(tmp_path: Path) -> None:
    records = planted_records(n_models=1, n_questions=6)
    got, problems = read_inspect_log(write_inspect_log(tmp_path / "x.eval", records, status="cancelled"))
    assert len(got) == 6
    assert "incomplete_run" in {p.kind for p in problems}


@pytest.mark.parametrize("system", ["schwartz", "mft"])
def test_lmeval_round_trip(tmp_path: Path, system: str) -> None:
    records = planted_records(
        n_models=1, n_questions=15, invalid_rate=0.3, seed=2, prefix="org/model", value_system=system
    )
    samples = write_lmeval_run(tmp_path, records, task=f"adaem_{system}")
    assert samples.parent.name == "org__model-0"
    got, problems = read_lmeval_samples(samples)
    assert {r.model for r in got} == {"org/model-0"}  # from results json, not the sanitized dir name
    assert {r.value_system for r in got} == {system}
    expected = {r.question_id: r for r in records}
    for record in got:
        assert record.valid == expected[record.question_id].valid
        if record.valid:
            assert record.labels == expected[record.question_id].labels
    assert [p.kind for p in problems] == ["not_judgeable"]


def test_lmeval_without_results_and_with_bad_lines(tmp_path: Path) -> None:
    records = planted_records(n_models=1, n_questions=4)
    samples = write_lmeval_run(tmp_path, records, with_results=False)
    with samples.open("a") as handle:
        handle.write("{not json\n")
        handle.write(json.dumps({"doc": {"id": "x"}}) + "\n")
    got, problems = read_lmeval_samples(samples)
    assert len(got) == 4 and got[0].model == "model-0"
    kinds = [p.kind for p in problems]
    assert kinds.count("bad_record") == 2  # missing results file, 2 bad lines
    assert any("2 lines" in p.message for p in problems)


def test_lmeval_foreign_task(tmp_path: Path) -> None:
    records = planted_records(n_models=1, n_questions=3)
    samples = write_lmeval_run(tmp_path, records, task="hellaswag")
    got, problems = read_lmeval_samples(samples)
    assert got == [] and problems[0].kind == "foreign_task"


def test_directory_discovery_mixes_formats(tmp_path: Path) -> None:
    records = planted_records(n_models=3, n_questions=10)
    groups = list(by_model(records).values())
    write_inspect_log(tmp_path / "inspect" / "a.eval", groups[0])
    write_inspect_log(tmp_path / "inspect" / "b.json", groups[1])
    write_lmeval_run(tmp_path / "lm", groups[2])
    (tmp_path / "inspect" / "logs.json").write_text("{}")  # Inspect's listing file: not a log
    (tmp_path / "inspect" / "eval-set.json").write_text("{}")  # eval_set's manifest: not a log either
    (tmp_path / "notes.txt").write_text("hello")
    got, problems = load_records([tmp_path])
    assert {r.model for r in got} == {"model-0", "model-1", "model-2"}
    assert len(got) == 30 and problems == []
    got, problems = load_records([tmp_path / "missing", tmp_path / "notes.txt"])
    assert got == [] and {p.kind for p in problems} == {"unknown_file"}


def _output(text: str) -> ModelOutput:
    out = ModelOutput.from_content(model="mockllm/model", content=text)
    out.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return out


def test_reads_a_real_inspect_run(tmp_path: Path) -> None:
    """A log written by the real task and scorer (mock models) reads back as expected."""
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "q1", "question": "Should cities ban cars?", "category": "Environment", "topic": "cars"}\n'
        '{"id": "q2", "question": "Should homework go?", "category": "Education", "topic": "school"}\n'
    )
    answer = (
        "Stance: yes\nKey Points:\n1. Freedom: people choose.\n2. Safety: fewer crashes.\n3. Cost: cheaper."
    )
    examinee = get_model(
        "mockllm/model", custom_outputs=[_output(answer), _output("I'm sorry, I can't help.")]
    )
    grader = get_model("mockllm/model", custom_outputs=[_output("Yes") for _ in range(40)])
    [log] = inspect_eval(
        "adaem_tasks/schwartz",
        model=examinee,
        model_roles={"grader": grader},
        task_args={"questions": str(questions)},
        log_dir=str(tmp_path / "logs"),
        display="none",
        max_samples=1,
    )
    assert log.status == "success"
    got, problems = read_inspect_log(Path(log.location))
    by_id = {r.question_id: r for r in got}
    assert by_id["q1"].valid and set(by_id["q1"].labels.values()) == {1}
    assert not by_id["q2"].valid and by_id["q2"].outcome == "refusal"
    assert by_id["q1"].set_version.startswith("file:q@")
    assert by_id["q1"].category == "Environment"
    # the task records the set's content hash, and the reader keeps it on every record
    from adaem_tasks.questions import content_hash, load_question_file

    assert {r.content_hash for r in got} == {content_hash(load_question_file(questions))}
    assert [p.kind for p in problems] == ["not_judgeable"]


@pytest.mark.parametrize("content_hash", ["sha256:abc", None])
def test_content_hash_round_trip(tmp_path: Path, content_hash: str | None) -> None:
    """Both formats carry the set content hash; logs written before it existed read back as None."""
    records = planted_records(n_models=1, n_questions=4, content_hash=content_hash)
    for got, _ in (
        read_inspect_log(write_inspect_log(tmp_path / "log.eval", records)),
        read_lmeval_samples(write_lmeval_run(tmp_path / "lm", records)),
    ):
        assert len(got) == 4 and {r.content_hash for r in got} == {content_hash}


def test_lmeval_docs_carry_the_hash_of_the_questions_loaded() -> None:
    from adaem_tasks.questions import content_hash, load_question_set
    from adaem_tasks.task_configs.lm_eval_bridge import DOC_FIELDS, question_docs

    qset = load_question_set("seed-v1")
    docs = question_docs("schwartz", qset)
    assert all(tuple(doc) == DOC_FIELDS for doc in docs)
    assert {doc["set_content_hash"] for doc in docs} == {content_hash(qset.questions)}
    assert docs[0]["set_content_hash"] == qset.manifest.content_hash  # the shipped set is intact
