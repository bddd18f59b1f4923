"""The AdAEM generator loop (paper Alg. 2), resumable from its journal.

One bandit step ``b``:

1. pick an arm (seed topic) by UCB, unplayed arms first (:mod:`adaem_gen.bandit`);
2. for ``j = 1..N_2``: sample a parent question of that arm (seeded, depth <
   ``max_depth``) and let **every P1 model** explore from it (Listings 5-6);
3. drop unreadable answers, unsafe ones (optional guard) and duplicates (mean of
   top-k similarities to every question so far > ε, plus a lexical pre-filter);
4. per surviving candidate: estimate S with P1, refine with its author model
   (Listings 7-8) and keep refining while S gains more than τ (at most
   ``max_refine`` rounds), then the final S with P2;
5. record the step: the arm's question pool grows, ``C_i``/``Q_i`` are updated with
   the mean final S of the step's questions.

Before the first step every seed question gets its P2 score (the algorithm's input
``S_i``; also the baseline a generated set is compared with).

Reliability: each finished unit of work (an exploration, an S estimate, a
refinement round, a guard verdict) and each finished step is a journal line
(:mod:`adaem_gen.journal`). Resuming replays the step lines (rebuilding the bandit,
the pools and the dedup index, and checking that the bandit picks the recorded arm)
and serves the unit lines of the interrupted step from a memo, so nothing is lost or
paid for twice; and the Inspect response cache is scoped to the run and the unit,
so even a call cut short is answered from the cache when it had completed. A step
whose models keep raising is abandoned and retried; after ``max_failed_steps`` in a
row the run stops with the journal intact.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from inspect_ai.model import CachePolicy
from pydantic import BaseModel, Field

from adaem_gen.bandit import UCBBandit
from adaem_gen.config import ConfigError, RunConfig, config_differences
from adaem_gen.estimate import DiversityScorer, Estimate, Estimator
from adaem_gen.explore import Exploration, explore
from adaem_gen.guard import GuardVerdict, check_question
from adaem_gen.journal import Journal, JournalError
from adaem_gen.models import Ledger, Meter, MeteredModel, ModelUnavailable, ledger_scope, resolve_model
from adaem_gen.parsing import normalise_question
from adaem_gen.progress import NullDisplay, RunDisplay
from adaem_gen.refine import Refinement, refine
from adaem_gen.reward import RewardBreakdown
from adaem_gen.two_turn import TwoTurnOptions
from adaem_tasks.judge import JudgeConfig
from adaem_tasks.questions import QuestionSet, check_version_name, load_question_set, user_set_store
from adaem_tasks.value_systems import load_value_system

if TYPE_CHECKING:
    from adaem_gen.exact import ExactEstimator

__all__ = ["Generator", "Node", "RunAborted", "StepStats", "load_seeds", "text_digest"]

T = TypeVar("T")
JOURNAL_FILE = "journal.jsonl"
JOURNAL_FORMAT = 1


class RunAborted(RuntimeError):
    """The run stopped before its budget (models kept failing); ``--resume`` continues it."""


class Node(BaseModel):
    """A question in an arm's pool ``X_i`` (a seed, or one the generator produced)."""

    id: str
    text: str
    arm: int
    depth: int
    category: str
    topic: str
    seed_id: str
    parent: str | None = None
    score: float | None = Field(None, description="Final S (P2).")
    reward: RewardBreakdown | None = None
    p1_score: float | None = None
    step: int | None = None
    model: str | None = Field(None, description="The P1 model that explored it.")
    candidate: str | None = Field(None, description="The explored text before refinement.")
    argument: str | None = None
    refinements: int = 0


class StepStats(BaseModel):
    """Per-step counts; summed over steps for the progress display and the manifest."""

    explorations: int = 0
    unreadable: int = 0
    unsafe: int = 0
    duplicates: int = 0
    accepted: int = 0
    refine_rounds: int = 0
    refinements_kept: int = 0
    unsafe_refinements: int = 0

    def add(self, other: StepStats) -> None:
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class _Candidate(BaseModel):
    j: int
    mi: int
    parent: Node
    exploration: Exploration


def text_digest(text: str) -> str:
    return hashlib.sha256(normalise_question(text).encode("utf-8")).hexdigest()[:16]


def load_seeds(spec: str) -> QuestionSet:
    """Seeds by path (JSONL file or set directory) or by set version."""
    path = Path(spec).expanduser()
    if path.exists():
        return load_question_set(questions=path)
    return load_question_set(version=spec)


def _first_error(group: BaseExceptionGroup) -> BaseException:
    leaves: list[BaseException] = []

    def walk(exc: BaseException) -> None:
        if isinstance(exc, BaseExceptionGroup):
            for inner in exc.exceptions:
                walk(inner)
        else:
            leaves.append(exc)

    walk(group)
    for exc in leaves:
        if not isinstance(exc, ModelUnavailable | asyncio.CancelledError):
            return exc  # a bug or an abort: surface it as is
    return leaves[0]


async def gather_all(coros: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Run concurrently; on the first failure cancel the rest and raise that failure."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(c) for c in coros]
    except BaseExceptionGroup as errors:
        raise _first_error(errors) from None
    return [t.result() for t in tasks]


class Generator:
    """Runs Alg. 2 for one :class:`RunConfig`, journaled under ``config.out``.

    ``embedder`` / ``diversity`` / ``models`` can be injected (tests, custom
    similarity models); by default the bundled MiniLM embedder, BERTScore opinion
    diversity and Inspect models resolved from the specs are used.
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
    ) -> None:
        config.require_runnable()
        self.config = config
        self.out = Path(str(config.out))
        self.journal = Journal(self.out / JOURNAL_FILE)
        self.display: RunDisplay = display or NullDisplay()
        self.retry_wait = retry_wait
        self._embedder = embedder
        self._diversity = diversity
        self._models = dict(models or {})
        self.meter = Meter(config.prices)
        self.stats = StepStats()
        self.memo: dict[str, dict[str, Any]] = {}
        self._inflight: dict[str, asyncio.Task[dict[str, Any]]] = {}
        self.run_id = ""
        self.version = ""
        self.created = ""
        self.steps_done = 0
        self.seeds: QuestionSet | None = None
        self.arms: list[list[Node]] = []
        self.generated: list[Node] = []
        self.system = load_value_system(config.value_system)

    # -- setup -----------------------------------------------------------------------------------
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
        self.arms = [
            [Node(id=q.id, text=q.question, arm=i, depth=0, category=q.category, topic=q.topic, seed_id=q.id)]
            for i, q in enumerate(seeds.questions)
        ]
        self.bandit = UCBBandit(len(self.arms), cfg.budget)
        if self._embedder is None:
            from adaem_gen.embedding import Embedder

            # Vectors persist in the run directory: a resumed run and the publish-time
            # dedup re-embed nothing (embedding is the dominant cost of dedup on a CPU).
            self._embedder = Embedder(cache_dir=self.out / "embeddings")
        if self._diversity is None:
            from adaem_gen.opinion_diversity import OpinionDiversity

            self._diversity = OpinionDiversity()
        from adaem_gen.dedup import QuestionIndex

        self.index = QuestionIndex(self._embedder, cfg.epsilon, cfg.top_k)
        self.index.add([q.question for q in seeds.questions], [q.id for q in seeds.questions])
        self.p1 = [self._model(s) for s in cfg.p1]
        self.p2 = [self._model(s) for s in cfg.p2_models]
        self.judge = self._model(str(cfg.judge))
        self.guard = self._model(cfg.guard) if cfg.guard else None
        self.estimator: Estimator | ExactEstimator = Estimator(
            self.system,
            self.judge,
            self._diversity,
            judge_config=JudgeConfig(mode=cfg.judge_mode, max_attempts=cfg.max_attempts, cache=cfg.cache),
            points=cfg.points,
            words=cfg.words,
            temperature=cfg.temperature,
            top_p=cfg.top_p,
            max_attempts=cfg.max_attempts,
            jaccard=cfg.jaccard,
            cache_for=self._cache_for,
        )
        # --estimator exact: paper App. I's probabilities instead of C.3 (adaem_gen/exact.py)
        if cfg.estimator == "exact":
            from adaem_gen.exact import ExactEstimator

            self.estimator = ExactEstimator.from_config(
                cfg, self.system, self.judge, cache_for=self._cache_for
            )

    def _cache_for(self, scope: str) -> bool | CachePolicy:
        """Inspect cache policy for one call: scoped to this run and unit, never shared across runs.

        Its job is crash recovery (a call that completed inside a unit cut short by a
        kill is answered from the cache on resume), so entries expire after a week.
        """
        if not self.config.cache:
            return False
        return CachePolicy(expiry="1W", per_epoch=False, scopes={"adaem_run": self.run_id, "unit": scope})

    def _header(self) -> dict[str, Any]:
        assert self.seeds is not None
        return {
            "type": "header",
            "format": JOURNAL_FORMAT,
            "run_id": self.run_id,
            "version": self.version,
            "created": self.created,
            "config": self.config.model_dump(mode="json"),
            "seeds": {
                "spec": self.config.seeds,
                "version": self.seeds.version,
                "content_hash": self.seeds.manifest.content_hash or None,
                "count": len(self.seeds.questions),
                "digest": _seed_digest(self.seeds),
            },
        }

    def _check_header(self, header: dict[str, Any], seeds: QuestionSet) -> None:
        if header.get("type") != "header" or header.get("format") != JOURNAL_FORMAT:
            raise JournalError(f"{self.journal.path}: not an adaem-gen journal (format {JOURNAL_FORMAT})")
        recorded = RunConfig.model_validate(header["config"])
        diffs = config_differences(recorded, self.config)
        if diffs:
            raise ConfigError(
                "--resume with settings that differ from the journaled run: " + "; ".join(diffs)
            )
        if header["seeds"]["digest"] != _seed_digest(seeds):
            raise ConfigError(f"the seed questions ({self.config.seeds}) changed since the run started")

    # -- units -----------------------------------------------------------------------------------
    async def _unit(self, key: str, work: Callable[[], Awaitable[BaseModel]]) -> dict[str, Any]:
        """Memoised, single-flight, journaled unit of work."""
        if key in self.memo:
            return self.memo[key]
        running = self._inflight.get(key)
        if running is None:
            running = asyncio.ensure_future(self._run_unit(key, work))
            self._inflight[key] = running
            running.add_done_callback(self._unit_done(key))
        return await asyncio.shield(running)

    def _unit_done(self, key: str) -> Callable[[asyncio.Task[dict[str, Any]]], None]:
        def done(task: asyncio.Task[dict[str, Any]]) -> None:
            self._inflight.pop(key, None)
            if not task.cancelled():
                task.exception()  # retrieved: a unit orphaned by a failed step must not warn at exit

        return done

    async def _run_unit(self, key: str, work: Callable[[], Awaitable[BaseModel]]) -> dict[str, Any]:
        ledger = Ledger()
        with ledger_scope(ledger):
            result = await work()
        data = result.model_dump(mode="json")
        self.journal.append(
            {"type": "unit", "key": key, "data": data, "ledger": ledger.model_dump(mode="json")}
        )
        self.memo[key] = data
        self.meter.merge(ledger)
        return data

    @staticmethod
    def _estimate_key(text: str, models: Sequence[MeteredModel]) -> str:
        digest = hashlib.sha256("\n".join(m.spec for m in models).encode()).hexdigest()[:10]
        return f"estimate/{digest}/{text_digest(text)}"

    async def _estimate(self, text: str, models: Sequence[MeteredModel]) -> Estimate:
        key = self._estimate_key(text, models)
        data = await self._unit(key, lambda: self.estimator.estimate(text, models, scope=key))
        return Estimate.model_validate(data)

    async def _guard(self, text: str) -> GuardVerdict:
        assert self.guard is not None
        guard = self.guard
        key = f"guard/{text_digest(text)}"
        data = await self._unit(
            key,
            lambda: check_question(
                guard,
                text,
                mode=self.config.guard_mode,
                max_attempts=self.config.max_attempts,
                cache_for=self._cache_for,
                scope=key,
            ),
        )
        return GuardVerdict.model_validate(data)

    # -- seeds -----------------------------------------------------------------------------------
    async def _score_seeds(self) -> None:
        pending = [arm[0] for arm in self.arms if arm[0].score is None]
        if not pending:
            return
        limit = asyncio.Semaphore(self.config.concurrency)
        total = len(self.arms)
        done = total - len(pending)
        self.display.seeds(done, total)

        async def score(node: Node) -> None:
            nonlocal done
            async with limit:
                estimate = await self._estimate(node.text, self.p2)
            node.score, node.reward = estimate.s, estimate.reward
            done += 1
            self.display.seeds(done, total)
            self._refresh()

        await self._with_retries(
            lambda: gather_all(score(n) for n in pending if n.score is None), "scoring seeds"
        )

    # -- one step ----------------------------------------------------------------------------------
    def _sample_parent(self, arm: int, step: int, j: int) -> Node:
        eligible = [n for n in self.arms[arm] if n.depth < self.config.max_depth]
        rng = random.Random(f"{self.config.seed}/{step}/{j}")
        return rng.choice(eligible)

    def _specifics(self, arm: int, parent: Node) -> list[tuple[str, float]]:
        scored = [n for n in self.arms[arm] if n.depth > 0 and n.id != parent.id and n.score is not None]
        scored.sort(key=lambda n: (-(n.score or 0.0), n.id))
        return [(n.text, float(n.score or 0.0)) for n in scored[: self.config.n_shot]]

    def _two_turn_options(self, scope: str) -> TwoTurnOptions:
        """Sampling, retries and cache policy for explore/refine units, from the run config."""
        cfg = self.config
        return TwoTurnOptions(
            temperature=cfg.temperature,
            top_p=cfg.top_p,
            max_attempts=cfg.max_attempts,
            cache_for=self._cache_for,
            scope=scope,
        )

    async def _explore(
        self, step: int, j: int, mi: int, parent: Node, specifics: list[tuple[str, float]]
    ) -> _Candidate:
        model = self.p1[mi]
        key = f"explore/{step}/{j}/{mi}"
        data = await self._unit(
            key, lambda: explore(model, parent.text, specifics, **self._two_turn_options(key))
        )
        return _Candidate(j=j, mi=mi, parent=parent, exploration=Exploration.model_validate(data))

    async def _refine(
        self, key: str, model: MeteredModel, root: Node, text: str, background: str, est: Estimate
    ) -> Refinement:
        data = await self._unit(
            key,
            lambda: refine(
                model, self.system, root.text, text, background, est, **self._two_turn_options(key)
            ),
        )
        return Refinement.model_validate(data)

    async def _optimize(self, step: int, arm: int, cand: _Candidate, stats: StepStats) -> Node:
        """Alg. 2 lines 16-22 for one candidate question."""
        cfg = self.config
        root = self.arms[arm][0]
        text = str(cand.exploration.question)
        background = cand.exploration.argument or cand.exploration.facts[:600]
        author = self.p1[cand.mi]
        est = await self._estimate(text, self.p1)
        rounds = 0
        for r in range(1, cfg.max_refine + 1):
            stats.refine_rounds += 1
            ref = await self._refine(
                f"refine/{step}/{cand.j}/{cand.mi}/{r}", author, root, text, background, est
            )
            if (
                ref.question is None
                or normalise_question(ref.question).lower() == normalise_question(text).lower()
            ):
                break
            if self.guard is not None and (await self._guard(ref.question)).unsafe:
                stats.unsafe_refinements += 1
                break
            new = await self._estimate(ref.question, self.p1)
            if new.s - est.s > cfg.tau:  # line 19: keep refining while the gain exceeds τ
                text, est, rounds = ref.question, new, rounds + 1
                continue
            break
        stats.refinements_kept += rounds
        final = await self._estimate(text, self.p2)
        return Node(
            id=f"g{step:05d}-{cand.j}-{cand.mi}",
            text=text,
            arm=arm,
            depth=cand.parent.depth + 1,
            category=root.category,
            topic=root.topic,
            seed_id=root.id,
            parent=cand.parent.id,
            score=final.s,
            reward=final.reward,
            p1_score=est.s,
            step=step,
            model=author.spec,
            candidate=str(cand.exploration.question),
            argument=cand.exploration.argument,
            refinements=rounds,
        )

    async def _step(self, step: int) -> None:
        cfg = self.config
        arm = self.bandit.select()
        stats = StepStats()
        plans = []
        for j in range(cfg.n2):
            parent = self._sample_parent(arm, step, j)
            plans.append((j, parent, self._specifics(arm, parent)))
        candidates = await gather_all(
            self._explore(step, j, mi, parent, specifics)
            for j, parent, specifics in plans
            for mi in range(len(self.p1))
        )
        stats.explorations = len(candidates)
        readable = [c for c in candidates if c.exploration.question]
        stats.unreadable = len(candidates) - len(readable)
        if self.guard is not None and readable:
            verdicts = await gather_all(self._guard(str(c.exploration.question)) for c in readable)
            safe = [c for c, v in zip(readable, verdicts, strict=True) if not v.unsafe]
            stats.unsafe = len(readable) - len(safe)
            readable = safe
        keep = self.index.filter_new([str(c.exploration.question) for c in readable]) if readable else []
        accepted = [c for c, k in zip(readable, keep, strict=True) if k]
        stats.duplicates = len(readable) - len(accepted)
        stats.accepted = len(accepted)
        nodes = await gather_all(self._optimize(step, arm, c, stats) for c in accepted)
        record = {
            "type": "step",
            "step": step,
            "arm": arm,
            "candidates": [str(c.exploration.question) for c in accepted],
            "nodes": [n.model_dump(mode="json") for n in nodes],
            "rewards": [n.score for n in nodes],
            "stats": stats.model_dump(),
        }
        self.journal.append(record)
        self._apply_step(record)
        self.display.step(step, self.arms[arm][0].text, nodes)
        self._refresh()

    def _apply_step(self, record: dict[str, Any]) -> None:
        """Shared by the live loop and journal replay: the step's effect on the run state."""
        step, arm = int(record["step"]), int(record["arm"])
        if step != self.steps_done + 1:
            raise JournalError(
                f"{self.journal.path}: step {step} follows step {self.steps_done} (duplicate or gap)"
            )
        if self.bandit.select() != arm:
            raise JournalError(
                f"{self.journal.path}: step {step} pulled arm {arm}, but this configuration picks "
                f"{self.bandit.select()}; the journal belongs to a different run"
            )
        nodes = [Node.model_validate(n) for n in record["nodes"]]
        if record["candidates"]:
            self.index.add(record["candidates"])
        refined = [n.text for n in nodes if n.candidate is not None and n.text != n.candidate]
        if refined:
            self.index.add(
                refined, [n.id for n in nodes if n.candidate is not None and n.text != n.candidate]
            )
        self.arms[arm].extend(nodes)
        self.generated.extend(nodes)
        self.bandit.update(arm, [float(r) for r in record["rewards"] if r is not None])
        self.stats.add(StepStats.model_validate(record["stats"]))
        self.steps_done = step

    async def _with_retries(self, make: Callable[[], Awaitable[Any]], what: str) -> None:
        failures = 0
        while True:
            try:
                await make()
                return
            except ModelUnavailable as exc:
                failures += 1
                self.meter.total.fail("model_unavailable")
                if failures >= self.config.max_failed_steps:
                    raise RunAborted(
                        f"stopped while {what}: {exc} ({failures} tries in a row). The journal "
                        f"{self.journal.path} is intact; fix the model and rerun with --resume."
                    ) from exc
                self.display.message(f"retrying ({what}) after: {exc}")
                await asyncio.sleep(self.retry_wait * 2 ** (failures - 1))

    # -- state ---------------------------------------------------------------------------------------
    def _replay(self, records: Sequence[dict[str, Any]]) -> None:
        for record in records:
            kind = record.get("type")
            if kind == "unit":
                self.memo[record["key"]] = record["data"]
                self.meter.merge(Ledger.model_validate(record.get("ledger", {})))
            elif kind == "step":
                self._apply_step(record)
            elif kind in ("done", "note"):
                continue
            else:
                raise JournalError(f"{self.journal.path}: unknown record type {kind!r}")
        # seed scores come back from the memo (P2 estimates of the seed texts)
        for arm in self.arms:
            node = arm[0]
            data = self.memo.get(self._estimate_key(node.text, self.p2))
            if data is not None:
                est = Estimate.model_validate(data)
                node.score, node.reward = est.s, est.reward

    def best(self) -> Node | None:
        scored = [n for n in self.generated if n.score is not None]
        return max(scored, key=lambda n: n.score or 0.0) if scored else None

    def seed_scores(self) -> list[float]:
        return [float(a[0].score) for a in self.arms if a[0].score is not None]

    def _refresh(self) -> None:
        best = self.best()
        new = [float(n.score) for n in self.generated if n.score is not None]
        seeds = self.seed_scores()
        self.display.update(
            steps=self.steps_done,
            budget=self.config.budget,
            best=best.score if best else None,
            mean_new=sum(new) / len(new) if new else None,
            mean_seeds=sum(seeds) / len(seeds) if seeds else None,
            meter=self.meter,
            stats=self.stats,
        )

    def _published_by_other_run(self) -> bool:
        """Whether the store already holds this version from another run (checked before spending)."""
        manifest = user_set_store() / self.version / "manifest.json"
        if not manifest.is_file():
            return False
        try:
            models = json.loads(manifest.read_text(encoding="utf-8")).get("models") or {}
        except (OSError, ValueError):
            return True
        return models.get("run_id") != self.run_id

    # -- the run ---------------------------------------------------------------------------------------
    async def run(self, resume: bool = False) -> Any:
        """Run (or continue) to the budget, then build and publish the set; returns a PublishResult."""
        from adaem_gen.publish import publish_run

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
            self._check_header(header, seeds)
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
        if self.config.publish and self._published_by_other_run():
            raise ConfigError(
                f"version {self.version!r} is already published in {user_set_store()}; "
                "choose another --version"
            )
        self._setup(seeds)
        self._replay(records[1:])
        if not records:
            self.journal.append(self._header())
        self.display.start(self.config.budget, self.steps_done)
        try:
            self._refresh()
            await self._score_seeds()
            while self.steps_done < self.config.budget:
                await self._with_retries(
                    lambda: self._step(self.steps_done + 1), f"step {self.steps_done + 1}"
                )
            result = publish_run(self)
            done_record: dict[str, Any] = {
                "type": "done",
                "version": result.version,
                "content_hash": result.content_hash,
                "count": result.count,
            }
            if done_record not in records:  # resuming a finished run publishes again, idempotently
                self.journal.append(done_record)
            return result
        finally:
            self.display.stop()
            self.journal.close()


def _seed_digest(seeds: QuestionSet) -> str:
    digest = hashlib.sha256()
    for q in seeds.questions:
        digest.update(f"{q.id}\t{q.question}\t{q.category}\t{q.topic}\n".encode())
    return digest.hexdigest()[:16]
