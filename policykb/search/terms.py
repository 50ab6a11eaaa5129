"""BM25 without FTS5's bm25() for large collections: a term matrix of words and glossary names read from the FTS5 index.

FTS5 ranks by computing bm25() for every row a query matches and by counting each phrase's rows anew for its idf, so a
query of common words costs in proportion to the collection. For a one-word phrase nothing in a row's BM25 term
depends on the query, so the matrix stores it ready-made per (word, row) — its "impact" — and a query adds up a few
lists of impacts, a small fraction of that cost (docs/BENCHMARKS.md). The matrix is read from FTS5's index by
policykb.search.terms_build.

The scores are FTS5's own, bit for bit (ext/fts5/fts5_aux.c, fts5Bm25Function, k1 = 1.2, b = 0.75):

    for each phrase i of the query:
        F_i   = the column weight added once per instance of the phrase in the row, instances in column order
        idf_i = log((N - n_i + 0.5) / (n_i + 0.5)), or 1e-6 when that is not above 0 (n_i: rows with the phrase)
        score += idf_i * (F_i * (k1 + 1)) / (F_i + k1 * (1 - b + b * D / avgdl))

with D a row's tokens over all columns and avgdl the mean of D, both from FTS5's own records. Words are tokenised by
FTS5's tokenizer (a private in-memory FTS5 table), so stemming and diacritic folding are the index's. A phrase of
several words is found by token positions, which only the build reads: the glossary's names (what queries are expanded
with) get lists of their own then, and the searcher scores any other phrase through FTS5 and adds it in.

Documents are ranked with the title weighing more (DOCUMENT_WEIGHTS, see Searcher._rank_hybrid): the matrix also keeps
that weighting's impact of every posting whose word is in a column weighted differently (the title), and a query's
scores with it are its ordinary scores plus the differences (FTS5's to 12 digits: the additions come in another order).

Whole documents have a matrix of their own, read the same way from documents_fts (`TermMatrix.documents`, saved in the
folder's `documents/`): with many documents, a query's words are weighed over each document's whole text.

The matrix is derived data, like the FAISS file: written by ingest for each generation of the store once the
collection reaches `Config.term_matrix_threshold`, mapped read-only by searchers, and simply absent below it (FTS5
then ranks alone, with the same scores): its files are policykb.search.terms_files'. After a small change a live matrix
(policykb.search.terms_live) holds only the rows added and removed since an earlier whole one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np

from policykb.recent import KeptWithin
from policykb.search.terms_build import QueryTokenizer, read_postings
from policykb.search.weights import DOCUMENT_WEIGHTS, FTS_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS

FORMAT = 3
_ARRAYS = (
    "rowids",
    "indptr",
    "rows",
    "impacts",
    "doc_indptr",
    "doc_postings",
    "doc_impacts",
    "fidx",
    "doc_fidx",
    "f_table",
    "lengths",
)


def terms_dir(data_dir: Path, generation: int) -> Path:
    return data_dir / f"terms.{generation}"


class OutdatedMatrixError(ValueError):
    """A readable matrix written for another format or other column weights: replaced by the next ingest."""


class TermMatrix:
    """Per word, the rows that contain it (as indexes into `rowids`, ascending) and the word's BM25 impact in each;
    per word too (`doc_indptr`), its postings whose impact differs with DOCUMENT_WEIGHTS and that impact. A matrix of
    passages may hold one of whole documents, `documents`.

    What the impacts are made of is kept too: each posting's F (`fidx`, `doc_fidx`: indexes into `f_table`) and each
    row's length in tokens (`lengths`), so that once passages are added or removed the same postings can be scored
    with the collection's new idf and mean length (LiveTermMatrix)."""

    def __init__(
        self,
        rowids: np.ndarray,
        indptr: np.ndarray,
        rows: np.ndarray,
        impacts: np.ndarray,
        doc_indptr: np.ndarray,
        doc_postings: np.ndarray,
        doc_impacts: np.ndarray,
        fidx: np.ndarray,
        doc_fidx: np.ndarray,
        f_table: np.ndarray,
        lengths: np.ndarray,
        terms: list[str],
        tokenize: str,
        weights: tuple[float, ...],
        document_weights: tuple[float, ...],
        tokenizer: QueryTokenizer | None = None,
    ) -> None:
        self.rowids, self.indptr, self.rows, self.impacts = rowids, indptr, rows, impacts
        self.doc_indptr, self.doc_postings, self.doc_impacts = doc_indptr, doc_postings, doc_impacts
        self.fidx, self.doc_fidx, self.f_table, self.lengths = fidx, doc_fidx, f_table, lengths
        self.term_id = {term: i for i, term in enumerate(terms)}
        self.tokenize, self.weights, self.document_weights = tokenize, tuple(weights), tuple(document_weights)
        self.tokenizer = tokenizer or QueryTokenizer(tokenize)
        self.documents: TermMatrix | None = None

    @property
    def size(self) -> int:
        """Rows, as indexes of score arrays: those of a live matrix include the rows removed since its base."""
        return len(self.rowids)

    @property
    def live_rows(self) -> int:
        """Rows the collection holds (a live matrix's `size` includes those removed since its base)."""
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

    def postings(self, key: str, document_weights: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The rows that hold `key` and its impact in each (with the document weights if `document_weights`)."""
        term = self.term_id.get(key)
        if term is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        lo, hi = int(self.indptr[term]), int(self.indptr[term + 1])
        impacts = np.array(self.impacts[lo:hi], dtype=np.float64)
        if document_weights:
            first, last = self.doc_indptr[term], self.doc_indptr[term + 1]
            impacts[self.doc_postings[first:last] - lo] = self.doc_impacts[first:last]
        return np.asarray(self.rows[lo:hi]), impacts

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
    def build(
        cls,
        conn: sqlite3.Connection,
        phrases: list[str] = (),
        weights: tuple[float, ...] = FTS_WEIGHTS,
        table: str = "chunks_fts",
        document_weights: tuple[float, ...] = DOCUMENT_WEIGHTS,
    ) -> TermMatrix:
        """Read every posting of `table` through fts5vocab, with FTS5's row lengths and totals; `phrases` (the
        glossary's names of several words, which queries are expanded with) get postings of their own."""
        return cls(**read_postings(conn, phrases, weights, table, document_weights))

    # --- files ------------------------------------------------------------------------------------
    def write_into(self, folder: Path) -> None:
        """Write the arrays and the vocabulary into `folder` (a new folder, renamed into place by the caller)."""
        folder.mkdir(exist_ok=True)
        for name in _ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))
        terms = sorted(self.term_id, key=self.term_id.get)
        info = {
            "format": FORMAT,
            "tokenize": self.tokenize,
            "weights": list(self.weights),
            "document_weights": list(self.document_weights),
            "terms": terms,
        }
        (folder / "terms.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        if self.documents is not None:
            self.documents.write_into(folder / "documents")

    @classmethod
    def load(
        cls,
        path: Path,
        weights: tuple[float, ...] = FTS_WEIGHTS,
        document_weights: tuple[float, ...] = DOCUMENT_WEIGHTS,
    ) -> TermMatrix:
        """Map a saved matrix read-only (its pages are shared by every process that searches), with its matrix of
        whole documents if it has one."""
        info = json.loads((path / "terms.json").read_text(encoding="utf-8"))
        if info.get("format") != FORMAT:
            raise OutdatedMatrixError(f"{path}: format {info.get('format')}, expected {FORMAT}")
        for name, used in (("weights", weights), ("document_weights", document_weights)):
            if tuple(info[name]) != tuple(used):  # its scores would no longer be FTS5's
                raise OutdatedMatrixError(f"{path}: built with column {name} {info[name]}, searches use {list(used)}")
        arrays = {name: np.load(path / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        matrix = cls(
            **arrays,
            terms=info["terms"],
            tokenize=info["tokenize"],
            weights=tuple(info["weights"]),
            document_weights=tuple(info["document_weights"]),
        )
        matrix._check_shapes(path)
        if (path / "documents").exists():
            matrix.documents = cls.load(path / "documents", WHOLE_DOCUMENT_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS)
        return matrix

    def _check_shapes(self, path: Path) -> None:
        """Refuse arrays that disagree in length (a file cut short or swapped), which searches would index past."""
        postings = len(self.rows)
        if (
            len(self.indptr) != len(self.term_id) + 1
            or len(self.impacts) != postings
            or (len(self.indptr) and int(self.indptr[-1]) != postings)
            or len(self.doc_indptr) != len(self.indptr)
            or len(self.doc_postings) != len(self.doc_impacts)
            or len(self.fidx) != postings
            or len(self.doc_fidx) != len(self.doc_postings)
            or len(self.lengths) != len(self.rowids)
        ):
            raise ValueError(f"{path}: its arrays disagree in length")

    def check_values(self, path: Path) -> None:
        """Refuse arrays whose lengths agree but whose values are spoiled (a file overwritten past its header): every
        posting's row and document posting within range, pointers ascending, impacts finite. Reads every array, so it
        is `policykb check`'s; a search meets such values as an index out of range (Bm25Ranker sets the matrix aside)."""
        postings = len(self.rows)
        checks = (
            ("rows", len(self.rows) == 0 or (int(self.rows.min()) >= 0 and int(self.rows.max()) < self.size)),
            ("indptr", len(self.indptr) == 0 or bool(np.all(np.diff(self.indptr) >= 0)) and int(self.indptr[0]) == 0),
            ("doc_indptr", len(self.doc_indptr) == 0 or bool(np.all(np.diff(self.doc_indptr) >= 0))),
            (
                "doc_postings",
                len(self.doc_postings) == 0
                or (int(self.doc_postings.min()) >= 0 and int(self.doc_postings.max()) < postings),
            ),
            ("impacts", bool(np.isfinite(self.impacts).all()) and bool(np.isfinite(self.doc_impacts).all())),
            (
                "fidx",
                all(len(f) == 0 or int(f.max()) < len(self.f_table) for f in (self.fidx, self.doc_fidx))
                and bool(np.isfinite(self.f_table).all()),
            ),
            ("lengths", bool(np.isfinite(self.lengths).all())),
            ("rowids", bool(np.all(np.diff(self.rowids) > 0))),
        )
        spoiled = [name for name, sound in checks if not sound]
        if spoiled:
            raise ValueError(f"{path}: spoiled values in {', '.join(spoiled)}")
        if self.documents is not None:
            self.documents.check_values(path / "documents")


class PhraseScores:
    """FTS5's BM25 contribution of single phrases the matrix does not hold (a Vietnamese query's syllable pairs, a
    phrase outside the glossary), kept for the phrases asked most recently: common pairs such as "bao hiem" recur from
    query to query, and FTS5 costs in proportion to the passages a phrase is in. One per searcher, so per generation."""

    def __init__(
        self,
        matrix: TermMatrix,
        fetch: Callable[[str], tuple[np.ndarray, np.ndarray, np.ndarray]],
        budget: int = 4_000_000,
    ) -> None:
        self.matrix, self._fetch = matrix, fetch
        # budget: postings kept, 24 bytes each
        self._kept: KeptWithin[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = KeptWithin(
            budget, lambda kept: len(kept[0])
        )

    def add_to(self, total: np.ndarray, phrase: str, documents: bool = False) -> None:
        """Add the phrase's score in every passage to `total` (the rows of the matrix), with the document weights if
        `documents`."""
        rows, scores = self.postings(phrase, documents)
        total[rows] += scores  # a phrase's rows are distinct

    def postings(self, phrase: str, documents: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The matrix's rows that hold the phrase and its score in each, with the document weights if `documents`."""
        rows, scores, document_scores = self._kept.get_or_make(phrase, lambda: self._read(phrase))
        return rows, document_scores if documents else scores

    def _read(self, phrase: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rowids, scores, document_scores = self._fetch(phrase)
        at, known = self.matrix.positions(rowids)  # rows written since the matrix are left out, as by its words
        return at[known], scores[known], document_scores[known]

    @property
    def size(self) -> int:
        return self._kept.used
