"""Collections and who may read them: every document belongs to one; a collection is public, or readable by the
groups it names (tables collections and collection_groups, migration 12)."""

from __future__ import annotations

from policykb.errors import BadQueryError, NotFoundError
from policykb.store.base import StoreBase
from policykb.store.records import CollectionRow

PUBLIC = "public"  # the collection every document belonged to before collections, and the default of ingest


class Collections(StoreBase):
    def readable_collections(self, groups: frozenset[str]) -> frozenset[str]:
        """The public collections and those granted to any of `groups`."""
        marks = ", ".join("?" * len(groups))
        granted = (
            f" OR name IN (SELECT collection FROM collection_groups WHERE group_name IN ({marks}))" if groups else ""
        )
        rows = self.conn.execute(f"SELECT name FROM collections WHERE public = 1{granted}", sorted(groups))
        return frozenset(row[0] for row in rows)

    def collections(self) -> list[CollectionRow]:
        """Every collection with its groups and how many documents it holds, by name."""
        rows = self.conn.execute(
            """SELECT c.name, c.public, c.owner_id,
                      (SELECT json_group_array(group_name) FROM collection_groups g WHERE g.collection = c.name),
                      (SELECT count(*) FROM documents d WHERE d.collection = c.name)
               FROM collections c ORDER BY c.name"""
        )
        return [CollectionRow.from_row(row) for row in rows]

    def collection(self, name: str) -> CollectionRow:
        found = next((row for row in self.collections() if row.name == name), None)
        if found is None:
            raise NotFoundError(f"no collection {name!r} — `policykb collections list` shows them")
        return found

    def check_ingest_target(self, name: str) -> None:
        """Refuse to ingest into a collection that does not exist (before any file is read)."""
        if name not in {row.name for row in self.collections()}:
            raise NotFoundError(
                f"no collection {name!r} to ingest into — create it with `policykb collections add {name}` "
                "(add --group G to restrict it), or pick one from `policykb collections list`"
            )

    def save_collection(
        self, name: str, public: bool, groups: list[str] = (), owner_id: int | None = None
    ) -> CollectionRow:
        """Create the collection, or set who may read it: public, or the named groups (which must exist)."""
        if not name.strip():
            raise BadQueryError("a collection needs a name")
        if public and groups:
            raise BadQueryError(f"collection {name!r}: public, or restricted to groups — not both")
        with self.transaction():
            known = {row[0] for row in self.conn.execute("SELECT name FROM groups")}
            missing = sorted(set(groups) - known)
            if missing:
                raise NotFoundError(f"no group {', '.join(map(repr, missing))} — create it with `policykb groups add`")
            self.conn.execute(
                "INSERT INTO collections (name, public, owner_id) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET public = excluded.public",
                (name, int(public), owner_id),
            )
            self.conn.execute("DELETE FROM collection_groups WHERE collection = ?", (name,))
            self.conn.executemany(
                "INSERT INTO collection_groups (collection, group_name) VALUES (?, ?)", ((name, g) for g in groups)
            )
        return self.collection(name)

    def move_document(self, doc_id: str, collection: str) -> None:
        """Put a stored document in another collection (which must exist), as a new generation of the index: the
        searchers' kept filters are of one generation, so none goes on showing it where it was."""
        self.collection(collection)
        with self.transaction():
            self.conn.execute("UPDATE documents SET collection = ? WHERE id = ?", (collection, doc_id))
            self._bump_generation()

    def collection_of(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT collection FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None
