"""decline: its contract (routes, 202, auth, content type, permissions), its effects and proposals."""

from conformance.cases.toolkit.answer_cases import answer_module
from conformance.cases.toolkit.answers import DECLINE

globals().update(answer_module(DECLINE))
