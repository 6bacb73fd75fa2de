"""decline: its contract (routes, 202, auth, content type, permissions), its effects and proposals.

Requirements: every DECLINE-* id of the catalog (routes, 202, permissions, auth, content type,
the optional comment, the response and its comment, statuses, proposals)
and GRAPH-DECLINE-ORGANIZER-4XX; each bound case carries its id as a `requirement` marker.
"""

from conformance.cases.toolkit import answer_module
from conformance.cases.toolkit.answers import DECLINE

globals().update(answer_module(DECLINE))
