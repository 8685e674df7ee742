"""The evidence rules of name learning, on made-up articles read the way indexing reads them."""

from __future__ import annotations

import random

from cstosearch.names.grouping import learn_groups
from cstosearch.names.mentions import names_in

LIBYA = ["Libya", "Tripoli", "Benghazi", "Sirte", "Misrata", "Tobruk"]
POLITICS = ["Washington", "Senate", "Langley", "Brennan", "Clapper", "Petraeus"]


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice("bdfklmnprst") + rng.choice("aeiou") + rng.choice("bdfklmnprst") + rng.choice("aeiou")
                    for _ in range(count))


def _article(rng: random.Random, mentions: list[str], context: list[str]) -> str:
    sentences = [f"On the record {_words(rng, 3)} said {name} {_words(rng, 4)}." for name in mentions]
    sentences += [f"Then {_words(rng, 2)} said {name} {_words(rng, 3)}." for name in rng.sample(context, 4)]
    return " ".join(sentences)


def _learn(texts: list[str]):
    rng = random.Random(5)
    fillers = sorted({"".join(rng.choice("bdlmnrst") + rng.choice("aeiou") for _ in range(3)) for _ in range(300)})
    # Filler articles: no context name is in most articles, and common first names stand before
    # many different surnames.
    for _ in range(200):
        first = rng.choice(["John", "John", "Michael", "David"])
        texts = texts + [f"Then {_words(rng, 2)} said {first} {rng.choice(fillers).title()} and "
                         f"{rng.choice(fillers)} {_words(rng, 4)}."]
    articles = {f"a{number}": names_in(text) for number, text in enumerate(texts)}
    return learn_groups(articles)


def _group_of(learned, spelling: str) -> set[str]:
    for group in learned.groups:
        if spelling in group.spellings:
            return set(group.spellings)
    return {spelling}


def test_a_spelling_seen_once_joins_when_a_specific_first_name_vouches_for_it():
    rng = random.Random(1)
    texts = [_article(rng, ["Muammar Gaddafi", "Gaddafi"], LIBYA) for _ in range(6)]
    texts += [_article(rng, ["Muammar Qaddafi", "Qaddafi"], LIBYA) for _ in range(4)]
    texts.append(_article(rng, ["Muammar Kaddafi"], POLITICS))  # once, in an article about other things
    texts.append(_article(rng, ["Moamer Kadhafi"], POLITICS))  # once, beside the first name spelled otherwise
    # John Kelly is usual too, but John stands before many other surnames: a one-off John Gelli is
    # no Kelly.
    texts += [_article(rng, ["John Kelly", "Kelly"], POLITICS) for _ in range(8)]
    texts.append(_article(rng, ["John Gelli"], LIBYA))
    # Short first names meet by their consonants by chance: Egon is no Ken.
    texts += [_article(rng, ["Ken Kies", "Kies"], POLITICS) for _ in range(3)]
    texts.append(_article(rng, ["Egon Geis"], POLITICS))
    learned = _learn(texts)
    assert _group_of(learned, "Gaddafi") == {"Gaddafi", "Qaddafi", "Kaddafi", "Kadhafi"}
    assert _group_of(learned, "Kelly") == {"Kelly"}
    assert _group_of(learned, "Kies") == {"Kies"}


def test_a_spelling_seen_once_never_starts_a_group():
    rng = random.Random(2)
    texts = [_article(rng, ["Zorbik"], LIBYA), _article(rng, ["Zorbic"], LIBYA)]
    assert _group_of(_learn(texts), "Zorbik") == {"Zorbik"}


def test_a_surname_other_people_carry_stays_apart():
    rng = random.Random(3)
    texts = [_article(rng, ["Michael Morell", "Morell"], POLITICS) for _ in range(10)]
    # The other spelling: a few misspellings of the same man, and several other people.
    texts += [_article(rng, ["Michael Morrell", "Morrell"], POLITICS) for _ in range(2)]
    texts += [_article(rng, [f"{first} Morrell", "Morrell"], POLITICS)
              for first in ("Geoff", "Geoff", "Jennifer", "Ronaldo", "Ronaldo", "Jerome", "Jerome")]
    for first in ("Geoff", "Jennifer", "Ronaldo", "Jerome"):  # they are names elsewhere too
        texts.append(_article(rng, [f"{first} Smithers"], LIBYA))
    learned = _learn(texts)
    assert _group_of(learned, "Morell") == {"Morell"}
    assert any(r.spellings == ("Morell", "Morrell") and r.reason == "different neighbouring names"
               for r in learned.rejections)


def test_the_same_surname_with_the_same_first_name_is_grouped():
    rng = random.Random(3)
    texts = [_article(rng, ["Michael Morell", "Morell"], POLITICS) for _ in range(10)]
    texts += [_article(rng, ["Michael Morrell", "Morrell"], POLITICS) for _ in range(3)]
    assert _group_of(_learn(texts), "Morell") == {"Morell", "Morrell"}


def test_words_without_a_vowel_are_no_names():
    rng = random.Random(4)
    texts = [_article(rng, ["Stcks"], LIBYA) for _ in range(4)] + [_article(rng, ["Stks"], LIBYA) for _ in range(3)]
    assert _group_of(_learn(texts), "Stcks") == {"Stcks"}


XINJIANG = ["Xinjiang", "Urumqi", "Kashgar", "Beijing", "Turpan", "Hotan"]
SHAANXI = ["Xian", "Baoji", "Yanan", "Hanzhong", "Weinan", "Ankang"]
SHANXI = ["Taiyuan", "Datong", "Yangquan", "Changzhi", "Jincheng", "Linfen"]


def test_spellings_often_side_by_side_join_when_alike_where_each_stands_alone():
    rng = random.Random(6)
    texts = [_article(rng, ["Uighur"], XINJIANG) for _ in range(10)]
    texts += [_article(rng, ["Uyghur"], XINJIANG) for _ in range(3)]
    # "Uighur (also spelled Uyghur)": the rarer spelling is beside the other in most of its articles.
    texts += [_article(rng, ["Uighur", "Uyghur"], XINJIANG) for _ in range(3)]
    learned = _learn(texts)
    assert _group_of(learned, "Uighur") == {"Uighur", "Uyghur"}


def test_places_side_by_side_stay_apart_when_unalike_where_each_stands_alone():
    rng = random.Random(7)
    texts = [_article(rng, ["Shanxi"], SHANXI) for _ in range(6)]
    texts += [_article(rng, ["Shaanxi"], SHAANXI) for _ in range(2)]
    # Lists of provinces: both names, and towns of both.
    texts += [_article(rng, ["Shanxi", "Shaanxi"], SHANXI[:3] + SHAANXI[:3]) for _ in range(4)]
    learned = _learn(texts)
    assert _group_of(learned, "Shanxi") == {"Shanxi"}
