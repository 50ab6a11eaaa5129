"""FAISS vectors keyed by chunk id, kept in step with the SQLite store and saved atomically."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

import faiss
import numpy as np

from policykb.index.store import Store

log = logging.getLogger(__name__)
_FILE = re.compile(r"^vectors\.(\d+)\.faiss$")


def vector_file(data_dir: Path, generation: int) -> Path:
    return data_dir / f"vectors.{generation}.faiss"


def _vector_files(data_dir: Path) -> list[tuple[int, Path]]:
    found = [(int(m.group(1)), p) for p in data_dir.glob("vectors.*.faiss") if (m := _FILE.match(p.name))]
    return sorted(found)


class VectorIndex:
    """Exact inner-product search over normalised vectors, with ids that are chunk ids."""

    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @property
    def size(self) -> int:
        return self.index.ntotal

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self.index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (chunk id, cosine) pairs, only among `allowed` ids when given."""
        if self.size == 0 or k <= 0:
            return []
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
            k = min(k, len(allowed))
        scores, ids = self.index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), min(k, self.size), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def save(self, path: Path) -> None:
        """Write to a temporary file, fsync it, then rename over the target: never a half-written file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            faiss.write_index(self.index, tmp)
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    @classmethod
    def load(cls, path: Path) -> "VectorIndex":
        index = faiss.read_index(str(path))
        return cls(index.d, index)


def open_vectors(store: Store, data_dir: Path, dim: int, save: bool) -> VectorIndex:
    """The FAISS index for the store's current generation, with exactly one vector per chunk.

    The store holds every vector, so an index that is missing, stale or left behind by an interrupted
    run is reconciled from it (removing and adding by chunk id) without embedding anything again.
    Writers save the result; readers (search, the web app) only use it in memory.
    """
    generation = store.generation()
    target = vector_file(data_dir, generation)
    files = _vector_files(data_dir)
    if target.exists():
        vectors = VectorIndex.load(target)
        if vectors.size == store.count_chunks():
            return vectors
        log.warning("%s holds %d vectors for %d chunks; rebuilding", target, vectors.size, store.count_chunks())
    vectors = _reconcile(store, files, dim)
    if not save:
        return vectors
    vectors.save(target)
    for _, old in files:
        if old != target:
            old.unlink(missing_ok=True)
    for stray in data_dir.glob("vectors.*.tmp"):
        stray.unlink(missing_ok=True)
    return vectors


def _reconcile(store: Store, files: list[tuple[int, Path]], dim: int) -> VectorIndex:
    vectors = None
    if files:
        try:
            vectors = VectorIndex.load(files[-1][1])
        except RuntimeError:
            log.warning("unreadable %s; rebuilding from the store", files[-1][1])
    if vectors is None or vectors.dim != dim:
        vectors = VectorIndex(dim)
    wanted = store.chunk_ids()
    have = vectors.ids()
    vectors.remove(np.setdiff1d(have, wanted))
    missing = set(np.setdiff1d(wanted, have).tolist())
    if missing:
        for ids, matrix in store.iter_vectors():
            mask = np.fromiter((i in missing for i in ids.tolist()), dtype=bool, count=len(ids))
            vectors.add(ids[mask], matrix[mask])
    return vectors
