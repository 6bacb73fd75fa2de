"""tentativelyAccept: its contract (routes, 202, auth, content type, permissions), effects, proposals."""

from conformance.cases.toolkit.answer_cases import answer_module
from conformance.cases.toolkit.answers import TENTATIVE

globals().update(answer_module(TENTATIVE))
