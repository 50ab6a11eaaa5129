"""Accounts below the web: password hashing, personal tokens, login throttling, the store's people, the viewer a user
acts as, and the `policykb users|groups|audit` commands."""

from __future__ import annotations

import json
import sqlite3

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from policykb.accounts import manage, viewer_for
from policykb.accounts.passwords import HASHER, MEMORY_COST_KIB, PARALLELISM, TIME_COST, hash_password, verify
from policykb.accounts.throttle import MAX_FAILURES, WINDOW, LoginThrottle
from policykb.accounts.tokens import token_hash
from policykb.accounts.viewers import command_line_viewer
from policykb.briefs.model import Briefs
from policykb.cli import main
from policykb.errors import BadQueryError, NotFoundError
from policykb.store import Store

PASSWORD = "correct horse battery"
CLI = command_line_viewer()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "data" / "policykb.sqlite3") as opened:
        yield opened


# --- passwords -----------------------------------------------------------------------------------
def test_passwords_are_hashed_with_argon2id_and_the_documented_parameters():
    hashed = hash_password(PASSWORD)
    assert hashed.startswith(f"$argon2id$v=19$m={MEMORY_COST_KIB},t={TIME_COST},p={PARALLELISM}$")
    assert (MEMORY_COST_KIB, TIME_COST, PARALLELISM) == (65536, 3, 4)  # RFC 9106's second recommended option
    assert PASSWORD not in hashed and verify(hashed, PASSWORD) == (True, None)


def test_a_hash_made_with_weaker_parameters_is_made_again_at_the_next_sign_in():
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    matches, new_hash = verify(old, PASSWORD)
    assert matches and new_hash is not None and not HASHER.check_needs_rehash(new_hash)
    assert verify(new_hash, PASSWORD) == (True, None)


@pytest.mark.parametrize("stored", [None, "", "not a hash"])
def test_a_missing_or_broken_hash_never_verifies(stored):
    assert verify(stored, PASSWORD) == (False, None)


def test_a_wrong_password_does_not_verify():
    assert verify(hash_password(PASSWORD), PASSWORD + "!") == (False, None)


def test_a_short_password_is_refused_saying_how_long_it_must_be():
    with pytest.raises(BadQueryError, match="at least 10 characters"):
        hash_password("short")


# --- throttling ----------------------------------------------------------------------------------
def test_login_throttle_refuses_after_repeated_failures_until_the_window_passes():
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(MAX_FAILURES):
        assert throttle.refusal("ada", "10.0.0.1") is None
        throttle.failed("ada", "10.0.0.1")
    assert "too many failed sign-ins for 'ADA'" in throttle.refusal("ADA", "10.0.0.1")  # a name's case counts as one
    assert throttle.refusal("ada", "10.0.0.2") is None  # another address is counted on its own
    now[0] += WINDOW + 1
    assert throttle.refusal("ada", "10.0.0.1") is None


def test_a_success_clears_the_failures_of_its_name_and_address():
    throttle = LoginThrottle()
    for _ in range(MAX_FAILURES - 1):
        throttle.failed("ada", "10.0.0.1")
    throttle.succeeded("ada", "10.0.0.1")
    throttle.failed("ada", "10.0.0.1")
    assert throttle.refusal("ada", "10.0.0.1") is None


# --- the store's people --------------------------------------------------------------------------
def test_users_carry_their_groups_and_role_into_their_viewer(store):
    manage.add_group(store, CLI, "secretariat")
    made = manage.add_user(store, CLI, "bao", "editor", PASSWORD, ["secretariat"])
    viewer = viewer_for(made.user)
    assert (viewer.role, viewer.name, viewer.user_id, viewer.groups) == ("editor", "bao", made.user.id, {"secretariat"})
    assert viewer.can("upload") and not viewer.can("manage_users")
    assert "password_hash" not in made.user.to_json() and PASSWORD not in repr(made.user)


def test_a_taken_name_an_unknown_group_or_role_is_refused_saying_so(store):
    manage.add_user(store, CLI, "bao", "reader", PASSWORD)
    with pytest.raises(BadQueryError, match="exists already"):
        manage.add_user(store, CLI, "bao", "reader", PASSWORD)
    with pytest.raises(NotFoundError, match="policykb groups add"):
        manage.add_user(store, CLI, "chi", "reader", PASSWORD, ["nobody"])
    with pytest.raises(BadQueryError, match="unknown role"):
        manage.add_user(store, CLI, "dung", "owner", PASSWORD)
    assert [user.name for user in store.users()] == ["bao"]  # the refused ones left nothing behind


def test_tokens_are_stored_only_as_their_sha256_and_revoked_at_once(store):
    manage.add_user(store, CLI, "bao", "reader", PASSWORD)
    token, row = manage.create_token(store, CLI, "bao", "scripts")
    stored = store.conn.execute("SELECT token_hash FROM api_tokens").fetchall()
    assert [tuple(r) for r in stored] == [(token_hash(token),)] and token not in str(stored)
    assert store.token_owner(token_hash(token))[0].name == "bao"
    manage.revoke_token(store, CLI, "bao", row.id)
    assert store.token_owner(token_hash(token)) is None


def test_a_disabled_users_tokens_name_nobody(store):
    manage.add_user(store, CLI, "bao", "reader", PASSWORD)
    token, _row = manage.create_token(store, CLI, "bao")
    manage.disable_user(store, CLI, "bao")
    assert store.token_owner(token_hash(token)) is None


def test_the_only_admin_can_be_neither_disabled_nor_demoted(store):
    manage.add_user(store, CLI, "ada", "admin", PASSWORD)
    for change in (
        lambda: manage.disable_user(store, CLI, "ada"),
        lambda: manage.set_role(store, CLI, "ada", "editor"),
    ):
        with pytest.raises(BadQueryError, match="ada is the only admin: make another user admin first"):
            change()
    manage.add_user(store, CLI, "bea", "admin", PASSWORD)
    assert manage.set_role(store, CLI, "ada", "editor").role == "editor"
    assert store.has_admin()


def test_the_first_admin_takes_the_briefs_made_before_accounts(store):
    before = Briefs(store).create("Made in open mode")
    manage.add_user(store, CLI, "reader", "reader", PASSWORD)
    first = manage.add_user(store, CLI, "ada", "admin", PASSWORD)
    second = manage.add_user(store, CLI, "bea", "admin", PASSWORD)
    owner = store.conn.execute("SELECT owner_id FROM briefs WHERE id = ?", (before,)).fetchone()[0]
    assert (owner, first.adopted_briefs, second.adopted_briefs) == (first.user.id, 1, 0)


def test_every_change_to_accounts_is_in_the_audit_log(store):
    manage.add_group(store, CLI, "secretariat")
    manage.add_user(store, CLI, "bao", "reader", PASSWORD)
    manage.set_role(store, CLI, "bao", "editor")
    manage.set_password(store, CLI, "bao", PASSWORD + "2")
    _token, row = manage.create_token(store, CLI, "bao")
    manage.revoke_token(store, CLI, "bao", row.id)
    manage.disable_user(store, CLI, "bao")
    actions = [entry.action for entry in reversed(store.audit_entries())]
    assert actions == [
        "group.create",
        "user.create",
        "user.role",
        "user.password_reset",
        "token.create",
        "token.revoke",
        "user.disable",
    ]
    assert all(entry.user_name == CLI.name for entry in store.audit_entries())


def test_an_index_from_before_accounts_opened_read_only_has_no_users(tmp_path):
    path = tmp_path / "old.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE chunks (id INTEGER)").connection.commit()
    with Store(path, readonly=True) as old:
        assert not old.has_users() and not old.has_admin() and old.audit_entries() == []


# --- the command line ----------------------------------------------------------------------------
def _run(tmp_path, *args, input=None):
    result = CliRunner().invoke(main, ["--data", str(tmp_path / "data"), *args], input=input)
    return result


def test_users_commands_add_list_set_role_disable_and_print_a_token_once(tmp_path):
    assert _run(tmp_path, "groups", "add", "secretariat").exit_code == 0
    added = _run(tmp_path, "users", "add", "bao", "--group", "secretariat", "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert _run(tmp_path, "users", "set-role", "bao", "editor").exit_code == 0
    token = _run(tmp_path, "users", "token", "bao", "--label", "nightly").stdout.strip()
    assert token.startswith("pkb_") and len(token) > 40
    assert _run(tmp_path, "users", "disable", "bao").exit_code == 0
    listed = json.loads(_run(tmp_path, "users", "list", "--json").stdout)["users"]
    assert [(u["name"], u["role"], u["disabled"], u["groups"]) for u in listed] == [
        ("bao", "editor", True, ["secretariat"])
    ]
    groups = json.loads(_run(tmp_path, "groups", "list", "--json").stdout)["groups"]
    assert [(g["name"], g["members"]) for g in groups] == [("secretariat", 1)]


def test_a_token_listed_by_the_command_line_is_revoked_there_at_once(tmp_path):
    _run(tmp_path, "users", "add", "bao", "--password-stdin", input=PASSWORD + "\n")
    token = _run(tmp_path, "users", "token", "bao", "--label", "nightly").stdout.strip()
    [listed] = json.loads(_run(tmp_path, "users", "tokens", "bao", "--json").stdout)["tokens"]
    assert listed["label"] == "nightly" and listed["revoked_at"] is None and token not in json.dumps(listed)
    revoked = _run(tmp_path, "users", "revoke-token", "bao", str(listed["id"]))
    assert revoked.exit_code == 0 and revoked.stdout.strip() == f"revoked token {listed['id']} of bao (nightly)"
    with Store(tmp_path / "data" / "policykb.sqlite3") as opened:
        assert opened.token_owner(token_hash(token)) is None
        assert opened.audit_entries(1)[0].action == "token.revoke"
    missing = _run(tmp_path, "users", "revoke-token", "bao", "99")
    assert missing.exit_code == 1 and "no token 99 of this user" in missing.output


def test_users_add_prompts_for_the_password_twice(tmp_path):
    result = _run(tmp_path, "users", "add", "ada", "--admin", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    with Store(tmp_path / "data" / "policykb.sqlite3") as opened:
        assert opened.has_admin() and verify(opened.require_user("ada").password_hash, PASSWORD)[0]


def test_the_first_admin_says_which_briefs_became_theirs(tmp_path):
    with Store(tmp_path / "data" / "policykb.sqlite3") as opened:
        Briefs(opened).create("Made in open mode")
    result = _run(tmp_path, "users", "add", "ada", "--admin", "--password-stdin", input=PASSWORD + "\n")
    assert "the 1 brief(s) made before accounts now belong to ada" in result.output


def test_a_refused_user_command_is_one_line_naming_the_fix(tmp_path):
    result = _run(tmp_path, "users", "disable", "nobody")
    assert result.exit_code == 1 and "no user 'nobody' — `policykb users list` shows them" in result.output


def test_audit_lists_the_changes_newest_first_as_json(tmp_path):
    _run(tmp_path, "groups", "add", "secretariat")
    _run(tmp_path, "users", "add", "bao", "--password-stdin", input=PASSWORD + "\n")
    entries = json.loads(_run(tmp_path, "audit", "--json", "--limit", "1").stdout)["entries"]
    assert [(e["action"], e["target"]) for e in entries] == [("user.create", "bao")]
    assert "group.create" in _run(tmp_path, "audit").stdout
