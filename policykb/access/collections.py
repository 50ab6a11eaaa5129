"""Which collections a viewer may read, put documents into (upload) and take them out of (remove).

The rule is kept simple on purpose: open mode (the operator with the admin token) and admins write to every
collection; an editor writes to the public collections and to the ones they own (collections.owner_id); a reader to
none. Reading is another matter, decided by groups (Store.readable_collections): an editor who owns a restricted
collection reads it only through one of its groups.
"""

from __future__ import annotations

from policykb.access import audit
from policykb.access.viewer import Viewer
from policykb.errors import NotAllowedError
from policykb.store import Store
from policykb.store.records import CollectionRow


def readable(store: Store, viewer: Viewer) -> frozenset[str] | None:
    """The collections `viewer` may read; None for every one (open mode and admins). Whatever reads documents for a
    viewer filters by it: what they may not read is invisible, never forbidden (a 404, not a 403)."""
    if viewer.reads_everything:
        return None
    return store.readable_collections(viewer.groups)


def may_write(viewer: Viewer, collection: CollectionRow) -> bool:
    """Whether `viewer` may upload documents to `collection` and remove documents from it."""
    if viewer.is_open or viewer.role == "admin":
        return True
    if not viewer.can("upload"):
        return False
    return collection.public or (viewer.user_id is not None and collection.owner_id == viewer.user_id)


def writable(viewer: Viewer, collections: list[CollectionRow]) -> list[CollectionRow]:
    """The collections of `collections` that `viewer` may write to, in their order."""
    return [row for row in collections if may_write(viewer, row)]


def may_manage(viewer: Viewer, collection: CollectionRow | None) -> bool:
    """Whether `viewer` may change who reads `collection` (None: create a new one): admins any, editors their own."""
    if viewer.role == "admin" or viewer.is_open:
        return True
    if not viewer.can("manage_collections"):
        return False
    return collection is None or (viewer.user_id is not None and collection.owner_id == viewer.user_id)


def save(
    store: Store,
    viewer: Viewer,
    name: str,
    public: bool,
    groups: list[str],
    owner_id: int | None = None,
    address: str | None = None,
) -> tuple[CollectionRow, bool]:
    """Create the collection (public, or readable by `groups`; not both) or change who reads it, with its audit
    entry in the same transaction; the row and whether it was created. A new collection an editor makes is theirs."""
    existing = next((row for row in store.collections() if row.name == name), None)
    if not may_manage(viewer, existing):
        raise NotAllowedError(f"collection {name!r} is not yours to change — ask an admin or its owner")
    if existing is None and owner_id is None and viewer.role == "editor":
        owner_id = viewer.user_id
    with store.transaction():
        row = store.save_collection(name, public, list(groups), owner_id)
        if owner_id is not None:
            store.conn.execute("UPDATE collections SET owner_id = ? WHERE name = ?", (owner_id, name))
        action = "collection.access" if existing else "collection.create"
        audit.record(store, viewer, action, name, address, public=row.public, groups=row.groups, owner_id=owner_id)
    return store.collection(name), existing is None
