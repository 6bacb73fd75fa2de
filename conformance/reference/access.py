"""Who may do what: the mailbox a request addresses, and the permissions each operation needs."""

from __future__ import annotations

import json
from dataclasses import dataclass

from conformance.reference.auth import Principal
from conformance.reference.calendar_ops import find_user
from conformance.reference.faults import Fault
from conformance.reference.graph_errors import MESSAGES, GraphError, access_denied, bad_request
from conformance.reference.routing import RouteMatch
from conformance.reference.seed import user
from conformance.reference.store import Store

READ_CALENDAR = ("Calendars.Read", "Calendars.ReadWrite")
WRITE_CALENDAR = ("Calendars.ReadWrite",)
READ_MAIL = ("Mail.Read", "Mail.ReadWrite", "Mail.ReadBasic")
WRITE_MAIL = ("Mail.ReadWrite",)
GROUP_READ = ("Group.Read.All", "Group.ReadWrite.All")
GROUP_WRITE = ("Group.ReadWrite.All",)


@dataclass(frozen=True)
class Mailbox:
    """The resolved owner of the addressed calendars: a user or a group."""

    owner_id: str
    kind: str  # "user" | "group"


def resolve_mailbox(store: Store, route: RouteMatch, caller: Principal, faults: frozenset[str]) -> Mailbox:
    """The addressed mailbox; 400 for /me with an app token, 404 unknown, 403 without access."""
    if route.principal == "me":
        if caller.is_app:
            if Fault.APP_TOKEN_ON_ME in faults:
                return Mailbox(user("organizer").user_id, "user")
            raise bad_request(MESSAGES["me-app-token"])
        return Mailbox(caller.user_id or "", "user")
    if route.principal == "users":
        found = find_user(store, route.principal_id or "")
        if found is None:
            raise GraphError(
                404, "ErrorInvalidUser", f"The requested user '{route.principal_id}' is invalid."
            )
        if not caller.is_app and found["id"] != caller.user_id:
            raise access_denied()
        return Mailbox(found["id"], "user")
    group = store.row("SELECT * FROM groups WHERE id = ? COLLATE NOCASE", (route.principal_id or "",))
    if group is None:
        raise GraphError(
            404,
            "Request_ResourceNotFound",
            f"Resource '{route.principal_id}' does not exist or one of its queried reference-property "
            f"objects are not present.",
        )
    if not caller.is_app and caller.user_id not in json.loads(group["members"]):
        raise access_denied()
    return Mailbox(group["id"], "group")


def require(
    caller: Principal,
    mailbox: Mailbox,
    permissions: tuple[str, ...],
    group_permissions: tuple[str, ...] = (),
) -> None:
    """403 ErrorAccessDenied unless the caller holds one of the permissions (group ones count on groups)."""
    allowed = permissions + (group_permissions if mailbox.kind == "group" else ())
    if not caller.has_any(*allowed):
        raise access_denied()


def require_cancel(caller: Principal, mailbox: Mailbox, route: RouteMatch, faults: frozenset[str]) -> None:
    """The page's permission check for cancel (Calendars.ReadWrite), with its fault switches."""
    if caller.is_app and (
        Fault.APP_TOKEN_REFUSED in faults
        or (Fault.APP_TOKEN_REFUSED_GROUPS in faults and route.principal == "groups")
        or (Fault.APP_TOKEN_REFUSED_USERS in faults and route.principal == "users")
    ):
        raise access_denied()
    if caller.is_personal and Fault.PERSONAL_REFUSED in faults:
        raise access_denied()
    if Fault.SCOPES_IGNORED in faults:
        return
    allowed = WRITE_CALENDAR + (GROUP_WRITE if mailbox.kind == "group" and not caller.is_app else ())
    needs_mail_send = Fault.SCOPE_NEEDS_MAIL_SEND in faults and not caller.is_app
    held = caller.has_any(*allowed) and (not needs_mail_send or caller.has_any("Mail.Send"))
    if not held:
        if Fault.READONLY_401 in faults:
            raise GraphError(401, "InvalidAuthenticationToken", MESSAGES["token-invalid"])
        raise access_denied()
