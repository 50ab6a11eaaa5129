"""Briefs belong to people: an owner, shares with users and groups as viewer or editor, a version that refuses stale
edits, lists of mine and shared with me, pin menus of the briefs one may change, and audit entries — through the pages,
the JSON API and the CLI, with viewers set as the accounts layer sets them (g.viewer)."""

from __future__ import annotations

import html
import json
import re
import sqlite3
import threading

import pytest
from builders import csrf_of, identify_by
from click.testing import CliRunner
from flask import g, request
from live_server import live_server
from test_browser import CHROMIUM, CHROMIUM_ARGS

from policykb.access import Viewer
from policykb.cli import main
from policykb.config import Config
from policykb.search.embedder import make_embedder
from policykb.store import Store
from policykb.web import create_app

RESOLUTION = "004_6608ed9db748e12c"
# Who signs in, by the X-As header each test client sends: ann and cat work in the secretariat, bob in the press office.
PEOPLE = {
    "ann": Viewer("reader", "ann", 1, frozenset({"secretariat"})),
    "bob": Viewer("reader", "bob", 2, frozenset({"press"})),
    "cat": Viewer("editor", "cat", 3, frozenset({"secretariat"})),
    "root": Viewer("admin", "root", 4),
}
READ_ONLY = "you can read this brief but not change it — ask its owner to share it with you as editor"


def _add_people(config: Config, *, admin: bool = True) -> None:
    conn = sqlite3.connect(config.db_path)
    with conn:
        conn.executemany("INSERT INTO groups (name) VALUES (?)", [("secretariat",), ("press",)])
        for viewer in PEOPLE.values():
            if viewer.role != "admin" or admin:
                conn.execute(
                    "INSERT INTO users (id, name, role) VALUES (?, ?, ?)", (viewer.user_id, viewer.name, viewer.role)
                )
            conn.executemany(
                "INSERT INTO user_groups (user_id, group_name) VALUES (?, ?)",
                [(viewer.user_id, group) for group in viewer.groups],
            )
    conn.close()


def _signed_in() -> None:
    """As the accounts layer does: g.viewer for who signed in (the X-As header here); none is open mode."""
    if "X-As" in request.headers:
        g.viewer = PEOPLE[request.headers["X-As"]]


@pytest.fixture
def app(fake_index: Config):
    make_embedder("fake")
    _add_people(fake_index)
    app = create_app(config=fake_index)
    identify_by(app, _signed_in)
    return app


def _client(app, name: str):
    client = app.test_client()
    client.environ_base["HTTP_X_AS"] = name
    return client


def _signed_in_client(name: str):
    """A fixture named `name`: a test client of `app` signed in as that person."""

    @pytest.fixture(name=name)
    def person(app):
        return _client(app, name)

    return person


ann, bob, cat, root = (_signed_in_client(name) for name in PEOPLE)


def _new(client, title: str = "Budget talks") -> dict:
    created = client.post("/api/briefs", json={"title": title, "intro": "For Tuesday."})
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def _share(client, brief_id: int, **shares: dict[str, str]):
    """PUT the brief's shares: users={name: role} and/or groups={name: role}."""
    return client.put(f"/api/briefs/{brief_id}/shares", json=shares)


def _audit(config: Config) -> list[tuple]:
    conn = sqlite3.connect(config.db_path)
    rows = conn.execute("SELECT user_name, action, target, detail FROM audit_log ORDER BY id").fetchall()
    conn.close()
    return [(name, action, target, json.loads(detail)) for name, action, target, detail in rows]


def _pin_options(page: str) -> list[list[str]]:
    """The brief choices (ids, and "new") of every Pin form of a page."""
    forms = re.findall(r'<form class="pin[^"]*".*?</form>', page, re.S)
    return [re.findall(r'<option value="(\w+)"', form) for form in forms]


# --- owners ---------------------------------------------------------------------------------------
def test_a_brief_is_its_makers_alone_and_a_stranger_is_told_it_does_not_exist(ann, bob, fake_index):
    brief = _new(ann)
    assert (brief["owner"], brief["access"], brief["version"]) == ("ann", "owner", 1)
    missing = bob.get("/api/briefs/999").get_json()
    hidden = bob.get(f"/api/briefs/{brief['id']}")
    assert hidden.status_code == 404
    assert hidden.get_json()["error"] == missing["error"].replace("999", str(brief["id"]))
    for refused in (
        bob.patch(f"/api/briefs/{brief['id']}", json={"title": "Mine now"}),
        bob.delete(f"/api/briefs/{brief['id']}"),
        bob.get(f"/api/briefs/{brief['id']}/export", query_string={"format": "md"}),
        bob.get(f"/api/briefs/{brief['id']}/shares"),
        _share(bob, brief["id"], users={"bob": "editor"}),
        bob.get(f"/briefs/{brief['id']}"),
        bob.get(f"/briefs/{brief['id']}/export.docx"),
    ):
        assert refused.status_code == 404
    assert bob.get("/api/briefs").get_json()["briefs"] == []
    assert "Budget talks" not in bob.get("/briefs").get_data(as_text=True)
    assert ann.get(f"/api/briefs/{brief['id']}").get_json()["title"] == "Budget talks"


def test_an_admin_sees_everyones_briefs_apart_from_their_own(ann, root):
    brief = _new(ann)
    [row] = root.get("/api/briefs").get_json()["briefs"]
    assert (row["id"], row["owner"], row["section"], row["access"]) == (brief["id"], "ann", "other", "owner")
    page = root.get("/briefs").get_data(as_text=True)
    assert "Other briefs" in page and "My briefs" not in page
    assert root.patch(f"/api/briefs/{brief['id']}", json={"intro": "Checked."}).status_code == 200


# --- sharing --------------------------------------------------------------------------------------
def test_a_brief_shared_with_a_user_as_viewer_is_read_and_exported_but_not_changed(ann, bob):
    brief = _new(ann)
    shared = _share(ann, brief["id"], users={"bob": "viewer"})
    assert (shared.get_json()["users"], shared.get_json()["groups"]) == ({"bob": "viewer"}, {})
    seen = bob.get(f"/api/briefs/{brief['id']}").get_json()
    assert (seen["title"], seen["access"]) == ("Budget talks", "viewer")
    assert bob.get(f"/api/briefs/{brief['id']}/export", query_string={"format": "md"}).status_code == 200
    for refused in (
        bob.patch(f"/api/briefs/{brief['id']}", json={"title": "Mine now"}),
        bob.post(f"/api/briefs/{brief['id']}/items", json={"heading": "Mine"}),
    ):
        assert refused.status_code == 403
        assert refused.get_json() == {"ok": False, "error": READ_ONLY, "status": 403}
    deleting = bob.delete(f"/api/briefs/{brief['id']}")
    assert (
        deleting.status_code == 403
        and "only the brief's owner or an admin can delete it" in deleting.get_json()["error"]
    )
    [row] = bob.get("/api/briefs").get_json()["briefs"]
    assert (row["section"], row["owner"], row["access"]) == ("shared", "ann", "viewer")
    assert ann.get(f"/api/briefs/{brief['id']}").get_json()["title"] == "Budget talks"


def test_a_read_only_brief_page_shows_no_forms_and_refuses_a_forged_one_in_words(ann, bob):
    brief = _new(ann)
    _share(ann, brief["id"], users={"bob": "viewer"})
    page = bob.get(f"/briefs/{brief['id']}").get_data(as_text=True)
    assert "Shared with you by ann" in page and "ask ann to share it with you as editor" in page
    assert 'name="title"' not in page and "Add heading" not in page and "Delete brief" not in page
    assert 'id="shares"' not in page
    forged = bob.post(f"/briefs/{brief['id']}", data={"csrf": csrf_of(bob, "/briefs"), "title": "Mine now"})
    assert forged.status_code == 403 and html.escape(READ_ONLY) in forged.get_data(as_text=True)
    listing = bob.get("/briefs").get_data(as_text=True)
    assert "Shared with me" in listing and "My briefs" not in listing


def test_a_brief_shared_with_a_group_as_editor_is_changed_by_its_members_only(ann, bob, cat):
    brief = _new(ann)
    _share(ann, brief["id"], groups={"secretariat": "editor"})
    changed = cat.patch(f"/api/briefs/{brief['id']}", json={"intro": "Cat's notes."})
    assert changed.status_code == 200 and changed.get_json()["access"] == "editor"
    assert cat.post(f"/api/briefs/{brief['id']}/items", json={"heading": "Costs"}).status_code == 201
    assert cat.delete(f"/api/briefs/{brief['id']}").status_code == 403
    assert _share(cat, brief["id"], users={"bob": "viewer"}).status_code == 403
    assert bob.get(f"/api/briefs/{brief['id']}").status_code == 404  # press is not the secretariat
    assert ann.get(f"/api/briefs/{brief['id']}").get_json()["intro"] == "Cat's notes."


def test_the_stronger_of_a_users_own_and_their_groups_share_counts(ann, cat):
    brief = _new(ann)
    _share(ann, brief["id"], users={"cat": "viewer"}, groups={"secretariat": "editor"})
    assert cat.get(f"/api/briefs/{brief['id']}").get_json()["access"] == "editor"


def test_the_owner_shares_and_stops_sharing_from_the_brief_page(ann, bob, fake_index):
    brief_id = _new(ann)["id"]
    page = ann.get(f"/briefs/{brief_id}").get_data(as_text=True)
    assert 'id="shares"' in page and "Nobody else" in page
    form = {"csrf": csrf_of(ann, "/briefs"), "kind": "user", "name": "bob", "role": "editor"}
    assert ann.post(f"/briefs/{brief_id}/shares", data=form).status_code == 303
    assert "user <strong>bob</strong> as editor" in ann.get(f"/briefs/{brief_id}").get_data(as_text=True)
    assert bob.get(f"/api/briefs/{brief_id}").get_json()["access"] == "editor"
    revoke = {"csrf": csrf_of(ann, "/briefs"), "kind": "user", "name": "bob"}
    assert ann.post(f"/briefs/{brief_id}/shares/revoke", data=revoke).status_code == 303
    assert bob.get(f"/api/briefs/{brief_id}").status_code == 404
    actions = [(name, action, target) for name, action, target, _ in _audit(fake_index)]
    assert actions == [("ann", "brief.share", f"brief {brief_id}"), ("ann", "brief.unshare", f"brief {brief_id}")]


def test_a_share_names_a_user_or_group_that_exists_and_not_the_owner(ann):
    brief_id = _new(ann)["id"]
    unknown = _share(ann, brief_id, users={"zed": "viewer"})
    assert unknown.status_code == 404 and "no user 'zed'" in unknown.get_json()["error"]
    assert "policykb users list" in unknown.get_json()["error"]
    assert _share(ann, brief_id, groups={"board": "viewer"}).status_code == 404
    assert "owns this brief already" in _share(ann, brief_id, users={"ann": "editor"}).get_json()["error"]
    listed = ann.put(f"/api/briefs/{brief_id}/shares", json={"users": [{"user": "bob", "role": "viewer"}]})
    assert listed.status_code == 400 and '"users": {"NAME": "viewer" or "editor"' in listed.get_json()["error"]
    assert _share(ann, brief_id, groups=None).status_code == 400
    assert "role of user 'bob'" in _share(ann, brief_id, users={"bob": 2}).get_json()["error"]
    assert _share(ann, brief_id, users={"bob": "owner"}).status_code == 400
    assert _share(ann, brief_id, users={"bob": "viewer", "zed": "viewer"}).status_code == 404
    nothing = ann.get(f"/api/briefs/{brief_id}/shares").get_json()
    assert (nothing["users"], nothing["groups"]) == ({}, {})  # nothing half done


def test_replacing_shares_is_audited_with_what_they_were_and_became(ann, fake_index):
    brief_id = _new(ann)["id"]
    _share(ann, brief_id, users={"bob": "viewer"})
    _share(ann, brief_id, groups={"press": "editor"})
    entries = [entry for entry in _audit(fake_index) if entry[1] == "brief.share"]
    assert entries[-1] == (
        "ann",
        "brief.share",
        f"brief {brief_id}",
        {
            "before": {"users": {"bob": "viewer"}, "groups": {}},
            "after": {"users": {}, "groups": {"press": "editor"}},
        },
    )


# --- versions -------------------------------------------------------------------------------------
def test_the_version_grows_with_every_change_and_is_the_answers_etag(ann, fake_index):
    brief = _new(ann)
    brief_id, versions = brief["id"], [brief["version"]]
    versions.append(ann.patch(f"/api/briefs/{brief_id}", json={"title": "Budget"}).get_json()["version"])
    heading = ann.post(f"/api/briefs/{brief_id}/items", json={"heading": "Costs"}).get_json()
    versions.append(heading["version"])
    passage = ann.post(
        f"/api/briefs/{brief_id}/items", json={"doc_id": RESOLUTION, "start": 0, "end": 20, "note": "Why"}
    ).get_json()
    versions.append(passage["version"])
    item = f"/api/briefs/{brief_id}/items/{passage['item']['id']}"
    versions.append(ann.patch(item, json={"note": "Because"}).get_json()["version"])
    versions.append(ann.patch(item, json={"move": -1}).get_json()["version"])
    removed = ann.delete(item)
    versions.append(int(removed.headers["ETag"].strip('"')))
    assert versions == list(range(1, 8))
    shown = ann.get(f"/api/briefs/{brief_id}")
    assert shown.get_json()["version"] == 7 and shown.headers["ETag"] == '"7"'


def test_of_two_edits_based_on_one_version_the_second_is_refused_and_the_first_kept(ann, cat):
    brief_id = _new(ann)["id"]
    _share(ann, brief_id, groups={"secretariat": "editor"})
    loaded = ann.get(f"/api/briefs/{brief_id}").get_json()["version"]
    assert cat.get(f"/api/briefs/{brief_id}").get_json()["version"] == loaded
    first = ann.patch(f"/api/briefs/{brief_id}", json={"intro": "Ann's", "version": loaded})
    assert first.status_code == 200
    second = cat.patch(f"/api/briefs/{brief_id}", json={"intro": "Cat's"}, headers={"If-Match": f'"{loaded}"'})
    assert second.status_code == 409
    assert second.get_json() == {
        "ok": False,
        "error": f"the brief changed since you loaded it (version {loaded}, now {loaded + 1}) — reload it and make "
        "your change again",
        "status": 409,
    }
    stale_item = cat.post(f"/api/briefs/{brief_id}/items", json={"heading": "Cat's", "version": loaded})
    assert stale_item.status_code == 409
    kept = ann.get(f"/api/briefs/{brief_id}").get_json()
    assert (kept["intro"], kept["items"], kept["version"]) == ("Ann's", [], loaded + 1)


def test_a_version_that_is_not_a_whole_number_is_a_400(ann):
    brief_id = _new(ann)["id"]
    refused = ann.patch(f"/api/briefs/{brief_id}", json={"intro": "x"}, headers={"If-Match": "yesterday"})
    assert refused.status_code == 400 and "(header If-Match) must be the brief's ETag" in refused.get_json()["error"]
    assert ann.patch(f"/api/briefs/{brief_id}", json={"intro": "y"}, headers={"If-Match": "*"}).status_code == 200
    assert ann.patch(f"/api/briefs/{brief_id}", json={"intro": "x", "version": "1"}).status_code == 400


def test_a_brief_page_form_carries_its_version_and_a_stale_one_is_refused_on_the_page(ann):
    brief_id = _new(ann)["id"]
    page = ann.get(f"/briefs/{brief_id}").get_data(as_text=True)
    assert 'name="version" value="1"' in page
    fresh = {"csrf": csrf_of(ann, "/briefs"), "title": "Budget", "intro": "", "version": "1"}
    assert ann.post(f"/briefs/{brief_id}", data=fresh).status_code == 303
    stale = ann.post(
        f"/briefs/{brief_id}/headings", data={"csrf": csrf_of(ann, "/briefs"), "heading": "Late", "version": "1"}
    )
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "the brief changed since you loaded it (version 1, now 2)" in text and 'name="version" value="2"' in text
    assert ann.get(f"/api/briefs/{brief_id}").get_json()["items"] == []


# --- lists and pin menus ---------------------------------------------------------------------------
def test_lists_show_mine_and_shared_with_me_and_never_others(ann, bob, cat):
    mine = _new(ann, "Anns own")["id"]
    shared = _new(bob, "Bobs, shared")["id"]
    _new(bob, "Bobs private")
    _share(bob, shared, users={"ann": "viewer"})
    rows = {row["title"]: row["section"] for row in ann.get("/api/briefs").get_json()["briefs"]}
    assert rows == {"Anns own": "mine", "Bobs, shared": "shared"}
    page = ann.get("/briefs").get_data(as_text=True)
    assert page.index("My briefs") < page.index("Anns own") < page.index("Shared with me") < page.index("Bobs, shared")
    assert "Bobs private" not in page and mine != shared
    assert cat.get("/api/briefs").get_json()["briefs"] == []


def test_pin_menus_offer_only_the_briefs_the_viewer_may_change(ann, bob, fake_index):
    mine = _new(ann, "Anns own")["id"]
    readable = _new(bob, "Bobs, to read")["id"]
    editable = _new(bob, "Bobs, to edit")["id"]
    private = _new(bob, "Bobs private")["id"]
    _share(bob, readable, users={"ann": "viewer"})
    _share(bob, editable, groups={"secretariat": "editor"})
    page = ann.get("/", query_string={"q": "Resolution 68"}).get_data(as_text=True)
    options = _pin_options(page)
    assert options and all(set(choices) == {str(mine), str(editable), "new"} for choices in options)
    document = ann.get(f"/doc/{RESOLUTION}").get_data(as_text=True)
    assert all(str(readable) not in choices for choices in _pin_options(document))
    pin = {"csrf": csrf_of(ann, "/briefs"), "doc_id": RESOLUTION, "start": 0, "end": 20, "next": "/"}
    assert ann.post("/briefs/pin", data={**pin, "brief": editable}).status_code == 303
    assert ann.post("/briefs/pin", data={**pin, "brief": readable}).status_code == 403
    assert ann.post("/briefs/pin", data={**pin, "brief": private}).status_code == 404
    new = ann.post("/briefs/pin", data={**pin, "brief": "new", "new_title": "From a pin"})
    pinned = int(re.search(r"pinned=(\d+)", new.headers["Location"]).group(1))
    assert ann.get(f"/api/briefs/{pinned}").get_json()["owner"] == "ann"


# --- before accounts, and open mode ---------------------------------------------------------------
def test_briefs_made_before_accounts_are_everyones_until_an_admin_exists(fake_index):
    make_embedder("fake")
    _add_people(fake_index, admin=False)
    app = create_app(config=fake_index)
    identify_by(app, _signed_in)
    old = app.test_client().post("/api/briefs", json={"title": "From open mode"}).get_json()  # no one signed in
    assert old["owner"] is None
    bob = _client(app, "bob")
    [row] = bob.get("/api/briefs").get_json()["briefs"]
    assert (row["id"], row["section"], row["access"]) == (old["id"], "other", "editor")
    assert bob.patch(f"/api/briefs/{old['id']}", json={"intro": "Still everyone's"}).status_code == 200
    assert bob.delete(f"/api/briefs/{old['id']}").status_code == 403  # deleting waits for its owner, the admin
    conn = sqlite3.connect(fake_index.db_path)
    with conn:
        conn.execute("INSERT INTO users (id, name, role) VALUES (4, 'root', 'admin')")
    conn.close()
    assert bob.get(f"/api/briefs/{old['id']}").status_code == 404
    assert _client(app, "root").get(f"/api/briefs/{old['id']}").get_json()["intro"] == "Still everyone's"
    with Store(fake_index.db_path) as store, store.transaction():
        assert store.adopt_unowned_briefs(4) == 1  # what the first admin's creation does with them
    assert _client(app, "root").get("/api/briefs").get_json()["briefs"][0]["section"] == "mine"


def test_open_mode_keeps_briefs_everyones_with_no_shares_and_no_audit(fake_index):
    make_embedder("fake")
    client = create_app(config=fake_index).test_client()
    brief = client.post("/api/briefs", json={"title": "Open"}).get_json()
    assert (brief["owner"], brief["access"]) == (None, "owner")
    [row] = client.get("/api/briefs").get_json()["briefs"]
    assert (row["section"], row["access"]) == ("mine", "owner")
    page = client.get(f"/briefs/{brief['id']}").get_data(as_text=True)
    assert 'id="shares"' not in page and "Delete brief" in page
    assert "My briefs" not in client.get("/briefs").get_data(as_text=True)
    assert client.get(f"/api/briefs/{brief['id']}/export", query_string={"format": "md"}).status_code == 200
    assert _audit(fake_index) == []


# --- audit ----------------------------------------------------------------------------------------
def test_an_export_by_a_signed_in_viewer_is_in_the_audit_log(ann, bob, fake_index):
    brief_id = _new(ann)["id"]
    _share(ann, brief_id, users={"bob": "viewer"})
    assert bob.get(f"/briefs/{brief_id}/export.csv").status_code == 200
    assert ann.get(f"/api/briefs/{brief_id}/export", query_string={"format": "md"}).status_code == 200
    exports = [entry for entry in _audit(fake_index) if entry[1] == "brief.export"]
    assert exports == [
        ("bob", "brief.export", f"brief {brief_id}", {"format": "csv", "title": "Budget talks"}),
        ("ann", "brief.export", f"brief {brief_id}", {"format": "md", "title": "Budget talks"}),
    ]


# --- the CLI --------------------------------------------------------------------------------------
def test_cli_shares_a_brief_with_a_group_and_revokes_it(ann, cat, fake_index):
    brief_id = _new(ann)["id"]

    def cli(*args: str):
        return CliRunner().invoke(
            main,
            ["--data", str(fake_index.data_dir), "brief", "share", str(brief_id), *args],
            env={"POLICYKB_EMBEDDER": "fake"},
        )

    shared = cli("--group", "secretariat", "--as", "editor")
    assert shared.exit_code == 0, shared.output
    assert "group secretariat: editor" in shared.output and "owner ann" in shared.output
    assert cat.get(f"/api/briefs/{brief_id}").get_json()["access"] == "editor"
    assert json.loads(cli("--json").stdout)["shares"] == [{"user": None, "group": "secretariat", "role": "editor"}]
    assert cli("--group", "secretariat", "--revoke").exit_code == 0
    assert cat.get(f"/api/briefs/{brief_id}").status_code == 404
    again = cli("--group", "secretariat", "--revoke")
    assert again.exit_code == 1 and "is not shared with 'secretariat'" in again.output
    unknown = cli("--user", "zed")
    assert unknown.exit_code == 1 and "no user 'zed'" in unknown.output
    actions = [(action, detail.get("via")) for _name, action, _target, detail in _audit(fake_index)]
    assert actions == [("brief.share", "cli"), ("brief.unshare", "cli")]


def test_two_edits_at_once_on_one_version_leave_exactly_one_change(app, ann, cat):
    brief_id = _new(ann)["id"]
    _share(ann, brief_id, groups={"secretariat": "editor"})
    start, answers = threading.Barrier(2), {}

    def edit(client, name: str) -> None:
        start.wait()
        answers[name] = client.patch(f"/api/briefs/{brief_id}", json={"intro": name, "version": 1}).status_code

    threads = [threading.Thread(target=edit, args=pair) for pair in ((ann, "ann"), (cat, "cat"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == [200, 409]
    kept = ann.get(f"/api/briefs/{brief_id}").get_json()
    assert kept["intro"] == next(name for name, status in answers.items() if status == 200) and kept["version"] == 2


# --- in Chromium ----------------------------------------------------------------------------------
@pytest.fixture
def people_browser(app):
    """A live server of `app` and, for each name, a Chromium page signed in as that person."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with live_server(app) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)

        def page_of(name: str):
            context = browser.new_context(base_url=base_url, extra_http_headers={"X-As": name})
            context.set_default_timeout(10_000)
            return context.new_page()

        yield page_of
        browser.close()


def test_in_a_browser_the_owner_shares_a_reader_only_reads_and_a_stale_page_says_reload(people_browser):
    ann, bob, cat = (people_browser(name) for name in ("ann", "bob", "cat"))
    ann.goto("/briefs")
    ann.fill("form.brief-new input[name=title]", "Budget talks")
    ann.click("form.brief-new button[type=submit]")
    brief_url = ann.url
    for kind, name, role in (("user", "bob", "viewer"), ("group", "secretariat", "editor")):
        ann.select_option("form.share-form select[name=kind]", kind)
        ann.fill("form.share-form input[name=name]", name)
        ann.select_option("form.share-form select[name=role]", role)
        ann.click("form.share-form button[type=submit]")
    assert ann.locator(".share-list li").count() == 2
    bob.goto(brief_url)
    assert "Shared with you by ann" in bob.locator(".shared-read").inner_text()
    assert bob.locator("form.add-heading").count() == 0 and bob.locator(".delete-brief").count() == 0
    cat.goto(brief_url)  # loaded at version 1
    ann.fill("form.add-heading input[name=heading]", "Costs")
    ann.click("form.add-heading button[type=submit]")
    cat.fill("form.add-heading input[name=heading]", "Late")
    cat.click("form.add-heading button[type=submit]")
    alert = cat.locator("p.notice.error[role=alert]").inner_text()
    assert "the brief changed since you loaded it (version 1, now 2) — reload it" in alert
    assert cat.locator(".brief-item h2").all_inner_texts() == ["Costs"]
