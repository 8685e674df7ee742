"""The query tree in OpenSearch's terms: bool queries over the searchable fields, never raw query text.

Words and phrases are matched through the index analyzer (so they stem and fold as the text
did); prefixes match word forms in each field's unstemmed ``.words`` twin. A field's score is
its BM25 times the field's weight, summed over the fields, as the Whoosh engine weighs them.

A plain search ranks as the Whoosh engine does: articles with every word first, then the rest,
each by its text score scaled by the share of the words it has raised to the ranking's
coordination power. Without scripts: an inner ``function_score`` multiplies the text score by a
sum of steps, one per count of words (``(j/n)^p - ((j-1)/n)^p`` where at least ``j`` of the ``n``
clauses match, which adds up to ``(k/n)^p`` for ``k`` matched), and an outer one adds
``EVERY_WORD_WEIGHT`` when all match. Each clause is named, so a hit lists what it lacks
and the shown score drops the weight.

The spellings of a name (``Spellings``) match as alternatives; a word's spellings are scored as
equals with the boosts of ``spellings.SpellingWeights``.
"""

from __future__ import annotations

from itertools import product

from cstosearch.engines.opensearch.mapping import FIELD_BOOSTS
from cstosearch.engines.opensearch.spellings import NO_WEIGHTS, SpellingWeights
from cstosearch.engines.whoosh.ranking import DEFAULT_RANKING, Ranking
from cstosearch.query_tree import (
    AnyOf,
    Everything,
    Group,
    Node,
    ParsedQuery,
    Phrase,
    Prefix,
    Spellings,
    Word,
    leaves,
)

# Larger than any BM25 sum a query of at most 64 words reaches on news text.
EVERY_WORD_WEIGHT = 1000.0
PROXIMITY_FIELDS = ("title", "body")
# Above this many clauses the steps are cut to this many (each step is a query of its own).
COORDINATION_STEPS = 16
# Pairs of spellings tried for two neighbouring words, at most.
MAX_PROXIMITY_SPELLINGS = 8
CLAUSE_NAME = "clause-{}"


def _fields(fieldname: str | None) -> dict[str, float]:
    return {fieldname: FIELD_BOOSTS[fieldname]} if fieldname else FIELD_BOOSTS


def _any_field(clauses: list[dict]) -> dict:
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def translate(node: Node, boosts: SpellingWeights = NO_WEIGHTS) -> dict:
    """One OpenSearch query for one tree node (``boosts``: where spellings are scored as equals)."""
    if isinstance(node, Spellings):
        return _spellings(node, boosts)
    if isinstance(node, Word):
        return _any_field([{"match": {name: {"query": node.text, "operator": "and", "boost": boost}}}
                           for name, boost in _fields(node.field).items()])
    if isinstance(node, Phrase):
        text = " ".join(node.words)
        return _any_field([{"match_phrase": {name: {"query": text, "slop": node.slop, "boost": boost}}}
                           for name, boost in _fields(node.field).items()])
    if isinstance(node, Prefix):
        return _any_field([{"prefix": {f"{name}.words": {"value": node.text, "boost": boost}}}
                           for name, boost in _fields(node.field).items()])
    if isinstance(node, AnyOf):
        return {"bool": {"should": [translate(c, boosts) for c in node.clauses], "minimum_should_match": 1}}
    if isinstance(node, Group):
        clauses: dict = {}
        if node.required:
            clauses["must"] = [translate(c, boosts) for c in node.required]
        if node.optional:
            clauses["should"] = [translate(c, boosts) for c in node.optional]
            if not node.required:
                clauses["minimum_should_match"] = 1
        if not node.required and not node.optional:
            clauses["must"] = [{"match_all": {}}]
        if node.excluded:
            clauses["must_not"] = [translate(c) for c in node.excluded]
        return {"bool": clauses}
    if isinstance(node, Everything):
        return {"match_all": {}}
    raise TypeError(f"not a query tree node: {node!r}")


def _spellings(node: Spellings, boosts: SpellingWeights) -> dict:
    """Spellings of one word: in each field the best-scoring spelling counts, each boosted so its
    idf is the group's (as the Whoosh engine scores them as one term, a rare spelling weighs no
    more than a common one). Spellings of a phrase are alternatives, as on the Whoosh engine."""
    words = node.clauses
    if not all(isinstance(c, Word) for c in words):
        return {"bool": {"should": [translate(c, boosts) for c in words], "minimum_should_match": 1}}
    per_field = []
    for name, weight in _fields(words[0].field).items():
        spelled = [{"match": {name: {"query": w.text, "operator": "and",
                                     "boost": weight * boosts.boost(name, w.text)}}} for w in words]
        per_field.append({"dis_max": {"queries": spelled}})
    return _any_field(per_field)


def spelling_words(node: Node):
    """The word spellings under ``node`` whose scores are evened out: (field, spellings) pairs."""
    if isinstance(node, Spellings):
        if all(isinstance(c, Word) for c in node.clauses):
            yield node.clauses[0].field, tuple(c.text for c in node.clauses)
    elif isinstance(node, AnyOf):
        for clause in node.clauses:
            yield from spelling_words(clause)
    elif isinstance(node, Group):
        for clause in node.optional + node.required:
            yield from spelling_words(clause)


def proximity_clauses(parsed: ParsedQuery, ranking: Ranking = DEFAULT_RANKING,
                      boosts: SpellingWeights = NO_WEIGHTS) -> list[dict]:
    """Neighbouring words of a plain search near each other in the title or body score again.

    Whoosh counts its slop from adjacency at 1, Lucene at 0; Lucene's also lets words swap places.
    A word with other spellings pairs in each of them (the best pair counts), each boosted so
    that the spellings weigh alike.
    """
    words = proximity_words(parsed)
    if ranking.proximity <= 0 or len(words) < 2:
        return []
    weights = ranking.field_weights()
    slop = max(0, ranking.proximity_slop - 1)
    clauses = []
    for first, second in zip(words, words[1:], strict=False):
        for name in PROXIMITY_FIELDS:
            if weights.get(name, 0) <= 0:
                continue
            pairs = [{"match_phrase": {name: {"query": f"{a} {b}", "slop": slop,
                                              "boost": ranking.proximity * weights[name]
                                              * boosts.phrase_boost(name, (a, b))}}}
                     for a, b in list(product(first, second))[:MAX_PROXIMITY_SPELLINGS]]
            clauses.append(pairs[0] if len(pairs) == 1 else {"dis_max": {"queries": pairs}})
    return clauses


def proximity_words(parsed: ParsedQuery) -> list[tuple[str, ...]]:
    """The unfielded words of a plain search in the order typed, each with its other spellings."""
    root = parsed.root
    if isinstance(root, Group) and not root.required:
        clauses = root.optional
    elif isinstance(root, AnyOf) and not isinstance(root, Spellings):
        clauses = root.clauses
    else:
        return []
    words = []
    for clause in clauses:
        if isinstance(clause, Spellings) and all(isinstance(c, Word) for c in clause.clauses):
            if clause.clauses[0].field is None:
                words.append(tuple(c.text for c in clause.clauses))
        elif isinstance(clause, Word) and clause.field is None:
            words.append((clause.text,))
    return words


def coordination_steps(clauses: list[dict], power: float) -> list[dict]:
    """Functions whose weights sum to ``(matched/len(clauses)) ** power`` for a document.

    A power of 1 needs one function per clause; another power one per count of matched clauses
    (``minimum_should_match``), cut to ``COORDINATION_STEPS`` counts for long queries.
    """
    n = len(clauses)
    if power == 1:
        return [{"filter": clause, "weight": 1 / n} for clause in clauses]
    counts = sorted({max(1, round(step * n / COORDINATION_STEPS)) for step in range(1, COORDINATION_STEPS + 1)}
                    if n > COORDINATION_STEPS else range(1, n + 1))
    steps, reached = [], 0.0
    for count in counts:
        share = (count / n) ** power
        steps.append({"filter": clauses[0] if n == 1 else {"bool": {"should": clauses,
                                                                   "minimum_should_match": count}},
                      "weight": share - reached})
        reached = share
    return steps


def scored_query(parsed: ParsedQuery, text_score: bool = True, ranking: Ranking = DEFAULT_RANKING,
                 boosts: SpellingWeights = NO_WEIGHTS) -> dict:
    """The query to rank with (see the module's docstring for a plain search's tiers and coordination).

    Without ``text_score`` (sorting by date) the score only tells the tiers apart, to sort on first.
    """
    ranked = parsed.ranked_optional
    if not ranked:
        return translate(parsed.root, boosts)
    root = parsed.root
    named = [_named(translate(clause, boosts), number) for number, clause in enumerate(ranked)]
    # A proximity pair matches only where two of the words do, so it adds score, never matches.
    matching = {"bool": {"should": named + proximity_clauses(parsed, ranking, boosts), "minimum_should_match": 1}}
    if root.required:
        matching["bool"]["must"] = [translate(c, boosts) for c in root.required]
        del matching["bool"]["minimum_should_match"]
    if root.excluded:
        matching["bool"]["must_not"] = [translate(c) for c in root.excluded]
    coordinated = {"function_score": {
        "query": matching,
        # The near-zero term stands for "no optional word" (beside required ones): without any
        # matching function the multiplier would default to 1, not 0.
        "functions": coordination_steps([translate(clause) for clause in ranked], ranking.coordination)
        + [{"filter": {"match_all": {}}, "weight": 1e-9}],
        "score_mode": "sum", "boost_mode": "multiply",
    }}
    return {"function_score": {
        "query": coordinated,
        "functions": [{"filter": every_clause(parsed), "weight": EVERY_WORD_WEIGHT}],
        # Sorting by date: the score is the weight (every word) or 1 (some words).
        "score_mode": "sum", "boost_mode": "sum" if text_score else "replace",
    }}


def every_clause(parsed: ParsedQuery) -> dict | None:
    """Articles with every optional clause of a plain search (None when there is no such count)."""
    ranked = parsed.ranked_optional
    if not ranked:
        return None
    return {"bool": {"filter": [translate(clause) for clause in ranked]}}


def highlight_query(parsed: ParsedQuery) -> dict:
    """What to mark in snippets: each word of every clause but the excluded ones, wherever it
    stands (as the Whoosh engine marks them: a phrase's words too, not only where they meet)."""
    marks = []
    for leaf in dict.fromkeys(leaves(parsed.root)):
        for name in _fields(leaf.field):
            if isinstance(leaf, Prefix):
                # The marked fields hold stems; a word form's prefix is a stem's prefix but
                # for a changed last letter (economy -> economi), so one letter less is looked for.
                stem_prefix = leaf.text[:-1] if len(leaf.text) > 3 else leaf.text
                marks.append({"prefix": {name: {"value": stem_prefix}}})
            else:
                words = leaf.words if isinstance(leaf, Phrase) else (leaf.text,)
                marks.append({"match": {name: {"query": " ".join(words), "operator": "or"}}})
    return {"bool": {"should": marks or [{"match_none": {}}]}}


def _named(query: dict, number: int) -> dict:
    return {"bool": {"must": [query], "_name": CLAUSE_NAME.format(number)}}


def plain_text(node: Node) -> str:
    """A clause as the reader typed it, for "Missing: …" (as the Whoosh engine words it)."""
    if isinstance(node, Spellings):
        return plain_text(node.typed)
    if isinstance(node, Word):
        return node.text
    if isinstance(node, Phrase) and node.joined:
        return node.joined
    return node.describe()


def kind_of(node: Node) -> str:
    return {Word: "word", Phrase: "phrase", Prefix: "prefix", AnyOf: "any of", Group: "group",
            Everything: "everything", Spellings: "spellings"}[type(node)]


def clauses_by_role(root: Node) -> list[tuple[str, Node]]:
    """The top-level clauses of a query and their roles, for the explain view."""
    if isinstance(root, Group):
        return [(role, node) for role, nodes in (("optional", root.optional), ("required", root.required),
                                                 ("excluded", root.excluded)) for node in nodes]
    return [("required", root)]
