"""A small made-up corpus for name spellings: one name in three spellings, look-alike names that
are other things, and filler articles so that no context name is in most articles."""

from __future__ import annotations

import json
import random
from pathlib import Path

# Each topic: the spelling(s) used, in how many articles each, the first name written before it
# (or None), and the names around it.
LIBYA = ["Libya", "Tripoli", "Benghazi", "Sirte", "Misrata", "Jibril", "Tobruk", "Zawiya"]
TOPICS = {
    "Gaddafi": (3, "Muammar", LIBYA),
    "Qaddafi": (7, "Muammar", LIBYA),
    "Gadhafi": (4, "Muammar", LIBYA),
    "Obama": (8, "Barack", ["Washington", "Michelle", "Biden", "Illinois", "Chicago", "Axelrod", "Emanuel"]),
    "Osama": (8, None, ["Laden", "Qaeda", "Abbottabad", "Pakistan", "Peshawar", "Zawahiri", "Tora"]),
    # The same transliteration key as Georgia, and another thing altogether.
    "Georgia": (8, None, ["Tbilisi", "Caucasus", "Saakashvili", "Abkhazia", "Ossetia", "Batumi", "Kutaisi"]),
    "Giorgia": (8, None, ["Meloni", "Rome", "Italy", "Salvini", "Milan", "Tajani", "Lazio"]),
}
# Two provinces with one key, written side by side in the same articles.
PROVINCES = ("Shanxi", "Shaanxi", 6, ["Taiyuan", "Xian", "Datong", "Yulin", "Baoji", "Yanan"])
FILLER_ARTICLES = 100


def _filler_names(rng: random.Random, count: int) -> list[str]:
    names = set()
    while len(names) < count:
        names.add(rng.choice("BDFKLMNPRSTV") + "".join(rng.choice("aeiou") + rng.choice("bdlmnrst")
                                                       for _ in range(rng.randint(2, 3))))
    return sorted(names)


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") + rng.choice("bcdfgklmnprstvz")
                    + rng.choice("aeiou") for _ in range(count))


def _sentence(rng: random.Random, name: str) -> str:
    return f"On the record {_words(rng, 4)} said {name} {_words(rng, 5)}."


def names_articles(seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    fillers = _filler_names(rng, 160)
    articles: list[dict] = []

    def add(title: str, sentences: list[str]) -> None:
        number = len(articles)
        rng.shuffle(sentences)
        paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
        articles.append({"id": f"n{number}", "url": f"https://example.org/names/{number}", "title": title,
                         "author": "Test Desk", "date": f"2024-{1 + number % 12:02d}-10", "outlet": "Example Wire",
                         "text": "\n\n".join(paragraphs)})

    for spelling, (count, first_name, context) in TOPICS.items():
        for _ in range(count):
            mention = f"{first_name} {spelling}" if first_name else spelling
            sentences = [_sentence(rng, mention), _sentence(rng, spelling)]
            sentences += [_sentence(rng, name) for name in rng.sample(context, 4)]
            sentences += [_sentence(rng, name) for name in rng.sample(fillers, 3)]
            add(f"News about {spelling} {_words(rng, 2)}", sentences)
    first, second, count, context = PROVINCES
    for _ in range(count):
        sentences = [_sentence(rng, first), _sentence(rng, second), _sentence(rng, f"{first} and {second}")]
        sentences += [_sentence(rng, name) for name in rng.sample(context, 4)]
        sentences += [_sentence(rng, name) for name in rng.sample(fillers, 3)]
        add(f"Provinces {_words(rng, 2)}", sentences)
    for _ in range(FILLER_ARTICLES):
        add(f"Other news {_words(rng, 2)}", [_sentence(rng, name) for name in rng.sample(fillers, 8)])
    return articles


def twin_articles(spellings: tuple[str, ...]) -> list[dict]:
    """Articles alike word for word but for the spelling of one name (three times each)."""
    twins = []
    for number, spelling in enumerate(spellings):
        text = (f"Reporters in Libya said {spelling} spoke. Officials said {spelling} left. "
                f"Witnesses said {spelling} returned to the compound near Tripoli.")
        twins.append({"id": f"twin{number}", "url": f"https://example.org/twins/{number}", "title": "A twin report",
                      "author": "Test Desk", "date": "2024-05-01", "outlet": "Example Wire", "text": text})
    return twins


def write_jsonl(path: Path, articles: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path
