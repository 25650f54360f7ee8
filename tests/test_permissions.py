"""Every URL against every role: the inbox is for the desk; department staff see none of it.

`test_every_url_of_the_app_is_in_the_matrix` walks the URL configuration: a new URL fails it until it
is in ENDPOINTS or API_ENDPOINTS (with the roles that may use it), in PUBLIC (with the reason anyone
may), or under the admin's rule.
"""

import pytest
from django.urls import NoReverseMatch, reverse
from rest_framework.authtoken.models import Token

from accounts.services import provision_user
from escalations import services as escalations
from escalations.models import Department
from feedback import services as feedback
from protocols import services as protocol_services
from protocols.services import ProtocolContent
from protocols.workflow import Status
from tests.factories import conversation
from tests.routes import routes

pytestmark = pytest.mark.django_db

ROLES = ["eva", "lotte", "ada", "dirk", "anna", "erik", None]  # None: not logged in
DESK = {"eva", "lotte", "ada"}
LEADS = {"lotte", "ada"}
ANYONE = DESK | {"dirk", "anna", "erik"}
EDITORS = {"erik", "ada"}
PROTOCOL_READERS = DESK | EDITORS | {"dirk"}  # dirk: the protocol below is his department's

# method, url name, needs a conversation (c), contact (k), message (m), attachment (a), protocol key (p),
# protocol version (v), protocol proposal (r), a dashboard chart (R), a routing rule (u) or a legal
# hold (H), who may
ENDPOINTS = [
    ("get", "inbox:queue", None, DESK),
    ("post", "inbox:next", None, DESK),
    ("get", "inbox:conversation", "c", DESK),
    ("post", "inbox:reply", "c", DESK),
    ("post", "inbox:claim", "c", DESK),
    ("post", "inbox:release", "c", DESK),
    ("post", "inbox:close", "c", DESK),
    ("post", "inbox:reopen", "c", DESK),
    ("post", "inbox:assign", "c", LEADS),
    ("post", "inbox:note", "c", DESK),
    ("post", "inbox:retry", "m", DESK),
    ("get", "inbox:attachment", "a", DESK),
    ("get", "inbox:contact", "k", DESK),
    ("post", "inbox:merge", "k", LEADS),
    ("get", "inbox:routing", None, LEADS),
    ("get", "inbox:routing_new", None, LEADS),
    ("get", "inbox:routing_edit", "u", LEADS),
    ("get", "departments:list", None, LEADS),
    ("get", "departments:new", None, LEADS),
    ("get", "channel_health:index", None, LEADS),
    ("get", "home", None, ANYONE),
    ("get", "admin:index", None, {"ada"}),
    ("get", "protocols:list", None, PROTOCOL_READERS),
    ("get", "protocols:detail", "p", PROTOCOL_READERS),
    ("get", "protocols:new", None, EDITORS),
    ("get", "protocols:edit", "p", EDITORS),
    ("post", "protocols:status", "p", EDITORS | {"dirk"}),  # dirk: approves his department's drafts
    ("post", "protocols:restore", "v", EDITORS),
    ("get", "protocols:propose", "p", EDITORS | {"dirk"}),  # editors are sent on to the editor
    ("get", "protocols:propose_new", None, EDITORS | {"dirk"}),
    ("get", "protocols:proposals", None, EDITORS | {"dirk"}),
    ("post", "protocols:accept", "r", EDITORS),
    ("post", "protocols:reject", "r", EDITORS),
    ("post", "protocols:from-escalation", "E", DESK | EDITORS),
    ("post", "escalations:escalate", "c", DESK),
    ("post", "escalations:add-info", "e", DESK),
    ("post", "escalations:withdraw", "e", DESK),
    ("get", "escalations:overview", None, LEADS),
    ("get", "department:queue", None, {"dirk", "anna"}),  # anna: the departments she manages
    ("get", "department:detail", "e", {"dirk"}),  # anna manages no department here: 404
    ("post", "department:answer", "e", {"dirk"}),
    ("post", "department:request-info", "e", {"dirk"}),
    ("get", "departments:edit", "d", LEADS),
    ("post", "accounts:away", None, DESK),
    ("get", "feedback:list", None, DESK | {"anna"}),
    ("get", "feedback:overview", None, LEADS | {"anna"}),
    ("post", "feedback:record", "c", DESK),
    ("get", "feedback:detail", "s", DESK),  # anna manages no department here: 404
    ("post", "feedback:status", "s", LEADS),
    ("get", "monitoring:feed", None, DESK),
    ("post", "monitoring:answer", "M", DESK),
    ("post", "monitoring:correct", "M", DESK),
    ("get", "monitoring:queries", None, DESK),
    ("get", "monitoring:query-new", None, LEADS),
    ("get", "monitoring:query-preview", None, LEADS),
    ("get", "monitoring:query-edit", "Q", LEADS),
    ("post", "monitoring:query-toggle", "Q", LEADS),
    ("get", "monitoring:alerts", None, LEADS),
    ("post", "monitoring:alert-seen", "A", LEADS),
    ("get", "reports:overview", None, LEADS | {"dirk", "anna"}),  # dirk and anna: their departments' work
    ("get", "reports:csv", "R", LEADS | {"dirk", "anna"}),
    ("get", "suggestions:panel", "c", DESK),
    ("get", "simulator:index", None, DESK),  # and only while DEMO_ENABLED (404 otherwise)
    ("get", "simulator:thread", None, DESK),
    ("get", "accounts:two-factor", None, ANYONE),  # everyone may protect their own log-in
    ("get", "accounts:backup-codes", None, ANYONE),
    ("get", "privacy:contact", "k", LEADS),
    ("get", "privacy:export_json", "k", LEADS),
    ("get", "privacy:export_page", "k", LEADS),
    ("post", "privacy:erasure", "k", LEADS),
    ("post", "privacy:hold", "k", LEADS),
    ("post", "privacy:lift_hold", "H", LEADS),
    ("get", "privacy:runs", None, LEADS),
    ("get", "audit:log", None, LEADS),
    ("get", "audit:export", None, LEADS),
]
API_ENDPOINTS = [
    ("get", "api-conversations", None, DESK),
    ("get", "api-conversation", "c", DESK),
    ("post", "api-reply", "c", DESK),
    ("post", "api-close", "c", DESK),
    ("post", "api-retry", "m", DESK),
    ("get", "api-contact", "k", DESK),
    ("post", "api-escalate", "c", DESK),
    ("get", "api-escalations", None, DESK | {"dirk", "anna"}),
    ("get", "api-escalation", "e", DESK | {"dirk"}),
    ("post", "api-escalation-answer", "e", {"dirk"}),
    ("post", "api-escalation-request-info", "e", {"dirk"}),
    ("post", "api-escalation-info", "e", DESK),
    ("get", "api-feedback", None, DESK | {"anna"}),
    ("post", "api-feedback", None, DESK),
    ("get", "api-feedback-detail", "s", DESK),
    ("post", "api-feedback-status", "s", LEADS),
    ("post", "api-suggest", None, DESK | {"erik"}),  # erik: tries his protocols on a question
    ("post", "api-monitoring-analyze", None, DESK),
    ("get", "api-monitoring-mentions", None, DESK),
    ("get", "api-monitoring-alerts", None, LEADS),
    ("get", "api-metrics", None, LEADS),
    ("get", "schema", None, ANYONE),
    ("get", "api-docs", None, ANYONE),
]
# Open to anyone, each for its reason. The view itself proves who may do what (a signature, a
# password, an unguessable token) or shows nothing that is not public.
PUBLIC = {
    "healthz": "the load balancer's check: answers ok and nothing else",
    "login": "the log-in form",
    "login-code": "log-in step two: only with the session of step one, otherwise back to step one",
    "logout": "logging out",
    "set_language": "the language switch, also on the log-in page",
    "oidc_authentication_init": "single sign-on: off to the identity provider",
    "oidc_authentication_callback": "single sign-on: back from it, proved by its signed token",
    "oidc_logout": "single sign-on: logging out",
    "accounts:session-status": "seconds left of one's own session (0 when logged out)",
    "accounts:session-keep-alive": "keeps one's own session alive (401 when logged out)",
    "accounts:session-ended": "where a timed-out page goes: on to the log-in",
    "public:status": "a resident follows their suggestion with the unguessable link we sent them",
    "channels:whatsapp": "webhook: Twilio's signature is checked",
    "channels:whatsapp-status": "webhook: Twilio's signature is checked",
    "channels:meta": "webhook: Meta's signature (or, for the handshake, our verify token) is checked",
    "channels:x": "webhook: X's signature is checked (the CRC handshake signs only a token)",
}
# URLs added by work in progress whose roles are not yet in the matrix: roles added at integration.
PENDING: set[str] = set()


def _protocol_with_a_proposal():
    """A published protocol of the waste department (dirk's), with a proposal from that department."""
    Department.objects.get_or_create(slug="waste", defaults={"name": "Afval"})
    content = ProtocolContent(
        key="grofvuil-ophalen",
        title="Grofvuil laten ophalen",
        department="waste",
        answers={"nl": "Hoi {first_name}, maak een afspraak.", "en": "Hi {first_name}, book online."},
    )
    protocol, _changed = protocol_services.save_protocol(content, status=Status.PUBLISHED)
    member = provision_user(username="wim", role="department", password="x", department_slug="waste")
    return protocol_services.propose(author=member, content=content, note="Klopt het nog?")


def _escalation(found, *, answered: bool):
    """A question of the desk about the test's conversation to the waste department (dirk's)."""
    department = Department.objects.get_or_create(slug="waste", defaults={"name": "Afval"})[0]
    agent = provision_user(username="wout", role="agent", password="x", team_slug="webcare")
    asked = escalations.escalate(
        agent=agent, conversation_id=found.pk, department_id=department.pk, question="Hoe zit dit?"
    )
    if answered:
        member = provision_user(username="wendy", role="department", password="x", department_slug="waste")
        escalations.answer(member=member, escalation_id=asked.pk, text="Zo zit het.")
    return asked


def _suggestion(found):
    """A suggestion of the waste department recorded from the test's conversation."""
    department = Department.objects.get_or_create(slug="waste", defaults={"name": "Afval"})[0]
    agent = provision_user(username="wout", role="agent", password="x", team_slug="webcare")
    return feedback.record(
        agent=agent,
        conversation_id=found.pk,
        summary="Meer bankjes",
        department_id=department.pk,
        notify=False,
    )


def _monitored(needs):
    """A heard post (M), a listening query (Q) or a spike alert (A)."""
    from datetime import timedelta

    from django.utils import timezone

    from inbox.models import Topic
    from monitoring.models import ListeningQuery, Mention, SpikeAlert

    now = timezone.now()
    if needs == "Q":
        return ListeningQuery.objects.create(name="Afval", expression="afval OR vuilnis").pk
    mention = Mention.objects.create(
        channel="x",
        external_id="9",
        text="Afval!",
        author_id="1",
        posted_at=now,
        expires_at=now + timedelta(days=30),
    )
    if needs == "M":
        return mention.pk
    return SpikeAlert.objects.create(topic=Topic.objects.first(), hour=now, count=30, expected=3).pk


def _url(name, needs, found):
    if needs == "u":
        from inbox.models import RoutingRule

        return reverse(name, args=[RoutingRule.objects.first().pk])
    if needs == "H":
        from privacy.models import LegalHold

        setter = provision_user(username="leo", role="lead", password="x", team_slug="webcare")
        hold = LegalHold.objects.create(contact_id=found.contact_id, reason="Bezwaarprocedure", set_by=setter)
        return reverse(name, args=[hold.pk])
    if needs == "R":
        return reverse(name, args=["escalations"])  # a chart every reader of the dashboards has
    if needs in ("M", "Q", "A"):
        return reverse(name, args=[_monitored(needs)])
    if needs == "s":
        return reverse(name, args=[_suggestion(found).pk])
    if needs in ("e", "E"):
        return reverse(name, args=[_escalation(found, answered=needs == "E").pk])
    if needs == "d":
        return reverse(
            name, args=[Department.objects.get_or_create(slug="waste", defaults={"name": "Afval"})[0].pk]
        )
    if needs in ("p", "v", "r"):
        proposal = _protocol_with_a_proposal()
        args = {"p": [proposal.protocol.key], "v": [proposal.protocol.key, 1], "r": [proposal.pk]}
        return reverse(name, args=args[needs])
    if needs == "m":
        return reverse(name, args=[found.messages.first().pk])
    if needs == "a":
        return reverse(name, args=[found.messages.first().pk, 0])
    if needs == "c":
        return reverse(name, args=[found.pk])
    if needs == "k":
        return reverse(name, args=[found.contact_id])
    return reverse(name)


@pytest.mark.parametrize("persona", ROLES, indirect=True)
@pytest.mark.parametrize(("method", "name", "needs", "allowed"), ENDPOINTS, ids=[e[1] for e in ENDPOINTS])
def test_screens_admit_only_their_roles(client, persona, method, name, needs, allowed):
    found = conversation()
    if persona:
        client.force_login(persona)
    response = getattr(client, method)(_url(name, needs, found), {"text": "Hallo"})
    if persona is None:
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    elif persona.username in allowed:
        # 404 where the test's message has nothing to serve or retry: the role check let it through.
        assert response.status_code in (200, 302, 400, 404 if needs in ("m", "a") else 200), (
            response.status_code
        )
        if response.status_code == 302:
            assert "/login/" not in response["Location"]
    else:
        # 404: the role may use the screen, but this record is another department's.
        assert response.status_code in (302, 403, 404), response.status_code
        if response.status_code == 302:  # the admin sends non-staff to its own log-in
            assert "login" in response["Location"]
        if response.status_code == 404:
            assert persona.role in ("department", "account_manager", "editor"), persona.role


@pytest.mark.parametrize("auth", ["session", "token"])
@pytest.mark.parametrize("persona", ROLES, indirect=True)
@pytest.mark.parametrize(
    ("method", "name", "needs", "allowed"), API_ENDPOINTS, ids=[e[1] for e in API_ENDPOINTS]
)
def test_api_admits_only_its_roles(client, persona, method, name, needs, allowed, auth):
    """Through the browser's session (the API docs) and with a token (integrations), the same rule."""
    found = conversation()
    headers = {}
    if persona and auth == "session":
        client.force_login(persona)
    elif persona:
        headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=persona).key}"
    response = getattr(client, method)(
        _url(name, needs, found), {"text": "Hallo"}, content_type="application/json", **headers
    )
    if persona is None:
        assert response.status_code == 401
    elif persona.username in allowed:
        # 404: the test's message is the resident's, which has nothing to retry; 400/409: the request
        # reached the service, which refused this body or this step (the role check passed).
        assert response.status_code in (200, 201, 400, 409, 404 if needs == "m" else 200), response.content
    else:
        assert response.status_code in (403, 404), response.status_code
        if response.status_code == 404:  # the role may use the endpoint, not this record
            assert persona.role in ("department", "account_manager"), persona.role


# --- Every URL ------------------------------------------------------------------------------------


def _matrix_names() -> set[str]:
    return {name for _method, name, _needs, _allowed in ENDPOINTS + API_ENDPOINTS}


def _is_admin(route) -> bool:
    return route.path.startswith("admin/")


def test_every_url_of_the_app_is_in_the_matrix():
    """A URL nobody decided the roles of fails here: add it to ENDPOINTS, API_ENDPOINTS or PUBLIC."""
    known = _matrix_names() | set(PUBLIC) | PENDING
    unknown = sorted(
        route.name or route.path for route in routes() if not _is_admin(route) and route.name not in known
    )
    assert unknown == []


def test_the_matrix_names_only_urls_that_exist():
    existing = {route.name for route in routes()}
    listed = _matrix_names() | set(PUBLIC) | PENDING
    assert sorted(listed - existing) == []
    assert not (_matrix_names() & set(PUBLIC)), "a URL is either public or for some roles"


def _admin_urls() -> list[str]:
    """Every named admin URL, with the id of no record where it needs one (the same on every database):
    the admin checks who you are before it looks for the record."""
    missing = str(10**9)
    urls = []
    for route in routes():
        if not _is_admin(route) or not route.name:
            continue  # unnamed: the admin's redirects to the named pages and its catch-all, wrapped alike
        for arguments in (
            {},
            {"args": [missing]},
            {"args": [missing] * 2},
            {"kwargs": {"app_label": "inbox"}},
        ):
            try:
                urls.append(reverse(route.name, **arguments))
                break
            except NoReverseMatch:
                continue
        else:
            raise AssertionError(f"cannot build a URL for {route.name}")
    return urls


@pytest.mark.parametrize("persona", ROLES, indirect=True)
def test_the_admin_is_for_administrators_only(client, persona):
    """Every admin page, against every role: only ada, the administrator, gets past its log-in."""
    if persona:
        client.force_login(persona)
    for url in _admin_urls():
        if url.endswith("/logout/"):
            continue  # POST only; logging out is no privilege
        response = client.get(url)
        if url.endswith("/login/"):
            assert response["Location"].startswith("/login/"), url  # the admin logs in through ours
        elif persona is not None and persona.username == "ada":
            assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
            assert "login" not in response.get("Location", ""), url
        else:
            assert response.status_code == 302, (url, response.status_code)
            assert "login" in response["Location"], url


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_urls_answer_strangers_without_an_error(client, name):
    url = reverse(name, args=["unknown-token"]) if name == "public:status" else reverse(name)
    for method in ("get", "post"):
        assert getattr(client, method)(url).status_code < 500, (name, method)
