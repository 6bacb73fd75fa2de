"""Scenarios in which Microsoft's Python SDK (msgraph-sdk) drives a reference server through a meeting's life.

`python -m tests.sdk._lifecycle SCENARIO [FAULT ...]` runs one scenario against a fresh reference server on
127.0.0.1 (with these fault switches): exit 0 when every assertion holds. test_msgraph_lifecycle.py runs it
in a child process, which keeps the SDK's thousands of modules (and their warnings) out of the test workers.

What the suite calls right must be what real applications send and read: the SDK builds every request (its
bodies, its URLs) and parses every answer into its models; the test asserts on what the SDK reads back.
The SDK talks to the reference server on 127.0.0.1 through its own request adapter, with a static bearer
token per identity (fetched from the server's token endpoint) instead of azure-identity.
"""

from __future__ import annotations

import asyncio
import sys
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.models.response_type import ResponseType
from msgraph.generated.models.time_slot import TimeSlot
from msgraph.generated.users.item.events.item.accept.accept_post_request_body import AcceptPostRequestBody
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import CancelPostRequestBody
from msgraph.generated.users.item.events.item.decline.decline_post_request_body import DeclinePostRequestBody
from msgraph.generated.users.item.events.item.forward.forward_post_request_body import ForwardPostRequestBody
from msgraph.generated.users.item.events.item.snooze_reminder.snooze_reminder_post_request_body import (
    SnoozeReminderPostRequestBody,
)
from msgraph.generated.users.item.events.item.tentatively_accept.tentatively_accept_post_request_body import (
    TentativelyAcceptPostRequestBody,
)
from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)

from conformance.reference.serve import ReferenceServer
from tests.reference._graph_client import GraphClient

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


class StaticToken(AccessTokenProvider):
    """One identity's bearer token, for the reference server's loopback host only."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def get_authorization_token(self, uri: str, additional_authentication_context: Any = None) -> str:
        """The token (the SDK asks before each request)."""
        return self._token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        """Only the loopback server gets the token."""
        return AllowedHostsValidator(["127.0.0.1"])


def sdk_client(graph: GraphClient, role: str) -> GraphServiceClient:
    """A GraphServiceClient acting as `role`, whose base URL is the reference server's."""
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken(graph.token(role))))
    adapter.base_url = graph.server.base_url
    return GraphServiceClient(request_adapter=adapter)


def address(graph: GraphClient, role: str) -> str:
    """The SMTP address a role is invited with."""
    return str(graph.identity(role)["user_principal_name"])


def reminder_view(client: GraphServiceClient, base_url: str, start: datetime, end: datetime) -> Any:
    """The SDK's reminderView request builder, on the documented URL.

    msgraph-sdk 1.65 writes the call without the comma between its arguments
    (`reminderView(StartDateTime='a'EndDateTime='b')`), which the reference server refuses (400) as a
    malformed call; an application works around it with `with_url`, as here. The SDK still sends the request
    and parses the reminders.
    """
    first, last = (quote(moment.strftime(TIME_FORMAT)) for moment in (start, end))
    url = f"{base_url}/me/reminderView(startDateTime='{first}',endDateTime='{last}')"
    return client.me.reminder_view_with_start_date_time_with_end_date_time(
        start_date_time=first, end_date_time=last).with_url(url)


def when(moment: datetime) -> DateTimeTimeZone:
    """A dateTimeTimeZone in UTC."""
    return DateTimeTimeZone(date_time=moment.strftime(TIME_FORMAT), time_zone="UTC")


async def copy_of(client: GraphServiceClient, subject: str) -> Event:
    """The attendee's copy of the meeting (by its subject), as the SDK lists it."""
    found = await client.me.events.get()
    copies = [event for event in (found.value if found else None) or [] if event.subject == subject]
    assert len(copies) == 1, f"the attendee's calendar lists {len(copies)} copies of {subject!r}"
    return copies[0]


async def inbox(client: GraphServiceClient, subject: str) -> list[Any]:
    """The Inbox messages about the meeting (by subject), as the SDK parses them (typed by @odata.type)."""
    query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(top=100)
    found = await client.me.mail_folders.by_mail_folder_id("inbox").messages.get(
        request_configuration=RequestConfiguration(query_parameters=query)
    )
    messages = (found.value if found else None) or []
    return [message for message in messages if subject in (message.subject or "")]


def of_kind(messages: list[Any], kind: str) -> list[Any]:
    """The messages whose meetingMessageType (as the SDK read it) is `kind`, e.g. meetingAccepted."""
    return [message for message in messages
            if getattr(getattr(message, "meeting_message_type", None), "value", "") == kind]


async def organizer_status(client: GraphServiceClient, event_id: str, who: str) -> str:
    """The response the organizer's event shows for an attendee."""
    event = await client.me.events.by_event_id(event_id).get()
    assert event is not None and event.attendees
    entry = next(attendee for attendee in event.attendees if attendee.email_address.address.lower() == who)
    return str(entry.status.response.value) if entry.status and entry.status.response else ""


async def created_meeting(
    organizer: GraphServiceClient, subject: str, invitee: str, start: datetime
) -> Event:
    """The organizer's new meeting (an attendee, a reminder 15 minutes before, new times allowed)."""
    created = await organizer.me.events.post(Event(
        subject=subject,
        start=when(start),
        end=when(start + timedelta(hours=1)),
        attendees=[Attendee(email_address=EmailAddress(address=invitee, name="Attendee"),
                            type=AttendeeType.Required)],
        is_reminder_on=True,
        reminder_minutes_before_start=15,
        allow_new_time_proposals=True,
    ))
    assert created is not None and created.id and created.subject == subject
    return created


def cancelled_meeting(graph: GraphClient) -> None:
    """Created with an attendee, cancelled with a comment: the attendee's Inbox has the notice."""
    organizer, attendee = sdk_client(graph, "organizer"), sdk_client(graph, "attendee")
    subject = "gc-sdk cancelled meeting"

    async def lifecycle() -> None:
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        meeting = await created_meeting(organizer, subject, address(graph, "attendee"), start)
        assert (await copy_of(attendee, subject)).id
        await organizer.me.events.by_event_id(meeting.id).cancel.post(
            CancelPostRequestBody(comment="Cancelled by the SDK test"))
        notices = of_kind(await inbox(attendee, subject), "meetingCancelled")
        assert notices and "Cancelled by the SDK test" in (notices[0].body.content or "")

    asyncio.run(lifecycle())


def whole_life(graph: GraphClient) -> None:
    """Answers (with a comment, a proposal), forward, reminders snoozed and dismissed, then the cancel."""
    organizer, attendee = sdk_client(graph, "organizer"), sdk_client(graph, "attendee")
    forwarded_to = sdk_client(graph, "attendee2")
    invitee, subject = address(graph, "attendee").lower(), "gc-sdk whole life"

    async def lifecycle() -> None:
        start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=2)
        meeting = await created_meeting(organizer, subject, invitee, start)
        copy = attendee.me.events.by_event_id((await copy_of(attendee, subject)).id)

        await copy.accept.post(AcceptPostRequestBody(comment="Glad to come", send_response=True))
        answered = await copy.get()
        assert answered.response_status.response == ResponseType.Accepted
        assert await organizer_status(organizer, meeting.id, invitee) == "accepted"
        accepted = of_kind(await inbox(organizer, subject), "meetingAccepted")
        assert accepted and "Glad to come" in (accepted[0].body.content or "")

        later = TimeSlot(start=when(start + timedelta(days=1)), end=when(start + timedelta(days=1, hours=1)))
        await copy.tentatively_accept.post(TentativelyAcceptPostRequestBody(
            comment="Maybe; a day later?", send_response=True, proposed_new_time=later))
        assert (await copy.get()).response_status.response == ResponseType.TentativelyAccepted
        assert await organizer_status(organizer, meeting.id, invitee) == "tentativelyAccepted"
        tentative = of_kind(await inbox(organizer, subject), "meetingTenativelyAccepted")
        assert tentative and tentative[0].proposed_new_time is not None
        assert tentative[0].proposed_new_time.start.date_time.startswith(later.start.date_time[:16])

        await copy.forward.post(ForwardPostRequestBody(
            to_recipients=[Recipient(email_address=EmailAddress(address=address(graph, "attendee2")))],
            comment="You may want to join"))
        requests_seen = of_kind(await inbox(forwarded_to, subject), "meetingRequest")
        assert requests_seen, "the forwarded-to attendee received no meeting request"

        fire = start - timedelta(minutes=5)
        window = reminder_view(organizer, graph.server.base_url, datetime.now(UTC), start + timedelta(days=1))
        own = organizer.me.events.by_event_id(meeting.id)
        await own.snooze_reminder.post(SnoozeReminderPostRequestBody(new_reminder_time=when(fire)))
        reminders = [r for r in (await window.get()).value or [] if r.event_id == meeting.id]
        assert [r.reminder_fire_time.date_time[:16] for r in reminders] == [fire.strftime(TIME_FORMAT)[:16]]
        await own.dismiss_reminder.post()
        assert not [r for r in (await window.get()).value or [] if r.event_id == meeting.id]

        await copy.decline.post(DeclinePostRequestBody(comment="Sorry, cannot make it", send_response=True))
        assert (await copy.get()).response_status.response == ResponseType.Declined
        assert await organizer_status(organizer, meeting.id, invitee) == "declined"
        declined = of_kind(await inbox(organizer, subject), "meetingDeclined")
        assert declined and "Sorry, cannot make it" in (declined[0].body.content or "")

        await own.cancel.post(CancelPostRequestBody(comment="Called off"))
        notices = of_kind(await inbox(forwarded_to, subject), "meetingCancelled")
        assert notices and "Called off" in (notices[0].body.content or "")

    asyncio.run(lifecycle())


SCENARIOS: dict[str, Callable[[GraphClient], None]] = {
    "cancelled-meeting": cancelled_meeting,
    "whole-life": whole_life,
}


def main(argv: list[str]) -> int:
    """Run one scenario against a fresh reference server with the given faults; 0 when it holds."""
    scenario, faults = SCENARIOS[argv[0]], tuple(argv[1:])
    with ReferenceServer(host="127.0.0.1", port=0, faults=faults) as server:
        scenario(GraphClient(server))
    print(f"{argv[0]}: every assertion holds")
    return 0


if __name__ == "__main__":
    warnings.simplefilter("ignore", DeprecationWarning)  # the SDK's builders warn of their own deprecations
    sys.exit(main(sys.argv[1:]))
