"""The platform stand-in answers the real twilio, pyfacebook and tweepy clients the way the platforms do."""

import hashlib
import hmac
import io
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
import requests
import tweepy
from django.core.management import CommandError, call_command
from pyfacebook import FacebookError
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from channels import clients
from channels.standin import PNG, running

ACCOUNT = "AC" + "3" * 32
TWILIO_TOKEN = "test-twilio-auth-token"
META_SECRET = "test-meta-app-secret"
PAGE = "104857600123456"
INSTAGRAM = "17841400123456789"
DESK_NUMBER = "whatsapp:+31850001234"
RESIDENT_NUMBER = "whatsapp:+31612345678"
RESIDENT_PSID = "7712345678901234"


class Receiver:
    """A tiny stand-in for the desk's webhook endpoints that keeps every POST it gets."""

    def __init__(self):
        self.received: list[dict] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.arrived:
                    receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    receiver.arrived.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def wait_for(self, count: int, timeout: float = 5) -> list[dict]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def standin(settings, receiver):
    options = {
        "twilio_auth_token": TWILIO_TOKEN,
        "meta_app_secret": META_SECRET,
        "instagram_ids": (INSTAGRAM,),
    }
    with running(
        callback_base_url=receiver.url, callback_delay=0.01, send_callbacks=True, **options
    ) as standin:
        settings.TWILIO_API_BASE_URL = settings.META_GRAPH_BASE_URL = settings.X_API_BASE_URL = (
            standin.base_url
        )
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = ACCOUNT, TWILIO_TOKEN
        settings.META_PAGE_TOKEN, settings.META_GRAPH_VERSION = "test-page-token", "v26.0"
        settings.X_BEARER_TOKEN = "test-bearer"
        settings.X_CONSUMER_KEY, settings.X_CONSUMER_SECRET = "test-key", "test-secret"
        settings.X_ACCESS_TOKEN, settings.X_ACCESS_TOKEN_SECRET = "test-token", "test-token-secret"
        settings.PLATFORM_TIMEOUT = 5
        yield standin


# Twilio -------------------------------------------------------------------------------------------------


def test_twilio_create_answers_a_queued_message_the_library_parses(standin):
    message = clients.twilio().messages.create(from_=DESK_NUMBER, to=RESIDENT_NUMBER, body="Goedemorgen!")

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.status, message.direction, message.body) == ("queued", "outbound-api", "Goedemorgen!")
    assert message.date_created.tzinfo is not None
    [request] = standin.requests_to("/Messages.json")
    assert request.form == {"From": DESK_NUMBER, "To": RESIDENT_NUMBER, "Body": "Goedemorgen!"}
    assert request.headers["authorization"].startswith("Basic ")


def test_twilio_create_accepts_a_template_instead_of_a_body(standin):
    variables = json.dumps({"1": "dinsdag"})
    message = clients.twilio().messages.create(
        from_=DESK_NUMBER, to=RESIDENT_NUMBER, content_sid="HX" + "a" * 32, content_variables=variables
    )

    assert message.sid.startswith("SM")
    assert standin.requests_to("/Messages.json")[0].form["ContentSid"] == "HX" + "a" * 32
    assert "dinsdag" in standin.outbox(to="+31612345678")[0]["text"]


def test_twilio_create_without_a_to_number_is_refused_like_twilio(standin):
    with pytest.raises(TwilioRestException) as refused:
        clients.twilio().messages.create(from_=DESK_NUMBER, to="", body="Hallo")

    assert (refused.value.status, refused.value.code) == (400, 21604)


def test_twilio_list_finds_seeded_inbound_messages_sent_since_a_moment(standin):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    standin.seed_twilio_inbound(RESIDENT_NUMBER, DESK_NUMBER, "Oud bericht", date_sent=yesterday)
    sid = standin.seed_twilio_inbound(RESIDENT_NUMBER, DESK_NUMBER, "Mijn container is niet geleegd")
    clients.twilio().messages.create(from_=DESK_NUMBER, to=RESIDENT_NUMBER, body="Wij kijken ernaar")

    since = datetime.now(UTC) - timedelta(hours=1)
    found = clients.twilio().messages.list(to=DESK_NUMBER, date_sent_after=since)

    assert [(m.sid, m.direction, m.status, m.body) for m in found] == [
        (sid, "inbound", "received", "Mijn container is niet geleegd")
    ]
    assert found[0].account_sid == ACCOUNT
    assert len(clients.twilio().messages.list(to=DESK_NUMBER)) == 2


def test_scripted_server_error_fails_once_then_the_send_succeeds(standin):
    standin.fail_next("/Messages.json", 500)
    twilio = clients.twilio()

    with pytest.raises(TwilioRestException) as failed:
        twilio.messages.create(from_=DESK_NUMBER, to=RESIDENT_NUMBER, body="Eerste poging")
    message = twilio.messages.create(from_=DESK_NUMBER, to=RESIDENT_NUMBER, body="Tweede poging")

    assert (failed.value.status, failed.value.code) == (500, 20500)
    assert message.sid.startswith("SM")
    assert len(standin.requests_to("/Messages.json")) == 2
    assert [item["text"] for item in standin.outbox()] == ["Tweede poging"]


def test_scripted_delay_makes_the_client_time_out(standin, settings):
    settings.PLATFORM_TIMEOUT = 0.1
    standin.fail_next("/2/tweets", 503, delay=0.5)

    with pytest.raises(requests.exceptions.Timeout):
        clients.x().create_tweet(text="Te laat")


def test_twilio_refuses_requests_without_basic_auth_or_with_the_wrong_token(standin):
    url = f"{standin.base_url}/2010-04-01/Accounts/{ACCOUNT}/Messages.json"

    anonymous = requests.post(url, data={"To": RESIDENT_NUMBER}, timeout=5)
    wrong_token = requests.post(url, data={"To": RESIDENT_NUMBER}, auth=(ACCOUNT, "wrong"), timeout=5)

    assert anonymous.status_code == wrong_token.status_code == 401
    assert anonymous.json()["code"] == 20003


def test_twilio_status_callbacks_arrive_in_order_and_signed_like_twilio(standin, receiver):
    callback_url = receiver.url + "/webhooks/twilio/status/"
    message = clients.twilio().messages.create(
        from_=DESK_NUMBER, to=RESIDENT_NUMBER, body="Hallo", status_callback=callback_url
    )

    callbacks = receiver.wait_for(3)

    validator = RequestValidator(TWILIO_TOKEN)
    for callback in callbacks:
        params = dict(parse_qsl(callback["body"].decode()))
        assert callback["path"] == "/webhooks/twilio/status/"
        assert validator.validate(callback_url, params, callback["headers"]["X-Twilio-Signature"])
        assert params["MessageSid"] == message.sid and params["ChannelPrefix"] == "whatsapp"
    statuses = [dict(parse_qsl(callback["body"].decode()))["MessageStatus"] for callback in callbacks]
    assert statuses == ["sent", "delivered", "read"]
    assert clients.twilio().messages.list(to=RESIDENT_NUMBER)[0].status == "read"


def test_twilio_media_is_a_png_behind_basic_auth(standin):
    url = f"{standin.base_url}/2010-04-01/Accounts/{ACCOUNT}/Messages/MM{'1' * 32}/Media/ME{'2' * 32}"

    anonymous = requests.get(url, timeout=5)
    media = requests.get(url, auth=(ACCOUNT, TWILIO_TOKEN), timeout=5)

    assert anonymous.status_code == 401
    assert media.headers["Content-Type"] == "image/png"
    assert media.content == PNG and PNG.startswith(b"\x89PNG\r\n\x1a\n")


# Meta Graph ---------------------------------------------------------------------------------------------


def test_graph_send_accepts_form_fields_carrying_json_strings(standin):
    sent = clients.graph().post_object(
        PAGE,
        "messages",
        data={
            "recipient": json.dumps({"id": RESIDENT_PSID}),
            "message": json.dumps({"text": "Goedemiddag!"}),
            "messaging_type": "MESSAGE_TAG",
            "tag": "HUMAN_AGENT",
        },
    )

    assert sent["recipient_id"] == RESIDENT_PSID and sent["message_id"].startswith("m_")
    [request] = standin.requests_to("/v26.0/")
    assert (request.form["access_token"], request.form["tag"]) == ("test-page-token", "HUMAN_AGENT")
    assert standin.outbox(to=RESIDENT_PSID)[0]["platform"] == "messenger"


def test_graph_send_accepts_a_json_body_with_the_token_in_the_query(standin):
    answer = requests.post(
        f"{standin.base_url}/v26.0/{INSTAGRAM}/messages",
        params={"access_token": "test-page-token"},
        json={"recipient": {"id": "991122"}, "message": {"text": "Hoi!"}},
        timeout=5,
    )

    assert answer.status_code == 200 and answer.json()["recipient_id"] == "991122"
    assert standin.outbox(to="991122")[0]["platform"] == "instagram"


def test_pyfacebook_drops_a_json_body_so_the_send_is_refused(standin):
    """post_object(json=…) loses the body: pyfacebook puts the token in form data and requests then
    ignores json=. The real Graph API refuses such a send too; use form fields (data=…)."""
    with pytest.raises(FacebookError) as refused:
        clients.graph().post_object(
            PAGE, "messages", json={"recipient": {"id": "1"}, "message": {"text": "x"}}
        )

    assert refused.value.code == 100
    assert standin.requests_to("/messages")[0].json is None


def test_graph_refuses_a_request_without_access_token(standin):
    answer = requests.post(f"{standin.base_url}/v26.0/{PAGE}/messages", data={"recipient": "{}"}, timeout=5)

    assert answer.status_code == 400 and answer.json()["error"]["code"] == 190


def test_public_replies_to_facebook_and_instagram_comments(standin):
    graph = clients.graph()

    facebook = graph.post_object(
        "122100000000000001_555", "comments", data={"message": "Dank voor uw melding"}
    )
    instagram = graph.post_object("17900000000000001", "replies", data={"message": "We zoeken het uit"})

    assert facebook["id"].startswith("122100000000000001_") and instagram["id"].isdigit()
    outbox = standin.outbox()
    assert [(item["platform"], item["to"]) for item in outbox] == [
        ("facebook_comment", "122100000000000001_555"),
        ("instagram_comment", "17900000000000001"),
    ]


def test_a_comment_gets_only_one_private_reply(standin):
    graph = clients.graph()
    reply = {"recipient": json.dumps({"comment_id": "122100000000000001_777"}), "message": '{"text": "Hoi"}'}

    first = graph.post_object(PAGE, "messages", data=dict(reply))
    with pytest.raises(FacebookError) as second:
        graph.post_object(PAGE, "messages", data=dict(reply))

    assert first["recipient_id"].isdigit() and first["message_id"].startswith("m_")
    assert (second.value.code, second.value.error_subcode) == (10, 2018313)


def test_instagram_mention_lookup_returns_the_seeded_comment(standin):
    standin.seed_instagram_mention(
        "17912345678901234", "@gemeente de lantaarnpaal is kapot", "resident_nl", "1801"
    )
    graph = clients.graph()

    found = graph.get_object(
        INSTAGRAM, fields="mentioned_comment.comment_id(17912345678901234){text,username}"
    )
    with pytest.raises(FacebookError) as unknown:
        graph.get_object(INSTAGRAM, fields="mentioned_comment.comment_id(404){text}")

    assert found["id"] == INSTAGRAM
    assert found["mentioned_comment"]["text"] == "@gemeente de lantaarnpaal is kapot"
    assert found["mentioned_comment"]["media"] == {"id": "1801"}
    assert unknown.value.code == 100


def test_a_messenger_send_is_followed_by_a_signed_delivery_webhook(standin, receiver):
    graph = clients.graph()
    message = {"message": json.dumps({"text": "Hoi"})}
    graph.post_object(INSTAGRAM, "messages", data={"recipient": '{"id": "5566"}', **message})
    sent = graph.post_object(
        PAGE, "messages", data={"recipient": json.dumps({"id": RESIDENT_PSID}), **message}
    )

    [webhook] = receiver.wait_for(1)

    expected = "sha256=" + hmac.new(META_SECRET.encode(), webhook["body"], hashlib.sha256).hexdigest()
    assert webhook["path"] == "/webhooks/meta/"
    assert hmac.compare_digest(webhook["headers"]["X-Hub-Signature-256"], expected)
    payload = json.loads(webhook["body"])
    assert payload["object"] == "page"
    [event] = payload["entry"][0]["messaging"]
    assert event["sender"] == {"id": RESIDENT_PSID} and event["recipient"] == {"id": PAGE}
    assert event["delivery"]["mids"] == [sent["message_id"]]
    assert len(receiver.received) == 1  # Instagram has no delivery event


# X ------------------------------------------------------------------------------------------------------


def test_x_direct_message(standin):
    sent = clients.x().create_direct_message(participant_id="1700000000000000002", text="Wij helpen u graag")

    assert sent.data["dm_conversation_id"] == "1700000000000000002-1600000000000000001"
    assert len(sent.data["dm_event_id"]) == 19
    [request] = standin.requests_to("/2/dm_conversations/")
    assert request.json == {"text": "Wij helpen u graag"}
    assert request.headers["authorization"].startswith("OAuth ")


def test_x_reply_to_a_tweet(standin):
    sent = clients.x().create_tweet(
        text="@bewoner Dank u, we sturen iemand.", in_reply_to_tweet_id="1862000000000000004"
    )

    assert sent.data["edit_history_tweet_ids"] == [sent.data["id"]]
    assert standin.outbox(to="1862000000000000004")[0]["platform"] == "x_post"


def test_x_mentions_since_an_id_with_their_authors(standin):
    older = standin.seed_x_mention("@GemeenteDemo al gelezen", "1700000000000000002", "bewoner", "Bewoner")
    newer = standin.seed_x_mention("@GemeenteDemo grofvuil?", "1700000000000000003", "buurvrouw", "Buurvrouw")
    x = clients.x()

    found = x.get_users_mentions("1600000000000000001", since_id=older, expansions="author_id")
    nothing = x.get_users_mentions("1600000000000000001", since_id=newer)

    assert [tweet.id for tweet in found.data] == [int(newer)]
    assert found.data[0].author_id == 1700000000000000003
    assert found.includes["users"][0].username == "buurvrouw"
    assert found.meta["newest_id"] == newer
    assert nothing.data is None and nothing.meta == {"result_count": 0}


def test_x_rate_limit_raises_too_many_requests_with_the_reset_time(standin):
    standin.fail_next("/2/dm_conversations/", 429)

    with pytest.raises(tweepy.TooManyRequests) as limited:
        clients.x().create_direct_message(participant_id="1700000000000000002", text="Hallo")

    response = limited.value.response
    assert response.headers["x-rate-limit-remaining"] == "0"
    assert int(response.headers["x-rate-limit-reset"]) > datetime.now(UTC).timestamp()
    assert response.json()["status"] == 429


def test_x_refuses_requests_without_authorization(standin):
    answer = requests.post(f"{standin.base_url}/2/tweets", json={"text": "Hallo"}, timeout=5)

    assert answer.status_code == 401 and "x-rate-limit-limit" in answer.headers


# The stand-in's own routes ------------------------------------------------------------------------------


def test_outbox_lists_what_the_desk_sent_to_one_recipient(standin):
    clients.twilio().messages.create(from_=DESK_NUMBER, to=RESIDENT_NUMBER, body="Eerste")
    clients.x().create_direct_message(participant_id="1700000000000000002", text="Anders")
    clients.twilio().messages.create(from_=DESK_NUMBER, to=RESIDENT_NUMBER, body="Tweede")

    outbox = requests.get(f"{standin.base_url}/_outbox", params={"to": "+31612345678"}, timeout=5).json()

    assert [(item["platform"], item["text"]) for item in outbox] == [
        ("whatsapp", "Eerste"),
        ("whatsapp", "Tweede"),
    ]
    assert outbox[0]["id"].startswith("SM") and outbox[0]["at"]
    requests.post(f"{standin.base_url}/_reset", timeout=5)
    assert standin.outbox() == []


def test_seeding_over_http_for_the_demo(standin):
    answer = requests.post(
        f"{standin.base_url}/_seed/x_mention",
        json={"text": "@GemeenteDemo hallo", "author_id": "17", "username": "b", "name": "B"},
        timeout=5,
    )
    wrong = requests.post(f"{standin.base_url}/_seed/x_mention", json={"text": "?"}, timeout=5)

    assert answer.status_code == 201 and clients.x().get_users_mentions("1").meta["result_count"] == 1
    assert wrong.status_code == 400


def test_unknown_routes_and_malformed_bodies_get_json_errors(standin):
    unknown = requests.get(
        f"{standin.base_url}/2/nothing-here", headers={"Authorization": "Bearer x"}, timeout=5
    )
    malformed = requests.post(
        f"{standin.base_url}/2/tweets",
        data=b"{not json",
        headers={"Authorization": "Bearer x", "Content-Type": "application/json"},
        timeout=5,
    )

    assert unknown.status_code == 404 and unknown.json()["status"] == 404
    assert malformed.status_code == 400 and malformed.json()["title"] == "Bad Request"


def test_run_standin_refuses_to_start_outside_the_demo(settings):
    settings.DEMO_ENABLED = False

    with pytest.raises(CommandError, match="DEMO_ENABLED"):
        call_command("run_standin", stdout=io.StringIO())
