"""FAISS vectors keyed by chunk id, kept in step with the SQLite store and saved atomically.

Below `AnnSettings.threshold` chunks the index is exact (flat inner product). From there on it is approximate: an
inverted file over k-means lists with 8-bit scalar-quantised vectors (IVF-SQ8), a quarter of the memory of flat
float32 and one list in `nlist / nprobe` scanned per query. Both keep chunk ids as FAISS ids and both add and remove
by id, so an ingest or a removal changes only its own vectors; the lists are trained again when the collection has
grown about fourfold since they were trained.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from policykb.config import Config
from policykb.durable import replace_durably
from policykb.search.damaged import set_aside

log = logging.getLogger(__name__)
UNREADABLE_VECTORS = "not a readable FAISS index (truncated, empty or damaged)"
TRAIN_POINTS_PER_LIST = 40  # k-means wants at least 39 points a list


@dataclass(frozen=True)
class AnnSettings:
    """When the index becomes approximate, and how many lists a query scans (see Config)."""

    threshold: int = Config.ann_threshold
    nprobe: int = Config.ann_nprobe

    @classmethod
    def from_config(cls, config: Config) -> AnnSettings:
        return cls(config.ann_threshold, config.ann_nprobe)


def vector_file(data_dir: Path, generation: int) -> Path:
    return data_dir / f"vectors.{generation}.faiss"


def lists_for(count: int) -> int:
    """IVF lists for `count` vectors: about 4·√count, a power of two, with enough vectors to train each."""
    lists = 2 ** round(math.log2(4 * math.sqrt(max(count, 1))))
    trainable = 2 ** int(math.log2(max(1, count // TRAIN_POINTS_PER_LIST)))
    return int(max(1, min(65536, lists, trainable)))


def within_thread_limit() -> None:
    """Plan FAISS's OpenMP threads within OMP_THREAD_LIMIT: the OpenBLAS inside FAISS spins forever in k-means and
    batch adds when the limit (inherited, e.g., from a process that set it for Tesseract) is below the threads it plans."""
    limit = os.environ.get("OMP_THREAD_LIMIT", "")
    if limit.isdigit() and 0 < int(limit) < faiss.omp_get_max_threads():
        faiss.omp_set_num_threads(int(limit))


class VectorIndex:
    """Inner-product search over normalised vectors, exact or IVF-SQ8, with ids that are chunk ids."""

    def __init__(self, dim: int, index: faiss.Index | None = None, nprobe: int = AnnSettings.nprobe) -> None:
        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.nprobe = nprobe

    @classmethod
    def approximate(cls, dim: int, lists: int, sample: np.ndarray, nprobe: int = AnnSettings.nprobe) -> VectorIndex:
        """An empty IVF-SQ8 index whose lists and quantiser ranges are trained on `sample`."""
        index = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(dim), dim, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        within_thread_limit()
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        return cls(dim, index, nprobe)

    @property
    def size(self) -> int:
        return self.index.ntotal

    @property
    def is_approximate(self) -> bool:
        return isinstance(self.index, faiss.IndexIVF)

    @property
    def lists(self) -> int:
        return self.index.nlist if self.is_approximate else 0

    def ids(self) -> np.ndarray:
        if not self.is_approximate:
            return faiss.vector_to_array(self.index.id_map).astype(np.int64)
        lists = self.index.invlists
        parts = [
            faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
            for i in range(self.index.nlist)
            if lists.list_size(i)
        ]
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            within_thread_limit()
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self.index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None, selector: faiss.IDSelector | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (chunk id, cosine) pairs, only among `allowed` ids when given (`selector`: their selector from
        `selector_for`, made once for searches that filter alike)."""
        narrowed = self._narrowed(k, allowed, selector)
        if narrowed is None:
            return []
        k, selector = narrowed
        if self.is_approximate:
            params = faiss.SearchParametersIVF(nprobe=self._probes(allowed), sel=selector)
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        scores, ids = self.index.search(
            np.asarray(query, dtype=np.float32).reshape(1, -1), min(k, self.size), params=params
        )
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def _narrowed(
        self, k: int, allowed: np.ndarray | None, selector: faiss.IDSelector | None
    ) -> tuple[int, faiss.IDSelector | None] | None:
        """The k and the selector of a search among `allowed`; None when it can find nothing (no vectors, k of 0,
        nothing allowed)."""
        if self.size == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return None
        if allowed is None:
            return k, selector
        return min(k, len(allowed)), selector or self.selector_for(allowed)

    @staticmethod
    def selector_for(allowed: np.ndarray) -> faiss.IDSelector:
        """FAISS's selector of the allowed ids: a bitmap of one bit per id up to the largest allowed (an eighth of a
        byte per passage), whose test of a vector costs one bit lookup. A hash set of the ids (IDSelectorBatch) costs
        a hash lookup for each vector an IVF search scans, which makes a filter that allows half the index, scanned
        deeper (VectorIndex._probes), cost more than the search without it (docs/BENCHMARKS.md)."""
        ids = np.asarray(allowed, dtype=np.int64)
        members = np.zeros(int(ids.max()) + 1 if len(ids) else 1, dtype=bool)
        members[ids] = True
        return faiss.IDSelectorBitmap(np.packbits(members, bitorder="little"))  # bit i of byte i // 8: id i

    def _probes(self, allowed: np.ndarray | None) -> int:
        """Lists to scan: more when a filter leaves a share of the vectors, so that its top 10 are found as well as
        the unfiltered search finds its own. 1/√share times as many do that on real vectors (a filtered top 10 lies
        among the unfiltered top 10/share, which the nearest lists mostly hold); 1/share times as many find more
        than the unfiltered search does and cost a restricted viewer twice the scan for half the index
        (decisions/0036-filtered-search-scans-by-square-root.md)."""
        share = 1.0 if allowed is None else min(1.0, len(allowed) / max(1, self.size))
        return min(self.index.nlist, max(1, math.ceil(self.nprobe / math.sqrt(share))))

    def save(self, path: Path) -> None:
        """Write to a temporary file, fsync it, then rename over the target: never a half-written file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with open(fd, "wb") as handle:  # through Python's file, so that a full disk is an OSError naming its cause
                faiss.write_index(self.index, faiss.PyCallbackIOWriter(handle.write))
            replace_durably(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, mapped: bool = False, nprobe: int = AnnSettings.nprobe) -> VectorIndex:
        """Read a saved index; `mapped` maps an approximate index's lists from the file instead (read-only, shared)."""
        index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP if mapped else 0)
        return cls(index.d, index, nprobe)

    def problem_for(self, dim: int) -> str | None:
        """Why this index cannot serve a store of `dim`-dimensional vectors keyed by chunk id; None when it can."""
        if not isinstance(self.index, (faiss.IndexIDMap, faiss.IndexIVF)):
            return f"a FAISS {type(self.index).__name__} without chunk ids, not an index policykb writes"
        if self.dim != dim:
            return f"holds {self.dim}-dimensional vectors, the store's are {dim}-dimensional"
        return None


def load_usable(path: Path, dim: int, mapped: bool = False, nprobe: int = AnnSettings.nprobe) -> VectorIndex | None:
    """The index saved at `path`, or None when there is none, or when it cannot be read or cannot serve the store
    (then it is set aside, said once, and the caller rebuilds it from the store)."""
    if not path.exists():
        return None
    try:
        vectors = VectorIndex.load(path, mapped, nprobe)
    except Exception as error:  # FAISS says RuntimeError or MemoryError for a truncated, empty or random file
        log.debug("reading %s failed", path, exc_info=error)
        set_aside(path, UNREADABLE_VECTORS)
        return None
    problem = vectors.problem_for(dim)
    if problem is not None:
        set_aside(path, problem)
        return None
    return vectors
