"""What this request's viewer may see and change, for the routes: a document they may read (else the 404 of one that
does not exist), the role a change needs (else a 403), and the collections they may upload to.

Reading is filtered by `readable_collections` (policykb.web.request); these helpers are the checks a route makes on one
document or one change. They never refuse with a 403 what the viewer may not read: that stays a 404, word for word the
one for a document that does not exist.
"""

from __future__ import annotations

from flask import abort, current_app, request

from policykb.access import audit
from policykb.access.collections import may_write, writable
from policykb.errors import BadQueryError
from policykb.store import Store
from policykb.store.collections import PUBLIC
from policykb.store.records import CollectionRow, StoredDocument
from policykb.web.request import current_viewer, readable_collections, require_store
from policykb.web.security import uploads_offered


def readable_document(doc_id: str, store: Store | None = None) -> StoredDocument:
    """The document, if the viewer may read it; otherwise the NotFoundError of a document that does not exist."""
    store = store or require_store()
    return store.get_document(doc_id, readable_collections(store))


def require_role(action: str) -> None:
    """A 403 unless the viewer's role allows `action` (policykb.access.Viewer.can). Open mode passes: there, the
    admin token (security.admin_required) decides, as before accounts."""
    viewer = current_viewer()
    if not viewer.is_open and not viewer.can(action):
        abort(403, f"your role ({viewer.role}) may not {action} documents — ask an admin for the editor role")


def upload_choices(store: Store | None) -> list[CollectionRow]:
    """The collections the viewer may upload to (admins and open mode: all; editors: the public ones and their own),
    among those they may read."""
    if store is None:
        return []
    readable = readable_collections(store)
    rows = [row for row in store.collections() if readable is None or row.name in readable]
    return writable(current_viewer(), rows)


def upload_collection(store: Store | None) -> str:
    """The collection the form or request names (field `collection`, "public" when missing), which the viewer must
    be able to upload to: one they may not read is unknown (400), one they read but may not write to a 403."""
    name = (request.form.get("collection") or PUBLIC).strip()
    readable = readable_collections(store) if store is not None else None
    known = {row.name: row for row in store.collections()} if store is not None else {PUBLIC: None}
    if name not in known or (readable is not None and name not in readable):
        choices = ", ".join(row.name for row in upload_choices(store)) or PUBLIC
        raise BadQueryError(f"the form field 'collection': no collection {name!r} — use one of: {choices}")
    if known[name] is not None and not may_write(current_viewer(), known[name]):
        abort(
            403,
            f"you may not upload to collection {name!r} — use one of: {', '.join(r.name for r in upload_choices(store))}",
        )
    return name


def require_removable(store: Store, doc_id: str) -> StoredDocument:
    """The document the viewer asks to remove: one they may not read is not found (404); one in a collection they
    may not write to is refused (403)."""
    require_role("remove")
    doc = readable_document(doc_id, store)
    row = store.collection(doc.collection)
    if not may_write(current_viewer(), row):
        abort(403, f"you may not remove documents from collection {doc.collection!r}")
    return doc


def remove_document(doc_id: str) -> tuple[str, int]:
    """Remove a document the viewer may remove (require_removable) everywhere, and say so in the audit log; returns
    its id and how many passages went."""
    from policykb.ingest.indexer import Indexer

    require_removable(require_store(), doc_id)
    with Indexer(current_app.config["POLICYKB_CONFIG"], progress=False) as indexer:
        removed_id, chunks = indexer.remove(doc_id)
        with indexer.store.transaction():
            audit.record(indexer.store, current_viewer(), "document.remove", removed_id, request.remote_addr)
    return removed_id, chunks


AUDITED_FIELDS = ("title", "doc_type", "date", "issuer", "url", "collection")  # what document.metadata reports


def edit_target(store: Store, doc_id: str, collection: str | None) -> StoredDocument:
    """The document the viewer asks to edit: their role must allow it (403); one they may not read is not found
    (404); its collection, and the one it is to move to, must be theirs to write to (403). A collection to move to
    that they may not read, or that does not exist, is unknown (400)."""
    require_role("edit")
    doc = readable_document(doc_id, store)
    viewer = current_viewer()
    if not may_write(viewer, store.collection(doc.collection)):
        abort(403, f"you may not edit documents of collection {doc.collection!r}")
    if collection is not None and collection != doc.collection:
        readable = readable_collections(store)
        known = {row.name: row for row in store.collections() if readable is None or row.name in readable}
        if collection not in known:
            choices = ", ".join(row.name for row in upload_choices(store)) or PUBLIC
            raise BadQueryError(f"the field 'collection': no collection {collection!r} — use one of: {choices}")
        if not may_write(viewer, known[collection]):
            abort(403, f"you may not move documents to collection {collection!r}")
    return doc


def edit_document(doc_id: str, body: object) -> StoredDocument:
    """Apply the metadata edits and the move of `body` (policykb.ingest.edits.checked_edits) to a document the viewer
    may edit (edit_target), with a document.metadata audit entry naming each changed field (old → new) in the same
    transaction; the document as it is after."""
    from policykb.ingest.edits import checked_edits
    from policykb.ingest.indexer import Indexer

    edits, collection = checked_edits(body)
    before = edit_target(require_store(), doc_id, collection)
    viewer = current_viewer()

    def record(store: Store) -> None:
        after = store.get_document(doc_id)
        changed = {
            field: [getattr(before, field), getattr(after, field)]
            for field in AUDITED_FIELDS
            if getattr(before, field) != getattr(after, field)
        }
        audit.record(store, viewer, "document.metadata", doc_id, request.remote_addr, changed=changed)

    with Indexer(current_app.config["POLICYKB_CONFIG"], progress=False) as indexer:
        indexer.edit_metadata(doc_id, edits, collection, viewer.name, record)
        return indexer.store.get_document(doc_id)


def edit_offered(store: Store, doc: StoredDocument) -> tuple[bool, bool]:
    """(whether the document page offers the "Edit details" form to this viewer, whether it asks for the admin
    token): an editor or admin who may write to the document's collection; in open mode, whoever holds the token."""
    viewer = current_viewer()
    offered, needs_token = uploads_offered()
    if viewer.is_open:
        return offered, needs_token
    return offered and viewer.can("edit") and may_write(viewer, store.collection(doc.collection)), needs_token
