"""tentativelyAccept: its contract (routes, 202, auth, content type, permissions), effects, proposals."""

from conformance.cases.toolkit import TENTATIVE, answer_module

globals().update(answer_module(TENTATIVE))
