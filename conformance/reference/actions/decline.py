"""POST .../events/{id}/decline: the attendee declines the meeting (see answers.py)."""

from __future__ import annotations

from starlette.responses import Response

from conformance.reference.actions import Action
from conformance.reference.actions.answers import GRAPH_CHECKED, PROPOSING_CHECKED, AnswerFault, answer
from conformance.reference.call import Call


def _handle(call: Call) -> Response:
    return answer(call, "decline")


ACTION = Action(
    "decline", _handle, auth_ignored=AnswerFault.AUTH_IGNORED,
    checked=PROPOSING_CHECKED, graph_checked=GRAPH_CHECKED, prefix="DECLINE",
)
