"""Reading FTS5's own index into a term matrix's arrays: its tokenizer, its row lengths and totals, and every posting
with its BM25 impact, FTS5's formula evaluated in FTS5's order (see policykb.search.terms)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import OrderedDict

import numpy as np

from policykb.search.weights import IDF_FLOOR, K1, B

BATCH_INSTANCES = 4_000_000  # token instances turned into postings at a time, bounding the build's memory
PHRASE_TOKENS_KEPT = 512 << 20  # bytes of token instances kept while the glossary's names are found (_PhraseFinder)


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


def weighted_tf(counts: tuple[int, ...], weights: tuple[float, ...]) -> float:
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


def columns_and_tokenizer(conn: sqlite3.Connection, table: str) -> tuple[list[str], str]:
    """The FTS5 table's columns and the tokenizer it was created with (FTS5's default where it names none)."""
    columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    create = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    return columns, (re.search(r"tokenize\s*=\s*'([^']*)'", create) or [None, "unicode61"])[1]


def read_postings(
    conn: sqlite3.Connection,
    phrases: list[str | tuple[str, ...]],
    weights: tuple[float, ...],
    table: str,
    document_weights: tuple[float, ...],
) -> dict:
    """Every posting of `table` read through fts5vocab, with FTS5's row lengths and totals, as TermMatrix's arguments;
    `phrases` (the glossary's names of several words, which queries are expanded with) get postings of their own."""
    columns, tokenize = columns_and_tokenizer(conn, table)
    rowids, lengths = row_lengths(conn, table, len(columns))
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_rows USING fts5vocab(main, '{table}', 'row')")
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_instances USING fts5vocab(main, '{table}', 'instance')"
    )
    vocabulary = conn.execute(f"SELECT term, doc FROM temp.{table}_rows").fetchall()
    tokenizer = QueryTokenizer(tokenize)
    found = _PhraseFinder(conn, table, columns, tokenizer).postings(phrases)
    builder = _Assembly(conn, table, columns, weights, document_weights)
    builder.rows(rowids, lengths, len(rowids), lengths.sum() / max(len(rowids), 1))  # C's order of operations
    matrix = builder.postings(vocabulary, found, _averages(conn, table)[1 : 1 + len(columns)])
    return {**matrix, "tokenize": tokenize, "tokenizer": tokenizer}


def phrase_postings(
    conn: sqlite3.Connection,
    table: str,
    found: dict[str, tuple[np.ndarray, np.ndarray]],
    weights: tuple[float, ...],
    document_weights: tuple[float, ...],
) -> dict:
    """TermMatrix's arguments for phrases already found (key: (rowids ascending, instances per column of each)), over
    the rows they are in alone, scored with the whole table's row count and mean length: what a live matrix holds for
    a glossary name new since its base (policykb.search.terms_live)."""
    columns, tokenize = columns_and_tokenizer(conn, table)
    rowids = np.unique(np.concatenate([np.zeros(0, dtype=np.int64), *(rows for rows, _ in found.values())]))
    sizes = dict(
        conn.execute(
            f"SELECT id, sz FROM {table}_docsize WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(rowids.tolist()),),
        )
    )
    lengths = np.array([sum(_read_varints(sizes[rowid])) for rowid in rowids.tolist()], dtype=np.float64)
    averages = _averages(conn, table)
    builder = _Assembly(conn, table, columns, weights, document_weights)
    builder.rows(rowids, lengths, averages[0], sum(averages[1 : 1 + len(columns)]) / max(averages[0], 1))
    return {**builder.postings([], found, [0] * len(columns)), "tokenize": tokenize}


class _Assembly:
    """TermMatrix's arguments from a table's rows and each term's postings: words read from fts5vocab, phrases found."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        table: str,
        columns: list[str],
        weights: tuple[float, ...],
        document_weights: tuple[float, ...],
    ) -> None:
        self.conn, self.table, self.columns = conn, table, columns
        self.weights = per_column(weights, len(columns))
        self.document_weights = per_column(document_weights, len(columns))

    def rows(self, rowids: np.ndarray, lengths: np.ndarray, n_rows: int, average: float) -> None:
        """The matrix's rows and their lengths, and the table's row count and mean length, which weigh them."""
        self.rowids, self.lengths, self.n_rows = rowids, lengths, n_rows
        self.length_norm = K1 * ((1 - B) + B * lengths / average)
        self.row_of = np.full(int(rowids[-1]) + 1 if len(rowids) else 1, -1, dtype=np.int64)
        self.row_of[rowids] = np.arange(len(rowids))

    def postings(
        self,
        vocabulary: list[tuple[str, int]],
        found: dict[str, tuple[np.ndarray, np.ndarray]],
        column_tokens: list[int],
    ) -> dict:
        terms = [term for term, _ in vocabulary] + list(found)
        counts = np.array(
            [count for _, count in vocabulary] + [len(rows) for rows, _ in found.values()], dtype=np.int64
        )
        indptr = np.concatenate(([0], np.cumsum(counts)))
        idf = np.log((self.n_rows - counts + 0.5) / (counts + 0.5))
        idf = np.where(idf <= 0.0, IDF_FLOOR, idf)
        builder = _PostingsBuilder(
            indptr,
            idf,
            self.length_norm,
            self.row_of,
            self.weights,
            self.document_weights,
            column_tokens,
            [tf for _, tf in found.values()],
        )
        _add_words(builder, self.conn, self.table, self.columns, [term for term, _ in vocabulary])
        for number, (doc_rowids, column_counts) in enumerate(found.values(), start=len(vocabulary)):
            builder.add_counted(number, self.row_of[doc_rowids], column_counts)
        doc_postings, doc_impacts, doc_fidx = builder.document_impacts()
        doc_indptr = np.searchsorted(doc_postings, indptr)  # both ascending: where each word's differing postings begin
        return {
            "rowids": self.rowids,
            "indptr": indptr,
            "rows": builder.rows,
            "impacts": builder.impacts,
            "doc_indptr": doc_indptr,
            "doc_postings": doc_postings,
            "doc_impacts": doc_impacts,
            "fidx": builder.fidx,
            "doc_fidx": doc_fidx,
            "f_table": builder.f_table,
            "lengths": self.lengths,
            "terms": terms,
            "weights": self.weights,
            "document_weights": self.document_weights,
        }


def _add_words(
    builder: _PostingsBuilder, conn: sqlite3.Connection, table: str, columns: list[str], words: list[str]
) -> None:
    """Every word's token instances read from fts5vocab and turned into postings, BATCH_INSTANCES at a time."""
    sql = f"SELECT group_concat(doc * 4 + {_column_number(columns)}, ',') FROM temp.{table}_instances WHERE term = ?"
    batch, first, pending = [], 0, 0
    for number, term in enumerate(words):
        batch.append(np.fromstring(conn.execute(sql, (term,)).fetchone()[0], dtype=np.int64, sep=","))
        pending += len(batch[-1])
        if pending >= BATCH_INSTANCES or number == len(words) - 1:
            builder.add(first, batch)
            batch, first, pending = [], number + 1, 0


def _column_number(columns: list[str]) -> str:
    """SQL turning fts5vocab's column name into the column's number (0, 1, 2; at most 4 columns, see row × 4 + column)."""
    return "CASE col " + " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(columns)) + " END"


def per_column(weights: tuple[float, ...], columns: int) -> tuple[float, ...]:
    """A weight for each of the table's columns: 1.0 for those the weights leave out, as FTS5's bm25() does."""
    return tuple(weights[i] if i < len(weights) else 1.0 for i in range(columns))


def _averages(conn: sqlite3.Connection, table: str) -> list[int]:
    """FTS5's averages record (id 1 of _data): the row count, then each column's token total."""
    return _read_varints(conn.execute(f"SELECT block FROM {table}_data WHERE id = 1").fetchone()[0])


def row_lengths(conn: sqlite3.Connection, table: str, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Every rowid and its tokens over all columns, from FTS5's _docsize table, checked against its averages record,
    from which FTS5 takes avgdl."""
    averages = _averages(conn, table)
    sizes = conn.execute(f"SELECT id, sz FROM {table}_docsize ORDER BY id").fetchall()
    rowids = np.array([rowid for rowid, _ in sizes], dtype=np.int64)
    lengths = np.array([sum(_read_varints(size)) for _, size in sizes], dtype=np.float64)
    if len(rowids) != averages[0] or lengths.sum() != sum(averages[1 : 1 + columns]):
        raise RuntimeError(
            f"{table}: row lengths disagree with FTS5's totals; "
            f"check it with `INSERT INTO {table}({table}) VALUES('integrity-check')`"
        )
    return rowids, lengths


class _PhraseFinder:
    """Where each phrase occurs, as FTS5 finds it: its tokens at consecutive offsets of one column of a row."""

    OFFSET_BITS = 24  # instances are keyed (row × 4 + column) << 24 | offset; no column holds 16 million tokens

    def __init__(self, conn: sqlite3.Connection, table: str, columns: list[str], tokenizer: QueryTokenizer) -> None:
        self.conn, self.tokenizer = conn, tokenizer
        self.sql = (
            f"SELECT group_concat(((doc * 4 + {_column_number(columns)}) << {self.OFFSET_BITS}) + offset, ',')"
            f" FROM temp.{table}_instances WHERE term = ?"
        )
        self._instances: OrderedDict[str, np.ndarray] = OrderedDict()  # the tokens read most recently
        self._instance_bytes = 0

    def postings(self, phrases: list[str | tuple[str, ...]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """For each phrase of several tokens (a text, or its tokens as a tuple): (rowids, instances per column of each
        row), empty where it occurs nowhere, keyed by its tokens joined by spaces (a token never holds a space, so the
        key cannot be a word's)."""
        found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for phrase in dict.fromkeys(phrases):
            tokens = list(phrase) if isinstance(phrase, tuple) else self.tokenizer.tokens(phrase)  # tuple: its tokens
            key = " ".join(tokens)
            if len(tokens) < 2 or key in found:
                continue
            starts = self._token(tokens[0])
            for shift, token in enumerate(tokens[1:], start=1):
                starts = np.intersect1d(starts, self._token(token) - shift, assume_unique=True)
            # Kept when empty too: a phrase found nowhere then costs a query nothing instead of an FTS5 search.
            row_slots, per_slot = np.unique(starts >> self.OFFSET_BITS, return_counts=True)  # row × 4 + column
            rowids, row_of_slot = np.unique(row_slots >> 2, return_inverse=True)
            tf = np.zeros((len(rowids), 4), dtype=np.int32)  # held for every name until the postings are built
            tf[row_of_slot.ravel(), row_slots & 3] = per_slot
            found[key] = (rowids, tf)
        return found

    def _token(self, token: str) -> np.ndarray:
        """Every instance of one token, kept while they fit in PHRASE_TOKENS_KEPT bytes: the glossary's thousands of
        names share a few thousand tokens ("of", "social", "bao"), and reading a common one from FTS5 costs in
        proportion to the collection, so reading each once rather than once per name makes this step ten times
        faster (docs/BENCHMARKS.md). The finder is let go before the postings are built, so they add nothing to the
        build's peak memory."""
        if token in self._instances:
            self._instances.move_to_end(token)
            return self._instances[token]
        joined = self.conn.execute(self.sql, (token,)).fetchone()[0]
        found = np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.zeros(0, dtype=np.int64)
        self._instances[token] = found
        self._instance_bytes += found.nbytes
        while self._instance_bytes > PHRASE_TOKENS_KEPT and len(self._instances) > 1:
            _, dropped = self._instances.popitem(last=False)
            self._instance_bytes -= dropped.nbytes
        return found


class _PostingsBuilder:
    """Turns each word's token instances (row × 4 + column, in row order) into postings: row index and impact."""

    def __init__(
        self,
        indptr: np.ndarray,
        idf: np.ndarray,
        length_norm: np.ndarray,
        row_of: np.ndarray,
        weights: tuple[float, ...],
        document_weights: tuple[float, ...],
        column_tokens: list[int],
        phrase_tf: list[np.ndarray],
    ) -> None:
        self.indptr, self.idf, self.length_norm, self.row_of = indptr, idf, length_norm, row_of
        self.rows = np.empty(int(indptr[-1]), dtype=np.int32)
        self.impacts = np.empty(int(indptr[-1]), dtype=np.float64)
        self._weights = {"ranking": weights, "documents": document_weights}
        self._f_of_pattern: dict[tuple[str, int], float] = {}
        # Each posting's F as an index into `f_table`, so that a matrix with passages added or removed since it was
        # built (policykb.search.terms_live) can score it again with the collection's new idf and mean length.
        self._f_index: dict[float, int] = {}
        # A collection has a few dozen distinct Fs: one byte a posting, widened if it has more.
        self.fidx = np.empty(int(indptr[-1]), dtype=np.uint8)
        # A posting's counts per column packed into one integer: 16 bits each for passages' four, 31 for the two of a
        # whole document, whose text can hold a word 65,536 times.
        self._bits = 16 if len(weights) > 2 else 31
        self._differing = [column for column, (a, b) in enumerate(zip(weights, document_weights)) if a != b]
        # The document impacts are written in place into arrays as long as the differing columns have tokens (no more
        # words' postings can differ; pages never written take no memory) rather than collected and joined, which
        # holds them all twice over.
        document_postings = sum(column_tokens[column] for column in self._differing) + sum(
            int((tf[:, self._differing] > 0).sum()) for tf in phrase_tf
        )
        self._doc_postings = np.empty(document_postings, dtype=np.int32 if indptr[-1] < 2**31 else np.int64)
        self._doc_impacts = np.empty(document_postings, dtype=np.float64)
        self._doc_fidx = np.empty(document_postings, dtype=np.uint8)
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
        idf = np.repeat(
            self.idf[first_term : first_term + len(instances)],
            np.diff(self.indptr[first_term : first_term + len(instances) + 1]),
        )
        self._fill(lo, hi, self.row_of[row[starts]], tf, idf)

    def add_counted(self, term: int, rows: np.ndarray, tf: np.ndarray) -> None:
        """Postings of one term (a phrase) whose rows and instances per column are already counted."""
        lo, hi = self.indptr[term], self.indptr[term + 1]
        if lo < hi:  # most of the glossary's names are in none of a few added rows
            self._fill(lo, hi, rows, tf, np.full(hi - lo, self.idf[term]))

    def _fill(self, lo: int, hi: int, rows: np.ndarray, tf: np.ndarray, idf: np.ndarray) -> None:
        # F once per distinct pattern of per-column counts, summed exactly as FTS5 sums it.
        if tf.max(initial=0) >= 1 << self._bits:
            raise RuntimeError(f"a word occurs {1 << self._bits:,} times or more in one column of one row")
        self.rows[lo:hi] = rows
        self.impacts[lo:hi], self.fidx[lo:hi] = self._impacts(tf, idf, rows, "ranking")
        differs = np.flatnonzero(tf[:, self._differing].any(axis=1))  # e.g. the word is in the title
        if len(differs):
            at = slice(self._doc_filled, self._doc_filled + len(differs))
            self._doc_postings[at] = lo + differs
            self._doc_impacts[at], self._doc_fidx[at] = self._impacts(
                tf[differs], idf[differs], rows[differs], "documents"
            )
            self._doc_filled += len(differs)

    def _impacts(
        self, tf: np.ndarray, idf: np.ndarray, rows: np.ndarray, weighting: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each posting's impact, and its F's index in `f_table`."""
        packed = np.zeros(len(tf), dtype=np.int64)
        for column in range(64 // self._bits):
            packed |= tf[:, column].astype(np.int64) << (column * self._bits)
        keys, inverse = np.unique(packed, return_inverse=True)
        f_of_key = [self._f(weighting, key) for key in keys.tolist()]
        index_of_key = np.array([self._f_index.setdefault(f, len(self._f_index)) for f in f_of_key], dtype=np.uint32)
        if len(self._f_index) > np.iinfo(self.fidx.dtype).max + 1:
            wider = np.uint16 if len(self._f_index) <= 1 << 16 else np.uint32
            self.fidx, self._doc_fidx = self.fidx.astype(wider), self._doc_fidx.astype(wider)
        f_values = np.array(f_of_key, dtype=np.float64)[inverse.ravel()]
        return idf * ((f_values * (K1 + 1.0)) / (f_values + self.length_norm[rows])), index_of_key[inverse.ravel()]

    @property
    def f_table(self) -> np.ndarray:
        """Every F a posting has, at the index its `fidx` gives."""
        return np.array(list(self._f_index), dtype=np.float64)

    def _f(self, weighting: str, key: int) -> float:
        if (weighting, key) not in self._f_of_pattern:
            counts = tuple(
                (key >> (column * self._bits)) & ((1 << self._bits) - 1) for column in range(64 // self._bits)
            )
            self._f_of_pattern[weighting, key] = weighted_tf(counts, self._weights[weighting])
        return self._f_of_pattern[weighting, key]

    def document_impacts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(postings, impacts, F indexes) of every posting whose impact the document weights change, postings
        ascending (ranges are filled in order)."""
        filled = slice(0, self._doc_filled)
        return self._doc_postings[filled], self._doc_impacts[filled], self._doc_fidx[filled]
