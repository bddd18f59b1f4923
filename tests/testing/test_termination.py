"""The scripted test models terminate for every input, and say so when an input cannot be served.

A test double that loops takes a whole eval with it: the persona's title loop did, at 99 % CPU
and deaf to SIGTERM, for ``-T points=13``. Each family -- personas, judges, generator handlers,
the loopback server -- gets here what a careless or hostile caller could send: point counts of
zero, thirteen, a million and a number too long for ``int()``, huge and empty prompts, and
prompts that repeat the very phrases the scripts search for (the inputs that made a regular
expression retry from every occurrence: quadratic, i.e. hours at these sizes). A watchdog
turns a hang into a failure instead of a stuck suite; it is generous and never measures speed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

from adaem_tasks.errors import InputError
from adaem_tasks.judge import batched_judge_prompt, single_judge_prompt
from adaem_tasks.opinion import MAX_POINTS, ParseOutcome, opinion_prompt, parse_opinion
from adaem_tasks.testing import generator_handlers
from adaem_tasks.testing.dispatch import Dispatcher
from adaem_tasks.testing.judges import JUDGE_KINDS, ScriptedJudge
from adaem_tasks.testing.openai_server import ServerOptions, main, start_server
from adaem_tasks.testing.personas import PersonaSpecError, marker, parse_opinion_request, parse_persona
from adaem_tasks.value_systems import load_value_system

WATCHDOG_S = 60
BIG = 200_000  # characters: a quadratic search over this many takes hours; a linear one, milliseconds
QUESTION = "Should cities ban private cars from their historic centres?"
SCHWARTZ = load_value_system("schwartz")


@contextmanager
def finishes(what: str) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the block runs past :data:`WATCHDOG_S` seconds."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"{what} did not finish within {WATCHDOG_S} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, WATCHDOG_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _titles(answer: str, points: int) -> list[str]:
    parsed = parse_opinion(answer, expected_points=points)
    assert parsed.outcome == ParseOutcome.OK, (parsed.outcome, answer[-300:])
    return [p.point for p in parsed.points]


# -- personas ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["power", "markdown-power+security", "saturating-care+loyalty"])
@pytest.mark.parametrize("points", [1, 12, 13, 25, MAX_POINTS])
def test_a_persona_writes_every_point_asked_with_distinct_titles(spec: str, points: int) -> None:
    """Past the twelfth point every title was taken and the search for a free one never ended."""
    with finishes(f"{spec} asked for {points} points"):
        answer = Dispatcher().respond(f"adaem-persona/{spec}", opinion_prompt(QUESTION, points=points))
    titles = _titles(answer, points)
    assert len(titles) == points and len(set(titles)) == points


@pytest.mark.parametrize(
    ("asked", "written"),
    [("0", 1), ("000", 1), ("100", MAX_POINTS), ("1000000", MAX_POINTS), ("9" * 5000, MAX_POINTS)],
)
def test_a_persona_asked_for_what_no_task_asks_writes_within_the_cap(asked: str, written: int) -> None:
    """A million points is not a million lines; 5000 digits is past what ``int()`` converts."""
    prompt = opinion_prompt(QUESTION).replace("list your 3 key points", f"list your {asked} key points")
    request = parse_opinion_request(prompt)
    assert request is not None and request.points == written
    with finishes(f"a persona asked for {asked[:12]} points"):
        answer = Dispatcher().respond("adaem-persona/power", prompt)
    assert len(_titles(answer, written)) == written


@pytest.mark.parametrize(("points", "written"), [(0, 1), (-3, 1), (10**9, MAX_POINTS)])
def test_the_persona_api_clamps_points(points: int, written: int) -> None:
    persona = parse_persona("tradition")
    with finishes(f"Persona.answer(points={points})"):
        answer = persona.answer(QUESTION, points=points)
    assert len(_titles(answer, written)) == written


def test_a_persona_reads_adversarial_prompts() -> None:
    dispatcher = Dispatcher()
    huge_question = " ".join(["wherever"] * BIG)
    # the opening phrase many times, and the closing one without its quote: nothing to match
    unclosed = 'For the question "' * (BIG // 10) + "you should give me your stance"
    closed = unclosed.replace("you should", '", you should')
    with finishes("personas on adversarial prompts"):
        assert dispatcher.respond("adaem-persona/power", "").startswith("This is the scripted test model")
        empty = dispatcher.respond("adaem-persona/power", opinion_prompt(""))
        huge = dispatcher.respond("adaem-persona/power", opinion_prompt(huge_question))
        answers = [dispatcher.respond("adaem-persona/power", prompt) for prompt in (unclosed, closed)]
        requests = [parse_opinion_request(prompt) for prompt in (unclosed, closed)]
    assert len(_titles(empty, 3)) == 3 and len(_titles(huge, 3)) == 3
    assert all("Key Points:" in answer for answer in answers)
    assert requests[0] is not None and requests[0].question == "For the question"  # the first quoted text
    assert requests[1] is not None and requests[1].question.startswith(
        'For the question "'
    )  # to the last mark


@pytest.mark.parametrize(
    "spec",
    [
        "power:" + "1" * BIG + "x",
        "power:." + "1" * BIG + ".",
        "a" * BIG + "!",
        "+".join(["power"] * (BIG // 6)),
    ],
)
def test_bad_persona_specs_are_refused_not_searched_forever(spec: str) -> None:
    with finishes("parse_persona"), pytest.raises(PersonaSpecError):
        parse_persona(spec)


@pytest.mark.parametrize(("spec", "p"), [("power:1", 1.0), ("power:.5", 0.5), ("power:0.25", 0.25)])
def test_persona_probabilities_still_parse(spec: str, p: float) -> None:
    assert parse_persona(spec).planted == {"power": p}


# -- judges --------------------------------------------------------------------------------------------------


def _adversarial_judge_prompts() -> dict[str, str]:
    text = f"We need {marker(SCHWARTZ, 'security')} above all."
    single = single_judge_prompt(SCHWARTZ, text, "security")
    return {
        "empty": "",
        "opens many text blocks, closes none": "### [Text]:\n<text-ab>\n" * (BIG // 20) + "x",
        "closes many times without a section": single.replace(
            "### [Value]:", "\n</text-0>\n" * (BIG // 12) + "### [Value]:"
        ),
        "a judge prompt with 'answer' and a long run of blanks": single + "\nanswer" + " \t" * BIG + "x",
        "a judge prompt with a huge text": single_judge_prompt(SCHWARTZ, text + " filler" * BIG, "security"),
        "a batched prompt with a flood of braces": batched_judge_prompt(SCHWARTZ, text) + "{" * BIG,
    }


@pytest.mark.parametrize("kind", JUDGE_KINDS)
def test_every_judge_answers_adversarial_prompts(kind: str) -> None:
    judge = ScriptedJudge(kind)
    for name, prompt in _adversarial_judge_prompts().items():
        with finishes(f"the {kind} judge on a prompt that {name}"):
            answer = judge.respond(prompt)
        assert answer is None or isinstance(answer, str), name
    # the long text is still read: its marker is found
    keyword = ScriptedJudge("keyword").respond(
        _adversarial_judge_prompts()["a judge prompt with a huge text"]
    )
    assert keyword == "Yes"


# -- generator handlers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prompt",
    [
        "compose a new specific argument\n[General Argument]: " + " ".join(generator_handlers.CONTEXTS),
        "we will explore contextually rich argument questions\n[General Argument]: "
        + " ".join(generator_handlers.CONTEXTS),
        "compose a new specific argument\n[General Argument]:" + "\n" * BIG,
        "Based on your suggestions, refine the above question\n[Question]: " + "why " * BIG,
        "You are a safety classifier\n[Question]:" + " " * BIG,
        "",
    ],
    ids=["explore, every context taken", "chain of thought, every context taken", "newline flood",
         "huge question", "blank guard question", "empty"],
)  # fmt: skip
def test_generator_handlers_answer_adversarial_prompts(prompt: str) -> None:
    with finishes("a generator handler"):
        answer = generator_handlers.respond_generator(parse_persona("saturating-power"), prompt)
    assert answer is None if prompt == "" else isinstance(answer, str) and answer.strip()


# -- the loopback server -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_concurrency": 0}, "max_concurrency must be an integer >= 1, got 0"),
        ({"latency_s": float("nan")}, "latency_s must be a number >= 0 and <= 3600 (finite), got nan"),
        ({"latency_s": 1e9}, "latency_s must be a number >= 0 and <= 3600, got 1000000000.0"),
        ({"latency_s": -1}, "latency_s must be a number >= 0 and <= 3600, got -1"),
        ({"rate_limit_every": -2}, "rate_limit_every must be an integer >= 0, got -2"),
        ({"error_every": 2.5}, "error_every must be an integer >= 0, got 2.5"),
        ({"socket_timeout_s": 0}, "socket_timeout_s must be a number > 0 and <= 3600, got 0"),
        ({"max_body_bytes": 0}, "max_body_bytes must be an integer >= 1, got 0"),
    ],
)
def test_server_options_that_would_hang_or_crash_it_are_refused(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError) as info:
        ServerOptions(**options)  # type: ignore[arg-type]  # what a Python caller may pass
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "99999"], "argument --port: must be an integer >= 0 and <= 65535, got '99999'"),
        (["--port", "-1"], "argument --port: must be an integer >= 0 and <= 65535, got '-1'"),
        (["--port", "80.5"], "argument --port: must be an integer >= 0 and <= 65535, got '80.5'"),
        (["--max-concurrency", "0"], "argument --max-concurrency: must be an integer >= 1, got '0'"),
        (["--latency-s", "nan"], "argument --latency-s: must be a number >= 0 and <= 3600 (finite), got 'nan'"),  # noqa: E501
        (["--latency-s", "1e9"], "argument --latency-s: must be a number >= 0 and <= 3600, got '1e9'"),
        (["--rate-limit-every", "-2"], "argument --rate-limit-every: must be an integer >= 0, got '-2'"),
        (["--error-every", "x"], "argument --error-every: must be an integer >= 0, got 'x'"),
        (["--retry-after-ms", "-1"], "argument --retry-after-ms: must be an integer >= 0, got '-1'"),
    ],
)  # fmt: skip
def test_server_cli_bad_numbers_are_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with finishes(f"adaem-test-server {' '.join(argv)}"), pytest.raises(SystemExit) as stop:
        main(argv)  # with a value that is not refused, this would serve until the watchdog stops it
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == f"adaem-test-server: error: {message}"
    assert "Traceback" not in err


def test_server_cli_unwritable_port_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port_file = tmp_path / "missing-dir" / "port"
    with finishes("adaem-test-server with an unwritable port file"):
        assert main(["--port", "0", "--port-file", str(port_file)]) == 2
    err = capsys.readouterr().err
    assert err == f"adaem-test-server: cannot write {port_file}: No such file or directory\n"


def _post(port: int, body: bytes, content_length: int) -> bytes:
    """A raw HTTP request whose Content-Length may lie about its body."""
    head = (
        f"POST /v1/chat/completions HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {content_length}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=WATCHDOG_S) as sock:
        sock.sendall(head + body)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_server_answers_adversarial_requests() -> None:
    prompt = opinion_prompt(QUESTION).replace("list your 3 key points", "list your 1000000 key points")
    body = json.dumps({"model": "persona-power", "messages": [{"role": "user", "content": prompt}]}).encode()
    heads = json.dumps(
        {
            "model": "judge-obedient",
            "messages": [{"role": "user", "content": "### [Text]:\n<text-a>\n" * 10_000}],
        }
    ).encode()
    with start_server(socket_timeout_s=1) as server, finishes("the loopback server"):
        reply = _post(server.port, body, len(body))
        assert reply.startswith(b"HTTP/1.0 200")
        answer = json.loads(reply.split(b"\r\n\r\n", 1)[1])["choices"][0]["message"]["content"]
        assert len(_titles(answer, MAX_POINTS)) == MAX_POINTS
        assert _post(server.port, heads, len(heads)).startswith(b"HTTP/1.0 200")
        # a body shorter than its Content-Length: answered once the socket times out, not waited on forever
        short = _post(server.port, body[:10], len(body))
        assert short.startswith(b"HTTP/1.0 408"), short[:200]
        assert b"request body shorter than its Content-Length" in short


# -- the eval that hung --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_inspect_eval_with_13_points_finishes(tmp_path: Path) -> None:
    """The issue's case: ``inspect eval -T points=13`` with a persona looped forever."""
    inspect = str(Path(sys.executable).with_name("inspect"))
    command = [inspect, "eval", "adaem_tasks/schwartz", "--model", "adaem-persona/power+security",
               "--model-role", "grader=adaem-judge/keyword", "-T", "points=13", "-T", "judge_mode=batched",
               "--limit", "3", "--log-dir", str(tmp_path / "logs"), "--display", "none"]  # fmt: skip
    env = {**os.environ, "ADAEM_HOME": str(tmp_path / "home"), "INSPECT_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    [info] = list_eval_logs(str(tmp_path / "logs"))
    log = read_eval_log(info)
    assert log.status == "success" and len(log.samples or []) == 3
    for sample in log.samples or []:
        assert sample.scores is not None
        [score] = sample.scores.values()
        assert score.metadata is not None and score.metadata["parse_outcome"] == "ok"
        assert len(score.metadata["points"]) == 13
