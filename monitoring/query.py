"""Listening queries: what a lead types to say what to listen for, parsed once, matched everywhere.

The language, as people who have used a search box expect it:

    afval AND (container OR kliko) NOT "Ajax Amsterdam"
    #gemeenteamsterdam OR @AmsterdamNL
    lantaarnpaal kapot -ajax                 (juxtaposition is AND; "-" is NOT)

Words match at the start of a word, so "afval" also finds "afvalcontainer" and "vuilnis" finds
"vuilniswagen" (Dutch compounds); case and accents do not matter. A "phrase in quotes" matches those
words in that order. #hashtags and @handles match only as hashtags and handles. AND binds tighter than
OR; NOT applies to what follows it. The same tree is rendered as X's search syntax for polling.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from webcare.lib.text import normalize

MAX_LENGTH = 512  # X's recent search accepts queries up to 512 characters


class QueryError(ValueError):
    """A query that cannot be read, with where: the message is for the lead who wrote it."""


@dataclass(frozen=True)
class Term:
    text: str  # normalised; words separated by single spaces (a phrase when more than one)
    kind: str = "word"  # word | phrase | hashtag | handle


@dataclass(frozen=True)
class Not:
    operand: "Node"


@dataclass(frozen=True)
class And:
    operands: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    operands: tuple["Node", ...]


Node = Term | Not | And | Or

TOKEN = re.compile(
    r"""\s*(?:
        (?P<open>\() | (?P<close>\)) |
        "(?P<phrase>[^"]*)" |
        (?P<minus>-)(?=[^\s)]) |
        (?P<word>[^\s()"]+)
    )""",
    re.VERBOSE,
)
OPERATORS = {"AND", "OR", "NOT"}
TAG = re.compile(r"[#@][\w]+")


@dataclass(frozen=True)
class _Token:
    kind: str
    value: str
    position: int


def _tokens(text: str) -> list[_Token]:
    found, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(_("Unclosed quote at character %(position)d.") % {"position": position + 1})
        group = match.lastgroup
        value = match.group(group)
        kind = value.lower() if group == "word" and value in OPERATORS else group
        found.append(_Token(kind, value, match.start(group) + 1))
        position = match.end()
    return found


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens, self.index = tokens, 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError(_("The query is empty."))
        node = self.or_()
        token = self.peek()
        if token is not None:
            raise QueryError(_("Unexpected “%(token)s” at character %(position)d.") % _where(token))
        return node

    def or_(self) -> Node:
        operands = [self.and_()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            operands.append(self.and_())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_(self) -> Node:
        operands = [self.not_()]
        while (token := self.peek()) is not None and token.kind not in ("or", "close"):
            if token.kind == "and":
                self.take()
            operands.append(self.not_())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_(self) -> Node:
        token = self.peek()
        if token is not None and token.kind in ("not", "minus"):
            self.take()
            return Not(self.not_())
        return self.atom()

    def atom(self) -> Node:
        token = self.peek()
        if token is None:
            raise QueryError(_("The query ends where a word was expected."))
        self.take()
        if token.kind == "open":
            node = self.or_()
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise QueryError(_("The bracket at character %(position)d is not closed.") % _where(token))
            self.take()
            return node
        if token.kind == "phrase":
            words = normalize(token.value).split()
            if not words:
                raise QueryError(_("Empty quotes at character %(position)d.") % _where(token))
            return Term(" ".join(words), "phrase" if len(words) > 1 else "word")
        if token.kind == "word":
            value = token.value
            if TAG.fullmatch(value):
                return Term(normalize(value[1:]), "hashtag" if value[0] == "#" else "handle")
            words = normalize(value).split()
            return Term(" ".join(words), "word")
        raise QueryError(_("Unexpected “%(token)s” at character %(position)d.") % _where(token))


def _where(token: _Token) -> dict:
    return {"token": token.value, "position": token.position}


def parse(text: str) -> Node:
    """The query as a tree; QueryError says what is wrong and where."""
    if len(text) > MAX_LENGTH:
        raise QueryError(_("A query has at most %(limit)d characters.") % {"limit": MAX_LENGTH})
    node = _Parser(_tokens(text)).parse()
    if not _has_positive(node):
        raise QueryError(_("A query needs at least one word to look for, not only words to leave out."))
    return node


def _has_positive(node: Node) -> bool:
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_positive(operand) for operand in node.operands)
    return all(_has_positive(operand) for operand in node.operands)


# --- Matching -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A post prepared once for matching against many queries."""

    words: str  # normalised words separated by single spaces, with a space at both ends
    hashtags: frozenset[str]
    handles: frozenset[str]

    @classmethod
    def of(cls, text: str) -> "Text":
        tags = TAG.findall(text)
        return cls(
            words=" " + " ".join(re.findall(r"\w+", normalize(text))) + " ",
            hashtags=frozenset(normalize(tag[1:]) for tag in tags if tag[0] == "#"),
            handles=frozenset(normalize(tag[1:]) for tag in tags if tag[0] == "@"),
        )


def matches(node: Node, text: Text | str) -> bool:
    if isinstance(text, str):
        text = Text.of(text)
    if isinstance(node, Term):
        if node.kind == "hashtag":
            return node.text in text.hashtags
        if node.kind == "handle":
            return node.text in text.handles
        return f" {node.text}" in text.words  # at the start of a word: compounds match
    if isinstance(node, Not):
        return not matches(node.operand, text)
    if isinstance(node, And):
        return all(matches(operand, text) for operand in node.operands)
    return any(matches(operand, text) for operand in node.operands)


# --- X's search syntax ----------------------------------------------------------------------------


def to_x(node: Node, *, top: bool = True) -> str:
    """The query in X's recent-search syntax (space is AND, OR, "-" for NOT, quotes, brackets)."""
    if isinstance(node, Term):
        if node.kind == "hashtag":
            return f"#{node.text}"
        if node.kind == "handle":
            return f"@{node.text}"
        return f'"{node.text}"' if node.kind == "phrase" else node.text
    if isinstance(node, Not):
        return f"-{_grouped(node.operand)}"
    if isinstance(node, And):
        return " ".join(
            _grouped(operand) if isinstance(operand, Or) else to_x(operand) for operand in node.operands
        )
    joined = " OR ".join(
        _grouped(operand) if isinstance(operand, And) else to_x(operand) for operand in node.operands
    )
    return joined if top else f"({joined})"


def _grouped(node: Node) -> str:
    text = to_x(node)
    return f"({text})" if isinstance(node, And | Or) else text
