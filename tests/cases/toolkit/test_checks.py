"""The toolkit's check helpers on answers built in memory: one that passes, those that must fail."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

import pytest

from conformance.cases.toolkit import checks
from conformance.cases.toolkit.checks import Seen
from conformance.errors import ConformanceFailure
from conformance.spec.catalog import load_catalog
from conformance.target.config import TargetConfig
from conformance.target.polling import Base, Bound, Effect, EffectLatencies
from conformance.target.redact import Redactor
from conformance.target.transcript import Transcript
from tests.cases.toolkit._answers import ABSENT, Clock, answer, envelope

SKIP = pytest.skip.Exception  # what not_applicable raises


# --- the Graph error envelope -------------------------------------------------------------------------------

def test_a_well_formed_error_envelope_has_no_problem() -> None:
    assert checks.envelope_problems(answer(400, envelope())) == []


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON", "application/problem+json"])
def test_any_json_content_type_is_accepted(content_type: str) -> None:
    assert checks.envelope_problems(answer(400, envelope(), content_type=content_type)) == []


NOT_AN_ERROR_OBJECT = "the body is not a JSON object with an `error` object"
ERROR = envelope()["error"]
BROKEN_ENVELOPES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "no-content-type": ({"content_type": ABSENT}, ["Content-Type is '', not a JSON type"]),
    "text-content-type": ({"content_type": "text/plain"}, ["Content-Type is 'text/plain', not a JSON type"]),
    "html-and-no-error": ({"content_type": "text/html", "raw": b"<html/>"},
                          ["Content-Type is 'text/html', not a JSON type", NOT_AN_ERROR_OBJECT]),
    "not-json": ({"raw": b"oops"}, [NOT_AN_ERROR_OBJECT]),
    "empty-body": ({"raw": b""}, [NOT_AN_ERROR_OBJECT]),
    "a-list": ({"body": [ERROR]}, [NOT_AN_ERROR_OBJECT]),
    "no-error": ({"body": {"code": "x", "message": "y"}}, [NOT_AN_ERROR_OBJECT]),
    "error-a-string": ({"body": {"error": "ErrorInvalidRequest"}}, [NOT_AN_ERROR_OBJECT]),
    "no-code": ({"body": {"error": {**ERROR, "code": None}}}, ["error.code is missing or not a string"]),
    "code-a-number": ({"body": {"error": {**ERROR, "code": 400}}}, ["error.code is missing or not a string"]),
    "no-message": ({"body": {"error": {key: value for key, value in ERROR.items() if key != "message"}}},
                   ["error.message is missing or not a string"]),
    "no-code-no-message": ({"body": {"error": {"innerError": ERROR["innerError"]}}},
                           ["error.code is missing or not a string",
                            "error.message is missing or not a string"]),
    "no-inner-error": ({"body": {"error": {"code": "x", "message": "y"}}},
                       ["error.innerError is missing or not an object"]),
    "inner-error-a-string": ({"body": {"error": {**ERROR, "innerError": "r-1"}}},
                             ["error.innerError is missing or not an object"]),
    "inner-without-date": ({"body": envelope(date=None)}, ["error.innerError lacks date"]),
    "inner-without-request-id": ({"body": envelope(**{"request-id": None})},
                                 ["error.innerError lacks request-id"]),
    "inner-without-client-request-id": ({"body": envelope(**{"client-request-id": None})},
                                        ["error.innerError lacks client-request-id"]),
    "inner-empty": ({"body": {"error": {**ERROR, "innerError": {}}}},
                    ["error.innerError lacks date, request-id, client-request-id"]),
}


@pytest.mark.parametrize(("shape", "expected"), BROKEN_ENVELOPES.values(), ids=BROKEN_ENVELOPES.keys())
def test_each_flaw_of_an_error_envelope_is_named(shape: dict[str, Any], expected: list[str]) -> None:
    given = shape if "body" in shape or "raw" in shape else {"body": envelope(), **shape}
    assert checks.envelope_problems(answer(400, **given)) == expected


# --- reading answers ----------------------------------------------------------------------------------------

def test_json_of_is_the_body_or_none() -> None:
    assert checks.json_of(answer(200, {"a": [1]})) == {"a": [1]}
    assert checks.json_of(answer(200, raw=b"{not json")) is None
    assert checks.json_of(answer(202)) is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [(envelope(), "ErrorInvalidRequest"), ({"error": {"code": 7}}, None), ({"error": "x"}, None),
     ({"code": "ErrorInvalidRequest"}, None), (["error"], None), (None, None)],
    ids=["envelope", "code-a-number", "error-a-string", "no-error", "a-list", "no-body"],
)
def test_error_code_reads_only_an_envelopes_string_code(body: Any, expected: str | None) -> None:
    assert checks.error_code(answer(400, body)) == expected


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [(404, "ResourceNotFound", True), (404, "ErrorItemNotFound", False), (400, "ResourceNotFound", False)],
)
def test_an_unknown_route_is_a_404_resource_not_found(status: int, code: str, expected: bool) -> None:
    assert checks.is_unknown_route(answer(status, {"error": {"code": code, "message": "m"}})) is expected


# --- failures explain themselves ----------------------------------------------------------------------------

def test_the_catalog_gives_each_requirement_its_sentence_and_profile() -> None:
    catalog = load_catalog()
    assert checks.sentence_of("CANCEL-202-EMPTY") == catalog["CANCEL-202-EMPTY"].sentence != ""
    assert checks.profile_of("CANCEL-ROUTE-GROUPS-EVENTS") == "groups"
    assert checks.profile_of("CANCEL-202-EMPTY") == "core"
    with pytest.raises(KeyError, match=r"'NO-SUCH-ID' is not in the requirement catalog \(openapi/req"):
        checks.sentence_of("NO-SUCH-ID")


def test_a_requirement_of_an_unsupported_profile_is_not_applicable() -> None:
    target = cast(TargetConfig, SimpleNamespace(unsupported_profiles=["groups"]))
    try:
        checks.require_profile(target, "CANCEL-202-EMPTY")  # core: goes on
    except SKIP as skipped:  # a skip would pass this test unnoticed: fail it instead
        pytest.fail(f"a core requirement ended as skipped: {skipped}")
    expected = (r"^not-applicable: CANCEL-ROUTE-GROUPS-EVENTS belongs to profile 'groups', "
                r"which the target does not support$")
    with pytest.raises(SKIP, match=expected):
        checks.require_profile(target, "CANCEL-ROUTE-GROUPS-EVENTS")


def test_a_doc_failure_cites_its_sentence_level_and_section() -> None:
    requirement = load_catalog()["CANCEL-202-EMPTY"]
    error = checks.failure("CANCEL-202-EMPTY", "status 200, not 202")
    assert error.requirement_id == "CANCEL-202-EMPTY" and error.message == "status 200, not 202"
    assert error.sentence == f'"{requirement.sentence}" (doc: {requirement.source}#{requirement.section})'
    assert error.exchange is None and error.evidence == ""
    assert str(error) == f"[CANCEL-202-EMPTY] status 200, not 202\nrequirement: {error.sentence}"


def test_a_graph_failure_cites_its_public_source_without_a_section() -> None:
    requirement = load_catalog()["GRAPH-ERROR-ENVELOPE"]
    error = checks.failure("GRAPH-ERROR-ENVELOPE", "no envelope", answer(400, raw=b"x"))
    assert error.sentence == f'"{requirement.sentence}" (graph: {requirement.source})'
    assert error.evidence == "response: HTTP 400"


def test_a_failure_of_an_unknown_id_still_fails() -> None:
    error = checks.failure("NO-SUCH-ID", "broken")
    assert (error.requirement_id, error.sentence) == ("NO-SUCH-ID", "(not in the requirement catalog)")


def test_the_evidence_is_the_redacted_exchange_and_a_curl_line() -> None:
    assert checks.exchange_text(None) == ""
    response = answer(400, envelope())
    assert checks.exchange_text(response) == "response: HTTP 400"
    Transcript(Redactor(["secret-token"])).record(response, "organizer")
    text = checks.exchange_text(response)
    assert text.startswith("--- request (as organizer) ---\nPOST http://127.0.0.1:1/v1.0/me/events/AAA/cancel")
    assert "\nreproduce: curl -i -X POST " in text and "secret-token" not in text
    error = checks.failure("GRAPH-ERROR-ENVELOPE", "bad", response)
    assert error.exchange is not None and error.evidence == text


def test_expect_raises_only_when_the_condition_fails() -> None:
    checks.expect(True, "CANCEL-202-EMPTY", "never shown")
    checks.expect([0], "CANCEL-202-EMPTY", "a non-empty value holds")
    with pytest.raises(ConformanceFailure, match=r"^\[CANCEL-202-EMPTY\] shown\n") as caught:
        checks.expect([], "CANCEL-202-EMPTY", "shown", answer(200, {"id": 1}))
    assert caught.value.evidence == "response: HTTP 200"


@pytest.mark.parametrize("status", [429, 503])
def test_a_check_resting_on_a_throttled_answer_is_not_verified(status: int) -> None:
    throttled = rf"^not-verified: throttled: shown \(HTTP {status} after"
    with pytest.raises(pytest.skip.Exception, match=throttled):
        checks.expect(False, "CANCEL-202-EMPTY", "shown", answer(status, envelope()))
    with pytest.raises(ConformanceFailure):  # other answers stay findings
        checks.expect(False, "CANCEL-202-EMPTY", "shown", answer(500, envelope()))
    checks.expect(True, "CANCEL-202-EMPTY", "never shown", answer(status, envelope()))


@pytest.mark.parametrize(
    ("statuses", "wanted"),
    [((202,), "202"), ((400, 405), "400 or 405"), ((400, 401, 403), "a 4xx")],
    ids=["one", "two", "a-range"],
)
def test_expect_status_names_what_it_wanted(statuses: tuple[int, ...], wanted: str) -> None:
    checks.expect_status(answer(statuses[-1]), "CANCEL-202-EMPTY", statuses, "the cancel")
    with pytest.raises(ConformanceFailure) as caught:
        checks.expect_status(answer(500), "CANCEL-202-EMPTY", statuses, "the cancel")
    assert caught.value.message == f"the cancel got HTTP 500, expected {wanted}"
    assert (caught.value.requirement_id, caught.value.evidence) == ("CANCEL-202-EMPTY", "response: HTTP 500")


def test_expect_error_wants_the_status_first_then_the_code() -> None:
    refusal = answer(400, {"error": {"code": "ErrorInvalidRequest", "message": "m"}})
    checks.expect_error(refusal, "CANCEL-ATTENDEE-400", 400, "ErrorInvalidRequest")
    with pytest.raises(ConformanceFailure) as wrong_status:
        checks.expect_error(answer(403, envelope()), "CANCEL-ATTENDEE-400", 400, "ErrorInvalidRequest",
                            "the cancel")
    assert wrong_status.value.message == "the cancel got HTTP 403, expected 400"
    assert (wrong_status.value.requirement_id, wrong_status.value.evidence) == (
        "CANCEL-ATTENDEE-400", "response: HTTP 403")
    with pytest.raises(ConformanceFailure) as wrong_code:
        checks.expect_error(answer(400, {"error": {"code": "Other"}}), "CANCEL-ATTENDEE-400", 400,
                     "ErrorInvalidRequest")
    assert wrong_code.value.message == "the request: error.code is 'Other', not 'ErrorInvalidRequest'"
    assert (wrong_code.value.requirement_id, wrong_code.value.evidence) == (
        "CANCEL-ATTENDEE-400", "response: HTTP 400")


# --- polling ------------------------------------------------------------------------------------------------

@dataclass
class Quick:
    """A polling bound of a few tens of milliseconds."""

    poll_timeout_s: float = 0.05
    poll_interval_s: float = 0.01


@dataclass(frozen=True)
class Taught(Bound):
    """A Bound that notes when a poll reports the effect found."""

    taught: list[bool] = ()  # type: ignore[assignment]  # a list given by the test

    def found(self, missed_at: float | None = None, began: float | None = None) -> None:
        self.taught.append(True)


def bound(taught: list[bool]) -> Taught:
    return Taught(Effect.NOTICE, 0.05, 0.01, "10x the 5 ms it took", taught=taught)


def test_poll_returns_the_first_look_that_finds_and_teaches_the_bound() -> None:
    looks = iter([Seen(False, "a"), Seen(True, "b"), Seen(True, "c")])
    taught: list[bool] = []
    assert checks.poll(lambda: next(looks), bound(taught)) == Seen(True, "b")
    assert taught == [True]


def test_poll_returns_the_last_look_when_nothing_is_found_and_teaches_nothing() -> None:
    count: list[int] = []

    def fetch() -> Seen[int]:
        count.append(1)
        return Seen(False, len(count))

    taught: list[bool] = []
    seen = checks.poll(fetch, bound(taught))
    assert not seen.found and seen.value == len(count) > 1
    assert taught == []
    count.clear()
    checks.poll(fetch, Quick(poll_timeout_s=0.5, poll_interval_s=0.01))
    assert len(count) >= 5, "looks every poll_interval_s (0.01 s), not at some default"
    assert checks.poll(fetch, Quick()).found is False  # a plain Polling is no Bound: nothing to teach


def test_a_found_look_teaches_a_real_bound_the_latency_but_never_shortens_it() -> None:
    latencies = EffectLatencies(
        lambda effect: Base(0.02, "default", effect.key), interval_s=0.01, factor=10.0
    )
    learning = latencies.bound(Effect.NOTICE, "to deliver a notice")
    looks = iter([Seen(False, 0), Seen(True, 1)])
    assert checks.poll(lambda: next(looks), learning).found
    assert latencies.slowest(Effect.NOTICE) is not None
    assert latencies.bound(Effect.NOTICE).poll_timeout_s >= 0.02, "learning never shortens the base"
    assert latencies.slowest(Effect.INVITATION) is None, "one kind never teaches another"


def test_waited_says_how_long_and_why() -> None:
    assert checks.waited(Quick(poll_timeout_s=30.0)) == "within 30s"
    assert checks.waited(Quick(poll_timeout_s=0.5)) == "within 0.5s"
    assert re.fullmatch(r"waited \S+ s since its cause: 10x the 5 ms it took", checks.waited(bound([])))


def test_expect_eventually_returns_the_value_found_even_falsy() -> None:
    looks: Iterator[Seen[list[int]]] = iter([Seen(False, [1]), Seen(True, [])])
    found = checks.expect_eventually(lambda: next(looks), "CANCEL-OCCURRENCE", "never",
                                     Quick(poll_timeout_s=1.0))
    assert found == []


def test_expect_eventually_fails_with_the_last_answer_and_the_wait() -> None:
    last = answer(200, {"value": []})
    with pytest.raises(ConformanceFailure) as caught:
        checks.expect_eventually(lambda: Seen(False, None, last), "CANCEL-OCCURRENCE", "still listed",
                                 Quick())
    assert caught.value.message == "still listed (within 0.05s)"
    assert caught.value.requirement_id == "CANCEL-OCCURRENCE"
    assert caught.value.evidence == "response: HTTP 200"


def test_the_catalog_is_read_once() -> None:
    checks._catalog.cache_clear()
    checks.sentence_of("CANCEL-202-EMPTY")
    checks.sentence_of("GRAPH-ERROR-ENVELOPE")
    assert checks._catalog.cache_info().misses == 1


def test_a_first_look_long_after_the_cause_counts_the_effect_but_measures_nothing() -> None:
    entries: list[dict[str, Any]] = []
    ahead = Bound(Effect.NOTICE, 30.0, 0.01, "test", "to deliver a notice", time.monotonic() - 10.0,
                  record=entries.append)
    assert checks.poll(lambda: Seen(True, 1), ahead) == Seen(True, 1)
    assert entries[-1] == {"kind": "notice", "seen": 1}, "a case acted ahead: latency unknown"


def test_a_first_look_begun_at_once_measures_its_own_wait() -> None:
    entries: list[dict[str, Any]] = []
    prompt = Bound(Effect.NOTICE, 30.0, 0.05, "test", "to deliver a notice", record=entries.append)

    def slow() -> Seen[int]:
        time.sleep(0.2)  # a look the target made wait: longer than the interval
        return Seen(True, 1)

    assert checks.poll(slow, prompt).found
    assert entries[-1]["kind"] == "notice" and entries[-1]["latency_s"] >= 0.2


def test_a_wait_whose_kind_is_proven_never_to_come_stops_after_one_look() -> None:
    latencies = EffectLatencies(lambda effect: Base(5.0, "default", effect.key), interval_s=0.01, factor=10.0)
    latencies.bound(Effect.NOTICE, "to deliver the invitation").ran_out()
    later = latencies.bound(Effect.NOTICE, "to deliver a notice")
    looks: list[int] = []

    def fetch() -> Seen[int]:
        looks.append(1)
        assert len(looks) == 1, "looked again though the kind is proven never to come"
        return Seen(False, 0)

    assert checks.poll(fetch, later) == Seen(False, 0)
    assert len(later.notes) == 1 and re.fullmatch(
        r"looked \S+ s since its cause, then stopped: no effect of kind 'notice' has shown in this run, and "
        r"the wait to deliver the invitation ran out its full bound of 5.0 s \(default; effects\.notice_s "
        r"raises it\)", later.notes[0]), later.notes


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The checks' clock, faked: polls take no real time, each look's moment is exact."""
    fake = Clock()
    monkeypatch.setattr(checks, "time", fake)
    return fake


def counted(clock: Clock, looks: list[float], *, found_at: int = 0, most: int = 4) -> Any:
    """A fetch noting when it looked, finding at its `found_at`th look (0: never), at most `most` looks."""

    def fetch() -> Seen[int]:
        looks.append(clock.now)
        assert len(looks) <= most, f"looked again at {clock.now} s: {looks}"
        return Seen(len(looks) == found_at, len(looks))

    return fetch


def since_zero(record: Any = None) -> Bound:
    """A bound of 1 s from a cause at 0 s, looking every 0.375 s: looks at 0, 0.375, 0.75 and 1 s."""
    return Bound(Effect.APPLIED, 1.0, 0.375, "test", "to change the event", 0.0, record=record)


def test_a_poll_ends_with_a_last_look_exactly_at_its_deadline(clock: Clock) -> None:
    looks: list[float] = []
    entries: list[dict[str, Any]] = []
    seen = checks.poll(counted(clock, looks), since_zero(entries.append))
    assert seen == Seen(False, 4)
    assert looks == [0.0, 0.375, 0.75, 1.0]
    assert entries[-1] == {"kind": "applied", "ran_out": True}


def test_a_quiet_period_is_watched_until_a_last_look_at_its_end(clock: Clock) -> None:
    looks: list[float] = []
    seen = checks.stays_absent(counted(clock, looks), since_zero())
    assert seen == Seen(False, 4)
    assert looks == [0.0, 0.375, 0.75, 1.0], "every interval, the last look at the end, not after"


def test_an_effect_seen_within_the_quiet_period_ends_it_at_once(clock: Clock) -> None:
    looks: list[float] = []
    assert checks.stays_absent(counted(clock, looks, found_at=2), since_zero()) == Seen(True, 2)
    assert looks == [0.0, 0.375]
    looks.clear()
    late = Bound(Effect.APPLIED, 1.0, 0.375, "test", "to change the event", -5.0)
    assert checks.stays_absent(counted(clock, looks), late) == Seen(False, 1)
    assert len(looks) == 1, "a cause long past: one look"
