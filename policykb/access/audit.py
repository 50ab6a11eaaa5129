"""The audit log: who changed what, when and from where, one row per change (table audit_log, migration 12)."""

from __future__ import annotations

import json

from policykb.access.viewer import Viewer
from policykb.store import Store


def record(store: Store, viewer: Viewer, action: str, target: str = "", address: str | None = None, **detail) -> None:
    """Append one entry, in the store's transaction if one is open (so it is written with the change it records)."""
    store.conn.execute(
        "INSERT INTO audit_log (user_id, user_name, address, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (viewer.user_id, viewer.name, address, action, target, json.dumps(detail, ensure_ascii=False, sort_keys=True)),
    )
