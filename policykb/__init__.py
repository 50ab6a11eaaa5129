"""policykb: a document knowledge base with cited semantic search over public-policy texts."""

__version__ = "0.1.0"
