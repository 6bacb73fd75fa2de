"""The generated cases over several actions: what each action's description says, whose ids a family lands on,
which routes and events a case uses, and which valid request a route's essential set sends."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from schemathesis import Case
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import TestPhase

from conformance.cases.generated import _actions, _family, _ids, _plan, _schema, _select
from conformance.cases.generated import test_schemathesis as generated
from conformance.target.client import Graph
from tests.cases.generated._descriptions import TIME_SLOT, description
from tests.cases.generated._fake_case import fake_case

ACCEPT = _actions.action_info(description(), "/me/events/{event-id}/accept")
SNOOZE = _actions.action_info(description(), "/me/events/{event-id}/snoozeReminder")
DISMISS = _actions.action_info(description(), "/me/events/{event-id}/dismissReminder")


def test_an_action_is_read_from_its_description() -> None:
    assert (ACCEPT.name, ACCEPT.prefix, ACCEPT.success) == ("accept", "ACCEPT", "202")
    assert ACCEPT.member_types == {"comment": ("string", "null"), "sendResponse": ("boolean", "null"),
                                   "proposedNewTime": ("object", "null")}
    assert (SNOOZE.prefix, SNOOZE.success) == ("SNOOZE", "200")
    assert (DISMISS.members, DISMISS.cancels) == ((), False)
    tentative = "/users/{user-id}/events/{event-id}/tentativelyAccept"
    assert _actions.action_of_path(tentative) == "tentativelyAccept"


@pytest.mark.parametrize(("value", "types", "expected"), [
    ("x", ("string", "null"), True), (None, ("string", "null"), True), (True, ("boolean",), True),
    (0, ("boolean",), False), (True, ("integer", "number"), False), (1.5, ("number",), True),
    ({}, ("object",), True), ([], ("object",), False), ([], ("array",), True), ("x", (), False),
])
def test_a_json_value_has_a_type_when_its_python_type_matches(value: Any, types: tuple[str, ...],
                                                               expected: bool) -> None:
    assert _actions.has_type(value, types) is expected


ACCEPT_PATH = "/me/events/{event-id}/accept"


def accept_case(body: Any, mode: GenerationMode = GenerationMode.NEGATIVE,
                phase: TestPhase = TestPhase.COVERAGE) -> Case:
    return fake_case(body, mode=mode, phase=phase, description=description(), path_template=ACCEPT_PATH)


@pytest.mark.parametrize(("body", "flaws"), [
    ({"comment": "x", "sendResponse": False}, set()),
    ({"proposedNewTime": {"start": {}}}, set()),
    ({"sendResponse": "yes"}, {_select.WRONG_MEMBER_TYPE}),
    ({"proposedNewTime": "tomorrow"}, {_select.WRONG_MEMBER_TYPE}),
    ({"comment": 1}, {_select.WRONG_MEMBER_TYPE}),
    ({"Comment": "x"}, {_select.UNKNOWN_PARAMETER}),  # accept spells it in lower case only
    ({"sendResponse": 0, "x": 1}, {_select.WRONG_MEMBER_TYPE, _select.UNKNOWN_PARAMETER}),
])
def test_an_answers_body_flaws_follow_its_own_members(body: Any, flaws: set[str]) -> None:
    assert _select.body_flaws(accept_case(body)) == flaws


def test_a_body_flaw_of_an_action_without_members_is_any_member() -> None:
    case = fake_case({"comment": "x"}, description=description(),
                     path_template="/me/events/{event-id}/dismissReminder")
    assert _select.body_flaws(case) == {_select.UNKNOWN_PARAMETER}


def test_a_proposed_time_keeps_a_comment_out_of_the_valid_family() -> None:
    """A correct server refuses a proposal for the event's sake: no 2xx is owed to such a body."""
    assert _select.carries_one_comment(accept_case({"comment": "x"}))
    assert not _select.carries_one_comment(accept_case({"comment": "x", "proposedNewTime": {}}))


CATALOG = frozenset({"GRAPH-NO-SERVER-ERROR", "GRAPH-ERROR-ENVELOPE", "GRAPH-400-UNKNOWN-PARAMETER",
                     "GRAPH-405-OTHER-METHODS", "ACCEPT-202-EMPTY", "ACCEPT-AUTH-REQUIRED",
                     "ACCEPT-COMMENT-OPTIONAL", "SNOOZE-200-EMPTY", "DISMISS-200-EMPTY"})


def test_a_family_lands_on_the_routes_actions_requirements_the_conventions_on_every_action() -> None:
    assert _family.STATUS_FAMILY.ids_for(ACCEPT) == ("ACCEPT-202-EMPTY",)
    assert _family.STATUS_FAMILY.ids_for(SNOOZE) == ("SNOOZE-200-EMPTY",)
    assert _family.AUTH_FAMILY.ids_for(DISMISS) == ("DISMISS-AUTH-REQUIRED",)
    assert _family.VALID_FAMILY.ids_for(ACCEPT) == ()  # judged by the hand-written cases
    assert _family.VALID_FAMILY.ids_for(SNOOZE) == ()  # a generated success is no behaviour check
    assert _family.WRONG_TYPE_FAMILY.ids_for(ACCEPT) == ("GRAPH-ACCEPT-400-MEMBER-TYPE",)
    assert _family.WRONG_TYPE_FAMILY.ids_for(_family.CANCEL_ACTION) == ("GRAPH-400-COMMENT-TYPE",)
    for family in (_family.NO_SERVER_ERROR_FAMILY, _family.ENVELOPE_FAMILY, _family.METHODS_FAMILY,
                   _family.UNKNOWN_PARAMETER_FAMILY):
        assert family.ids_for(ACCEPT) == family.ids_for(DISMISS) == family.ids


def test_a_family_has_items_on_an_action_only_with_its_requirement_and_something_to_judge() -> None:
    applies = {family.name for family in _family.FAMILIES if family.applies_to(ACCEPT, CATALOG)}
    assert applies == {family.name for family in _family.FAMILIES} - {
        _family.WRONG_TYPE_FAMILY.name, _family.VALID_FAMILY.name}
    on_dismiss = {family.name for family in _family.FAMILIES if family.applies_to(DISMISS, CATALOG)}
    assert on_dismiss == {_family.NO_SERVER_ERROR_FAMILY.name, _family.ENVELOPE_FAMILY.name,
                          _family.METHODS_FAMILY.name, _family.STATUS_FAMILY.name}


def test_descriptions_merge_into_one_with_every_path_and_every_actions_scopes() -> None:
    first, second = description("Calendars.ReadWrite"), description("Calendars.Read")
    second["paths"] = {"/me/events/{event-id}/forward": second["paths"]["/me/events/{event-id}/accept"]}
    merged = _schema.merge_descriptions([first, second])
    assert len(merged["paths"]) == 4 and "/me/events/{event-id}/forward" in merged["paths"]
    assert merged["components"]["securitySchemes"]["oauth"]["flows"]["scopes"] == {
        "Calendars.ReadWrite": "x", "Calendars.Read": "x"}
    assert merged["components"]["schemas"]["timeSlot"] == TIME_SLOT
    assert "/me/events/{event-id}/forward" not in first["paths"], "the inputs are left as they were"


def test_a_reminder_time_gets_a_valid_named_example_others_are_left_alone() -> None:
    source = description()
    adapted = _schema.with_suite_examples(source)
    examples = adapted["paths"]["/me/events/{event-id}/snoozeReminder"]["post"]["requestBody"]["content"][
        "application/json"]["examples"]
    assert examples[_schema.SUITE_EXAMPLE]["value"] == _schema.SUITE_EXAMPLES["newReminderTime"]
    assert set(examples) == {"page", _schema.SUITE_EXAMPLE}
    assert adapted["paths"]["/me/events/{event-id}/accept"] == source["paths"]["/me/events/{event-id}/accept"]
    snooze = source["paths"]["/me/events/{event-id}/snoozeReminder"]["post"]["requestBody"]["content"]
    assert _schema.SUITE_EXAMPLE not in snooze["application/json"]["examples"], "the source is left alone"


def test_description_files_fall_back_to_every_event_description_cancel_first() -> None:
    files = _schema.description_files()
    assert files[0].name == "event-cancel.yaml"
    assert all(file.name.startswith("event-") and file.suffix == ".yaml" for file in files)


def test_the_run_drives_cancels_routes_and_the_representative_routes_of_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    labels = [f"POST /{prefix}/{{event-id}}/{action}" for action in ("cancel", "accept")
              for prefix in ("me/events", "me/calendar/events", "groups/{group-id}/events")]
    monkeypatch.setattr(generated, "OPERATIONS", labels)
    assert generated.operations() == [*labels[:3], labels[3], labels[5]]
    assert generated.operations(["accept"]) == [labels[3], labels[5]]
    assert generated.operations(["accept"], full_routes=True) == labels[3:]
    assert generated.operations(()) == generated.operations(None)
    assert generated.route_family("/users/{user-id}/calendars/{calendar-id}/events/{event-id}/accept") == (
        "users-calendars-events")


def fake_graph(has: set[str], unsupported: tuple[str, ...] = ()) -> Graph:
    target = SimpleNamespace(unsupported_profiles=unsupported)
    return cast(Graph, SimpleNamespace(target=target, has=lambda role: role in has))


def test_an_answer_acts_on_the_attendees_copy_as_the_attendee() -> None:
    shape = _ids.RouteShape.of("/me/calendargroups/{calendarGroup-id}/calendars/{calendar-id}/events/"
                               "{event-id}/decline")
    assert (shape.action, shape.answers, shape.owner, shape.pool_key) == ("decline", True, "attendee",
                                                                           "attendee-copy")
    assert _ids.caller_role(shape, fake_graph({"application"})) == "attendee"
    on_users = _ids.RouteShape.of("/users/{user-id}/events/{event-id}/accept")
    assert _ids.caller_role(on_users, fake_graph({"application"})) == "application"
    assert _ids.caller_role(on_users, fake_graph(set())) == "attendee"
    forward = _ids.RouteShape.of("/me/calendars/{calendar-id}/events/{event-id}/forward")
    assert (forward.owner, forward.pool_key) == ("organizer", "secondary")
    assert _ids.caller_role(forward, fake_graph(set())) == "organizer"


def test_only_a_2xx_cancel_takes_the_event_away() -> None:
    gone: list[object] = []
    supply = _ids.EventSupply(cast(Graph, None), cast(Any, SimpleNamespace(presumed_gone=gone.append)))
    event = cast(Any, "event")
    supply.spent(_ids.RouteShape.of("/me/events/{event-id}/forward"), event)
    supply.spent(_ids.RouteShape.of("/me/events/{event-id}/accept"), event)
    assert gone == []
    supply.spent(_ids.RouteShape.of("/me/events/{event-id}/cancel"), event)
    assert gone == [event]


@pytest.mark.parametrize(("bodies", "chosen"), [
    ([{"comment": "x", "sendResponse": True}, {"comment": "x", "sendResponse": False}], 1),  # no response
    ([{"newReminderTime": {"dateTime": "x"}}, _schema.SUITE_EXAMPLES["newReminderTime"]], 1),  # a valid time
    ([{"comment": "x", "proposedNewTime": {}}, {}], 1),  # a proposal may be refused for the event's sake
    ([{"Comment": "page"}, {"comment": "x"}], 0),  # cancel's page example
])
def test_the_essential_valid_request_is_one_a_correct_server_accepts_at_the_least_mail(
    bodies: list[dict[str, Any]], chosen: int
) -> None:
    cases = [accept_case(body, mode=GenerationMode.POSITIVE) for body in bodies]
    assert _plan.essential(cases)[0] is cases[chosen]


def test_an_actions_first_route_adds_the_named_examples_that_stress_a_server_first() -> None:
    def named(body: dict[str, Any], mode: GenerationMode = GenerationMode.POSITIVE) -> Case:
        return accept_case(body, mode=mode, phase=TestPhase.EXAMPLES)

    plain, proposal = named({"comment": "page"}), named({"comment": "é", "proposedNewTime": {}})
    non_ascii, long = named({"comment": "é"}), named({"comment": "x" * 1001})
    cases = [plain, proposal, non_ascii, long, named({"comment": "é", "x": 1}, GenerationMode.NEGATIVE),
             accept_case({"comment": "é" * 5}, mode=GenerationMode.POSITIVE)]  # coverage: not a named one
    assert _plan.named_examples(cases, [], 2) == [non_ascii, long]
    assert _plan.named_examples(cases, [non_ascii], 2) == [long, plain]
    assert _plan.named_examples(cases, [], 0) == []
