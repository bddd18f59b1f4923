"""Answers, questions and model names are untrusted: in report.html they are text, never markup.

A scripted examinee appends HTML/JS payloads and the project's judge-injection strings to every
key point of a persona's answer; the questions, their categories and topics carry payloads too,
and so does the examinee's model name. Everything goes through the real task, the keyword judge
and ``adaem-rank``. The report must contain no script, image or event handler, show every payload
verbatim as text (in the highlighted key points, the full answers, the question, the model
name), and open in headless Chromium without a dialog or console error.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log
from inspect_ai.model import ChatMessage, ChatMessageUser, GenerateConfig, ModelAPI, ModelOutput, modelapi
from inspect_ai.tool import ToolChoice, ToolInfo

from adaem_tasks.rating.cli import main as adaem_rank
from adaem_tasks.testing.browser import open_page
from adaem_tasks.testing.injections import INJECTIONS
from adaem_tasks.testing.personas import parse_opinion_request, parse_persona
from adaem_tasks.testing.providers import scripted_output

pytestmark = pytest.mark.slow

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "</pre></details></section><script>alert(3)</script>",
    "<svg onload=alert(4)>",
    "{{ 7 * 7 }} {% raw %}",
    *INJECTIONS,
)
ALWAYS = PAYLOADS[:2]  # on every key point, so every highlighted point must show them as text
HOSTILE = 'adaem-test-hostile/"><img src=x onerror=alert(5)>'
_NEXT = itertools.count()
CLEAN = "adaem-persona/tradition+benevolence"
N_QUESTIONS = 6


class _HostilePersona(ModelAPI):
    """The ``power+security`` persona's answer; each key point ends with :data:`ALWAYS` and a payload."""

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        prompt = next(m.text for m in reversed(input) if isinstance(m, ChatMessageUser))
        request = parse_opinion_request(prompt)
        assert request is not None, "only the opinion prompt is expected here"
        answer = parse_persona("power+security").answer(request.question, request.points)
        lines = answer.splitlines()
        hostile = [
            f"{line} {' '.join(ALWAYS)} {PAYLOADS[next(_NEXT) % len(PAYLOADS)]}"
            if line[:1].isdigit()
            else line
            for line in lines
        ]
        return scripted_output(self.model_name, "\n".join(hostile), len(prompt.split()))


@modelapi(name="adaem-test-hostile")
def _hostile_api() -> type[ModelAPI]:
    return _HostilePersona


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hostile")
    questions = root / "questions.jsonl"
    questions.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"q{i}",
                    "question": f"Should cities ban cars? {PAYLOADS[i % len(PAYLOADS)]}",
                    "category": f"Category {PAYLOADS[(i + 1) % len(PAYLOADS)]}",
                    "topic": f"cars {PAYLOADS[(i + 2) % len(PAYLOADS)]}",
                }
            )
            + "\n"
            for i in range(N_QUESTIONS)
        ),
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INSPECT_CACHE_DIR", str(root / "cache"))
        runs = inspect_eval(
            "adaem_tasks/schwartz",
            model=[HOSTILE, CLEAN],
            model_roles={"grader": "adaem-judge/keyword"},
            task_args={"judge_mode": "batched", "questions": str(questions)},
            log_dir=str(root / "logs"),
            display="none",
        )
    assert [r.status for r in runs] == ["success", "success"]
    out = root / "board"
    code = adaem_rank([str(root / "logs"), "--out", str(out), "--replicates", "10", "--quiet", "--no-png",
                       "--min-shared", "3"])  # fmt: skip
    assert code == 0
    return out / "report.html", root / "logs"


def _hostile_log(logs: Path) -> dict[str, str]:
    for path in sorted(logs.glob("*.eval")):
        log = read_eval_log(str(path))
        if log.eval.model == HOSTILE:
            return {str(s.id): s.output.completion for s in log.samples or []}
    raise AssertionError("no log of the hostile examinee")


def test_payloads_are_text_in_the_html(hostile_report: tuple[Path, Path]) -> None:
    report, logs = hostile_report
    soup = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser")
    assert soup.find_all(["script", "img", "iframe", "object", "embed"]) == []
    assert soup.select("svg svg, svg foreignObject") == []
    assert [t.name for t in soup.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)] == []
    hostile_rows = [r for r in soup.select("article.case tr") if r.th and r.th.get_text() == HOSTILE]
    marks = [m.get_text() for row in hostile_rows for m in row.select("mark.expresses")]
    assert marks and all(all(p in mark for p in ALWAYS) for mark in marks)
    shown = " ".join(t.get_text() for t in soup.select("ol.points li, pre.answer, article.question h3"))
    for payload in PAYLOADS:
        assert payload in shown, f"{payload!r} is not shown as text"
    answers = {_code(a): {d.summary.strong.get_text(): d.pre.get_text() for d in a.select("details")}  # type: ignore[union-attr]
               for a in soup.select("article.question")}  # fmt: skip
    for question_id, completion in _hostile_log(logs).items():
        if question_id in answers:
            assert answers[question_id][HOSTILE] == completion
    assert HOSTILE in [" ".join(th.get_text(" ").split()) for th in soup.select("table.heatmap tbody th")]


def _code(article: object) -> str:
    return article.select_one("p.meta code").get_text()  # type: ignore[attr-defined,no-any-return]


def test_payloads_do_nothing_in_chromium(
    hostile_report: tuple[Path, Path], chromium: str, tmp_path: Path
) -> None:
    report, _ = hostile_report
    with open_page(report) as (page, log):
        active = page.evaluate(
            "() => document.querySelectorAll("
            "'script, img, iframe, object, embed, [onerror], [onload]').length"
        )
        marked = page.evaluate(
            "name => [...document.querySelectorAll('article.case tr')]"
            ".filter(r => r.querySelector('th').textContent === name)"
            ".flatMap(r => [...r.querySelectorAll('mark.expresses')].map(m => m.textContent))",
            HOSTILE,
        )
        first_mark = page.locator("mark.expresses").first
        first_mark.scroll_into_view_if_needed()
        assert first_mark.is_visible()
        headings = page.evaluate(
            "() => [...document.querySelectorAll('article.question h3')].map(h => h.textContent)"
        )
        page.screenshot(path=str(tmp_path / "hostile.png"), full_page=False)
    assert log.dialogs == [] and log.problems == []
    assert log.requests == [report.resolve().as_uri()]  # no image, script or font was fetched
    assert active == 0
    assert marked and all(all(p in mark for p in ALWAYS) for mark in marked)
    assert any("<script>alert(1)</script>" in h for h in headings)
