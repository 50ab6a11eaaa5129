"""The one Searcher a server (the web app, the MCP server) shares across requests, swapped for a new one when the
index changes."""

from __future__ import annotations

import threading

from policykb.config import Config
from policykb.search.searcher import Searcher


class SearcherHolder:
    """Loads the model and index once; after an ingest, the next request gets the new generation."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()

    def get(self) -> Searcher:
        with self._lock:
            current = self._searcher
            if current is not None and current.current_generation() == current.generation:
                return current
            fresh = Searcher(self.config, embedder=current.loaded_embedder if current else None)
            self._searcher = fresh
            return fresh
