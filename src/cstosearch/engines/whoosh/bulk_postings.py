"""A bulk-built segment's postings, gathered as flat arrays of numbers and sorted once at the end.

Whoosh's writer makes every posting a Python tuple, sorts the tuples through files on disk and
hands them to the postings writer one call at a time; that is most of a build's time. A segment
built in one go needs none of it: a text field's words are split once per document (the ``words``
field's folded forms come from the same split), each written form is numbered through a
dictionary of the forms seen before, and a field keeps one array entry per word. At the end one
stable numpy sort by term puts the postings in the order Whoosh writes them, positions included.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np
from whoosh.fields import Schema
from whoosh.formats import Existence, Frequency, Positions

from cstosearch.analysis import WORD_SPLITTER, NewsTokenizer, fold, index_term, written_word
from cstosearch.index import WORD_LIST_SOURCES

WORD_LIST_FIELD = "words"
_NOTHING = 0xFFFFFFFF  # the word-list number of a form that folds to nothing


class _Vocabulary:
    """Terms numbered in the order they were first seen; ranked by their bytes when written."""

    def __init__(self) -> None:
        self.numbers: dict = {}
        self.terms: list = []

    def number(self, term) -> int:
        number = self.numbers.get(term)
        if number is None:
            number = self.numbers[term] = len(self.terms)
            self.terms.append(term)
        return number

    def ranked(self) -> tuple[np.ndarray, list[bytes]]:
        """(rank of each term number in byte order, the terms' bytes in that order)."""
        encoded = [t.encode("utf-8") if isinstance(t, str) else t for t in self.terms]
        order = sorted(range(len(encoded)), key=encoded.__getitem__)
        ranks = np.empty(len(order), dtype=np.uint32)
        ranks[order] = np.arange(len(order), dtype=np.uint32)
        return ranks, [encoded[i] for i in order]


class WrittenForms:
    """Every form of a word as written in the segment's text, numbered, with its term and folded word."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.terms = _Vocabulary()  # stemmed: what the text fields index
        self.listed = _Vocabulary()  # folded, not stemmed: what the word list indexes
        self.term_of_form = array("I")
        self.listed_of_form = array("I")

    def numbered(self, written: list[str]) -> list[int]:
        numbers = list(map(self.numbers.get, written))
        if None in numbers:
            numbers = [self._add(form) if number is None else number for number, form in zip(numbers, written,
                                                                                             strict=True)]
        return numbers

    def _add(self, form: str) -> int:
        number = self.numbers.get(form)
        if number is None:
            word = written_word(form)
            folded = fold(word)
            number = self.numbers[form] = len(self.term_of_form)
            self.term_of_form.append(self.terms.number(index_term(word)))
            # Folded words hold no whitespace, so the word list's tokenizer gives each back whole.
            self.listed_of_form.append(self.listed.number(folded) if folded else _NOTHING)
        return number


class _FieldTokens:
    """One field's term numbers over the segment: one per token, and how many each document has."""

    __slots__ = ("counts", "docs", "numbers")

    def __init__(self) -> None:
        self.numbers = array("I")
        self.docs = array("I")
        self.counts = array("I")

    def add(self, docnum: int, numbers: list[int]) -> None:
        self.numbers.extend(numbers)
        self.docs.append(docnum)
        self.counts.append(len(numbers))


@dataclass
class SortedPostings:
    """One field's posting lists in writing order: terms by their bytes, documents ascending.

    ``term_starts`` and ``token_starts`` end with the totals, so term ``t`` owns postings
    ``term_starts[t]:term_starts[t + 1]``; ``position_gaps`` (positional fields only) holds each
    posting's positions as gaps, the first one from 0.
    """

    terms: list[bytes]
    term_starts: np.ndarray
    docs: np.ndarray
    freqs: np.ndarray
    token_starts: np.ndarray | None
    position_gaps: np.ndarray | None


class SegmentPostings:
    """The postings of one segment's documents, added one document at a time, sorted once per field."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.forms = WrittenForms()
        self.text_fields = {name for name in schema.names() if _split_by_words(schema[name])}
        self.derives_word_list = (WORD_LIST_FIELD in schema.names()
                                  and set(WORD_LIST_SOURCES) <= self.text_fields)
        self._tokens: dict[str, _FieldTokens] = {}
        self._vocabularies: dict[str, _Vocabulary] = {}
        self._form_ranks: tuple[np.ndarray, list[bytes]] | None = None

    def add(self, docnum: int, document: dict) -> dict[str, int]:
        """Adds a document's terms; its length (tokens) in each scorable field."""
        lengths = {}
        listed: set[int] = set()
        for name, value in document.items():
            if value is None or name.startswith("_"):
                continue
            field = self.schema[name]
            if not field.indexed:
                continue
            if name in self.text_fields:
                numbers = self.forms.numbered(WORD_SPLITTER.split(value)[1::2])
                if name in WORD_LIST_SOURCES:
                    listed.update(numbers)
                length = len(numbers)
            else:
                vocabulary = self._vocabularies.setdefault(name, _Vocabulary())
                numbers, length = [], 0
                for tbytes, freq, weight, _value in field.index(value):
                    if weight != freq:
                        raise ValueError(f"field {name!r}: a bulk-built segment has no boosts")
                    numbers += [vocabulary.number(tbytes)] * freq
                    length += freq
            if numbers:
                self._field(name).add(docnum, numbers)
            if field.scorable:
                lengths[name] = length
        if self.derives_word_list and WORD_LIST_FIELD not in document:
            listed_of_form = self.forms.listed_of_form
            words = {listed_of_form[number] for number in listed}
            words.discard(_NOTHING)
            if words:
                self._field(WORD_LIST_FIELD).add(docnum, list(words))
        return lengths

    def _field(self, name: str) -> _FieldTokens:
        tokens = self._tokens.get(name)
        if tokens is None:
            tokens = self._tokens[name] = _FieldTokens()
        return tokens

    def field_names(self) -> list[str]:
        """The fields with postings, in writing order."""
        return sorted(self._tokens)

    def positional(self, name: str) -> bool:
        return type(self.schema[name].format) is Positions

    def sorted_postings(self, name: str) -> SortedPostings:
        """The field's postings in writing order; its tokens are let go."""
        tokens = self._tokens.pop(name)
        numbers = np.frombuffer(tokens.numbers, dtype=np.uint32)
        if name in self.text_fields:
            form_ranks, terms = self._text_ranks()
            ranks = form_ranks[numbers]
        elif name == WORD_LIST_FIELD and name not in self._vocabularies:
            term_ranks, terms = self.forms.listed.ranked()
            ranks = term_ranks[numbers]
        else:
            term_ranks, terms = self._vocabularies.pop(name).ranked()
            ranks = term_ranks[numbers]
        del numbers
        counts = np.frombuffer(tokens.counts, dtype=np.uint32)
        order = np.argsort(ranks, kind="stable")
        ranks = ranks[order]
        token_docs = np.repeat(np.frombuffer(tokens.docs, dtype=np.uint32), counts)[order]
        size = len(ranks)
        first = np.ones(size, dtype=bool)
        np.not_equal(ranks[1:], ranks[:-1], out=first[1:])
        first[1:] |= token_docs[1:] != token_docs[:-1]
        token_starts = np.flatnonzero(first)
        del first
        docs = token_docs[token_starts]
        del token_docs
        freqs = np.diff(token_starts, append=size).astype(np.uint32)
        posting_ranks = ranks[token_starts]
        del ranks
        term_starts = np.flatnonzero(np.concatenate(([True], posting_ranks[1:] != posting_ranks[:-1])))
        field_terms = [terms[rank] for rank in posting_ranks[term_starts].tolist()]
        term_starts = np.append(term_starts, len(docs))
        gaps = None
        if self.positional(name):
            starts = np.cumsum(counts, dtype=np.uint32) - counts
            positions = (np.arange(size, dtype=np.uint32) - np.repeat(starts, counts))[order]
            del starts, order
            gaps = np.empty_like(positions)
            gaps[:1] = positions[:1]
            np.subtract(positions[1:], positions[:-1], out=gaps[1:])
            gaps[token_starts] = positions[token_starts]
            token_starts = np.append(token_starts, size)
        else:
            token_starts = None
        return SortedPostings(field_terms, term_starts, docs, freqs, token_starts, gaps)

    def _text_ranks(self) -> tuple[np.ndarray, list[bytes]]:
        """(rank of each written form's term, the text terms' bytes in rank order), shared by the text fields."""
        if self._form_ranks is None:
            term_ranks, terms = self.forms.terms.ranked()
            form_ranks = term_ranks[np.frombuffer(self.forms.term_of_form, dtype=np.uint32)]
            self._form_ranks = (form_ranks, terms)
        return self._form_ranks


def _split_by_words(field) -> bool:
    """Whether the field is text this module splits itself: ``NewsTokenizer`` words with positions."""
    return (type(field.format) is Positions and isinstance(getattr(field, "analyzer", None), NewsTokenizer)
            and field.format.field_boost == 1.0)


def value_format(field) -> str:
    """How a field's posting values are written: "positions", "frequency" or "existence"."""
    fmt = type(field.format)
    if fmt is Positions:
        return "positions"
    if fmt is Frequency:
        return "frequency"
    if fmt is Existence:
        return "existence"
    raise ValueError(f"a bulk-built segment cannot write {fmt.__name__} postings")
