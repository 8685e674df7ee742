"""The command line: parses arguments and calls the package; no logic of its own."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from html import unescape
from pathlib import Path

import click
from werkzeug.datastructures import MultiDict

from cstosearch.article import Article
from cstosearch.cli_engines import engine_choice, index_dir_or_default, with_engine_options
from cstosearch.engines.choice import open_engine, open_store
from cstosearch.errors import CstoSearchError, IndexBusy, SourceWarning, UnreadableSource, printable
from cstosearch.index import ArticleIndex
from cstosearch.ingest.reader import read_paths
from cstosearch.reindex import Indexer, last_report, unfinished_run

# Exit status when another run holds the index lock (cron can tell "busy" from "broken").
EXIT_BUSY = 3
EXIT_ERROR = 2

DEFAULT_SOURCES = ("ingest",)

index_dir_option = click.option(
    "--index-dir", type=click.Path(path_type=Path), default=None,
    help="Index folder (default: $CSTOSEARCH_INDEX_DIR or ./index).",
)


def report_failures(outcomes: Iterable[Article | UnreadableSource | SourceWarning],
                    failures: list[UnreadableSource]) -> Iterator[Article]:
    """Pass articles on; print each unreadable source and each warning to stderr (paths escaped)."""
    for outcome in outcomes:
        if isinstance(outcome, UnreadableSource):
            failures.append(outcome)
            click.echo(f"skipped {outcome.path}: {outcome.reason}", err=True)
        elif isinstance(outcome, SourceWarning):
            click.echo(f"warning {outcome.path}: {outcome.reason}", err=True)
        else:
            yield outcome


@click.group()
@click.version_option(package_name="cstosearch")
def cli() -> None:
    """cstosearch: ingest raw news scrapes, index them, and search them."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.File("w"), default="-", help="Where to write articles as JSON lines.")
def ingest(paths: tuple[Path, ...], out) -> None:
    """Clean raw scrapes (text, HTML, JSONL; folders are walked) into articles as JSON lines."""
    failures: list[UnreadableSource] = []
    count = 0
    for article in report_failures(read_paths(paths), failures):
        out.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
        count += 1
    click.echo(f"{count} articles, {len(failures)} skipped", err=True)


def _print_report(report, report_path: Path | None) -> None:
    for kind, entries in (("failed", report.failed), ("skipped", report.skipped), ("warning", report.warnings)):
        for entry in entries[:50]:
            click.echo(f"{kind} {entry['path']}: {entry['reason']}", err=True)
        if len(entries) > 50:
            click.echo(f"... and {len(entries) - 50} more ({kind}; see the JSON report)", err=True)
    click.echo(report.summary())
    if report_path:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False))


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(exists=True, path_type=Path))
@index_dir_option
@click.option("--procs", type=click.IntRange(min=1), default=None,
              help="Segment builder processes, each writing one segment (default: the machine's cores); "
                   "with more than one, files are also read in a process of their own.")
@click.option("--limitmb", default=256, show_default=True,
              help="Memory for Whoosh's writer, in MB (what a rebuild writes again after its commit; the "
                   "segment builders hold their postings in memory).")
@click.option("--report", "report_path", type=click.Path(path_type=Path), help="Also write the run report here.")
@with_engine_options
@click.option("--shards", default=3, show_default=True, help="OpenSearch: primary shards of a new index.")
@click.option("--replicas", default=1, show_default=True, help="OpenSearch: copies of each shard on other nodes.")
def index(sources: tuple[Path, ...], index_dir: Path | None, procs: int, limitmb: int, report_path, engine: str,
          opensearch_url: str | None, shards: int, replicas: int) -> None:
    """Build the index from scratch from SOURCES (default: ./ingest), replacing it atomically."""
    choice = engine_choice(engine, index_dir, opensearch_url)
    procs = procs or os.cpu_count() or 1
    indexer = Indexer(choice.index_dir, procs=procs, limitmb=limitmb, store=open_store(choice, shards, replicas))
    report = indexer.run(sources or tuple(Path(s) for s in DEFAULT_SOURCES), rebuild=True)
    _print_report(report, report_path)


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(exists=True, path_type=Path))
@index_dir_option
@click.option("--report", "report_path", type=click.Path(path_type=Path), help="Also write the run report here.")
@click.option("--prune", is_flag=True, help="Also remove articles whose source file under SOURCES is gone.")
@click.option("--limitmb", default=128, show_default=True,
              help="Memory for the writer's buffer, in MB (the run's memory grows with it, not with the batch).")
@with_engine_options
def reindex(sources: tuple[Path, ...], index_dir: Path | None, report_path, prune: bool, limitmb: int, engine: str,
            opensearch_url: str | None) -> None:
    """Fold new or changed scrapes under SOURCES (default: ./ingest) into the index, in one commit.

    Safe from cron: one run at a time (a second run exits with status 3), unchanged files are
    not read again, and a run that is killed leaves the served index as it was.
    """
    choice = engine_choice(engine, index_dir, opensearch_url)
    indexer = Indexer(choice.index_dir, limitmb=limitmb, store=open_store(choice))
    report = indexer.run(sources or tuple(Path(s) for s in DEFAULT_SOURCES), prune=prune)
    _print_report(report, report_path)


@cli.command()
@click.argument("targets", nargs=-1, required=True)
@index_dir_option
@with_engine_options
def remove(targets: tuple[str, ...], index_dir: Path | None, engine: str, opensearch_url: str | None) -> None:
    """Remove articles by id or URL (in one commit); they come back only if their source file changes."""
    choice = engine_choice(engine, index_dir, opensearch_url)
    result = Indexer(choice.index_dir, store=open_store(choice)).remove(targets)
    for target in result.not_found:
        click.echo(f"not found: {printable(target)}", err=True)
    click.echo(f"removed {len(result.removed)}, not found {len(result.not_found)}; "
               f"{result.documents} documents in the index")
    if result.not_found and not result.removed:
        sys.exit(1)


@cli.command()
@index_dir_option
@click.option("--json", "as_json", is_flag=True)
@with_engine_options
def status(index_dir: Path | None, as_json: bool, engine: str, opensearch_url: str | None) -> None:
    """Documents in the index, its size on disk, and the last run's report."""
    choice = engine_choice(engine, index_dir, opensearch_url)
    root = choice.index_dir
    target = open_store(choice) or ArticleIndex(root)
    info = {"index_dir": str(root), "engine": choice.engine, "documents": target.document_count(),
            "size_bytes": target.size_bytes(), "last_run": last_report(root), "unfinished_run": unfinished_run(root)}
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    click.echo(f"index: {root}\ndocuments: {info['documents']}\nsize: {info['size_bytes'] / 1e6:.1f} MB")
    unfinished = info["unfinished_run"]
    if unfinished and unfinished["running"]:
        click.echo(f"running: a run started at {unfinished['started_at']} (pid {unfinished['pid']})")
    elif unfinished:
        click.echo(f"interrupted: the run started at {unfinished['started_at']} did not finish; "
                   "the next run completes its work")
    run = info["last_run"]
    if run:
        click.echo(f"last run: {run['finished_at']} ({'rebuild' if run['rebuild'] else 'incremental'})")
        click.echo(f"  added {run['added']}, updated {run['updated']}, unchanged {run['unchanged']}, "
                   f"removed {run.get('removed', 0)}, duplicates {run['duplicates']}, grouped {run['grouped']}, "
                   f"failed {len(run['failed'])}, skipped {len(run.get('skipped', []))}")
    else:
        click.echo("last run: none recorded")


@cli.command()
@click.argument("query", required=False, default="")
@index_dir_option
@click.option("--outlet", multiple=True, help="Only this outlet (repeatable).")
@click.option("--from", "date_from", default="", help="Published on or after YYYY-MM-DD.")
@click.option("--to", "date_to", default="", help="Published on or before YYYY-MM-DD.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option("--page", default=1, show_default=True)
@click.option("--page-size", default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON the API would answer.")
@click.option("--exact", is_flag=True, help="Only the spellings as typed (no other spellings of names).")
@with_engine_options
def search(query, index_dir, outlet, date_from, date_to, sort, page, page_size, as_json, exact, engine,
           opensearch_url) -> None:
    """Search the index from the terminal."""
    from cstosearch.query import request_from_args

    args = MultiDict([("q", query), ("from", date_from), ("to", date_to), ("sort", sort),
                      ("page", str(page)), ("page_size", str(page_size)), ("variants", "off" if exact else "on")]
                     + [("outlet", o) for o in outlet])
    search_engine = open_engine(engine_choice(engine, index_dir, opensearch_url))
    result = search_engine.search(request_from_args(args))
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.total} articles" + (f" — {result.notice}" if result.notice else ""))
    for note in result.variants:
        click.echo(f"also matched for {note.word}: {', '.join(note.also)}")
    for number, hit in enumerate(result.results, start=(page - 1) * page_size + 1):
        meta = " · ".join(x for x in (hit.outlet, hit.published or "", hit.author) if x)
        click.echo(f"\n{number}. {hit.title}\n   {meta}")
        snippet = re.sub(r"<mark[^>]*>|</mark>", "*", hit.snippet)
        click.echo("   " + unescape(snippet))
        if hit.caption_snippet:
            caption = re.sub(r"<mark[^>]*>|</mark>", "*", hit.caption_snippet)
            click.echo("   photo caption: " + unescape(caption))
    if result.facets["outlet"]:
        click.echo("\nOutlets: " + ", ".join(f"{f.value} ({f.count})" for f in result.facets["outlet"][:10]))


@cli.command()
@index_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True)
@click.option("--build/--no-build", default=True, show_default=True,
              help="Build the index from ./ingest first when there is none.")
@with_engine_options
def serve(index_dir: Path | None, host: str, port: int, workers: int, build: bool, engine: str,
          opensearch_url: str | None) -> None:
    """Serve the web UI and JSON API with gunicorn (builds the index first if missing)."""
    choice = engine_choice(engine, index_dir_or_default(index_dir).resolve(), opensearch_url)
    store = open_store(choice)
    root = choice.index_dir
    if build and not (store or ArticleIndex(root)).exists():
        click.echo(f"no index for the {choice.engine} engine; building it from {', '.join(DEFAULT_SOURCES)}")
        report = Indexer(root, store=store).run([Path(s) for s in DEFAULT_SOURCES], rebuild=True)
        click.echo(report.summary())
    config = Path(__file__).with_name("gunicorn_conf.py")
    env = dict(os.environ, **choice.environment())
    argv = [sys.executable, "-m", "gunicorn", "-c", str(config), "--bind", f"{host}:{port}",
            "--workers", str(workers), "cstosearch.web:create_app()"]
    click.echo(f"serving on http://{host}:{port}/")
    os.execve(sys.executable, argv, env)


def _register_evaluation() -> None:
    from cstosearch.cli_follow import follow
    from cstosearch.cli_names import names
    from cstosearch.evaluation.cli import eval_extract

    cli.add_command(eval_extract)
    cli.add_command(follow)
    cli.add_command(names)


_register_evaluation()


def main() -> None:
    try:
        cli(standalone_mode=True)
    except IndexBusy as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except CstoSearchError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
