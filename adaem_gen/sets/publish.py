"""Turning a finished run into a versioned question set (paper §3.2 end, App. C.7).

The set holds every question the run produced with a final (P2) score, after:

1. ``min_score`` (optional),
2. in-set dedup, best S first (refined questions were not deduplicated during the
   run, so two candidates can converge on the same wording),
3. removing questions that overlap the seeds or any ``--previous`` version (C.7: a
   regenerated set must not repeat the set it replaces),
4. ``top`` (optional): the N best.

It is written with :func:`adaem_tasks.questions.write_question_set` to
``<out>/set/`` and published with :func:`adaem_tasks.questions.publish_question_set`
(to ``user_set_store()/<version>``) so both harnesses load it by version
(``-T version=<version>``). A published version is never overwritten with different
content; publishing the same content again (a resumed run) is a no-op.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from statistics import mean
from typing import Any, Protocol

from pydantic import BaseModel

from adaem_gen.bandit.nodes import Node, StepStats
from adaem_gen.config import RunConfig
from adaem_gen.models import Meter
from adaem_gen.questions.parsing import normalise_question
from adaem_tasks.questions import (
    Question,
    QuestionSet,
    QuestionSetManifest,
    content_hash,
    list_question_sets,
    load_question_set,
    publish_question_set,
    write_question_set,
)

__all__ = [
    "EmptySetError",
    "FinishedRun",
    "PublishResult",
    "load_previous_texts",
    "publish_run",
    "question_id",
]


class EmptySetError(RuntimeError):
    """No generated question survived the filters; nothing was published."""


class FinishedRun(Protocol):
    """What publishing reads of a run (the generator provides it)."""

    config: RunConfig
    seeds: QuestionSet | None
    out: Path
    version: str
    created: str
    run_id: str
    meter: Meter

    @property
    def generated(self) -> list[Node]: ...
    @property
    def steps_done(self) -> int: ...
    @property
    def stats(self) -> StepStats: ...
    @property
    def embedder(self) -> Any: ...
    def seed_scores(self) -> list[float]: ...


class PublishResult(BaseModel):
    version: str
    set_dir: Path
    published_dir: Path | None
    count: int
    content_hash: str
    mean_s_new: float | None
    mean_s_seeds: float | None
    removed: dict[str, int]


def question_id(text: str) -> str:
    """Content-derived id: stable across reruns and resumes, unique within a set."""
    return "adaem-" + hashlib.sha256(normalise_question(text).lower().encode("utf-8")).hexdigest()[:12]


def load_previous_texts(previous: list[str]) -> dict[str, list[str]]:
    """Question texts per previous version (``all`` = every findable set)."""
    names = list(previous)
    if "all" in names:
        names = [n for n in names if n != "all"] + sorted(list_question_sets())
    texts: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        path = Path(name).expanduser()
        qset = load_question_set(questions=path) if path.exists() else load_question_set(version=name)
        texts[qset.version] = [q.question for q in qset.questions]
    return texts


def _to_question(node: Node) -> Question:
    extra: dict[str, Any] = {
        "score": round(float(node.score or 0.0), 6),
        "reward": node.reward.model_dump() if node.reward else None,
        "p1_score": node.p1_score,
        "seed_id": node.seed_id,
        "parent_id": node.parent,
        "depth": node.depth,
        "step": node.step,
        "generator": node.model,
        "refinements": node.refinements,
    }
    return Question(
        id=question_id(node.text),
        question=node.text,
        category=node.category,
        topic=node.topic,
        **{k: v for k, v in extra.items() if v is not None},
    )


def _set_stats(texts: list[str], embedder: Any) -> dict[str, Any]:
    try:
        from adaem_gen.sets.stats import set_stats
    except ImportError:  # pragma: no cover - the stats module ships with the package
        return {}
    try:
        stats = set_stats(texts, embedder=embedder)
    except Exception as exc:  # noqa: BLE001 - statistics must never lose a finished run
        return {"error": f"{type(exc).__name__}: {exc}"}
    return stats if isinstance(stats, dict) else dict(getattr(stats, "__dict__", {}))


def publish_run(gen: FinishedRun) -> PublishResult:
    from adaem_gen.sets.dedup import QuestionIndex, overlap_with

    cfg = gen.config
    assert gen.seeds is not None
    removed = {
        "below_min_score": 0,
        "duplicate_in_set": 0,
        "overlap_seeds": 0,
        "overlap_previous": 0,
        "beyond_top": 0,
    }
    nodes = [n for n in gen.generated if n.score is not None]
    nodes.sort(key=lambda n: (-(n.score or 0.0), n.step or 0, n.id))
    if cfg.min_score is not None:
        kept = [n for n in nodes if (n.score or 0.0) >= cfg.min_score]
        removed["below_min_score"] = len(nodes) - len(kept)
        nodes = kept
    if nodes:
        index = QuestionIndex(gen.embedder, cfg.epsilon, cfg.top_k)
        keep = index.filter_new([n.text for n in nodes])
        removed["duplicate_in_set"] = keep.count(False)
        nodes = [n for n, k in zip(nodes, keep, strict=True) if k]
    seed_texts = [q.question for q in gen.seeds.questions]
    if nodes:
        overlap = overlap_with(seed_texts, [n.text for n in nodes], cfg.epsilon, embedder=gen.embedder)
        removed["overlap_seeds"] = sum(overlap)
        nodes = [n for n, o in zip(nodes, overlap, strict=True) if not o]
    previous = load_previous_texts(cfg.previous) if cfg.previous else {}
    previous_texts = [t for texts in previous.values() for t in texts]
    if nodes and previous_texts:
        overlap = overlap_with(previous_texts, [n.text for n in nodes], cfg.epsilon, embedder=gen.embedder)
        removed["overlap_previous"] = sum(overlap)
        nodes = [n for n, o in zip(nodes, overlap, strict=True) if not o]
    if cfg.top is not None and len(nodes) > cfg.top:
        removed["beyond_top"] = len(nodes) - cfg.top
        nodes = nodes[: cfg.top]
    if not nodes:
        raise EmptySetError(f"no generated question survived the filters ({removed}); nothing to publish")
    nodes.sort(key=lambda n: (n.step or 0, n.id))
    questions = [_to_question(n) for n in nodes]
    digest = content_hash(questions)
    new_scores = [float(n.score or 0.0) for n in nodes]
    seed_scores = gen.seed_scores()
    stats: dict[str, Any] = {
        "mean_s": mean(new_scores),
        "max_s": max(new_scores),
        "mean_s_seeds": mean(seed_scores) if seed_scores else None,
        "steps": gen.steps_done,
        "seeds": len(gen.seeds.questions),
        "generated": len(gen.generated),
        "removed": removed,
        "counts": gen.stats.model_dump(),
        "failures": dict(gen.meter.total.failures),
        "usage": {m: u.model_dump() for m, u in gen.meter.total.usage.items()},
        "cost_usd": gen.meter.cost(),
        "previous_versions": sorted(previous),
        "table1": _set_stats([q.question for q in questions], gen.embedder),
    }
    manifest = QuestionSetManifest(
        version=gen.version,
        kind="adaem",
        description=cfg.description
        or f"AdAEM questions generated from {gen.seeds.version} ({cfg.value_system})",
        parent_version=gen.seeds.version,
        created=gen.created,
        models={"p1": cfg.p1, "p2": cfg.p2_models, "guard": cfg.guard, "run_id": gen.run_id},
        judge=cfg.judge,
        hyperparameters=cfg.hyperparameters(),
        seed=cfg.seed,
        stats=stats,
        value_system=cfg.value_system,
    )
    set_dir = write_question_set(gen.out / "set", manifest, questions)
    published = publish_question_set(set_dir) if cfg.publish else None
    return PublishResult(
        version=gen.version,
        set_dir=set_dir,
        published_dir=published,
        count=len(questions),
        content_hash=digest,
        mean_s_new=stats["mean_s"],
        mean_s_seeds=stats["mean_s_seeds"],
        removed=removed,
    )
