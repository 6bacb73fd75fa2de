"""accept: its contract (routes, 202, auth, content type, permissions) and its effects.

Requirements: every ACCEPT-* id of the catalog (routes, 202, permissions, auth, content type,
the optional comment, the response and its comment, both copies' statuses)
and GRAPH-ACCEPT-ORGANIZER-4XX; each bound case carries its id as a `requirement` marker.
"""

from conformance.cases.toolkit import answer_module
from conformance.cases.toolkit.answers import ACCEPT

globals().update(answer_module(ACCEPT))
