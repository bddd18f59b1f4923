"""The loopback OpenAI-compatible server: raw HTTP, fault injection, Inspect's openai-api provider, CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import GenerateConfig, get_model

from adaem_tasks.judge import JudgeConfig, judge_opinion
from adaem_tasks.opinion import ParseOutcome, opinion_prompt, parse_opinion
from adaem_tasks.testing import dispatch
from adaem_tasks.testing.openai_server import start_server
from adaem_tasks.testing.personas import parse_persona
from adaem_tasks.value_systems import load_value_system

from .synth import synth_questions

SCHWARTZ = load_value_system("schwartz")
FAST = GenerateConfig(max_retries=2, timeout=20)


def _request(url: str, body: dict[str, Any] | bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _chat(url: str, model: str, prompt: str, **extra: Any) -> tuple[int, dict[str, str], bytes]:
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], **extra}
    return _request(f"{url}/chat/completions", body)


def test_chat_completion_matches_the_dispatcher() -> None:
    question = synth_questions(1)[0]
    prompt = opinion_prompt(question)
    with start_server() as server:
        status, _, raw = _chat(server.url, "power+security", prompt)
        assert status == 200
        body = json.loads(raw)
        text = body["choices"][0]["message"]["content"]
        assert text == parse_persona("power+security").answer(question)
        assert body["object"] == "chat.completion" and body["model"] == "power+security"
        assert body["usage"] == {
            "prompt_tokens": len(prompt.split()),
            "completion_tokens": len(text.split()),
            "total_tokens": len(prompt.split()) + len(text.split()),
        }
        # the same persona under its other names, and content given as parts
        parts = [{"type": "text", "text": prompt}]
        for name in ("persona-power+security", "adaem-persona/power+security"):
            status, _, raw = _request(
                f"{server.url}/chat/completions",
                {"model": name, "messages": [{"role": "user", "content": parts}]},
            )
            assert json.loads(raw)["choices"][0]["message"]["content"] == text


def test_streaming_gives_the_same_text() -> None:
    prompt = opinion_prompt(synth_questions(2)[1])
    with start_server() as server:
        _, _, raw = _chat(server.url, "markdown-power", prompt)
        expected = json.loads(raw)["choices"][0]["message"]["content"]
        status, headers, raw = _chat(
            server.url, "markdown-power", prompt, stream=True, stream_options={"include_usage": True}
        )
        assert status == 200 and headers["Content-Type"] == "text/event-stream"
        events = [line[len("data: ") :] for line in raw.decode().split("\n\n") if line.startswith("data: ")]
        assert events[-1] == "[DONE]"
        chunks = [json.loads(e) for e in events[:-1]]
        text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
        assert text == expected
        assert chunks[-1]["usage"]["completion_tokens"] == len(expected.split())


def test_completions_endpoint_and_stop_sequences() -> None:
    prompts = [opinion_prompt(q) for q in synth_questions(2)]
    with start_server() as server:
        status, _, raw = _request(f"{server.url}/completions", {"model": "power", "prompt": prompts})
        assert status == 200
        body = json.loads(raw)
        assert [c["index"] for c in body["choices"]] == [0, 1]
        assert [c["text"] for c in body["choices"]] == [dispatch.respond("power", p) for p in prompts]
        _, _, raw = _request(
            f"{server.url}/completions", {"model": "power", "prompt": prompts[0], "stop": ["\n"]}
        )
        assert json.loads(raw)["choices"][0]["text"].startswith("Stance: ")
        assert "\n" not in json.loads(raw)["choices"][0]["text"]


def test_models_stats_and_errors() -> None:
    with start_server(max_body_bytes=2000) as server:
        status, _, raw = _request(f"{server.url}/models")
        ids = [m["id"] for m in json.loads(raw)["data"]]
        assert status == 200 and "judge-keyword" in ids
        status, _, raw = _chat(server.url, "gpt-4o", "hi")
        assert status == 404 and json.loads(raw)["error"]["code"] == "model_not_found"
        status, _, raw = _request(f"{server.url}/chat/completions", b"{not json")
        assert status == 400 and "invalid JSON" in json.loads(raw)["error"]["message"]
        status, _, _ = _chat(server.url, "power", "x" * 5000)
        assert status == 413
        status, _, _ = _request(f"{server.url}/embeddings", {"model": "power", "input": "x"})
        assert status == 404
        status, _, _ = _chat(server.url, "judge-keyword", "hello")
        assert status == 200
        stats = server.stats()
        assert stats["by_model"] == {"gpt-4o": 1, "judge-keyword": 1}  # bodies refused unread have no model
        assert stats["by_status"] == {"200": 2, "404": 2, "400": 1, "413": 1}
        _, _, raw = _request(server.url.removesuffix("/v1") + "/stats")
        assert json.loads(raw)["by_status"]["200"] == 3  # counts itself


def test_fault_injection() -> None:
    with start_server(rate_limit_every=3, error_every=4, retry_after_ms=5) as server:
        statuses, headers = [], []
        for _ in range(8):
            status, head, raw = _chat(server.url, "power", "hi")
            statuses.append(status)
            headers.append(head)
            if status == 429:
                assert json.loads(raw)["error"]["code"] == "rate_limit_exceeded"
        assert statuses == [200, 200, 429, 500, 200, 429, 200, 500]
        assert headers[2]["Retry-After"] == "0" and headers[2]["retry-after-ms"] == "5"
        assert server.stats()["by_status"] == {"200": 4, "429": 2, "500": 2}


def test_latency() -> None:
    with start_server(latency_s=0.3) as server:
        start = time.perf_counter()
        assert _chat(server.url, "power", "hi")[0] == 200
        assert time.perf_counter() - start >= 0.3


def test_requests_in_flight_are_counted() -> None:
    import threading

    with start_server(latency_s=0.3, max_concurrency=8) as server:
        threads = [threading.Thread(target=_chat, args=(server.url, "power", f"q{i}")) for i in range(5)]
        for thread in threads:
            thread.start()
        time.sleep(0.15)
        assert server.stats()["in_flight"] == 5
        for thread in threads:
            thread.join()
        stats = server.stats()
        assert stats["in_flight"] == 0 and stats["peak_in_flight"] == 5


def test_stop_releases_the_port() -> None:
    server = start_server()
    url = server.url
    assert _request(f"{url}/models")[0] == 200
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/models", timeout=2)


@pytest.fixture
def loop_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Point Inspect's ``openai-api/loop/...`` models (LOOP_BASE_URL / LOOP_API_KEY) at a server."""

    def point(url: str) -> None:
        monkeypatch.setenv("LOOP_BASE_URL", url)
        monkeypatch.setenv("LOOP_API_KEY", "test-key")

    return point


async def test_inspect_openai_api_provider(loop_env: Callable[[str], None]) -> None:
    questions = synth_questions(3)
    with start_server() as server:
        loop_env(server.url)
        examinee = get_model("openai-api/loop/power+security", config=FAST, memoize=False)
        judge = get_model("openai-api/loop/judge-keyword", config=FAST, memoize=False)
        for i, question in enumerate(questions):
            output = await examinee.generate(opinion_prompt(question))
            assert output.usage is not None and output.usage.output_tokens == len(output.completion.split())
            parsed = parse_opinion(output.completion)
            assert parsed.outcome is ParseOutcome.OK
            config = JudgeConfig(mode="single" if i == 0 else "batched", cache=False)
            result = await judge_opinion(judge, SCHWARTZ, [p.text for p in parsed.points], config)
            assert result.judge_failures == 0
            assert result.vector == parse_persona("power+security").expressed(question)
        streamed = get_model("openai-api/loop/power+security", config=FAST, memoize=False, stream=True)
        assert (await streamed.generate(opinion_prompt(questions[0]))).completion == parse_persona(
            "power+security"
        ).answer(questions[0])


@pytest.mark.parametrize("retry_after_ms", [1, None])
async def test_inspect_retries_rate_limits(
    loop_env: Callable[[str], None], retry_after_ms: int | None
) -> None:
    """Every second request is a 429; each generate still succeeds (the OpenAI client retries)."""
    questions = synth_questions(4 if retry_after_ms else 2)
    with start_server(rate_limit_every=2, retry_after_ms=retry_after_ms) as server:
        loop_env(server.url)
        model = get_model("openai-api/loop/saturating-power", config=FAST, memoize=False)
        for question in questions:
            output = await model.generate(opinion_prompt(question))
            assert output.completion == parse_persona("saturating-power").answer(question)
        stats = server.stats()
        assert stats["by_status"]["200"] == len(questions)
        assert stats["by_status"]["429"] >= len(questions) - 1


async def test_inspect_retries_server_errors(loop_env: Callable[[str], None]) -> None:
    with start_server(error_every=2) as server:
        loop_env(server.url)
        model = get_model("openai-api/loop/judge-keyword", config=FAST, memoize=False)
        for question in synth_questions(2):
            assert (await model.generate(question)).completion == dispatch.fallback_answer(
                "judge-keyword", question
            )
        assert server.stats()["by_status"]["500"] >= 1


@pytest.mark.slow
def test_cli_writes_port_file_and_stops_on_sigterm(tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adaem_tasks.testing.openai_server",
            "--port",
            "0",
            "--port-file",
            str(port_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists():
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "server did not write its port file"
            time.sleep(0.05)
        port = int(port_file.read_text())
        status, _, raw = _chat(f"http://127.0.0.1:{port}/v1", "judge-keyword", "hello")
        assert status == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
