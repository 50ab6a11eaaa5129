"""Rank fusion and result shaping: weighted reciprocal rank fusion, near-duplicate removal, per-document cap."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping

from policykb.search.weights import NEAR_DUPLICATE, RRF_K
from policykb.textnorm import fold_lower, word_start


def weighted_rrf(rankings: list[tuple[list[int], float]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Sum weight / (k + rank) over every ranking an id appears in; best first."""
    scores: dict[int, float] = defaultdict(float)
    for ids, weight in rankings:
        for rank, item in enumerate(ids, start=1):
            scores[item] += weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def convex_fusion(rankings: list[tuple[list[tuple[int, float]], float]]) -> list[tuple[int, float]]:
    """Sum weight × score / best score over every ranking (scores ≥ 0); best first.

    Unlike RRF this keeps the margins: a passage that BM25 scores far above the rest is not
    pulled level with one that merely ranks second in both lists (Bruch et al., 2023).
    """
    scores: dict[int, float] = defaultdict(float)
    for ranked, weight in rankings:
        best = max((score for _, score in ranked), default=0.0)
        if best <= 0:
            continue
        for item, score in ranked:
            scores[item] += weight * max(score, 0.0) / best
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def rank_documents_by(
    passages: list[tuple[int, float]], documents: list[tuple[int, float]], doc_of: Mapping[int, str]
) -> list[tuple[int, float]]:
    """Documents in the order of their best passage by `documents`, each document's passages in their order by
    `passages`: every passage's score moves by its document's best `documents` score less its best `passages` score.
    Passages without a document in `doc_of` keep their score. Best first."""
    best_by, best_own = _best_of_each_document(documents, doc_of), _best_of_each_document(passages, doc_of)
    moved = [
        (item, score + best_by[doc_of[item]] - best_own[doc_of[item]] if item in doc_of else score)
        for item, score in passages
    ]
    return sorted(moved, key=lambda pair: (-pair[1], pair[0]))


class WordPairs:
    """A query's pairs of adjacent words ("joint programming", "programming group"), folded, to find as written."""

    def __init__(self, pairs: list[str]) -> None:
        self.size = len(pairs)
        self._patterns = [
            re.compile(rf"{word_start(first)}\s+{second}(?!\w)")
            for first, second in (map(re.escape, pair.split(" ", 1)) for pair in pairs)
        ]

    def share(self, folded_text: str) -> float:
        """The share of the pairs the (folded, lower-case) text holds, each word next to the other."""
        return sum(1 for pattern in self._patterns if pattern.search(folded_text)) / self.size if self.size else 0.0


def favour_word_pairs(
    passages: list[tuple[int, float]],
    doc_of: Mapping[int, str],
    pairs: WordPairs,
    weight: float,
    texts_of: Callable[[list[int]], Mapping[int, str]],
) -> list[tuple[int, float]]:
    """Passages that contend for their document's first place, two or more within `weight` of its best, gain
    `weight` × the share of the query's word pairs they hold: of passages that score alike, the one that names what was
    asked as it was asked leads. Best first; only the contenders' texts are read."""
    if not pairs.size:
        return passages
    best = _best_of_each_document(passages, doc_of)
    close = [item for item, score in passages if item in doc_of and score >= best[doc_of[item]] - weight]
    per_document = Counter(doc_of[item] for item in close)
    contenders = [item for item in close if per_document[doc_of[item]] > 1]
    if not contenders:
        return passages
    texts = texts_of(contenders)
    bonus = {item: weight * pairs.share(fold_lower(texts[item])) for item in contenders if item in texts}
    return sorted(
        ((item, score + bonus.get(item, 0.0)) for item, score in passages), key=lambda pair: (-pair[1], pair[0])
    )


def _best_of_each_document(ranking: list[tuple[int, float]], doc_of: Mapping[int, str]) -> dict[str, float]:
    best: dict[str, float] = defaultdict(float)
    for item, score in ranking:
        if item in doc_of:
            best[doc_of[item]] = max(best[doc_of[item]], score)
    return best


_WORD = re.compile(r"\w+")


def _shingles(text: str, size: int = 3) -> frozenset[int]:
    tokens = _WORD.findall(text.lower())
    if len(tokens) < size:
        return frozenset([hash(tuple(tokens))])
    return frozenset(map(hash, zip(*(tokens[i:] for i in range(size)))))


def drop_near_duplicates(
    ids: list[int], texts: Mapping[int, str], threshold: float = NEAR_DUPLICATE, enough: int | None = None
) -> list[int]:
    """Keep the first of passages whose word-shingle overlap (Jaccard) reaches the threshold.

    Once `enough` passages are kept the rest follow unchecked: a page only needs its own places settled.
    """
    kept: list[int] = []
    kept_shingles: list[frozenset[int]] = []
    for position, item in enumerate(ids):
        if enough is not None and len(kept) >= enough:
            return kept + ids[position:]
        shingles = _shingles(texts[item])
        size = len(shingles)
        if any(
            min(size, len(other)) >= threshold * max(size, len(other))  # sizes too far apart cannot reach the threshold
            and (common := len(shingles & other))
            >= threshold * (size + len(other) - common)  # |A ∪ B| without building it
            for other in kept_shingles
        ):
            continue
        kept.append(item)
        kept_shingles.append(shingles)
    return kept


def cap_per_document(ids: list[int], doc_of: dict[int, str], cap: int, window: int) -> list[int]:
    """At most `cap` passages of one document in the first `window` places; the others move after them."""
    head: list[int] = []
    deferred: list[int] = []
    per_doc: Counter[str] = Counter()
    for item in ids:
        if len(head) >= window:
            deferred.append(item)
        elif per_doc[doc_of[item]] < cap:
            head.append(item)
            per_doc[doc_of[item]] += 1
        else:
            deferred.append(item)
    return head + deferred
