"""Which collections a viewer may put documents into (upload) and take them out of (remove).

The rule is kept simple on purpose: open mode (the operator with the admin token) and admins write to every
collection; an editor writes to the public collections and to the ones they own (collections.owner_id); a reader to
none. Reading is another matter, decided by groups (Store.readable_collections): an editor who owns a restricted
collection reads it only through one of its groups.
"""

from __future__ import annotations

from policykb.access.viewer import Viewer
from policykb.store.records import CollectionRow


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
