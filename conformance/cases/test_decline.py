"""decline: its contract (routes, 202, auth, content type, permissions), its effects and proposals."""

from conformance.cases.toolkit import DECLINE, answer_module

globals().update(answer_module(DECLINE))
