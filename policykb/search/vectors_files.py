"""A generation's FAISS index on disk: written by ingest after every change (open_vectors with `save`), opened by
searchers.

Each generation has its whole index, `vectors.N.faiss`, or after a small change to an approximate index a live one,
`vectors.N.live.npz` (policykb.search.vectors_live): the change since the whole index of an earlier generation, its
base, which is kept while a live index needs it."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np

from policykb.search.damaged import set_aside
from policykb.search.vectors import (
    TRAIN_POINTS_PER_LIST,
    UNREADABLE_VECTORS,
    AnnSettings,
    VectorIndex,
    lists_for,
    load_usable,
    vector_file,
)
from policykb.search.vectors_live import LIVE_FILE, LiveVectorIndex, live_over, live_vector_file, load_live
from policykb.store import Store

log = logging.getLogger(__name__)
_FILE = re.compile(r"^vectors\.(\d+)\.faiss$")


def _vector_files(data_dir: Path) -> list[tuple[int, Path]]:
    found = [(int(m.group(1)), p) for p in data_dir.glob("vectors.*.faiss") if (m := _FILE.match(p.name))]
    return sorted(found)


def saved_vectors(data_dir: Path, generation: int) -> Path | None:
    """The file holding the vectors of `generation`: its whole index or its live one; None when neither is saved."""
    for path in (vector_file(data_dir, generation), live_vector_file(data_dir, generation)):
        if path.exists():
            return path
    return None


def open_vectors(store: Store, data_dir: Path, dim: int, save: bool, ann: AnnSettings = AnnSettings()) -> VectorIndex:
    """The FAISS index for the store's current generation, with exactly one vector per chunk.

    The store holds every vector, so an index that is missing, stale or left behind by an interrupted
    run is reconciled from it (removing and adding by chunk id) without embedding anything again.
    Writers save the result and choose the kind of index for the collection's size; readers (search,
    the web app) use the saved file as it is, mapped from disk, or reconcile it in memory. A file that cannot be
    read or cannot serve the store (load_usable) is set aside and rebuilt alike; a reader then saves it where it can.
    """
    generation = store.generation()
    target = vector_file(data_dir, generation)
    count = store.count_chunks()
    damaged, held = False, None
    if target.exists():
        vectors = load_usable(target, dim, mapped=not save, nprobe=ann.nprobe)
        damaged = vectors is None
        if vectors is not None and vectors.size == count and (not save or _right_kind(vectors, count, ann)):
            return vectors
        if vectors is not None and vectors.size != count:
            log.warning("%s holds %d vectors for %d chunks; rebuilding", target, vectors.size, count)
            held = vectors.size
    elif (live := _saved_live(data_dir, generation, dim, ann)) is not None:
        if live.size == count and (not save or _right_kind(live, count, ann)):
            return live
    files = _vector_files(data_dir)
    # Over an earlier generation's whole file only: one of this generation's that is there is damaged, stale or of the
    # wrong kind, and is written again whole.
    earlier = [(number, path) for number, path in files if number < generation]
    if not target.exists() and (live := _live(store, earlier, dim, count, ann)) is not None:
        if save:
            live.save(live_vector_file(data_dir, generation))
            _remove_others(data_dir, {live_vector_file(data_dir, generation), earlier[-1][1]})
        return live
    vectors = _reconcile(store, files, dim, count, ann, rebuild_wrong_kind=save)
    if not save:
        # A reader puts a rebuilt file back where it can, so that the next open is quick again: in place of one it could
        # not read, or of one that held other passages (not when the store's damaged vectors left the same ones out).
        if damaged or (held is not None and vectors.size != held):
            _save_if_possible(vectors, target)
        return vectors
    vectors.save(target)
    _remove_others(data_dir, {target})
    return vectors


def _live(
    store: Store, files: list[tuple[int, Path]], dim: int, count: int, ann: AnnSettings
) -> LiveVectorIndex | None:
    """The store's vectors as a live index over the newest whole index, when that is approximate, of the right kind
    and the change since it small (live_over)."""
    if not files:
        return None
    live = live_over(store, files[-1][1], files[-1][0], dim, ann)
    return live if live is not None and live.size == count and _right_kind(live, count, ann) else None


def _saved_live(data_dir: Path, generation: int, dim: int, ann: AnnSettings) -> LiveVectorIndex | None:
    """The live index saved for `generation`, or None when there is none or it cannot be read or serve (then it is
    set aside, and the caller makes it again from the store)."""
    path = live_vector_file(data_dir, generation)
    if not path.exists():
        return None
    try:
        return load_live(path, dim, ann.nprobe)
    except FileNotFoundError:  # its base was removed since (a writer moved on): the file itself is sound
        return None
    except Exception as error:  # a cut or damaged file, or a damaged base: made again
        log.debug("reading %s failed", path, exc_info=error)
        set_aside(path, UNREADABLE_VECTORS)
        return None


def _remove_others(data_dir: Path, kept: set[Path]) -> None:
    """Remove the vector files of other generations (processes that opened them keep reading them) and strays: live
    files before whole ones, so that no live file is ever left without its base."""
    for old in [*data_dir.glob("vectors.*.live.npz"), *data_dir.glob("vectors.*.faiss")]:
        if old not in kept and (LIVE_FILE.match(old.name) or _FILE.match(old.name)):
            old.unlink(missing_ok=True)
    for stray in data_dir.glob("vectors.*.tmp"):
        stray.unlink(missing_ok=True)


def _save_if_possible(vectors: VectorIndex, target: Path) -> None:
    try:
        vectors.save(target)
    except OSError as error:  # a read-only data folder, a full disk: searches go on with the index in memory
        log.info("could not save the rebuilt %s (%s); it is kept in memory", target, error)


def _right_kind(vectors: VectorIndex, count: int, ann: AnnSettings) -> bool:
    """Exact below the threshold; approximate from it on (down to half of it, so that one removal does not flip it),
    with lists trained on no less than about a quarter of today's vectors."""
    if not vectors.is_approximate:
        return count < ann.threshold
    return count >= ann.threshold // 2 and lists_for(count) < 2 * vectors.lists


def _reconcile(
    store: Store, files: list[tuple[int, Path]], dim: int, count: int, ann: AnnSettings, rebuild_wrong_kind: bool
) -> VectorIndex:
    vectors = load_usable(files[-1][1], dim, nprobe=ann.nprobe) if files else None
    if vectors is None or (rebuild_wrong_kind and not _right_kind(vectors, count, ann)):
        return build_vectors(store, dim, count, ann)
    wanted = store.chunk_ids()
    have = vectors.ids()
    vectors.remove(np.setdiff1d(have, wanted, assume_unique=True))  # ids are unique: without it numpy takes seconds
    missing = np.setdiff1d(wanted, have, assume_unique=True)
    for start in range(0, len(missing), 20000):
        ids, matrix = store.vectors_for_ids(missing[start : start + 20000].tolist())
        vectors.add(ids, matrix)
    return vectors


def build_vectors(store: Store, dim: int, count: int, ann: AnnSettings) -> VectorIndex:
    """A new index of every vector in the store: exact below the threshold, else IVF-SQ8 trained on an even sample."""
    if count < ann.threshold:
        vectors = VectorIndex(dim, nprobe=ann.nprobe)
    else:
        lists = lists_for(count)
        step = max(1, count // (TRAIN_POINTS_PER_LIST * lists))
        sample = np.vstack(
            [matrix[::step].copy() for _, matrix in store.iter_vectors()]
        )  # a view would keep each whole batch
        log.info("training %d IVF lists on %d of %d vectors", lists, len(sample), count)
        vectors = VectorIndex.approximate(dim, lists, sample, ann.nprobe)
        del sample
    for ids, matrix in store.iter_vectors():
        vectors.add(ids, matrix)
    return vectors
