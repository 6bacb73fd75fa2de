"""The case toolkit: everything a hand-written conformance case needs besides its catalog id.

A case arranges (`Arranger`: events, series, copies, mailboxes; each need a prerequisite, not-verified when
the target lacks it), acts (`organizer_cancels`, `send`: the cancel under test, its route guarded), and
observes (`expect*`, `expect_untouched`, `expect_notices`, ...), comparing what it sees with what was there
before the act. It waits for an effect as long as the run has learned this target needs (`Arranger.effect`,
`Arranger.notice_wait`: conformance.target.polling), and invites attendees only where a check needs them.
"""

from conformance.cases.toolkit.act import (
    ABSENT,
    JSON_TYPE,
    ME_EVENTS_ROUTE,
    expect_accepted,
    last_act_at,
    organizer_cancels,
    require_route_served,
    send,
)
from conformance.cases.toolkit.ahead import acts_ahead, watches_quiet
from conformance.cases.toolkit.answer_cases import answer_module
from conformance.cases.toolkit.arrange import Arranger, series_window
from conformance.cases.toolkit.checks import (
    Polling,
    Seen,
    envelope_problems,
    error_code,
    expect,
    expect_error,
    expect_eventually,
    expect_status,
    failure,
    is_unknown_route,
    json_of,
    poll,
    profile_of,
    require_profile,
    sentence_of,
    stays_absent,
    waited,
)
from conformance.cases.toolkit.contract import ActionContract, contract_cases
from conformance.cases.toolkit.observe import (
    CANCELLED,
    Item,
    await_notice,
    excerpt,
    expect_notices,
    expect_untouched,
    find_copy,
    listed,
    message_text,
    messages_about,
    notices_about,
    unreadable_mailbox,
    window,
)
from conformance.cases.toolkit.session import CaseSession
from conformance.errors import ConformanceFailure
from conformance.outcomes import not_applicable, not_verified
from conformance.target.conventions import GONE
from conformance.target.listing import next_link_of, value_of
from conformance.target.polling import Bound, Effect
from conformance.target.prerequisites import ATTENDEE_COPY, EVENT_READ, PrerequisiteFailed, exchange_record

__all__ = [
    "ABSENT",
    "ActionContract",
    "answer_module",
    "contract_cases",
    "acts_ahead",
    "watches_quiet",
    "ATTENDEE_COPY",
    "EVENT_READ",
    "PrerequisiteFailed",
    "exchange_record",
    "CANCELLED",
    "GONE",
    "JSON_TYPE",
    "ME_EVENTS_ROUTE",
    "Arranger",
    "Bound",
    "CaseSession",
    "Effect",
    "ConformanceFailure",
    "Item",
    "Polling",
    "Seen",
    "await_notice",
    "envelope_problems",
    "error_code",
    "expect",
    "expect_accepted",
    "expect_error",
    "expect_eventually",
    "excerpt",
    "expect_notices",
    "expect_status",
    "expect_untouched",
    "failure",
    "find_copy",
    "is_unknown_route",
    "value_of",
    "next_link_of",
    "json_of",
    "last_act_at",
    "listed",
    "message_text",
    "messages_about",
    "not_applicable",
    "not_verified",
    "notices_about",
    "organizer_cancels",
    "poll",
    "profile_of",
    "require_profile",
    "require_route_served",
    "send",
    "sentence_of",
    "series_window",
    "unreadable_mailbox",
    "stays_absent",
    "waited",
    "window",
]
