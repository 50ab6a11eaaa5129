"""Keyword search on PostgreSQL with FTS5's BM25 scores: each word's postings (its F in a passage or document) are
read once from the embedded store's FTS5 index and kept in a table, and a query's scores are summed in SQL with the
same arithmetic as FTS5's bm25() (policykb.search.terms gives the formula), from the collection's current row count,
document frequencies and mean length. The tokens are FTS5's own (terms_build.QueryTokenizer), so a query's words are
the words the postings hold."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from policykb.search.terms_build import columns_and_tokenizer, row_lengths, weighted_tf
from policykb.search.weights import DOCUMENT_WEIGHTS, FTS_WEIGHTS, WHOLE_DOCUMENT_WEIGHTS

K1, B = 1.2, 0.75  # FTS5's bm25() constants

# One query's BM25 per passage: a term's idf from its postings' count, then FTS5's expression in its own order of
# operations (idf * (F * (k1 + 1)) / (F + k1 * (1 - b + b * D / avgdl))); ties broken by the lower id, as FTS5's
# ORDER BY rank returns rows of equal score in rowid order.
_PASSAGE_BM25 = """
    WITH totals AS (
        SELECT rows::float8 AS n, tokens::float8 / rows::float8 AS avgdl FROM keyword_totals WHERE name = 'passages'
    ),
    query AS (
        SELECT t.term, count(p.chunk_id)::float8 AS hits
        FROM unnest(%(terms)s::text[]) AS t(term) LEFT JOIN passage_postings p ON p.term = t.term
        GROUP BY t.term
    ),
    idf AS (
        SELECT q.term, CASE WHEN x.idf <= 0 THEN 1e-6::float8 ELSE x.idf END AS idf
        FROM query q CROSS JOIN totals, LATERAL (SELECT ln((totals.n - q.hits + 0.5::float8) / (q.hits + 0.5::float8))
                                                  AS idf) x
    )
    SELECT p.chunk_id, sum(
        idf.idf * (p.{f} * (%(k1)s + 1.0::float8))
        / (p.{f} + %(k1)s * (1.0::float8 - %(b)s + %(b)s * c.length::float8 / totals.avgdl))
    ) AS score
    FROM passage_postings p JOIN idf ON idf.term = p.term JOIN chunks c ON c.id = p.chunk_id CROSS JOIN totals
    GROUP BY p.chunk_id
    ORDER BY score DESC, p.chunk_id
    LIMIT %(k)s
"""


def passage_bm25(conn, terms: list[str], k: int, title_weighs_more: bool = False) -> list[tuple[int, float]]:
    """The `k` passages with the highest BM25 for these tokens (FTS5's `a OR b OR …`), as (passage id, score):
    with the passage weights, or with the title weighing more (DOCUMENT_WEIGHTS)."""
    if not terms:
        return []
    sql = _PASSAGE_BM25.format(f="f_title" if title_weighs_more else "f")
    rows = conn.execute(sql, {"terms": list(dict.fromkeys(terms)), "k1": K1, "b": B, "k": k}).fetchall()
    return [(int(chunk_id), float(score)) for chunk_id, score in rows]


def _instances(conn: sqlite3.Connection, table: str) -> Iterator[tuple[str, int, list[int]]]:
    """(term, rowid, instances per column) of every posting of the FTS5 table, by term and rowid."""
    columns, _ = columns_and_tokenizer(conn, table)
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_pg USING fts5vocab(main, '{table}', 'instance')")
    number = {name: i for i, name in enumerate(columns)}
    current, counts = None, [0] * len(columns)
    for term, rowid, column, count in conn.execute(
        f"SELECT term, doc, col, count(*) FROM temp.{table}_pg GROUP BY term, doc, col ORDER BY term, doc"
    ):
        if current != (term, rowid):
            if current is not None:
                yield (*current, counts)
            current, counts = (term, rowid), [0] * len(columns)
        counts[number[column]] = count
    if current is not None:
        yield (*current, counts)


def passage_postings(conn: sqlite3.Connection) -> Iterator[tuple[str, int, float, float]]:
    """(term, passage id, F with the passage weights, F with the title weighing more) of every word in chunks_fts."""
    cache: dict[tuple[int, ...], tuple[float, float]] = {}
    for term, rowid, counts in _instances(conn, "chunks_fts"):
        key = tuple(counts)
        if key not in cache:
            cache[key] = (weighted_tf(key, FTS_WEIGHTS), weighted_tf(key, DOCUMENT_WEIGHTS))
        yield term, rowid, *cache[key]


def document_postings(conn: sqlite3.Connection) -> Iterator[tuple[str, int, float]]:
    """(term, documents_fts rowid (a document's fts_key), F with WHOLE_DOCUMENT_WEIGHTS) of every word."""
    cache: dict[tuple[int, ...], float] = {}
    for term, rowid, counts in _instances(conn, "documents_fts"):
        key = tuple(counts)
        if key not in cache:
            cache[key] = weighted_tf(key, WHOLE_DOCUMENT_WEIGHTS)
        yield term, rowid, cache[key]


def row_lengths_of(conn: sqlite3.Connection, table: str) -> dict[int, int]:
    """Each FTS5 row's tokens over all its columns (D in BM25), by rowid."""
    columns, _ = columns_and_tokenizer(conn, table)
    rowids, lengths = row_lengths(conn, table, len(columns))
    return dict(zip(rowids.tolist(), lengths.astype(int).tolist()))


class PassageTerms:
    """A passage's postings as FTS5 would index it (its folded title, section and text, tokenised by FTS5's own
    tokenizer in a private in-memory table): each word's F with both weightings, and the passage's length."""

    def __init__(self, tokenize: str) -> None:
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(title, section, body, tokenize = '{tokenize}')")
        self.conn.execute("CREATE VIRTUAL TABLE tv USING fts5vocab(t, 'instance')")
        self._f: dict[tuple[int, ...], tuple[float, float]] = {}

    def of(self, title: str, section: str, body: str) -> tuple[list[tuple[str, float, float]], int]:
        """([(term, F, F with the title weighing more)], tokens over the three columns) of one passage."""
        self.conn.execute("INSERT INTO t (rowid, title, section, body) VALUES (1, ?, ?, ?)", (title, section, body))
        counts: dict[str, list[int]] = {}
        column = {"title": 0, "section": 1, "body": 2}
        for term, col, count in self.conn.execute("SELECT term, col, count(*) FROM tv GROUP BY term, col"):
            counts.setdefault(term, [0, 0, 0])[column[col]] = count
        self.conn.execute("DELETE FROM t")
        postings = []
        for term, per_column in counts.items():
            key = tuple(per_column)
            if key not in self._f:
                self._f[key] = (weighted_tf(key, FTS_WEIGHTS), weighted_tf(key, DOCUMENT_WEIGHTS))
            postings.append((term, *self._f[key]))
        return postings, sum(sum(per_column) for per_column in counts.values())


def add_passage_terms(conn, terms: PassageTerms, passages: list[tuple[int, str, str, str]]) -> None:
    """Give these passages (id, folded title, folded section, folded text) their postings, lengths and share of the
    totals, in the caller's transaction: BM25's idf and mean length follow at the next query, as FTS5's do."""
    indexed = [(chunk_id, *terms.of(title, section, body)) for chunk_id, title, section, body in passages]
    with conn.cursor().copy("COPY passage_postings (term, chunk_id, f, f_title) FROM STDIN") as copy:
        for chunk_id, postings, _ in indexed:
            for term, f, f_title in postings:
                copy.write_row((term, chunk_id, f, f_title))
    conn.cursor().executemany(
        "UPDATE chunks SET length = %s WHERE id = %s", [(length, chunk_id) for chunk_id, _, length in indexed]
    )
    conn.execute(
        "UPDATE keyword_totals SET rows = rows + %s, tokens = tokens + %s WHERE name = 'passages'",
        (len(indexed), sum(length for _, _, length in indexed)),
    )


def remove_passage_terms(conn, chunk_ids: list[int]) -> None:
    """Take these passages' postings and their share of the totals away, in the caller's transaction (before the
    passages' rows go: their lengths are read here)."""
    removed, tokens = conn.execute(
        "SELECT count(*), coalesce(sum(length), 0) FROM chunks WHERE id = ANY(%s)", (chunk_ids,)
    ).fetchone()
    conn.execute("DELETE FROM passage_postings WHERE chunk_id = ANY(%s)", (chunk_ids,))
    conn.execute(
        "UPDATE keyword_totals SET rows = rows - %s, tokens = tokens - %s WHERE name = 'passages'", (removed, tokens)
    )
