"""A synthetic corpus of any size, recombined from real articles.

Every synthetic article copies the outlet, date and author of a real "template"
article, takes a title from another real article of the same outlet and year, and
gets as many sentences as its template has, drawn at random from all the
sentences of that outlet and year. Vocabulary, document lengths, term
frequencies and the outlet/year mix therefore stay those of the real corpus,
while no two synthetic articles share their text.

Memory is bounded by the source corpus (its sentences are kept as one UTF-8
blob per outlet and year, about the size of the corpus text), never by the
number of articles written: they are streamed to disk one line at a time.

    python benchmarks/synth.py ../shared/corpus/news-58k.jsonl.gz 100000 /tmp/synth-100k.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SENTENCE_END = re.compile(r"(?<=[.!?\u201d\"])\s+(?=[A-Z\u201c\"(])")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def split_sentences(text: str) -> list[str]:
    out = []
    # Some sources hard-wrap lines inside a paragraph: only blank lines end one.
    for paragraph in PARAGRAPH_BREAK.split(text):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            out.extend(s for s in SENTENCE_END.split(paragraph) if s)
    return out


@dataclass
class _Group:
    """The sentences, titles and article templates of one outlet and year."""

    blob: bytearray = field(default_factory=bytearray)
    offsets: array = field(default_factory=lambda: array("Q", [0]))
    titles: list[str] = field(default_factory=list)
    # (date, author, sentence count) of each real article of the group
    templates: list[tuple[str, str, int]] = field(default_factory=list)

    def add_sentence(self, sentence: str) -> None:
        self.blob += sentence.encode("utf-8")
        self.offsets.append(len(self.blob))

    @property
    def sentence_count(self) -> int:
        return len(self.offsets) - 1

    def sentence(self, i: int) -> str:
        return self.blob[self.offsets[i] : self.offsets[i + 1]].decode("utf-8")


class SentencePool:
    """The real corpus, regrouped by (outlet, year)."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], _Group] = {}
        self.weights: list[tuple[tuple[str, str], int]] = []

    @classmethod
    def from_jsonl(cls, path: Path) -> SentencePool:
        pool = cls()
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    pool.add(json.loads(line))
        pool.weights = [(key, len(g.templates)) for key, g in pool.groups.items() if g.sentence_count]
        return pool

    def add(self, doc: dict) -> None:
        outlet = doc.get("outlet") or ""
        date = doc.get("date") or ""
        key = (outlet, date[:4])
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = _Group()
        sentences = split_sentences(doc.get("text") or "")
        for sentence in sentences:
            group.add_sentence(sentence)
        if doc.get("title"):
            group.titles.append(doc["title"])
        group.templates.append((date, doc.get("author") or "", max(1, len(sentences))))

    def articles(self, count: int, seed: int = 0) -> Iterator[dict]:
        rng = random.Random(seed)
        keys = [k for k, _ in self.weights]
        cum = []
        total = 0
        for _, w in self.weights:
            total += w
            cum.append(total)
        for i in range(count):
            key = rng.choices(keys, cum_weights=cum)[0]
            group = self.groups[key]
            date, author, n_sentences = rng.choice(group.templates)
            picks = [group.sentence(rng.randrange(group.sentence_count)) for _ in range(n_sentences)]
            paragraphs = [" ".join(picks[j : j + 4]) for j in range(0, len(picks), 4)]
            title = rng.choice(group.titles) if group.titles else picks[0][:90]
            yield {
                "id": f"synthetic:{seed}:{i}",
                "url": f"https://synthetic.example/{seed}/{i}",
                "title": title,
                "author": author,
                "date": date,
                "outlet": key[0],
                "text": "\n\n".join(paragraphs),
            }


def write_corpus(source: Path, count: int, out: Path, seed: int = 0, pool: SentencePool | None = None) -> int:
    """Write `count` synthetic articles to `out` (JSONL); returns bytes written."""
    pool = pool or SentencePool.from_jsonl(source)
    written = 0
    with out.open("w", encoding="utf-8") as fh:
        for doc in pool.articles(count, seed):
            line = json.dumps(doc, ensure_ascii=False) + "\n"
            fh.write(line)
            written += len(line)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic JSONL corpus recombined from real articles.")
    parser.add_argument("source", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    size = write_corpus(args.source, args.count, args.out, args.seed)
    print(json.dumps({"articles": args.count, "bytes": size, "out": str(args.out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
