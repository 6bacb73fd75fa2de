"""`graph-conformance preflight`: in seconds, whether a target offers what the suite needs besides cancel.

It checks each identity's token and every prerequisite of the catalog (conformance/target/prerequisites.py),
creating a handful of objects tagged with a run id like the suite's and removing them after, then prints one
row per prerequisite: ok, fallback (what the suite uses instead), failed (with the fix) or not tried.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TextIO

from conformance.errors import TargetConfigError
from conformance.outcomes import ExitCode
from conformance.spec.catalog import actions_of, load_catalog
from conformance.target import prerequisites as prereq
from conformance.target._arrange import check_filter, check_paging, created_object, send
from conformance.target.actions import parse_action_list, select_actions
from conformance.target.client import Graph, MissingIdentity
from conformance.target.config import TargetConfig, target_from_document
from conformance.target.polling import Effect
from conformance.target.prerequisites import (
    CATALOG,
    PrerequisiteFailed,
    PrerequisiteLog,
    Record,
    answer_line,
    status_line,
)
from conformance.target.provision import ProvisionedEvent, Provisioner
from conformance.target.redact import Redactor
from conformance.target.reminders import reminder_view_works
from conformance.target.resolve import check_target, resolve_target
from conformance.target.tags import is_valid_run_id, new_run_id
from conformance.target.transcript import Transcript
from conformance.target.urls import quote_id

NOT_TRIED = "not tried"
NEEDS_ORGANIZER = "needs the organizer's token (see IDENTITY-TOKENS)"
CANCEL_COMMENT = {"comment": "graph-conformance preflight: cancel of an event without attendees"}
SEVERITY = {prereq.OK: 0, prereq.FALLBACK: 1, prereq.FAILED: 2}


@dataclass
class Row:
    """One line of the table: a prerequisite record (or a prerequisite not tried, and why)."""

    prerequisite_id: str
    label: str
    status: str
    detail: str
    answer: str = ""
    fallback: str = ""
    fix: str = ""


class Preflight:
    """Runs the checks against one target, collecting a row per prerequisite."""

    def __init__(self, target: TargetConfig, run_id: str) -> None:
        self.target, self.run_id = target, run_id
        self.graph = Graph(target, Transcript(Redactor(target.secrets())))
        self.rows: list[Row] = []
        self._label = ""
        self.provision = Provisioner(self.graph, run_id, "preflight", record=self._add)
        self.refused_roles: set[str] = set()
        self.cleanup_notes: list[str] = []
        self._renamed: dict[str, str] = {}  # a failed record's id -> the row it belongs to meanwhile

    def _add(self, record: Record) -> None:
        exchange = record.get("exchange")
        prerequisite_id = str(record["id"])
        if record["status"] == prereq.FAILED and prerequisite_id in self._renamed:
            prerequisite_id = self._renamed[prerequisite_id]
            entry = CATALOG[prerequisite_id]
            record = {**record, "detail": f"{record['detail']} (tried: {entry.tried})", "fix": entry.fix}
        self.rows.append(
            Row(
                prerequisite_id=prerequisite_id,
                label=self._label or CATALOG[prerequisite_id].title,
                status=str(record["status"]),
                detail=str(record["detail"]),
                answer=status_line(exchange) if isinstance(exchange, dict) else "",
                fallback=str(record.get("fallback") or ""),
                fix=str(record.get("fix") or ""),
            )
        )

    def not_tried(self, prerequisite_id: str, reason: str) -> None:
        """A row for a prerequisite that could not be tried (no identity, or what it needs failed)."""
        self.rows.append(Row(prerequisite_id, CATALOG[prerequisite_id].title, NOT_TRIED, reason))

    def attempt(self, prerequisite_id: str, check: Callable[[], Any]) -> Any:
        """Run one check: its value, or None when it failed (recorded) or could not be tried."""
        try:
            return check()
        except MissingIdentity as missing:
            self.not_tried(prerequisite_id, f"{missing}; add it to the target file to check this")
        except PrerequisiteFailed as failed:  # a lost target is TargetUnreachable instead: exit 3
            if not failed.recorded:
                self._add(failed.record)
        return None

    def identities(self) -> None:
        """IDENTITY-TOKENS: GET /me with each delegated token, GET /users/{id}/calendar with the app's."""
        for role, identity in self.target.identities.items():
            if identity.token is None:
                continue
            self._label = f"the {role} token is accepted"
            try:
                self.attempt(prereq.IDENTITY_TOKENS, lambda role=role: self._identity(role))  # type: ignore[misc]
            finally:
                self._label = ""

    def _identity(self, role: str) -> None:
        log = PrerequisiteLog(self._add)  # one row per role
        identity = self.target.identities[role]
        app_user = identity.user_ids[0] if role == "application" and identity.user_ids else None
        path = f"/users/{quote_id(app_user)}/calendar" if app_user else "/me"  # Calendars.* suffices
        try:
            response = send(log, prereq.IDENTITY_TOKENS, self.graph.as_(role), "GET", path)
            user = created_object(response) if response.status_code == 200 else None
            if user is None:
                raise log.failed(prereq.IDENTITY_TOKENS, f"{role}: {answer_line(response)}", response)
            expected = None if app_user else identity.user_id
            if expected and str(user["id"]).lower() != expected.lower():
                raise log.failed(
                    prereq.IDENTITY_TOKENS,
                    f"{role}: the token's user is {user['id']}, the target file says {expected}",
                    response,
                )
        except PrerequisiteFailed:
            self.refused_roles.add(role)
            raise
        log.ok(prereq.IDENTITY_TOKENS, f"{role}: {answer_line(response)}", response)

    def usable(self, role: str) -> bool:
        """Whether `role` is configured and its token was accepted."""
        return self.graph.has(role) and role not in self.refused_roles

    def events(self) -> list[ProvisionedEvent]:
        """EVENT-CREATE, EVENT-READ, ATTENDEE-COPY, SERIES-CREATE, INSTANCES, GROUP-EVENT-CREATE."""
        if not self.usable("organizer"):
            for prerequisite_id in (prereq.EVENT_CREATE, prereq.EVENT_READ, prereq.ATTENDEE_COPY,
                                    prereq.SERIES_CREATE, prereq.INSTANCES, prereq.GROUP_EVENT_CREATE):
                self.not_tried(prerequisite_id, NEEDS_ORGANIZER)
            return []
        attendees = 1 if self.target.attendee_roles else 0
        event = self.attempt(prereq.EVENT_CREATE, lambda: self.provision.event(attendees=attendees))
        created = [event] if event else []
        if event is None:
            self.not_tried(prereq.EVENT_READ, "needs EVENT-CREATE")
            self.not_tried(prereq.ATTENDEE_COPY, "needs EVENT-CREATE")
        else:
            self.attempt(prereq.EVENT_READ, lambda: self._read_back(event))
            if not attendees or not self.usable(self.target.attendee_roles[0]):
                self.not_tried(prereq.ATTENDEE_COPY, "needs an attendee identity whose token is accepted")
            else:
                self.attempt(prereq.ATTENDEE_COPY, lambda: self.provision.find_attendee_copy(event))
        series = self.attempt(prereq.SERIES_CREATE, lambda: self.provision.series(attendees=0))
        if series is None:
            self.not_tried(prereq.INSTANCES, "needs SERIES-CREATE")
        else:
            created.append(series)
            self.attempt(prereq.INSTANCES, lambda: self.provision.instances(series))
        if not self.graph.has("group"):
            self.not_tried(prereq.GROUP_EVENT_CREATE, "no identities.group in the target")
        else:
            self.attempt(prereq.GROUP_EVENT_CREATE, lambda: self.provision.event(group=True, attendees=0))
        return created

    def _read_back(self, event: ProvisionedEvent) -> None:
        log = self.provision.log
        response = send(log, prereq.EVENT_READ, self.graph.as_(event.owner_role), "GET", event.path)
        body = created_object(response) if response.status_code == 200 else None
        if body is None:
            raise log.failed(prereq.EVENT_READ, f"{answer_line(response)}: the created event", response)
        differs = [name for name, value in (("id", event.id), ("subject", event.subject))
                   if str(body.get(name)) != value]
        if differs:
            raise log.failed(
                prereq.EVENT_READ,
                f"{answer_line(response)}: the event read back has another {' and '.join(differs)} "
                f"({', '.join(f'{name} {body.get(name)!r}' for name in differs)})",
                response,
            )
        if body.get("isCancelled") is True:
            raise log.failed(
                prereq.EVENT_READ,
                f"{answer_line(response)}: the event just created already reads as cancelled "
                "(isCancelled: true), so no cancel's effect can be observed",
                response,
            )
        log.ok(prereq.EVENT_READ, f"{answer_line(response)}: same id and subject", response)

    def containers(self) -> None:
        """CALENDAR-CREATE and CALENDAR-GROUP-CREATE (each with its recorded fallback)."""
        if not self.usable("organizer"):
            for prerequisite_id in (prereq.CALENDAR_CREATE, prereq.CALENDAR_GROUP_CREATE):
                self.not_tried(prerequisite_id, NEEDS_ORGANIZER)
            return
        self.attempt(prereq.CALENDAR_CREATE, self.provision.calendar)
        self.attempt(prereq.CALENDAR_GROUP_CREATE, self.provision.calendar_group_with_calendar)

    def reads(self, created: list[ProvisionedEvent]) -> None:
        """MAILBOX-MESSAGES, DELETED-ITEMS, ODATA-FILTER, ODATA-PAGING."""
        reader = next((role for role in self.target.attendee_roles if self.usable(role)), "organizer")
        for prerequisite_id, role, read in (
            (prereq.MAILBOX_MESSAGES, reader, self.provision.mailbox_messages),
            (prereq.DELETED_ITEMS, "organizer", self.provision.deleted_items),
        ):
            if not self.usable(role):
                self.not_tried(prerequisite_id, f"needs the {role}'s token (see IDENTITY-TOKENS)")
            else:
                self.attempt(prerequisite_id, lambda read=read, role=role: read(role, top=5))  # type: ignore[misc]
        if not self.usable("organizer"):
            for prerequisite_id in (prereq.ODATA_FILTER, prereq.ODATA_PAGING):
                self.not_tried(prerequisite_id, NEEDS_ORGANIZER)
            return
        mine = [event.id for event in created]
        client, log = self.graph.as_("organizer"), self.provision.log
        run_id = self.run_id
        filtered = self.attempt(prereq.ODATA_FILTER, lambda: check_filter(log, client, run_id, mine))
        self.attempt(prereq.ODATA_PAGING, lambda: check_paging(log, client, run_id, mine, bool(filtered)))

    def cancel_without_attendees(self) -> None:
        """CANCEL-WITHOUT-ATTENDEES: the organizer cancels a new event inviting nobody (no mail is sent)."""
        if not self.usable("organizer"):
            self.not_tried(prereq.CANCEL_WITHOUT_ATTENDEES, NEEDS_ORGANIZER)
            return
        event = self.attempt(prereq.EVENT_CREATE, lambda: self.provision.event(attendees=0))
        if event is None:
            self.not_tried(prereq.CANCEL_WITHOUT_ATTENDEES, "needs EVENT-CREATE")
            return
        self.attempt(prereq.CANCEL_WITHOUT_ATTENDEES, lambda: self._cancel(event))

    def _cancel(self, event: ProvisionedEvent) -> None:
        log, client = self.provision.log, self.graph.as_(event.owner_role)
        cancel = f"{event.path}/cancel"
        response = send(log, prereq.CANCEL_WITHOUT_ATTENDEES, client, "POST", cancel, json=CANCEL_COMMENT)
        if not 200 <= response.status_code < 300:
            raise log.failed(prereq.CANCEL_WITHOUT_ATTENDEES, f"{answer_line(response)}: the organizer's "
                             "cancel of an event without attendees was refused", response)
        self.provision.presumed_gone(event)
        log.ok(prereq.CANCEL_WITHOUT_ATTENDEES, f"{answer_line(response)}: accepted", response)

    def answers(self, created: list[ProvisionedEvent]) -> None:
        """ATTENDEE-STATUSES and PROPOSALS (an attendee's answers)."""
        if not self.usable("organizer"):
            for prerequisite_id in (prereq.ATTENDEE_STATUSES, prereq.PROPOSALS):
                self.not_tried(prerequisite_id, NEEDS_ORGANIZER)
            return
        meetings = (event for event in created if event.attendee_roles and event.occurrences is None)
        meeting = next(meetings, None)
        if meeting is None:
            self.not_tried(prereq.ATTENDEE_STATUSES, "needs EVENT-CREATE of a meeting inviting an attendee")
        else:
            self.attempt(prereq.ATTENDEE_STATUSES, lambda: self._statuses(meeting))
        self.attempt(prereq.PROPOSALS, self._proposals)

    def _statuses(self, event: ProvisionedEvent) -> None:
        """The organizer's meeting lists each invited attendee with a `status.response`."""
        log = self.provision.log
        response = send(log, prereq.ATTENDEE_STATUSES, self.graph.as_(event.owner_role), "GET", event.path)
        body = created_object(response) if response.status_code == 200 else None
        attendees = body.get("attendees") if body is not None else None
        if not isinstance(attendees, list) or not attendees:
            raise log.failed(prereq.ATTENDEE_STATUSES, f"{answer_line(response)}: the organizer's meeting "
                             "lists no attendees", response)
        missing = [entry for entry in attendees
                   if not isinstance(entry, dict) or not isinstance(entry.get("status"), dict)
                   or "response" not in entry["status"]]
        if missing:
            raise log.failed(prereq.ATTENDEE_STATUSES, f"{answer_line(response)}: {len(missing)} of "
                             f"{len(attendees)} attendees without a status.response", response)
        log.ok(prereq.ATTENDEE_STATUSES, f"{answer_line(response)}: each attendee with a status.response",
               response)

    def _proposals(self) -> None:
        """A meeting created with allowNewTimeProposals false reads back false (true: Graph's default)."""
        self._renamed = {prereq.EVENT_CREATE: prereq.PROPOSALS}  # a refused creation is this row's failure
        try:
            event = self.provision.event(attendees=0, properties={"allowNewTimeProposals": False})
        finally:
            self._renamed = {}
        log = self.provision.log
        response = send(log, prereq.PROPOSALS, self.graph.as_(event.owner_role), "GET", event.path)
        body = created_object(response) if response.status_code == 200 else None
        shown = body.get("allowNewTimeProposals") if body is not None else None
        if shown is not False:
            raise log.failed(prereq.PROPOSALS, f"{answer_line(response)}: a meeting created with "
                             f"allowNewTimeProposals false reads back {shown!r}", response)
        log.ok(prereq.PROPOSALS, f"{answer_line(response)}: allowNewTimeProposals false as created", response)

    def forward_and_reminders(self) -> None:
        """REMINDER-VIEW (the reminder actions) and FORWARD-RECIPIENT (an attendee's forward)."""
        if not self.usable("organizer"):
            self.not_tried(prereq.REMINDER_VIEW, NEEDS_ORGANIZER)
        else:
            self.attempt(prereq.REMINDER_VIEW, lambda: reminder_view_works(self.provision))
        self.attempt(prereq.FORWARD_RECIPIENT, self._recipient)

    def _recipient(self) -> None:
        """A second attendee identity whose token is accepted: whom an attendee's forward goes to."""
        log = self.provision.log
        usable = [role for role in self.target.attendee_roles if self.usable(role)]
        if len(usable) < 2:
            detail = (f"{len(usable)} attendee identity with an accepted token; an attendee's forward needs "
                      "another to receive it")
            raise log.failed(prereq.FORWARD_RECIPIENT, detail)
        log.ok(prereq.FORWARD_RECIPIENT, f"{usable[-1]} (its token accepted), besides {usable[0]}")

    def run(self) -> None:
        """Every check, then the clean-up (its warnings kept as notes)."""
        try:
            self.identities()
            created = self.events()
            self.containers()
            self.reads(created)
            self.cancel_without_attendees()
            self.answers(created)
            self.forward_and_reminders()
        finally:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.provision.cleanup()
            self.cleanup_notes = [str(warning.message) for warning in caught]
            self.graph.close()


def merged(rows: list[Row]) -> list[Row]:
    """One row per prerequisite (per identity for IDENTITY-TOKENS): the worst status seen, first kept."""
    kept: dict[str, Row] = {}
    for row in rows:
        key = row.label if row.prerequisite_id == prereq.IDENTITY_TOKENS else row.prerequisite_id
        current = kept.get(key)
        if current is None or SEVERITY.get(row.status, -1) > SEVERITY.get(current.status, -1):
            kept[key] = row
    order = list(CATALOG)
    return sorted(kept.values(), key=lambda row: order.index(row.prerequisite_id))


def print_table(rows: list[Row], out: TextIO) -> None:
    """The table: id, status, title, the decisive answer; then detail, fallback and fix where they matter."""
    width = max(len(prerequisite_id) for prerequisite_id in CATALOG)
    under = " " * (width + 11)  # below the status column
    for row in rows:
        line = f"{row.prerequisite_id:<{width}} {row.status:<9} {row.label:<56} {row.answer}"
        print(line.rstrip(), file=out)
        if row.status != prereq.OK:
            detail = row.detail.removeprefix(f"{row.answer}: ") if row.answer else row.detail
            print(f"{under}{detail}", file=out)
        if row.fallback:
            print(f"{under}used instead: {row.fallback}", file=out)
        if row.status in (prereq.FAILED, prereq.FALLBACK) and row.fix:
            print(f"{under}fix: {row.fix}", file=out)


def run_preflight(
    *,
    target_file: str | None,
    base_url: str | None,
    run_id: str | None = None,
    out: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    actions: str | None = None,
) -> int:
    """Check the target (or the embedded reference server): CONFORMANT when every prerequisite worked.

    NOT_CONFORMANT when one failed; a bad target or a lost one raise (USAGE, TARGET_UNREACHABLE).
    """
    run_id = run_id or new_run_id()
    if not is_valid_run_id(run_id):
        raise TargetConfigError(f"--run-id {run_id!r}: use letters, digits, '.', '_' or '-' (max 64)")
    environ = dict(os.environ) if environ is None else environ
    out = out or sys.stdout  # looked up now: a default bound at import would miss a redirected stdout
    target = resolve_target(target_file=target_file, base_url=base_url, environ=environ)
    if target is not None:
        target = _with_actions(target, actions)  # an unknown action: one line (exit 2), before any request
        check_target(target, environ)  # a user's mistake is one line (exit 2), as in a run of the suite
        return _check(target, run_id, out)
    from conformance.reference.serve import ReferenceServer  # only started, as the plugin does

    with ReferenceServer(host="127.0.0.1", port=0) as server:
        document = server.target_document()
        embedded = target_from_document(document, source="embedded reference server", environ={})
        return _check(_with_actions(embedded, actions), run_id, out)


def _with_actions(target: TargetConfig, chosen: str | None) -> TargetConfig:
    """The target with the actions a run of the suite checks (its declared ones, narrowed by `chosen`)."""
    selected = select_actions(
        actions_of(load_catalog()), target.actions, None if chosen is None else parse_action_list(chosen),
        declared_where=f"actions in {target.source}",
    )
    return replace(target, actions=selected)


def _check(target: TargetConfig, run_id: str, out: TextIO) -> int:
    started = time.monotonic()
    # an attendee's copy is awaited for its effect bound (effects.copy_s; it ends the moment the copy shows)
    target = replace(target, poll_timeout_s=target.effect_base(Effect.COPY).seconds)
    print(f"graph-conformance preflight: target {target.name!r} at {target.base_url}, run id {run_id}",
          file=out)
    print(f"actions: {', '.join(target.actions)} (a run checks these; the others' requirements are "
          "not-applicable)", file=out)
    preflight = Preflight(target, run_id)
    try:
        preflight.run()
    finally:
        rows = merged(preflight.rows)
        print_table(rows, out)
    for note in preflight.cleanup_notes:
        print(f"cleanup: {note}", file=out)
    counts = {status: sum(1 for row in rows if row.status == status)
              for status in (prereq.OK, prereq.FALLBACK, prereq.FAILED, NOT_TRIED)}
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    print(f"preflight: {summary} in {time.monotonic() - started:.1f} s", file=out)
    if counts[prereq.FAILED]:
        print("the suite will report the requirements needing a failed prerequisite as not-verified; "
              "fix those first", file=out)
    return ExitCode.NOT_CONFORMANT if counts[prereq.FAILED] else ExitCode.CONFORMANT
