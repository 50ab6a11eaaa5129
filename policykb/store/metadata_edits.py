"""Metadata an editor set on documents (table metadata_edits, migration 13), keyed by the source file's path so that
the edits outlive the document's row: ingest applies them again, over the sidecar, whenever the file is read."""

from __future__ import annotations

from datetime import UTC, datetime

from policykb.store.base import StoreBase


class MetadataEdits(StoreBase):
    def metadata_edits(self, source: str) -> dict[str, str]:
        """The edited fields of the document read from `source` (field -> value; "" clears the field)."""
        if not self.has_table("metadata_edits"):  # a read-only store of an older schema
            return {}
        rows = self.conn.execute("SELECT field, value FROM metadata_edits WHERE source = ?", (source,))
        return {row[0]: row[1] for row in rows}

    def save_metadata_edits(self, source: str, edits: dict[str, str], edited_by: str | None) -> None:
        """Keep `edits` for `source`, each replacing an earlier edit of the same field."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO metadata_edits (source, field, value, edited_at, edited_by) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(source, field) DO UPDATE SET value = excluded.value, edited_at = excluded.edited_at, "
                "edited_by = excluded.edited_by",
                [(source, field, value, now, edited_by) for field, value in edits.items()],
            )
