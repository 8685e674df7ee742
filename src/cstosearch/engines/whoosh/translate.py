"""The query tree in Whoosh's terms: weighted queries to score with, boolean masks to match with.

Matching is evaluated on masks (one byte per document, cached per generation), so the total,
every facet and every page read the same set; Whoosh's matchers only score and position-check.
"""

from __future__ import annotations

from itertools import islice

import numpy as np
from whoosh import query as wq

from cstosearch.analysis import fold, index_term
from cstosearch.engines.whoosh.deadline import Deadline
from cstosearch.engines.whoosh.phrases import known_phrase_documents
from cstosearch.engines.whoosh.spellings import SpellingsTerm
from cstosearch.errors import BadQuery
from cstosearch.query_tree import (
    SEARCHABLE_FIELDS,
    AnyOf,
    Everything,
    Group,
    Leaf,
    Node,
    ParsedQuery,
    Phrase,
    Prefix,
    Spellings,
    Word,
)

PREFIX_FIELD = "words"
PROXIMITY_FIELDS = ("title", "body")
MAX_PREFIX_EXPANSION = 1000


class Translator:
    """Turns tree nodes into Whoosh queries and masks for one generation and one ranking."""

    def __init__(self, generation, ranking, deadline: Deadline) -> None:
        self.generation = generation
        self.reader = generation.searcher.reader()
        self.ranking = ranking
        self.field_weights = ranking.field_weights()
        self.deadline = deadline
        self._expansions: dict[str, tuple[str, ...]] = {}

    # --- terms -----------------------------------------------------------------------------
    def stems(self, leaf: Leaf) -> tuple[str, ...]:
        """The index terms a leaf looks for (a prefix: every stem of the words it begins)."""
        if isinstance(leaf, Word):
            return (index_term(leaf.text),)
        if isinstance(leaf, Phrase):
            return tuple(index_term(word) for word in leaf.words)
        return self.expand(leaf.text)

    def expand(self, prefix: str) -> tuple[str, ...]:
        if prefix not in self._expansions:
            words = islice(self.reader.expand_prefix(PREFIX_FIELD, fold(prefix)), MAX_PREFIX_EXPANSION + 1)
            found = [w.decode("utf-8") if isinstance(w, bytes) else w for w in words]
            if len(found) > MAX_PREFIX_EXPANSION:
                raise BadQuery(f"{prefix}* matches more than {MAX_PREFIX_EXPANSION} words; make it longer")
            self._expansions[prefix] = tuple(sorted({index_term(word) for word in found}))
        return self._expansions[prefix]

    def fields(self, leaf: Leaf) -> tuple[str, ...]:
        return (leaf.field,) if leaf.field else SEARCHABLE_FIELDS

    # --- queries ---------------------------------------------------------------------------
    def leaf_query(self, leaf: Leaf) -> wq.Query:
        return self._over_fields(leaf, lambda fieldname, weight: self._in_field(leaf, fieldname, weight))

    def _over_fields(self, leaf: Leaf, query_in) -> wq.Query:
        """``query_in(field, weight)`` for each field the leaf searches (a field weighted 0 is left
        out unless named), summed."""
        per_field = [query_in(fieldname, weight) for fieldname in self.fields(leaf)
                     if (weight := self.field_weights.get(fieldname, 1.0)) > 0 or leaf.field is not None]
        if not per_field:
            return wq.NullQuery
        return per_field[0] if len(per_field) == 1 else wq.Or(per_field)

    def _in_field(self, leaf: Leaf, fieldname: str, weight: float) -> wq.Query:
        if isinstance(leaf, Phrase):
            return wq.Phrase(fieldname, list(self.stems(leaf)), slop=1 + leaf.slop, boost=weight)
        stems = self.stems(leaf)
        if len(stems) == 1:
            return wq.Term(fieldname, stems[0], boost=weight)
        return wq.Or([wq.Term(fieldname, stem) for stem in stems], boost=weight) if stems else wq.NullQuery

    def scoring_query(self, parsed: ParsedQuery) -> wq.Query | None:
        """Every positive word, phrase and prefix of the tree, weighted, as one query to score with,
        plus a bonus where two neighbouring words of a plain search stand close together."""
        parts = [self.spellings_query(unit) if isinstance(unit, Spellings) else self.leaf_query(unit)
                 for unit in dict.fromkeys(scoring_units(parsed.root))]
        parts += self._proximity(parsed)
        parts = [p for p in parts if p is not wq.NullQuery]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.Or(parts)

    def spellings_query(self, spellings: Spellings) -> wq.Query:
        """Spellings of one word scored as one term in each field; spellings of a phrase as alternatives."""
        clauses = spellings.clauses
        if not all(isinstance(c, Word) for c in clauses):
            parts = [self.leaf_query(c) for c in clauses if isinstance(c, (Word, Phrase))]
            return wq.Or(parts) if parts else wq.NullQuery
        stems = tuple(dict.fromkeys(index_term(c.text) for c in clauses))
        return self._over_fields(clauses[0], lambda fieldname, weight: SpellingsTerm(fieldname, stems, boost=weight))

    def _proximity(self, parsed: ParsedQuery) -> list[wq.Query]:
        weight = self.ranking.proximity
        words = [c for c in parsed.flat_words() if c.field is None]
        if weight <= 0 or len(words) < 2:
            return []
        pairs = []
        for first, second in zip(words, words[1:], strict=False):
            stems = [index_term(first.text), index_term(second.text)]
            for fieldname in PROXIMITY_FIELDS:
                field_weight = weight * self.field_weights.get(fieldname, 1.0)
                if field_weight > 0:
                    pairs.append(wq.Phrase(fieldname, stems, slop=self.ranking.proximity_slop, boost=field_weight))
        return pairs

    # --- masks -----------------------------------------------------------------------------
    def mask(self, node: Node) -> np.ndarray:
        """The documents a node matches."""
        generation = self.generation
        if isinstance(node, Everything):
            return generation.live()
        if isinstance(node, (Word, Phrase, Prefix)):
            key = ("leaf", node, self.stems(node) if isinstance(node, Prefix) else ())
            return generation.mask(key, lambda: self._leaf_mask(node))
        if isinstance(node, AnyOf):
            return np.logical_or.reduce([self.mask(c) for c in node.clauses])
        return self._group_mask(node)

    def _group_mask(self, group: Group) -> np.ndarray:
        if group.required:
            matched = np.logical_and.reduce([self.mask(c) for c in group.required])
        elif group.optional:
            matched = np.logical_or.reduce([self.mask(c) for c in group.optional])
        else:
            matched = self.generation.live()
        if group.excluded:
            matched = matched & ~np.logical_or.reduce([self.mask(c) for c in group.excluded])
        return matched

    def _leaf_mask(self, leaf: Leaf) -> np.ndarray:
        mask = np.zeros(self.generation.size, dtype=bool)
        if isinstance(leaf, Phrase):
            stems = self.stems(leaf)
            for fieldname in self.fields(leaf):
                mask |= known_phrase_documents(self.generation, fieldname, tuple(stems), 1 + leaf.slop, self.deadline)
            return mask
        # Words and prefixes: each term's postings as an array (decoded once per generation).
        stems = self.stems(leaf)
        postings = self.generation.postings
        for subsearcher, offset in self.generation.searcher.leaf_searchers():
            reader = subsearcher.reader()
            for fieldname in self.fields(leaf):
                for stem in stems:
                    mask[postings.of(reader, offset, fieldname, stem)[0] + offset] = True
                self.deadline.check()
        return mask


def scoring_units(node: Node):
    """What scores on its own: each positive word, phrase and prefix, and each set of spellings whole."""
    if isinstance(node, Spellings):
        yield node
    elif isinstance(node, (Word, Phrase, Prefix)):
        yield node
    elif isinstance(node, AnyOf):
        for clause in node.clauses:
            yield from scoring_units(clause)
    elif isinstance(node, Group):
        for clause in node.optional + node.required:
            yield from scoring_units(clause)
