"""The store on PostgreSQL with pgvector, for several servers and workers on one database (POLICYKB_DATABASE_URL):
its schema (schema.py), the copy of an embedded data folder into it (copy.py), and its connections (connect.py).
Keyword and dense search over it are policykb.search.pg_keyword and policykb.search.pg_dense."""
