"""The fault switches: each one a single deliberate deviation from the page or from Graph's conventions.

Every switch is a `Fault` member (code tests `Fault.STATUS_200 in faults`, so a typo fails loudly), and
DEFINITIONS says what it changes and which requirement ids a correct suite must then fail (`breaks`).
`gap-*` switches leave `event: cancel` alone and take away something the suite needs to arrange or observe
(a half-built server): their metadata names the prerequisite the report must name and the requirements that
may end not-verified. The requirement ids are metadata only the project's tests read; the server never does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

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


class Fault(StrEnum):
    """The named fault switches (the route-missing-* family is spelled by route_missing())."""

    STATUS_200 = "status-200"
    STATUS_204 = "status-204"
    BODY_ON_202 = "body-on-202"
    ATTENDEE_ALLOWED = "attendee-allowed"
    ATTENDEE_403 = "attendee-403"
    ATTENDEE_MESSAGE_PARAPHRASED = "attendee-message-paraphrased"
    SCOPES_IGNORED = "scopes-ignored"
    READONLY_401 = "readonly-401"
    AUTH_IGNORED = "auth-ignored"
    INVALID_TOKEN_ACCEPTED = "invalid-token-accepted"
    APP_TOKEN_ON_ME = "app-token-on-me"
    APP_TOKEN_REFUSED = "app-token-refused"
    APP_TOKEN_REFUSED_GROUPS = "app-token-refused-groups"
    APP_TOKEN_REFUSED_USERS = "app-token-refused-users"
    PERSONAL_REFUSED = "personal-refused"
    SCOPE_NEEDS_MAIL_SEND = "scope-needs-mail-send"
    CONTENT_TYPE_STRICT = "content-type-strict"
    COMMENT_REQUIRED = "comment-required"
    COMMENT_REQUIRED_BODY = "comment-required-body"
    COMMENT_500_NON_ASCII = "comment-500-non-ascii"
    COMMENT_500_LONG = "comment-500-long"
    COMMENT_DROPPED = "comment-dropped"
    COMMENT_LOWERCASE_ONLY = "comment-lowercase-only"
    COMMENT_PASCAL_ONLY = "comment-pascal-only"
    MESSAGE_NOT_MEETING_CANCELLED = "message-not-meeting-cancelled"
    NO_CANCELLATION_MESSAGE = "no-cancellation-message"
    EVENT_LEFT_IN_PLACE = "event-left-in-place"
    NOT_IN_DELETED_ITEMS = "not-in-deleted-items"
    EVENT_STILL_LISTED = "event-still-listed"
    ATTENDEE_COPIES_UNMARKED = "attendee-copies-unmarked"
    OCCURRENCE_CANCELS_SERIES = "occurrence-cancels-series"
    NO_CANCELLED_OCCURRENCES = "no-cancelled-occurrences"
    OCCURRENCE_NO_NOTICE = "occurrence-no-notice"
    SERIES_MASTER_ONLY = "series-master-only"
    ERROR_ENVELOPE_MISSING = "error-envelope-missing"
    ERROR_NO_CONTENT_TYPE = "error-no-content-type"
    UNKNOWN_ID_400 = "unknown-id-400"
    MALFORMED_ID_404 = "malformed-id-404"
    MALFORMED_JSON_ACCEPTED = "malformed-json-accepted"
    LENIENT_BODY = "lenient-body"
    UNKNOWN_PARAMETER_ACCEPTED = "unknown-parameter-accepted"
    EMPTY_COMMENT_SENDS_NOTICE = "empty-comment-sends-notice"
    NULL_COMMENT_NO_NOTICE = "null-comment-no-notice"
    SECOND_CANCEL_202 = "second-cancel-202"
    CASE_SENSITIVE_SEGMENTS = "case-sensitive-segments"
    OTHER_METHODS_500 = "other-methods-500"
    GAP_CREATE_200 = "gap-create-200"
    GAP_NO_INSTANCES = "gap-no-instances"
    GAP_HANG_MALFORMED_JSON = "gap-hang-malformed-json"
    GAP_STATIC = "gap-static"
    GAP_NO_FILTER = "gap-no-filter"
    GAP_NO_CALENDAR_GROUPS = "gap-no-calendar-groups"
    GAP_NO_CALENDAR_CREATE = "gap-no-calendar-create"
    GAP_NO_MESSAGES = "gap-no-messages"
    GAP_NO_DELETED_ITEMS = "gap-no-deleted-items"
    GAP_BORN_CANCELLED = "gap-born-cancelled"
    GAP_NO_ATTENDEE_COPIES = "gap-no-attendee-copies"
    GAP_NO_CANCEL_WITHOUT_ATTENDEES = "gap-no-cancel-without-attendees"


def route_missing(family: str) -> str:
    """The switch that takes one cancel route family away, e.g. route-missing-me-events."""
    return f"route-missing-{family}"


@dataclass(frozen=True)
class FaultDefinition:
    """What a switch changes; for the project's tests, what a correct suite then reports."""

    description: str
    breaks: frozenset[str] = frozenset()  # requirement ids that must fail
    prerequisites: frozenset[str] = frozenset()  # gap switches: prerequisite ids the report must name
    blocks: frozenset[str] = frozenset()  # gap switches: requirement ids allowed to end not-verified
    static: bool = False  # a static mock: only STATE_FREE requirements (less `breaks`) must still pass
    gap: bool = False  # a prerequisite gap (a half-built server), not a deviation from the page


def _breaks(description: str, *requirement_ids: str) -> FaultDefinition:
    return FaultDefinition(description, frozenset(requirement_ids))


def _gap(
    description: str,
    prerequisites: Iterable[str] = (),
    blocks: Iterable[str] = (),
    breaks: Iterable[str] = (),
    static: bool = False,
) -> FaultDefinition:
    return FaultDefinition(
        description, frozenset(breaks), frozenset(prerequisites), frozenset(blocks), static, gap=True
    )


_MESSAGES = (
    "CANCEL-SENDS-MESSAGE",
    "CANCEL-COMMENT-DELIVERED",
    "CANCEL-COMMENT-DELIVERED-PASCAL",
    "GRAPH-COMMENT-DEFAULT-NOTICE",
    "GRAPH-COMMENT-EMPTY-NO-NOTICE",
    "GRAPH-OCCURRENCE-NOTIFIES",
)
_RECURRENCE = (
    "CANCEL-OCCURRENCE",
    "GRAPH-CANCELLED-OCCURRENCES",
    "GRAPH-OCCURRENCE-NOTIFIES",
    "GRAPH-SERIES-CANCEL",
)
STATE_FREE = (  # what a static mock still passes: the answer to one request decides, no event is read back
    "CANCEL-202-EMPTY",
    "CANCEL-CONTENT-TYPE",
    "CANCEL-COMMENT-OPTIONAL",
    "CANCEL-COMMENT-STRING",
    "GRAPH-401-NO-TOKEN",
    "GRAPH-400-MALFORMED-ID",
    "GRAPH-405-OTHER-METHODS",
)
_UNTOUCHED = (  # checks that an event stays uncancelled after a refused request: moot if born cancelled
    "CANCEL-AUTH-REQUIRED",
    "CANCEL-PERM-REQUIRED",
    "CANCEL-ATTENDEE-400",
    "GRAPH-401-NO-TOKEN",
    "GRAPH-401-INVALID-TOKEN",
    "GRAPH-403-ACCESS-DENIED",
    "GRAPH-400-ME-APP-TOKEN",
    "GRAPH-400-MALFORMED-JSON",
    "GRAPH-400-COMMENT-TYPE",
    "GRAPH-400-UNKNOWN-PARAMETER",
)
# what the suite checks by cancelling events that invite nobody (measured: the row's not-verified set); on
# a target refusing such cancels they are not-verified (CANCEL-WITHOUT-ATTENDEES), never failed
_WITHOUT_ATTENDEES = (
    *(f"CANCEL-ROUTE-{family.upper()}" for family in ROUTE_FAMILIES),
    "CANCEL-202-EMPTY",
    "CANCEL-PERM-DELEGATED-WORK",
    "CANCEL-PERM-DELEGATED-PERSONAL",
    "CANCEL-PERM-APPLICATION",
    "CANCEL-PERM-APPLICATION-GROUPS",
    "CANCEL-AUTH-REQUIRED",  # the generated ignored_auth probes follow only an accepted cancel
    "CANCEL-CONTENT-TYPE",
    "CANCEL-COMMENT-OPTIONAL",
    "CANCEL-COMMENT-STRING",
    "CANCEL-DELETED-ITEMS",
    "CANCEL-DELETED-ITEMS-FOLDER",
    "CANCEL-OCCURRENCE",
    "GRAPH-ERROR-ENVELOPE",  # its second-cancel case
    "GRAPH-NO-SERVER-ERROR",  # its second-cancel case
    "GRAPH-SECOND-CANCEL-4XX",
    "GRAPH-SEGMENTS-CASE-INSENSITIVE",
    "GRAPH-CANCELLED-OCCURRENCES",
    "GRAPH-SERIES-CANCEL",
)

DEFINITIONS: dict[str, FaultDefinition] = {
    Fault.STATUS_200: _breaks("a successful cancel answers 200 instead of 202", "CANCEL-202-EMPTY"),
    Fault.STATUS_204: _breaks("a successful cancel answers 204 instead of 202", "CANCEL-202-EMPTY"),
    Fault.BODY_ON_202: _breaks("a successful cancel answers 202 with a JSON body", "CANCEL-202-EMPTY"),
    Fault.ATTENDEE_ALLOWED: _breaks(
        "an attendee may cancel the meeting (202, the organizer's event is cancelled)",
        "CANCEL-ATTENDEE-400",
        "CANCEL-ATTENDEE-MESSAGE",
    ),
    Fault.ATTENDEE_403: _breaks("an attendee calling cancel gets 403 instead of 400", "CANCEL-ATTENDEE-400"),
    Fault.ATTENDEE_MESSAGE_PARAPHRASED: _breaks(
        "the attendee's 400 carries a reworded message",
        "CANCEL-ATTENDEE-MESSAGE",
    ),
    Fault.SCOPES_IGNORED: _breaks(
        "cancel does not check for Calendars.ReadWrite (a Calendars.Read token cancels)",
        "CANCEL-PERM-REQUIRED",
        "GRAPH-403-ACCESS-DENIED",
    ),
    Fault.READONLY_401: _breaks(
        "a token without Calendars.ReadWrite gets 401 instead of 403",
        "GRAPH-403-ACCESS-DENIED",
    ),
    Fault.AUTH_IGNORED: _breaks(
        "cancel works without an Authorization header (as the organizer)",
        "CANCEL-AUTH-REQUIRED",
        "GRAPH-401-NO-TOKEN",
    ),
    # Schemathesis' ignored_auth also re-sends each case with a bad token, which this fault accepts
    Fault.INVALID_TOKEN_ACCEPTED: _breaks(
        "any invalid bearer token (garbage, wrong key, expired) acts as the organizer",
        "CANCEL-AUTH-REQUIRED",
        "GRAPH-401-INVALID-TOKEN",
    ),
    Fault.APP_TOKEN_ON_ME: _breaks(
        "/me with an application token acts on the first user instead of answering 400",
        "GRAPH-400-ME-APP-TOKEN",
    ),
    Fault.APP_TOKEN_REFUSED: _breaks(
        "application tokens are refused (403) on cancel",
        "CANCEL-PERM-APPLICATION",
        "CANCEL-PERM-APPLICATION-GROUPS",
    ),
    Fault.APP_TOKEN_REFUSED_GROUPS: _breaks(
        "application tokens are refused (403) on /groups cancel routes",
        "CANCEL-PERM-APPLICATION-GROUPS",
    ),
    Fault.APP_TOKEN_REFUSED_USERS: _breaks(
        "application tokens are refused (403) on /users cancel routes only",
        "CANCEL-PERM-APPLICATION",
    ),
    Fault.PERSONAL_REFUSED: _breaks(
        "personal (MSA) accounts are refused (403) on cancel",
        "CANCEL-PERM-DELEGATED-PERSONAL",
    ),
    # the organizer's .default token holds Mail.Send; only organizer_minimal (Calendars.ReadWrite) lacks it
    Fault.SCOPE_NEEDS_MAIL_SEND: _breaks(
        "cancel demands Mail.Send besides Calendars.ReadWrite of delegated tokens",
        "CANCEL-PERM-DELEGATED-WORK",
    ),
    Fault.CONTENT_TYPE_STRICT: _breaks(
        "cancel answers 415 unless Content-Type is exactly application/json",
        "CANCEL-CONTENT-TYPE",
    ),
    # the fault also refuses `"comment": ""` (a String too) and `null`
    Fault.COMMENT_REQUIRED: _breaks(
        "cancel without a comment answers 400",
        "CANCEL-COMMENT-OPTIONAL",
        "CANCEL-COMMENT-STRING",
        "GRAPH-COMMENT-DEFAULT-NOTICE",
        "GRAPH-COMMENT-EMPTY-NO-NOTICE",
    ),
    # no body / `{}` refused also fails the default-notice convention (graph level)
    Fault.COMMENT_REQUIRED_BODY: _breaks(
        "cancel with no body or `{}` answers 400 (any body naming a comment is fine)",
        "CANCEL-COMMENT-OPTIONAL",
        "GRAPH-COMMENT-DEFAULT-NOTICE",
    ),
    Fault.COMMENT_500_NON_ASCII: _breaks(
        "a comment with non-ASCII characters answers 500",
        "CANCEL-COMMENT-STRING",
        "GRAPH-NO-SERVER-ERROR",
    ),
    Fault.COMMENT_500_LONG: _breaks(
        "a comment longer than 1000 characters answers 500",
        "CANCEL-COMMENT-STRING",
        "GRAPH-NO-SERVER-ERROR",
    ),
    Fault.COMMENT_DROPPED: _breaks(
        "the comment is not put in the attendees' messages (default notice instead)",
        "CANCEL-COMMENT-DELIVERED",
        "CANCEL-COMMENT-DELIVERED-PASCAL",
    ),
    Fault.COMMENT_LOWERCASE_ONLY: _breaks(
        "only `comment` is read; `Comment` is ignored",
        "CANCEL-COMMENT-DELIVERED-PASCAL",
    ),
    Fault.COMMENT_PASCAL_ONLY: _breaks(
        "only `Comment` is read; `comment` is ignored",
        "CANCEL-COMMENT-DELIVERED",
        "GRAPH-COMMENT-EMPTY-NO-NOTICE",
    ),
    Fault.MESSAGE_NOT_MEETING_CANCELLED: _breaks(
        "the cancellation message has meetingMessageType `none`",
        "CANCEL-SENDS-MESSAGE",
        "GRAPH-OCCURRENCE-NOTIFIES",
    ),
    Fault.NO_CANCELLATION_MESSAGE: _breaks(
        "attendees get no cancellation message",
        "CANCEL-COMMENT-DELIVERED",
        "CANCEL-COMMENT-DELIVERED-PASCAL",
        "CANCEL-SENDS-MESSAGE",
        "GRAPH-COMMENT-DEFAULT-NOTICE",
        "GRAPH-OCCURRENCE-NOTIFIES",
    ),
    # a second cancel is not-verified when the first one's effect never shows (the overlay's check)
    Fault.EVENT_LEFT_IN_PLACE: _breaks(
        "202, but nothing changes for the organizer's event",
        "CANCEL-DELETED-ITEMS",
        "CANCEL-DELETED-ITEMS-FOLDER",
        "CANCEL-OCCURRENCE",
        "GRAPH-CANCELLED-OCCURRENCES",
        "GRAPH-SERIES-CANCEL",
    ),
    Fault.NOT_IN_DELETED_ITEMS: _breaks(
        "the event is removed but not listed in Deleted Items",
        "CANCEL-DELETED-ITEMS-FOLDER",
    ),
    # a cancelled master still listed keeps expanding its instances
    Fault.EVENT_STILL_LISTED: _breaks(
        "the event is filed in Deleted Items, yet still listed in the calendar (GET works)",
        "CANCEL-DELETED-ITEMS",
        "GRAPH-SERIES-CANCEL",
    ),
    Fault.ATTENDEE_COPIES_UNMARKED: _breaks(
        "attendees' copies are not marked isCancelled",
        "GRAPH-ATTENDEE-COPY-CANCELLED",
    ),
    Fault.OCCURRENCE_CANCELS_SERIES: _breaks(
        "cancelling an occurrence cancels the whole series",
        "CANCEL-OCCURRENCE",
    ),
    Fault.NO_CANCELLED_OCCURRENCES: _breaks(
        "the master's cancelledOccurrences stays empty",
        "GRAPH-CANCELLED-OCCURRENCES",
    ),
    Fault.OCCURRENCE_NO_NOTICE: _breaks(
        "cancelling an occurrence sends attendees no message",
        "GRAPH-OCCURRENCE-NOTIFIES",
    ),
    Fault.SERIES_MASTER_ONLY: _breaks(
        "cancelling a series master leaves its occurrences in place",
        "GRAPH-SERIES-CANCEL",
    ),
    Fault.ERROR_ENVELOPE_MISSING: _breaks(
        "errors are plain text, not Graph's JSON envelope",
        "CANCEL-ATTENDEE-MESSAGE",
        "GRAPH-400-MALFORMED-ID",
        "GRAPH-400-ME-APP-TOKEN",
        "GRAPH-401-INVALID-TOKEN",
        "GRAPH-401-NO-TOKEN",
        "GRAPH-403-ACCESS-DENIED",
        "GRAPH-404-UNKNOWN-ID",
        "GRAPH-ERROR-ENVELOPE",
    ),
    Fault.ERROR_NO_CONTENT_TYPE: _breaks(
        "error answers carry no Content-Type header",
        "GRAPH-ERROR-ENVELOPE",
    ),
    Fault.UNKNOWN_ID_400: _breaks("an unknown event id answers 400 instead of 404", "GRAPH-404-UNKNOWN-ID"),
    Fault.MALFORMED_ID_404: _breaks(
        "a malformed event id answers 404 instead of 400",
        "GRAPH-400-MALFORMED-ID",
    ),
    Fault.MALFORMED_JSON_ACCEPTED: _breaks(
        "a body that is not JSON is treated as no body (202)",
        "GRAPH-400-MALFORMED-JSON",
    ),
    Fault.LENIENT_BODY: _breaks("a comment of a wrong JSON type is accepted", "GRAPH-400-COMMENT-TYPE"),
    Fault.UNKNOWN_PARAMETER_ACCEPTED: _breaks(
        "unknown body parameters are ignored",
        "GRAPH-400-UNKNOWN-PARAMETER",
    ),
    Fault.EMPTY_COMMENT_SENDS_NOTICE: _breaks(
        '`"comment": ""` still sends the default notice',
        "GRAPH-COMMENT-EMPTY-NO-NOTICE",
    ),
    Fault.NULL_COMMENT_NO_NOTICE: _breaks(
        '`"comment": null` sends no notice',
        "GRAPH-COMMENT-DEFAULT-NOTICE",
    ),
    Fault.SECOND_CANCEL_202: _breaks(
        "a second cancel of the same event answers 202 again",
        "GRAPH-SECOND-CANCEL-4XX",
    ),
    Fault.CASE_SENSITIVE_SEGMENTS: _breaks(
        "URL segments match case-sensitively (only the page's spelling)",
        "GRAPH-SEGMENTS-CASE-INSENSITIVE",
    ),
    Fault.OTHER_METHODS_500: _breaks(
        "other methods on cancel paths answer 500",
        "GRAPH-405-OTHER-METHODS",
        "GRAPH-NO-SERVER-ERROR",
    ),
    **{
        route_missing(family): _breaks(
            f"the {family.replace('-', '/')}/{{id}}/cancel route answers 404",
            f"CANCEL-ROUTE-{family.upper()}",
        )
        for family in ROUTE_FAMILIES
    },
    Fault.GAP_CREATE_200: _gap(
        "creating events, calendars and calendar groups answers 200 instead of 201 (body as usual)",
        prerequisites=("EVENT-CREATE",),
    ),
    Fault.GAP_NO_INSTANCES: _gap(
        "GET .../instances answers 501 NotImplemented", prerequisites=("INSTANCES",), blocks=_RECURRENCE
    ),
    Fault.GAP_HANG_MALFORMED_JSON: _gap(
        "a request whose body is not JSON is never answered (held, closed after 120 s); others are",
        breaks=("GRAPH-400-MALFORMED-JSON",),
        # the Schemathesis families holding an unanswered request cannot say what its answer was
        blocks=("GRAPH-ERROR-ENVELOPE", "GRAPH-NO-SERVER-ERROR"),
    ),
    # an unknown id reads as the canned event, so GRAPH-404-UNKNOWN-ID cannot be checked either
    Fault.GAP_STATIC: _gap(
        "a static mock: creations echo the body with a fresh id and store nothing; every event GET answers "
        "one canned event (isCancelled: true); listings answer a canned list; cancel answers 202 to any id",
        prerequisites=("EVENT-READ",),
        static=True,
    ),
    Fault.GAP_NO_FILTER: _gap(
        "$filter on a listing answers 400 (plain listings work)", prerequisites=("ODATA-FILTER",)
    ),
    Fault.GAP_NO_CALENDAR_GROUPS: _gap(
        "POST .../calendarGroups answers 501 NotImplemented", prerequisites=("CALENDAR-GROUP-CREATE",)
    ),
    Fault.GAP_NO_CALENDAR_CREATE: _gap(
        "POST .../calendars answers 501 NotImplemented", prerequisites=("CALENDAR-CREATE",)
    ),
    Fault.GAP_NO_MESSAGES: _gap(
        "mailbox messages (/me/messages, the inbox) answer 404 ResourceNotFound",
        prerequisites=("MAILBOX-MESSAGES",),
        blocks=(*_MESSAGES, "CANCEL-ATTENDEE-400"),  # its case also checks a refused cancel sent no message
    ),
    Fault.GAP_NO_DELETED_ITEMS: _gap(
        "the Deleted Items folder answers 404 ErrorItemNotFound",
        prerequisites=("DELETED-ITEMS",),
        blocks=("CANCEL-DELETED-ITEMS-FOLDER",),
    ),
    Fault.GAP_BORN_CANCELLED: _gap(
        "new events (and attendee copies) already show isCancelled: true",
        blocks=(*_UNTOUCHED, *_RECURRENCE, "GRAPH-ATTENDEE-COPY-CANCELLED"),
    ),
    Fault.GAP_NO_ATTENDEE_COPIES: _gap(
        "invitees get the meeting request and the cancellation notice but never a copy of the event",
        prerequisites=("ATTENDEE-COPY",),
        blocks=("CANCEL-ATTENDEE-400", "CANCEL-ATTENDEE-MESSAGE", "GRAPH-ATTENDEE-COPY-CANCELLED"),
    ),
    Fault.GAP_NO_CANCEL_WITHOUT_ATTENDEES: _gap(
        "the organizer's cancel of an event that invites nobody answers 400 ErrorInvalidRequest "
        "(no attendees to notify); cancels of events with attendees work",
        prerequisites=("CANCEL-WITHOUT-ATTENDEES",),
        blocks=_WITHOUT_ATTENDEES,
    ),
}

FAULTS: dict[str, str] = {name: definition.description for name, definition in DEFINITIONS.items()}


def validate_fault_names(names: Iterable[str]) -> frozenset[str]:
    """Return the names as a set; raise ValueError naming the unknown ones and the valid list."""
    requested = frozenset(str(name) for name in names)
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
