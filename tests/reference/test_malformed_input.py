"""Malformed input of any shape gets a Graph 4xx with the error envelope, never a 5xx (a bounded fuzz)."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests

from conformance.reference.serve import ReferenceServer
from tests.reference._graph_client import GraphClient, quote_id

SEED = 20261201
MUTATIONS_PER_BODY = 400  # x 4 bodies, plus byte-level and query mutations: about 2,500 requests in all
ODD_VALUES: tuple[Any, ...] = (
    None, True, 0, -1, 2**62, 1.5e300, "", "x" * 300, "\ud83d\ude00", [], [None], {}, {"a": {"b": []}},
    "2031-13-45T99:99:99", "Pacific/Nowhere", "../../etc/passwd", "\u0000",
)
HANDCRAFTED: dict[str, bytes] = {
    "nested 5,000 arrays": b"[" * 5000 + b"]" * 5000,
    "nested 3,000 objects": b'{"comment":' * 3000 + b"1" + b"}" * 3000,
    "nested 900 arrays in comment": b'{"comment":' + b"[" * 900 + b"]" * 900 + b"}",
    "nested 70 objects": b'{"a":' * 70 + b"1" + b"}" * 70,
    "5,000-digit integer": b'{"comment": ' + b"9" * 5000 + b"}",
    "integer past int64": b'{"comment": 9223372036854775808}',
    "float overflow": b'{"comment": 1e99999}',
    "NaN": b'{"comment": NaN}',
    "-Infinity": b'{"comment": -Infinity}',
    "invalid UTF-8": b'{"comment": "\xff\xfe"}',
    "overlong UTF-8": b'{"comment": "\xc0\xaf"}',
    "lone surrogate": b'{"comment": "\\ud800"}',
    "lone surrogate in a name": b'{"\\udfff": "x"}',
    "duplicate names": b'{"comment": "a", "comment": "b"}',
    "UTF-16": '{"comment": "a"}'.encode("utf-16"),
    "UTF-8 BOM": b'\xef\xbb\xbf{"comment": "a"}',
    "NUL bytes": b'{"comment": "a\x00b"}\x00',
    "truncated": b'{"comment": "a',
    "trailing garbage": b'{"comment": "a"} x',
    "two documents": b'{"comment": "a"}{"comment": "b"}',
    "bare string": b'"comment"',
    "bare number": b"42",
    "array of objects": b'[{"comment": "a"}]',
    "single quotes": b"{'comment': 'a'}",
    "comments in JSON": b'{/* x */"comment": "a"}',
    "control character in string": b'{"comment": "a\x01b"}',
}


def _event_body(graph: GraphClient) -> dict[str, Any]:
    return {
        "subject": "gc-fuzz",
        "body": {"contentType": "text", "content": "agenda"},
        "start": {"dateTime": "2031-05-05T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2031-05-05T10:30:00", "timeZone": "Pacific Standard Time"},
        "location": {"displayName": "room"},
        "categories": ["a"],
        "isAllDay": False,
        "reminderMinutesBeforeStart": 15,
        "attendees": [
            {"emailAddress": {"address": graph.identity("attendee")["user_principal_name"]},
             "type": "required"}
        ],
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"],
                        "firstDayOfWeek": "sunday"},
            "range": {"type": "numbered", "startDate": "2031-05-05", "numberOfOccurrences": 3},
        },
    }


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(document, dict | list):
        children = document.items() if isinstance(document, dict) else enumerate(document)
        for key, child in children:
            yield from _paths(child, (*prefix, key))


def _with_value(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    changed = copy.deepcopy(document)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return changed


def _type_mutations(document: dict[str, Any], rng: random.Random, count: int) -> Iterator[bytes]:
    """The document with one value (or a new property) replaced by a value of another type or shape."""
    paths = list(_paths(document))
    for _ in range(count):
        path = rng.choice(paths)
        if rng.random() < 0.15 and isinstance(document.get(path[0]) if path else None, dict):
            path = (*path[:1], rng.choice(("extra", "dateTime", "@odata.type", "")))
        yield json.dumps(_with_value(document, path, rng.choice(ODD_VALUES))).encode()


def _byte_mutations(body: bytes, rng: random.Random, count: int) -> Iterator[bytes]:
    """The body with a few bytes dropped, duplicated or replaced by structural or invalid bytes."""
    alphabet = b'{}[]":,\\0123456789eE.-+ntfu\x00\xff\xc3'
    for _ in range(count):
        mutated = bytearray(body)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(mutated) + 1)
            choice = rng.random()
            if choice < 0.35 and at < len(mutated):
                del mutated[at]
            elif choice < 0.7:
                mutated.insert(at, rng.choice(alphabet))
            elif at < len(mutated):
                mutated[at] = rng.choice(alphabet)
        yield bytes(mutated)


def _assert_graph_4xx_or_success(answer: requests.Response, what: str) -> None:
    assert answer.status_code < 500, f"{what}: {answer.status_code} {answer.text[:300]}"
    if answer.status_code >= 400:
        assert answer.json()["error"]["code"], f"{what}: no Graph error envelope: {answer.text[:300]}"


@pytest.fixture(scope="module")
def graph() -> Iterator[GraphClient]:
    """A server of its own: the fuzz creates calendars and events other tests would see."""
    with ReferenceServer() as server:
        yield GraphClient(server)


@pytest.fixture(scope="module")
def cancel_path(graph: GraphClient) -> str:
    return f"/me/events/{quote_id(graph.create_event()['id'])}/cancel"


@pytest.mark.parametrize("shape", sorted(HANDCRAFTED))
@pytest.mark.parametrize("path", ["cancel", "/me/events", "/me/calendars", "/me/calendarGroups"])
def test_handcrafted_malformed_bodies_get_400(
    graph: GraphClient, cancel_path: str, path: str, shape: str
) -> None:
    answer = graph.request(
        "POST", cancel_path if path == "cancel" else path, data=HANDCRAFTED[shape],
        headers={"Content-Type": "application/json"},
    )
    _assert_graph_4xx_or_success(answer, f"{shape} to {path}")
    assert answer.status_code == 400, (shape, path, answer.status_code, answer.text[:300])


def test_duplicate_names_are_refused_with_their_name(graph: GraphClient, cancel_path: str) -> None:
    answer = graph.request("POST", cancel_path, data=HANDCRAFTED["duplicate names"],
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and "'comment'" in answer.json()["error"]["message"]


def test_type_and_shape_mutations_of_valid_bodies_never_5xx(graph: GraphClient, cancel_path: str) -> None:
    rng = random.Random(SEED)
    targets: list[tuple[str, dict[str, Any]]] = [
        ("/me/events", _event_body(graph)),
        (cancel_path, {"comment": "fuzz", "Comment": "fuzz"}),
        ("/me/calendars", {"name": "gc-fuzz calendar"}),
        ("/me/calendarGroups", {"name": "gc-fuzz group"}),
    ]
    for path, document in targets:
        for body in _type_mutations(document, rng, MUTATIONS_PER_BODY):
            answer = graph.request("POST", path, data=body, headers={"Content-Type": "application/json"})
            _assert_graph_4xx_or_success(answer, f"POST {path} {body[:200]!r}")


def test_byte_mutations_of_valid_bodies_never_5xx(graph: GraphClient, cancel_path: str) -> None:
    rng = random.Random(SEED + 1)
    event_body = json.dumps(_event_body(graph)).encode()
    for path, body in (("/me/events", event_body), (cancel_path, b'{"comment": "fuzz \\u00e9 ok"}')):
        for mutated in _byte_mutations(body, rng, 250):
            answer = graph.request("POST", path, data=mutated, headers={"Content-Type": "application/json"})
            _assert_graph_4xx_or_success(answer, f"POST {path} {mutated[:200]!r}")


def test_query_mutations_never_5xx(graph: GraphClient) -> None:
    rng = random.Random(SEED + 2)
    words = ["subject", "start/dateTime", "eq", "ne", "gt", "and", "or", "not", "(", ")", ",", "'x'", "''",
             "null", "true", "1e999", "9" * 50, "startswith", "contains", "$", "'", "isCancelled", " "]
    answers = [graph.request("GET", "/me/events", params={"$filter": "(" * 3000 + "a eq 1" + ")" * 3000}),
               graph.request("GET", "/me/events", params={"$filter": "not " * 3000 + "a eq 1"}),
               graph.request("GET", "/me/events", params={"$filter": " and ".join(["subject ne 'x'"] * 900)})]
    for answer in answers:
        _assert_graph_4xx_or_success(answer, "deep $filter")
    for _ in range(200):
        soup = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        option = rng.choice(("$filter", "$top", "$skip", "$orderby", "$select"))
        answer = graph.request("GET", "/me/events", params={option: soup})
        _assert_graph_4xx_or_success(answer, f"{option}={soup}")
    moments = ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "2031-01-01T00:00:00Z", "2031-01-01", "x", "",
               "2031-01-01T00:00:00+14:00", "2031-02-30T00:00:00", "1e9", "0001-01-01T00:00:00+14:00",
               "9999-12-31T23:59:59-12:00"]
    for _ in range(80):
        window = f"startDateTime={quote(rng.choice(moments))}&endDateTime={quote(rng.choice(moments))}"
        _assert_graph_4xx_or_success(graph.request("GET", f"/me/calendarView?{window}"), window)
