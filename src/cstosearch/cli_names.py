"""The `cstosearch names` command: the groups of spellings learned from the articles, with their evidence."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cstosearch.cli_engines import engine_choice, with_engine_options
from cstosearch.engines.choice import open_store
from cstosearch.names.learning import relearn
from cstosearch.names.overrides import OVERRIDES_ENV, default_overrides_path
from cstosearch.names.storage import read_groups_file


@click.command()
@click.option("--index-dir", type=click.Path(path_type=Path), default=None,
              help="Index folder (default: $CSTOSEARCH_INDEX_DIR or ./index).")
@click.option("--overrides", "overrides_path", type=click.Path(path_type=Path), default=None,
              help=f"Merge / never-merge file (default: ${OVERRIDES_ENV}, else names-overrides.toml "
                   "beside the index folder).")
@click.option("--learn", is_flag=True, help="Learn the groups again now (with the overrides) before listing them.")
@click.option("--rejected", is_flag=True, help="List the candidate pairs kept apart that came closest instead.")
@click.option("--json", "as_json", is_flag=True, help="Print the groups file as JSON.")
@with_engine_options
def names(index_dir: Path | None, overrides_path: Path | None, learn: bool, rejected: bool, as_json: bool,
          engine: str, opensearch_url: str | None) -> None:
    """Spellings of one name searched together (Gaddafi, Qaddafi, Gadhafi), learned at each index run
    from the articles of either engine; the groups file lives in the index folder."""
    choice = engine_choice(engine, index_dir, opensearch_url)
    root = choice.index_dir
    if learn:
        summary = relearn(root, overrides_path or default_overrides_path(root), open_store(choice))
        click.echo(f"learned {summary['groups']} groups from {summary['articles']} articles "
                   f"in {summary['seconds']:.1f} s", err=True)
    data = read_groups_file(root)
    if data is None:
        raise click.ClickException(f"no name groups in {root}; run `cstosearch index` or `cstosearch names --learn`")
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if rejected:
        for pair in data["rejected"]:
            first, second = pair["spellings"]
            click.echo(f"{first} / {second}: {pair['reason']} (similarity {pair['similarity']:.2f}, "
                       f"shared articles {pair['shared_articles']:.2f})")
        return
    click.echo(f"{len(data['groups'])} groups learned {data['learned_at']} from {data['articles']} articles "
               f"in {data['seconds']:.1f} s; overrides: {data['overrides'] or 'none'}")
    for group in data["groups"]:
        spellings = group["spellings"]
        counts = ", ".join(f"{s} {group['counts'].get(s, 0)}" for s in spellings)
        click.echo(f"\n{spellings[0]}: {counts}" + (" [overrides]" if group["origin"] == "overrides" else ""))
        for spelling in spellings[1:]:
            if spelling in group["similarity"]:
                shared = ", ".join(group["shared_context"].get(spelling, []))
                click.echo(f"  {spelling}: similarity {group['similarity'][spelling]:.2f}; shared context: {shared}")
