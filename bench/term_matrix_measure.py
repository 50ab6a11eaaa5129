"""Term matrix (bench/term_matrix.py) vs FTS5 bm25(): build time, memory, exactness and query timing, side by side.

    policykb bench --scale --chunks 100000 ...   # or: python -m policykb.bench_scale build --data DIR --chunks 100000
    python bench/term_matrix_measure.py --db DIR/policykb.sqlite3 [--set sampled|project] [--repeat 5] [--store impact]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from term_matrix import TermMatrix  # noqa: E402

WEIGHTS = (0.3, 1.0, 1.0)
FTS_SQL = (f"SELECT rowid, bm25(chunks_fts, {WEIGHTS[0]}, {WEIGHTS[1]}, {WEIGHTS[2]}) AS s FROM chunks_fts"
           " WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?")
STOPWORDS = frozenset(
    """a an and are as at be by for from has have how i in is it its of on or that the this to was were what when
    where which who whom whose why will with do does did can could should would about into than then there these
    those their they them we our you your not no yes""".split()
)


def pick_queries(conn: sqlite3.Connection, matrix: TermMatrix, n: int, seed: int) -> list[list[str]]:
    """Words from chunk bodies (no stopwords, one token each), queries of 1, 2, 4 and 8 words mixing
    common (in >= 30% of rows), mid and rare (< 1% of rows) words."""
    rng = random.Random(seed)
    n_rows = matrix.n_rows
    words: dict[str, int] = {}
    for (body,) in conn.execute("SELECT body FROM chunks_fts WHERE rowid % 97 = 0"):
        for word in re.findall(r"[^\W\d_]{3,}", body.lower()):
            if word not in STOPWORDS and word not in words:
                tokens = matrix.tokenizer.tokens(word)
                if len(tokens) == 1 and tokens[0] in matrix.term_id:
                    t = matrix.term_id[tokens[0]]
                    words[word] = int(matrix.indptr[t + 1] - matrix.indptr[t])
    common = sorted(w for w, c in words.items() if c >= 0.3 * n_rows)
    rare = sorted(w for w, c in words.items() if c < 0.01 * n_rows)
    mid = sorted(w for w, c in words.items() if 0.01 * n_rows <= c < 0.3 * n_rows)
    print(f"query words: {len(common)} common, {len(mid)} mid, {len(rare)} rare", flush=True)
    mixes = ["common", "mid", "rare", "mixed"]
    pools = {"common": common, "mid": mid, "rare": rare, "mixed": common + mid + rare}
    queries = []
    for i in range(n):
        size = (1, 2, 4, 8)[i % 4]
        pool = pools[mixes[(i // 4) % 4]]
        queries.append(rng.sample(pool, min(size, len(pool))))
    return queries


def project_queries(matrix: TermMatrix, n: int) -> list[list[str]]:
    """The scale benchmark's own queries (policykb.bench.benchmark_queries) as plan_query phrases them, keeping only
    the single-token phrases (the whole-query phrase and multi-word glossary expansions need positions)."""
    from policykb.bench import Vocabulary, benchmark_queries
    from policykb.glossary import load_glossary
    from policykb.index.query import plan_query

    glossary = load_glossary(ROOT / "corpus" / "glossary.json")
    queries, dropped = [], 0
    for _, text in benchmark_queries(4 * n, Vocabulary(ROOT / "corpus", glossary)):
        plan = plan_query(text, glossary)
        phrases = plan.terms
        single = [p for p in dict.fromkeys(phrases) if len(matrix.tokenizer.tokens(p)) == 1]
        dropped += len(phrases) - len(single)
        if single:
            queries.append(single)
        if len(queries) == n:
            break
    print(f"project queries: {len(queries)}, multi-token words dropped: {dropped}", flush=True)
    return queries


def fts_match(words: list[str]) -> str:
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


def compare(fts_rows: list[tuple[int, float]], matrix: TermMatrix, dense: np.ndarray,
            ids: np.ndarray, scores: np.ndarray, k: int) -> dict:
    """Scores of FTS5's rows against the matrix's dense scores, and the two top-k lists against each other."""
    fts_ids = np.array([r for r, _ in fts_rows], dtype=np.int64)
    fts_scores = -np.array([s for _, s in fts_rows], dtype=np.float64)
    ours = dense[np.searchsorted(matrix.rowids, fts_ids)]
    rel = np.abs(ours - fts_scores) / np.maximum(np.abs(fts_scores), 1e-300)
    out = {"n_fts": len(fts_ids), "n_ours": len(ids), "max_rel_err": float(rel.max()) if len(rel) else 0.0,
           "bit_identical": bool(np.array_equal(ours, fts_scores))}
    # Same multiset of top-k scores, and the same rows apart from the order and choice within tied scores.
    out["same_score_list"] = bool(np.array_equal(np.sort(fts_scores), np.sort(scores)))
    if len(fts_ids):
        kth = fts_scores.min()
        out["same_rows_above_kth"] = set(fts_ids[fts_scores > kth].tolist()) == set(ids[scores > kth].tolist())
        out["same_rows"] = set(fts_ids.tolist()) == set(ids.tolist())
        out["same_order"] = bool(np.array_equal(fts_ids, ids))
        out["rows_tied_at_kth"] = int((dense == kth).sum())
        out["tie_cut"] = out["rows_tied_at_kth"] > int((fts_scores == kth).sum())  # the cut falls inside a tie
        _, tie_counts = np.unique(fts_scores, return_counts=True)
        out["tied_rows_in_topk"] = int(tie_counts[tie_counts > 1].sum())
    else:  # no row matches
        empty = len(ids) == 0
        out.update(same_rows_above_kth=empty, same_rows=empty, same_order=empty, rows_tied_at_kth=0, tied_rows_in_topk=0,
                   tie_cut=False)
    return out


def timed(fn, repeat: int) -> float:
    best = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t)
    return statistics.median(best)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--store", default="impact")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--set", choices=["sampled", "project"], default="sampled")
    ap.add_argument("--db", type=Path, required=True, help="policykb.sqlite3 of an index (opened read-only)")
    ap.add_argument("--json", type=Path, help="write every query's figures here")
    args = ap.parse_args()

    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    t = time.perf_counter()
    matrix = TermMatrix(WEIGHTS, store=args.store).build(conn)
    build_s = time.perf_counter() - t
    sizes = matrix.nbytes()
    print(f"build ({args.store}): {build_s:.2f} s, {len(matrix.terms)} terms, {len(matrix.doc)} postings, "
          f"{sum(sizes.values()) / 1e6:.1f} MB arrays {({k: round(v / 1e6, 1) for k, v in sizes.items()})}, "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)

    if args.set == "sampled":
        queries = pick_queries(conn, matrix, args.queries, args.seed)
    else:
        queries = project_queries(matrix, args.queries)
    # Tokenising a query word on a cold cache (temp FTS5 table in :memory:), then cached.
    matrix.tokenizer.cache.clear()
    cold = [timed(lambda w=w: (matrix.tokenizer.cache.pop(w, None), matrix.query_terms([w])), 1)
            for q in queries for w in q]
    print(f"tokenise one query word, uncached: p50 {pct(cold, 50):.3f} ms, p95 {pct(cold, 95):.3f} ms", flush=True)

    rows = []
    methods = ["addat", "fancy", "bincount"]
    for words in queries:
        match = fts_match(words)
        terms = matrix.query_terms(words)
        fts_rows = conn.execute(FTS_SQL, (match, args.k)).fetchall()
        ids, scores = matrix.top_k(terms, args.k)
        check = compare(fts_rows, matrix, matrix.scores(terms), ids, scores, args.k)
        for method in methods[1:]:
            other = matrix.top_k(terms, args.k, method)
            check[f"{method}_same"] = bool(np.array_equal(other[0], ids) and np.array_equal(other[1], scores))
        n_post = sum(int(matrix.indptr[matrix.term_id[t] + 1] - matrix.indptr[matrix.term_id[t]])
                     for t in terms if t in matrix.term_id)
        row = {"words": words, "terms": terms, "postings": n_post,
               "matches": conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (match,)).fetchone()[0],
               **check}
        # Interleaved timing: FTS5 then the matrix (query words already tokenised and cached, as a server would).
        row["fts_s"] = timed(lambda: conn.execute(FTS_SQL, (match, args.k)).fetchall(), args.repeat)
        for method in methods:
            row[f"{method}_s"] = timed(lambda: matrix.top_k(matrix.query_terms(words), args.k, method), args.repeat)
        rows.append(row)

    bad = [r for r in rows if not (r["same_score_list"] and r["same_rows_above_kth"] and r["max_rel_err"] <= 1e-9)]
    print(f"\ncorrectness over {len(rows)} queries: bit-identical scores for FTS5's rows in "
          f"{sum(r['bit_identical'] for r in rows)}; max rel err {max(r['max_rel_err'] for r in rows):.2e}; "
          f"same top-k score list {sum(r['same_score_list'] for r in rows)}; same rows above the k-th score "
          f"{sum(r['same_rows_above_kth'] for r in rows)}; same row set {sum(r['same_rows'] for r in rows)}; "
          f"same order {sum(r['same_order'] for r in rows)}; mismatches {len(bad)}")
    cut = [r for r in rows if r["tie_cut"]]
    print(f"ties: queries with tied scores inside the top-{args.k}: {sum(r['tied_rows_in_topk'] > 0 for r in rows)} "
          f"(tied rows per query p50 {np.median([r['tied_rows_in_topk'] for r in rows]):.0f}); queries where the "
          f"top-{args.k} cut falls inside a tie: {len(cut)}, same rows chosen there (lowest rowids): "
          f"{sum(r['same_rows'] for r in cut)}")
    print("fancy-index += / bincount give the same top-k as np.add.at:",
          all(r["fancy_same"] for r in rows), all(r["bincount_same"] for r in rows))
    print(f"\n{'words':>5} {'n':>3} {'FTS5 p50':>9} {'p95':>7} | {'matrix p50':>10} {'p95':>7} | "
          f"{'fancy+= p50':>11} {'bincount p50':>12} | {'postings p50':>12}")
    for label, sizes in (("1", {1}), ("2", {2}), ("3-4", {3, 4}), ("5+", set(range(5, 100))), ("all", None)):
        sel = [r for r in rows if sizes is None or len(r["words"]) in sizes]
        if not sel:
            continue
        print(f"{label:>5} {len(sel):>3} {pct([r['fts_s'] for r in sel], 50):9.2f} {pct([r['fts_s'] for r in sel], 95):7.2f} | "
              f"{pct([r['addat_s'] for r in sel], 50):10.2f} {pct([r['addat_s'] for r in sel], 95):7.2f} | "
              f"{pct([r['fancy_s'] for r in sel], 50):11.2f} {pct([r['bincount_s'] for r in sel], 50):12.2f} | "
              f"{np.median([r['postings'] for r in sel]):12.0f}")
    print(f"median match fraction {np.median([r['matches'] for r in rows]) / matrix.n_rows:.2%}")
    for r in bad:
        print("MISMATCH", json.dumps({k: v for k, v in r.items() if not k.endswith('_s')}))
    if args.json:
        args.json.write_text(json.dumps({"build_s": build_s, "nbytes": sizes, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
