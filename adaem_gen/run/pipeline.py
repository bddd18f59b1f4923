"""The AdAEM generator (paper Alg. 2) for one run configuration, resumable from its journal.

:class:`Generator` wires the parts together and owns the run's lifecycle:

1. open the journal (``<out>/journal.jsonl``): a new run writes its header; ``--resume``
   checks that the settings and seeds are the journaled ones and replays the records
   (finished units into the memo, finished steps for the scheduler);
2. score every seed question with P2 (the algorithm's input ``S_i`` and the baseline a
   generated set is compared with);
3. run the bandit steps with :class:`~adaem_gen.bandit.scheduler.PullScheduler` -- up to K
   pulls (:func:`~adaem_gen.bandit.pull.run_pull`) in flight, planned, deduplicated and applied
   in step order on the :class:`~adaem_gen.bandit.search.SearchState`;
4. publish the versioned question set (:func:`~adaem_gen.sets.publish.publish_run`).

Each LLM step is a journaled unit (:mod:`adaem_gen.run.units`, :mod:`adaem_gen.bandit.steps`),
so a kill at any moment loses only unfinished work and ``--resume`` pays for nothing
twice; the Inspect response cache, scoped to the run and the unit, answers a call that
completed inside a unit cut short. A step whose models keep raising is retried, and
after ``max_failed_steps`` tries in a row the run stops with the journal intact.
"""

from __future__ import annotations

import asyncio
import gc
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adaem_gen.bandit.nodes import Node, StepStats, text_digest
from adaem_gen.bandit.pull import Admit, run_pull
from adaem_gen.bandit.scheduler import PullScheduler, RetryPolicy, RunAborted, retrying
from adaem_gen.bandit.search import PullPlan, SearchState
from adaem_gen.bandit.steps import ScoringSteps
from adaem_gen.config import ConfigError, RunConfig
from adaem_gen.models import REQUESTS, Meter, MeteredModel, resolve_model
from adaem_gen.run.journal import Journal
from adaem_gen.run.progress import NullDisplay, RunDisplay
from adaem_gen.run.records import (
    JOURNAL_FILE,
    check_header,
    header_record,
    load_seeds,
    published_by_other_run,
    replay,
)
from adaem_gen.run.throughput import Throughput
from adaem_gen.run.units import UnitRunner, gather_all, run_cache
from adaem_gen.scoring.estimate import DiversityScorer
from adaem_gen.scoring.estimators import make_estimator, require_estimator_support
from adaem_gen.sets.publish import PublishResult, publish_run
from adaem_tasks.questions import QuestionSet, check_version_name, user_set_store
from adaem_tasks.value_systems import load_value_system

__all__ = ["Generator", "Node", "RunAborted", "StepStats", "load_seeds", "text_digest"]

FSYNC_INTERVAL_S = 0.2
"""Unit records are synced to disk in groups (see :mod:`adaem_gen.run.journal`); steps at once."""
REFRESH_S = 1.0


def _torch_threads() -> int:
    """Torch threads for the similarity models: one unless ``$ADAEM_TORCH_THREADS`` says otherwise.

    See :mod:`adaem_gen.scoring.opinion_diversity`: the generator's batches are small and the
    event loop needs a core of its own.
    """
    return int(os.environ.get("ADAEM_TORCH_THREADS", "0") or 0) or 1


class Generator:
    """Runs Alg. 2 for one :class:`RunConfig`, journaled under ``config.out``.

    ``embedder`` / ``diversity`` / ``models`` can be injected (tests, custom
    similarity models); by default the bundled MiniLM embedder, BERTScore opinion
    diversity and Inspect models resolved from the specs are used.

    ``freeze_gc`` (the command line sets it) moves everything imports and model loading
    created out of the cyclic garbage collector's reach (:func:`gc.freeze`) once the run
    is set up and again after the seeds' scores: torch, transformers and Inspect leave
    ~700k long-lived objects that every full collection would walk again -- measured, a
    quarter of a zero-latency run's CPU. A process-wide setting, so not for library use.
    """

    def __init__(
        self,
        config: RunConfig,
        *,
        embedder: Any = None,
        diversity: DiversityScorer | None = None,
        models: dict[str, MeteredModel] | None = None,
        display: RunDisplay | None = None,
        retry_wait: float = 2.0,
        freeze_gc: bool = False,
    ) -> None:
        config.require_runnable()
        require_estimator_support(config)
        self.freeze_gc = freeze_gc
        self.config = config
        self.out = Path(str(config.out))
        self.journal = Journal(self.out / JOURNAL_FILE, fsync_interval=FSYNC_INTERVAL_S)
        self.display: RunDisplay = display or NullDisplay()
        self.retry_wait = retry_wait
        self._embedder = embedder
        self._diversity = diversity
        self._models = dict(models or {})
        self.meter = Meter(config.prices)
        self.units = UnitRunner(self.journal, self.meter)
        self.throughput = Throughput(REQUESTS)
        self.run_id = ""
        self.version = ""
        self.created = ""
        self.seeds: QuestionSet | None = None
        self.steps_finished = 0
        self._best_finished: float | None = None
        self._done_records: list[dict[str, Any]] = []
        self.system = load_value_system(config.value_system)

    # -- what publishing and callers read ----------------------------------------------------------
    @property
    def generated(self) -> list[Node]:
        return self.state.generated

    @property
    def stats(self) -> StepStats:
        return self.state.stats

    @property
    def steps_done(self) -> int:
        return self.state.applied

    @property
    def embedder(self) -> Any:
        return self._embedder

    def seed_scores(self) -> list[float]:
        return self.state.seed_scores()

    def best(self) -> Node | None:
        return self.state.best()

    # -- setup -------------------------------------------------------------------------------------
    def _model(self, spec: str) -> MeteredModel:
        if spec not in self._models:
            try:
                self._models[spec] = resolve_model(
                    spec,
                    max_connections=self.config.max_connections,
                    max_retries=self.config.max_retries,
                    timeout=self.config.timeout,
                    model_args=self.config.model_args.get(spec),
                )
            except Exception as exc:  # noqa: BLE001 - unknown provider, missing API key or base URL...
                raise ConfigError(f"cannot use model {spec!r}: {type(exc).__name__}: {exc}") from exc
        return self._models[spec]

    def _setup(self, seeds: QuestionSet) -> None:
        cfg = self.config
        self.seeds = seeds
        if self._embedder is None:
            from adaem_gen.sets.embedding import Embedder

            # Vectors persist in the run directory: a resumed run and the publish-time
            # dedup re-embed nothing (embedding is the dominant cost of dedup on a CPU).
            self._embedder = Embedder(cache_dir=self.out / "embeddings", threads=_torch_threads())
        if self._diversity is None:
            from adaem_gen.scoring.opinion_diversity import OpinionDiversity

            self._diversity = OpinionDiversity(threads=_torch_threads())
        from adaem_gen.sets.dedup import QuestionIndex

        self.state = SearchState(cfg, seeds, QuestionIndex(self._embedder, cfg.epsilon, cfg.top_k))
        cache_for = run_cache(self.run_id, cfg.cache)
        judge = self._model(str(cfg.judge))
        self.steps = ScoringSteps(
            cfg,
            self.units,
            system=self.system,
            p1=[self._model(s) for s in cfg.p1],
            p2=[self._model(s) for s in cfg.p2_models],
            guard=self._model(cfg.guard) if cfg.guard else None,
            estimator=make_estimator(
                cfg, system=self.system, judge=judge, diversity=self._diversity, cache_for=cache_for
            ),
            cache_for=cache_for,
        )
        self.retry = RetryPolicy(
            max_failures=cfg.max_failed_steps,
            wait=self.retry_wait,
            meter=self.meter,
            display=self.display,
            journal=self.journal.path,
        )

    # -- journal -------------------------------------------------------------------------------------
    def _open(self, resume: bool) -> list[dict[str, Any]]:
        """Read (or start) the journal; returns the records after the header."""
        records: list[dict[str, Any]] = []
        if self.journal.exists():
            if not resume:
                raise ConfigError(
                    f"{self.journal.path} already holds a run; "
                    "pass --resume to continue it or choose another --out"
                )
            records = self.journal.read(repair=True)
            if self.journal.dropped_tail:
                self.display.message(
                    "dropped a torn last journal line (an interrupted write); redoing that unit"
                )
        seeds = load_seeds(self.config.seeds)
        if records:
            header = records[0]
            check_header(header, self.config, seeds, self.journal.path)
            self.run_id, self.created = header["run_id"], header["created"]
            self.version = self.config.version or header["version"]
            done = [r for r in records if r.get("type") == "done"]
            steps = sum(1 for r in records if r.get("type") == "step")
            if done and done[-1]["version"] == self.version and self.config.budget > steps:
                raise ConfigError(
                    f"this run is complete and published as {self.version!r}; to extend it to "
                    f"{self.config.budget} steps pass --version NEW for the extended set"
                )
        else:
            self.run_id = uuid.uuid4().hex[:12]
            self.created = datetime.now(UTC).isoformat(timespec="seconds")
            self.version = self.config.version or f"adaem-{datetime.now(UTC):%Y%m%d}-{self.run_id[:6]}"
        if self.config.publish:
            check_version_name(self.version)  # a reserved (shipped) or malformed name: refuse before spending
        if self.config.publish and published_by_other_run(self.version, self.run_id):
            raise ConfigError(
                f"version {self.version!r} is already published in {user_set_store()}; "
                "choose another --version"
            )
        self._setup(seeds)
        if not records:
            header = header_record(
                run_id=self.run_id,
                version=self.version,
                created=self.created,
                config=self.config,
                seeds=seeds,
            )
            self.journal.append(header, durable=True)
        return records[1:]

    def _freeze_gc(self) -> None:
        if self.freeze_gc:
            gc.collect()
            gc.freeze()

    def _replay(self, records: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
        """Finished units to the unit runner; returns the finished steps by number (for the scheduler)."""
        offsets = self.journal.offsets[-len(records) :] if records else []
        replayed = replay(records, offsets, self.units, self.journal.path)
        self._done_records = replayed.done
        for arm in self.state.arms:  # seed scores come back from the memo (P2 estimates of the seed texts)
            estimate = self.steps.known_estimate(arm[0].text, self.steps.p2)
            if estimate is not None:
                arm[0].score, arm[0].reward = estimate.s, estimate.reward
        self.steps_finished = len(replayed.steps)
        return replayed.steps

    # -- the work ------------------------------------------------------------------------------------
    async def _score_seeds(self) -> None:
        pending = [arm[0] for arm in self.state.arms if arm[0].score is None]
        if not pending:
            return
        limit = asyncio.Semaphore(self.config.concurrency)
        total = len(self.state.arms)
        done = total - len(pending)
        self.display.seeds(done, total)

        async def score(node: Node) -> None:
            nonlocal done
            async with limit:
                estimate = await self.steps.estimate(node.text, self.steps.p2)
            node.score, node.reward = estimate.s, estimate.reward
            done += 1
            self.display.seeds(done, total)

        await retrying(
            lambda: gather_all(score(n) for n in pending if n.score is None), "scoring seeds", self.retry
        )

    async def _pull(self, plan: PullPlan, admit: Admit) -> dict[str, Any]:
        return await run_pull(plan, self.steps, admit)

    def _step_finished(self, record: dict[str, Any]) -> None:
        """A pull finished: journal its step (synced at once) and show it."""
        self.journal.append(record, durable=True)
        self.steps_finished += 1
        scores = [float(r) for r in record["rewards"] if r is not None]
        if scores:
            self._best_finished = max([*scores, self._best_finished or -float("inf")])
        arm = int(record["arm"])
        nodes = [Node.model_validate(n) for n in record["nodes"]]
        self.display.step(int(record["step"]), self.state.arms[arm][0].text, nodes)
        self._refresh()

    async def _search(self, recorded: dict[int, dict[str, Any]]) -> None:
        """Alg. 2's loop over the budget (overridable: tests compare it with a reference loop)."""
        scheduler = PullScheduler(
            self.state,
            self._pull,
            last=max(self.config.budget, max(recorded, default=0)),
            recorded=recorded,
            retry=self.retry,
            on_finished=self._step_finished,
        )
        await scheduler.run()

    # -- display -------------------------------------------------------------------------------------
    def _refresh(self) -> None:
        new = [float(n.score) for n in self.state.generated if n.score is not None]
        best = self.best()
        known = [x for x in (best.score if best else None, self._best_finished) if x is not None]
        seeds = self.seed_scores()
        self.display.update(
            steps=self.steps_finished,
            budget=self.config.budget,
            best=max(known) if known else None,
            mean_new=sum(new) / len(new) if new else None,
            mean_seeds=sum(seeds) / len(seeds) if seeds else None,
            meter=self.meter,
            stats=self.state.stats,
            **self.throughput.snapshot(self.steps_finished, self.config.budget, self.meter.cost()),
        )

    async def _keep_refreshing(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_S)
            self._refresh()

    def summary(self) -> dict[str, Any]:
        """This session's throughput and the run's cost, for the end-of-run report."""
        return {
            **self.throughput.summary(),
            "journaled_calls": self.meter.calls,
            "judge_calls_reused": self.meter.total.reused,
            "cost_usd": self.meter.cost(),
        }

    # -- the run -------------------------------------------------------------------------------------
    async def run(self, resume: bool = False) -> PublishResult:
        """Run (or continue) to the budget, then build and publish the set."""
        records = self._open(resume)
        recorded = self._replay(records)
        del records[:]  # replayed: the scheduler keeps the step records, the units stay in the journal
        self._freeze_gc()
        self.display.start(self.config.budget, self.steps_finished)
        ticker = asyncio.ensure_future(self._keep_refreshing())
        try:
            self._refresh()
            await self._score_seeds()
            self._freeze_gc()
            self.throughput.steps_started(self.steps_finished, self.meter.cost())
            await self._search(recorded)
            self._refresh()
            result = publish_run(self)
            done_record: dict[str, Any] = {
                "type": "done",
                "version": result.version,
                "content_hash": result.content_hash,
                "count": result.count,
            }
            if done_record not in self._done_records:  # a finished run resumed publishes again, idempotently
                self.journal.append(done_record, durable=True)
            return result
        finally:
            ticker.cancel()
            self.display.stop()
            self.journal.close()
