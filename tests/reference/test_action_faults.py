"""Each action fault switch has its probe (tests/reference/_action_probes.py), and what the switches name."""

from __future__ import annotations

from conformance.reference.actions.answers import AnswerFault
from conformance.reference.actions.forward import ForwardFault
from conformance.reference.faults import DEFINITIONS
from conformance.reference.serve import ReferenceServer
from conformance.spec.catalog import COMMON_ACTION, load_catalog
from tests.reference._action_probes import (
    ACTION_PROBES,
    ANSWERS,
    SLOT,
    answer_status,
    copy_status,
    organizer_status,
    reminder_after,
    responses,
)
from tests.reference._graph_client import GraphClient, quote_id


def test_every_action_switch_has_a_probe() -> None:
    """Each switch an action module declares has its probe here (test_faults runs them with cancel's)."""
    declared = {name for name, definition in DEFINITIONS.items() if definition.actions != ("cancel",)}
    assert set(ACTION_PROBES) == declared


def test_answer_switches_name_the_three_answers_and_proposal_ones_two() -> None:
    """Besides the common requirements (probed on the first answer selected) they may also break."""
    common = {rid for rid, requirement in load_catalog().items() if requirement.action == COMMON_ACTION}
    for name, definition in DEFINITIONS.items():
        if name.startswith("answer-"):
            assert definition.actions == ANSWERS, name
            prefixes = {rid.removeprefix("GRAPH-").split("-")[0] for rid in definition.violates
                        if rid not in common}
            assert prefixes == {"ACCEPT", "TENTATIVE", "DECLINE"}, name
        if name.startswith("proposal-"):
            assert definition.actions == ("tentativelyAccept", "decline"), name


def test_narrow_answer_switches_spare_what_they_do_not_name() -> None:
    with ReferenceServer(faults=[AnswerFault.RESPONSE_DEFAULT_FALSE]) as server:
        graph = GraphClient(server)
        assert responses(json={"sendResponse": True})(graph) == [("meetingAccepted", "", False)]
        assert organizer_status("accept")(graph) == ["accepted"]  # the organizer's event still shows it
    with ReferenceServer(faults=[AnswerFault.PROPOSAL_DROPPED]) as server:
        graph = GraphClient(server)
        assert (
            answer_status("decline", json={"proposedNewTime": SLOT, "sendResponse": False})(graph)[0] == 400
        )
    with ReferenceServer(
        faults=[AnswerFault.GAP_NO_PROPOSALS, AnswerFault.GAP_NO_ATTENDEE_STATUSES]
    ) as server:
        graph = GraphClient(server)
        created = graph.create_event()
        assert "allowNewTimeProposals" not in created and "status" not in created["attendees"][0]
        assert copy_status("tentativelyAccept")(graph) == "tentativelyAccepted"
    with ReferenceServer(faults=[ForwardFault.AUTH_IGNORED, AnswerFault.AUTH_IGNORED]) as server:
        graph = GraphClient(server)
        assert reminder_after("dismissReminder", None)(graph)[0] == 401  # another action's switch
        event = graph.create_event()
        assert graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel", None).status_code == 401
