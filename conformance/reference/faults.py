"""The fault switches: each one a single deliberate deviation from the page or from Graph's conventions."""

from __future__ import annotations

from collections.abc import Iterable

ROUTE_FAMILIES: tuple[str, ...] = (
    "me-events",
    "users-events",
    "groups-events",
    "me-calendar-events",
    "users-calendar-events",
    "groups-calendar-events",
    "me-calendars-events",
    "users-calendars-events",
    "me-calendargroup-calendars-events",
    "users-calendargroup-calendars-events",
    "me-calendargroups-calendars-events",
    "users-calendargroups-calendars-events",
)

FAULTS: dict[str, str] = {
    "status-200": "a successful cancel answers 200 instead of 202",
    "status-204": "a successful cancel answers 204 instead of 202",
    "body-on-202": "a successful cancel answers 202 with a JSON body",
    "attendee-allowed": "an attendee may cancel the meeting (202, the organizer's event is cancelled)",
    "attendee-403": "an attendee calling cancel gets 403 instead of 400",
    "attendee-message-paraphrased": "the attendee's 400 carries a reworded message",
    "scopes-ignored": "cancel does not check for Calendars.ReadWrite (a Calendars.Read token cancels)",
    "readonly-401": "a token without Calendars.ReadWrite gets 401 instead of 403",
    "auth-ignored": "cancel works without an Authorization header (as the organizer)",
    "invalid-token-accepted": "any invalid bearer token (garbage, wrong key, expired) acts as the organizer",
    "app-token-on-me": "/me with an application token acts on the first user instead of answering 400",
    "app-token-refused": "application tokens are refused (403) on cancel",
    "app-token-refused-groups": "application tokens are refused (403) on /groups cancel routes",
    "app-token-refused-users": "application tokens are refused (403) on /users cancel routes only",
    "personal-refused": "personal (MSA) accounts are refused (403) on cancel",
    "scope-needs-mail-send": "cancel demands Mail.Send besides Calendars.ReadWrite of delegated tokens",
    "content-type-strict": "cancel answers 415 unless Content-Type is exactly application/json",
    "comment-required": "cancel without a comment answers 400",
    "comment-required-body": "cancel with no body or `{}` answers 400 (any body naming a comment is fine)",
    "comment-500-non-ascii": "a comment with non-ASCII characters answers 500",
    "comment-500-long": "a comment longer than 1000 characters answers 500",
    "comment-dropped": "the comment is not put in the attendees' messages (default notice instead)",
    "comment-lowercase-only": "only `comment` is read; `Comment` is ignored",
    "comment-pascal-only": "only `Comment` is read; `comment` is ignored",
    "message-not-meeting-cancelled": "the cancellation message has meetingMessageType `none`",
    "no-cancellation-message": "attendees get no cancellation message",
    "event-left-in-place": "202, but nothing changes for the organizer's event",
    "not-in-deleted-items": "the event is removed but not listed in Deleted Items",
    "event-still-listed": "the event is filed in Deleted Items, yet still listed in the calendar (GET works)",
    "attendee-copies-unmarked": "attendees' copies are not marked isCancelled",
    "occurrence-cancels-series": "cancelling an occurrence cancels the whole series",
    "no-cancelled-occurrences": "the master's cancelledOccurrences stays empty",
    "occurrence-no-notice": "cancelling an occurrence sends attendees no message",
    "series-master-only": "cancelling a series master leaves its occurrences in place",
    "error-envelope-missing": "errors are plain text, not Graph's JSON envelope",
    "error-no-content-type": "error answers carry no Content-Type header",
    "unknown-id-400": "an unknown event id answers 400 instead of 404",
    "malformed-id-404": "a malformed event id answers 404 instead of 400",
    "malformed-json-accepted": "a body that is not JSON is treated as no body (202)",
    "lenient-body": "a comment of a wrong JSON type is accepted",
    "unknown-parameter-accepted": "unknown body parameters are ignored",
    "empty-comment-sends-notice": '`"comment": ""` still sends the default notice',
    "null-comment-no-notice": '`"comment": null` sends no notice',
    "second-cancel-202": "a second cancel of the same event answers 202 again",
    "case-sensitive-segments": "URL segments match case-sensitively (only the page's spelling)",
    "other-methods-500": "other methods on cancel paths answer 500",
    **{
        f"route-missing-{family}": f"the {family.replace('-', '/')}/{{id}}/cancel route answers 404"
        for family in ROUTE_FAMILIES
    },
}


def validate_fault_names(names: Iterable[str]) -> frozenset[str]:
    """Return the names as a set; raise ValueError naming the unknown ones and the valid list."""
    requested = frozenset(names)
    unknown = sorted(requested - FAULTS.keys())
    if unknown:
        raise ValueError(
            f"unknown fault switch(es): {', '.join(unknown)}; valid names: {', '.join(sorted(FAULTS))}"
        )
    return requested


def describe_faults() -> str:
    """One line per fault: the name and what it changes."""
    width = max(len(name) for name in FAULTS)
    return "\n".join(f"{name.ljust(width)}  {description}" for name, description in FAULTS.items())
