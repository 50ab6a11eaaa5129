"""`policykb brief …`: create briefs, pin cited passages to them and export them; registered on the main group."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from policykb.access import OPEN
from policykb.access.audit import record
from policykb.briefs import sharing
from policykb.briefs.model import Briefs
from policykb.briefs.sharing import SHARE_ROLES, VIEWER, Share
from policykb.cli_options import json_option, pass_config, print_json, top_option
from policykb.config import Config
from policykb.store import Store


@click.group()
def brief() -> None:
    """Briefs: collect cited passages under headings and export them as Word, Markdown or CSV.

    Example: policykb brief new "Social insurance reform" && policykb brief add 1 --query "voluntary social insurance" --top 3
    """


def _briefs(config: Config) -> Briefs:
    return Briefs(Store(config.db_path))


@brief.command("new")
@click.argument("title")
@click.option("--intro", default="", help="A paragraph under the title.")
@pass_config
def brief_new(config: Config, title: str, intro: str) -> None:
    """Create a brief and print its id."""
    click.echo(_briefs(config).create(title, intro))


@brief.command("list")
@json_option
@pass_config
def brief_list(config: Config, as_json: bool) -> None:
    """List every brief, with its owner (— for one made before accounts, or in open mode)."""
    briefs = _briefs(config).list()
    if as_json:
        print_json({"briefs": briefs})
        return
    for b in briefs:
        owner = b["owner"] or "—"
        click.echo(f"{b['id']:>4}  {b['passages']:>3} passages  {b['updated_at'][:16]}  {owner:<12}  {b['title']}")


@brief.command("add")
@click.argument("brief_id", type=int)
@click.option("--query", help="Pin the top passages of this search.")
@top_option(3, 20, "How many passages of --query.")
@click.option(
    "--chunk", "chunk_ids", type=int, multiple=True, help="Pin this chunk (chunk_id from search --json); repeatable."
)
@click.option("--heading", help="Add a heading that groups the passages after it.")
@click.option("--note", default="", help="A note shown under each passage pinned now.")
@pass_config
def brief_add(
    config: Config, brief_id: int, query: str | None, k: int, chunk_ids: tuple[int, ...], heading: str | None, note: str
) -> None:
    """Add passages (by search or chunk id) or a heading to a brief."""
    from policykb.search.searcher import Searcher

    briefs = _briefs(config)
    if not (query or chunk_ids or heading):
        raise click.UsageError("give --query, --chunk or --heading")
    if heading:
        briefs.add_heading(brief_id, heading)
    ids = list(chunk_ids)
    if query:
        ids += [hit.chunk_id for hit in Searcher(config).search(query, k=k).hits]
    for chunk_id in ids:
        briefs.add_chunk(brief_id, chunk_id, note)
    click.echo(f"brief {brief_id}: added {len(ids)} passage(s){' and a heading' if heading else ''}", err=True)


@brief.command("show")
@click.argument("brief_id", type=int)
@json_option
@pass_config
def brief_show(config: Config, brief_id: int, as_json: bool) -> None:
    """Show a brief's items, each with its citation and whether its source still says it."""
    found = _briefs(config).get(brief_id)
    if as_json:
        print_json(found.to_json())
        return
    click.echo(click.style(found.title, bold=True))
    for item in found.items:
        if item.kind == "heading":
            click.echo(f"\n## {item.heading}   (item {item.id})")
            continue
        flag = "" if item.status == "ok" else click.style(f"  [{item.status}]", fg="red")
        click.echo(f"- item {item.id}: {item.title}, §{item.section or '—'}{flag}")
        click.echo(textwrap.indent(textwrap.shorten(item.quote, 300, placeholder=" …"), "    > "))


@brief.command("export")
@click.argument("brief_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["docx", "md", "csv"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_config
def brief_export(config: Config, brief_id: int, fmt: str, output: Path) -> None:
    """Export a brief; every quote is checked against its source first, and a mismatch stops the export."""
    from policykb.briefs.export import export_brief, write_export

    briefs = _briefs(config)
    write_export(export_brief(briefs.get(brief_id), briefs.store, fmt), output)
    click.echo(f"wrote {output}", err=True)


@brief.command("share")
@click.argument("brief_id", type=int)
@click.option("--user", help="Share with this user (a name from `policykb users list`).")
@click.option("--group", help="Share with every member of this group.")
@click.option(
    "--as", "role", type=click.Choice(SHARE_ROLES), default=VIEWER, show_default=True, help="What they may do."
)
@click.option("--revoke", is_flag=True, help="Stop sharing the brief with the user or group.")
@json_option
@pass_config
def brief_share(
    config: Config, brief_id: int, user: str | None, group: str | None, role: str, revoke: bool, as_json: bool
) -> None:
    """Share a brief with a user or a group as viewer (read, export) or editor (also change); without --user or
    --group, show whom it is shared with. Recorded in the audit log.

    Example: policykb brief share 3 --group secretariat --as editor
    """
    briefs = _briefs(config)
    brief = briefs.get(brief_id)
    if user is not None and group is not None:
        raise click.UsageError("give --user or --group, not both")
    if user is not None or group is not None:
        _change_share(briefs, brief_id, Share(role, user, group), revoke)
    elif revoke:
        raise click.UsageError("--revoke needs --user or --group")
    found = sharing.shares(briefs.store, brief_id)
    if as_json:
        print_json({"brief_id": brief_id, "owner": brief.owner, "shares": [s.to_json() for s in found]})
        return
    click.echo(f"brief {brief_id} ({brief.title}), owner {brief.owner or '— (everyone, until an admin takes it)'}")
    for given in found:
        click.echo(f"  {'user' if given.user else 'group'} {given.user or given.group}: {given.role}")


def _change_share(briefs: Briefs, brief_id: int, given: Share, revoke: bool) -> None:
    """Share or revoke, with its audit entry in the same transaction (by the operator at the command line)."""
    store = briefs.store
    with store.transaction():
        if revoke:
            if not sharing.revoke(store, brief_id, given.user, given.group):
                raise click.ClickException(f"brief {brief_id} is not shared with {given.user or given.group!r}")
            record(
                store, OPEN, "brief.unshare", f"brief {brief_id}", None, user=given.user, group=given.group, via="cli"
            )
        else:
            sharing.share(store, brief_id, given)
            record(store, OPEN, "brief.share", f"brief {brief_id}", None, **given.to_json(), via="cli")
