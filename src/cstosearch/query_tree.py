"""The engine-neutral form of a query: what the reader asked for, before any engine reads it.

The query parser builds this tree from the text a person typed; each engine translates it into
its own queries. Words are kept as typed (engines analyse them the way they analyse the text),
and fields are the public names (``title``, ``body``, ``captions``, ``author``, ``outlet``);
``None`` means every searchable field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEARCHABLE_FIELDS = ("title", "body", "captions", "author", "outlet")


@dataclass(frozen=True)
class Word:
    """One word, matched in any of its inflected forms."""

    text: str
    field: str | None = None

    def describe(self) -> str:
        return _in_field(self.text, self.field)


@dataclass(frozen=True)
class Phrase:
    """Words next to one another in this order (``slop`` extra positions allowed between them).

    ``joined`` marks a phrase the reader typed as one word (``Nagorno-Karabakh``, ``covid-19``).
    """

    words: tuple[str, ...]
    field: str | None = None
    slop: int = 0
    joined: str = ""

    def describe(self) -> str:
        text = self.joined or '"' + " ".join(self.words) + '"' + (f"~{self.slop}" if self.slop else "")
        return _in_field(text, self.field)


@dataclass(frozen=True)
class Prefix:
    """Any word beginning with ``text`` (the word form, not its stem), lower-cased and accent-folded."""

    text: str
    field: str | None = None

    def describe(self) -> str:
        return _in_field(self.text + "*", self.field)


@dataclass(frozen=True)
class AnyOf:
    """Either of these (``OR``)."""

    clauses: tuple[Node, ...]

    def describe(self) -> str:
        return "(" + " OR ".join(c.describe() for c in self.clauses) + ")"


@dataclass(frozen=True)
class Spellings(AnyOf):
    """A word or phrase as typed (the first clause) and other spellings of the same name
    (``Gaddafi``, ``Qaddafi``), added by ``names.expand``.

    An engine that ranks should score the spellings as one term (their frequencies summed, the
    group's document frequency), so that no spelling weighs more for being rarer; an engine that
    does not know this node can read it as the ``AnyOf`` it is.
    """

    def describe(self) -> str:
        typed, *others = self.clauses
        return typed.describe() + " (also " + ", ".join(_as_typed(c) for c in others) + ")"

    @property
    def typed(self) -> Node:
        return self.clauses[0]


@dataclass(frozen=True)
class Group:
    """Clauses combined as in a plain search.

    ``required`` must all match (``+word``, ``AND``); ``excluded`` must not (``-word``, ``NOT``);
    ``optional`` rank: when the group has no required clause, a document needs at least one of
    them, and documents with more of them come first (every word, then fewer words).
    """

    optional: tuple[Node, ...] = ()
    required: tuple[Node, ...] = ()
    excluded: tuple[Node, ...] = ()

    def describe(self) -> str:
        parts = [c.describe() for c in self.optional]
        parts += ["+" + c.describe() for c in self.required]
        parts += ["-" + c.describe() for c in self.excluded]
        return " ".join(parts)


@dataclass(frozen=True)
class Everything:
    """Every article (an empty query, or one that only excludes)."""

    def describe(self) -> str:
        return "every article"


Node = Word | Phrase | Prefix | AnyOf | Group | Everything
Leaf = Word | Phrase | Prefix


@dataclass(frozen=True)
class ParsedQuery:
    """The tree, with what the parser set aside on the way, for the explain view."""

    root: Node
    ignored_words: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def ranked_optional(self) -> tuple[Node, ...]:
        """The clauses whose count ranks documents (a plain search of two or more parts)."""
        root = self.root
        if isinstance(root, Group) and len(root.optional) > 1:
            return root.optional
        return ()

    def flat_words(self) -> tuple[Word, ...]:
        """The words of a plain search or of a list of alternatives, in the order typed."""
        return _flat_words(self.root)


def _flat_words(root: Node) -> tuple[Word, ...]:
    if isinstance(root, Group) and not root.required:
        clauses = root.optional
    elif isinstance(root, AnyOf):
        clauses = root.clauses
    else:
        return ()
    clauses = tuple(c.typed if isinstance(c, Spellings) else c for c in clauses)
    return tuple(c for c in clauses if isinstance(c, Word))


def leaves(node: Node, include_excluded: bool = False):
    """Every word, phrase and prefix under ``node`` (excluded ones only when asked)."""
    if isinstance(node, (Word, Phrase, Prefix)):
        yield node
    elif isinstance(node, AnyOf):
        for clause in node.clauses:
            yield from leaves(clause, include_excluded)
    elif isinstance(node, Group):
        for clause in node.optional + node.required:
            yield from leaves(clause, include_excluded)
        if include_excluded:
            for clause in node.excluded:
                yield from leaves(clause, include_excluded)


def _as_typed(node: Node) -> str:
    """A word or phrase without its field (the field is given once, on the typed spelling)."""
    if isinstance(node, Word):
        return node.text
    if isinstance(node, Phrase):
        return node.joined or '"' + " ".join(node.words) + '"'
    return node.describe()


def _in_field(text: str, fieldname: str | None) -> str:
    return f"{fieldname}:{text}" if fieldname else text
