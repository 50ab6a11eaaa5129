"""What `policykb check` verifies: SQLite's integrity, that every passage is once in each index (its vector, FAISS,
FTS5), and that the derived files can be read; and the few of these cheap enough for every /api/health request."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from policykb.config import Config
from policykb.errors import IndexNotReadyError, StoreDamagedError
from policykb.search.damaged import set_aside_files
from policykb.search.terms import TermMatrix, terms_dir
from policykb.search.terms_files import load_matrix
from policykb.search.vectors import UNREADABLE_VECTORS, VectorIndex, vector_file
from policykb.search.vectors_files import saved_vectors
from policykb.search.vectors_live import LiveVectorIndex, load_live
from policykb.store import Store
from policykb.store.base import damaged_store_message
from policykb.store.fts_upkeep import fts_problems

REPAIR = "run policykb check --repair"


@dataclass(frozen=True)
class Finding:
    """One check: its name, whether it passed, and what it saw (or what is wrong)."""

    name: str
    ok: bool
    detail: str

    def to_json(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class Report:
    """Every finding, and the derived files set aside so far (notes, not problems)."""

    findings: list[Finding] = field(default_factory=list)
    set_aside: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(finding.ok for finding in self.findings)

    @property
    def problems(self) -> list[str]:
        return [f"{finding.name}: {finding.detail}" for finding in self.findings if not finding.ok]

    def failed(self, name: str) -> bool:
        return any(finding.name == name and not finding.ok for finding in self.findings)


def check_store(config: Config) -> Report:
    """Every check of the store in `config.data_dir`; reads only (FTS5's check runs on a connection of its own)."""
    report = Report(set_aside=set_aside_files(config.data_dir))
    try:
        store = Store(config.db_path, readonly=True)
    except IndexNotReadyError as error:
        report.findings.append(Finding("index", False, str(error)))
        return report
    except StoreDamagedError as error:
        report.findings.append(Finding("sqlite", False, str(error)))
        return report
    with store:
        try:
            report.findings += _check_open_store(config, store)
        except sqlite3.DatabaseError as error:
            report.findings.append(Finding("sqlite", False, damaged_store_message(config.db_path, error)))
    return report


def _check_open_store(config: Config, store: Store) -> list[Finding]:
    problems = [row[0] for row in store.conn.execute("PRAGMA integrity_check").fetchall()]
    if problems != ["ok"]:
        return [Finding("sqlite", False, damaged_store_message(config.db_path, "; ".join(problems[:5])))]
    findings = [Finding("sqlite", True, "integrity_check: ok")]
    dim = int(store.meta("dim") or 384)
    vectors, vectors_finding = _vectors(config, store, dim)
    findings.append(_counts(store, dim, vectors))
    findings.append(vectors_finding)
    findings.append(_terms(config, store))
    findings.append(_fts(config, store))
    return findings


def _counts(store: Store, dim: int, vectors: VectorIndex | None) -> Finding:
    """Documents; passages = passages with a vector = FAISS rows = FTS5 rows (and whole documents in documents_fts)."""
    fts = store.fts_counts()
    with_vectors = store.conn.execute("SELECT count(*) FROM chunks WHERE length(vector) = ?", (4 * dim,)).fetchone()[0]
    faiss_rows = vectors.size if vectors is not None else None
    detail = (
        f"{store.count_documents()} documents; {fts.passages} passages, {with_vectors} with a vector, "
        f"{'no' if faiss_rows is None else faiss_rows} FAISS rows, {fts.passage_rows} FTS rows"
    )
    if fts.documents is not None:
        detail += f"; {fts.documents} documents with text, {fts.document_rows} in documents_fts"
    if fts.unmatched:
        detail += f"; {fts.unmatched} FTS rows and passages without each other"
    agree = fts.agree and fts.passages == with_vectors == (faiss_rows if faiss_rows is not None else fts.passages)
    return Finding("counts", agree, detail if agree else f"{detail} — they should agree; {REPAIR}")


def _vectors(config: Config, store: Store, dim: int) -> tuple[VectorIndex | None, Finding]:
    """The FAISS file of the store's generation, read and checked: its kind, dimension and chunk ids."""
    path = saved_vectors(config.data_dir, store.generation()) or vector_file(config.data_dir, store.generation())
    if not path.exists():
        if not store.has_chunks():
            return None, Finding("vectors", True, "no passages, no FAISS file needed")
        return None, Finding("vectors", False, f"{path.name} is missing (searches rebuild it in memory); {REPAIR}")
    try:
        vectors = load_live(path, dim) if path.name.endswith(".live.npz") else VectorIndex.load(path, mapped=True)
    except Exception:  # FAISS's RuntimeError (or MemoryError) for a damaged file, whose text is FAISS's source line
        return None, Finding("vectors", False, f"{path.name}: {UNREADABLE_VECTORS}; {REPAIR}")
    problem = vectors.problem_for(dim)
    if problem is None and not np.array_equal(np.sort(vectors.ids()), store.chunk_ids()):
        problem = "its chunk ids are not the store's passages"
    if problem is not None:
        return None, Finding("vectors", False, f"{path.name}: {problem}; {REPAIR}")
    kind = f"approximate ({vectors.lists} lists)" if vectors.is_approximate else "exact"
    if isinstance(vectors, LiveVectorIndex):
        kind += f", live over vectors.{vectors.base_generation}.faiss"
    return vectors, Finding("vectors", True, f"{path.name}: {kind}, {vectors.size} vectors of {dim} dimensions")


def _terms(config: Config, store: Store) -> Finding:
    """The term matrix of the store's generation, where the collection is large enough to have one."""
    threshold = max(config.term_matrix_threshold, 1)
    path = terms_dir(config.data_dir, store.generation())
    passages = store.count_chunks()
    if passages < threshold:
        return Finding("terms", True, f"no term matrix below {threshold:,} passages (FTS5 ranks alone)")
    if not path.exists():
        return Finding("terms", False, f"{path.name} is missing (FTS5 ranks alone, more slowly); {REPAIR}")
    try:
        matrix = load_matrix(path)
        matrix.check_values(path)
    except Exception as error:  # any unreadable part: see load_terms
        return Finding("terms", False, f"{path.name} cannot be read ({error}); {REPAIR}")
    if matrix.live_rows != passages:
        return Finding("terms", False, f"{path.name} holds {matrix.live_rows} passages of {passages}; {REPAIR}")
    return Finding("terms", True, f"{path.name}: {len(matrix.term_id):,} terms over {matrix.live_rows:,} passages")


def _fts(config: Config, store: Store) -> Finding:
    """FTS5's own integrity check, on a writable connection of its own (skipped when the store is read-only here)."""
    try:
        conn = sqlite3.connect(f"{config.db_path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    except sqlite3.OperationalError as error:
        return Finding("fts", True, f"FTS5's integrity check skipped: the store is not writable here ({error})")
    try:
        problems = fts_problems(conn, store.has_document_terms)
    finally:
        conn.close()
    if problems:
        return Finding("fts", False, f"{'; '.join(problems)}; {REPAIR}")
    return Finding("fts", True, "FTS5 integrity-check: ok")


def serving_findings(config: Config, generation: int, vectors: VectorIndex, terms: TermMatrix | None) -> Report:
    """The checks cheap enough for every /api/health request, of what a searcher of `generation` opened with (its
    vectors and term matrix): whether the files it reads are on disk. The full checks are `policykb check`'s."""
    report = Report(set_aside=set_aside_files(config.data_dir))
    path = saved_vectors(config.data_dir, generation) or vector_file(config.data_dir, generation)
    if path.exists():
        report.findings.append(Finding("vectors", True, f"{path.name}: {vectors.size} vectors"))
    else:
        report.findings.append(
            Finding("vectors", False, f"{path.name} is missing; searches use vectors rebuilt in memory; {REPAIR}")
        )
    if vectors.size >= max(config.term_matrix_threshold, 1) and terms is None:
        name = terms_dir(config.data_dir, generation).name
        report.findings.append(Finding("terms", False, f"{name} is missing or unreadable (FTS5 ranks alone); {REPAIR}"))
    return report
