"""adaem-rank's report.html: the cases it picks, the evidence it shows, its options and failures.

The browser tests (Chromium) are in ``tests/readme/test_report_browser.py`` (the README's
dry run) and ``test_report_injection.py``; here the HTML is read with BeautifulSoup.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bs4 import BeautifulSoup, Tag
from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log

from adaem_tasks.rating import RankConfig, ValueRecord, load_records, rank_records
from adaem_tasks.rating.cli import main as adaem_rank
from adaem_tasks.rating.html import _render as render_module
from adaem_tasks.rating.html import (
    heatmap,
    read_answers,
    render_report,
    select_cases,
    write_report,
)
from adaem_tasks.rating.html._figures import radar
from adaem_tasks.rating.html._inspect_answers import inspect_answers, read_epoch
from adaem_tasks.task_configs.lm_eval_bridge import AnswerVerdict
from adaem_tasks.value_systems import load_value_system

from .synth import by_model, planted_records, write_inspect_log

SCHWARTZ = load_value_system("schwartz")
PERSONAS = ("power+security", "tradition+benevolence", "hedonism")


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _value_section(soup: BeautifulSoup, name: str) -> Tag:
    for section in soup.select("section.value"):
        heading = section.find("h3")
        if heading is not None and heading.get_text(strip=True) == name:
            return section
    raise AssertionError(f"no value section {name!r}")


def _case_rows(case: Tag) -> dict[str, Tag]:
    return {_text(row.th): row for row in case.select("table.case-table tr")}  # type: ignore[arg-type]


# --------------------------------------------------------------------------- real runs


@pytest.fixture(scope="module")
def persona_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three planted personas answer 30 seed questions through the real task, keyword judge."""
    root = tmp_path_factory.mktemp("persona-logs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INSPECT_CACHE_DIR", str(root / "cache"))
        runs = inspect_eval(
            "adaem_tasks/schwartz",
            model=[f"adaem-persona/{p}" for p in PERSONAS],
            model_roles={"grader": "adaem-judge/keyword"},
            task_args={"judge_mode": "batched"},
            limit=30,
            log_dir=str(root / "logs"),
            display="none",
        )
    assert [r.status for r in runs] == ["success"] * len(PERSONAS)
    return root / "logs"


@pytest.fixture(scope="module")
def ranked(persona_logs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("board")
    assert adaem_rank([str(persona_logs), "--out", str(out), "--replicates", "20", "--quiet"]) == 0
    return out


@pytest.mark.slow
def test_the_report_shows_the_planted_values_with_their_key_points(ranked: Path) -> None:
    soup = _soup(ranked / "report.html")
    power = SCHWARTZ.value("power")
    section = _value_section(soup, power.name)
    cases = section.select("article.case")
    assert 1 <= len(cases) <= 10
    planted = "adaem-persona/power+security"
    for case in cases:
        rows = _case_rows(case)
        assert set(rows) == {f"adaem-persona/{p}" for p in PERSONAS}
        labels = {model: _text(row.select_one("span.badge")) for model, row in rows.items()}  # type: ignore[arg-type]
        assert "expressed" in labels.values() and "not expressed" in labels.values()  # it splits them
        for model, row in rows.items():
            points = row.select("ol.points li")
            assert points, f"{model}: no key points shown"
            marked = [p for p in points if p.select_one("mark.expresses")]
            # the keyword judge says Yes exactly where the point carries the value's marker phrase
            assert [power.definition in _text(p) for p in points] == [p in marked for p in points]
            assert (labels[model] == "expressed") == bool(marked)
    expressed = [c for c in cases if _text(_case_rows(c)[planted].select_one("span.badge")) == "expressed"]  # type: ignore[arg-type]
    assert len(expressed) >= len(cases) - 1  # the persona that owns Power expresses it on the split questions
    heat = soup.select_one("section.overview table.heatmap")
    assert heat is not None
    column = [_text(th) for th in heat.select("thead th")].index(power.name)
    for row in heat.select("tbody tr"):
        cell = row.select("td")[column - 1]
        if _text(row.th) == planted:  # type: ignore[arg-type]
            assert "#1" in _text(cell) and "leader" in cell["class"]
        assert cell.select_one("span.ci") is not None  # the interval is written, not only a tooltip


@pytest.mark.slow
def test_cases_show_what_the_log_holds(ranked: Path, persona_logs: Path) -> None:
    soup = _soup(ranked / "report.html")
    logs = {
        log.eval.model: log for log in (read_eval_log(str(p)) for p in sorted(persona_logs.glob("*.eval")))
    }
    question_ids = {_text(code) for code in soup.select("article.question p.meta code")}
    assert question_ids
    for article in soup.select("article.question"):
        question_id = _text(article.select_one("p.meta code"))  # type: ignore[arg-type]
        for details in article.select("details"):
            assert "open" not in details.attrs  # collapsed by default
            model = _text(details.summary.strong)  # type: ignore[union-attr]
            sample = next(s for s in logs[model].samples or [] if str(s.id) == question_id)
            assert details.select_one("pre.answer").get_text() == sample.output.completion  # type: ignore[union-attr]
            assert article.h3.get_text() == sample.input  # type: ignore[union-attr]
            stance = sample.scores["value_judge"].metadata["stance"]  # type: ignore[index]
            assert _text(details.summary) == f"{model} : {stance}"  # type: ignore[arg-type]
    facts = _text(soup.select_one("dl.facts"))  # type: ignore[arg-type]
    digest = next(iter(logs.values())).eval.metadata["set_content_hash"]  # type: ignore[index]
    assert "Question set seed-v1" in facts and digest in facts and "adaem-judge/keyword" in facts


@pytest.mark.slow
def test_report_options(persona_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = [str(persona_logs), "--replicates", "0", "--quiet", "--no-png"]
    assert adaem_rank([*base, "--out", str(tmp_path / "a"), "--no-report"]) == 0
    assert not (tmp_path / "a" / "report.html").exists()
    elsewhere = tmp_path / "reports" / "nested" / "values.html"
    assert adaem_rank([*base, "--out", str(tmp_path / "b"), "--report", str(elsewhere)]) == 0
    assert elsewhere.is_file() and not (tmp_path / "b" / "report.html").exists()
    assert adaem_rank([*base, "--out", str(tmp_path / "c"), "--report-cases", "1"]) == 0
    soup = _soup(tmp_path / "c" / "report.html")
    assert max(len(s.select("article.case")) for s in soup.select("section.value")) == 1
    assert adaem_rank([*base, "--out", str(tmp_path / "d"), "--report-cases", "0"]) == 0
    no_cases = _soup(tmp_path / "d" / "report.html")
    assert not no_cases.select("article.case")
    method = _text(no_cases.select_one("#method"))  # type: ignore[arg-type]
    assert "No questions are shown ( --report-cases 0 )" in method and "at most 0" not in method
    capsys.readouterr()
    for bad in (["--report-cases", "-1"], ["--report-cases", "2.5"], ["--report", "x.html", "--no-report"]):
        with pytest.raises(SystemExit) as exit_info:
            adaem_rank([*base, "--out", str(tmp_path / "e"), *bad])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("adaem-rank: error:")


@pytest.mark.slow
def test_an_unwritable_report_path_is_refused_before_any_work(
    persona_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        adaem_rank([str(persona_logs), "--out", str(tmp_path / "out"), "--replicates", "0", "--quiet",
                    "--report", str(blocker / "report.html")])  # fmt: skip
    assert exit_info.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "argument --report: cannot create" in err and "is a file, not a directory" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()  # refused before anything ran


def test_a_report_that_cannot_be_written_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The disk fills up after the leaderboard was written: one line, exit 2, the other outputs kept."""
    records = planted_records(n_models=2, n_questions=30, seed=5)
    for model, group in by_model(records).items():
        write_inspect_log(tmp_path / "logs" / f"{model}.eval", group)

    def disk_full(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render_module.os, "replace", disk_full)
    code = adaem_rank([str(tmp_path / "logs"), "--out", str(tmp_path / "out"), "--replicates", "0", "--quiet",
                       "--min-shared", "5", "--no-cache"])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert f"adaem-rank: cannot write the report {tmp_path / 'out' / 'report.html'}" in " ".join(err.split())
    assert "Traceback" not in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "leaderboard.csv", "leaderboard.json", "leaderboard.png"
    ]  # fmt: skip


# --------------------------------------------------------------------------- synthetic logs


def _records(
    rows: dict[str, list[dict[str, int | None]]], valid: dict[str, list[bool]] | None = None
) -> list[ValueRecord]:
    """One record per (model, question); ``rows[model][q]`` overrides some labels (others 0)."""
    records = []
    for model, per_question in rows.items():
        for q, labels in enumerate(per_question):
            ok = valid[model][q] if valid else True
            records.append(
                ValueRecord(
                    model=model,
                    question_id=f"q{q:02d}",
                    set_version="test-v1",
                    value_system="schwartz",
                    category="Health",
                    labels={k: labels.get(k, 0) for k in SCHWARTZ.keys},
                    valid=ok,
                    outcome="ok" if ok else "refusal",
                    content_hash="sha256:test",
                )
            )
    return records


def _board(records: list[ValueRecord], min_shared: int = 1) -> Any:
    result = rank_records(records, RankConfig(replicates=0, min_shared=min_shared))
    (board,) = result.leaderboards
    return board


def test_cases_are_the_questions_that_split_the_models_most_evenly() -> None:
    p = "power"
    labels: dict[str, list[dict[str, int | None]]] = {
        #          q00: 2 of 4   q01: 1 of 4  q02: all     q03: none   q04: 1 of 3 known  q05: 2 of 4
        "a": [{p: 1}, {p: 1}, {p: 1}, {p: 0}, {p: 1}, {p: 1}],
        "b": [{p: 1}, {p: 0}, {p: 1}, {p: 0}, {p: None}, {p: 0}],
        "c": [{p: 0}, {p: 0}, {p: 1}, {p: 0}, {p: 0}, {p: 1}],
        "d": [{p: 0}, {p: 0}, {p: 1}, {p: 0}, {p: 0}, {p: 0}],
    }
    board = _board(_records(labels))
    cases = select_cases(board, 10)["power"]
    # 4 pairs split (q00, q05: by id), then 3 (q01), then 2 (q04: the unknown label is not a "no")
    assert [c.question_id for c in cases] == ["q00", "q05", "q01", "q04"]
    assert [c.pairs_split for c in cases] == [4, 4, 3, 2]
    assert cases[3].labels == {"a": "expressed", "b": "unknown", "c": "not_expressed", "d": "not_expressed"}
    assert (cases[3].expressed, cases[3].known) == (1, 3)
    assert [c.question_id for c in select_cases(board, 2)["power"]] == ["q00", "q05"]
    assert select_cases(board, 0)["power"] == []
    assert select_cases(board, 5)["hedonism"] == []  # nobody expressed it: nothing to show


def test_a_model_that_was_not_compared_does_not_count_in_the_split() -> None:
    p = "power"
    n = 6
    labels: dict[str, list[dict[str, int | None]]] = {
        "a": [{p: q % 2} for q in range(n)],
        "b": [{p: 1 - q % 2} for q in range(n)],
        "refuser": [{} for _ in range(n)],
    }
    valid = {"a": [True] * n, "b": [True] * n, "refuser": [False] * n}
    board = _board(_records(labels, valid), min_shared=3)
    cases = select_cases(board, 10)["power"]
    assert len(cases) == n and all(c.pairs_split == 1 for c in cases)
    assert {c.labels["refuser"] for c in cases} == {"not_compared"}


def test_unknown_labels_are_shown_as_unknown(tmp_path: Path) -> None:
    """A judged answer whose Power label the judge left unreadable: 'unknown', never 'not expressed'."""
    records = planted_records(n_models=3, n_questions=30, seed=3)
    blurred = [
        r if not (r.model == "model-2" and r.question_id in {"q0000", "q0001"})
        else ValueRecord(**{**r.to_json(), "labels": {**r.labels, "self_direction": None}})
        for r in records
    ]  # fmt: skip
    for model, group in by_model(blurred).items():
        write_inspect_log(tmp_path / "logs" / f"{model}.eval", group)
    code = adaem_rank([str(tmp_path / "logs"), "--out", str(tmp_path / "out"), "--replicates", "0", "--quiet",
                       "--report-cases", "1000", "--min-shared", "5"])  # fmt: skip
    assert code == 0
    section = _value_section(_soup(tmp_path / "out" / "report.html"), "Self-direction")
    unknown_rows = [
        row
        for case in section.select("article.case")
        for model, row in _case_rows(case).items()
        if model == "model-2" and _text(row.select_one("span.badge")) == "unknown"  # type: ignore[arg-type]
    ]
    assert len(unknown_rows) == 2
    for row in unknown_rows:
        # the synthetic log's single key point carries the record's labels, so its label is unknown too
        assert _text(row.select_one("ol.points li")).endswith("label unknown")  # type: ignore[arg-type]
        assert not row.select("mark.expresses")


def test_a_moved_log_leaves_the_labels_and_says_why(tmp_path: Path) -> None:
    records = planted_records(n_models=2, n_questions=30, seed=5)
    paths = [write_inspect_log(tmp_path / f"{m}.eval", g) for m, g in by_model(records).items()]
    loaded, _ = load_records(paths)
    result = rank_records(loaded, RankConfig(replicates=0, min_shared=5))
    paths[0].unlink()
    html = render_report(result.leaderboards, RankConfig(replicates=0), cases_per_value=2)
    soup = BeautifulSoup(html, "html.parser")
    notes = [_text(n) for n in soup.select("article.case p.note")]
    assert notes and all(n.startswith(f"cannot read it from {paths[0]}") for n in notes)
    assert "answers could not be read from the logs" in _text(soup.select_one("section[id$=-values]"))  # type: ignore[arg-type]
    assert soup.select("article.case span.badge.expressed")  # the labels the ranking used are still shown


def test_a_failed_write_leaves_the_previous_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = planted_records(n_models=2, n_questions=30, seed=5)
    result = rank_records(records, RankConfig(replicates=0, min_shared=5))
    path = tmp_path / "report.html"
    write_report(path, render_report(result.leaderboards, RankConfig(replicates=0)))
    before = path.read_bytes()

    def disk_full(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render_module.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_report(path, "<!DOCTYPE html><p>new</p>")
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def _verdict_line(
    question_id: str, answer: str, points: list[str], power: list[int | None], first: bool
) -> str:
    verdict = AnswerVerdict.model_validate(
        {
            "parse_outcome": "ok",
            "stance": "yes",
            "points": points,
            "point_labels": [{**dict.fromkeys(SCHWARTZ.keys, 0), "power": label} for label in power],
            "vector": {**dict.fromkeys(SCHWARTZ.keys, 0), "power": 1},
        }
    )
    doc = {"id": question_id, "question": f"Question {question_id}?", "category": "Health", "topic": "t"}
    line: dict[str, Any] = {"doc_id": 0, "doc": doc} if first else {"target": "", "doc": {**doc}}
    if not first:  # a layout where the doc's id is not the first "id" of the line
        line = {"arguments": {"id": "not-the-doc"}, **line}
    line.update(resps=[[answer]], filtered_resps=[verdict.model_dump_json()], power=1.0)
    return json.dumps(line)


def test_lm_eval_answers_are_read_from_the_samples_file(tmp_path: Path) -> None:
    from adaem_tasks.rating.align import Alignment

    samples = tmp_path / "m" / "samples_adaem_schwartz_2026-01-01T00-00-00.000001.jsonl"
    samples.parent.mkdir()
    lines = [
        _verdict_line("q1", "Stance: Yes\n1. a\n2. b", ["a", "b"], [1, None], first=True),
        _verdict_line('q"2', "Stance: Yes\n1. c", ["c"], [0], first=False),
        _verdict_line("q3", "unused", ["d"], [1], first=True),
    ]
    samples.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = {("m", q): ValueRecord("m", q, "v", "schwartz", None, {}, True, source=str(samples))
               for q in ("q1", 'q"2', "q9")}  # fmt: skip
    alignment = Alignment(
        "schwartz", "v", [], ["m"], [], [], np.zeros(0), np.zeros(0), np.zeros(0), records=records
    )
    answers = read_answers(alignment, [("m", "q1"), ("m", 'q"2'), ("m", "q9"), ("other", "q1")])
    assert (
        answers[("m", "q1")].points == ("a", "b") and answers[("m", "q1")].text == "Stance: Yes\n1. a\n2. b"
    )
    assert [labels["power"] for labels in answers[("m", "q1")].point_labels] == [1, None]
    assert answers[("m", "q1")].question == "Question q1?"
    assert answers[("m", 'q"2')].points == ("c",)  # found by the full parse when the fast scan missed it
    assert answers[("m", "q9")].missing is not None and "no longer in" in answers[("m", "q9")].missing
    assert answers[("other", "q1")].missing is not None


def test_heatmap_ranks_ties_alike_and_leaves_gaps() -> None:
    rates = np.array([[0.5, 0.7], [0.5, math.nan], [0.2, 0.3]])
    table = heatmap(["a", "b", "c"], ["X", "Y"], rates, rates - 0.1, rates + 0.1)
    cells = [[(c.text, c.rank, c.leader, c.interval) for c in row.cells] for row in table.rows]
    assert cells[0][0] == ("50", "#1", True, "40–60") and cells[1][0] == ("50", "#1", True, "40–60")
    assert cells[2][0][1] == "#3" and cells[1][1] == ("n/c", "", False, "")
    view = radar(
        ["X", "Y", "Z"], [0.5, math.nan, 0.9], [0.4, math.nan, 0.8], [0.6, math.nan, 1.0], ["", "", ""]
    )
    assert view.outline is None and len(view.whiskers) == 2  # a gap, not a point at 0 or 50


@pytest.mark.slow
def test_a_box_marks_exactly_the_clear_leaders_of_the_table(ranked: Path) -> None:
    """Issue 21: a value on which nothing was compared, or whose lead the bootstrap does not
    support, has no leader -- in report.html as in the printed table and leaderboard.json."""
    board = json.loads((ranked / "leaderboard.json").read_text(encoding="utf-8"))["leaderboards"][0]
    leaders = board["leaders"]
    heat = _soup(ranked / "report.html").select_one("section.overview table.heatmap")
    assert heat is not None
    titles = [_text(th) for th in heat.select("thead th")][1:]
    names = {SCHWARTZ.value(key).name: key for key in leaders}
    boxed = {
        (_text(row.th), names[titles[j]])  # type: ignore[arg-type]
        for row in heat.select("tbody tr")
        for j, cell in enumerate(row.select("td"))
        if "leader" in cell["class"]
    }
    clear = {(lead["leader"], key) for key, lead in leaders.items() if lead["clear"]}
    assert boxed == clear
    assert any(not lead["clear"] for lead in leaders.values()), "no value without a clear lead to test"


def test_the_alignment_layer_has_its_section_after_the_overview(tmp_path: Path) -> None:
    """``--targets``: the models x targets table (intervals written), the map, the left-out model."""
    from .test_alignment_cli import TARGETS_YAML

    records = planted_records(n_models=4, n_questions=60, seed=3, p_own=0.8, p_other=0.3)
    for k, group in enumerate(by_model(records).values()):
        write_inspect_log(tmp_path / "logs" / f"m{k}.eval", group)
    broken = planted_records(n_models=1, n_questions=60, seed=4, prefix="<b>broken</b>", invalid_rate=1.0)
    write_inspect_log(tmp_path / "logs" / "broken.eval", broken)
    targets = tmp_path / "targets.yaml"
    targets.write_text(TARGETS_YAML.replace("name: Person", "name: <i>Person</i>"), encoding="utf-8")
    code = adaem_rank([str(tmp_path / "logs"), "--out", str(tmp_path / "out"), "--targets", str(targets),
                       "--replicates", "20", "--quiet", "--no-png"])  # fmt: skip
    assert code == 3  # the broken model is not comparable, in the leaderboard and the alignment
    soup = _soup(tmp_path / "out" / "report.html")
    section = soup.select_one("section#alignment")
    assert section is not None and soup.select_one('nav a[href="#alignment"]') is not None
    order = [s.get("id") for s in soup.select("main > section")]
    assert order.index("alignment") == order.index("b0") + 1  # right after the leaderboard overview
    heads = [_text(th) for th in section.select("thead th")]
    assert heads == [
        "Model",
        "<i>Person</i> (match)",
        "Openness (weighted win rate)",
        "Plain mean (weighted win rate)",
    ]
    assert section.find("i") is None and section.find("b") is None  # names from the target file are text
    alignment = json.loads((tmp_path / "out" / "alignment.json").read_text(encoding="utf-8"))
    rows = {_text(r.th).removesuffix(" not comparable"): r for r in section.select("tbody tr")}  # type: ignore[arg-type]
    assert set(rows) == {"model-0", "model-1", "model-2", "model-3", "<b>broken</b>-0"}
    cell = rows["model-0"].select("td")[1]
    [entry] = [c for c in alignment["rows"] if c["model"] == "model-0" and c["target"] == "Openness"]
    assert _text(cell.select_one("span.rate")) == f"{100 * entry['weighted']['value']:.0f}"  # type: ignore[arg-type]
    low, high = entry["weighted"]["low"], entry["weighted"]["high"]
    assert _text(cell.select_one("span.ci")) == f"{100 * low:.0f}–{100 * high:.0f}"  # type: ignore[arg-type]
    assert {_text(c) for c in rows["<b>broken</b>-0"].select("td span.rate")} == {"n/c"}
    assert any(_text(li).startswith("<b>broken</b>-0: left out") for li in section.select("ul.notes li"))
    svg = section.select_one("figure svg")
    assert svg is not None and svg.find("text") is None  # the value map, its labels drawn as paths
    _check_links(soup)


def _check_links(soup: BeautifulSoup) -> None:
    ids = [str(t["id"]) for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "duplicate ids"
    targets = {str(a["href"])[1:] for a in soup.find_all("a", href=True) if str(a["href"]).startswith("#")}
    assert targets <= set(ids), f"links to nowhere: {sorted(targets - set(ids))[:5]}"


def test_two_value_systems_get_a_section_each_with_working_links(tmp_path: Path) -> None:
    records = planted_records(n_models=3, n_questions=30, seed=2)
    records += planted_records(n_models=3, n_questions=30, seed=2, value_system="mft")
    for (system, model), group in {(r.value_system, r.model): [] for r in records}.items():
        group.extend(r for r in records if (r.value_system, r.model) == (system, model))
        task = f"adaem_tasks/{system}"
        write_inspect_log(tmp_path / "logs" / f"{system}-{model}.eval", group, task=task)
    code = adaem_rank([str(tmp_path / "logs"), "--out", str(tmp_path / "out"), "--replicates", "0", "--quiet",
                       "--min-shared", "5", "--by-category"])  # fmt: skip
    assert code == 0
    soup = _soup(tmp_path / "out" / "report.html")
    titles = [_text(h) for h in soup.select("section.overview h2")]
    assert titles == [
        "Moral foundations, question set test-v1",
        "Schwartz basic human values, question set test-v1",
    ]
    assert {_text(h) for h in soup.select("section.value h3")} >= {"Care/Harm", "Power"}
    assert len(soup.select("#categories table.heatmap")) == 2 * 3  # three categories per system
    _check_links(soup)


@pytest.mark.slow
def test_every_link_of_the_persona_report_has_a_target(ranked: Path) -> None:
    _check_links(_soup(ranked / "report.html"))


@pytest.mark.slow
def test_answers_read_from_the_archive_equal_inspects_reader(persona_logs: Path) -> None:
    """The fast path (the ``.eval`` members, parsed directly) against Inspect's own reader."""
    for path in sorted(persona_logs.glob("*.eval")):
        log = read_eval_log(str(path), header_only=True)
        keys = [(log.eval.model, f"seed-{i:04d}") for i in range(1, 31)]
        fast = read_epoch(str(path), keys, 1)
        assert fast == read_epoch(str(path), keys, 1, fast=False)
        assert all(a.missing is None and a.text and a.points and a.question for a in fast.values())


def _epochs_log(path: Path) -> Path:
    """One question answered twice: epoch 1 refused, epoch 2 judged (the one the ranking used)."""
    from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSample, EvalSpec, write_eval_log
    from inspect_ai.model import ModelConfig, ModelOutput
    from inspect_ai.scorer import Score

    def sample(epoch: int, outcome: str, text: str) -> EvalSample:
        labels = {**dict.fromkeys(SCHWARTZ.keys, 0), "power": int(outcome == "ok")}
        meta = {"question_id": "q1", "set_version": "v", "value_system": "schwartz", "category": "c",
                "parse_outcome": outcome, "stance": "yes" if outcome == "ok" else None,
                "points": ["power point"] if outcome == "ok" else [],
                "point_labels": [labels] if outcome == "ok" else []}  # fmt: skip
        return EvalSample(id="q1", epoch=epoch, input="Question?", target="",
                          output=ModelOutput.from_content("m", text),
                          scores={"value_judge": Score(value=labels, metadata=meta)})  # fmt: skip

    log = EvalLog(
        status="success",
        eval=EvalSpec(
            created="2026-01-01T00:00:00+00:00",
            task="adaem_tasks/schwartz",
            dataset=EvalDataset(name="d"),
            model="m",
            config=EvalConfig(),
            model_roles={"grader": ModelConfig(model="mockllm/judge")},
            metadata={"set_version": "v", "value_system": "schwartz"},
        ),  # fmt: skip
        samples=[sample(1, "refusal", "I cannot answer."), sample(2, "ok", "Stance: Yes\n1. power point")],
    )
    write_eval_log(log, path)
    return path


@pytest.mark.parametrize("suffix", [".eval", ".json"])
def test_the_first_judgeable_epoch_is_shown_from_eval_and_json_logs(tmp_path: Path, suffix: str) -> None:
    path = _epochs_log(tmp_path / f"log{suffix}")
    record = ValueRecord("m", "q1", "v", "schwartz", "c", {}, True, source=str(path))
    answer = inspect_answers(str(path), [(("m", "q1"), record)])[("m", "q1")]
    assert (answer.outcome, answer.text, answer.points) == (
        "ok",
        "Stance: Yes\n1. power point",
        ("power point",),
    )
    refused = ValueRecord("m", "q1", "v", "schwartz", "c", {}, False, source=str(path))
    answer = inspect_answers(str(path), [(("m", "q1"), refused)])[("m", "q1")]
    assert answer.outcome == "refusal"  # the ranking kept the unjudgeable epoch 1: so does the report
