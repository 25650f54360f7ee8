import pytest
from urllib.parse import urlencode
from tests import signing
from tests.channels.test_fuzz import post_signed, FORM

pytestmark = pytest.mark.django_db

def test_long_profile_name(client):
    p = signing.load_fixture("twilio", "inbound_text")
    p["ProfileName"] = "x" * 301
    post_signed(client, "/webhooks/whatsapp/", urlencode(p).encode(), FORM)

def test_long_fb_name(client):
    d = signing.load_fixture("meta", "page_comment")
    d["entry"][0]["changes"][0]["value"]["from"]["name"] = "x" * 301
    post_signed(client, "/webhooks/meta/", signing.meta_body(d), "application/json")

@pytest.mark.parametrize("t", [253402300799, -62135596800, 253402300000, -62135500000])
def test_edge_time(client, t):
    d = signing.load_fixture("meta", "page_comment")
    d["entry"][0]["changes"][0]["value"]["created_time"] = t
    post_signed(client, "/webhooks/meta/", signing.meta_body(d), "application/json")

@pytest.mark.parametrize("t", [253402300799999, -62135596800000])
def test_edge_millis(client, t):
    d = signing.load_fixture("meta", "messenger_text")
    d["entry"][0]["messaging"][0]["timestamp"] = t
    post_signed(client, "/webhooks/meta/", signing.meta_body(d), "application/json")

def test_ct_long(client):
    d = signing.load_fixture("meta", "messenger_text")
    post_signed(client, "/webhooks/meta/", signing.meta_body(d), "application/" + "x" * 120)

@pytest.mark.parametrize("text", [{"a": [1]}, [1, 2], 5, None, 1.5, True])
def test_echo_text_types(client, text):
    post_signed(client, "/webhooks/meta/", signing.meta_body(signing.load_fixture("meta", "messenger_text")), "application/json")
    d = signing.load_fixture("meta", "messenger_echo")
    d["entry"][0]["messaging"][0]["message"]["text"] = text
    post_signed(client, "/webhooks/meta/", signing.meta_body(d), "application/json")

def test_twilio_raw_nul(client):
    post_signed(client, "/webhooks/whatsapp/", b"MessageSid=SM1&From=whatsapp:%2B31611223344&Body=a\x00b", FORM)

@pytest.mark.parametrize("enc", ["utf-16", "utf-32"])
def test_x_utf16(client, enc):
    import json
    post_signed(client, "/webhooks/x/", json.dumps({"for_user_id": "1"}).encode(enc), "application/json")
