"""POST .../events/{id}/accept: the attendee accepts the meeting (see answers.py)."""

from __future__ import annotations

from starlette.responses import Response

from conformance.reference.actions import Action
from conformance.reference.actions.answers import CHECKED, GRAPH_CHECKED, AnswerFault, answer
from conformance.reference.call import Call


def _handle(call: Call) -> Response:
    return answer(call, "accept")


ACTION = Action(
    "accept", _handle, auth_ignored=AnswerFault.AUTH_IGNORED,
    checked=CHECKED, graph_checked=GRAPH_CHECKED, prefix="ACCEPT",
)
