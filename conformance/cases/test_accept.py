"""accept: its contract (routes, 202, auth, content type, permissions) and its effects."""

from conformance.cases.toolkit.answer_cases import answer_module
from conformance.cases.toolkit.answers import ACCEPT

globals().update(answer_module(ACCEPT))
