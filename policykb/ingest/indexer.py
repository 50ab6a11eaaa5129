"""The write path: files → parse_file → embeddings → the store (SQLite + FTS5) → the files derived from it (FAISS
vectors, term matrix).

The one module of ingest/ that writes the store and the derived files. It uses search/'s embedder and its vectors and
terms writers, so that what is written is what search reads. Ingest is incremental by content hash (unchanged files
cost a hash, vectors of unchanged passages are reused); removal and reindex keep FAISS and the term matrix in step with
SQLite."""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from policykb.config import Config
from policykb.disk import one_writer, writing
from policykb.errors import EmbedderMismatchError, IngestError, SourceMissingError
from policykb.glossary import Glossary, load_glossary
from policykb.ingest import collect_files, file_content_hash, parse_file
from policykb.ingest.ocr import OcrSettings
from policykb.models import Chunk, Document
from policykb.search.embedder import Embedder, UsesEmbedder
from policykb.search.query import expansion_phrases
from policykb.search.terms import terms_dir
from policykb.search.terms_files import write_terms
from policykb.search.vectors import AnnSettings, vector_file
from policykb.search.vectors_files import open_vectors
from policykb.store import Store
from policykb.store.collections import PUBLIC

log = logging.getLogger(__name__)
COMMIT_EVERY_CHUNKS = 64  # an interrupted run loses at most this much embedding work


@dataclass
class IngestReport:
    files: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0  # unchanged, but put in another collection
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    errors: list[IngestError] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return self.added + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"{self.files} file{'s' if self.files != 1 else ''}, {self.documents} documents ({self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged{f', {self.moved} moved' if self.moved else ''}), {self.chunks} chunks written ({self.embedded} embedded, "
            f"{self.reused} vectors reused), {len(self.errors)} errors, {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class PlannedFile:
    """A file to read: the document id it goes under, its content hash, and the metadata an editor set on it."""

    path: Path
    doc_id: str
    content_hash: str
    edits: dict[str, str]
    new: bool  # no document came from this file before

    def count_in(self, report: IngestReport) -> None:
        """Count the file as added or updated, once it has been read."""
        if self.new:
            report.added += 1
        else:
            report.updated += 1


def parse_with_settings(
    config: Config, path: Path, glossary: Glossary, ocr: OcrSettings, content_hash: str, edits: dict[str, str]
) -> Document:
    """parse_file with the data folder's settings and the metadata an editor set on the file (`edits`)."""
    return parse_file(
        path,
        glossary,
        content_hash=content_hash,
        target_chars=config.target_chunk_chars,
        max_chars=config.max_chunk_chars,
        max_file_bytes=config.max_file_bytes,
        max_inflated_bytes=config.max_inflated_bytes,
        ocr=ocr,
        edits=edits,
    )


def parse_planned(config: Config, planned: PlannedFile, glossary: Glossary, ocr: OcrSettings) -> Document:
    """A planned file read (plain ingest here, a Ray task in policykb.ingest.ray_ingest)."""
    return parse_with_settings(config, planned.path, glossary, ocr, planned.content_hash, planned.edits)


def unreadable(path: Path, exc: Exception) -> IngestError:
    """The error for a file a loader failed on in a way it does not name."""
    log.debug("unexpected failure reading %s", path, exc_info=True)
    return IngestError(
        path,
        f"could not be read ({type(exc).__name__}: {exc})",
        "check that the file opens in its usual program, then ingest it again",
    )


def embed_hash(embedder: str, text: str) -> str:
    """The key a passage's vector is kept under: the same text embedded by the same model is never embedded again."""
    return hashlib.sha256(f"{embedder}\0{text}".encode()).hexdigest()


def embedding_input(title: str, chunk: Chunk) -> str:
    """What the embedder reads for a chunk: the passage with its title and breadcrumb in front."""
    head = f"{title} › {chunk.section}" if chunk.section else title
    return f"{head}\n{chunk.text}"


class Indexer(UsesEmbedder):
    """Owns the read-write store for one data folder."""

    def __init__(
        self,
        config: Config,
        embedder: Embedder | None = None,
        progress: bool = True,
        on_progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.config = config
        self._embedder = embedder
        self.progress = progress
        self.on_progress = on_progress  # (stage, done, total), e.g. for an upload's progress bar
        with writing(config.db_path):
            self.store = Store(config.db_path)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Indexer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _bar(self, **kwargs) -> tqdm:
        return tqdm(file=sys.stderr, disable=not self.progress, dynamic_ncols=True, **kwargs)

    def check_embedder(self, name: str | None = None, dim: int | None = None) -> None:
        """Refuse to mix vectors of two embedders: the one named (the configured one by default) must be the one the
        index was built with; an empty index records it, with its vectors' dimension."""
        if name is None:
            name, dim = self.embedder.name, self.embedder.dim
        built_with = self.store.meta("embedder")
        if built_with is None:
            self.store.set_embedder(name, dim)
        elif built_with != name:
            raise EmbedderMismatchError(
                f"the index at {self.config.data_dir} was built with {built_with}, not {name}; "
                "vectors from two embedders cannot be mixed — set POLICYKB_EMBEDDER to match, or rebuild: policykb reindex"
            )

    def ingest(self, paths: list[Path], collection: str = PUBLIC) -> IngestReport:
        """Ingest files and folders into `collection` (which must exist); unchanged files cost a hash, changed ones
        replace their old chunks, and an unchanged one stored in another collection moves to this one. A disk that
        refuses a write stops the run with a StorageError; the documents committed before it stay."""
        self.store.check_ingest_target(collection)
        with writing(self.config.db_path):
            return self._ingest(paths, collection)

    def _ingest(self, paths: list[Path], collection: str = PUBLIC) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files, report.errors = collect_files(paths)
        report.files = len(files)
        pending = self._parse_changed(files, report, collection)
        if pending:
            self.check_embedder()
            self._embed_and_write(pending, report)
        if pending or self.store.count_chunks():
            self.save_derived(int(self.store.meta("dim") or self.embedder.dim))
        report.seconds = time.perf_counter() - started
        return report

    def _report(self, stage: str, done: int, total: int) -> None:
        """Progress for whoever watches (an upload's job): the stage and how far it is."""
        if self.on_progress is not None:
            self.on_progress(stage, done, total)

    def _parse_changed(self, files: list[Path], report: IngestReport, collection: str) -> list[tuple[str, Document]]:
        glossary = load_glossary(self.config.glossary_path)
        ocr = OcrSettings.from_config(self.config, progress=self.progress, on_progress=self.on_progress)
        pending: list[tuple[str, Document]] = []
        for number, path in enumerate(self._bar(iterable=files, desc="files", unit="file")):
            self._report("reading", number, len(files))
            try:
                planned = self.plan_file(path, report, collection)
                if planned is None:
                    continue
                doc = parse_planned(self.config, planned, glossary, ocr)
                doc.collection = collection
            except IngestError as exc:
                report.errors.append(exc)
                continue
            except Exception as exc:  # one odd file must never stop the run; the loaders name known failures
                report.errors.append(unreadable(path, exc))
                continue
            planned.count_in(report)
            pending.append((planned.doc_id, doc))
        return pending

    def plan_file(self, path: Path, report: IngestReport, collection: str) -> PlannedFile | None:
        """What reading `path` is for: None when its document is stored unchanged (counted, and moved to
        `collection` if it is in another); else the id it goes under (its own, or a new one) and the metadata an
        editor set on it. Raises OSError or IngestError when the file cannot be read."""
        content_hash = file_content_hash(path)
        existing = self.store.document_for_source(str(path))
        if existing and existing[1] == content_hash:
            report.unchanged += 1
            if self.store.collection_of(existing[0]) != collection:
                self.store.move_document(existing[0], collection)
                report.moved += 1
            return None
        doc_id = existing[0] if existing else self.store.new_document_id(path.stem)
        return PlannedFile(path, doc_id, content_hash, self.store.metadata_edits(str(path)), new=existing is None)

    def edit_metadata(
        self,
        doc_id: str,
        edits: dict[str, str],
        collection: str | None,
        edited_by: str | None,
        record: Callable[[Store], None],
    ) -> None:
        """Keep an editor's metadata `edits` for the document's source file and index the document again from it with
        them (vectors of passages whose text is unchanged are reused); move it to `collection` (None: where it is).
        `record(store)` writes the audit entry in the same transaction."""
        with writing(self.config.db_path):
            doc = self._edited(doc_id, edits) if edits else None
            with self.store.transaction():
                if doc is not None:
                    self.store.save_metadata_edits(doc.source, edits, edited_by)
                    self._write_group([(doc_id, doc)], IngestReport(), lambda _count: None)
                if collection is not None and collection != self.store.collection_of(doc_id):
                    self.store.move_document(doc_id, collection)
                record(self.store)
            self.save_derived(int(self.store.meta("dim") or self.embedder.dim))

    def _edited(self, doc_id: str, edits: dict[str, str]) -> Document:
        """The document parsed again from its file with the edits kept for it and `edits` over them. The file must
        still be there: the edits apply to what it holds."""
        stored = self.store.get_document(doc_id)
        path = Path(stored.source)
        if not path.is_file():
            raise SourceMissingError(
                f"document {doc_id!r}: its file {path.name} is no longer on the server, so its details cannot be "
                "applied — upload the file again, then edit them"
            )
        ocr = OcrSettings.from_config(self.config, progress=False)
        edits = self.store.metadata_edits(stored.source) | edits
        doc = parse_with_settings(
            self.config, path, load_glossary(self.config.glossary_path), ocr, file_content_hash(path), edits
        )
        doc.collection = stored.collection
        self.check_embedder()
        return doc

    def _embed_and_write(self, pending: list[tuple[str, Document]], report: IngestReport) -> None:
        total = sum(len(doc.chunks) for _, doc in pending)
        done = 0  # counted here: a disabled tqdm bar (progress=False, as for uploads) does not count
        with self._bar(total=total, desc="embedding", unit="chunk") as bar:

            def advance(count: int) -> None:
                nonlocal done
                done += count
                bar.update(count)
                self._report("embedding", done, total)

            group: list[tuple[str, Document]] = []
            for item in pending:
                group.append(item)
                if sum(len(doc.chunks) for _, doc in group) >= COMMIT_EVERY_CHUNKS:
                    self._write_group(group, report, advance)
                    group = []
            if group:
                self._write_group(group, report, advance)

    def _write_group(
        self, group: list[tuple[str, Document]], report: IngestReport, advance: Callable[[int], None]
    ) -> None:
        """Embed what is new in these documents, then write each in its own transaction."""
        name = self.embedder.name
        inputs = [[embedding_input(doc.title, chunk) for chunk in doc.chunks] for _, doc in group]
        hashes = [[embed_hash(name, text) for text in texts] for texts in inputs]
        known = self.store.vectors_for_embed_hashes([h for doc_hashes in hashes for h in doc_hashes])
        todo = {
            h: text for texts, doc_hashes in zip(inputs, hashes) for h, text in zip(doc_hashes, texts) if h not in known
        }
        advance(sum(len(doc.chunks) for _, doc in group) - len(todo))
        fresh = dict(zip(todo, self.embedder.embed_documents(list(todo.values()), progress=advance)))
        for (doc_id, doc), doc_hashes in zip(group, hashes):
            vectors = (
                np.vstack([fresh[h] if h in fresh else np.frombuffer(known[h], dtype=np.float32) for h in doc_hashes])
                if doc_hashes
                else np.zeros((0, self.embedder.dim), np.float32)
            )
            self.store.replace_document(doc_id, doc, doc_hashes, vectors)
            report.chunks += len(doc.chunks)
        report.embedded += len(todo)
        report.reused += sum(len(h) for h in hashes) - len(todo)

    def write_embedded(
        self, doc_id: str, doc: Document, vectors: np.ndarray, embedder: str, report: IngestReport
    ) -> None:
        """Write a document whose passages were embedded elsewhere (policykb.ingest.ray_ingest) by `embedder` (its
        name; check_embedder first), in one transaction."""
        hashes = [embed_hash(embedder, embedding_input(doc.title, chunk)) for chunk in doc.chunks]
        self.store.replace_document(doc_id, doc, hashes, vectors)
        report.chunks += len(doc.chunks)
        report.embedded += len(doc.chunks)

    def reindex(self) -> int:
        """Embed every chunk again with the configured embedder and swap all vectors in one transaction."""
        with writing(self.config.db_path):
            return self._reindex()

    def _reindex(self) -> int:
        count = self._embed_again(None)
        for stale in self.config.data_dir.glob("vectors.*.faiss"):
            stale.unlink()
        self.save_derived(self.embedder.dim)
        return count

    def embed_damaged(self) -> int:
        """Embed again the passages whose stored vector is damaged (the rest of the store is its own source); how many.
        The derived files are the caller's to rebuild."""
        damaged = self.store.damaged_vector_ids()
        if damaged:
            self.check_embedder()  # another embedder's vectors would not be comparable with the rest
            with writing(self.config.db_path):
                self._embed_again(damaged)
        return len(damaged)

    def _embed_again(self, chunk_ids: list[int] | None) -> int:
        """Embed these passages (None: every one) with the configured embedder and swap their vectors in one
        transaction."""
        rows = self.store.chunks_for_embedding(chunk_ids)
        name = self.embedder.name
        texts = [embedding_input(title, Chunk(0, 0, text, section)) for _, title, section, text in rows]
        with self._bar(total=len(texts), desc="embedding", unit="chunk") as bar:
            vectors = self.embedder.embed_documents(texts, progress=bar.update)
        hashes = [embed_hash(name, text) for text in texts]
        self.store.replace_vectors([row[0] for row in rows], hashes, vectors, name, self.embedder.dim)
        return len(rows)

    def remove(self, id_or_path: str) -> tuple[str, int]:
        """Delete a document from SQLite, FTS and FAISS; returns its id and how many chunks went."""
        doc_id = self.store.find_document_id(id_or_path)
        with writing(self.config.db_path):
            removed = self.store.delete_document(doc_id)
            self.save_derived(int(self.store.meta("dim") or 384))
        return doc_id, removed

    def save_derived(self, dim: int) -> None:
        """Bring the files derived from the store up to its generation: the FAISS vectors and the term matrix (one
        process at a time: another worker may have committed since, and writes them for a later generation)."""
        data_dir = self.config.data_dir
        with one_writer(data_dir):
            generation = self.store.generation()
            with writing(vector_file(data_dir, generation)):
                open_vectors(self.store, data_dir, dim, save=True, ann=AnnSettings.from_config(self.config))
            glossary = load_glossary(self.config.glossary_path).with_acronyms(self.store.all_acronyms())
            with writing(terms_dir(data_dir, generation)):
                write_terms(self.store, data_dir, self.config.term_matrix_threshold, expansion_phrases(glossary))
