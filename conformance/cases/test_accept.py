"""accept: its contract (routes, 202, auth, content type, permissions) and its effects."""

from conformance.cases.toolkit import ACCEPT, answer_module

globals().update(answer_module(ACCEPT))
