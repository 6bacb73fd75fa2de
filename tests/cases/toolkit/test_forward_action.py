"""forward as a contract, against fake mailboxes that deliver a forwarded meeting request (no server): whom a
subject is forwarded to, what the forward says, how its effect shows, and the calibration."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
import requests

from conformance.cases.toolkit import forward_action
from conformance.cases.toolkit.act import last_act_at, set_last_act
from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.contract import Route
from conformance.errors import MissingIdentity, RequestUnanswered
from conformance.target.client import Graph
from conformance.target.polling import Effect
from conformance.target.prerequisites import PrerequisiteFailed
from conformance.target.provision import ProvisionedEvent
from tests.cases.toolkit._answers import answer
from tests.cases.toolkit._arranger import FakeArranger

ME = Route("me", "events", "")
GROUPS = Route("groups", "events", "")
ROLES = ("organizer", "readonly", "attendee", "attendee2")


class Post:
    """The mail of a fake tenant: each role's messages; a 2xx forward delivers a meeting request to each
    address in ToRecipients (`status` answers every forward)."""

    def __init__(self, status: int = 202) -> None:
        self.status = status
        self.boxes: dict[str, list[dict[str, Any]]] = {role: [] for role in ROLES}
        self.forwards: list[tuple[str, Any]] = []


class Mailbox:
    """A role's client on the fake tenant."""

    def __init__(self, post: Post, role: str, subjects: dict[str, str]) -> None:
        self.post, self.role, self.subjects = post, role, subjects

    def get(self, path: str, params: dict[str, str] | None = None) -> requests.Response:
        return answer(200, {"value": self.post.boxes[self.role]})

    def request(self, method: str, path: str, data: bytes | None = None,
                headers: dict[str, str | None] | None = None) -> requests.Response:
        body = json.loads(data or b"null")
        self.post.forwards.append((path, body))
        if 200 <= self.post.status < 300:
            event_id = path.split("/")[-2]
            for recipient in body["ToRecipients"]:
                role = recipient["emailAddress"]["address"].split("@")[0]
                self.post.boxes[role].append({"id": f"m{len(self.post.forwards)}",
                                              "subject": self.subjects[event_id],
                                              "meetingMessageType": "meetingRequest"})
        return answer(self.post.status, raw=b"", content_type="text/plain")


class _Identity:
    def __init__(self, role: str) -> None:
        self.address = f"{role}@contoso.test"


class Provision:
    def __init__(self) -> None:
        self.invited: list[tuple[str, tuple[str, ...]]] = []

    def invites(self, event: ProvisionedEvent, roles: tuple[str, ...]) -> None:
        self.invited.append((event.id, roles))


class Tenant(FakeArranger):
    """A FakeArranger on the fake tenant: attendee and attendee2 configured (attendee3 has no token)."""

    item = None

    def __init__(self, post: Post, session: Any = None) -> None:
        target = type("Target", (), {"attendee_roles": ("attendee", "attendee2", "attendee3")})
        super().__init__(target=target)
        self.subjects: dict[str, str] = {}
        self.session, self.provision = session, Provision()
        self.created: list[dict[str, Any]] = []
        clients = {role: Mailbox(post, role, self.subjects) for role in ROLES}

        def as_(role: str) -> Mailbox:
            if role not in clients:
                raise MissingIdentity(role)
            return clients[role]

        self.graph.as_ = as_  # type: ignore[method-assign,assignment]
        self.graph.identity = _Identity  # type: ignore[attr-defined]
        self.graph.mailbox_name = lambda path, role: "organizer" if role == "readonly" else role  # type: ignore

    def create(self, **options: Any) -> ProvisionedEvent:
        self.created.append(options)
        number = len(self.created)
        owner = options.get("owner", "organizer")
        event = ProvisionedEvent(id=f"E{number}", subject=f"Sync {number}", ical_uid=None, owner_role=owner,
                                 owner_user_id="u1", attendee_roles=("attendee",),
                                 group_id="G1" if options.get("group") else None)
        self.subjects[event.id] = event.subject
        return event



def test_a_subject_is_forwarded_to_one_uninvited_attendee_who_may_join() -> None:
    tenant = Tenant(Post())
    graph, arrange = cast(Graph, tenant.graph), cast(Arranger, tenant)
    subject = forward_action.FORWARD.arrange(graph, arrange, "readonly", ME, False)
    event, recipient = subject.context
    assert (subject.owner, subject.event_id, recipient) == ("organizer", event.id, "attendee2")
    assert tenant.created == [{"owner": "organizer"}]
    assert tenant.provision.invited == [(event.id, ("attendee2",))]
    assert forward_action.FORWARD.body("FORWARD-202-EMPTY") == {
        "ToRecipients": [{"emailAddress": {"address": "attendee2@contoso.test"}}],
        "Comment": "graph-conformance FORWARD-202-EMPTY"}
    again = forward_action.FORWARD.arrange(graph, arrange, "readonly", ME, False)
    assert again.event_id == subject.event_id, "the cases judging only the answer share one meeting"
    assert tenant.details("ok") == [], "a shared subject's recipient mailbox is not read"
    assert set(tenant.made) == {"forward: an event of organizer"}


def test_a_fresh_subject_needs_the_recipients_mailbox_clean_and_a_group_route_a_group_event() -> None:
    post = Post()
    session = type("Session", (), {"provision": Provision()})()
    tenant = Tenant(post, session)
    subject = forward_action.FORWARD.arrange(cast(Graph, tenant.graph), cast(Arranger, tenant), "organizer",
                                             GROUPS, True)
    assert (subject.owner, subject.group_id) == ("", "G1")
    assert tenant.created == [{"group": True}]
    assert tenant.details("ok") == ["attendee2's mailbox can be read"]
    assert session.provision.invited == tenant.provision.invited == [("E1", ("attendee2",))]
    post.boxes["attendee2"].append({"id": "old", "subject": "Sync 2"})
    with pytest.raises(PrerequisiteFailed) as failed:  # a recipient already holding a message about it
        forward_action.FORWARD.arrange(cast(Graph, tenant.graph), cast(Arranger, tenant), "organizer", ME,
                                       True)
    assert failed.value.prerequisite_id == "MAILBOX-MESSAGES"


def test_a_forward_shows_once_the_recipient_lists_the_meeting_request() -> None:
    post = Post()
    tenant = Tenant(post)
    graph = cast(Graph, tenant.graph)
    subject = forward_action.FORWARD.arrange(graph, cast(Arranger, tenant), "organizer", ME, False)
    assert not forward_action.FORWARD.changed(graph, subject).found
    post.boxes["attendee2"].append({"id": "m9", "subject": "Sync 1", "meetingMessageType": "meetingRequest"})
    assert forward_action.FORWARD.changed(graph, subject).found
    assert forward_action.FORWARD.effect is Effect.FORWARD_REQUEST
    assert forward_action.ROLES["REQUIRED"] == "unprivileged"
    assert forward_action.ROLES["DELEGATED-WORK"] == "readonly"
    assert forward_action.ROLES["APPLICATION"] == "application"


def test_the_calibration_forwards_once_and_awaits_the_request() -> None:
    post = Post()
    tenant = Tenant(post)
    set_last_act(21.0)
    assert forward_action.FORWARD.calibrate is not None
    for _ in range(2):
        forward_action.FORWARD.calibrate(cast(Graph, tenant.graph), cast(Arranger, tenant))
    assert post.forwards == [("/me/events/E1/forward", {
        "ToRecipients": [{"emailAddress": {"address": "attendee2@contoso.test"}}],
        "Comment": "graph-conformance calibration"})]
    assert tenant.provision.invited == [("E1", ("attendee2",))]
    assert tenant.latencies.asked == [(Effect.FORWARD_REQUEST, "forward (calibration)")]
    assert tenant.made == {"forward: calibration": True}
    assert last_act_at() == 21.0


@pytest.mark.parametrize(("status", "measured"), [(200, True), (299, True), (199, False), (300, False)])
def test_only_an_accepted_calibration_forward_is_measured(status: int, measured: bool) -> None:
    tenant = Tenant(Post(status=status))
    assert forward_action.FORWARD.calibrate is not None
    forward_action.FORWARD.calibrate(cast(Graph, tenant.graph), cast(Arranger, tenant))
    assert tenant.made == {"forward: calibration": measured}
    assert len(tenant.latencies.asked) == int(measured)


def test_an_unanswered_calibration_forward_measures_nothing_and_fails_nothing() -> None:
    tenant = Tenant(Post())

    def hangs(*args: Any, **kwargs: Any) -> requests.Response:
        raise RequestUnanswered("no answer within 10 s")

    for role in ROLES:
        tenant.graph.as_(role).request = hangs  # type: ignore[method-assign,attr-defined]
    assert forward_action.FORWARD.calibrate is not None
    forward_action.FORWARD.calibrate(cast(Graph, tenant.graph), cast(Arranger, tenant))
    assert tenant.made == {"forward: calibration": False}
