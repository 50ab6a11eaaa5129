"""Signed-in clients for the load test: one reader account per client, added to the benchmark's own data folder, and
each client's session cookie got by signing in through the sign-in form (its CSRF token included), as a browser does."""

from __future__ import annotations

import http.client
import re
import secrets
import urllib.parse
from pathlib import Path

from policykb.accounts import manage
from policykb.accounts.viewers import command_line_viewer
from policykb.store import Store

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def add_load_users(db_path: Path, count: int) -> list[tuple[str, str]]:
    """`count` reader accounts with random passwords: (name, password) each."""
    users = [(f"load{n}", secrets.token_urlsafe(16)) for n in range(count)]
    with Store(db_path) as store:
        for name, password in users:
            manage.add_user(store, command_line_viewer(), name, "reader", password)
    return users


def _session_cookie(response: http.client.HTTPResponse) -> str:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    raise SystemExit(f"the server set no session cookie (status {response.status})")


def sign_in(port: int, name: str, password: str) -> dict[str, str]:
    """The headers (the session cookie) of a client signed in as `name` on the server at 127.0.0.1:`port`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/login")
        page = conn.getresponse()
        cookie, body = _session_cookie(page), page.read().decode()
        form = urllib.parse.urlencode({"csrf": _CSRF.search(body).group(1), "name": name, "password": password})
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", "/login", body=form, headers=headers)
        signed = conn.getresponse()
        signed.read()
        if signed.status != 303:
            raise SystemExit(f"signing in as {name} failed with status {signed.status}")
        return {"Cookie": _session_cookie(signed)}
    finally:
        conn.close()
