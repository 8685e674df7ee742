"""Reading query text the way a person means it, into the engine-neutral tree of ``query_tree``.

The rules (the README's query syntax table says the same):
- A hyphen, slash or dot inside a word joins: ``Nagorno-Karabakh`` and ``covid-19`` are phrases of
  their parts. ``-word`` at the start or after a space excludes; ``+word`` requires.
- ``AND``, ``OR`` and ``NOT`` are operators only in capitals, between words, and only when the
  query is not written all in capitals (a pasted headline in capitals is words).
- ``"…"`` is a phrase (an unclosed quote closes at the end), ``"…"~N`` allows N words between.
- ``title:``, ``body:``/``text:``, ``caption:``/``captions:``, ``author:``, ``outlet:`` search one
  field; any other ``name:`` is read as words.
- ``word*`` is a prefix (at least three letters); a ``*`` or ``?`` elsewhere is punctuation.
- Parentheses group; unbalanced ones are repaired.
- In a plain search, stop words are passed over unless written in capitals (``IT``, ``WHO``) or
  the query has nothing else.
"""

from __future__ import annotations

import re

from cstosearch.analysis import STOP_WORDS, fold, split_words
from cstosearch.errors import BadQuery
from cstosearch.query_tree import AnyOf, Everything, Group, Node, ParsedQuery, Phrase, Prefix, Word

MAX_QUERY_WORDS = 64
MAX_PHRASE_WORDS = 32
MAX_SLOP = 10
MAX_PREFIXES = 4
MIN_PREFIX_CHARS = 3
MAX_DEPTH = 8

FIELD_NAMES = {"title": "title", "body": "body", "text": "body", "caption": "captions", "captions": "captions",
               "author": "author", "outlet": "outlet"}
OPERATORS = ("AND", "OR", "NOT")

# A quoted phrase (maybe unclosed, maybe with ~N), a parenthesis, or a run of other characters.
_TOKEN = re.compile(r'"(?P<phrase>[^"]*)(?:"(?:~(?P<slop>\d+))?|$)|(?P<paren>[()])|(?P<word>[^\s()"]+)')
_FIELD = re.compile(r"(?P<name>[A-Za-z_]+):(?P<rest>.*)", re.DOTALL)


def parse(text: str) -> ParsedQuery:
    """The tree for ``text``; raises BadQuery only for shapes too costly to run."""
    reader = _Reader(text)
    root = reader.query()
    notes = list(reader.notes)
    if reader.word_count > MAX_QUERY_WORDS:
        raise BadQuery(f"the query has {reader.word_count} words; the limit is {MAX_QUERY_WORDS}")
    if reader.prefix_count > MAX_PREFIXES:
        raise BadQuery(f"a query may hold at most {MAX_PREFIXES} words ending in *")
    return ParsedQuery(root=root, ignored_words=tuple(reader.ignored), notes=tuple(notes))


class _Reader:
    """A small recursive-descent reader over the tokens of one query."""

    def __init__(self, text: str) -> None:
        self.tokens = [m for m in _TOKEN.finditer(text)]
        self.position = 0
        letters = [c for c in text if c.isalpha()]
        self.all_capitals = bool(letters) and all(c.isupper() for c in letters)
        self.word_count = 0
        self.prefix_count = 0
        self.ignored: list[str] = []
        self.notes: list[str] = []

    def query(self) -> Node:
        node = self._or_expression(field=None, depth=0)
        while self.position < len(self.tokens):  # a stray ")" ends an expression early: go on after it
            self.position += 1
            more = self._or_expression(field=None, depth=0)
            node = _merge_groups(node, more)
        return _simplify(node)

    # --- grammar -------------------------------------------------------------------------
    def _peek_operator(self) -> str:
        if self.position >= len(self.tokens) or self.all_capitals:
            return ""
        word = self.tokens[self.position].group("word")
        return word if word in OPERATORS else ""

    def _at_close(self) -> bool:
        return self.position < len(self.tokens) and self.tokens[self.position].group("paren") == ")"

    def _or_expression(self, field: str | None, depth: int) -> Node:
        alternatives = [self._and_expression(field, depth)]
        while self._peek_operator() == "OR":
            self.position += 1
            alternatives.append(self._and_expression(field, depth))
        alternatives = [a for a in alternatives if not isinstance(a, Everything) or len(alternatives) == 1]
        if len(alternatives) == 1:
            return alternatives[0]
        return AnyOf(tuple(_simplify(a) for a in alternatives))

    def _and_expression(self, field: str | None, depth: int) -> Group:
        optional: list[Node] = []
        required: list[Node] = []
        excluded: list[Node] = []
        joined_by_and = False
        while self.position < len(self.tokens) and not self._at_close():
            operator = self._peek_operator()
            if operator == "OR":
                if optional or required or excluded:
                    break
                self.position += 1  # a leading OR means nothing
                continue
            if operator == "AND":
                self.position += 1
                if optional and not joined_by_and:
                    required.append(optional.pop())
                joined_by_and = True
                continue
            sign = ""
            if operator == "NOT":
                self.position += 1
                sign = "-"
            node, token_sign = self._unary(field, depth)
            sign = sign or token_sign
            if node is None:
                continue
            if sign == "-":
                excluded.append(node)
            elif sign == "+" or joined_by_and:
                required.append(node)
            else:
                optional.append(node)
            joined_by_and = False
        return Group(tuple(optional), tuple(required), tuple(excluded))

    def _unary(self, field: str | None, depth: int) -> tuple[Node | None, str]:
        token = self.tokens[self.position]
        self.position += 1
        if token.group("paren") == "(":
            if depth >= MAX_DEPTH:
                raise BadQuery(f"parentheses may nest at most {MAX_DEPTH} deep")
            inner = self._or_expression(field, depth + 1)
            if self._at_close():
                self.position += 1
            return _simplify(inner), ""
        if token.group("phrase") is not None:
            return self._phrase(token.group("phrase"), token.group("slop"), field), ""
        raw = token.group("word")
        sign = ""
        if raw[0] in "+-" and len(raw) > 1:
            sign, raw = raw[0], raw[1:]
        fielded = _FIELD.fullmatch(raw)
        if fielded and fielded.group("name").lower() in FIELD_NAMES:
            field = FIELD_NAMES[fielded.group("name").lower()]
            raw = fielded.group("rest")
            if not raw and self.position < len(self.tokens):
                # title:"a phrase" or title:(a b): the field applies to what follows
                following = self.tokens[self.position]
                if following.group("phrase") is not None or following.group("paren") == "(":
                    node, _ = self._unary(field, depth)
                    return node, sign
        return self._word(raw, field), sign

    # --- leaves --------------------------------------------------------------------------
    def _phrase(self, text: str, slop: str | None, field: str | None) -> Node | None:
        words = split_words(text)
        if not words:
            return None
        self.word_count += len(words)
        if len(words) > MAX_PHRASE_WORDS:
            raise BadQuery(f"a phrase may hold at most {MAX_PHRASE_WORDS} words")
        distance = int(slop) if slop else 0
        if distance > MAX_SLOP:
            raise BadQuery(f'"…"~N allows at most {MAX_SLOP} words between; got {slop[:6]}')
        if len(words) == 1:
            return Word(words[0], field)
        return Phrase(tuple(words), field, distance)

    def _word(self, raw: str, field: str | None) -> Node | None:
        prefix = raw.endswith("*")
        words = split_words(raw)
        if not words:
            return None
        self.word_count += len(words)
        if prefix and len(words) == 1:
            folded = fold(words[0])
            if len(folded) < MIN_PREFIX_CHARS:
                self.notes.append(f"{raw} was read as {words[0]}: a * needs {MIN_PREFIX_CHARS} letters before it")
                return Word(words[0], field)
            self.prefix_count += 1
            return Prefix(folded, field)
        if len(words) == 1:
            return Word(words[0], field)
        if len(words) > MAX_PHRASE_WORDS:
            raise BadQuery(f"a joined word may hold at most {MAX_PHRASE_WORDS} parts")
        return Phrase(tuple(words), field, 0, joined=raw.rstrip("*"))

    def is_stop_word(self, word: Word) -> bool:
        capitals = len(word.text) > 1 and word.text.isupper() and not self.all_capitals
        return fold(word.text) in STOP_WORDS and not capitals


def _merge_groups(first: Node, second: Node) -> Node:
    a = first if isinstance(first, Group) else Group(optional=(first,))
    b = second if isinstance(second, Group) else Group(optional=(second,))
    return Group(a.optional + b.optional, a.required + b.required, a.excluded + b.excluded)


def _simplify(node: Node) -> Node:
    """Drop empty groups and unwrap a group of one plain clause."""
    if not isinstance(node, Group):
        return node
    optional = tuple(_simplify(c) for c in node.optional if not _empty(c))
    required = tuple(_simplify(c) for c in node.required if not _empty(c))
    excluded = tuple(_simplify(c) for c in node.excluded if not _empty(c))
    if not optional and not required:
        return Group(excluded=excluded) if excluded else Everything()
    if len(optional) == 1 and not required and not excluded:
        return optional[0]
    return Group(optional, required, excluded)


def _empty(node: Node) -> bool:
    return isinstance(node, Everything) or (isinstance(node, Group) and not (node.optional or node.required))


def drop_stop_words(parsed: ParsedQuery, text: str) -> ParsedQuery:
    """A plain search without its stop words, unless nothing else would be left."""
    root = parsed.root
    reader = _Reader(text)
    if not isinstance(root, Group) or not root.optional:
        return parsed
    kept = tuple(c for c in root.optional if not (isinstance(c, Word) and c.field is None and reader.is_stop_word(c)))
    if not kept and not root.required:
        return parsed
    dropped = tuple(c.text for c in root.optional if c not in kept)
    if not dropped:
        return parsed
    return ParsedQuery(_simplify(Group(kept, root.required, root.excluded)), parsed.ignored_words + dropped,
                       parsed.notes)


def parse_query(text: str) -> ParsedQuery:
    """Parse, then pass over the stop words of a plain search."""
    return drop_stop_words(parse(text), text)
