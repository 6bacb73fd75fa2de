"""The OData query options the suite uses: $filter (eq/ne/comparisons, startswith, contains, and/or/not),
$select, $orderby, $top, $skip and @odata.nextLink paging."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from conformance.reference.graph_errors import bad_request

Predicate = Callable[[dict[str, Any]], bool]
_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<punct>[(),])|(?P<word>[A-Za-z0-9_./:+@$-]+))")
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda left, right: left == right,
    "ne": lambda left, right: left != right,
    "gt": lambda left, right: left is not None and right is not None and left > right,
    "ge": lambda left, right: left is not None and right is not None and left >= right,
    "lt": lambda left, right: left is not None and right is not None and left < right,
    "le": lambda left, right: left is not None and right is not None and left <= right,
}
_FUNCTIONS: dict[str, Callable[[Any, str], bool]] = {
    "startswith": lambda value, text: isinstance(value, str) and value.lower().startswith(text.lower()),
    "endswith": lambda value, text: isinstance(value, str) and value.lower().endswith(text.lower()),
    "contains": lambda value, text: isinstance(value, str) and text.lower() in value.lower(),
}
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000
MAX_FILTER_DEPTH = 32  # parentheses and `not`s nested in one $filter
# what one request may cost: beyond these a query option is answered 400, as Graph refuses what it will not do
MAX_FILTER_TOKENS = 400  # words, strings and punctuation in one $filter (each is evaluated on every item)
MAX_ORDERBY_KEYS = 32  # properties one $orderby sorts by (each is one sort of the whole collection)
MAX_COUNT = 2**31 - 1  # $top and $skip are Edm.Int32 in Graph's metadata
_TRAILING_SPACE = re.compile(r"\s*\Z")


def property_value(item: Mapping[str, Any], path: str) -> Any:
    """The value at a `/`-separated property path (case-insensitive names), or None."""
    value: Any = item
    for name in path.split("/"):
        if not isinstance(value, Mapping):
            return None
        value = next((found for key, found in value.items() if key.lower() == name.lower()), None)
    return value


def parse_filter(text: str) -> Predicate:
    """A predicate for an OData $filter expression; 400 BadRequest naming the problem otherwise."""
    tokens = _tokenize(text)
    parser = _Parser(tokens, text)
    predicate = parser.expression()
    if parser.position != len(tokens):
        raise _invalid(text, f"unexpected '{tokens[parser.position][1]}'")
    return predicate


def apply_query(items: list[dict[str, Any]], params: Mapping[str, str], page_url: str) -> dict[str, Any]:
    """Filter, order, page and project a collection; the answer's `value` and optional `@odata.nextLink`."""
    options = {key.lstrip("$").lower(): value for key, value in params.items()}
    if options.get("filter"):
        predicate = parse_filter(options["filter"])
        items = [item for item in items if predicate(item)]
    if options.get("orderby"):
        clauses = options["orderby"].split(",")
        if len(clauses) > MAX_ORDERBY_KEYS:
            raise bad_request(f"Invalid $orderby: {len(clauses)} properties; at most {MAX_ORDERBY_KEYS} are "
                              "supported.")
        for clause in reversed(clauses):
            name, _, direction = clause.strip().partition(" ")
            items.sort(key=_sort_by(name), reverse=direction.strip().lower() == "desc")
    top = _count(options.get("top"), "$top", DEFAULT_PAGE_SIZE)
    skip = _count(options.get("skip"), "$skip", 0)
    page = items[skip : skip + min(top, MAX_PAGE_SIZE)]
    answer: dict[str, Any] = {"value": [_select(item, options.get("select")) for item in page]}
    if skip + len(page) < len(items):  # Outlook pages on with $skip, keeping $top, as real Graph does
        next_params = {key: value for key, value in params.items() if key.lstrip("$").lower() != "skip"}
        next_params["$skip"] = str(skip + len(page))
        answer["@odata.nextLink"] = f"{page_url}?{urlencode(next_params)}"
    return answer


def select_one(item: dict[str, Any], params: Mapping[str, str]) -> dict[str, Any]:
    """Project a single entity by $select."""
    options = {key.lstrip("$").lower(): value for key, value in params.items()}
    return _select(item, options.get("select"))


def _select(item: dict[str, Any], select: str | None) -> dict[str, Any]:
    if not select:
        return item
    wanted = {name.strip().lower() for name in select.split(",") if name.strip()}
    return {
        key: value
        for key, value in item.items()
        if key.startswith("@odata")
        or key == "id"
        or key.lower() in wanted
        or key.split("@")[0].lower() in wanted
    }


def _sort_by(name: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    return lambda item: _sort_key(property_value(item, name))


def _any_of(predicates: list[Predicate]) -> Predicate:
    return lambda item: any(predicate(item) for predicate in predicates)


def _all_of(predicates: list[Predicate]) -> Predicate:
    return lambda item: all(predicate(item) for predicate in predicates)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    return (1, str(value).lower() if isinstance(value, str) else value)


def _count(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    digits = value.lstrip("0") or "0"
    too_long = len(digits) > len(str(MAX_COUNT))  # checked first: int() of 4,300+ digits raises
    if not (value.isascii() and value.isdigit()) or too_long or int(digits) > MAX_COUNT:
        shown = value if len(value) <= 20 else f"{value[:20]}... ({len(value)} characters)"
        raise bad_request(f"Invalid value '{shown}' for {name}: expected an integer from 0 to {MAX_COUNT}.")
    return int(digits)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if _TRAILING_SPACE.match(text, position):
            break
        if len(tokens) >= MAX_FILTER_TOKENS:
            raise _invalid(text[:200], f"more than {MAX_FILTER_TOKENS} terms")
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _invalid(text, f"cannot read '{text[position : position + 20]}'")
        kind = match.lastgroup or "word"
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _invalid(text: str, reason: str) -> Exception:
    return bad_request(f"Invalid filter clause: {reason} in '{text}'.")


class _Parser:
    """Recursive descent over the token list: or > and > not > comparison/function."""

    def __init__(self, tokens: list[tuple[str, str]], text: str) -> None:
        self.tokens, self.text, self.position, self.depth = tokens, text, 0, 0

    def expression(self) -> Predicate:
        return self._chain("or", self._conjunction, _any_of)

    def _conjunction(self) -> Predicate:
        return self._chain("and", self._unary, _all_of)

    def _chain(
        self, word: str, operand: Callable[[], Predicate], combine: Callable[[list[Predicate]], Predicate]
    ) -> Predicate:
        """`operand (word operand)*`: the one operand alone, else `combine` of them all."""
        operands = [operand()]
        while self._peek_word(word):
            self.position += 1
            operands.append(operand())
        return operands[0] if len(operands) == 1 else combine(operands)

    def _unary(self) -> Predicate:
        self.depth += 1
        try:
            if self.depth > MAX_FILTER_DEPTH:
                raise _invalid(self.text, f"nested deeper than {MAX_FILTER_DEPTH} levels")
            return self._unary_at_depth()
        finally:
            self.depth -= 1

    def _unary_at_depth(self) -> Predicate:
        if self._peek_word("not"):
            self.position += 1
            inner = self._unary()
            return lambda item: not inner(item)
        if self._peek(("punct", "(")):
            self.position += 1
            inner = self.expression()
            self._expect("punct", ")")
            return inner
        name = self._take("word")
        if name.lower() in _FUNCTIONS and self._peek(("punct", "(")):
            function = _FUNCTIONS[name.lower()]
            self._expect("punct", "(")
            path = self._take("word")
            self._expect("punct", ",")
            literal = self._literal()
            self._expect("punct", ")")
            return lambda item: bool(function(property_value(item, path), str(literal)))
        operator = self._take("word").lower()
        if operator not in _COMPARISONS:
            raise _invalid(self.text, f"unknown operator '{operator}'")
        literal, compare = self._literal(), _COMPARISONS[operator]
        folded = _fold(literal)
        return lambda item: bool(compare(_fold(property_value(item, name)), folded))

    def _literal(self) -> Any:
        if self._peek_kind("string"):
            return self._take("string")[1:-1].replace("''", "'")
        word = self._take("word")
        constants = {"true": True, "false": False, "null": None}
        if word.lower() in constants:
            return constants[word.lower()]
        try:
            return float(word) if "." in word else int(word)
        except ValueError:
            return word

    def _peek(self, token: tuple[str, str]) -> bool:
        return self.position < len(self.tokens) and self.tokens[self.position] == token

    def _peek_kind(self, kind: str) -> bool:
        return self.position < len(self.tokens) and self.tokens[self.position][0] == kind

    def _peek_word(self, word: str) -> bool:
        return self._peek_kind("word") and self.tokens[self.position][1].lower() == word

    def _take(self, kind: str) -> str:
        if not self._peek_kind(kind):
            found = self.tokens[self.position][1] if self.position < len(self.tokens) else "end of filter"
            raise _invalid(self.text, f"expected {kind}, found '{found}'")
        self.position += 1
        return self.tokens[self.position - 1][1]

    def _expect(self, kind: str, value: str) -> None:
        if not self._peek((kind, value)):
            raise _invalid(self.text, f"expected '{value}'")
        self.position += 1


def _fold(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value
