"""Collections and viewers: what a viewer may read is decided in one place (Filters.collections), and every ranking
honours it."""

from __future__ import annotations

import pytest

from policykb.access import OPEN, Viewer
from policykb.errors import BadQueryError, NotFoundError
from policykb.search.searcher import MODES
from policykb.store import Filters, Store


def test_a_viewer_may_do_what_its_role_and_the_roles_below_allow():
    reader, editor, admin = (Viewer(role, name=role, user_id=n) for n, role in enumerate(("reader", "editor", "admin")))
    assert reader.can("read") and reader.can("brief") and not reader.can("upload")
    assert editor.can("upload") and editor.can("manage_collections") and not editor.can("manage_users")
    assert admin.can("manage_users") and admin.can("audit")
    assert OPEN.can("read") and OPEN.can("brief") and not OPEN.can("upload")
    assert OPEN.reads_everything and admin.reads_everything and not editor.reads_everything


def test_documents_ingested_before_collections_are_public_and_readable_by_anyone(fake_index):
    with Store(fake_index.db_path) as store:
        assert store.readable_collections(frozenset()) == {"public"}
        [public] = store.collections()
        assert (public.name, public.public, public.documents) == ("public", True, 5)


def test_a_restricted_collection_is_readable_by_its_groups_only(fake_index):
    with Store(fake_index.db_path) as store:
        with store.transaction():
            store.conn.executemany("INSERT INTO groups (name) VALUES (?)", [("secretariat",), ("press",)])
        store.save_collection("drafts", public=False, groups=["secretariat"])
        assert store.readable_collections(frozenset({"secretariat"})) == {"public", "drafts"}
        assert store.readable_collections(frozenset({"press"})) == {"public"}
        with pytest.raises(NotFoundError, match="no group 'board'"):
            store.save_collection("minutes", public=False, groups=["board"])
        with pytest.raises(BadQueryError, match="not both"):
            store.save_collection("minutes", public=True, groups=["press"])


@pytest.mark.parametrize("mode", MODES)
def test_every_ranking_and_its_totals_hold_only_the_collections_allowed(fake_searcher, mode):
    everything = fake_searcher.search("social insurance", mode=mode)
    public = fake_searcher.search("social insurance", mode=mode, filters=Filters(collections=frozenset({"public"})))
    nothing = fake_searcher.search("social insurance", mode=mode, filters=Filters(collections=frozenset({"drafts"})))
    assert everything.total > 0 and public.total == everything.total
    assert [hit.chunk_id for hit in public.hits] == [hit.chunk_id for hit in everything.hits]
    assert nothing.total == 0 and nothing.hits == []
