"""Reading the audit log (table audit_log, migration 12); entries are written by policykb.access.audit.record."""

from __future__ import annotations

from policykb.store.base import StoreBase
from policykb.store.records import AuditEntry


class AuditLog(StoreBase):
    def audit_entries(self, limit: int = 100) -> list[AuditEntry]:
        """The latest `limit` entries, newest first."""
        if not self.has_table("audit_log"):
            return []
        rows = self.conn.execute(
            "SELECT id, at, user_id, user_name, address, action, target, detail FROM audit_log "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [AuditEntry.from_row(row) for row in rows]
