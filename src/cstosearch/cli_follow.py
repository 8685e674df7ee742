"""The `cstosearch follow` commands: follow a search, list followed searches, stop following one."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click
from werkzeug.datastructures import MultiDict

from cstosearch.feeds import follow as follow_search
from cstosearch.follow import FollowStore, followed_search
from cstosearch.index import ArticleIndex, default_index_dir
from cstosearch.query import request_from_args
from cstosearch.search import WhooshSearchEngine

index_dir_option = click.option(
    "--index-dir", type=click.Path(path_type=Path), default=None,
    help="Index folder (default: $CSTOSEARCH_INDEX_DIR or ./index); followed searches are kept beside it.",
)


def _root(index_dir: Path | None) -> Path:
    return index_dir if index_dir is not None else default_index_dir()


@click.group()
def follow() -> None:
    """Followed searches: each gets an Atom feed (/feeds/<id>.atom) of what every re-index adds to it."""


@follow.command("add")
@click.argument("query", required=False, default="")
@index_dir_option
@click.option("--outlet", multiple=True, help="Only this outlet (repeatable).")
@click.option("--author", multiple=True, help="Only this author (repeatable).")
@click.option("--from", "date_from", default="", help="Published on or after YYYY-MM-DD.")
@click.option("--to", "date_to", default="", help="Published on or before YYYY-MM-DD.")
@click.option("--year", multiple=True, help="Only this year (repeatable).")
@click.option("--month", multiple=True, help="Only this month, YYYY-MM (repeatable).")
def add(query, index_dir, outlet, author, date_from, date_to, year, month) -> None:
    """Follow the search QUERY with these filters; prints its id and feed path."""
    root = _root(index_dir)
    args = MultiDict([("q", query), ("from", date_from), ("to", date_to)]
                     + [("outlet", o) for o in outlet] + [("author", a) for a in author]
                     + [("year", y) for y in year] + [("month", m) for m in month])
    search = followed_search(request_from_args(args))
    engine = WhooshSearchEngine(root) if ArticleIndex(root).exists() else None
    try:
        with FollowStore.beside(root) as store:
            followed = follow_search(engine, store, search)
    finally:
        if engine is not None:
            engine.close()
    click.echo(f"{followed.id}  {followed.label}  /feeds/{followed.id}.atom")


@follow.command("list")
@index_dir_option
@click.option("--json", "as_json", is_flag=True)
def list_follows(index_dir, as_json: bool) -> None:
    """Followed searches with what the latest re-index added to each."""
    store = FollowStore.beside(_root(index_dir), read_only=True)
    rows = []
    if store is not None:
        with store:
            rows = [(s, store.new_matches(s.id)) for s in store.all()]
    if as_json:
        click.echo(json.dumps([{"id": s.id, "label": s.label, "params": [list(p) for p in s.params],
                                "created_at": s.created_at, "feed_url": f"/feeds/{s.id}.atom",
                                "new_matches": asdict(new) if new else None} for s, new in rows],
                              indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no followed searches")
    for search, new in rows:
        counted = new.describe() if new else "no re-index since it was followed"
        click.echo(f"{search.id}  {search.label}  {counted}  /feeds/{search.id}.atom")


@follow.command("remove")
@click.argument("follow_id")
@index_dir_option
def remove(follow_id: str, index_dir) -> None:
    """Stop following the search with this id (its feed then answers 404)."""
    store = FollowStore.beside(_root(index_dir), read_only=False)
    with store:
        removed = store.remove(follow_id)
    if not removed:
        click.echo(f"error: no followed search with id {follow_id[:40]!r}", err=True)
        sys.exit(1)
    click.echo(f"removed {follow_id}")
