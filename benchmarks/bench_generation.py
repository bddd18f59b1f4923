"""``adaem-gen run`` throughput and CPU against the loopback OpenAI-compatible server.

Starts ``adaem_tasks/testing/openai_server.py`` (a separate process, so its CPU is not
counted) with a given latency, runs the real ``adaem-gen run`` command line with
scripted personas and the keyword judge behind it, and prints, in one run:

1. **Inspect alone** -- the CPU one judge call costs through Inspect's model API
   (openai-api provider, same server, 64 concurrent): the floor the generator adds to.
2. **CPU per model call at zero latency** (the issue's profile: 2 P1 and 4 P2 personas,
   single judge calls, defaults otherwise): a short and a long run; the *marginal* CPU
   per call (difference of the two runs' CPU over the difference of their calls: start-up,
   model loading and the seeds' scores cancel out) and each run's total CPU per call.
3. **--parallel 1 vs --parallel 8** at ``--latency`` seconds (default 1) and ``--budget``
   (default 16): calls, CPU seconds per call, wall time, calls/s and requests in flight
   (the server's peak, and the generator's own peak), and the wall-time ratio. This
   part uses the batched judge and one refinement round: with one Yes/No call per key
   point and value, eight pulls in flight ask for ~1,000 calls/s, more than Inspect's
   ~3.5 ms of CPU per call allows on two cores -- the comparison would measure the CPU
   of the machine, not the scheduling.

CPU is the generator process's user + system time (``os.wait4``), calls are the
server's count of generation requests. Run: ``python benchmarks/bench_generation.py``
(about 4-5 minutes on a 2-core machine; ``--quick`` runs part 3 at budget 4).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEEDS = [
    "Should the death penalty be abolished everywhere?",
    "Should voting be mandatory?",
    "Is nuclear energy worth the risk?",
    "Should zoos be closed?",
    "Should homework be banned?",
    "Is social media good for democracy?",
    "Should cities ban private cars?",
    "Should the rich pay more taxes?",
]
P1 = ["saturating-power+achievement", "saturating-tradition+conformity"]
P2 = [*P1, "saturating-hedonism+stimulation", "saturating-benevolence+universalism"]
JUDGE = "judge-keyword"


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url.removesuffix("/v1") + "/stats", timeout=30) as reply:
            data: dict[str, Any] = json.load(reply)
            return data


@contextmanager
def loopback(root: Path, latency: float) -> Iterator[Server]:
    port_file = root / f"port-{time.monotonic_ns()}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adaem_tasks.testing.openai_server",
            "--port-file",
            str(port_file),
            "--latency-s",
            str(latency),
            "--max-concurrency",
            "1024",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists():
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the loopback server did not start")
            time.sleep(0.05)
        yield Server(f"http://127.0.0.1:{int(port_file.read_text())}/v1", process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _env(root: Path, server: Server) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ADAEM_HOME=str(root / "home"),
        LOOP_BASE_URL=server.url,
        LOOP_API_KEY="loopback",
        INSPECT_CACHE_DIR=str(root / "inspect-cache"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


def run_generator(root: Path, latency: float, budget: int, parallel: int, *extra: str) -> dict[str, Any]:
    seeds = root / "seeds.jsonl"
    out = root / f"run-{budget}-{parallel}-{time.monotonic_ns()}"
    with loopback(root, latency) as server:
        cmd = [
            sys.executable,
            "-m",
            "adaem_gen.cli",
            "run",
            "--seeds",
            str(seeds),
            "--p1",
            ",".join(f"openai-api/loop/{p}" for p in P1),
            "--p2",
            ",".join(f"openai-api/loop/{p}" for p in P2),
            "--judge",
            f"openai-api/loop/{JUDGE}",
            "--budget",
            str(budget),
            "--parallel",
            str(parallel),
            "--max-connections",
            "512",
            "--out",
            str(out),
            "--no-publish",
            "--quiet",
            *extra,
        ]
        cpu, wall, stdout = _spawn(cmd, _env(root, server))
        stats = server.stats()
    summary = json.loads(stdout)
    calls = int(stats["generation_requests"])
    return {
        "budget": budget,
        "parallel": parallel,
        "calls": calls,
        "cpu_s": cpu,
        "cpu_ms_per_call": 1000 * cpu / calls,
        "wall_s": wall,
        "calls_per_s": calls / wall,
        "server_peak_in_flight": stats["peak_in_flight"],
        "generator_peak_in_flight": summary["throughput"]["peak_in_flight"],
        "questions": summary["count"],
        "content_hash": summary["content_hash"],
    }


def _spawn(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``cmd`` and reap it ourselves, so its rusage is its own."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd[:4])} failed ({process.returncode}): {err.read().decode()[-3000:]}"
            )
        return usage.ru_utime + usage.ru_stime, wall, out.read().decode()


INSPECT_ALONE = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from inspect_ai.model import GenerateConfig, get_model
    from adaem_tasks.judge import single_judge_prompt
    from adaem_tasks.value_systems import load_value_system

    system = load_value_system("schwartz")
    model = get_model("openai-api/loop/judge-keyword", config=GenerateConfig(max_connections=64))
    n = int(sys.argv[1])

    async def main() -> None:
        async def one(i: int) -> None:
            prompt = single_judge_prompt(system, f"Point {i}: this is about power and order.", "power")
            await model.generate(prompt, config=GenerateConfig(temperature=0.0))

        await one(-1)  # connection set up, provider imported
        cpu = time.process_time()
        await asyncio.gather(*(one(i) for i in range(n)))
        print(json.dumps({"calls": n, "cpu_s": time.process_time() - cpu}))

    asyncio.run(main())
    """
)


def inspect_alone(root: Path, calls: int) -> dict[str, Any]:
    with loopback(root, 0.0) as server:
        _cpu, _wall, stdout = _spawn([sys.executable, "-c", INSPECT_ALONE, str(calls)], _env(root, server))
    data: dict[str, Any] = json.loads(stdout)
    data["cpu_ms_per_call"] = 1000 * data["cpu_s"] / data["calls"]
    return data


def _row(label: str, r: dict[str, Any]) -> str:
    work = f"{r['calls']:>7,} calls  {r['cpu_s']:>7.1f} CPU-s  {r['cpu_ms_per_call']:>5.2f} ms/call"
    speed = f"{r['wall_s']:>7.1f} s wall  {r['calls_per_s']:>6.1f} calls/s"
    flight = (
        f"in flight: server {r['server_peak_in_flight']:>4}, generator {r['generator_peak_in_flight']:>4}"
    )
    return f"{label:<14} {work}  {speed}  {flight}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency", type=float, default=1.0, help="server latency for part 3 (s)")
    parser.add_argument("--budget", type=int, default=16, help="bandit steps for part 3")
    parser.add_argument("--quick", action="store_true", help="part 3 at budget 4, part 2 at budgets 2 and 4")
    args = parser.parse_args(argv)
    budget = 4 if args.quick else args.budget
    short, long = (2, 4) if args.quick else (2, 6)
    with tempfile.TemporaryDirectory(prefix="bench-generation-") as tmp:
        root = Path(tmp)
        (root / "seeds.jsonl").write_text(
            "".join(
                json.dumps(
                    {"id": f"s{i}", "question": q, "category": "Social and Cultural Issues", "topic": f"t{i}"}
                )
                + "\n"
                for i, q in enumerate(SEEDS)
            ),
            encoding="utf-8",
        )
        print("1. Inspect alone (the floor): 2,000 single judge calls through Inspect's model API")
        floor = inspect_alone(root, 2000)
        print(f"   {floor['cpu_ms_per_call']:.2f} ms CPU per call")

        print(
            f"\n2. zero latency, 2 P1 + 4 P2 personas, single judge, --parallel 8, budgets {short} and {long}"
        )
        a = run_generator(root, 0.0, short, 8)
        b = run_generator(root, 0.0, long, 8)
        print("   " + _row(f"budget {short}", a))
        print("   " + _row(f"budget {long}", b))
        marginal = 1000 * (b["cpu_s"] - a["cpu_s"]) / (b["calls"] - a["calls"])
        print(
            f"   marginal generator CPU per model call: {marginal:.2f} ms "
            f"({marginal / floor['cpu_ms_per_call']:.2f}x Inspect alone; "
            f"start-up, model loading and seed scores cancel out)"
        )

        print(
            f"\n3. latency {args.latency:g} s, budget {budget}, batched judge, --max-refine 1: "
            "--parallel 1 vs --parallel 8"
        )
        extra = ("--judge-mode", "batched", "--max-refine", "1")
        one = run_generator(root, args.latency, budget, 1, *extra)
        print("   " + _row("--parallel 1", one))
        eight = run_generator(root, args.latency, budget, 8, *extra)
        print("   " + _row("--parallel 8", eight))
        print(f"   --parallel 8 is {one['wall_s'] / eight['wall_s']:.2f}x faster (wall time, same budget)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
