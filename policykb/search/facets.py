"""Facet counts of a search's results: how many passages of each type, year, language, issuer and agency."""

from __future__ import annotations

import json
from collections import Counter


def facet_counts(rows) -> dict[str, list[tuple[str, int]]]:
    """Passages per type, year, language, issuer and agency among all results, most frequent first."""
    counters: dict[str, Counter] = {name: Counter() for name in ("type", "year", "lang", "issuer", "agency")}
    for row in rows:
        counters["type"][row.doc_type] += 1
        counters["lang"][row.chunk_language or row.language] += 1
        if row.year:
            counters["year"][str(row.year)] += 1
        if row.issuer:
            counters["issuer"][row.issuer] += 1
        for agency in json.loads(row.agencies or "[]"):
            counters["agency"][agency] += 1
    return {name: sorted(counter.items(), key=lambda item: (-item[1], item[0])) for name, counter in counters.items()}
