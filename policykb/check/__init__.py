"""Checking the store and repairing what is derived from it: `policykb check [--repair]` and the web app's health.

The SQLite store is the record; the FAISS vectors, the term matrix and the FTS5 tables are derived from it and can be
written again without touching a document (findings.py checks, repair.py rebuilds, cli.py is the command).
"""
