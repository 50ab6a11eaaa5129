"""`policykb users …`, `policykb groups …` and `policykb audit`: accounts and the audit log from the command line, so
that operators can script a deployment; registered on the main group."""

from __future__ import annotations

import sys

import click

from policykb.access import ROLES
from policykb.accounts import manage
from policykb.accounts.viewers import command_line_viewer
from policykb.cli_options import json_option, pass_config, print_json
from policykb.config import Config
from policykb.store import Store

role_option = click.option(
    "--role", type=click.Choice(ROLES), default="reader", show_default=True, help="What the user may do."
)
password_stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin instead of prompting."
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group()
def users() -> None:
    """Accounts: add, list, disable, set roles, reset passwords, make personal API tokens.

    Example: policykb users add alice --admin && policykb users token alice --label scripts
    """


@users.command("add")
@click.argument("name")
@role_option
@click.option("--admin", "is_admin", is_flag=True, help="Same as --role admin.")
@click.option("--group", "groups", multiple=True, help="A group the user belongs to (it must exist); repeatable.")
@password_stdin_option
@pass_config
def users_add(
    config: Config, name: str, role: str, is_admin: bool, groups: tuple[str, ...], password_stdin: bool
) -> None:
    """Add a user; the password is prompted for (or read with --password-stdin).

    The first admin ends open mode's admin token (POLICYKB_ADMIN_TOKEN) and takes every brief made before accounts.
    """
    role = "admin" if is_admin else role
    with Store(config.db_path) as store:
        made = manage.add_user(store, command_line_viewer(), name, role, _password(password_stdin), list(groups))
    click.echo(f"added {made.user.name} ({made.user.role})", err=True)
    if made.user.role == "admin" and made.adopted_briefs:
        click.echo(f"the {made.adopted_briefs} brief(s) made before accounts now belong to {made.user.name}", err=True)


@users.command("list")
@json_option
@pass_config
def users_list(config: Config, as_json: bool) -> None:
    """List the users, their roles and groups."""
    with Store(config.db_path) as store:
        rows = store.users()
    if as_json:
        print_json({"users": [row.to_json() for row in rows]})
        return
    for row in rows:
        state = "disabled" if row.disabled else ""
        click.echo(f"{row.name:<24} {row.role:<7} {state:<9} {', '.join(row.groups)}")


@users.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the user again instead.")
@pass_config
def users_disable(config: Config, name: str, enable: bool) -> None:
    """Disable a user: their sessions and tokens stop working at once."""
    with Store(config.db_path) as store:
        user = manage.disable_user(store, command_line_viewer(), name, disabled=not enable)
    click.echo(f"{user.name} is {'disabled' if user.disabled else 'enabled'}", err=True)


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@pass_config
def users_set_role(config: Config, name: str, role: str) -> None:
    """Give a user another role."""
    with Store(config.db_path) as store:
        user = manage.set_role(store, command_line_viewer(), name, role)
    click.echo(f"{user.name} is now {user.role}", err=True)


@users.command("reset-password")
@click.argument("name")
@password_stdin_option
@pass_config
def users_reset_password(config: Config, name: str, password_stdin: bool) -> None:
    """Set a user's password (prompted, or --password-stdin); their sessions end."""
    with Store(config.db_path) as store:
        store.require_user(name)
        manage.set_password(store, command_line_viewer(), name, _password(password_stdin))
    click.echo(f"new password set for {name}", err=True)


@users.command("token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for, shown on the account page.")
@pass_config
def users_token(config: Config, name: str, label: str) -> None:
    """Make a personal API token for NAME and print it (once: only its hash is kept).

    Use it as `Authorization: Bearer TOKEN` with the JSON API.
    """
    with Store(config.db_path) as store:
        token, _row = manage.create_token(store, command_line_viewer(), name, label)
    click.echo(token)


@users.command("tokens")
@click.argument("name")
@json_option
@pass_config
def users_tokens(config: Config, name: str, as_json: bool) -> None:
    """List NAME's personal API tokens: id, label, when made, last used and revoked (never the tokens themselves)."""
    with Store(config.db_path, readonly=True) as store:
        rows = store.tokens(store.require_user(name).id)
    if as_json:
        print_json({"tokens": [row.to_json() for row in rows]})
        return
    for row in rows:
        state = f"revoked {row.revoked_at}" if row.revoked_at else f"last used {row.last_used_at or 'never'}"
        click.echo(f"{row.id}\t{row.label or '-'}\tmade {row.created_at}\t{state}")


@users.command("revoke-token")
@click.argument("name")
@click.argument("token_id", type=click.IntRange(1))
@pass_config
def users_revoke_token(config: Config, name: str, token_id: int) -> None:
    """Revoke one of NAME's tokens (by the id `users tokens` lists): the next request with it is refused."""
    with Store(config.db_path) as store:
        row = manage.revoke_token(store, command_line_viewer(), name, token_id)
    click.echo(f"revoked token {row.id} of {name}{f' ({row.label})' if row.label else ''}")


@click.group()
def groups() -> None:
    """Groups of users, which collections and brief shares name.

    Example: policykb groups add secretariat && policykb users add bao --group secretariat
    """


@groups.command("add")
@click.argument("name")
@pass_config
def groups_add(config: Config, name: str) -> None:
    """Add a group."""
    with Store(config.db_path) as store:
        group = manage.add_group(store, command_line_viewer(), name)
    click.echo(f"added group {group.name}", err=True)


@groups.command("list")
@json_option
@pass_config
def groups_list(config: Config, as_json: bool) -> None:
    """List the groups and how many users each has."""
    with Store(config.db_path) as store:
        rows = store.groups()
    if as_json:
        print_json({"groups": [row.to_json() for row in rows]})
        return
    for row in rows:
        click.echo(f"{row.name:<24} {row.members:>4} user(s)")


@click.command()
@json_option
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True, help="How many entries, newest first.")
@pass_config
def audit(config: Config, as_json: bool, limit: int) -> None:
    """The audit log: who changed what, when and from where (newest first).

    Example: policykb audit --limit 20
    """
    with Store(config.db_path) as store:
        entries = store.audit_entries(limit)
    if as_json:
        print_json({"entries": [entry.to_json() for entry in entries]})
        return
    for entry in entries:
        detail = " ".join(f"{key}={value}" for key, value in entry.detail.items())
        who = entry.user_name or "-"
        click.echo(
            f"{entry.at}  {who:<20} {entry.address or '-':<15} {entry.action:<20} {entry.target}  {detail}".rstrip()
        )
