"""Files to Documents: loading, cleaning, language, structure-aware chunking and metadata."""

from policykb.ingest.pipeline import SUPPORTED_EXTENSIONS, collect_files, file_content_hash, parse_file

__all__ = ["SUPPORTED_EXTENSIONS", "collect_files", "file_content_hash", "parse_file"]
