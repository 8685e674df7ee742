"""The `eval-extract` command: score the HTML reader and the references on page folders."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cstosearch.evaluation.extractors import EXTRACTORS
from cstosearch.evaluation.report import Report, evaluate_folder, format_table


@click.command("eval-extract")
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--limit", type=int, default=None, help="Only the first N pages of each folder.")
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice(sorted(EXTRACTORS)),
    help="Run only these extractors (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--worst", type=int, default=0, help="Also list the N pages with the lowest project F1.")
def eval_extract(
    folders: tuple[Path, ...], limit: int | None, only: tuple[str, ...], as_json: bool, worst: int
) -> None:
    """Score HTML article extraction on test page folders (project vs trafilatura and readability)."""
    chosen = {name: EXTRACTORS[name] for name in (only or EXTRACTORS)}
    results: dict[str, list[Report]] = {}
    for folder in folders:
        results[str(folder)] = evaluate_folder(folder, limit, chosen)
    if as_json:
        payload = {
            folder: [{k: v for k, v in r.as_dict().items() if k != "per_page_f1" or worst} for r in reports]
            for folder, reports in results.items()
        }
        click.echo(json.dumps(payload, indent=2))
        return
    for folder, reports in results.items():
        click.echo(format_table(folder, reports))
        if worst:
            first = reports[0]
            click.echo(f"lowest {first.name} F1:")
            for page_id, value in sorted(first.per_page_f1.items(), key=lambda kv: kv[1])[:worst]:
                click.echo(f"  {value:.3f}  {page_id}")
        click.echo("")
