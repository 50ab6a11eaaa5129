"""The audit log: who changed what, when and from where, one row per change (table audit_log, migration 12)."""

from __future__ import annotations

import json

from policykb.access.viewer import Viewer
from policykb.store import Store


def record(store: Store, viewer: Viewer, action: str, target: str = "", address: str | None = None, **detail) -> None:
    """Append one entry, in the store's transaction if one is open (so it is written with the change it records)."""
    record_for(store, (viewer.user_id, viewer.name), action, target, address, **detail)


def record_for(
    store: Store, user: tuple[int | None, str | None], action: str, target: str, address: str | None, /, **detail
) -> None:
    """As `record`, for a user (id, name) who acted earlier: an upload's, whose job a worker finishes later."""
    store.conn.execute(
        "INSERT INTO audit_log (user_id, user_name, address, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (*user, address, action, target, json.dumps(detail, ensure_ascii=False, sort_keys=True)),
    )
