"""Query-time expansion: a word (or a phrase holding a word) that has other spellings becomes
the spellings together, as a ``Spellings`` node of the engine-neutral query tree.

Engines call ``expand_names`` on the parsed query; what it returns tells the reader which
spellings were added.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import product

from cstosearch.names.storage import NameVariants
from cstosearch.query_tree import AnyOf, Group, Node, ParsedQuery, Phrase, Spellings, Word

# A phrase with several grouped words could spell out many combinations; these are enough.
MAX_PHRASE_SPELLINGS = 8


@dataclass
class VariantNote:
    """A word as typed and the spellings searched with it."""

    word: str
    also: list[str] = field(default_factory=list)


def expand_names(parsed: ParsedQuery, variants: NameVariants) -> tuple[ParsedQuery, list[VariantNote]]:
    """The query with each grouped word's other spellings added, and what was added (in typed order)."""
    if not variants:
        return parsed, []
    notes: dict[str, VariantNote] = {}
    root = _expand(parsed.root, variants, notes)
    if root == parsed.root:
        return parsed, []
    return replace(parsed, root=root), list(notes.values())


def _expand(node: Node, variants: NameVariants, notes: dict[str, VariantNote]) -> Node:
    if isinstance(node, Word):
        others = variants.others(node.text)
        if not others:
            return node
        _note(notes, node.text, others)
        return Spellings((node, *(Word(other, node.field) for other in others)))
    if isinstance(node, Phrase):
        return _expand_phrase(node, variants, notes)
    if isinstance(node, Spellings):
        return node
    if isinstance(node, AnyOf):
        return AnyOf(tuple(_expand(c, variants, notes) for c in node.clauses))
    if isinstance(node, Group):
        return Group(tuple(_expand(c, variants, notes) for c in node.optional),
                     tuple(_expand(c, variants, notes) for c in node.required),
                     tuple(_expand(c, variants, notes) for c in node.excluded))
    return node  # prefixes and "every article" are left as typed


def _expand_phrase(phrase: Phrase, variants: NameVariants, notes: dict[str, VariantNote]) -> Node:
    choices = []
    for word in phrase.words:
        others = variants.others(word)
        if others:
            _note(notes, word, others)
        choices.append((word, *others))
    if all(len(c) == 1 for c in choices):
        return phrase
    spelled = []
    for words in product(*choices):
        if words != phrase.words:
            spelled.append(Phrase(tuple(words), phrase.field, phrase.slop))
        if len(spelled) >= MAX_PHRASE_SPELLINGS:
            break
    return Spellings((phrase, *spelled))


def _note(notes: dict[str, VariantNote], word: str, others: tuple[str, ...]) -> None:
    if word.lower() not in notes:
        notes[word.lower()] = VariantNote(word, list(others))
