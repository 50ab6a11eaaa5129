"""A term matrix brought up to date without building it again: the matrix of an earlier generation (the base), the
rows added since as a small matrix of their own, and the rows removed since, scored together as a matrix built from the
store now would score them.

BM25 depends on the whole collection: a word's idf on how many rows hold it, every row's length normalisation on the
mean row length. So one added document changes every impact the base stored, and building the matrix again costs in
proportion to the collection (minutes at a million passages). The base keeps what its impacts are made of, each
posting's F and each row's length, and a live matrix scores a query's words again from them with the collection's
current row count, idf and mean length. The arithmetic is the build's own, operation for operation, so the scores are
the doubles a rebuilt matrix gives (tests/test_terms_live.py). A query costs more this way than adding stored impacts,
and more the more rows are dead, so ingest builds the whole matrix again once the rows added and removed since the base
exceed LIVE_SHARE of it (write_terms), as a search engine merges its segments.

The added rows' postings are read by FTS5 itself, from a private in-memory FTS5 table holding only those rows, with the
collection's tokenizer and columns: their words, and the base's phrases (the glossary's names). A name the glossary
gained since the base (a new document defines an acronym) is held by no row of the base: FTS5's phrase search finds
the rows it is in across the whole collection, and their postings for it are read the same way."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from policykb.recent import KeptWithin
from policykb.search.terms import FORMAT, OutdatedMatrixError, TermMatrix
from policykb.search.terms_build import (
    QueryTokenizer,
    columns_and_tokenizer,
    per_column,
    phrase_postings,
    read_postings,
)
from policykb.search.weights import IDF_FLOOR, K1, B

LIVE_SHARE = 0.1  # rows added and removed since the base, as a share of it, beyond which the matrix is built again
# Postings scored again kept per matrix (16 bytes each): a query's common words recur from query to query.
POSTINGS_KEPT = 4_000_000
ROWS_SAMPLED = 1000  # rows of a whole matrix whose text is checked before a live matrix is built over it


class LiveTermMatrix(TermMatrix):
    """The base's rows (the removed ones dead: scored 0, never ranked) followed by the added ones, as one matrix."""

    def __init__(
        self,
        base: TermMatrix,
        added: TermMatrix,
        removed: np.ndarray,
        base_generation: int,
        named: TermMatrix | None = None,
        dropped: Iterable[str] = (),
    ) -> None:
        self.base, self.added, self.removed, self.base_generation = base, added, removed, base_generation
        self.named, self.dropped = named, frozenset(dropped)
        self.rowids = np.concatenate((np.asarray(base.rowids), np.asarray(added.rowids)))
        self.live = np.ones(len(self.rowids), dtype=bool)
        at, known = base.positions(removed)
        if not known.all() or len(np.unique(removed)) != len(removed):
            raise ValueError("removed rows the base does not hold")
        if len(added.rowids) and len(base.rowids) and added.rowids[0] <= base.rowids[-1]:
            raise ValueError("added rows below the base's last row")
        self.live[at] = False
        lengths = np.concatenate((np.asarray(base.lengths), np.asarray(added.lengths)))
        self.lengths = lengths
        self._live_rows = int(self.live.sum())
        # The build's expression (terms_build.read_postings) over the live rows: their sum of whole token counts is
        # exact, whatever the order, so avgdl and every row's normalisation are the rebuilt matrix's.
        average = lengths[self.live].sum() / max(self._live_rows, 1)
        self.length_norm = K1 * ((1 - B) + B * lengths / average)
        self.term_id = base.term_id
        self.tokenize, self.weights, self.document_weights = base.tokenize, base.weights, base.document_weights
        self.tokenizer = base.tokenizer
        self.documents = None
        # Each part with where its rows lie in this matrix: after an offset, or (the names new since the base, over
        # the whole collection) at the positions of its rowids.
        self._parts: list[tuple[TermMatrix, int | np.ndarray]] = [(base, 0), (added, len(base.rowids))]
        if named is not None:
            at, known = self.positions(np.asarray(named.rowids))
            if not known.all():
                raise ValueError("new names' rows this matrix does not hold")
            self._parts.append((named, at))
        self._kept: KeptWithin[tuple[str, bool], tuple[np.ndarray, np.ndarray]] = KeptWithin(
            POSTINGS_KEPT, lambda kept: len(kept[0])
        )

    @property
    def live_rows(self) -> int:
        return self._live_rows

    def key(self, part: str) -> str | None:
        """A word, or a phrase the base holds postings for (the added rows hold the same phrases) unless the glossary
        has dropped it since, or a name new since the base: the keys a matrix rebuilt now would hold."""
        key = " ".join(self.tokenizer.tokens(part))
        held = key in self.base.term_id and key not in self.dropped
        return key if " " not in key or held or (self.named is not None and key in self.named.term_id) else None

    def scores(self, keys: list[str]) -> np.ndarray:
        total = np.zeros(self.size, dtype=np.float64)
        for key in keys:
            rows, impacts = self.postings(key)
            np.add.at(total, rows, impacts)
        return total

    def postings(self, key: str, document_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """As TermMatrix.postings, scored again (and kept within POSTINGS_KEPT); callers hold the searcher's lock."""
        return self._kept.get_or_make((key, document_weights), lambda: self._scored(key, document_weights))

    def _scored(self, key: str, document_weights: bool) -> tuple[np.ndarray, np.ndarray]:
        found = list(self._spans(key, document_weights))
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        rows = np.concatenate([rows for rows, _ in found])
        impacts = self._impacts(self._idf(key), np.concatenate([f for _, f in found]), rows)
        for kept in (rows, impacts):
            kept.setflags(write=False)  # shared by every search that asks for the word
        return rows, impacts

    def add_document_weights(self, total: np.ndarray, keys: list[str]) -> None:
        for key in keys:
            idf = None
            for part, where in self._parts:
                term = part.term_id.get(key)
                if term is None:
                    continue
                first, last = int(part.doc_indptr[term]), int(part.doc_indptr[term + 1])
                if first == last:
                    continue
                idf = self._idf(key) if idf is None else idf
                postings = np.asarray(part.doc_postings[first:last])
                rows = _placed(where, part.rows[postings])
                ranking = self._impacts(idf, part.f_table[part.fidx[postings]], rows)
                documents = self._impacts(idf, part.f_table[part.doc_fidx[first:last]], rows)
                np.add.at(total, rows, documents - ranking)

    def check_values(self, path: Path) -> None:
        """The base's values, in its own folder beside `path`, and the added rows', each with its whole documents'."""
        self.base.check_values(path.parent / f"terms.{self.base_generation}")
        self.added.check_values(path / "added")
        if self.named is not None:
            self.named.check_values(path / "named")

    # --- scoring again ------------------------------------------------------------------------------
    def _spans(self, key: str, document_weights: bool) -> Iterable[tuple[np.ndarray, np.ndarray]]:
        """Per part holding `key`: its rows (in this matrix) and each posting's F, with the document weights if asked."""
        for part, where in self._parts:
            term = part.term_id.get(key)
            if term is None:
                continue
            lo, hi = int(part.indptr[term]), int(part.indptr[term + 1])
            f = part.f_table[part.fidx[lo:hi]]
            if document_weights:
                first, last = int(part.doc_indptr[term]), int(part.doc_indptr[term + 1])
                f[np.asarray(part.doc_postings[first:last]) - lo] = part.f_table[part.doc_fidx[first:last]]
            yield _placed(where, part.rows[lo:hi]), f

    def _idf(self, key: str) -> np.ndarray:
        """The word's idf over the live rows, as the build computes it (an array, by the same numpy routines)."""
        held = 0
        for part, where in self._parts:
            term = part.term_id.get(key)
            if term is not None:
                lo, hi = int(part.indptr[term]), int(part.indptr[term + 1])
                held += int(self.live[_placed(where, part.rows[lo:hi])].sum())
        counts = np.array([held], dtype=np.int64)
        idf = np.log((self._live_rows - counts + 0.5) / (counts + 0.5))
        return np.where(idf <= 0.0, IDF_FLOOR, idf)

    def _impacts(self, idf: np.ndarray, f: np.ndarray, rows: np.ndarray) -> np.ndarray:
        impacts = idf * ((f * (K1 + 1.0)) / (f + self.length_norm[rows]))
        impacts[~self.live[rows]] = 0.0
        return impacts


def _placed(where: int | np.ndarray, rows: np.ndarray) -> np.ndarray:
    """A part's rows as rows of the live matrix: after the part's offset, or at its rows' positions."""
    rows = np.asarray(rows)
    return rows.astype(np.int64) + where if isinstance(where, int) else where[rows]


class Change(NamedTuple):
    """What a live matrix adds to its base (added_since)."""

    added: TermMatrix
    removed: np.ndarray
    named: TermMatrix | None
    dropped: list[str]


def added_since(
    conn: sqlite3.Connection,
    base: TermMatrix,
    table: str,
    rows_of: Callable[[list[int]], list[tuple]],
    phrases: list[str],
    weights: tuple[float, ...],
    document_weights: tuple[float, ...],
) -> Change | None:
    """The rows of `table` added since `base` was built, as a matrix of their own; the base's rowids removed since;
    the glossary's names (`phrases`) the base holds no postings for, over the whole table (a document defined a new
    acronym); and the names the base holds that the glossary no longer has (its document was removed), which a
    rebuilt matrix would not hold. None when a live matrix would not score as a rebuild: the change is larger than
    LIVE_SHARE of the base, or a row came back below the base's last rowid (rows are added after it: AUTOINCREMENT).
    `rows_of` gives (rowid, column, …) of rowids as they were written."""
    live = np.array([row[0] for row in conn.execute(f"SELECT id FROM {table}_docsize ORDER BY id")], dtype=np.int64)
    based = np.asarray(base.rowids)
    removed = np.setdiff1d(based, live, assume_unique=True)
    added = np.setdiff1d(live, based, assume_unique=True)
    if len(added) + len(removed) > LIVE_SHARE * len(based) or (len(added) and len(based) and added[0] <= based[-1]):
        return None
    held = [key for key in base.term_id if " " in key]
    names = _phrase_keys(base.tokenizer, phrases)
    new = {key: text for key, text in names.items() if key not in base.term_id}
    if any(_overlaps(key.split(" ")) for key in new):
        return None
    columns, tokenize = columns_and_tokenizer(conn, table)
    matrix = _matrix_of(rows_of(added.tolist()), table, columns, tokenize, held, weights, document_weights)
    named = None
    if new:
        within = sorted(
            {row[0] for text in new.values() for row in conn.execute(_PHRASE.format(table, "rowid"), (text,))}
        )
        if len(within) > LIVE_SHARE * len(live):  # a name that common is a change larger than a live matrix takes
            return None
        found = _instances(rows_of(within), table, columns, tokenize, new)
        named = TermMatrix(**phrase_postings(conn, table, found, weights, document_weights))
    return Change(matrix, removed, named, [key for key in held if key not in names])


# FTS5's own phrase search: the name quoted, so that it is one phrase of its tokens.
_PHRASE = """SELECT {1} FROM {0} WHERE {0} MATCH '"' || replace(?, '"', '""') || '"' ORDER BY rowid"""
_OPEN = "\ue000"  # a private-use character: FTS5's highlight() opens each instance of a phrase with it


def _instances(
    rows: list[tuple], table: str, columns: list[str], tokenize: str, names: dict[str, str]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per name (key: text), the `rows` ((rowid, column, …)) it is in and its instances in each column of each, as
    the build's _PhraseFinder counts them: FTS5's highlight() marks every instance in a private in-memory table of
    those rows, and never merges two of a name that cannot overlap itself (_overlaps). The store's documents_fts keeps
    no text to highlight, and the rows are few."""
    held = {row[0]: [str(text or "").count(_OPEN) for text in row[1:]] for row in rows}  # the text's own, if any
    memory = _in_memory(rows, table, columns, tokenize)
    try:
        marked = ", ".join(f"highlight({table}, {column}, '{_OPEN}', '')" for column in range(len(columns)))
        found = {}
        for key, name in names.items():
            rowids, tf = [], []
            for row in memory.execute(_PHRASE.format(table, f"rowid, {marked}"), (name,)):
                rowids.append(row[0])
                tf.append(
                    [(text or "").count(_OPEN) - held[row[0]][column] for column, text in enumerate(row[1:])]
                    + [0] * (4 - len(columns))
                )
            found[key] = (np.array(rowids, dtype=np.int64), np.array(tf, dtype=np.int32).reshape(-1, 4))
        return found
    finally:
        memory.close()


def _in_memory(rows: list[tuple], table: str, columns: list[str], tokenize: str) -> sqlite3.Connection:
    """A private in-memory FTS5 table of `rows` ((rowid, column, …)), with the collection's tokenizer and columns."""
    memory = sqlite3.connect(":memory:")
    memory.execute(f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(columns)}, tokenize = '{tokenize}')")
    marks = f"INSERT INTO {table} (rowid, {', '.join(columns)}) VALUES ({', '.join('?' * (1 + len(columns)))})"
    memory.executemany(marks, rows)
    memory.commit()  # FTS5 writes its totals and postings at the end of a transaction
    return memory


def _overlaps(tokens: list[str]) -> bool:
    """Whether two instances of a phrase can overlap ("state of the state" in "state of the state of the state"):
    FTS5's highlight() would mark them as one, so a live matrix does not take such a name (write_terms rebuilds)."""
    return any(tokens[:size] == tokens[-size:] for size in range(1, len(tokens)))


def _matrix_of(
    rows: list[tuple],
    table: str,
    columns: list[str],
    tokenize: str,
    keys: list[str],
    weights: tuple[float, ...],
    document_weights: tuple[float, ...],
) -> TermMatrix:
    """The matrix of `rows` ((rowid, column, …)), read by FTS5 from a private in-memory table with the collection's
    tokenizer and columns: their words, and postings for the phrases `keys` (tokens joined by spaces)."""
    if not rows:
        return _empty(tokenize, weights, document_weights, len(columns))
    memory = _in_memory(rows, table, columns, tokenize)
    try:
        phrases = [tuple(key.split(" ")) for key in keys]
        return TermMatrix(**read_postings(memory, phrases, weights, table, document_weights))
    finally:
        memory.close()


def _phrase_keys(tokenizer: QueryTokenizer, phrases: list[str]) -> dict[str, str]:
    """The matrix keys of the glossary's names of several tokens, as the build makes them, with a name of each."""
    keys: dict[str, str] = {}
    for phrase in phrases:
        if " " in (key := " ".join(tokenizer.tokens(phrase))):
            keys.setdefault(key, phrase)
    return keys


def row_sample(rows_of: Callable[[list[int]], list[tuple]], rowids: np.ndarray) -> np.ndarray:
    """(rowid, a hash of its text) of about ROWS_SAMPLED rows spread over `rowids`: saved with a whole matrix, so that a
    later change can tell whether the store still holds the rows the matrix was built from (same_rows)."""
    sample = rowids[:: max(1, len(rowids) // ROWS_SAMPLED)].tolist()
    return np.array([(row[0], _hash(row[1:])) for row in rows_of(sample)], dtype=np.int64).reshape(-1, 2)


def same_rows(rows_of: Callable[[list[int]], list[tuple]], sample: np.ndarray) -> bool:
    """Whether the sampled rows the store still holds have the text they had (row_sample): a data folder whose database
    was replaced keeps the old store's matrix, whose rowids would now name other passages."""
    now = {row[0]: _hash(row[1:]) for row in rows_of(sample[:, 0].tolist())}
    return all(now.get(rowid, digest) == digest for rowid, digest in sample.tolist())


def _hash(columns: tuple) -> int:
    digest = hashlib.blake2b("\x1f".join(str(column) for column in columns).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _empty(tokenize: str, weights: tuple[float, ...], document_weights: tuple[float, ...], columns: int) -> TermMatrix:
    """A matrix of no rows: nothing was added."""
    nothing = np.zeros(0, dtype=np.int64)
    return TermMatrix(
        rowids=nothing,
        indptr=np.zeros(1, dtype=np.int64),
        rows=nothing.astype(np.int32),
        impacts=np.zeros(0),
        doc_indptr=np.zeros(1, dtype=np.int64),
        doc_postings=nothing.astype(np.int32),
        doc_impacts=np.zeros(0),
        fidx=nothing.astype(np.uint8),
        doc_fidx=nothing.astype(np.uint8),
        f_table=np.zeros(0),
        lengths=np.zeros(0),
        terms=[],
        tokenize=tokenize,
        weights=per_column(weights, columns),
        document_weights=per_column(document_weights, columns),
    )


def save_live(folder: Path, live: LiveTermMatrix) -> None:
    """Write what the live matrix adds to its base into `folder` (a generation's matrix folder, being written)."""
    folder.mkdir(exist_ok=True)
    live.added.write_into(folder / "added")
    if live.named is not None:
        live.named.write_into(folder / "named")
    np.save(folder / "removed.npy", live.removed)
    if live.documents is not None:
        np.save(folder / "removed_documents.npy", live.documents.removed)
    info = {"format": FORMAT, "base": live.base_generation, "dropped": sorted(live.dropped)}
    (folder / "live.json").write_text(json.dumps(info), encoding="utf-8")


def is_live(path: Path) -> bool:
    """Whether a generation's matrix folder holds a live matrix rather than a whole one."""
    return (path / "live.json").exists()


def live_base(path: Path) -> int:
    """The generation of the base a live matrix saved by save_live is over."""
    info = json.loads((path / "live.json").read_text(encoding="utf-8"))
    if info.get("format") != FORMAT:
        raise OutdatedMatrixError(f"{path}: format {info.get('format')}, expected {FORMAT}")
    return int(info["base"])


def load_live(path: Path) -> LiveTermMatrix:
    """A live matrix saved by save_live, over its base beside it (a FileNotFoundError when that is gone)."""
    generation = live_base(path)
    base = TermMatrix.load(path.parent / f"terms.{generation}")
    added = TermMatrix.load(path / "added")
    named = TermMatrix.load(path / "named") if (path / "named").exists() else None
    dropped = json.loads((path / "live.json").read_text(encoding="utf-8")).get("dropped", [])
    live = LiveTermMatrix(base, added, np.load(path / "removed.npy"), generation, named, dropped)
    if base.documents is not None and added.documents is not None:
        live.documents = LiveTermMatrix(
            base.documents,
            added.documents,
            np.load(path / "removed_documents.npy"),
            generation,
            named.documents if named is not None else None,
            dropped,
        )
    return live
