"""Random but realistic embeddings for the scale benchmark: clustered, anisotropic, normalised, reproducible."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import numpy as np

from policykb.search.embedder import Embedder

DIM = 384
CLUSTERS = 4096
BATCH = 20000  # rows per generated block; block b always comes from the same seed, whatever the total
# Calibrated on all-MiniLM-L6-v2 vectors of SciFact (8,039 chunks): mean cosine of random pairs 0.11 (0.11 here),
# nearest neighbour 0.78 (0.76), 10th 0.55 (0.51), 100th 0.40 (0.36); variance in the top 10 / 50 principal
# directions 29 % / 60 % (30 % / 58 %). Uniformly random vectors would have none of this structure, and IVF and
# HNSW would look worse on them than on real embeddings.
SPECTRUM = 0.4  # spread along principal direction i ∝ i^-0.4
CLUSTER_SPREAD = 0.6  # a passage's distance from its topic's centre, relative to the centres' spread
SHARED_DIRECTION = 0.4  # weight of one direction every vector shares (sentence embeddings are not centred)
CLUSTER_SKEW = 0.7  # topic sizes follow 1 / rank^0.7
QUERY_SPREAD = (
    1.0  # a query is a passage moved by noise: cosine with it about 0.71; top-1 0.71, top-10 0.42 (real: 0.64, 0.48)
)


class ClusteredVectors:
    """Vectors around CLUSTERS topic centres with a decaying spectrum, generated block by block from one seed."""

    def __init__(self, seed: int, dim: int = DIM, clusters: int = CLUSTERS) -> None:
        rng = np.random.default_rng(seed)
        self.seed, self.dim = seed, dim
        self.basis, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        scale = np.arange(1, dim + 1, dtype=np.float64) ** -SPECTRUM
        self.scale = scale / np.sqrt((scale**2).sum())
        shared = rng.standard_normal(dim)
        self.centres = self._noise(rng, clusters) + SHARED_DIRECTION * shared / np.linalg.norm(shared)
        weights = 1.0 / np.arange(1, clusters + 1) ** CLUSTER_SKEW
        self.weights = weights / weights.sum()

    def _noise(self, rng: np.random.Generator, rows: int) -> np.ndarray:
        return (rng.standard_normal((rows, self.dim)) * self.scale) @ self.basis.T

    def batches(self, count: int) -> Iterator[np.ndarray]:
        """`count` unit float32 vectors in blocks of at most BATCH rows."""
        for block, start in enumerate(range(0, count, BATCH)):
            rng = np.random.default_rng([self.seed, block])
            rows = min(BATCH, count - start)
            topics = rng.choice(len(self.centres), rows, p=self.weights)
            yield _unit(self.centres[topics] + CLUSTER_SPREAD * self._noise(rng, rows))

    def near(self, vector: np.ndarray, seed: int) -> np.ndarray:
        """A query-like vector close to `vector` (a passage), as a question is close to the passage answering it."""
        rng = np.random.default_rng([self.seed, seed, 7])
        return _unit(vector.reshape(1, -1) + QUERY_SPREAD * self._noise(rng, 1))[0]


def _unit(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


class NearbyQueryEmbedder(Embedder):
    """Query vectors without a model: each query text picks a passage vector by its hash and moves it a little.

    The same text always gives the same vector, so the product and the baseline search the same points.
    """

    def __init__(self, name: str, passages: np.ndarray, vectors: ClusteredVectors) -> None:
        self.name, self.dim = name, passages.shape[1]
        self.passages, self.vectors = passages, vectors
        self._made: dict[str, np.ndarray] = {}  # a model's cost is reported apart; this one's should not be timed

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self._made:
            key = zlib.crc32(text.encode("utf-8"))
            self._made[text] = self.vectors.near(self.passages[key % len(self.passages)], key)
        return self._made[text]

    def embed_documents(self, texts: list[str], progress=None) -> np.ndarray:
        return np.vstack([self.embed_query(text) for text in texts]) if texts else np.zeros((0, self.dim), np.float32)
