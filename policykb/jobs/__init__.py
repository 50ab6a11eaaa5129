"""Ingest jobs: queued in the store by uploads and `policykb ingest --queue` (queue.py), done by workers (worker.py:
`policykb worker`, or the web server's own)."""
