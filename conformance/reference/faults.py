"""The fault switches: each one a single deliberate deviation from the page or from Graph's conventions.

Every switch is a `Fault` member (code tests `Fault.STATUS_200 in faults`, so a typo fails loudly), and
DEFINITIONS says what it changes and cites, per requirement id, the words of the catalog sentence it violates
(`violates`): those requirements a correct suite must then fail (`breaks`). It also names what the switch
leaves not-verified (`blocks`) and why several of the suite's checks catch it (`overlap`). `gap-*` switches
leave `event: cancel` alone and take away something the suite needs to arrange or observe (a half-built
server): their metadata names the prerequisite the report must name and the requirements that may end
not-verified. All of it is metadata only the project's tests read (the server imports no catalog); the server
never does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

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
    BODY_ON_202_UPN = "body-on-202-upn"
    BODY_ON_202_PASCAL = "body-on-202-pascal"
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
    AUTH_ERRORS_NO_CONTENT_TYPE = "auth-errors-no-content-type"
    NOT_FOUND_NO_CONTENT_TYPE = "not-found-no-content-type"
    INNER_ERROR_IDS_MISSING = "inner-error-ids-missing"
    REFUSED_YET_CANCELLED = "refused-yet-cancelled"
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


_ROUTE_SEGMENTS = {
    "me": "me",
    "users": "users/{id | userPrincipalName}",
    "groups": "groups/{id}",
    "calendar": "calendar",
    "calendars": "calendars/{id}",
    "calendargroup": "calendargroup",
    "calendargroups": "calendargroups/{id}",
    "events": "events/{id}",
}


def route_line(family: str, action: str = "cancel") -> str:
    """The page's route line of a family, e.g. /me/calendars/{id}/events/{id}/cancel."""
    return "/" + "/".join(_ROUTE_SEGMENTS[segment] for segment in family.split("-")) + f"/{action}"


# the page's route line of each family (its CANCEL-ROUTE-* sentence): what a route-missing-* switch violates
ROUTE_SENTENCES = {family: route_line(family) for family in ROUTE_FAMILIES}


def route_missing(family: str) -> str:
    """The switch that takes one cancel route family away, e.g. route-missing-me-events."""
    return f"route-missing-{family}"


@dataclass(frozen=True)
class FaultDefinition:
    """What a switch changes; for the project's tests, the sentences it violates and what a suite reports.

    `violates` cites, per catalog requirement id, the words of that requirement's sentence
    (openapi/requirements.yaml) the switch makes false; the requirements a correct suite must fail follow from
    it (`breaks`), and the project's tests check each citation against the catalog.
    """

    description: str
    violates: Mapping[str, str] = field(default_factory=dict)  # requirement id -> words of its sentence
    prerequisites: frozenset[str] = frozenset()  # gap switches: prerequisite ids the report must name
    # requirement ids that may end not-verified (a fault row: exactly these; a gap row: at most these)
    blocks: frozenset[str] = frozenset()
    static: bool = False  # a static mock: only STATE_FREE requirements (less `breaks`) must still pass
    gap: bool = False  # a prerequisite gap (a half-built server), not a deviation from the page
    overlap: str = ""  # why more than one check of the suite catches it
    actions: tuple[str, ...] = ()  # the actions whose behaviour it changes (empty: every action)

    @property
    def breaks(self) -> frozenset[str]:
        """The requirement ids a correct suite must fail: those whose sentence the switch violates."""
        return frozenset(self.violates)


_CANCEL = ("cancel",)  # every switch of the Fault enum changes cancel's routes only


def _violates(
    description: str, violates: Mapping[str, str], *, blocks: Iterable[str] = (), overlap: str = ""
) -> FaultDefinition:
    return FaultDefinition(description, violates, blocks=frozenset(blocks), overlap=overlap, actions=_CANCEL)


def _gap(
    description: str,
    prerequisites: Iterable[str] = (),
    blocks: Iterable[str] = (),
    violates: Mapping[str, str] | None = None,
    static: bool = False,
) -> FaultDefinition:
    return FaultDefinition(
        description, violates or {}, frozenset(prerequisites), frozenset(blocks), static, gap=True,
        actions=_CANCEL,
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

_NO_5XX = "No request to a route of these actions, well-formed or not, is answered with a 5xx"
_NO_BODY = "It does not return anything in the response body."
_NO_NOTICE = "sends no cancellation notice at all"
_OPTIONAL = "Optional."
_COMMENT_STRING = "comment (String)"
_BEARER_REQUIRED = "Bearer {token}. Required."
_ERROR_JSON = "An error answer is a JSON body"
_APPLICATION = "Application: Calendars.ReadWrite"
_REFUSED_400 = "is refused with 400 Bad Request"
_DEFAULT_NOTICE = "still sends the attendees the default cancellation notice"
_DELIVERED = "A comment about the cancellation sent to all the attendees."
_EXAMPLE_COMMENT = '"Comment": "Cancelling for this week due to all hands"'
_MOVES = "The action moves the event to the Deleted Items folder."
_STAYS = "and the event stays as it was"
# the envelope cases judge the error answer of another requirement's request; a switch that makes that
# request succeed leaves them no error to inspect (not-verified, naming it), never a pass
_NO_ERROR_TO_INSPECT = ("GRAPH-ERROR-ENVELOPE",)


def _accepts(description: str, violates: Mapping[str, str], *, overlap: str = "") -> FaultDefinition:
    """A switch that accepts a request the page refuses: the envelope cases get no error to inspect."""
    return _violates(description, violates, blocks=_NO_ERROR_TO_INSPECT, overlap=overlap)


# cases that judge a cancel by its effect (the event gone), which never shows: not-verified, never failed
_EFFECT_NEVER_SHOWS = (
    *(f"CANCEL-ROUTE-{family.upper()}" for family in ROUTE_FAMILIES),
    "CANCEL-PERM-APPLICATION",
    "CANCEL-PERM-APPLICATION-GROUPS",
    "GRAPH-ERROR-ENVELOPE",  # its second-cancel case: the first cancel's effect never shows
    "GRAPH-NO-SERVER-ERROR",
    "GRAPH-SECOND-CANCEL-4XX",
    "GRAPH-SEGMENTS-CASE-INSENSITIVE",
)


def _effect_unseen(description: str, violates: Mapping[str, str], *, overlap: str = "") -> FaultDefinition:
    """A switch under which a cancel's effect never shows: the cases judging a cancel by it cannot."""
    return _violates(description, violates, blocks=_EFFECT_NEVER_SHOWS, overlap=overlap)


_CODE_CHECKS = "every case that reads an error's status and code sees it"
# the generated valid-body and ignored_auth families judge only accepted cancels: on the routes the
# application's token is refused on, they have nothing to judge (not-verified)
_APPLICATION_ROUTES_UNJUDGED = ("CANCEL-AUTH-REQUIRED", "CANCEL-COMMENT-STRING")
# what every route's cases check besides the route itself (the 202 case, the generated families needing a
# served route): not-verified on a route the server does not serve, whose CANCEL-ROUTE-* case fails
_ON_EVERY_ROUTE = (
    "CANCEL-202-EMPTY",
    "CANCEL-AUTH-REQUIRED",
    "CANCEL-COMMENT-STRING",
    "GRAPH-400-COMMENT-TYPE",
    "GRAPH-400-UNKNOWN-PARAMETER",
)
_SPELLED_ROUTES = (  # the route families GRAPH-SEGMENTS-CASE-INSENSITIVE respells
    "me-calendargroup-calendars-events",
    "me-calendargroups-calendars-events",
    "users-calendargroups-calendars-events",
)
# the behavioural cases cancel on /me/events: without it they are not-verified, naming the route
_ON_ME_EVENTS = (
    *_ON_EVERY_ROUTE,
    "CANCEL-ATTENDEE-400",
    "CANCEL-ATTENDEE-MESSAGE",
    "CANCEL-COMMENT-DELIVERED",
    "CANCEL-COMMENT-DELIVERED-PASCAL",
    "CANCEL-COMMENT-OPTIONAL",
    "CANCEL-CONTENT-TYPE",
    "CANCEL-DELETED-ITEMS",
    "CANCEL-DELETED-ITEMS-FOLDER",
    "CANCEL-OCCURRENCE",
    "CANCEL-PERM-DELEGATED-PERSONAL",
    "CANCEL-PERM-DELEGATED-WORK",
    "CANCEL-SENDS-MESSAGE",
    "GRAPH-400-MALFORMED-ID",
    "GRAPH-400-MALFORMED-JSON",
    "GRAPH-403-ACCESS-DENIED",
    "GRAPH-404-UNKNOWN-ID",
    "GRAPH-ATTENDEE-COPY-CANCELLED",
    "GRAPH-CANCELLED-OCCURRENCES",
    "GRAPH-COMMENT-DEFAULT-NOTICE",
    "GRAPH-COMMENT-EMPTY-NO-NOTICE",
    "GRAPH-ERROR-ENVELOPE",
    "GRAPH-NO-SERVER-ERROR",
    "GRAPH-OCCURRENCE-NOTIFIES",
    "GRAPH-SECOND-CANCEL-4XX",
    "GRAPH-SERIES-CANCEL",
)


def _route_blocks(family: str) -> tuple[str, ...]:
    """What a server without this route family leaves not-verified (besides failing its CANCEL-ROUTE-*)."""
    if family == "me-events":
        return _ON_ME_EVENTS
    blocks = list(_ON_EVERY_ROUTE)
    if family.startswith("users-"):
        blocks.append("CANCEL-PERM-APPLICATION")
    if family.startswith("groups-"):
        blocks.append("CANCEL-PERM-APPLICATION-GROUPS")
    if family in _SPELLED_ROUTES:
        blocks.append("GRAPH-SEGMENTS-CASE-INSENSITIVE")
    return tuple(blocks)


CANCEL_DEFINITIONS: dict[str, FaultDefinition] = {
    **{
        fault: _violates(
            f"a successful cancel answers {status} instead of 202",
            {"CANCEL-202-EMPTY": "this method returns 202 Accepted response code"},
            overlap="the hand-written 202 case and the Schemathesis status family both judge every "
            "successful cancel's status",
        )
        for fault, status in ((Fault.STATUS_200, 200), (Fault.STATUS_204, 204))
    },
    Fault.BODY_ON_202: _violates(
        "a successful cancel answers 202 with a JSON body",
        {"CANCEL-202-EMPTY": _NO_BODY},
        overlap="the hand-written 202 case and the Schemathesis status family both judge every successful "
        "cancel's body (body-on-202-upn and body-on-202-pascal show each alone)",
    ),
    Fault.BODY_ON_202_UPN: _violates(
        "a successful cancel addressed by userPrincipalName (/users/{upn}/...) answers 202 with a JSON body",
        {"CANCEL-202-EMPTY": _NO_BODY},
    ),
    Fault.BODY_ON_202_PASCAL: _violates(
        "a successful cancel whose body spells the key `Comment` (the page's example) answers 202 with a "
        "JSON body",
        {"CANCEL-202-EMPTY": _NO_BODY},
    ),
    Fault.ATTENDEE_ALLOWED: _violates(
        "an attendee may cancel the meeting (202, the organizer's event is cancelled)",
        {
            "CANCEL-ATTENDEE-400": "An attendee calling this action gets an error (HTTP 400 Bad Request)",
            "CANCEL-ATTENDEE-MESSAGE": "with the following error message",
        },
        overlap="no error at all fails both the status case and the message case",
    ),
    Fault.ATTENDEE_403: _violates(
        "an attendee calling cancel gets 403 instead of 400",
        {"CANCEL-ATTENDEE-400": "(HTTP 400 Bad Request)"},
    ),
    Fault.ATTENDEE_MESSAGE_PARAPHRASED: _violates(
        "the attendee's 400 carries a reworded message",
        {"CANCEL-ATTENDEE-MESSAGE": "You need to be an organizer to cancel a meeting."},
    ),
    Fault.SCOPES_IGNORED: _accepts(
        "cancel does not check for Calendars.ReadWrite (a Calendars.Read token cancels)",
        {
            "CANCEL-PERM-REQUIRED": "One of the following permissions is required to call this API.",
            "GRAPH-403-ACCESS-DENIED": "A valid token without the needed permission (no Calendars.ReadWrite) "
            "gets 403",
        },
        overlap="a readonly token that cancels fails both the refusal case and the exact-403 case",
    ),
    Fault.READONLY_401: _violates(
        "a token without Calendars.ReadWrite gets 401 instead of 403",
        {"GRAPH-403-ACCESS-DENIED": "gets 403 with error code ErrorAccessDenied"},
    ),
    Fault.AUTH_IGNORED: _accepts(
        "cancel works without an Authorization header (as the organizer)",
        {
            "CANCEL-AUTH-REQUIRED": _BEARER_REQUIRED,
            "GRAPH-401-NO-TOKEN": "A request without a token, or with an empty one, gets 401",
        },
        overlap="a cancel without a token that succeeds fails the hand-written refusal and exact-401 cases "
        "and Schemathesis' ignored_auth",
    ),
    # Schemathesis' ignored_auth also re-sends each case with a bad token, which this fault accepts
    Fault.INVALID_TOKEN_ACCEPTED: _accepts(
        "any invalid bearer token (garbage, wrong key, expired) acts as the organizer",
        {
            "CANCEL-AUTH-REQUIRED": _BEARER_REQUIRED,
            "GRAPH-401-INVALID-TOKEN": "A forged or otherwise invalid bearer token gets 401",
        },
        overlap="the hand-written exact-401 case and Schemathesis' ignored_auth both send an invalid token",
    ),
    Fault.APP_TOKEN_ON_ME: _accepts(
        "/me with an application token acts on the first user instead of answering 400",
        {"GRAPH-400-ME-APP-TOKEN": "/me called with an app-only (application) token gets 400"},
    ),
    Fault.APP_TOKEN_REFUSED: _violates(
        "application tokens are refused (403) on cancel",
        {
            "CANCEL-PERM-APPLICATION": _APPLICATION,
            "CANCEL-PERM-APPLICATION-GROUPS": _APPLICATION,
        },
        blocks=_APPLICATION_ROUTES_UNJUDGED,
        overlap="the /users and the /groups cases both cancel with the application's token",
    ),
    **{
        fault: _violates(
            f"application tokens are refused (403) on /{principal} cancel routes only",
            {requirement_id: _APPLICATION},
            blocks=_APPLICATION_ROUTES_UNJUDGED,
        )
        for fault, principal, requirement_id in (
            (Fault.APP_TOKEN_REFUSED_GROUPS, "groups", "CANCEL-PERM-APPLICATION-GROUPS"),
            (Fault.APP_TOKEN_REFUSED_USERS, "users", "CANCEL-PERM-APPLICATION"),
        )
    },
    Fault.PERSONAL_REFUSED: _violates(
        "personal (MSA) accounts are refused (403) on cancel",
        {"CANCEL-PERM-DELEGATED-PERSONAL": "Delegated (personal Microsoft account): Calendars.ReadWrite"},
    ),
    # the organizer's .default token holds Mail.Send; only organizer_minimal (Calendars.ReadWrite) lacks it
    Fault.SCOPE_NEEDS_MAIL_SEND: _violates(
        "cancel demands Mail.Send besides Calendars.ReadWrite of delegated tokens",
        {"CANCEL-PERM-DELEGATED-WORK": "Delegated (work or school account): Calendars.ReadWrite"},
    ),
    Fault.CONTENT_TYPE_STRICT: _violates(
        "cancel answers 415 unless Content-Type is exactly application/json",
        {"CANCEL-CONTENT-TYPE": "Content-Type (string): Nature of the data in the body of an entity."},
    ),
    # the fault also refuses `"comment": ""` (a String too) and `null`
    Fault.COMMENT_REQUIRED: _violates(
        "cancel without a comment answers 400",
        {
            "CANCEL-COMMENT-OPTIONAL": _OPTIONAL,
            "CANCEL-COMMENT-STRING": _COMMENT_STRING,
            "GRAPH-COMMENT-DEFAULT-NOTICE": _DEFAULT_NOTICE,
            "GRAPH-COMMENT-EMPTY-NO-NOTICE": 'A cancel with `"comment": ""` is accepted',
        },
        overlap="a refused cancel without a comment is seen by every case that cancels without one",
    ),
    # no body / `{}` refused also fails the default-notice convention (graph level)
    Fault.COMMENT_REQUIRED_BODY: _violates(
        "cancel with no body or `{}` answers 400 (any body naming a comment is fine)",
        {
            "CANCEL-COMMENT-OPTIONAL": _OPTIONAL,
            "GRAPH-COMMENT-DEFAULT-NOTICE": "A cancel with no body, with `{}`",
        },
        overlap="the optional-comment case and the default-notice case both cancel with no body and `{}`",
    ),
    **{
        fault: _violates(
            f"a comment {which} answers 500",
            {"CANCEL-COMMENT-STRING": _COMMENT_STRING, "GRAPH-NO-SERVER-ERROR": _NO_5XX},
            overlap="a 5xx to a valid comment fails the comment cases and the no-5xx cases, hand-written and "
            "generated alike",
        )
        for fault, which in (
            (Fault.COMMENT_500_NON_ASCII, "with non-ASCII characters"),
            (Fault.COMMENT_500_LONG, "longer than 1000 characters"),
        )
    },
    Fault.COMMENT_DROPPED: _violates(
        "the comment is not put in the attendees' messages (default notice instead)",
        {"CANCEL-COMMENT-DELIVERED": _DELIVERED, "CANCEL-COMMENT-DELIVERED-PASCAL": _EXAMPLE_COMMENT},
        overlap="the delivery case reads the comment under both spellings of the key",
    ),
    Fault.COMMENT_LOWERCASE_ONLY: _violates(
        "only `comment` is read; `Comment` is ignored",
        {"CANCEL-COMMENT-DELIVERED-PASCAL": _EXAMPLE_COMMENT},
    ),
    Fault.COMMENT_PASCAL_ONLY: _violates(
        "only `Comment` is read; `comment` is ignored",
        {
            "CANCEL-COMMENT-DELIVERED": _DELIVERED,
            "GRAPH-COMMENT-EMPTY-NO-NOTICE": _NO_NOTICE,
        },
        overlap="the delivery case and the empty-comment case both send the key `comment`",
    ),
    Fault.MESSAGE_NOT_MEETING_CANCELLED: _violates(
        "the cancellation message has meetingMessageType `none`",
        {
            "CANCEL-SENDS-MESSAGE": "send a cancellation message",
            "GRAPH-OCCURRENCE-NOTIFIES": "a meetingCancelled message",
        },
        overlap="the meeting's and the occurrence's notice cases both read meetingMessageType",
    ),
    Fault.NO_CANCELLATION_MESSAGE: _violates(
        "attendees get no cancellation message",
        {
            "CANCEL-COMMENT-DELIVERED": _DELIVERED,
            "CANCEL-COMMENT-DELIVERED-PASCAL": _EXAMPLE_COMMENT,
            "CANCEL-SENDS-MESSAGE": "send a cancellation message",
            "GRAPH-COMMENT-DEFAULT-NOTICE": _DEFAULT_NOTICE,
            "GRAPH-OCCURRENCE-NOTIFIES": "sends the attendees a meetingCancelled message",
        },
        # the empty-comment case judges the absence of a notice once a later cancel's notice is in
        blocks=("GRAPH-COMMENT-EMPTY-NO-NOTICE",),
        overlap="every case awaiting a notice sees none",
    ),
    # a second cancel is not-verified when the first one's effect never shows (the overlay's check)
    Fault.EVENT_LEFT_IN_PLACE: _effect_unseen(
        "202, but nothing changes for the organizer's event",
        {
            "CANCEL-DELETED-ITEMS": _MOVES,
            "CANCEL-DELETED-ITEMS-FOLDER": _MOVES,
            "CANCEL-OCCURRENCE": "cancel an occurrence of a recurring meeting",
            "GRAPH-CANCELLED-OCCURRENCES": "lists it",
            "GRAPH-SERIES-CANCEL": "Cancelling the series master cancels the whole series",
        },
        overlap="every case observing a cancel's effect sees none",
    ),
    Fault.NOT_IN_DELETED_ITEMS: _violates(
        "the event is removed but not listed in Deleted Items",
        {"CANCEL-DELETED-ITEMS-FOLDER": "to the Deleted Items folder"},
    ),
    # a cancelled master still listed keeps expanding its instances
    Fault.EVENT_STILL_LISTED: _effect_unseen(
        "the event is filed in Deleted Items, yet still listed in the calendar (GET works)",
        {
            "CANCEL-DELETED-ITEMS": "The action moves the event",
            "GRAPH-SERIES-CANCEL": "listing its instances returns none of the occurrences",
        },
        overlap="the event's and the series' removal cases both list the calendar",
    ),
    Fault.ATTENDEE_COPIES_UNMARKED: _violates(
        "attendees' copies are not marked isCancelled",
        {"GRAPH-ATTENDEE-COPY-CANCELLED": "reports isCancelled: true"},
    ),
    Fault.OCCURRENCE_CANCELS_SERIES: _violates(
        "cancelling an occurrence cancels the whole series",
        {"CANCEL-OCCURRENCE": "by providing the occurrence event ID"},
        blocks=("GRAPH-CANCELLED-OCCURRENCES",),  # the master is gone: its cancelledOccurrences unread
    ),
    Fault.NO_CANCELLED_OCCURRENCES: _violates(
        "the master's cancelledOccurrences stays empty",
        {"GRAPH-CANCELLED-OCCURRENCES": "(returned when asked for with $select) lists it"},
    ),
    Fault.OCCURRENCE_NO_NOTICE: _violates(
        "cancelling an occurrence sends attendees no message",
        {"GRAPH-OCCURRENCE-NOTIFIES": "Cancelling one occurrence sends the attendees"},
    ),
    Fault.SERIES_MASTER_ONLY: _violates(
        "cancelling a series master leaves its occurrences in place",
        {"GRAPH-SERIES-CANCEL": "cancels the whole series"},
    ),
    Fault.ERROR_ENVELOPE_MISSING: _violates(
        "errors are plain text, not Graph's JSON envelope",
        {
            "CANCEL-ATTENDEE-MESSAGE": "with the following error message",
            "GRAPH-400-MALFORMED-ID": "with error code ErrorInvalidIdMalformed",
            "GRAPH-400-ME-APP-TOKEN": "with error code BadRequest",
            "GRAPH-401-INVALID-TOKEN": "with error code InvalidAuthenticationToken",
            "GRAPH-401-NO-TOKEN": "with error code InvalidAuthenticationToken",
            "GRAPH-403-ACCESS-DENIED": "with error code ErrorAccessDenied",
            "GRAPH-404-UNKNOWN-ID": "with error code ErrorItemNotFound",
            "GRAPH-ERROR-ENVELOPE": "An error answer is a JSON body whose `error` object",
        },
        overlap=f"no error code or message can be read: {_CODE_CHECKS}",
    ),
    Fault.ERROR_NO_CONTENT_TYPE: _violates(
        "error answers carry no Content-Type header",
        {"GRAPH-ERROR-ENVELOPE": _ERROR_JSON},
        overlap="every error answer lacks it: both hand-written envelope cases and Schemathesis' "
        "content_type_conformance see it (auth-errors-no-content-type and not-found-no-content-type show "
        "each hand-written case alone)",
    ),
    Fault.AUTH_ERRORS_NO_CONTENT_TYPE: _violates(
        "refusals of the caller's token or permissions (401, 403) carry no Content-Type header",
        {"GRAPH-ERROR-ENVELOPE": _ERROR_JSON},
    ),
    Fault.NOT_FOUND_NO_CONTENT_TYPE: _violates(
        "a 404 ErrorItemNotFound (an unknown or already cancelled event) carries no Content-Type header",
        {"GRAPH-ERROR-ENVELOPE": _ERROR_JSON},
    ),
    Fault.INNER_ERROR_IDS_MISSING: _violates(
        "error answers' innerError holds only `date`: no `request-id`, no `client-request-id`",
        {"GRAPH-ERROR-ENVELOPE": "an `innerError` object with `date`, `request-id` and `client-request-id`"},
        overlap="both hand-written envelope cases read innerError (the description does not require its "
        "ids, so Schemathesis does not); auth-errors-no-content-type and not-found-no-content-type show "
        "each alone",
    ),
    Fault.REFUSED_YET_CANCELLED: _violates(
        "a cancel refused for its body (400), or an attendee's refused cancel, still marks the event it "
        "addresses cancelled (isCancelled: true, left in the calendar)",
        {
            "CANCEL-ATTENDEE-400": "An attendee calling this action gets an error",
            "GRAPH-400-MALFORMED-JSON": _STAYS,
            "GRAPH-400-COMMENT-TYPE": "is refused with 400",
            "GRAPH-400-UNKNOWN-PARAMETER": _STAYS,
        },
        overlap="the refusal cases that read the event back after the refusal see it (the generated ones "
        "judge only the answer)",
    ),
    Fault.UNKNOWN_ID_400: _violates(
        "an unknown event id answers 400 instead of 404",
        {"GRAPH-404-UNKNOWN-ID": "gets 404 with error code ErrorItemNotFound"},
    ),
    Fault.MALFORMED_ID_404: _violates(
        "a malformed event id answers 404 instead of 400",
        {"GRAPH-400-MALFORMED-ID": "gets 400 with error code ErrorInvalidIdMalformed"},
    ),
    Fault.MALFORMED_JSON_ACCEPTED: _accepts(
        "a body that is not JSON is treated as no body (202)",
        {"GRAPH-400-MALFORMED-JSON": _REFUSED_400},
    ),
    Fault.LENIENT_BODY: _accepts(
        "a comment of a wrong JSON type is accepted",
        {"GRAPH-400-COMMENT-TYPE": "is refused with 400: the page types it String"},
        overlap="the hand-written and the generated wrong-type cases both send wrong comment types",
    ),
    Fault.UNKNOWN_PARAMETER_ACCEPTED: _accepts(
        "unknown body parameters are ignored",
        {"GRAPH-400-UNKNOWN-PARAMETER": "that the action does not declare is refused with 400"},
        overlap="the hand-written and the generated unknown-parameter cases both send one",
    ),
    Fault.EMPTY_COMMENT_SENDS_NOTICE: _violates(
        '`"comment": ""` still sends the default notice',
        {"GRAPH-COMMENT-EMPTY-NO-NOTICE": _NO_NOTICE},
    ),
    Fault.NULL_COMMENT_NO_NOTICE: _violates(
        '`"comment": null` sends no notice',
        {"GRAPH-COMMENT-DEFAULT-NOTICE": 'or with `"comment": null` ' + _DEFAULT_NOTICE},
    ),
    Fault.SECOND_CANCEL_202: _accepts(
        "a second cancel of the same event answers 202 again",
        {"GRAPH-SECOND-CANCEL-4XX": "cancelling the same event again is refused with a 4xx"},
    ),
    Fault.CASE_SENSITIVE_SEGMENTS: _violates(
        "URL segments match case-sensitively (only the page's spelling)",
        {"GRAPH-SEGMENTS-CASE-INSENSITIVE": "Route segments match regardless of case"},
    ),
    Fault.OTHER_METHODS_500: _violates(
        "other methods on cancel paths answer 500",
        {"GRAPH-405-OTHER-METHODS": "never a 2xx or a 5xx", "GRAPH-NO-SERVER-ERROR": _NO_5XX},
        overlap="the other-method probes are judged by the hand-written and generated method and no-5xx "
        "cases alike",
    ),
    **{
        route_missing(family): _violates(
            f"the {family.replace('-', '/')}/{{id}}/cancel route answers 404",
            {f"CANCEL-ROUTE-{family.upper()}": ROUTE_SENTENCES[family]},
            blocks=_route_blocks(family),
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
        violates={"GRAPH-400-MALFORMED-JSON": _REFUSED_400},
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

# the switches of every action: cancel's above, the others' in their module in conformance/reference/actions
# (collected on first use, so that the action modules may import this one)
DEFINITIONS: dict[str, FaultDefinition]
FAULTS: dict[str, str]  # name -> what it changes


@cache
def _collected() -> tuple[dict[str, FaultDefinition], dict[str, str]]:
    from conformance.reference.actions import action_fault_definitions

    definitions: dict[str, FaultDefinition] = dict(CANCEL_DEFINITIONS)
    for name, definition in action_fault_definitions().items():
        if name in definitions:
            raise RuntimeError(f"fault switch {name!r} is defined twice")
        definitions[name] = definition
    return definitions, {name: definition.description for name, definition in definitions.items()}


def __getattr__(name: str) -> Any:
    """DEFINITIONS and FAULTS, collected from every action's module on first use."""
    if name == "DEFINITIONS":
        return _collected()[0]
    if name == "FAULTS":
        return _collected()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def validate_fault_names(names: Iterable[str]) -> frozenset[str]:
    """Return the names as a set; raise ValueError naming the unknown ones and the valid list."""
    known = _collected()[1]
    requested = frozenset(str(name) for name in names)
    unknown = sorted(requested - known.keys())
    if unknown:
        raise ValueError(
            f"unknown fault switch(es): {', '.join(unknown)}; valid names: {', '.join(sorted(known))}"
        )
    return requested


def describe_faults() -> str:
    """One line per fault: the name and what it changes."""
    known = _collected()[1]
    width = max(len(name) for name in known)
    return "\n".join(f"{name.ljust(width)}  {description}" for name, description in known.items())
