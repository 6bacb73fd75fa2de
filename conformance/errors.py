"""Typed errors of graph-conformance; each message names the thing, the value and the fix.

    ConformanceError
     ├── SpecParseError      a Graph reference page could not be read (file, section, line)
     ├── TargetConfigError   a target file, option or environment variable is wrong (key, value)
     ├── TargetUnreachable   the server under test does not answer
     │    ├── RequestUnanswered  one kind of request hangs while the target answers others
     │    └── TokenEndpointUnreachable  an identity's token endpoint does not answer
     ├── TokenError          a token could not be obtained from the configured source
     └── PrerequisiteFailed  (conformance.target.prerequisites, beside its records) arranging failed
    AssertionError
     └── ConformanceFailure  a requirement does not hold (the case fails)
    LookupError              (the case is not-verified; the plugin maps them, see pytest_plugin/outcomes.py)
     ├── MissingIdentity     the target configures no identity for a role a case needs
     ├── AmbiguousReplay     a cancel re-sent after a dropped connection answered 4xx
     └── BudgetExhausted     sending a request would take the run beyond its budget (it is not sent)
"""

from __future__ import annotations

from conformance.outcomes import ExitCode


class ConformanceError(Exception):
    """Base of every error this project raises on purpose."""

    exit_code: int = ExitCode.USAGE


class SpecParseError(ConformanceError):
    """A reference page is missing a section, or has a malformed table or span."""

    def __init__(self, message: str, *, file: str = "", section: str = "", line: int | None = None) -> None:
        self.file, self.section, self.line = file, section, line
        where = ":".join(part for part in (file, str(line) if line else "") if part)
        prefix = f"{where}: " if where else ""
        in_section = f" (section '{section}')" if section else ""
        super().__init__(f"{prefix}{message}{in_section}")


class TargetConfigError(ConformanceError):
    """The target configuration is invalid; the message names the offending key."""


class TargetUnreachable(ConformanceError):
    """The server under test could not be reached."""

    exit_code = ExitCode.TARGET_UNREACHABLE


class RequestUnanswered(TargetUnreachable):
    """One request got no answer (or was not sent: its kind hung before) while the target answers others."""

    def __init__(self, message: str, *, remembered: bool = False) -> None:
        super().__init__(message)
        self.remembered = remembered


class TokenEndpointUnreachable(TargetUnreachable):
    """An identity's token endpoint does not answer; `why` says how (refused, no such host, timed out)."""

    def __init__(self, message: str, *, why: str) -> None:
        self.why = why
        super().__init__(message)


class TokenError(ConformanceError):
    """A token source failed to produce a token; `oauth_error` is the endpoint's `error` code, if any."""

    def __init__(self, message: str, *, oauth_error: str = "", reason: str = "") -> None:
        self.oauth_error, self.reason = oauth_error, reason or message
        super().__init__(message)


class ConformanceFailure(AssertionError):
    """A requirement does not hold: its id, what was seen, the doc sentence and the redacted evidence."""

    def __init__(
        self,
        *,
        requirement_id: str,
        message: str,
        sentence: str = "",
        exchange: object | None = None,
        evidence: str = "",
    ) -> None:
        self.requirement_id, self.message, self.sentence = requirement_id, message, sentence
        self.exchange, self.evidence = exchange, evidence
        lines = [f"[{requirement_id}] {message}"]
        lines += [f"requirement: {sentence}"] if sentence else []
        lines += [evidence] if evidence else []
        super().__init__("\n".join(lines))


class MissingIdentity(LookupError):
    """The target file does not configure a role a case needs (the case becomes not-verified)."""

    def __init__(self, role: str) -> None:
        self.role = role
        super().__init__(f"the target configures no {role!r} identity")


class AmbiguousReplay(LookupError):
    """A cancel re-sent after a dropped connection answered 4xx: the first send may have cancelled already.

    The suite retries a request whose connection broke before any response (a reset, a read timeout). For a
    cancel, the lost first send may have reached the server; then the re-sent cancel meets an event that is
    already cancelled and answers 404 (or another 4xx), which says nothing about the server's conformance.
    Such an answer ends the case as not-verified (the plugin does it), never as a failure; a 2xx/5xx answer
    is still judged, because no earlier send can turn a correct cancel into one.
    """

    def __init__(self, method: str, url: str, status: int, errors: list[str]) -> None:
        self.method, self.url, self.status = method, url, status
        super().__init__(
            f"{method} {url} was re-sent after the connection broke ({'; '.join(errors)}) and then answered "
            f"{status}: the first send may already have cancelled the event, so this answer cannot be "
            "judged; rerun the case on a steadier connection"
        )


class BudgetExhausted(LookupError):
    """Sending a request would take the run beyond the target file's budget: it is not sent (not-verified)."""
