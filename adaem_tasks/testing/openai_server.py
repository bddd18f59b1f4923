"""A loopback OpenAI-compatible HTTP server in front of the scripted personas and judges.

It lets tests drive the real client paths -- Inspect's ``openai-api`` provider,
lm-eval's ``local-chat-completions`` / ``local-completions`` -- offline, including
their handling of rate limits and server errors. It binds to 127.0.0.1 only.

Endpoints: ``POST /v1/chat/completions`` (also ``stream: true`` as server-sent
events), ``POST /v1/completions``, ``GET /v1/models``, ``GET /stats``. The request's
``model`` field picks the answerer through :meth:`Dispatcher.respond`
(``judge-keyword``, ``adaem-judge/keyword``, ``persona-power``, ``power``, ...).

Log-probabilities, as OpenAI / vLLM return them, from the scripted model of
:mod:`adaem_tasks.testing.logprobs`: ``logprobs: true`` (+ ``top_logprobs``) on chat and
``logprobs: N`` on completions give per-token log-probabilities of the answer (a scripted
judge's Yes/No carries its first-token distribution); ``prompt_logprobs: N`` (vLLM's
extension, sent by Inspect's ``prompt_logprobs`` option) scores the prompt tokens: at the
top level of a chat response, inside each completions choice. The chat "template" joins
the message contents with newlines; a trailing assistant message is scored as the end of
the prompt with ``continue_final_message: true`` (vLLM's flag) and is followed by an
end-of-turn token otherwise. ``logprobs=False`` makes the server ignore those requests, as
servers without log-probabilities do.

Fault injection, counted over the generation requests (1-based ``n``):
``rate_limit_every=N`` answers request ``n`` with HTTP 429 when ``n % N == 0``
(``Retry-After: 0`` and an OpenAI-style error body; ``retry_after_ms`` adds a
``retry-after-ms`` header, which the OpenAI SDK prefers, to make retries instant),
``error_every=N`` answers HTTP 500 likewise, and ``latency_s`` delays every answer.
``max_concurrency`` caps the generation requests served at once (the rest queue);
``GET /stats`` also reports ``in_flight`` and ``peak_in_flight`` (requests being served).

Python: ``with start_server(rate_limit_every=2) as server: ... server.url ...``.
CLI (console script ``adaem-test-server``, or ``python -m adaem_tasks.testing.openai_server``):
``adaem-test-server --port 8000`` serves until SIGTERM/SIGINT; ``--port 0 --port-file FILE``
takes any free port and writes it to FILE; ``--detach --pid-file FILE`` serves from a
background process and returns once it listens (stop it with ``kill $(cat FILE)``).
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from adaem_tasks.cli_types import arg_float, arg_int, number
from adaem_tasks.testing.dispatch import Dispatcher, join_conversation, resolve
from adaem_tasks.testing.judges import JUDGE_KINDS
from adaem_tasks.testing.logprobs import chat_logprobs, completion_logprobs, vllm_prompt_logprobs

__all__ = ["ServerHandle", "ServerOptions", "main", "start_server"]

_MODULE = "adaem_tasks.testing.openai_server"  # what --detach runs (``__name__`` is __main__ under -m)

_LISTED_MODELS = [f"judge-{k}" for k in JUDGE_KINDS] + ["power", "saturating-power", "refuser"]
_END_OF_TURN = "<|end|>"


MAX_WAIT_S = 3600.0
"""The longest ``latency_s`` / ``socket_timeout_s``: a test double that waits longer is a hang."""

_INT_RANGES: dict[str, tuple[int, int | None]] = {
    "rate_limit_every": (0, None),  # 0 (or None): never
    "error_every": (0, None),
    "retry_after_ms": (0, None),
    "max_body_bytes": (1, None),
    "max_concurrency": (1, None),  # 0 would make every request wait forever
}


@dataclass(frozen=True)
class ServerOptions:
    """How the server behaves; every number is checked (one ``InputError`` line), so it always answers."""

    rate_limit_every: int | None = None
    error_every: int | None = None
    latency_s: float = 0.0
    retry_after_ms: int | None = None
    max_body_bytes: int = 8 * 1024 * 1024
    max_concurrency: int = 64
    socket_timeout_s: float = 30.0
    logprobs: bool = True  # False: ignore logprobs / prompt_logprobs requests, like a server without them

    def __post_init__(self) -> None:
        for name, (low, high) in _INT_RANGES.items():
            if getattr(self, name) is not None:
                number(name, getattr(self, name), "int", low=low, high=high)
        number("latency_s", self.latency_s, low=0.0, high=MAX_WAIT_S)
        # a socket timeout of 0 would make every read fail at once
        number("socket_timeout_s", self.socket_timeout_s, low=0.0, high=MAX_WAIT_S, low_open=True)


class _Stats:
    """Request counters, read through ``GET /stats`` and :meth:`ServerHandle.stats`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.generation_requests = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.by_model: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.by_path: Counter[str] = Counter()

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def next_generation(self) -> int:
        with self._lock:
            self.generation_requests += 1
            return self.generation_requests

    def record(self, path: str, status: int, model: str | None) -> None:
        with self._lock:
            self.by_path[path] += 1
            self.by_status[status] += 1
            if model is not None:
                self.by_model[model] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": sum(self.by_path.values()),
                "generation_requests": self.generation_requests,
                "in_flight": self.in_flight,
                "peak_in_flight": self.peak_in_flight,
                "by_model": dict(self.by_model),
                "by_status": {str(k): v for k, v in self.by_status.items()},
                "by_path": dict(self.by_path),
            }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # the default backlog (5) drops bursts of concurrent judge calls for ~1 s

    def __init__(self, port: int, options: ServerOptions) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.options = options
        self.stats = _Stats()
        self.dispatcher = Dispatcher()
        self.slots = threading.BoundedSemaphore(options.max_concurrency)


def _words(text: str) -> int:
    return len(text.split())


def _content_text(content: Any) -> str:
    """Chat message content: a string or a list of parts (only text parts are read)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text"
        )
    return ""


def _apply_stop(text: str, stop: Any) -> str:
    """Cut at the first stop sequence, as real servers do."""
    stops = [stop] if isinstance(stop, str) else [s for s in stop or [] if isinstance(s, str) and s]
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=len(text))
    return text[:cut]


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _chat_events(
    ident: str, created: int, model: str, text: str, usage: dict[str, int], include_usage: bool
) -> list[str]:
    """A chat completion as ``chat.completion.chunk`` events: role, one chunk per line, finish, usage."""

    def chunk(choices: list[dict[str, Any]], **extra: Any) -> str:
        base = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model}
        return json.dumps(base | {"choices": choices} | extra)

    def delta(content: dict[str, Any], finish: str | None = None) -> str:
        return chunk([{"index": 0, "delta": content, "finish_reason": finish, "logprobs": None}])

    lines = text.split("\n")
    events = [delta({"role": "assistant", "content": ""})]
    events += [
        delta({"content": line + ("\n" if i < len(lines) - 1 else "")}) for i, line in enumerate(lines)
    ]
    events.append(delta({}, "stop"))
    if include_usage:
        events.append(chunk([], usage=usage))
    events.append("[DONE]")
    return events


class _HTTPError(Exception):
    def __init__(self, status: int, message: str, type_: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.code = code


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers after stop()
    server_version = "adaem-loopback/1"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.options.socket_timeout_s)  # a stalled client frees its thread

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read /stats instead
        pass

    # -- plumbing ----------------------------------------------------------------------------------------

    def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_events(self, events: list[str]) -> None:
        """Server-sent events; the HTTP/1.0 connection close ends the stream."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for event in events:
            self.wfile.write(f"data: {event}\n\n".encode())
        self.wfile.flush()

    def _send_error(self, err: _HTTPError, headers: dict[str, str] | None = None) -> None:
        body = {"error": {"message": err.message, "type": err.type, "param": None, "code": err.code}}
        self._send_json(err.status, body, headers)

    def _read_json(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise _HTTPError(400, "bad Content-Length", "invalid_request_error") from None
        if length > self.server.options.max_body_bytes:
            raise _HTTPError(
                413, f"request body over {self.server.options.max_body_bytes} bytes", "invalid_request_error"
            )
        try:
            raw = self.rfile.read(length) if length > 0 else b""
        except TimeoutError:  # a Content-Length larger than the body sent: answer, do not wait on
            raise _HTTPError(
                408, f"request body shorter than its Content-Length ({length})", "invalid_request_error"
            ) from None
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError as exc:
            raise _HTTPError(400, f"invalid JSON body: {exc.msg}", "invalid_request_error") from None
        if not isinstance(body, dict):
            raise _HTTPError(400, "the JSON body must be an object", "invalid_request_error")
        return body

    # -- routes ------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/stats":
            self.server.stats.record(path, 200, None)
            self._send_json(200, self.server.stats.snapshot())
        elif path in ("/v1/models", "/models"):
            self.server.stats.record(path, 200, None)
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "adaem-testing"}
                for m in _LISTED_MODELS
            ]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self.server.stats.record(path, 404, None)
            self._send_error(_HTTPError(404, f"no route {path!r}", "invalid_request_error", "not_found"))

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        routes = {"/v1/chat/completions": self._chat, "/v1/completions": self._completions}
        handler = routes.get(path)
        model: str | None = None
        with self.server.slots:
            self.server.stats.enter()
            try:
                if handler is None:
                    raise _HTTPError(404, f"no route {path!r}", "invalid_request_error", "not_found")
                body = self._read_json()
                model = str(body.get("model", ""))
                self._inject_faults()
                try:
                    resolve(model)
                except ValueError as exc:
                    raise _HTTPError(404, str(exc), "invalid_request_error", "model_not_found") from None
                if self.server.options.latency_s > 0:
                    time.sleep(self.server.options.latency_s)
                try:
                    reply = handler(body, model)
                except _HTTPError:
                    raise
                except Exception as exc:  # a bug in a script must reach the client, not kill the thread
                    raise _HTTPError(500, f"scripted model failed: {exc!r}", "server_error") from exc
            except _HTTPError as err:
                # count before answering: a client that reads /stats right after its reply must see it
                self.server.stats.record(path, err.status, model)
                self.server.stats.leave()
                headers = {"Retry-After": "0"} if err.status == 429 else {}
                if err.status == 429 and self.server.options.retry_after_ms is not None:
                    headers["retry-after-ms"] = str(self.server.options.retry_after_ms)
                self._send_error(err, headers)
                return
            self.server.stats.record(path, 200, model)
            self.server.stats.leave()
            if isinstance(reply, list):
                self._send_events(reply)
            else:
                self._send_json(200, reply)

    def _inject_faults(self) -> None:
        options = self.server.options
        n = self.server.stats.next_generation()
        if options.rate_limit_every and n % options.rate_limit_every == 0:
            raise _HTTPError(
                429, "Rate limit reached (injected by the loopback server)", "requests", "rate_limit_exceeded"
            )
        if options.error_every and n % options.error_every == 0:
            raise _HTTPError(500, "Internal server error (injected by the loopback server)", "server_error")

    def _chat(self, body: dict[str, Any], model: str) -> dict[str, Any] | list[str]:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _HTTPError(400, "'messages' must be a non-empty list", "invalid_request_error")
        users = [
            _content_text(m.get("content"))
            for m in messages
            if isinstance(m, dict) and m.get("role") == "user"
        ]
        systems = [
            _content_text(m.get("content"))
            for m in messages
            if isinstance(m, dict) and m.get("role") in ("system", "developer")
        ]
        prompt = (
            users[-1]
            if users
            else _content_text(messages[-1].get("content") if isinstance(messages[-1], dict) else "")
        )
        turns = [
            _content_text(m.get("content"))
            for m in messages
            if isinstance(m, dict) and m.get("role") in ("user", "assistant")
        ]
        text = self.server.dispatcher.respond(
            model, prompt, "\n".join(systems) or None, join_conversation(turns)
        )
        text = _apply_stop(text, body.get("stop"))
        prompt_tokens = sum(_words(_content_text(m.get("content"))) for m in messages if isinstance(m, dict))
        usage = _usage(prompt_tokens, _words(text))
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return _chat_events(ident, created, model, text, usage, include_usage)
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": text},
            "finish_reason": "stop",
            "logprobs": None,
        }
        logprobs = self.server.options.logprobs
        if body.get("logprobs") and logprobs:
            first = self._first_token_distribution(model, prompt, text)
            choice["logprobs"] = chat_logprobs(model, text, int(body.get("top_logprobs") or 0), first)
        reply: dict[str, Any] = {
            "id": ident,
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [choice],
            "usage": usage,
        }
        if body.get("prompt_logprobs") is not None and logprobs:
            reply["prompt_logprobs"] = vllm_prompt_logprobs(model, self._chat_template(messages, body))
        return reply

    def _first_token_distribution(self, model: str, prompt: str, answer: str) -> dict[str, float] | None:
        """The answering judge's first-token probabilities (personas judge with the keyword judge)."""
        return self.server.dispatcher.judge(resolve(model).judge or "keyword").first_token_distribution(
            prompt, answer
        )

    @staticmethod
    def _chat_template(messages: list[Any], body: dict[str, Any]) -> str:
        """The scripted chat template: message contents joined by newlines (see the module docstring)."""
        contents = [_content_text(m.get("content")) for m in messages if isinstance(m, dict)]
        text = "\n".join(contents)
        last = messages[-1] if isinstance(messages[-1], dict) else {}
        if last.get("role") == "assistant" and not body.get("continue_final_message"):
            text += "\n" + _END_OF_TURN
        return text

    def _completions(self, body: dict[str, Any], model: str) -> dict[str, Any] | list[str]:
        raw = body.get("prompt", "")
        prompts = [raw] if isinstance(raw, str) else raw
        if not isinstance(prompts, list) or not all(isinstance(p, str) for p in prompts):
            raise _HTTPError(400, "'prompt' must be a string or a list of strings", "invalid_request_error")
        choices, prompt_tokens, completion_tokens = [], 0, 0
        for i, prompt in enumerate(prompts):
            text = _apply_stop(self.server.dispatcher.respond(model, prompt), body.get("stop"))
            choice: dict[str, Any] = {"index": i, "text": text, "finish_reason": "stop", "logprobs": None}
            if body.get("logprobs") is not None and self.server.options.logprobs:
                first = self._first_token_distribution(model, prompt, text)
                choice["logprobs"] = completion_logprobs(model, text, int(body["logprobs"]), first)
            if body.get("prompt_logprobs") is not None and self.server.options.logprobs:
                choice["prompt_logprobs"] = vllm_prompt_logprobs(model, prompt)
            choices.append(choice)
            prompt_tokens += _words(prompt)
            completion_tokens += _words(text)
        return {
            "id": f"cmpl-{uuid.uuid4().hex[:24]}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": model,
            "choices": choices,
            "usage": _usage(prompt_tokens, completion_tokens),
        }


class ServerHandle:
    """A running loopback server; a context manager that stops it on exit."""

    def __init__(self, server: _Server, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for OpenAI clients, e.g. ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def dispatcher(self) -> Dispatcher:
        return self._server.dispatcher

    def stats(self) -> dict[str, Any]:
        """Request counts: total, per model, per HTTP status, per path."""
        return self._server.stats.snapshot()

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_server(port: int = 0, **options: Any) -> ServerHandle:
    """Start a server on 127.0.0.1 (``port=0``: any free port) in a background thread.

    ``options`` are the fields of :class:`ServerOptions` (``rate_limit_every``,
    ``error_every``, ``latency_s``, ``retry_after_ms``, ``max_body_bytes``,
    ``max_concurrency``, ``socket_timeout_s``, ``logprobs``).
    """
    server = _Server(port, ServerOptions(**options))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="adaem-loopback-openai", daemon=True
    )
    thread.start()
    return ServerHandle(server, thread)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adaem-test-server",
        description="A loopback OpenAI-compatible server in front of AdAEM's scripted personas and judges "
        "(offline dry runs and tests; binds 127.0.0.1 only).",
    )
    parser.add_argument(
        "--port", type=arg_int(0, 65535), default=0, help="port on 127.0.0.1 (0: any free port)"
    )
    parser.add_argument("--port-file", type=Path, help="write the bound port to this file once listening")
    parser.add_argument(
        "--detach", action="store_true", help="serve from a background process; return once it listens"
    )
    parser.add_argument("--pid-file", type=Path, help="with --detach: write the server's process id here")
    ints = {name: arg_int(low, high) for name, (low, high) in _INT_RANGES.items()}
    parser.add_argument(
        "--rate-limit-every",
        type=ints["rate_limit_every"],
        default=None,
        help="every Nth request gets HTTP 429 (0: never)",
    )
    parser.add_argument(
        "--error-every",
        type=ints["error_every"],
        default=None,
        help="every Nth request gets HTTP 500 (0: never)",
    )
    parser.add_argument(
        "--latency-s",
        type=arg_float(0.0, MAX_WAIT_S),
        default=0.0,
        help=f"delay before every answer (0 to {MAX_WAIT_S:g} s)",
    )
    parser.add_argument(
        "--retry-after-ms", type=ints["retry_after_ms"], default=None, help="also send retry-after-ms on 429s"
    )
    parser.add_argument(
        "--max-concurrency",
        type=ints["max_concurrency"],
        default=64,
        help="generation requests served at once, 1 or more (the rest wait)",
    )
    return parser


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # a reader never sees a half-written file


def _write_files(args: argparse.Namespace, port: int, pid: int | None) -> bool:
    """Write ``--port-file`` (and ``--pid-file`` for a detached server); one error line if one cannot be."""
    wanted = [(args.port_file, port), (args.pid_file if pid is not None else None, pid)]
    for path, value in wanted:
        if path is None:
            continue
        try:
            _write_atomic(path, f"{value}\n")
        except OSError as exc:
            print(f"adaem-test-server: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
            return False
    return True


def _fault_flags(args: argparse.Namespace) -> list[str]:
    flags = []
    for name in ("rate_limit_every", "error_every", "latency_s", "retry_after_ms", "max_concurrency"):
        value = getattr(args, name)
        if value is not None and value != 0.0:
            flags += [f"--{name.replace('_', '-')}", str(value)]
    return flags


def _serve_detached(args: argparse.Namespace, ready_timeout_s: float = 30.0) -> int:
    """Run the server in its own session (it outlives this command and the shell's Ctrl-C)."""
    with tempfile.TemporaryDirectory(prefix="adaem-test-server-") as tmp:
        port_file = Path(tmp) / "port"
        errors = Path(tmp) / "stderr"
        command = [sys.executable, "-m", _MODULE, "--port", str(args.port), "--port-file", str(port_file)]
        with errors.open("w", encoding="utf-8") as err:
            child = subprocess.Popen(
                command + _fault_flags(args),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )
        deadline = time.monotonic() + ready_timeout_s
        while not port_file.exists():
            if child.poll() is not None or time.monotonic() > deadline:
                if child.poll() is None:
                    child.terminate()
                lines = errors.read_text(encoding="utf-8").strip().splitlines()
                reason = lines[-1] if lines else f"no server listening after {ready_timeout_s:.0f} s"
                prefix = "" if reason.startswith("adaem-test-server:") else "adaem-test-server: "
                print(prefix + reason, file=sys.stderr)
                return 2
            time.sleep(0.05)
        port = int(port_file.read_text(encoding="utf-8"))
    if not _write_files(args, port, child.pid):
        child.terminate()  # nobody could find or stop a server whose files were not written
        child.wait()
        return 2
    print(f"serving http://127.0.0.1:{port}/v1 (pid {child.pid}; stop it with: kill {child.pid})", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``adaem-test-server``: serve until SIGTERM/SIGINT, or with ``--detach`` in the background."""
    args = _build_parser().parse_args(argv)
    if args.detach:
        return _serve_detached(args)
    try:
        handle = start_server(
            args.port,
            rate_limit_every=args.rate_limit_every,
            error_every=args.error_every,
            latency_s=args.latency_s,
            retry_after_ms=args.retry_after_ms,
            max_concurrency=args.max_concurrency,
        )
    except OSError as exc:
        print(
            f"adaem-test-server: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if not _write_files(args, handle.port, None):
        handle.stop()
        return 2
    print(f"serving {handle.url}", flush=True)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        handle.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
