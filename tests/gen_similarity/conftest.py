"""Shared fixtures: one real MiniLM embedder / BERTScorer per test session (load once)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest

from adaem_gen.scoring.opinion_diversity import OpinionDiversity
from adaem_gen.sets.embedding import Embedder

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    from adaem_gen.sets.embedding import default_embedder

    emb = default_embedder()
    emb.encode(["warm up"])
    return emb


@pytest.fixture(scope="session")
def diversity() -> OpinionDiversity:
    return OpinionDiversity()


class VectorEmbedder:
    """Embedder double returning hand-chosen unit vectors, to test the rule's arithmetic exactly."""

    def __init__(self, table: Mapping[str, Sequence[float]]) -> None:
        self.table = {k: np.asarray(v, dtype=np.float32) / np.linalg.norm(v) for k, v in table.items()}
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.stack([self.table[t] for t in texts]) if texts else np.zeros((0, 2), dtype=np.float32)
