"""tentativelyAccept: its contract (routes, 202, auth, content type, permissions), effects, proposals.

Requirements: every TENTATIVE-* id of the catalog (routes, 202, permissions, auth, content type,
the optional comment, the response and its comment, statuses, proposals)
and GRAPH-TENTATIVE-ORGANIZER-4XX; each bound case carries its id as a `requirement` marker.
"""

from conformance.cases.toolkit import answer_module
from conformance.cases.toolkit.answers import TENTATIVE

globals().update(answer_module(TENTATIVE))
