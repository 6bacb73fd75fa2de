"""Before any case: the base URL is a Graph API's, and every identity gets its token and reads `GET /me`.

A mistake here is the user's (or a server that cannot serve even `/me`), never a verdict: each problem is
one TargetConfigError line naming the identity, the step and the (redacted) answer, and a fix aimed at the
party that must make it: the target file, the environment, or the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from conformance.errors import (
    BudgetExhausted,
    TargetConfigError,
    TargetUnreachable,
    TokenEndpointUnreachable,
    TokenError,
)
from conformance.target.allowance import Allowance
from conformance.target.client import BudgetedAdapter, build_retry
from conformance.target.config import TargetConfig, attendee_role, token_variable
from conformance.target.redact import Redactor
from conformance.target.tokens import TokenProvider
from conformance.target.urls import quote_id

ANSWER_CHARS = 160

# The messages, one per mistake (docs/TROUBLESHOOTING.md lists each; tests/test_troubleshooting.py checks it)
NOT_GRAPH = (
    "base URL {url!r} does not look like a Microsoft Graph API: GET {path} without a token answered {answer} "
    "(Graph answers 401 with a JSON error); fix base_url / --base-url to the Graph root with its version "
    "(e.g. https://graph.microsoft.com/v1.0), or make the server answer /me"
)
TOKEN_FAILED = "identity {role!r}, getting its token ({how}): {answer}; fix {party}: {fix}"
ME_FAILED = "identity {role!r}, GET {path} with its token: {answer}; fix {party}: {fix}"
WRONG_USER = (
    "identity {role!r}, GET /me with its token: the token's user is {seen}, but {where} says user_id "
    "{expected}; fix the target file: set user_id to {seen}, or give that user's credentials"
)

# What a token endpoint's OAuth `error` code says is wrong, and where
TOKEN_FIXES = {
    "invalid_client": "client_id or client_secret of {where} is wrong (or expired)",
    "unauthorized_client": "client_id of {where} is no application the token endpoint knows for this grant",
    "invalid_grant": "username or password of {where} is wrong (or the account cannot use a password)",
    "invalid_scope": "scope of {where} is not one the token endpoint grants "
    "(e.g. https://graph.microsoft.com/.default)",
    "unsupported_grant_type": "kind of {where}: the token endpoint does not offer this grant; use another",
    "invalid_request": "token_url, client_id and scope of {where} (the token endpoint refused the request)",
}
TOKEN_FIX_OTHER = "token settings of {where} (token_url, client_id, credentials, scope)"
TOKEN_UNANSWERED = (
    "token_url of {where} names no token endpoint that answers: correct its host and port (or start the "
    "token endpoint, or check the network to it)"
)


@dataclass(frozen=True)
class TokenSource:
    """Where an identity's token comes from, in the user's words, and who fixes it."""

    where: str  # `identities.organizer.token in FILE` or `$GRAPH_CONFORMANCE_TOKEN_ORGANIZER`
    party: str  # `the target file` or `the environment`
    fetched: bool  # a token endpoint issues it (password, client_credentials, msal)


def check_configuration(
    target: TargetConfig, environ: Mapping[str, str], allowance: Allowance | None = None
) -> None:
    """The base URL answers as Graph does, and every identity's token is issued and accepted (one line).

    Each request and retry is taken from `allowance` (the run's budget) as in the run; one that does not fit
    is not sent, and the budget too small for the check is the target file's mistake (one line).
    """
    allowance = allowance or Allowance(target.run_budget)
    retry = build_retry(target.retry_total, target.backoff_max, target.retry_after_max, allowance)
    with requests.Session() as session:  # 429/503 honoured as in the run: a throttled check is no mistake
        session.mount("http://", BudgetedAdapter(allowance, max_retries=retry))
        session.mount("https://", BudgetedAdapter(allowance, max_retries=retry))
        try:
            check_is_graph(target.base_url, _timeout(target), session)
            _check_identities(target, environ, session)
        except BudgetExhausted as error:
            raise TargetConfigError(
                f"{error}, during the configuration check before any case; raise budget.requests in "
                f"{target.source}"
            ) from None


def _check_identities(target: TargetConfig, environ: Mapping[str, str], session: requests.Session) -> None:
    redactor = Redactor(target.secrets())
    for role, identity in target.identities.items():
        if identity.token is None:
            continue
        source = token_source(target, role, environ)
        provider = TokenProvider(role, identity.token, timeout=_timeout(target), on_token=redactor.add)
        token = _token(provider, source)
        read = _Reader(target, token, session)
        if role == "application":
            user = identity.user_ids[0] if identity.user_ids else None
            if user:
                _check_read(read, role, f"/users/{quote_id(user)}/calendar", source, redactor)
            continue
        me = _check_read(read, role, "/me", source, redactor)
        if me is not None and identity.user_id and str(me.get("id", "")).lower() != identity.user_id.lower():
            where = f"{_key(role)} in {target.source}"
            raise TargetConfigError(
                WRONG_USER.format(role=role, seen=me.get("id"), where=where, expected=identity.user_id)
            )


def check_is_graph(
    base_url: str, timeout: tuple[float, float] = (5.0, 30.0), session: requests.Session | None = None
) -> None:
    """TargetConfigError when `GET {base}/me` without a token gets a 404 or an HTML page (no Graph API)."""
    path = f"{base_url.rstrip('/')}/me"
    answer = _get(session, path, None, timeout, base_url)
    html = "html" in answer.headers.get("Content-Type", "").lower()
    if answer.status_code == 404 or (html and not isinstance(_json(answer), dict)):
        raise TargetConfigError(NOT_GRAPH.format(url=base_url, path=path, answer=answer_text(answer, None)))


def token_source(target: TargetConfig, role: str, environ: Mapping[str, str]) -> TokenSource:
    """Where `role`'s token comes from: its environment variable, or its key in the target file."""
    identity = target.identities[role]
    variable = token_variable(role)
    if environ.get(variable):
        return TokenSource(f"${variable}", "the environment", fetched=False)
    fetched = identity.token is not None and identity.token.kind != "literal"
    defaults = " (merged with token_defaults)" if fetched else ""
    return TokenSource(f"{_key(role)}.token{defaults} in {target.source}", "the target file", fetched)


def me_problem(
    role: str, path: str, answer: requests.Response, source: TokenSource, redactor: Redactor
) -> str:
    """The one line saying why `GET path` with `role`'s token did not answer 200 with a JSON object."""
    text = answer_text(answer, redactor)
    status = answer.status_code
    party, fix = source.party, ""
    if status == 401 and source.fetched:
        fix = (f"the token endpoint issued this token but the API refuses it: check that the scope of "
               f"{source.where} names this API; if it does, the server must accept its own tokens")
        party = "the target file or the server"
    elif status == 401:
        fix = f"the token in {source.where} is wrong or expired: give a fresh one"
    elif status == 403:
        fix = (f"the token of {source.where} lacks a permission: grant it Calendars.ReadWrite "
               "(application: Calendars.ReadWrite as an application permission) and User.Read")
    elif status == 404 and path != "/me":
        fix = f"{_key(role)}.user_ids names no user of this server: list the organizer's user id first"
        party = source.party
    elif not isinstance(_json(answer), dict):
        fix = "base_url / --base-url must be the Graph root with its version, e.g. https://graph.microsoft.com/v1.0"
        party = "the base URL"
    else:
        fix = f"GET {path} must answer 200 with the user (id, userPrincipalName)"
        party = "the server"
    return ME_FAILED.format(role=role, path=path, answer=text, party=party, fix=fix)


def answer_text(answer: requests.Response, redactor: Redactor | None) -> str:
    """`HTTP 401 InvalidAuthenticationToken: Access token is empty.` (redacted, one bounded line)."""
    body = _json(answer)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        detail = f" {error.get('code', '')}: {error.get('message', '')}".rstrip(": ")
    elif isinstance(body, dict):
        detail = ""
    else:
        kind = answer.headers.get("Content-Type", "no content type").split(";")[0]
        detail = f" ({kind}, not JSON)"
    line = " ".join(f"HTTP {answer.status_code}{detail}".split())[:ANSWER_CHARS]
    return (redactor or Redactor()).text(line)


def _token(provider: TokenProvider, source: TokenSource) -> str:
    """The identity's token; its failure as one line aimed at the target file (or the environment)."""
    try:
        return provider.token()
    except TokenError as error:
        answer, fix = error.reason, TOKEN_FIXES.get(error.oauth_error, TOKEN_FIX_OTHER)
    except TokenEndpointUnreachable as error:  # the base URL answered: the token_url is what is wrong
        answer, fix = f"the token endpoint does not answer ({error.why})", TOKEN_UNANSWERED
    spec = provider.spec
    how = (f"{spec.kind} grant at {spec.fields.get('token_url') or spec.fields.get('authority')}"
           if source.fetched else spec.kind)
    fix = "the " + fix.format(where=source.where)
    raise TargetConfigError(
        TOKEN_FAILED.format(role=provider.role, how=how, answer=answer, party=source.party, fix=fix)
    )


@dataclass(frozen=True)
class _Reader:
    """GETs under the target's base URL with one identity's token."""

    target: TargetConfig
    token: str
    session: requests.Session

    def __call__(self, path: str) -> requests.Response:
        timeout = _timeout(self.target)
        return _get(self.session, _path(self.target, path), self.token, timeout, self.target.base_url)


def _check_read(
    read: _Reader, role: str, path: str, source: TokenSource, redactor: Redactor
) -> dict[str, Any] | None:
    """The JSON object `GET path` answers with the token; a 403 on /me is retried on /me/calendar."""
    answer = read(path)
    if answer.status_code == 403 and path == "/me":  # a Calendars-only token (no User.Read) may read no /me
        calendar = read("/me/calendar")
        if calendar.status_code == 200 and isinstance(_json(calendar), dict):
            return None
    body = _json(answer)
    if answer.status_code != 200 or not isinstance(body, dict):
        raise TargetConfigError(me_problem(role, path, answer, source, redactor))
    return body


def _get(
    session: requests.Session | None, url: str, token: str | None, timeout: tuple[float, float], base_url: str
) -> requests.Response:
    """GET `url` (with the token, if any); TargetUnreachable (exit 3) when nothing answers."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return (session or requests).get(url, headers=headers, timeout=timeout, allow_redirects=False)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise TargetUnreachable(
            f"the target at {base_url} does not answer GET {url} ({type(error).__name__}); "
            "start the server or fix base_url / --base-url"
        ) from None


def _path(target: TargetConfig, path: str) -> str:
    return f"{target.base_url.rstrip('/')}{path}"


def _timeout(target: TargetConfig) -> tuple[float, float]:
    return (target.connect_timeout, target.read_timeout)


def _json(answer: requests.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _key(role: str) -> str:
    """`identities.organizer` or `identities.attendees[1]`: where a role lives in the target file."""
    for index in range(8):
        if role == attendee_role(index):
            return f"identities.attendees[{index}]"
    return f"identities.{role}"
