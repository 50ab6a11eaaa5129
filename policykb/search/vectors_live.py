"""FAISS vectors brought up to date without writing the whole index again: the approximate index of an earlier
generation (the base, mapped read-only, its pages shared by every process that searches), the vectors added since in
a small index of their own, and the ids removed since, which searches pass over.

The added vectors' index has the base's lists and quantiser ranges, so each vector is assigned to the list, encoded
in the bytes and scored to the float that adding it to the base gives; a search scans the same lists of both, so it
finds what the base with the change applied finds. Only the added vectors and the removed ids are written, a few
hundred kilobytes where the whole index of a million passages is four hundred megabytes. Once the change since the
base exceeds LIVE_SHARE of it, the whole index is written again, as the term matrix is."""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path

import faiss
import numpy as np

from policykb.durable import replace_durably
from policykb.search.terms_live import LIVE_SHARE
from policykb.search.vectors import AnnSettings, VectorIndex, load_usable
from policykb.store import Store

log = logging.getLogger(__name__)
LIVE_FILE = re.compile(r"^vectors\.(\d+)\.live\.npz$")


def live_vector_file(data_dir: Path, generation: int) -> Path:
    return data_dir / f"vectors.{generation}.live.npz"


class LiveVectorIndex(VectorIndex):
    """The base's vectors less the removed ids, and the added ones: searched as one approximate index."""

    def __init__(
        self,
        base: VectorIndex,
        base_generation: int,
        added_ids: np.ndarray,
        added_vectors: np.ndarray,
        removed: np.ndarray,
    ) -> None:
        if not base.is_approximate:
            raise ValueError("a live index needs an approximate base")
        ivf = base.index
        added = faiss.IndexIVFScalarQuantizer(ivf.quantizer, ivf.d, ivf.nlist, ivf.sq.qtype, ivf.metric_type)
        added.sq, added.by_residual, added.is_trained = ivf.sq, ivf.by_residual, True
        super().__init__(base.dim, added, base.nprobe)
        self.base, self.base_generation = base, base_generation
        self.added_ids = np.asarray(added_ids, dtype=np.int64)
        self.added_vectors = np.ascontiguousarray(added_vectors, dtype=np.float32).reshape(-1, base.dim)
        self.removed = np.asarray(removed, dtype=np.int64)
        if len(self.added_ids) != len(self.added_vectors):
            raise ValueError("added ids and vectors disagree in number")
        VectorIndex.add(self, self.added_ids, self.added_vectors)
        # Searches without a filter pass over the removed ids; a filter's ids are the store's, which never holds them.
        self._removed_bits = VectorIndex.selector_for(self.removed) if len(self.removed) else None
        self._kept = faiss.IDSelectorNot(self._removed_bits) if self._removed_bits is not None else None

    @property
    def size(self) -> int:
        return self.base.size - len(self.removed) + len(self.added_ids)

    def ids(self) -> np.ndarray:
        return np.concatenate((np.setdiff1d(self.base.ids(), self.removed, assume_unique=True), self.added_ids))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        raise TypeError("a live index is not changed in place: the writer makes a new one from the store")

    remove = add

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None, selector: faiss.IDSelector | None = None
    ) -> list[tuple[int, float]]:
        """As VectorIndex.search over the base with the change applied: the best k of both indexes' best k, each
        scanning the same lists."""
        narrowed = self._narrowed(k, allowed, selector)
        if narrowed is None:
            return []
        k, selector = narrowed
        params = faiss.SearchParametersIVF(nprobe=self._probes(allowed), sel=selector or self._kept)
        found: list[tuple[int, float]] = []
        for index in (self.base.index, self.index):
            if index.ntotal:
                scores, ids = index.search(
                    np.asarray(query, dtype=np.float32).reshape(1, -1), min(k, index.ntotal), params=params
                )
                found += [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]
        # Ties as FAISS orders them within its best k: the later id first. Which of passages scored alike at the k-th
        # place is kept depends on the order a scan meets them in (added vectors after the base's here, in their own
        # list there), so there the two may keep different ones of equal score.
        found.sort(key=lambda hit: (-hit[1], -hit[0]))
        return found[:k]

    def save(self, path: Path) -> None:
        """Write the change (not the base) to a temporary file, fsync it, then rename it over `path`."""
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with open(fd, "wb") as handle:
                np.savez(
                    handle,
                    base=np.array([self.base_generation], dtype=np.int64),
                    added_ids=self.added_ids,
                    added_vectors=self.added_vectors,
                    removed=self.removed,
                )
            replace_durably(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def live_base(path: Path) -> int:
    """The generation of the base a saved live index is over."""
    with np.load(path, allow_pickle=False) as saved:
        return int(saved["base"][0])


def load_live(path: Path, dim: int, nprobe: int = AnnSettings.nprobe) -> LiveVectorIndex:
    """A live index saved by LiveVectorIndex.save, over its base beside it, mapped (FileNotFoundError when it is gone,
    ValueError when either cannot serve)."""
    with np.load(path, allow_pickle=False) as saved:
        generation = int(saved["base"][0])
        added_ids, added_vectors, removed = saved["added_ids"], saved["added_vectors"], saved["removed"]
    base_path = path.parent / f"vectors.{generation}.faiss"
    if not base_path.exists():
        raise FileNotFoundError(f"{path.name}: its base {base_path.name} is gone")
    base = VectorIndex.load(base_path, mapped=True, nprobe=nprobe)
    if (problem := base.problem_for(dim)) is not None:
        raise ValueError(f"{base_path.name} {problem}")
    if not np.isin(removed, base.ids()).all():
        raise ValueError("removed ids the base does not hold")
    return LiveVectorIndex(base, generation, added_ids, added_vectors, removed)


def live_over(
    store: Store, base_path: Path, base_generation: int, dim: int, ann: AnnSettings
) -> LiveVectorIndex | None:
    """The store's vectors as a live index over the approximate index saved at `base_path`, mapped; None when that is
    no approximate index or the change since it exceeds LIVE_SHARE of it (the whole index is written again)."""
    base = load_usable(base_path, dim, mapped=True, nprobe=ann.nprobe)
    if base is None or not base.is_approximate:
        return None
    wanted, have = store.chunk_ids(), base.ids()
    # Ids are unique: told so, numpy compares a million of them in milliseconds rather than seconds.
    removed = np.setdiff1d(have, wanted, assume_unique=True)
    added = np.setdiff1d(wanted, have, assume_unique=True)
    if len(added) + len(removed) > LIVE_SHARE * len(have):
        return None
    ids, vectors = store.vectors_for_ids(added.tolist()) if len(added) else (added, np.zeros((0, dim)))
    return LiveVectorIndex(base, base_generation, ids, vectors, removed)
