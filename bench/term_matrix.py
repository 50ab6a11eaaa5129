"""A measured candidate for keyword ranking at scale: an in-memory BM25 term matrix that reproduces SQLite FTS5's bm25()
for queries made of single-token phrases (see docs/BENCHMARKS.md, "Keyword ranking without FTS5's bm25()").

FTS5's bm25 (ext/fts5/fts5_aux.c, fts5Bm25Function / fts5Bm25GetData), k1 = 1.2, b = 0.75:

    for each phrase i of the query, in query order:
        F_i   = sum of the column weight over the phrase's instances in the row (instances in (column, offset) order)
        idf_i = log((nRow - nHit_i + 0.5) / (nHit_i + 0.5)), and 1e-6 if that is <= 0
        score += idf_i * ((F_i * (k1 + 1.0)) / (F_i + k1 * (1 - b + b * D / avgdl)))
    return -score

with nRow and avgdl = (total tokens of all columns) / nRow from the FTS5 averages record, D the row's token count over
all columns, nHit_i the number of rows the phrase matches. For a one-token phrase nothing in a posting's contribution
depends on the query, so the matrix stores it ready-made ("impact") and a query is a scatter-add of a few postings
lists into a dense accumulator in query order (the same additions in the same order as FTS5, so the same doubles),
then a top-k selection.

Store modes:
    "impact"  : int32 row index + float64 impact per posting (12 bytes), fastest query.
    "compact" : int32 row index + uint16 code of the (per-column tf) pattern (6 bytes); the impact is computed at
                query time from a float64 table of F values, the per-row length factor and the term's idf, with the
                same floating-point operations, so scores are still bit-identical.
"""

from __future__ import annotations

import re
import sqlite3

import numpy as np

K1 = 1.2
B = 0.75
IDF_FLOOR = 1e-6


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """One SQLite varint (big-endian 7-bit groups, the 9th byte holds 8 bits) at pos: (value, next position)."""
    value = 0
    for i in range(8):
        byte = buf[pos + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, pos + i + 1
    return (value << 8) | buf[pos + 8], pos + 9


def read_varints(buf: bytes) -> list[int]:
    values, pos = [], 0
    while pos < len(buf):
        value, pos = read_varint(buf, pos)
        values.append(value)
    return values


def bm25_idf(n_rows: int, n_hit: np.ndarray) -> np.ndarray:
    """FTS5's idf per phrase, with its floor for phrases in more than about half the rows."""
    idf = np.log((n_rows - n_hit + 0.5) / (n_hit + 0.5))
    return np.where(idf <= 0.0, IDF_FLOOR, idf)


def weighted_tf(counts: tuple[int, ...], weights: tuple[float, ...]) -> float:
    """F as FTS5 sums it: one `+= weight` per instance, instances in column order (so 0.3+0.3+1.0, not 2*0.3+1.0)."""
    f = 0.0
    for count, weight in zip(counts, weights):
        for _ in range(count):
            f += weight
    return f


class QueryTokenizer:
    """A query word's indexed form(s), from FTS5's own tokenizer in a private in-memory database."""

    def __init__(self, tokenize: str):
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize = '{tokenize}')")
        self.conn.execute("CREATE VIRTUAL TABLE tv USING fts5vocab(t, 'instance')")
        self.cache: dict[str, list[str]] = {}

    def tokens(self, text: str) -> list[str]:
        if text not in self.cache:
            self.conn.execute("INSERT INTO t(rowid, x) VALUES (1, ?)", (text,))
            self.cache[text] = [row[0] for row in self.conn.execute("SELECT term FROM tv ORDER BY offset")]
            self.conn.execute("DELETE FROM t")
        return self.cache[text]


class TermMatrix:
    def __init__(self, weights: tuple[float, ...] = (0.3, 1.0, 1.0), store: str = "impact"):
        if store not in ("impact", "compact"):
            raise ValueError(store)
        self.weights = tuple(float(w) for w in weights)
        self.store = store

    # ------------------------------------------------------------------ build

    def build(self, conn: sqlite3.Connection, table: str = "chunks_fts", schema: str = "main",
              batch_instances: int = 4_000_000) -> "TermMatrix":
        """Read postings, per-row token counts and table totals from the FTS5 index (read-only)."""
        columns = [row[1] for row in conn.execute(f"PRAGMA {schema}.table_info({table})")]
        if len(columns) > 4:
            raise ValueError("the col*4 + column encoding below assumes at most 4 columns")
        weights = tuple(self.weights[i] if i < len(self.weights) else 1.0 for i in range(len(columns)))
        create_sql = conn.execute(f"SELECT sql FROM {schema}.sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        match = re.search(r"tokenize\s*=\s*'([^']*)'", create_sql)
        self.tokenizer = QueryTokenizer(match.group(1) if match else "unicode61")

        # Table totals: the averages record (id 1 of the _data table) is varint nRow, then each column's token total.
        averages = read_varints(conn.execute(f"SELECT block FROM {schema}.{table}_data WHERE id = 1").fetchone()[0])
        self.n_rows = averages[0]
        self.avgdl = float(sum(averages[1 : 1 + len(columns)])) / float(self.n_rows)

        # Per-row length D: the _docsize record is one varint per column.
        rowids, lengths = [], []
        for rowid, size in conn.execute(f"SELECT id, sz FROM {schema}.{table}_docsize ORDER BY id"):
            rowids.append(rowid)
            lengths.append(sum(read_varints(size)))
        self.rowids = np.array(rowids, dtype=np.int64)
        self.doc_length = np.array(lengths, dtype=np.float64)
        if len(self.rowids) != self.n_rows or self.doc_length.sum() != sum(averages[1 : 1 + len(columns)]):
            raise ValueError("the _docsize rows disagree with the averages record (nRow, total tokens)")

        # Length normalisation k1 * (1 - b + b * D / avgdl), in C's evaluation order.
        self.length_norm = K1 * ((1 - B) + B * self.doc_length / self.avgdl)

        # Vocabulary with each term's row count (nHit of a one-token phrase), hence idf and the CSR row pointers.
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.tm_row USING fts5vocab({schema}, '{table}', 'row')")
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.tm_inst USING fts5vocab({schema}, '{table}', 'instance')")
        vocab = conn.execute("SELECT term, doc FROM temp.tm_row").fetchall()
        self.terms = [term for term, _ in vocab]
        self.term_id = {term: i for i, term in enumerate(self.terms)}
        n_hit = np.array([n for _, n in vocab], dtype=np.int64)
        self.indptr = np.concatenate(([0], np.cumsum(n_hit)))
        self.idf = bm25_idf(self.n_rows, n_hit.astype(np.float64))

        n_postings = int(self.indptr[-1])
        self.doc = np.empty(n_postings, dtype=np.int32)
        self.code = np.empty(n_postings, dtype=np.uint16)
        self.impact = np.empty(n_postings, dtype=np.float64) if self.store == "impact" else None
        self._row_index = np.full(int(self.rowids[-1]) + 1, -1, dtype=np.int32)
        self._row_index[self.rowids] = np.arange(len(self.rowids), dtype=np.int32)
        self._pattern_code: dict[int, int] = {}
        self._f_values: list[float] = []
        self._weights = weights

        # Postings: a term's token instances in (row, column, offset) order, as row*4 + column in one string,
        # converted a batch of terms at a time to bound the memory of the intermediate arrays.
        column_case = "CASE col " + " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(columns)) + " END"
        sql = f"SELECT group_concat(doc * 4 + {column_case}, ',') FROM temp.tm_inst WHERE term = ?"
        batch: list[np.ndarray] = []
        batch_first, batch_size = 0, 0
        for t, term in enumerate(self.terms):
            batch.append(np.fromstring(conn.execute(sql, (term,)).fetchone()[0], dtype=np.int64, sep=","))
            batch_size += len(batch[-1])
            if batch_size >= batch_instances or t == len(self.terms) - 1:
                self._add_postings(batch_first, batch)
                batch, batch_first, batch_size = [], t + 1, 0
        self.f_table = np.array(self._f_values, dtype=np.float64)
        if self.store == "impact":
            self.code = None
        del self._row_index
        return self

    def _add_postings(self, first_term: int, instances_per_term: list[np.ndarray]) -> None:
        """Turn the token instances of consecutive terms into postings: row index, tf pattern code, impact."""
        term = np.repeat(np.arange(len(instances_per_term)), [len(a) for a in instances_per_term])
        instance = np.concatenate(instances_per_term)
        row = instance >> 2
        # A posting is a run of the same (term, row); its tf per column = its instances per column.
        new_posting = np.empty(len(instance), dtype=bool)
        new_posting[0] = True
        new_posting[1:] = (row[1:] != row[:-1]) | (term[1:] != term[:-1])
        start = np.flatnonzero(new_posting)
        tf = np.bincount((np.cumsum(new_posting) - 1) * 4 + (instance & 3), minlength=4 * len(start)).reshape(-1, 4)
        lo, hi = self.indptr[first_term], self.indptr[first_term + len(instances_per_term)]
        if len(start) != hi - lo:
            raise ValueError("posting counts differ from fts5vocab 'row' doc counts")

        # F per posting: exact sequential sums, computed once per distinct tf pattern.
        if tf.max() >= 1 << 16:
            raise ValueError("a tf of 65536 or more does not fit the pattern key")
        keys, inverse = np.unique(tf[:, 0] | (tf[:, 1] << 16) | (tf[:, 2] << 32) | (tf[:, 3] << 48), return_inverse=True)
        for key in keys.tolist():
            if key not in self._pattern_code:
                counts = tuple((key >> shift) & 0xFFFF for shift in (0, 16, 32, 48))
                self._pattern_code[key] = len(self._f_values)
                self._f_values.append(weighted_tf(counts, self._weights))
        if len(self._f_values) > 65535:
            raise ValueError("too many tf patterns for a uint16 code")
        code = np.array([self._pattern_code[key] for key in keys.tolist()], dtype=np.uint16)[inverse.ravel()]

        doc = self._row_index[row[start]]
        if (doc < 0).any():
            raise ValueError("a posting's rowid is missing from _docsize")
        self.doc[lo:hi] = doc
        self.code[lo:hi] = code
        if self.impact is not None:
            f = np.array(self._f_values, dtype=np.float64)[code]
            terms = slice(first_term, first_term + len(instances_per_term))
            idf = np.repeat(self.idf[terms], np.diff(self.indptr[first_term : terms.stop + 1]))
            self.impact[lo:hi] = idf * ((f * (K1 + 1.0)) / (f + self.length_norm[doc]))

    def materialise(self) -> None:
        """Compact store -> impact store (impacts computed from the tf codes with the same operations as build)."""
        self.impact = np.empty(len(self.doc), dtype=np.float64)
        for t in range(len(self.terms)):
            lo, hi = self.indptr[t], self.indptr[t + 1]
            f = self.f_table[self.code[lo:hi]]
            self.impact[lo:hi] = self.idf[t] * ((f * (K1 + 1.0)) / (f + self.length_norm[self.doc[lo:hi]]))
        self.store = "impact"

    def nbytes(self) -> dict[str, int]:
        arrays = {"doc": self.doc, "impact": self.impact, "code": self.code, "indptr": self.indptr,
                  "rowids": self.rowids, "doc_length": self.doc_length, "length_norm": self.length_norm,
                  "idf": self.idf, "f_table": self.f_table}
        return {name: a.nbytes for name, a in arrays.items() if a is not None}

    # ------------------------------------------------------------------ query

    def query_terms(self, words: list[str]) -> list[str]:
        """Each query word's indexed form; a word that is not exactly one token is not a single-token phrase."""
        out = []
        for word in words:
            tokens = self.tokenizer.tokens(word)
            if len(tokens) != 1:
                raise ValueError(f"{word!r} tokenises to {tokens}: not a single-token phrase")
            out.append(tokens[0])
        return out

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(row indices, impacts) of one indexed term; empty if the term is not in the index."""
        t = self.term_id.get(term)
        if t is None:
            return np.empty(0, np.int32), np.empty(0, np.float64)
        lo, hi = self.indptr[t], self.indptr[t + 1]
        doc = self.doc[lo:hi]
        if self.impact is not None:
            return doc, self.impact[lo:hi]
        f = self.f_table[self.code[lo:hi]]
        return doc, self.idf[t] * ((f * (K1 + 1.0)) / (f + self.length_norm[doc]))

    def scores(self, terms: list[str], method: str = "addat") -> np.ndarray:
        """Dense BM25 scores (higher is better, 0 = no match), phrases added in query order like FTS5."""
        acc = np.zeros(self.n_rows, dtype=np.float64)
        lists = [self.postings(term) for term in terms]
        if method == "fancy":  # doc ids are unique within a postings list, so a buffered += is correct
            for doc, impact in lists:
                acc[doc] += impact
        elif method == "addat":
            for doc, impact in lists:
                np.add.at(acc, doc, impact)
        elif method == "bincount":  # sums each bin in input order, i.e. query order
            if lists:
                doc = np.concatenate([d for d, _ in lists])
                impact = np.concatenate([i for _, i in lists])
                acc = np.bincount(doc, weights=impact, minlength=self.n_rows)
        else:
            raise ValueError(method)
        return acc

    def top_k(self, terms: list[str], k: int = 100, method: str = "addat") -> tuple[np.ndarray, np.ndarray]:
        """(rowids, scores) of the k best rows, best first; ties by rowid. Scores are -bm25() of FTS5."""
        acc = self.scores(terms, method)
        return self.select(acc, k)

    def max_impact(self, term: str) -> float:
        """Upper bound of one term's contribution to any row's score."""
        if not hasattr(self, "_max_impact"):
            self._max_impact = np.zeros(len(self.terms))
            nonempty = np.diff(self.indptr) > 0
            self._max_impact[nonempty] = np.maximum.reduceat(self.impact, self.indptr[:-1][nonempty])
        t = self.term_id.get(term)
        return 0.0 if t is None else float(self._max_impact[t])

    def top_k_maxscore(self, terms: list[str], k: int = 100, min_skip: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """top_k with MaxScore pruning, same results bit for bit (impact store only).

        Terms are accumulated by decreasing upper bound. Before a long postings list (>= min_skip rows), theta = a
        lower bound of the k-th best partial score; once the bounds of the terms left sum to less than theta, no row
        that lacks the accumulated terms can reach the top k, so the terms left are only looked up for the
        candidate rows (partial score >= theta - their bounds). The candidates are then rescored phrase by phrase in
        query order, which gives FTS5's own additions, hence its exact doubles and ties.

        Measured (maxscore.py): identical results on all 100 queries, but ~2x slower than top_k at 100k and at 1M:
        the skippable lists are only the very common words, half the queries fall back after the probe because
        too many rows stay candidates, and numpy lookups of candidates (searchsorted) cost more than the plain
        scatter-add they replace. Kept as the experiment it was; top_k is the path to use."""
        min_skip = self.n_rows // 32 if min_skip is None else min_skip
        lists = [self.postings(term) for term in terms]
        bounds = [self.max_impact(term) for term in terms]
        order = sorted(range(len(terms)), key=lambda i: -bounds[i])
        acc = np.zeros(self.n_rows)
        theta, stale, stop = 0.0, False, len(order)
        for position, i in enumerate(order):
            doc, impact = lists[i]
            if position and len(doc) >= min_skip:
                if stale:
                    theta, stale = self._kth_lower_bound(acc, k), False
                rest = sum(bounds[j] for j in order[position:])
                if rest < theta:
                    stop = position
                    break
            np.add.at(acc, doc, impact)
            stale = True
        if stop == len(order):  # nothing skipped; the sums were made in bound order, so rescore in query order
            theta, rest = self._kth_lower_bound(acc, k), 0.0
        else:
            rest = sum(bounds[j] for j in order[stop:])
        cand = np.flatnonzero(acc >= (theta - rest) * (1 - 1e-9))
        if theta <= rest or len(cand) > self.n_rows // 64:  # too many rows to look up one by one
            return self.top_k(terms, k)
        score = np.zeros(len(cand))
        for doc, impact in lists:  # query order
            at = np.searchsorted(doc, cand)
            hit = at < len(doc)
            hit[hit] = doc[at[hit]] == cand[hit]
            score[hit] += impact[at[hit]]
        if len(cand) > k:
            kth = np.partition(score, len(score) - k)[len(score) - k]
            keep = np.concatenate((np.flatnonzero(score > kth), np.flatnonzero(score == kth)))[:k]
        else:
            keep = np.arange(len(cand))
        keep = keep[np.lexsort((cand[keep], -score[keep]))]
        return self.rowids[cand[keep]], score[keep]

    @staticmethod
    def _kth_lower_bound(acc: np.ndarray, k: int, stride: int = 16) -> float:
        """The k-th best partial score (0 if fewer than k rows score): the k-th best of every stride-th row bounds
        it from below, so only the rows at or above that bound need a partial sort."""
        sample = acc[::stride]
        low = float(np.partition(sample, len(sample) - k)[len(sample) - k]) if len(sample) > k else 0.0
        above = acc[acc >= low] if low > 0.0 else acc[acc > 0.0]
        return float(np.partition(above, len(above) - k)[len(above) - k]) if len(above) >= k else 0.0

    def select(self, acc: np.ndarray, k: int, stride: int = 16) -> tuple[np.ndarray, np.ndarray]:
        """The k highest positive scores, best first; among rows tied with the k-th score the lowest rowids (rows
        are in rowid order), which is also the order FTS5 returned ties in every query measured.

        A partial sort of all N scores costs ~N; instead the k-th best of every stride-th row is a lower bound on the
        k-th best overall (those k rows exist), so only rows at or above it need a partial sort."""
        sample = acc[::stride]
        theta = np.partition(sample, len(sample) - k)[len(sample) - k] if len(sample) > k else 0.0
        cand = np.flatnonzero(acc >= theta) if theta > 0.0 else np.flatnonzero(acc > 0.0)
        if len(cand) > k:
            score = acc[cand]
            kth = np.partition(score, len(score) - k)[len(score) - k]
            above = cand[score > kth]
            cand = np.concatenate((above, cand[score == kth][: k - len(above)]))
        top = cand[np.lexsort((cand, -acc[cand]))]
        return self.rowids[top], acc[top]

    def select_full(self, acc: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """select() by a partial sort of all N scores (the plain way, for comparison)."""
        if k < len(acc):
            kth = acc[np.argpartition(acc, len(acc) - k)[len(acc) - k :]].min()
            above = np.flatnonzero(acc > kth)
            top = np.concatenate((above, np.flatnonzero(acc == kth)[: k - len(above)]))
        else:
            top = np.arange(len(acc))
        top = top[acc[top] > 0.0]  # rows that match no phrase are not results
        top = top[np.lexsort((top, -acc[top]))]
        return self.rowids[top], acc[top]
