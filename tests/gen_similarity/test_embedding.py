"""The bundled MiniLM loads offline; vectors are unit-norm, cached, and other models load by path or id."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from adaem_gen.sets.embedding import (
    DEFAULT_MODEL_NAME,
    Embedder,
    EmbeddingModelError,
    available_cpus,
    configure_torch_threads,
    model_path,
)


def test_bundled_model_is_found() -> None:
    path = model_path()
    assert (path / "config.json").is_file() and (path / "model.safetensors").is_file()
    assert Embedder().source == "bundled" and Embedder().name == DEFAULT_MODEL_NAME


def test_encode_shapes_norms_and_meaning(embedder: Embedder) -> None:
    texts = [
        "Should payday loans be banned?",
        "Should payday lending be prohibited?",
        "Is football the most popular sport in Brazil?",
        "Should payday loans be banned?",
    ]
    vecs = embedder.encode(texts)
    assert vecs.shape == (4, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vecs[0], vecs[3])
    sims = vecs @ vecs.T
    assert sims[0, 1] > 0.8 and sims[0, 2] < 0.3
    assert embedder.encode([]).shape == (0, 384)


def test_memory_cache_embeds_each_text_once(monkeypatch: pytest.MonkeyPatch, embedder: Embedder) -> None:
    seen: list[list[str]] = []
    original = embedder._encode_uncached

    def spy(texts: list[str]) -> np.ndarray:
        seen.append(list(texts))
        return original(texts)

    monkeypatch.setattr(embedder, "_encode_uncached", spy)
    first = embedder.encode(["cache probe one", "cache probe two", "cache probe one"])
    again = embedder.encode(["cache probe two", "cache probe one"])
    assert seen == [["cache probe one", "cache probe two"]]
    assert np.array_equal(first[1], again[0])


def test_disk_cache_survives_a_new_embedder(tmp_path: Path, embedder: Embedder) -> None:
    first = Embedder(cache_dir=tmp_path)
    first._model = embedder.model  # share the loaded weights: this test is about the cache
    first.precision = embedder.precision
    vecs = first.encode(["a question kept on disk?"])
    assert list(tmp_path.glob("embeddings-*.sqlite"))
    second = Embedder(cache_dir=tmp_path)
    second._model = embedder.model
    second.precision = embedder.precision

    def fail(texts: list[str]) -> np.ndarray:
        raise AssertionError(f"re-embedded {texts}")

    second._encode_uncached = fail  # type: ignore[method-assign]
    assert np.array_equal(second.encode(["a question kept on disk?"]), vecs)


def _fake_hub_cache(root: Path, repo: str) -> Path:
    """A Hugging Face cache holding the bundled model under ``repo`` (no network involved)."""
    org, name = repo.split("/")
    revision = "0123456789abcdef0123456789abcdef01234567"
    entry = root / f"models--{org}--{name}"
    snapshot = entry / "snapshots" / revision
    for file in model_path().rglob("*"):
        if file.is_file():
            target = snapshot / file.relative_to(model_path())
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(file, target)
    (entry / "refs").mkdir(parents=True)
    (entry / "refs" / "main").write_text(revision)
    return root


def test_hub_id_loads_from_the_local_cache_only(tmp_path: Path, embedder: Embedder) -> None:
    cache = _fake_hub_cache(tmp_path / "hub", "example-org/minilm-copy")
    by_id = Embedder("example-org/minilm-copy", hf_cache_dir=cache, precision="fp32")
    assert by_id.source == "hub" and by_id.name == "example-org/minilm-copy"
    vec = by_id.encode(["Should payday loans be banned?"])
    assert vec.shape == (1, 384)
    assert float(vec[0] @ embedder.encode(["Should payday loans be banned?"])[0]) > 0.999
    missing = Embedder("example-org/not-downloaded", hf_cache_dir=cache)
    with pytest.raises(EmbeddingModelError, match="not in the local Hugging Face cache"):
        missing.encode(["x"])


def test_local_path_and_bad_paths(tmp_path: Path) -> None:
    local = Embedder(model_path(), precision="fp32")
    assert local.source == "path" and local.encode(["hello"]).shape == (1, 384)
    with pytest.raises(EmbeddingModelError, match="does not exist"):
        Embedder(str(tmp_path / "no" / "such" / "model"))
    (tmp_path / "file.bin").write_text("x")
    with pytest.raises(EmbeddingModelError, match="not a directory"):
        Embedder(tmp_path / "file.bin")
    with pytest.raises(ValueError, match="precision"):
        Embedder(precision="fp8").encode(["x"])  # type: ignore[arg-type]


def test_threads_never_exceed_usable_cpus() -> None:
    import torch

    assert configure_torch_threads(10_000) == available_cpus() == torch.get_num_threads()
