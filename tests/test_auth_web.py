"""Signing in to the web app: open mode while no account exists, sessions, personal tokens, the trusted proxy header,
the old admin token until an admin exists, the account and admin pages, and their security rules."""

from __future__ import annotations

import dataclasses
import re

import pytest
from builders import csrf_of

from policykb.accounts import manage
from policykb.accounts.throttle import MAX_FAILURES
from policykb.accounts.viewers import command_line_viewer
from policykb.config import Config
from policykb.search.embedder import make_embedder
from policykb.store import Store
from policykb.web import create_app

TOKEN = "s3cret-token"
PASSWORD = "correct horse battery"
RESOLUTION = "004_6608ed9db748e12c"
SIGN_IN = "/login"


def _add_users(config: Config, *users: tuple[str, str]) -> None:
    with Store(config.db_path) as store:
        if "readers" not in {group.name for group in store.groups()}:
            manage.add_group(store, command_line_viewer(), "readers")
        for name, role in users:
            manage.add_user(store, command_line_viewer(), name, role, PASSWORD, ["readers"])


def _app(config: Config, **changes):
    make_embedder("fake")
    return create_app(config=dataclasses.replace(config, admin_token=TOKEN, **changes))


@pytest.fixture
def accounts(fake_index: Config) -> Config:
    """The bundled corpus with an admin, an editor and a reader."""
    _add_users(fake_index, ("ada", "admin"), ("eddie", "editor"), ("rita", "reader"))
    return fake_index


@pytest.fixture
def client(accounts: Config):
    return _app(accounts).test_client()


def _sign_in(client, name: str, password: str = PASSWORD, **extra):
    return client.post(SIGN_IN, data={"csrf": csrf_of(client, SIGN_IN), "name": name, "password": password, **extra})


def _token_for(config: Config, name: str) -> tuple[str, int]:
    with Store(config.db_path) as store:
        token, row = manage.create_token(store, command_line_viewer(), name)
    return token, row.id


# --- open mode -----------------------------------------------------------------------------------
def test_open_mode_needs_no_sign_in_while_no_account_exists(fake_index):
    client = _app(fake_index).test_client()
    assert client.get("/?q=social+insurance").status_code == 200
    assert client.get("/api/search?q=social+insurance").get_json()["ok"]
    page = client.get("/").get_data(as_text=True)
    assert "Sign in" not in page and "Sign out" not in page


# --- who is asking -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/docs", f"/doc/{RESOLUTION}", "/briefs", "/owners", "/upload", "/account"])
def test_pages_send_anyone_not_signed_in_to_the_sign_in_page(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.location.startswith(f"{SIGN_IN}?next=")


@pytest.mark.parametrize("path", ["/api/search?q=insurance", "/api/docs", f"/api/docs/{RESOLUTION}", "/api/briefs"])
def test_the_api_answers_401_in_its_error_shape_without_a_sign_in(client, path):
    response = client.get(path)
    body = response.get_json()
    assert response.status_code == 401 and body["ok"] is False and body["status"] == 401
    assert "Authorization: Bearer" in body["error"] and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_health_check_and_sign_in_page_need_no_sign_in(client):
    assert client.get("/api/health").status_code == 200
    assert client.get(SIGN_IN).status_code == 200


def test_signing_in_leads_back_to_the_page_asked_for(client):
    response = _sign_in(client, "rita", next="/docs?sort=date")
    assert response.status_code == 303 and response.location == "/docs?sort=date"
    page = client.get("/docs").get_data(as_text=True)
    assert "rita" in page and "Sign out" in page


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_signing_in_never_leads_to_another_site(client, target):
    assert _sign_in(client, "rita", next=target).location == "/"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    for name in ("rita", "nobody"):
        response = _sign_in(client, name, "not the password at all")
        assert response.status_code == 401 and "wrong name or password" in response.get_data(as_text=True)
    assert client.get("/docs").status_code == 302


def test_brute_force_sign_in_is_throttled_even_with_the_right_password_after(client, accounts):
    for _ in range(MAX_FAILURES):
        assert _sign_in(client, "rita", "guess number one").status_code == 401
    refused = _sign_in(client, "rita")
    assert refused.status_code == 429 and "too many failed sign-ins" in refused.get_data(as_text=True)
    assert client.get("/docs").status_code == 302
    with Store(accounts.db_path, readonly=True) as store:
        assert store.audit_entries(1)[0].action == "login.throttled"


def test_signing_in_starts_a_new_session(client):
    """Session fixation: nothing of a session planted before sign-in survives it, and its CSRF token changes."""
    client.get(SIGN_IN)
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
        before_csrf = planted["csrf"]
    _sign_in(client, "rita")
    with client.session_transaction() as after:
        assert "planted" not in after and after.get("sid") and after.get("_user_id")
    client.get("/docs")
    with client.session_transaction() as after:
        assert after["csrf"] != before_csrf


def test_the_sign_in_form_and_sign_out_need_the_csrf_token(client):
    client.get(SIGN_IN)
    response = client.post(SIGN_IN, data={"name": "rita", "password": PASSWORD})
    assert response.status_code == 400 and "did not come from this site" in response.get_data(as_text=True)
    _sign_in(client, "rita")
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf": csrf_of(client, "/docs")}).status_code == 303
    assert client.get("/docs").status_code == 302


def test_the_session_cookie_is_http_only_lax_and_secure_when_configured(accounts):
    client = _app(accounts, secure_cookies=True).test_client()
    _sign_in(client, "rita")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.secure and cookie.expires is not None


def test_a_disabled_user_or_a_new_password_ends_a_session_at_once(client, accounts):
    _sign_in(client, "rita")
    assert client.get("/docs").status_code == 200
    with Store(accounts.db_path) as store:
        manage.set_password(store, command_line_viewer(), "rita", PASSWORD + " again")
    assert client.get("/docs").status_code == 302
    _sign_in(client, "rita", PASSWORD + " again")
    with Store(accounts.db_path) as store:
        manage.disable_user(store, command_line_viewer(), "rita")
    assert client.get("/docs").status_code == 302


# --- personal tokens -----------------------------------------------------------------------------
def test_a_personal_token_opens_the_api_and_its_revocation_takes_effect_at_once(client, accounts):
    token, token_id = _token_for(accounts, "rita")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/search?q=insurance", headers=headers).status_code == 200
    with Store(accounts.db_path) as store:
        assert store.tokens(store.require_user("rita").id)[0].last_used_at is not None
        manage.revoke_token(store, command_line_viewer(), "rita", token_id)
    refused = client.get("/api/search?q=insurance", headers=headers)
    assert refused.status_code == 401 and "revoked" in refused.get_json()["error"]


def test_the_account_page_shows_a_new_token_once_and_revokes_it(client):
    _sign_in(client, "rita")
    made = client.post("/account/tokens", data={"csrf": csrf_of(client, "/account"), "label": "nightly"})
    token = re.search(r'class="new-token">([^<]+)<', made.get_data(as_text=True)).group(1)
    assert token not in client.get("/account").get_data(as_text=True)
    api = client.application.test_client()  # no session: the token alone
    assert api.get("/api/docs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    token_id = re.search(r"/account/tokens/(\d+)/revoke", client.get("/account").get_data(as_text=True)).group(1)
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 400  # without the form's CSRF token
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf": csrf_of(client, "/account")})
    assert api.get("/api/docs", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_changing_ones_password_keeps_this_session_and_needs_the_current_one(client):
    _sign_in(client, "rita")
    form = {
        "csrf": csrf_of(client, "/account"),
        "current": "wrong",
        "new": "a new passphrase",
        "confirm": "a new passphrase",
    }
    assert client.post("/account/password", data=form).status_code == 400
    assert client.post("/account/password", data={**form, "current": PASSWORD}).status_code == 200
    assert client.get("/docs").status_code == 200
    assert _sign_in(client.application.test_client(), "rita", "a new passphrase").status_code == 303


# --- the trusted proxy header --------------------------------------------------------------------
def test_the_trusted_user_header_counts_only_from_the_configured_proxies(accounts):
    client = _app(accounts, trusted_user_header="X-Forwarded-User", trusted_proxies="10.0.0.9").test_client()
    header = {"X-Forwarded-User": "rita"}
    assert client.get("/api/docs", headers=header, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    assert client.get("/api/docs", headers=header, environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 401
    assert client.get("/api/docs", headers=header).status_code == 401  # loopback is not in this list
    unknown = {"X-Forwarded-User": "mallory"}
    assert client.get("/api/docs", headers=unknown, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 401


def test_the_user_header_is_ignored_when_the_setting_is_off(client):
    assert client.get("/api/docs", headers={"X-Forwarded-User": "ada"}).status_code == 401


# --- who may change documents ---------------------------------------------------------------------
def test_the_old_admin_token_works_until_an_admin_account_exists(fake_index):
    _add_users(fake_index, ("rita", "reader"))
    client = _app(fake_index).test_client()
    docs = [d["id"] for d in client.get("/api/docs", headers={"X-Admin-Token": TOKEN}).get_json()["documents"]]
    removed = client.delete(f"/api/docs/{docs[0]}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert removed.status_code == 200, removed.get_json()
    _add_users(fake_index, ("ada", "admin"))
    refused = client.delete(f"/api/docs/{docs[1]}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 401


def test_an_editor_may_remove_documents_and_a_reader_may_not(client, accounts):
    reader, _ = _token_for(accounts, "rita")
    editor, _ = _token_for(accounts, "eddie")
    refused = client.delete(f"/api/docs/{RESOLUTION}", headers={"Authorization": f"Bearer {reader}"})
    assert refused.status_code == 403 and "rita is a reader" in refused.get_json()["error"]
    removed = client.delete(f"/api/docs/{RESOLUTION}", headers={"Authorization": f"Bearer {editor}"})
    assert removed.status_code == 200 and removed.get_json()["removed"] == RESOLUTION


def test_the_upload_page_asks_an_editor_for_no_token_and_tells_a_reader_why_not(client):
    _sign_in(client, "eddie")
    page = client.get("/upload").get_data(as_text=True)
    assert 'name="file"' in page and 'name="token"' not in page
    _sign_in(client, "rita")
    assert "needs an editor or admin account" in client.get("/upload").get_data(as_text=True)


# --- admin pages ---------------------------------------------------------------------------------
def test_only_an_admin_reaches_the_user_and_group_pages(client):
    _sign_in(client, "eddie")
    assert client.get("/admin/users").status_code == 403
    _sign_in(client, "ada")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "rita" in page and "eddie" in page


def test_an_admin_adds_a_user_and_a_group_and_disables_a_user(client, accounts):
    _sign_in(client, "ada")
    csrf = csrf_of(client, "/admin/users")
    added = client.post("/admin/groups", data={"csrf": csrf, "name": "board"})
    assert added.status_code == 201
    form = {"csrf": csrf, "name": "nam", "role": "editor", "password": PASSWORD, "groups": "board"}
    assert client.post("/admin/users", data=form).status_code == 201
    assert client.post("/admin/users/rita/disable", data={"csrf": csrf}).status_code == 303
    assert client.post("/admin/users/rita/enable").status_code == 400  # no CSRF token
    short = client.post("/admin/users", data={**form, "name": "short", "password": "short"})
    assert short.status_code == 400 and "at least 10 characters" in short.get_data(as_text=True)
    with Store(accounts.db_path, readonly=True) as store:
        assert store.require_user("nam").groups == ["board"] and store.require_user("rita").disabled
        assert store.audit_entries(1)[0].user_name == "ada"


def test_an_admin_sets_a_role_and_resets_a_password_from_the_users_page(client, accounts):
    _sign_in(client, "ada")
    csrf = csrf_of(client, "/admin/users")
    assert client.post("/admin/users/rita/role", data={"csrf": csrf, "role": "editor"}).status_code == 303
    reset = {"csrf": csrf, "password": "a passphrase set by ada"}
    assert client.post("/admin/users/rita/password", data=reset).status_code == 303
    other = client.application.test_client()
    assert _sign_in(other, "rita").status_code == 401
    assert _sign_in(other, "rita", "a passphrase set by ada").status_code == 303
    with Store(accounts.db_path, readonly=True) as store:
        assert store.require_user("rita").role == "editor"
        assert [e.action for e in store.audit_entries(2)] == ["user.password_reset", "user.role"]


def test_an_editor_makes_a_collection_of_their_own_and_may_change_only_theirs(client, accounts):
    _sign_in(client, "rita")
    assert client.get("/admin/collections").status_code == 403  # a reader manages none
    _sign_in(client, "eddie")
    csrf = csrf_of(client, "/admin/collections")
    made = client.post("/admin/collections", data={"csrf": csrf, "name": "drafts", "groups": "readers"})
    assert made.status_code == 201 and "readable by groups readers" in made.get_data(as_text=True)
    public = client.post("/admin/collections", data={"csrf": csrf, "name": "public", "groups": "readers"})
    assert public.status_code == 403 and "not yours to change" in public.get_data(as_text=True)
    with Store(accounts.db_path, readonly=True) as store:
        drafts = store.collection("drafts")
        assert drafts.groups == ["readers"] and drafts.owner_id == store.require_user("eddie").id
        assert store.collection("public").public
        entry = store.audit_entries(1)[0]
        assert (entry.action, entry.target, entry.user_name) == ("collection.create", "drafts", "eddie")


def test_an_admin_reads_the_audit_log_on_its_page_and_nobody_else_does(client):
    _sign_in(client, "eddie")
    assert client.get("/admin/audit").status_code == 403
    _sign_in(client, "ada")
    page = client.get("/admin/audit", query_string={"limit": 5}).get_data(as_text=True)
    assert "user.create" in page and "the latest 5 entries" in page
    assert client.get("/admin/audit", query_string={"limit": 0}).status_code == 400
