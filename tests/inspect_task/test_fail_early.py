"""The task fails early and readably: bad input is one message and exit 1 from ``inspect eval``;
a missing or unreachable judge stops the eval before the first examinee call."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log
from inspect_ai.model import ChatMessage, GenerateConfig, ModelAPI, ModelOutput, modelapi
from inspect_ai.tool import ToolChoice, ToolInfo

from adaem_tasks.errors import TaskInputError

INSPECT = str(Path(sys.executable).with_name("inspect"))
EXAMINEE = "adaem-persona/power"
GOOD = {"id": "q1", "question": "Should zoos be closed?", "category": "c", "topic": "zoos"}


class _DownAPI(ModelAPI):
    """A judge whose every call raises at once (not retried): a wrong host, a refused key."""

    calls = 0

    def __init__(self, model_name: str, base_url: str | None = None, api_key: str | None = None, **_: object):
        super().__init__(model_name=model_name, base_url=base_url, api_key=api_key, config=GenerateConfig())

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> ModelOutput:
        type(self).calls += 1
        raise ConnectionRefusedError("judge host refused the connection")


@modelapi(name="adaem-test-down")
def _down_api() -> type[ModelAPI]:
    return _DownAPI


def _eval_by_name(tmp_path: Path, **kwargs: object) -> EvalLog:
    """Like ``inspect eval adaem_tasks/schwartz``: Inspect builds the task inside the eval."""
    [log] = inspect_eval(
        "adaem_tasks/schwartz", model=EXAMINEE, log_dir=str(tmp_path / "logs"), display="none", **kwargs
    )  # type: ignore[arg-type]
    return log


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([json.dumps(GOOD), "{oops"], ":2: invalid JSON"),
        ([json.dumps({**GOOD, "question": "   "})], ":1: field 'question': must not be blank"),
        ([json.dumps(GOOD), json.dumps({**GOOD, "id": "q2", "category": "Cooking"})], None),
    ],
)
def test_bad_question_files_are_one_message_before_any_log(
    tmp_path: Path, lines: list[str], message: str | None
) -> None:
    path = _write(tmp_path / "q.jsonl", lines)
    args: dict[str, str] = {"questions": str(path)}
    if message is None:  # a good file, a category it does not have
        args["categories"] = "Gardening"
    with pytest.raises(TaskInputError) as info:
        _eval_by_name(tmp_path, task_args=args, model_roles={"grader": "adaem-judge/keyword"})
    text = str(info.value)
    assert text.startswith("adaem_tasks/schwartz: ")
    assert (f"{path}{message}" in text) if message else ("unknown categories ['Gardening']" in text)
    assert not (tmp_path / "logs").exists()


# -- task options (``-T``): every bad value is one message, exit 1, before any log --------------------
OPTION_NAMES = (
    "version, questions, judge_mode, points, words, prime, categories, judge_max_attempts, "
    "judge_threshold, judge_logprobs"
)
BAD_OPTIONS = [
    ({"points": "abc"}, "points must be an integer >= 1 and <= 99, got 'abc'"),
    ({"points": 2.5}, "points must be an integer >= 1 and <= 99, got 2.5"),
    ({"points": 0}, "points must be an integer >= 1 and <= 99, got 0"),
    ({"points": 100}, "points must be an integer >= 1 and <= 99, got 100"),
    ({"points": {"a": "b"}}, "points must be an integer >= 1 and <= 99, got {'a': 'b'}"),
    ({"points": [3, 4]}, "points must be an integer >= 1 and <= 99, got [3, 4]"),
    ({"words": -5}, "words must be an integer >= 1, got -5"),
    ({"words": 0}, "words must be an integer >= 1, got 0"),
    ({"words": 1.5}, "words must be an integer >= 1, got 1.5"),
    ({"words": True}, "words must be an integer >= 1, got True"),
    ({"judge_threshold": 2}, "judge_threshold must be a number >= 0 and <= 1, got 2"),
    ({"judge_threshold": "nan"}, "judge_threshold must be a number >= 0 and <= 1 (finite), got 'nan'"),
    ({"judge_max_attempts": 0}, "judge_max_attempts must be an integer >= 1 and <= 10, got 0"),
    ({"judge_max_attempts": 10**9}, "judge_max_attempts must be an integer >= 1 and <= 10, got 1000000000"),
    ({"judge_logprobs": "maybe"}, "judge_logprobs must be true or false (or 1 or 0), got 'maybe'"),
    ({"judge_logprobs": 2}, "judge_logprobs must be true or false (or 1 or 0), got 2"),
    ({"judge_mode": "pairwise"}, "judge_mode must be 'single' or 'batched', got 'pairwise'"),
    ({"prime": "wealth"}, "prime='wealth' is not a value of 'schwartz'; choose one of: self_direction"),
    ({"prime": 3}, "prime=3 is not a value of 'schwartz'"),
    ({"version": 1.1}, "version must be text, got 1.1 (Inspect reads -T values as YAML: quote it"),
    ({"version": "\u200b"}, "version must not be blank, got '\\u200b'"),
    ({"questions": ["a", "b"]}, "questions must be one value, got the list ['a', 'b']"),
    ({"categories": ","}, "categories names no category, got ','"),
    ({"categories": "\u200b, \ufeff"}, "categories names no category"),
    ({"categories": 2024}, "categories must be comma-separated category names, got 2024"),
    ({"bogus_opt": 1}, f"unknown option 'bogus_opt'; the options are: {OPTION_NAMES}"),
    ({"judgemode": "single"}, "unknown option 'judgemode' (did you mean 'judge_mode'?)"),
]


@pytest.mark.parametrize(("args", "message"), BAD_OPTIONS, ids=[str(a) for a, _ in BAD_OPTIONS])
def test_bad_task_options_are_one_message_before_any_log(
    tmp_path: Path, args: dict[str, object], message: str
) -> None:
    with pytest.raises(TaskInputError) as info:
        _eval_by_name(tmp_path, task_args=args, model_roles={"grader": "adaem-judge/keyword"})
    assert str(info.value).startswith(f"adaem_tasks/schwartz: {message}")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "logs").exists()


def test_every_bad_option_is_named_in_the_one_message(tmp_path: Path) -> None:
    args = {"points": "abc", "words": -5, "judge_threshold": 2, "bogus_opt": 1}
    with pytest.raises(TaskInputError) as info:
        _eval_by_name(tmp_path, task_args=args, model_roles={"grader": "adaem-judge/keyword"})
    assert str(info.value) == (
        f"adaem_tasks/schwartz: unknown option 'bogus_opt'; the options are: {OPTION_NAMES}; "
        "points must be an integer >= 1 and <= 99, got 'abc'; words must be an integer >= 1, got -5; "
        "judge_threshold must be a number >= 0 and <= 1, got 2"
    )


def test_good_options_are_used_as_checked(tmp_path: Path) -> None:
    """Spellings the harness may deliver are read as what they mean, and the run uses them."""
    args = {
        "points": "5",
        "words": 120.0,
        "judge_logprobs": 0,
        "prime": "POW",
        "categories": "Science, \u200b",
    }
    with pytest.raises(TaskInputError, match="unknown categories \\['Science'\\]"):  # parsed, then looked up
        _eval_by_name(tmp_path, task_args=args, model_roles={"grader": "adaem-judge/keyword"})
    del args["categories"]
    log = _eval_by_name(tmp_path, task_args=args, model_roles={"grader": "adaem-judge/keyword"}, limit=1)
    assert log.status == "success"
    assert log.eval.metadata is not None and log.eval.metadata["prime"] == "power"
    [sample] = log.samples or []
    prompt = sample.messages[1].text  # after the priming system message
    assert "list your 5 key points" in prompt and "in 120 words" in prompt


def test_missing_grader_is_refused_while_the_task_is_built(tmp_path: Path) -> None:
    with pytest.raises(TaskInputError, match="needs a value judge bound to the 'grader' model role"):
        _eval_by_name(tmp_path, limit=2)
    assert not (tmp_path / "logs").exists()


def test_unreachable_judge_stops_the_eval_before_any_examinee_call(tmp_path: Path) -> None:
    _DownAPI.calls = 0
    log = _eval_by_name(tmp_path, limit=5, model_roles={"grader": "adaem-test-down/judge"})
    assert log.status == "error"
    assert log.error is not None and "JudgeUnavailableError" in log.error.message
    assert "judge host refused the connection" in log.error.message
    assert _DownAPI.calls == 1  # one preflight call, shared by every sample
    usage = log.stats.model_usage
    assert EXAMINEE not in usage, usage  # the examinee was never called
    assert all(not s.output.completion for s in log.samples or [])


# -- the real command line ---------------------------------------------------------------------
def _inspect(
    args: list[str], tmp_path: Path, env: dict[str, str] | None = None, display: str = "plain"
) -> subprocess.CompletedProcess[str]:
    command = [INSPECT, *args, "--display", display, "--log-dir", str(tmp_path / "logs")]
    full_env = {**os.environ, "ADAEM_HOME": str(tmp_path / "home"), **(env or {})}
    return subprocess.run(command, env=full_env, cwd=tmp_path, capture_output=True, text=True, timeout=300)


def _squeezed(text: str) -> str:
    """``text`` without whitespace: Inspect's console wraps a message at the terminal width."""
    return "".join(text.split())


@pytest.mark.slow
def test_cli_bad_input_is_one_message_and_exit_1(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(b'{"id": "q1", "question": "Caf\xe9s?", "category": "c", "topic": "t"}\n')
    run = _inspect(
        ["eval", "adaem_tasks/schwartz", "-T", f"questions={latin1}", "--model", EXAMINEE,
         "--model-role", "grader=adaem-judge/keyword"],
        tmp_path,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output
    # the one message and nothing else, however the console wraps it (a long path is folded mid-word)
    message = (
        f"adaem_tasks/schwartz: {latin1}:1: not UTF-8 text (byte 0xe9 at column 30); save the file as UTF-8"
    )
    assert _squeezed(output) == _squeezed(message)
    assert not (tmp_path / "logs").exists()


YAML_TYPED = {  # -T value as typed: what Inspect's YAML reading makes of it, and the check's words
    "version=1.10": "version must be text, got 1.1 (Inspect reads -T values as YAML: quote it, "
    "-T 'version=\"...\"')",
    "points=2.5": "points must be an integer >= 1 and <= 99, got 2.5",
    "words=-5": "words must be an integer >= 1, got -5",
    "prime=a: b": "prime={'a': 'b'} is not a value of 'schwartz'; choose one of: self_direction, "
    "stimulation, hedonism, achievement, power, security, conformity, tradition, benevolence, universalism",
    "judge_max_attempts=yes": "judge_max_attempts must be an integer >= 1 and <= 10, got True",
    "judge_threshold=2": "judge_threshold must be a number >= 0 and <= 1, got 2",
    "judge_logprobs=maybe": "judge_logprobs must be true or false (or 1 or 0), got 'maybe'",
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["points=abc"], "points must be an integer >= 1 and <= 99, got 'abc'"),
        (["bogus_opt=1"], f"unknown option 'bogus_opt'; the options are: {OPTION_NAMES}"),
        (list(YAML_TYPED), "; ".join(YAML_TYPED.values())),  # every bad one named, in one message
    ],
)
def test_cli_bad_options_are_one_message_and_exit_1(tmp_path: Path, options: list[str], message: str) -> None:
    command = [
        "eval",
        "adaem_tasks/schwartz",
        "--model",
        EXAMINEE,
        "--model-role",
        "grader=adaem-judge/keyword",
    ]
    for option in options:
        command += ["-T", option]
    run = _inspect(command, tmp_path, {"COLUMNS": "80"})
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output
    # the message and nothing else, however the console wraps it
    assert _squeezed(output) == _squeezed(f"adaem_tasks/schwartz: {message}")
    assert not (tmp_path / "logs").exists()


@pytest.mark.slow
def test_display_none_still_says_why_the_task_was_refused(tmp_path: Path) -> None:
    """``--display none`` silences Inspect's console, which is where it prints the message."""
    command = ["eval", "adaem_tasks/schwartz", "--model", EXAMINEE, "--model-role",
               "grader=adaem-judge/keyword", "-T", "points=abc"]  # fmt: skip
    run = _inspect(command, tmp_path, {"COLUMNS": "80"}, display="none")
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout.strip() == ""
    assert run.stderr.strip() == "adaem_tasks/schwartz: points must be an integer >= 1 and <= 99, got 'abc'"
    assert not (tmp_path / "logs").exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_cli_exit_codes_of_an_eval_that_fails(tmp_path: Path) -> None:
    """What the README says Inspect does: ``inspect eval`` exits 0 for a failed eval, ``eval-set`` 1.

    The judge's server is down: the setup step fails the eval before any examinee call.
    """
    env = {"DEAD_BASE_URL": f"http://127.0.0.1:{_closed_port()}/v1", "DEAD_API_KEY": "unused"}
    args = ["adaem_tasks/schwartz", "--model", EXAMINEE, "--limit", "3",
            "--model-role", "grader={model: openai-api/dead/judge, max_retries: 0}"]  # fmt: skip
    single = _inspect(["eval", *args], tmp_path, env)
    assert single.returncode == 0, single.stdout + single.stderr
    [info] = list_eval_logs(str(tmp_path / "logs"))
    log = read_eval_log(info)
    assert log.status == "error" and log.error is not None
    assert "JudgeUnavailableError" in log.error.message and "No examinee call was made" in log.error.message
    assert EXAMINEE not in log.stats.model_usage
    (tmp_path / "set").mkdir()
    in_set = _inspect(["eval-set", *args, "--retry-attempts", "0"], tmp_path / "set", env)
    assert in_set.returncode == 1, in_set.stdout + in_set.stderr
