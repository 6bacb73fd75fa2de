"""A target from a base URL alone: tokens from the environment (their owners asked of `/me`), or the
description a graph-conformance reference server gives of itself to loopback clients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from conformance.errors import TargetConfigError, TargetUnreachable
from conformance.target.checkup import TokenSource, check_is_graph, me_problem
from conformance.target.config import (
    ENV_PREFIX,
    USER_ROLES,
    TargetConfig,
    attendee_role,
    is_loopback_url,
    target_from_document,
    token_variable,
)
from conformance.target.redact import Redactor
from conformance.target.urls import check_base_url

DISCOVERY_PATH = "/.well-known/graph-conformance/target"
_VERSION_SEGMENTS = ("/v1.0", "/beta")
ATTENDEE_ROLES = (attendee_role(0), attendee_role(1))  # the attendees a token variable can name
GROUP_ID_VARIABLE = f"{ENV_PREFIX}GROUP_ID"
TIMEOUT_S = (5.0, 30.0)


def target_for_base_url(base_url: str, environ: Mapping[str, str]) -> TargetConfig:
    """The target at `base_url` without a target file; TargetConfigError saying what to give if none."""
    check_base_url(base_url)
    document: dict[str, Any] | None
    if environ.get(token_variable("organizer")):
        check_is_graph(base_url, TIMEOUT_S)  # a server that is not Graph's is named as such first
        document = document_from_tokens(base_url, environ)
        source = f"--base-url with tokens from {ENV_PREFIX}TOKEN_*"
    else:
        document = discovered_document(base_url)
        if document is None:
            if is_loopback_url(base_url):  # it answered the discovery: is it Graph at all?
                check_is_graph(base_url, TIMEOUT_S)
            raise TargetConfigError(
                f"base URL {base_url!r} given without a target file, and no identities to act as: set "
                f"{token_variable('organizer')} (and {token_variable('attendee')}, ...) to delegated tokens, "
                "or pass --target FILE (e.g. one written by `graph-conformance serve --write-target FILE`)"
            )
        source = f"{_root_url(base_url)}{DISCOVERY_PATH}"
    return target_from_document(document, source=source, environ=environ, base_url=base_url)


def document_from_tokens(base_url: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """A target document naming each role whose token variable is set, its user looked up with `/me`."""
    identities: dict[str, Any] = {}
    for role in USER_ROLES:
        if environ.get(token_variable(role)):
            identities[role] = _user_identity(base_url, role, environ)
    attendees = [
        _user_identity(base_url, role, environ)
        for role in ATTENDEE_ROLES
        if environ.get(token_variable(role))
    ]
    if attendees:
        identities["attendees"] = attendees
    if environ.get(token_variable("application")):
        identities["application"] = {
            "token": {"kind": "env", "var": token_variable("application")},
            "user_ids": [identities["organizer"]["user_id"]],
        }
    if environ.get(GROUP_ID_VARIABLE):
        identities["group"] = {"group_id": environ[GROUP_ID_VARIABLE]}
    return {
        "name": f"{base_url} (tokens from the environment)",
        "base_url": base_url,
        "identities": identities,
    }


def _user_identity(base_url: str, role: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """`user_id`, `user_principal_name` and `email` of the token's user (GET /me), the token by variable."""
    variable = token_variable(role)
    answer = _get(
        f"{base_url.rstrip('/')}/me",
        headers={"Authorization": f"Bearer {environ[variable]}"},
        params={"$select": "id,userPrincipalName,mail"},
    )
    me = _json_object(answer)
    if answer.status_code != 200 or not isinstance(me.get("id"), str):
        source = TokenSource(f"${variable}", "the environment", fetched=False)
        raise TargetConfigError(me_problem(role, "/me", answer, source, Redactor([environ[variable]])))
    identity: dict[str, Any] = {"user_id": me["id"], "token": {"kind": "env", "var": variable}}
    if isinstance(me.get("userPrincipalName"), str) and me["userPrincipalName"]:
        identity["user_principal_name"] = me["userPrincipalName"]
    if isinstance(me.get("mail"), str) and len(me["mail"]) >= 3:
        identity["email"] = me["mail"]
    return identity


def discovered_document(base_url: str) -> dict[str, Any] | None:
    """A loopback reference server's description of itself, or None (not loopback, or not one of ours)."""
    if not is_loopback_url(base_url):
        return None
    answer = _get(f"{_root_url(base_url)}{DISCOVERY_PATH}")
    document = _json_object(answer)
    if answer.status_code != 200 or not isinstance(document.get("identities"), dict):
        return None
    return document


def _get(url: str, **kwargs: Any) -> requests.Response:
    """GET `url`; TargetUnreachable (exit 3) when nothing answers."""
    try:
        return requests.get(url, timeout=TIMEOUT_S, **kwargs)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise TargetUnreachable(f"{url} does not answer ({type(error).__name__})") from None


def _root_url(base_url: str) -> str:
    """`http://host:port` of `http://host:port/v1.0`."""
    root = base_url.rstrip("/")
    for segment in _VERSION_SEGMENTS:
        if root.lower().endswith(segment):
            return root[: -len(segment)]
    return root


def _json_object(answer: requests.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
