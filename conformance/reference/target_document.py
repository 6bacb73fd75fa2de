"""The reference server described as a target file (INTERFACES §2): its URLs and seeded identities.

Written by `graph-conformance serve --write-target FILE`, and served to loopback clients at
`/.well-known/graph-conformance/target` so that `pytest --base-url URL` finds the identities by itself.
"""

from __future__ import annotations

from typing import Any

from conformance.reference.seed import GROUP_ID, TENANT_DOMAIN, app, user
from conformance.reference.store import Store
from conformance.reference.throttle import MAX_CONCURRENT_PER_MAILBOX

GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default"
DISCOVERY_PATH = "/.well-known/graph-conformance/target"


def implemented_actions() -> tuple[str, ...]:
    """The event actions the reference server implements (its target document's `actions`): its registry's."""
    from conformance.reference.actions import registry

    return tuple(registry())


def target_document(
    store: Store, root_url: str, faults: frozenset[str], send_limit: int = 0
) -> dict[str, Any]:
    """Build the target document from the seeded store (and the sending limit the server imposes, if any)."""
    suite_app = store.one("SELECT * FROM apps WHERE client_id = ?", (app("suite").client_id,))

    def password_of(role: str) -> str:
        return str(store.one("SELECT password FROM users WHERE id = ?", (user(role).user_id,))["password"])

    def identity(role: str, scope: str = GRAPH_DEFAULT_SCOPE, as_role: str | None = None) -> dict[str, Any]:
        person = user(as_role or role)
        return {
            "user_id": person.user_id,
            "user_principal_name": person.upn,
            "token": {"username": person.upn, "password": password_of(as_role or role), "scope": scope},
        }

    name = "graph-conformance reference server"
    if faults:
        name += f" (faults: {', '.join(sorted(faults))})"
    personal = identity("personal")
    personal["token"]["token_url"] = f"{root_url}/consumers/oauth2/v2.0/token"
    document: dict[str, Any] = {
        "name": name,
        "base_url": f"{root_url}/v1.0",
        "unsupported_profiles": [],
        "actions": list(implemented_actions()),
        "max_concurrency_per_mailbox": MAX_CONCURRENT_PER_MAILBOX,
        "timeouts": {"connect": 5},  # read: the suite's loopback default
        "token_defaults": {
            "kind": "password",
            "token_url": f"{root_url}/{TENANT_DOMAIN}/oauth2/v2.0/token",
            "client_id": suite_app["client_id"],
            "client_secret": suite_app["secret"],
        },
        "identities": {
            "organizer": identity("organizer"),
            "organizer_minimal": identity("organizer", "Calendars.ReadWrite"),
            "attendees": [identity("attendee"), identity("attendee2")],
            "readonly": identity("organizer", "Calendars.Read User.Read"),
            "unprivileged": identity("organizer", "User.Read"),
            "application": {
                "token": {
                    "kind": "client_credentials",
                    "client_id": suite_app["client_id"],
                    "client_secret": suite_app["secret"],
                    "scope": GRAPH_DEFAULT_SCOPE,
                },
                "user_ids": [user("organizer").user_id],
            },
            "personal": personal,
            "group": {"group_id": GROUP_ID},
        },
    }
    if send_limit > 0:  # as a tenant's admin would say: meeting messages per minute per sender
        document["polling"] = {"send_limit_per_minute": send_limit}
    return document
