"""How well name spellings are learned and searched, on a built index (a copy of the 58k one).

    cp -r /tmp/news58k/index /tmp/names-58k && python benchmarks/names_eval.py --index-dir /tmp/names-58k --learn

- ``--learn`` learns the groups first and says how long it took (an index built before name
  learning is read once from its stored articles; ``--learn`` again learns from the statistics).
- Recall: for each checked group in ``names_checked.json`` and each of its spellings, the share of
  the articles holding any spelling of the group that a search for that one spelling finds
  (with the learned groups, and without them for comparison).
- Precision: the look-alike pairs in ``names_checked.json`` (other names or places one or two
  letters apart) must not share a group; the pairs whose transliteration keys are equal were
  kept apart by the evidence, the others by the key.
- ``--sample N`` prints N learned groups drawn at random (seeded), to be read and judged.
- ``--engine opensearch --opensearch-url URL --opensearch-index ALIAS`` learns from and searches
  articles held by an OpenSearch cluster (the groups and statistics stay in ``--index-dir``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cstosearch.engines.choice import ENGINES, EngineChoice, open_engine, open_store  # noqa: E402
from cstosearch.names.learning import relearn  # noqa: E402
from cstosearch.names.spelling import spelling_key  # noqa: E402
from cstosearch.names.storage import read_groups_file  # noqa: E402
from cstosearch.query import SearchRequest  # noqa: E402

CHECKED = Path(__file__).with_name("names_checked.json")
RECALL_TARGET = 0.95
PAGE = 100


def matching_ids(engine, query: str, variants: bool) -> set[str]:
    found: set[str] = set()
    page = 1
    while True:
        result = engine.search(SearchRequest(query, page=page, page_size=PAGE, group_duplicates=False,
                                             variants=variants, with_snippets=False))
        found.update(hit.id for hit in result.results)
        if page * PAGE >= result.total:
            return found
        page += 1


def recall_table(engine, groups: list[dict]) -> list[dict]:
    rows = []
    for group in groups:
        spellings = group["spellings"]
        every = set().union(*(matching_ids(engine, s, variants=False) for s in spellings))
        for spelling in spellings:
            with_groups = matching_ids(engine, spelling, variants=True) & every
            without = matching_ids(engine, spelling, variants=False)
            rows.append({"group": spellings[0], "spelling": spelling, "articles": len(every),
                         "recall": len(with_groups) / len(every) if every else 1.0,
                         "recall_exact": len(without) / len(every) if every else 1.0})
    return rows


def learned_together(data: dict) -> dict[str, int]:
    return {spelling.lower(): number for number, group in enumerate(data["groups"])
            for spelling in group["spellings"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--checked", type=Path, default=CHECKED)
    parser.add_argument("--learn", action="store_true", help="learn the groups first, and time it")
    parser.add_argument("--sample", type=int, default=0, help="print this many learned groups drawn at random")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", choices=ENGINES, default="whoosh",
                        help="where the articles are (the groups file is in --index-dir either way)")
    parser.add_argument("--opensearch-url", default="http://127.0.0.1:9250")
    parser.add_argument("--opensearch-index", default="cstosearch", help="the alias the articles are under")
    args = parser.parse_args()
    choice = EngineChoice(args.engine, args.index_dir, args.opensearch_url, args.opensearch_index)
    args.index_dir.mkdir(parents=True, exist_ok=True)

    if args.learn:
        started = time.monotonic()
        summary = relearn(args.index_dir, store=open_store(choice))
        print(f"learning: {summary['groups']} groups from {summary['articles']} articles in "
              f"{time.monotonic() - started:.1f} s (" + ("read from the stored articles" if summary["read_from_index"]
                                                         else "from the statistics beside the index") + ")")
    data = read_groups_file(args.index_dir)
    if data is None:
        sys.exit(f"no name groups in {args.index_dir}; run with --learn")
    checked = json.loads(args.checked.read_text(encoding="utf-8"))
    print(f"{len(data['groups'])} learned groups (learned in {data['seconds']:.1f} s from {data['articles']} articles)")

    engine = open_engine(choice)
    rows = recall_table(engine, checked["groups"])
    print(f"\nRecall over {len(checked['groups'])} checked groups ({len(rows)} spellings): "
          "share of the articles with any spelling found by searching one spelling")
    print(f"{'group':<14} {'spelling':<14} {'articles':>8} {'exact':>7} {'grouped':>8}")
    for row in rows:
        mark = "" if row["recall"] >= RECALL_TARGET else "  < target"
        print(f"{row['group']:<14} {row['spelling']:<14} {row['articles']:>8} {row['recall_exact']:>7.3f} "
              f"{row['recall']:>8.3f}{mark}")
    met = sum(1 for row in rows if row["recall"] >= RECALL_TARGET)
    groups_met = len({r["group"] for r in rows} - {r["group"] for r in rows if r["recall"] < RECALL_TARGET})
    mean = sum(r["recall"] for r in rows) / len(rows)
    mean_exact = sum(r["recall_exact"] for r in rows) / len(rows)
    print(f"spellings with recall >= {RECALL_TARGET}: {met} of {len(rows)}; groups where every spelling does: "
          f"{groups_met} of {len(checked['groups'])}; mean recall {mean:.3f} (exact spelling only: {mean_exact:.3f})")

    together = learned_together(data)
    merged, by_evidence = [], []
    for pair in checked["apart"]:
        first, second = pair["names"]
        if spelling_key(first) == spelling_key(second):
            by_evidence.append((first, second))
        number = together.get(first.lower())
        if number is not None and number == together.get(second.lower()):
            merged.append((first, second))
    print(f"\nLook-alike pairs: {len(checked['apart'])}, merged: {len(merged)} {merged or ''}")
    print(f"  with equal transliteration keys (kept apart by evidence): {len(by_evidence)}: "
          + ", ".join(f"{a}/{b}" for a, b in by_evidence))

    if args.sample:
        rng = random.Random(args.seed)
        sample = rng.sample(data["groups"], min(args.sample, len(data["groups"])))
        print(f"\nA random sample of {len(sample)} learned groups (seed {args.seed}):")
        for group in sample:
            evidence = "; ".join(f"{s} {group['similarity'].get(s, 0):.2f}: "
                                 + ", ".join(group["shared_context"].get(s, [])[:5]) for s in group["spellings"][1:])
            counts = ", ".join(f"{s} {group['counts'][s]}" for s in group["spellings"])
            print(f"- {counts} | {evidence}")


if __name__ == "__main__":
    main()
