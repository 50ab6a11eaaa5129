"""`policykb collections …`: create collections and say who may read them; registered on the main group.

Thin commands over policykb.access.collections.save and Store.collections; each change is written to the audit log
with it.
"""

from __future__ import annotations

from dataclasses import asdict

import click

from policykb.access.collections import save
from policykb.access.viewer import command_line_viewer
from policykb.cli_options import json_option, pass_config, print_json
from policykb.config import Config
from policykb.store import Store


@click.group()
def collections() -> None:
    """Collections: every document belongs to one; a collection is public, or readable by the groups it names.

    Example: policykb collections add minutes --group secretariat && policykb ingest drafts/ --collection minutes
    """


@collections.command("add")
@click.argument("name")
@click.option("--public", "public", is_flag=True, help="Anyone may read it (the default without --group).")
@click.option("--group", "groups", multiple=True, help="Only this group may read it (repeatable; see `groups add`).")
@click.option("--owner", help="The user (an editor) who may upload to it and remove from it.")
@pass_config
def collections_add(config: Config, name: str, public: bool, groups: tuple[str, ...], owner: str | None) -> None:
    """Create a collection, or change who may read an existing one (its documents stay)."""
    with Store(config.db_path) as store:
        owner_id = store.require_user(owner).id if owner else None
        row, created = save(store, command_line_viewer(), name, public or not groups, list(groups), owner_id)
    who = "anyone" if row.public else "groups " + ", ".join(row.groups)
    click.echo(f"{'created' if created else 'changed'} collection {name!r}: readable by {who}")


@collections.command("list")
@json_option
@pass_config
def collections_list(config: Config, as_json: bool) -> None:
    """List the collections: who may read each, and how many documents it holds."""
    with Store(config.db_path) as store:
        rows = store.collections()
    if as_json:
        print_json({"collections": [asdict(row) for row in rows]})
        return
    for row in rows:
        who = "public" if row.public else "groups: " + ", ".join(row.groups)
        click.echo(f"{row.name:<24} {row.documents:>6} documents  {who}")
