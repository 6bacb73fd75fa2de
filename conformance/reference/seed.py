"""Deterministic seed data: tenant, users, group, calendars, apps and a few foreign events."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from conformance.reference.ids import mint_change_key, mint_item_id, stable_guid
from conformance.reference.store import Store

TENANT_DOMAIN = "contoso.test"
TENANT_ID = stable_guid("tenant:contoso.test")
CONSUMER_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"

DELEGATED_ALL = (
    "Calendars.Read Calendars.ReadWrite Mail.Read Mail.ReadWrite Mail.Send User.Read User.ReadBasic.All "
    "Group.Read.All Group.ReadWrite.All"
)


@dataclass(frozen=True)
class SeedUser:
    """A seeded user: role in the target document, principal name, display name, account kind."""

    role: str
    upn: str
    display_name: str
    kind: str = "work"

    @property
    def user_id(self) -> str:
        """The user's stable object id."""
        return stable_guid(f"user:{self.upn}")


@dataclass(frozen=True)
class SeedApp:
    """A seeded app registration: its role, delegated consent and application roles."""

    role: str
    name: str
    delegated: str
    roles: str

    @property
    def client_id(self) -> str:
        """The app's stable client id."""
        return stable_guid(f"app:{self.role}")


USERS: tuple[SeedUser, ...] = (
    SeedUser("organizer", f"adele@{TENANT_DOMAIN}", "Adele Vance"),
    SeedUser("attendee", f"alex@{TENANT_DOMAIN}", "Alex Wilber"),
    SeedUser("attendee2", f"megan@{TENANT_DOMAIN}", "Megan Bowen"),
    SeedUser("outsider", f"lynne@{TENANT_DOMAIN}", "Lynne Robbins"),
    SeedUser("personal", "pat.personal@outlook.test", "Pat Personal", kind="personal"),
)
APPS: tuple[SeedApp, ...] = (
    SeedApp("suite", "graph-conformance suite", DELEGATED_ALL, "Calendars.ReadWrite Mail.Read User.Read.All"),
    SeedApp(
        "readonly", "read-only app", "Calendars.Read User.Read", "Calendars.Read Mail.Read User.Read.All"
    ),
    SeedApp("none", "app without permissions", "User.Read", ""),
)
GROUP_ID = stable_guid("group:falcon")
GROUP_MEMBERS = ("organizer", "attendee")
FOREIGN_EVENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("organizer", "Quarterly business review", ()),
    ("organizer", "1:1 Adele / Megan", ("attendee2",)),
    ("attendee", "Lunch with the design team", ()),
)


def user(role: str) -> SeedUser:
    """The seeded user playing `role`."""
    return next(candidate for candidate in USERS if candidate.role == role)


def app(role: str) -> SeedApp:
    """The seeded app playing `role`."""
    return next(candidate for candidate in APPS if candidate.role == role)


def seed(store: Store) -> bool:
    """Fill an empty store (True), or leave a seeded one as it is (False)."""
    if store.meta("seeded"):
        return False
    with store.transaction() as connection:
        connection.execute("INSERT INTO meta VALUES ('signing_key', ?)", (secrets.token_hex(32),))
        for seed_user in USERS:
            tenant = CONSUMER_TENANT_ID if seed_user.kind == "personal" else TENANT_ID
            connection.execute(
                "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                (
                    seed_user.user_id,
                    seed_user.upn,
                    seed_user.display_name,
                    secrets.token_urlsafe(18),
                    seed_user.kind,
                    tenant,
                ),
            )
            group_id = _add_calendar_group(connection, seed_user.user_id, "My Calendars", True)
            _add_calendar(connection, seed_user.user_id, group_id, "Calendar", True)
        for seed_app in APPS:
            connection.execute(
                "INSERT INTO apps VALUES (?, ?, ?, ?, ?)",
                (
                    seed_app.client_id,
                    seed_app.name,
                    secrets.token_urlsafe(24),
                    seed_app.delegated,
                    seed_app.roles,
                ),
            )
        members = json.dumps([user(role).user_id for role in GROUP_MEMBERS])
        connection.execute(
            "INSERT INTO groups VALUES (?, ?, ?, ?)",
            (GROUP_ID, "Project Falcon", f"falcon@{TENANT_DOMAIN}", members),
        )
        _add_calendar(connection, GROUP_ID, None, "Calendar", True)
        organizer_id = user("organizer").user_id
        default_group = connection.execute(
            "SELECT id FROM calendar_groups WHERE owner_id = ? AND is_default = 1", (organizer_id,)
        ).fetchone()["id"]
        _add_calendar(connection, organizer_id, default_group, "Planning", False)
        projects = _add_calendar_group(connection, organizer_id, "Projects", False)
        _add_calendar(connection, organizer_id, projects, "Falcon milestones", False)
        connection.execute("INSERT INTO meta VALUES ('seeded', ?)", (str(time.time()),))
    _add_foreign_events(store)
    return True


def _add_calendar_group(connection: object, owner_id: str, name: str, is_default: bool) -> str:
    group_id = mint_item_id()
    connection.execute(  # type: ignore[attr-defined]
        "INSERT INTO calendar_groups VALUES (?, ?, ?, ?, ?)",
        (group_id, owner_id, name, int(is_default), mint_change_key()),
    )
    return group_id


def _add_calendar(
    connection: object, owner_id: str, group_id: str | None, name: str, is_default: bool
) -> str:
    calendar_id = mint_item_id()
    connection.execute(  # type: ignore[attr-defined]
        "INSERT INTO calendars VALUES (?, ?, ?, ?, ?, ?)",
        (calendar_id, owner_id, group_id, name, int(is_default), mint_change_key()),
    )
    return calendar_id


def _add_foreign_events(store: Store) -> None:
    from conformance.reference.calendar_ops import create_event, default_calendar_id

    for index, (owner_role, subject, attendee_roles) in enumerate(FOREIGN_EVENTS):
        owner = user(owner_role)
        payload = {
            "subject": subject,
            "body": {"contentType": "text", "content": "Seeded event; the suite must never touch it."},
            "start": {"dateTime": f"2030-01-{10 + index:02d}T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": f"2030-01-{10 + index:02d}T10:00:00", "timeZone": "UTC"},
            "attendees": [
                {
                    "emailAddress": {"address": user(role).upn, "name": user(role).display_name},
                    "type": "required",
                }
                for role in attendee_roles
            ],
        }
        create_event(
            store, owner.user_id, default_calendar_id(store, owner.user_id), payload, message_delay_s=0
        )
