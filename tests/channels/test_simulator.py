"""The demo's resident simulator: who may use it, payloads exactly as the platforms build and sign them,
the POST over HTTP to the real endpoint, and the desk's replies read back from the stand-in's outbox."""

import json
import re
import socket

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse
from twilio.request_validator import RequestValidator

from channels import meta, signatures, simulator, whatsapp, x
from channels.events import IncomingMessage
from channels.simulator import Kind
from inbox import services
from inbox.models import Channel, Direction, Message

pytestmark = pytest.mark.django_db

NAME = "Sanne de Vries"
# Non-ASCII and a slash: Meta escapes both, X sends UTF-8; a re-encoding signer or checker would fail.
TEXT = "De lantaarnpaal in de Van Woustraat/Ceintuurbaan is kapot, al drie dagen. Wat nu? 💡 é"
ANSWER = "Dank u wel, we sturen vandaag iemand langs."

KINDS = [
    (Kind.WHATSAPP, Channel.WHATSAPP, False),
    (Kind.MESSENGER, Channel.FACEBOOK, False),
    (Kind.INSTAGRAM_DM, Channel.INSTAGRAM, False),
    (Kind.FACEBOOK_COMMENT, Channel.FACEBOOK, True),
    (Kind.INSTAGRAM_COMMENT, Channel.INSTAGRAM, True),
    (Kind.X_DM, Channel.X, False),
    (Kind.X_MENTION, Channel.X, True),
]
PUBLIC_KINDS = [kind for kind, _, public in KINDS if public]
CHECKS = {
    "/webhooks/whatsapp/": signatures.twilio_is_valid,
    "/webhooks/meta/": signatures.meta_is_valid,
    "/webhooks/x/": signatures.x_is_valid,
}


@pytest.fixture(autouse=True)
def demo(settings, platforms):
    """The demo is on, and the desk's replies go to the session's stand-in."""
    settings.DEMO_ENABLED = True
    settings.STANDIN_URL = platforms.base_url


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_request(delivery: simulator.Delivery):
    """The delivery as Django receives it, with the platform's headers."""
    headers = {name: value for name, value in delivery.headers.items() if name != "Content-Type"}
    return RequestFactory().post(
        delivery.path, data=delivery.body, content_type=delivery.content_type, headers=headers
    )


def parse(request) -> list:
    if request.path == "/webhooks/whatsapp/":
        return [whatsapp.parse_message(request.POST)]
    if request.path == "/webhooks/meta/":
        return meta.parse(json.loads(request.body))
    return x.parse(json.loads(request.body))


def flash(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


# --- Who may use it ---------------------------------------------------------------------------------

PAGES = [("get", "simulator:index"), ("get", "simulator:thread"), ("post", "simulator:index")]
RESIDENT = {"kind": Kind.WHATSAPP, "name": NAME}  # no text: a POST is refused before anything is sent


@pytest.mark.parametrize("persona", [None, "dirk", "eva", "lotte"], indirect=True)
@pytest.mark.parametrize(("method", "name"), PAGES)
def test_only_the_desk_may_use_the_simulator(client, persona, method, name):
    if persona:
        client.force_login(persona)
    response = getattr(client, method)(reverse(name), RESIDENT)
    if persona is None:
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    elif persona.username == "dirk":
        assert response.status_code == 403
    else:
        assert response.status_code == (400 if method == "post" else 200)


@pytest.mark.parametrize("persona", [None, "eva"], indirect=True)
@pytest.mark.parametrize(("method", "name"), PAGES)
def test_the_simulator_does_not_exist_outside_the_demo(client, settings, persona, method, name):
    settings.DEMO_ENABLED = False
    if persona:
        client.force_login(persona)
    assert getattr(client, method)(reverse(name), RESIDENT).status_code == 404


def test_the_navigation_offers_the_simulator_to_the_desk_in_the_demo_only(client, settings, eva, dirk):
    link = f'href="{reverse("simulator:index")}"'
    client.force_login(eva)
    assert link in client.get(reverse("inbox:queue")).content.decode()
    settings.DEMO_ENABLED = False
    assert link not in client.get(reverse("inbox:queue")).content.decode()
    settings.DEMO_ENABLED = True
    client.force_login(dirk)
    assert link not in client.get(reverse("home")).content.decode()


def test_the_page_asks_for_channel_name_and_text(client, eva):
    client.force_login(eva)
    html = client.get(reverse("simulator:index")).content.decode()
    assert "<fieldset" in html and "<legend>" in html
    assert html.count('type="radio" name="kind"') == len(Kind)
    assert 'value="whatsapp"' in html and "checked" in html
    assert 'for="id_name"' in html and 'for="id_text"' in html


# --- Payloads as the platforms build and sign them ------------------------------------------------


@pytest.mark.parametrize(("kind", "channel", "public"), KINDS)
def test_a_built_delivery_passes_the_desks_own_checks_and_parses_into_one_message(kind, channel, public):
    delivery = simulator.build_delivery(kind, NAME, TEXT)
    request = as_request(delivery)
    assert CHECKS[delivery.path](request)
    events = parse(request)
    assert len(events) == 1
    message = events[0]
    assert isinstance(message, IncomingMessage)
    assert (message.channel, message.is_public) == (channel, public)
    assert message.text == TEXT
    assert message.sender_id == simulator.resident_id(channel, NAME)
    assert message.thread_key == (simulator.demo_post_id(kind) if public else "dm")
    if kind not in (Kind.MESSENGER, Kind.INSTAGRAM_DM):  # Meta's DMs carry no name
        assert message.sender_name in (NAME, "sanne.de.vries")


@pytest.mark.parametrize(("kind", "channel", "public"), KINDS)
def test_a_delivery_changed_on_the_way_is_refused(kind, channel, public):
    delivery = simulator.build_delivery(kind, NAME, TEXT)
    tampered = simulator.Delivery(delivery.path, delivery.body.replace(b"kapot", b"heel!"), delivery.headers)
    assert not CHECKS[delivery.path](as_request(tampered))


def test_whatsapp_looks_like_twilios_form_post(settings):
    delivery = simulator.build_delivery(Kind.WHATSAPP, NAME, TEXT)
    params = QueryDict(delivery.body)
    assert re.fullmatch(r"SM[0-9a-f]{32}", params["MessageSid"])
    assert params["SmsSid"] == params["SmsMessageSid"] == params["MessageSid"]
    assert re.fullmatch(r"whatsapp:\+316\d{8}", params["From"])
    assert params["WaId"] == params["From"].removeprefix("whatsapp:+")
    assert params["To"] == settings.TWILIO_WHATSAPP_FROM
    assert params["AccountSid"] == settings.TWILIO_ACCOUNT_SID
    assert (params["ProfileName"], params["Body"], params["NumMedia"]) == (NAME, TEXT, "0")
    assert delivery.url == settings.PUBLIC_BASE_URL + "/webhooks/whatsapp/"
    # The same signature as Twilio's own library computes, over the public URL.
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    expected = validator.compute_signature(delivery.url, params.dict())
    assert delivery.headers["X-Twilio-Signature"] == expected


def test_meta_sends_ascii_json_with_escaped_slashes_and_a_hex_signature(settings):
    delivery = simulator.build_delivery(Kind.FACEBOOK_COMMENT, NAME, TEXT)
    assert delivery.body.isascii()
    assert b"\\/" in delivery.body and b"\\u" in delivery.body
    assert re.fullmatch(r"sha256=[0-9a-f]{64}", delivery.headers["X-Hub-Signature-256"])
    payload = json.loads(delivery.body)
    assert payload["object"] == "page"
    assert payload["entry"][0]["id"] == settings.META_PAGE_ID
    assert payload["entry"][0]["changes"][0]["field"] == "feed"
    instagram = json.loads(simulator.build_delivery(Kind.INSTAGRAM_DM, NAME, TEXT).body)
    assert instagram["object"] == "instagram"
    assert instagram["entry"][0]["id"] == settings.META_INSTAGRAM_ID
    assert instagram["entry"][0]["messaging"][0]["recipient"]["id"] == settings.META_INSTAGRAM_ID


def test_x_sends_utf8_json_with_a_base64_signature(settings):
    delivery = simulator.build_delivery(Kind.X_MENTION, NAME, TEXT)
    assert "💡".encode() in delivery.body
    assert re.fullmatch(r"sha256=[A-Za-z0-9+/]{43}=", delivery.headers["X-Twitter-Webhooks-Signature"])
    payload = json.loads(delivery.body)
    assert payload["for_user_id"] == settings.X_USER_ID
    tweet = payload["tweet_create_events"][0]
    assert tweet["user"]["id_str"] == simulator.resident_id(Channel.X, NAME)
    assert tweet["in_reply_to_user_id_str"] == settings.X_USER_ID
    dm = json.loads(simulator.build_delivery(Kind.X_DM, NAME, TEXT).body)
    event = dm["direct_message_events"][0]
    assert event["message_create"]["target"]["recipient_id"] == settings.X_USER_ID
    assert dm["users"][event["message_create"]["sender_id"]]["name"] == NAME


def test_a_name_keeps_its_ids_per_channel():
    ids = {channel: simulator.resident_id(channel, NAME) for channel in Channel.values}
    assert ids == {
        channel: simulator.resident_id(channel, "  sanne DE  vries ") for channel in Channel.values
    }
    assert len(set(ids.values())) == len(ids)  # another id on every platform
    assert simulator.resident_id(Channel.WHATSAPP, "Karim Bouzid") != ids[Channel.WHATSAPP]
    assert all(value.lstrip("+").isdigit() for value in ids.values())


@pytest.mark.parametrize("kind", PUBLIC_KINDS)
def test_follow_up_comments_land_in_the_same_public_thread(kind):
    first, second = (parse(as_request(simulator.build_delivery(kind, NAME, t)))[0] for t in ("Eén", "Twee"))
    assert first.thread_key == second.thread_key == simulator.demo_post_id(kind)
    assert first.provider_id != second.provider_id


# --- Over HTTP to the real endpoint -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_kind_is_posted_over_http_to_the_real_endpoint_and_lands_in_the_inbox(
    client, live_server, settings, eva
):
    settings.PUBLIC_BASE_URL = live_server.url
    client.force_login(eva)
    for kind, channel, public in KINDS:
        text = f"{TEXT} ({kind})"
        response = client.post(
            reverse("simulator:index"), {"kind": kind, "name": NAME, "text": text}, follow=True
        )
        assert response.status_code == 200
        [(level, said)] = flash(response)
        assert level == "success", said
        assert f"{live_server.url}{simulator.build_delivery(kind, NAME, text).path}" in said
        assert "200" in said
        message = Message.objects.select_related("conversation__identity").get(text=text)
        assert message.direction == Direction.INBOUND
        assert (message.channel, message.conversation.is_public) == (channel, public)
        assert message.conversation.identity.external_id == simulator.resident_id(channel, NAME)
        assert text in response.content.decode()  # and on the resident's thread below the form


def test_an_endpoint_that_cannot_be_reached_is_said_so(client, settings, eva):
    settings.PUBLIC_BASE_URL = f"http://127.0.0.1:{closed_port()}"
    client.force_login(eva)
    response = client.post(reverse("simulator:index"), RESIDENT | {"text": TEXT}, follow=True)
    [(level, said)] = flash(response)
    assert level == "error"
    assert settings.PUBLIC_BASE_URL in said
    assert not Message.objects.exists()


def test_an_endpoint_that_refuses_is_said_so_with_its_status(client, settings, eva, platforms):
    settings.PUBLIC_BASE_URL = platforms.base_url  # the stand-in serves no webhooks: 404
    client.force_login(eva)
    response = client.post(reverse("simulator:index"), RESIDENT | {"text": TEXT}, follow=True)
    [(level, said)] = flash(response)
    assert level == "error"
    assert "404" in said


def test_a_message_without_text_is_not_sent(client, eva, platforms):
    client.force_login(eva)
    response = client.post(reverse("simulator:index"), RESIDENT | {"text": "  "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Message.objects.exists()


# --- The desk's replies, read back from the stand-in ------------------------------------------------


def deliver_here(client, capture, kind: str, text: str) -> Message:
    """What the simulator posts, handed to the endpoint in this process (Celery is eager)."""
    delivery = simulator.build_delivery(kind, NAME, text)
    headers = {name: value for name, value in delivery.headers.items() if name != "Content-Type"}
    with capture(execute=True):
        response = client.post(
            delivery.path, delivery.body, content_type=delivery.content_type, headers=headers
        )
    assert response.status_code == 200, response.content
    return Message.objects.get(text=text)


@pytest.mark.parametrize(("kind", "channel", "public"), KINDS)
def test_the_desks_reply_shows_on_the_residents_thread_as_the_stand_in_received_it(
    client, django_capture_on_commit_callbacks, platforms, eva, kind, channel, public
):
    question = deliver_here(client, django_capture_on_commit_callbacks, kind, TEXT)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(agent=eva, conversation_id=question.conversation_id, text=ANSWER)
    assert [sent["text"] for sent in platforms.outbox()] == [
        services.signed(ANSWER, agent=eva, is_public=public)
    ]

    client.force_login(eva)
    html = client.get(reverse("simulator:thread"), {"kind": kind, "name": NAME}).content.decode()
    assert TEXT in html and ANSWER in html
    assert html.index(TEXT) < html.index(ANSWER)
    assert 'class="msg msg-in"' in html  # the municipality, as the resident sees it

    # Another resident on the same channel sees neither.
    html = client.get(reverse("simulator:thread"), {"kind": kind, "name": "Karim"}).content.decode()
    assert TEXT not in html and ANSWER not in html


def test_a_whatsapp_reply_is_looked_up_by_the_residents_number(
    client, django_capture_on_commit_callbacks, platforms, eva
):
    question = deliver_here(client, django_capture_on_commit_callbacks, Kind.WHATSAPP, TEXT)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(agent=eva, conversation_id=question.conversation_id, text=ANSWER)
    number = simulator.resident_id(Channel.WHATSAPP, NAME)
    assert [sent["to"] for sent in platforms.outbox()] == [number]
    assert simulator.reply_address(Kind.WHATSAPP, NAME) == number


def test_the_thread_is_swapped_only_when_it_changed(client, django_capture_on_commit_callbacks, eva):
    deliver_here(client, django_capture_on_commit_callbacks, Kind.WHATSAPP, TEXT)
    client.force_login(eva)
    page = client.get(reverse("simulator:index"), RESIDENT).content.decode()
    assert 'hx-trigger="every 5s"' in page and 'aria-live="polite"' in page
    poll = re.search(r'hx-get="([^"]+)"', page)[1].replace("&amp;", "&")
    assert client.get(poll).status_code == 204  # nothing new: htmx leaves the thread alone

    deliver_here(client, django_capture_on_commit_callbacks, Kind.WHATSAPP, "Hallo? Is daar iemand?")
    response = client.get(poll)
    assert response.status_code == 200
    assert "Hallo? Is daar iemand?" in response.content.decode()


def test_a_stand_in_that_is_not_running_is_said_so(client, django_capture_on_commit_callbacks, settings, eva):
    deliver_here(client, django_capture_on_commit_callbacks, Kind.WHATSAPP, TEXT)
    settings.STANDIN_URL = f"http://127.0.0.1:{closed_port()}"
    client.force_login(eva)
    html = client.get(reverse("simulator:index"), RESIDENT).content.decode()
    assert 'id="standin-notice"' in html and "python manage.py run_standin" in html
    assert TEXT in html  # what the resident sent is still there
