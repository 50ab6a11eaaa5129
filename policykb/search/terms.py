"""BM25 without FTS5's bm25() for large collections: a term matrix of words and glossary names read from the FTS5 index.

FTS5 ranks by computing bm25() for every row a query matches and by counting each phrase's rows anew for its idf, so a
query of common words costs in proportion to the collection (50 ms at 100,000 passages, a second at a million). For a
one-word phrase nothing in a row's BM25 term depends on the query, so the matrix stores it ready-made per (word, row)
— its "impact" — and a query adds up a few lists of impacts: 0.3 ms at 100,000 passages.

The scores are FTS5's own, bit for bit (ext/fts5/fts5_aux.c, fts5Bm25Function, k1 = 1.2, b = 0.75):

    for each phrase i of the query:
        F_i   = the column weight added once per instance of the phrase in the row, instances in column order
        idf_i = log((N - n_i + 0.5) / (n_i + 0.5)), or 1e-6 when that is not above 0 (n_i: rows with the phrase)
        score += idf_i * (F_i * (k1 + 1)) / (F_i + k1 * (1 - b + b * D / avgdl))

with D a row's tokens over all columns and avgdl the mean of D, both from FTS5's own records. Words are tokenised by
FTS5's tokenizer (a private in-memory FTS5 table), so stemming and diacritic folding are the index's. A phrase of
several words is found by token positions, which only the build reads: the glossary's names (what queries are expanded
with) get lists of their own then, and the searcher scores any other phrase through FTS5 and adds it in.

Documents are ranked with the title weighing more (DOCUMENT_WEIGHTS, see Searcher._rank): the matrix also keeps
that weighting's impact of every posting whose word is in a column weighted differently (the title), and a query's
scores with it are its ordinary scores plus the differences (FTS5's to 12 digits: the additions come in another order).

Whole documents have a matrix of their own, read the same way from documents_fts (`TermMatrix.documents`, saved in the
folder's `documents/`): with many documents, a query's words are weighed over each document's whole text.

The matrix is derived data, like the FAISS file: written by ingest for each generation of the store once the
collection reaches `Config.term_matrix_threshold` (write_terms), mapped read-only by searchers (load_terms), and
simply absent below it (FTS5 then ranks alone, with the same scores).
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Callable
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import TypeVar

import numpy as np

from policykb.durable import replace_folder_durably
from policykb.store import Store

log = logging.getLogger(__name__)

FTS_WEIGHTS = (0.3, 1.0, 1.0)  # BM25 column weights: title, section breadcrumb, body
# The weights a document is ranked with (by its best passage): a title that says what was asked counts more for the
# document than for telling its passages apart, which all carry it (tuned on SciFact's train queries).
DOCUMENT_WEIGHTS = (2.0, 1.0, 1.0)
# Whole documents (documents_fts: title, text), weighed with the title counting double as above (tuned on SciFact's train
# queries, see Searcher._document_scores).
WHOLE_DOCUMENT_WEIGHTS = (2.0, 1.0)
K1, B, IDF_FLOOR = 1.2, 0.75, 1e-6
FORMAT = 2
BATCH_INSTANCES = 4_000_000  # token instances turned into postings at a time, bounding the build's memory
_DIR = re.compile(r"^terms\.(\d+)$")
T = TypeVar("T")
_ARRAYS = ("rowids", "indptr", "rows", "impacts", "doc_indptr", "doc_postings", "doc_impacts")


def terms_dir(data_dir: Path, generation: int) -> Path:
    return data_dir / f"terms.{generation}"


def _read_varints(buf: bytes) -> list[int]:
    """SQLite varints (big-endian groups of 7 bits; a 9th byte carries 8), as FTS5 writes its records."""
    values, pos = [], 0
    while pos < len(buf):
        value = 0
        for i in range(9):
            byte = buf[pos + i]
            if i == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
        pos += i + 1
    return values


def _weighted_tf(counts: tuple[int, ...], weights: tuple[float, ...]) -> float:
    """F as FTS5 sums it: one addition of the column's weight per instance, so 0.3 + 0.3 + 1.0, not 2 × 0.3 + 1.0."""
    total = 0.0
    for count, weight in zip(counts, weights):
        for _ in range(count):
            total += weight
    return total


class QueryTokenizer:
    """A query word's indexed form(s), by FTS5's own tokenizer in a private in-memory database."""

    def __init__(self, tokenize: str) -> None:
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize = '{tokenize}')")
        self.conn.execute("CREATE VIRTUAL TABLE tv USING fts5vocab(t, 'instance')")
        self._cache: dict[str, list[str]] = {}

    def tokens(self, text: str) -> list[str]:
        if text not in self._cache:
            self.conn.execute("INSERT INTO t (rowid, x) VALUES (1, ?)", (text,))
            self._cache[text] = [row[0] for row in self.conn.execute("SELECT term FROM tv ORDER BY offset")]
            self.conn.execute("DELETE FROM t")
            if len(self._cache) > 100_000:
                self._cache.clear()
        return self._cache[text]


class TermMatrix:
    """Per word, the rows that contain it (as indexes into `rowids`, ascending) and the word's BM25 impact in each;
    per word too (`doc_indptr`), its postings whose impact differs with DOCUMENT_WEIGHTS and that impact. A matrix of
    passages may hold one of whole documents, `documents`."""

    def __init__(self, rowids: np.ndarray, indptr: np.ndarray, rows: np.ndarray, impacts: np.ndarray,
                 doc_indptr: np.ndarray, doc_postings: np.ndarray, doc_impacts: np.ndarray, terms: list[str], tokenize: str,
                 weights: tuple[float, ...], document_weights: tuple[float, ...], tokenizer: QueryTokenizer | None = None) -> None:
        self.rowids, self.indptr, self.rows, self.impacts = rowids, indptr, rows, impacts
        self.doc_indptr, self.doc_postings, self.doc_impacts = doc_indptr, doc_postings, doc_impacts
        self.term_id = {term: i for i, term in enumerate(terms)}
        self.tokenize, self.weights, self.document_weights = tokenize, tuple(weights), tuple(document_weights)
        self.tokenizer = tokenizer or QueryTokenizer(tokenize)
        self.documents: TermMatrix | None = None

    @property
    def size(self) -> int:
        return len(self.rowids)

    # --- querying ---------------------------------------------------------------------------------
    def key(self, part: str) -> str | None:
        """The matrix's key of a query part (a word, or a phrase it holds postings for); None if it holds none."""
        key = " ".join(self.tokenizer.tokens(part))
        return key if key in self.term_id or " " not in key else None

    def scores(self, keys: list[str]) -> np.ndarray:
        """BM25 of every row over `keys`, 0 where none occurs; added in query order, as FTS5 adds its phrases."""
        total = np.zeros(self.size, dtype=np.float64)
        for key in keys:
            term = self.term_id.get(key)
            if term is not None:
                lo, hi = self.indptr[term], self.indptr[term + 1]
                np.add.at(total, self.rows[lo:hi], self.impacts[lo:hi])
        return total

    def add_document_weights(self, total: np.ndarray, keys: list[str]) -> None:
        """Turn `scores(keys)` into BM25 with the document weights: only postings of a word in the title change."""
        for key in keys:
            term = self.term_id.get(key)
            if term is not None:
                first, last = self.doc_indptr[term], self.doc_indptr[term + 1]
                postings = self.doc_postings[first:last]
                np.add.at(total, self.rows[postings], self.doc_impacts[first:last] - self.impacts[postings])

    def rows_of(self, rowids: np.ndarray) -> np.ndarray:
        """Which of the matrix's rows are among `rowids` (the passages a filter allows), for keep_only."""
        at, known = self.positions(rowids)
        allowed = np.zeros(self.size, dtype=bool)
        allowed[at[known]] = True
        return allowed

    @staticmethod
    def keep_only(total: np.ndarray, rows: np.ndarray) -> None:
        """Zero every score but those of the rows marked in `rows` (see rows_of)."""
        total[~rows] = 0.0

    def positions(self, rowids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each rowid's row in the matrix, and whether the matrix holds it (rows written since it was built are not)."""
        at = np.minimum(np.searchsorted(self.rowids, rowids), max(self.size - 1, 0))
        return at, (self.rowids[at] == rowids) if self.size else np.zeros(len(rowids), dtype=bool)

    def top(self, total: np.ndarray, k: int, stride: int = 16) -> list[tuple[int, float]]:
        """The k best rows with a score above 0, best first, ties by rowid (the order FTS5 gives them).

        A partial sort of all N scores costs about N; the k-th best of every stride-th row is a lower bound of the
        k-th best overall, so only the rows at or above it are sorted."""
        sample = total[::stride]
        floor = np.partition(sample, len(sample) - k)[len(sample) - k] if len(sample) > k else 0.0
        picked = np.flatnonzero(total >= floor) if floor > 0.0 else np.flatnonzero(total > 0.0)
        if len(picked) > k:
            kth = np.partition(total[picked], len(picked) - k)[len(picked) - k]
            above = picked[total[picked] > kth]
            picked = np.concatenate((above, picked[total[picked] == kth][: k - len(above)]))
        picked = picked[np.lexsort((picked, -total[picked]))]
        return list(zip(self.rowids[picked].tolist(), total[picked].tolist()))

    # --- building from FTS5 -----------------------------------------------------------------------
    @classmethod
    def build(cls, conn: sqlite3.Connection, phrases: list[str] = (), weights: tuple[float, ...] = FTS_WEIGHTS,
              table: str = "chunks_fts", document_weights: tuple[float, ...] = DOCUMENT_WEIGHTS) -> "TermMatrix":
        """Read every posting of `table` through fts5vocab, with FTS5's row lengths and totals; `phrases` (the
        glossary's names of several words, which queries are expanded with) get postings of their own."""
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        create = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        tokenize = (re.search(r"tokenize\s*=\s*'([^']*)'", create) or [None, "unicode61"])[1]
        rowids, lengths = _row_lengths(conn, table, len(columns))
        n_rows = len(rowids)
        length_norm = K1 * ((1 - B) + B * lengths / (lengths.sum() / max(n_rows, 1)))  # C's order of operations

        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_rows USING fts5vocab(main, '{table}', 'row')")
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_instances USING fts5vocab(main, '{table}', 'instance')")
        vocabulary = conn.execute(f"SELECT term, doc FROM temp.{table}_rows").fetchall()
        tokenizer = QueryTokenizer(tokenize)
        found = _PhraseFinder(conn, table, columns, tokenizer).postings(phrases)
        terms = [term for term, _ in vocabulary] + list(found)
        counts = np.array([count for _, count in vocabulary] + [len(rows) for rows, _ in found.values()], dtype=np.int64)
        indptr = np.concatenate(([0], np.cumsum(counts)))
        idf = np.log((n_rows - counts + 0.5) / (counts + 0.5))
        idf = np.where(idf <= 0.0, IDF_FLOOR, idf)
        row_of = np.full(int(rowids[-1]) + 1 if len(rowids) else 1, -1, dtype=np.int64)
        row_of[rowids] = np.arange(len(rowids))
        weights, document_weights = _per_column(weights, len(columns)), _per_column(document_weights, len(columns))
        builder = _PostingsBuilder(indptr, idf, length_norm, row_of, weights, document_weights,
                                   _averages(conn, table)[1 : 1 + len(columns)], [tf for _, tf in found.values()])
        sql = f"SELECT group_concat(doc * 4 + {_column_number(columns)}, ',') FROM temp.{table}_instances WHERE term = ?"
        batch, first, pending = [], 0, 0
        for number, (term, _) in enumerate(vocabulary):
            batch.append(np.fromstring(conn.execute(sql, (term,)).fetchone()[0], dtype=np.int64, sep=","))
            pending += len(batch[-1])
            if pending >= BATCH_INSTANCES or number == len(vocabulary) - 1:
                builder.add(first, batch)
                batch, first, pending = [], number + 1, 0
        for number, (doc_rowids, column_counts) in enumerate(found.values(), start=len(vocabulary)):
            builder.add_counted(number, row_of[doc_rowids], column_counts)
        doc_postings, doc_impacts = builder.document_impacts()
        doc_indptr = np.searchsorted(doc_postings, indptr)  # both ascending: where each word's differing postings begin
        return cls(rowids, indptr, builder.rows, builder.impacts, doc_indptr, doc_postings, doc_impacts, terms, tokenize,
                   weights, document_weights, tokenizer)

    # --- files ------------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the arrays and the vocabulary into a new folder, each file made durable, then rename it into place."""
        _write_folder(path, self._write)

    def _write(self, folder: Path) -> None:
        folder.mkdir(exist_ok=True)
        for name in _ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))
        terms = sorted(self.term_id, key=self.term_id.get)
        info = {"format": FORMAT, "tokenize": self.tokenize, "weights": list(self.weights),
                "document_weights": list(self.document_weights), "terms": terms}
        (folder / "terms.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        if self.documents is not None:
            self.documents._write(folder / "documents")

    @classmethod
    def load(cls, path: Path, weights: tuple[float, ...] = FTS_WEIGHTS,
             document_weights: tuple[float, ...] = DOCUMENT_WEIGHTS) -> "TermMatrix":
        """Map a saved matrix read-only (its pages are shared by every process that searches), with its matrix of
        whole documents if it has one."""
        info = json.loads((path / "terms.json").read_text(encoding="utf-8"))
        if info.get("format") != FORMAT:
            raise ValueError(f"{path}: format {info.get('format')}, expected {FORMAT}")
        for name, used in (("weights", weights), ("document_weights", document_weights)):
            if tuple(info[name]) != tuple(used):  # its scores would no longer be FTS5's
                raise ValueError(f"{path}: built with column {name} {info[name]}, searches use {list(used)}")
        arrays = {name: np.load(path / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        matrix = cls(**arrays, terms=info["terms"], tokenize=info["tokenize"], weights=tuple(info["weights"]),
                     document_weights=tuple(info["document_weights"]))
        if (path / "documents").exists():
            matrix.documents = cls.load(path / "documents", WHOLE_DOCUMENT_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS)
        return matrix


class PhraseScores:
    """FTS5's BM25 contribution of single phrases the matrix does not hold (a Vietnamese query's syllable pairs, a
    phrase outside the glossary), kept for the phrases asked most recently: common pairs such as "bao hiem" recur from
    query to query, and FTS5 costs in proportion to the passages a phrase is in. One per searcher, so per generation."""

    def __init__(self, matrix: TermMatrix, fetch: Callable[[str], tuple[np.ndarray, np.ndarray, np.ndarray]],
                 budget: int = 4_000_000) -> None:
        self.matrix, self._fetch, self._budget = matrix, fetch, budget  # budget: postings kept, 24 bytes each
        self._kept: OrderedDict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()
        self._size = 0

    def add_to(self, total: np.ndarray, phrase: str, documents: bool = False) -> None:
        """Add the phrase's score in every passage to `total` (the rows of the matrix), with the document weights if
        `documents`."""
        if phrase in self._kept:
            self._kept.move_to_end(phrase)
        else:
            rowids, scores, document_scores = self._fetch(phrase)
            at, known = self.matrix.positions(rowids)  # rows written since the matrix are left out, as by its words
            self._kept[phrase] = (at[known], scores[known], document_scores[known])
            self._size += int(known.sum())
            while self._size > self._budget and len(self._kept) > 1:
                _, (dropped, _, _) = self._kept.popitem(last=False)
                self._size -= len(dropped)
        rows, scores, document_scores = self._kept[phrase]
        total[rows] += document_scores if documents else scores  # a phrase's rows are distinct

    @property
    def size(self) -> int:
        return self._size


def _column_number(columns: list[str]) -> str:
    """SQL turning fts5vocab's column name into the column's number (0, 1, 2; at most 4 columns, see row × 4 + column)."""
    return "CASE col " + " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(columns)) + " END"


def _per_column(weights: tuple[float, ...], columns: int) -> tuple[float, ...]:
    """A weight for each of the table's columns: 1.0 for those the weights leave out, as FTS5's bm25() does."""
    return tuple(weights[i] if i < len(weights) else 1.0 for i in range(columns))


def _averages(conn: sqlite3.Connection, table: str) -> list[int]:
    """FTS5's averages record (id 1 of _data): the row count, then each column's token total."""
    return _read_varints(conn.execute(f"SELECT block FROM {table}_data WHERE id = 1").fetchone()[0])


def _row_lengths(conn: sqlite3.Connection, table: str, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Every rowid and its tokens over all columns, from FTS5's _docsize table, checked against its averages record,
    from which FTS5 takes avgdl."""
    averages = _averages(conn, table)
    sizes = conn.execute(f"SELECT id, sz FROM {table}_docsize ORDER BY id").fetchall()
    rowids = np.array([rowid for rowid, _ in sizes], dtype=np.int64)
    lengths = np.array([sum(_read_varints(size)) for _, size in sizes], dtype=np.float64)
    if len(rowids) != averages[0] or lengths.sum() != sum(averages[1 : 1 + columns]):
        raise RuntimeError(f"{table}: row lengths disagree with FTS5's totals; "
                           f"check it with `INSERT INTO {table}({table}) VALUES('integrity-check')`")
    return rowids, lengths


class _PhraseFinder:
    """Where each phrase occurs, as FTS5 finds it: its tokens at consecutive offsets of one column of a row."""

    OFFSET_BITS = 24  # instances are keyed (row × 4 + column) << 24 | offset; no column holds 16 million tokens

    def __init__(self, conn: sqlite3.Connection, table: str, columns: list[str], tokenizer: QueryTokenizer) -> None:
        self.conn, self.tokenizer = conn, tokenizer
        self.sql = (f"SELECT group_concat(((doc * 4 + {_column_number(columns)}) << {self.OFFSET_BITS}) + offset, ',')"
                    f" FROM temp.{table}_instances WHERE term = ?")
        self._instances: dict[str, np.ndarray] = {}

    def postings(self, phrases: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """For each phrase of several tokens: (rowids, instances per column of each row), empty where it occurs
        nowhere, keyed by its tokens joined by spaces (a token never holds a space, so the key cannot be a word's)."""
        found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for phrase in dict.fromkeys(phrases):
            tokens = self.tokenizer.tokens(phrase)
            key = " ".join(tokens)
            if len(tokens) < 2 or key in found:
                continue
            starts = self._token(tokens[0])
            for shift, token in enumerate(tokens[1:], start=1):
                starts = np.intersect1d(starts, self._token(token) - shift, assume_unique=True)
            # Kept when empty too: a phrase found nowhere then costs a query nothing instead of an FTS5 search.
            row_slots, per_slot = np.unique(starts >> self.OFFSET_BITS, return_counts=True)  # row × 4 + column
            rowids, row_of_slot = np.unique(row_slots >> 2, return_inverse=True)
            tf = np.zeros((len(rowids), 4), dtype=np.int64)
            tf[row_of_slot.ravel(), row_slots & 3] = per_slot
            found[key] = (rowids, tf)
        return found

    def _token(self, token: str) -> np.ndarray:
        if token not in self._instances:
            if len(self._instances) > 16:
                self._instances.clear()
            joined = self.conn.execute(self.sql, (token,)).fetchone()[0]
            self._instances[token] = np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.zeros(0, dtype=np.int64)
        return self._instances[token]


class _PostingsBuilder:
    """Turns each word's token instances (row × 4 + column, in row order) into postings: row index and impact."""

    def __init__(self, indptr: np.ndarray, idf: np.ndarray, length_norm: np.ndarray, row_of: np.ndarray,
                 weights: tuple[float, ...], document_weights: tuple[float, ...], column_tokens: list[int],
                 phrase_tf: list[np.ndarray]) -> None:
        self.indptr, self.idf, self.length_norm, self.row_of = indptr, idf, length_norm, row_of
        self.rows = np.empty(int(indptr[-1]), dtype=np.int32)
        self.impacts = np.empty(int(indptr[-1]), dtype=np.float64)
        self._weights = {"ranking": weights, "documents": document_weights}
        self._f_of_pattern: dict[tuple[str, int], float] = {}
        # A posting's counts per column packed into one integer: 16 bits each for passages' four, 31 for the two of a
        # whole document, whose text can hold a word 65,536 times.
        self._bits = 16 if len(weights) > 2 else 31
        self._differing = [column for column, (a, b) in enumerate(zip(weights, document_weights)) if a != b]
        # The document impacts are written in place into arrays as long as the differing columns have tokens (no more
        # words' postings can differ; pages never written take no memory) rather than collected and joined, which at
        # 1M passages held 11 M of them (180 MB) twice over.
        document_postings = (sum(column_tokens[column] for column in self._differing)
                             + sum(int((tf[:, self._differing] > 0).sum()) for tf in phrase_tf))
        self._doc_postings = np.empty(document_postings, dtype=np.int32 if indptr[-1] < 2**31 else np.int64)
        self._doc_impacts = np.empty(document_postings, dtype=np.float64)
        self._doc_filled = 0

    def add(self, first_term: int, instances: list[np.ndarray]) -> None:
        term = np.repeat(np.arange(len(instances)), [len(a) for a in instances])
        instance = np.concatenate(instances)
        row = instance >> 2
        # A posting is a run of one (word, row); its tf per column is its instances in that column.
        starts = np.ones(len(instance), dtype=bool)
        starts[1:] = (row[1:] != row[:-1]) | (term[1:] != term[:-1])
        posting = np.cumsum(starts) - 1
        tf = np.bincount(posting * 4 + (instance & 3), minlength=4 * int(starts.sum())).reshape(-1, 4)
        lo, hi = self.indptr[first_term], self.indptr[first_term + len(instances)]
        if posting[-1] + 1 != hi - lo:
            raise RuntimeError("FTS5's postings disagree with its vocabulary's row counts")
        idf = np.repeat(self.idf[first_term : first_term + len(instances)], np.diff(self.indptr[first_term : first_term + len(instances) + 1]))
        self._fill(lo, hi, self.row_of[row[starts]], tf, idf)

    def add_counted(self, term: int, rows: np.ndarray, tf: np.ndarray) -> None:
        """Postings of one term (a phrase) whose rows and instances per column are already counted."""
        lo, hi = self.indptr[term], self.indptr[term + 1]
        self._fill(lo, hi, rows, tf, np.full(hi - lo, self.idf[term]))

    def _fill(self, lo: int, hi: int, rows: np.ndarray, tf: np.ndarray, idf: np.ndarray) -> None:
        # F once per distinct pattern of per-column counts, summed exactly as FTS5 sums it.
        if tf.max(initial=0) >= 1 << self._bits:
            raise RuntimeError(f"a word occurs {1 << self._bits:,} times or more in one column of one row")
        self.rows[lo:hi] = rows
        self.impacts[lo:hi] = self._impacts(tf, idf, rows, "ranking")
        differs = np.flatnonzero(tf[:, self._differing].any(axis=1))  # e.g. the word is in the title
        if len(differs):
            at = slice(self._doc_filled, self._doc_filled + len(differs))
            self._doc_postings[at] = lo + differs
            self._doc_impacts[at] = self._impacts(tf[differs], idf[differs], rows[differs], "documents")
            self._doc_filled += len(differs)

    def _impacts(self, tf: np.ndarray, idf: np.ndarray, rows: np.ndarray, weighting: str) -> np.ndarray:
        packed = np.zeros(len(tf), dtype=np.int64)
        for column in range(64 // self._bits):
            packed |= tf[:, column] << (column * self._bits)
        keys, inverse = np.unique(packed, return_inverse=True)
        f_values = np.array([self._f(weighting, key) for key in keys.tolist()], dtype=np.float64)[inverse.ravel()]
        return idf * ((f_values * (K1 + 1.0)) / (f_values + self.length_norm[rows]))

    def _f(self, weighting: str, key: int) -> float:
        if (weighting, key) not in self._f_of_pattern:
            counts = tuple((key >> (column * self._bits)) & ((1 << self._bits) - 1) for column in range(64 // self._bits))
            self._f_of_pattern[weighting, key] = _weighted_tf(counts, self._weights[weighting])
        return self._f_of_pattern[weighting, key]

    def document_impacts(self) -> tuple[np.ndarray, np.ndarray]:
        """(postings, impacts) of every posting whose impact the document weights change, postings ascending."""
        return self._doc_postings[: self._doc_filled], self._doc_impacts[: self._doc_filled]  # ranges are filled in order


def write_terms(store: Store, data_dir: Path, threshold: int, phrases: list[str] = ()) -> TermMatrix | None:
    """Bring the term matrix up to the store's generation (ingest calls this after every change): build and save it,
    with the matrix of whole documents, once the store holds `threshold` passages, with postings for `phrases` (the
    glossary's names), and remove those of other generations. Below the threshold there is none and FTS5 ranks alone."""
    target = terms_dir(data_dir, store.generation())
    wanted = store.count_chunks() >= max(threshold, 1)
    matrix = load_terms(data_dir, store.generation()) if wanted else None
    if wanted and (matrix is None or (matrix.documents is None and store.has_document_terms)):
        shutil.rmtree(target, ignore_errors=True)  # an unreadable leftover, or one from before documents_fts
        matrix = _build_into(store, phrases, target)
    for old in data_dir.glob("terms.*"):
        if (_DIR.match(old.name) or old.name.endswith(".tmp")) and (old != target or not wanted):
            shutil.rmtree(old, ignore_errors=True)
    return matrix


def _build_into(store: Store, phrases: list[str], target: Path) -> TermMatrix:
    """Build the matrix of passages and, if the store has documents_fts, that of whole documents, into a new folder
    renamed to `target`. The documents' matrix is written and let go before the passages' is built: held meanwhile, it
    raised the peak memory of building a million passages' from 1.95 to 2.15 GB."""
    def write(folder: Path) -> TermMatrix:
        if store.has_document_terms:
            documents = TermMatrix.build(store.conn, phrases, WHOLE_DOCUMENT_WEIGHTS, "documents_fts", WHOLE_DOCUMENT_WEIGHTS)
            documents._write(folder / "documents")
            del documents
        matrix = TermMatrix.build(store.conn, phrases)
        matrix._write(folder)
        return matrix

    matrix = _write_folder(target, write)
    if store.has_document_terms:
        matrix.documents = TermMatrix.load(target / "documents", WHOLE_DOCUMENT_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS)
    return matrix


def _write_folder(path: Path, write: Callable[[Path], T]) -> T:
    """Have `write` fill a new folder beside `path`, make each file durable, then rename the folder into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent))
    try:
        written = write(tmp)
        replace_folder_durably(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


def load_terms(data_dir: Path, generation: int) -> TermMatrix | None:
    """The saved term matrix of `generation`, or None when there is none (or it cannot be read, which is logged):
    a searcher then ranks with FTS5, which gives the same scores."""
    path = terms_dir(data_dir, generation)
    if not path.exists():
        return None
    try:
        return TermMatrix.load(path)
    except (OSError, ValueError, KeyError) as error:
        log.warning("unreadable term matrix %s (%s)", path, error)
        return None
