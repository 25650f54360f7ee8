"""Property-based: whatever body reaches a webhook endpoint, the answer is never a 500, and nothing it
stores breaks the rules in tests/invariants.py (a refused delivery stores nothing at all).

Django's test client re-raises an exception a view lets escape (instead of answering 500), so any
exception fails a test. Run these on PostgreSQL too: it refuses NUL characters and over-long values
where SQLite stores them silently. Each example runs in a savepoint that is rolled back, so examples
do not see each other's conversations and a failure replays (and shrinks) the same way.
"""

import hashlib
import json
import re
from functools import reduce
from urllib.parse import urlencode

import hypothesis
import pytest
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http.multipartparser import MultiPartParserError
from django.test import RequestFactory
from hypothesis import HealthCheck, example, given
from hypothesis import strategies as st

from channels.models import RawEvent
from channels.urls import urlpatterns
from inbox.models import Message
from tests import signing
from tests.conftest import PUBLIC_BASE_URL
from tests.invariants import example_savepoint, garbage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """These tests send hundreds of refused deliveries from one address; the limit has tests of its own."""
    settings.WEBHOOK_FAILURES_PER_MINUTE = 10**9


def fuzz(max_examples: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,  # failures are not replayed from a local store: known bad inputs are pinned below
    )


WHATSAPP, STATUS, META, X = (
    "/webhooks/whatsapp/",
    "/webhooks/whatsapp/status/",
    "/webhooks/meta/",
    "/webhooks/x/",
)
ENDPOINTS = [WHATSAPP, STATUS, META, X]
PATHS = {"twilio": WHATSAPP, "meta": META, "x": X}
FORM, JSON = "application/x-www-form-urlencoded", "application/json"
SIGNATURE_HEADERS = [
    "HTTP_X_TWILIO_SIGNATURE",
    "HTTP_X_HUB_SIGNATURE_256",
    "HTTP_X_TWITTER_WEBHOOKS_SIGNATURE",
]
CRC_TOKEN = r"[A-Za-z0-9+/=_-]{1,200}"

# --- Strategies -----------------------------------------------------------------------------------

# What a header can carry on the wire: printable latin-1 (WSGI hands headers over as latin-1 text).
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"))

content_types = st.one_of(
    st.sampled_from(
        [
            "",
            FORM,
            f"{FORM}; charset=latin-1",
            f"{FORM}; charset=utf-16",
            f"{FORM}; charset=no-such-codec",
            "multipart/form-data",
            "multipart/form-data; boundary=BoUnDaRy",
            JSON,
            f"{JSON}; charset=utf-8",
            "text/plain",
            "text/xml",
            "application/octet-stream",
        ]
    ),
    header_text.map(lambda text: text[:150]),
    st.integers(90, 140).map(lambda length: "application/" + "x" * length),  # the column holds 100
)
json_content_types = st.one_of(st.just(JSON), st.just(JSON), content_types)

forged_signatures = st.one_of(
    st.just({}),
    st.builds(
        lambda header, value: {header: value},
        st.sampled_from(SIGNATURE_HEADERS),
        st.one_of(
            header_text,
            header_text.map("sha256=".__add__),
            st.binary(min_size=32, max_size=32).map(lambda raw: "sha256=" + raw.hex()),
        ),
    ),
)

# Values the parsers meet at their edges: NULs, ids longer than the columns, timestamps outside
# what datetime (or the C library under it) can hold, numbers in strings, lone surrogates.
EDGE_INTS = [
    0,
    -1,
    2**31,
    2**53 + 1,
    2**63 - 1,
    2**63,
    -(2**62),
    -(2**63),
    -(2**63) * 1000,
    2**64,
    10**30,
    -(10**30),
    253402300799,  # 9999-12-31T23:59:59Z in seconds
    253402300799999,  # ... and in milliseconds
    -62135596800,  # 0001-01-01T00:00:00Z in seconds
    -62135596800000,
]
EDGE_TEXTS = [
    "",
    "\x00",
    "a\x00b",
    "x" * 101,
    "x" * 201,
    "9" * 301,
    "1" * 5000,
    "whatsapp:",
    "whatsapp:\x00",
    "²",
    "١٢٣",
    " 12 ",
    "1e3",
    "-0",
    "-9223372036854775808000",
    "253402300799999",
    "sha256=",
    "comment",
    "add",
    "edited",
    "message_create",
    "dm.received",
    "post.mention.create",
    "page",
    "instagram",
]
LONE_SURROGATES = ["\ud800", "\udfff text"]  # valid as JSON escapes; no UTF-8 encoder takes them
edge_values = st.sampled_from(EDGE_INTS + EDGE_TEXTS + LONE_SURROGATES)
json_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40), edge_values
)


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


FIXTURES = {
    platform: [path.stem for path in sorted((signing.FIXTURES_DIR / platform).glob("*.json"))]
    for platform in PATHS
}
FIXTURE_KEYS = sorted(
    set().union(*(_keys(signing.load_fixture(p, name)) for p in ("meta", "x") for name in FIXTURES[p]))
)
keys = st.one_of(st.sampled_from(FIXTURE_KEYS), st.text(max_size=10))
json_values = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)


def retyped(value) -> st.SearchStrategy:
    """The same value in another type or at an edge: what a careless sender might put in its place."""
    options = [st.just(None), st.just(True), st.just([value]), st.just({"id": value}), edge_values]
    options.append(st.just(str(value)) if not isinstance(value, str) else st.just(value + "\x00"))
    if isinstance(value, str):
        options.append(st.just(value * 40))
        if value.isdecimal() and len(value) < 1000:
            options.append(st.just(int(value)))
    if isinstance(value, int) and not isinstance(value, bool):
        options += [
            st.just(-value),
            st.just(value * 10**12),
            st.just(value + 0.5 if abs(value) < 2**53 else 1e300),
        ]
    options.append(st.just(reduce(lambda inner, _: [inner], range(60), value)))  # 60 levels deep
    return st.one_of(options)


def _paths(value, prefix=()):
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in items:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


def changed(platform: str, name: str, changes: dict) -> dict:
    """A fixture with the values at some paths replaced (a value of ... deletes the key)."""
    document = signing.load_fixture(platform, name)
    for path, value in changes.items():
        parent = reduce(lambda node, key: node[key], path[:-1], document)
        if value is ...:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    return document


def wire(platform: str, document, encoding: str = "wire") -> bytes:
    """The body as the platform puts it on the wire, or in another encoding json.loads also reads."""
    if platform == "twilio":
        return urlencode(document, doseq=True).encode()
    if encoding == "wire":
        try:
            return signing.meta_body(document) if platform == "meta" else signing.x_body(document)
        except UnicodeEncodeError:  # a lone surrogate: X would have had to escape it
            encoding = "ascii"
    return json.dumps(document, ensure_ascii=encoding == "ascii").encode(
        "utf-8" if encoding == "ascii" else encoding, "surrogatepass"
    )


json_encodings = st.sampled_from(["wire", "wire", "wire", "ascii", "utf-16", "utf-32"])

# Twilio's form fields, with values that are sometimes right and sometimes anything.
form_text = st.one_of(st.text(max_size=40), st.sampled_from([*map(str, EDGE_INTS), *EDGE_TEXTS]))
twilio_fields = st.fixed_dictionaries(
    {},
    optional={
        "MessageSid": st.one_of(st.just("SMa1c3e5f7091b2d4f6a8c0e2b4d6f8a13"), form_text),
        "From": st.one_of(st.just("whatsapp:+31611223344"), form_text.map("whatsapp:".__add__), form_text),
        "To": st.just("whatsapp:+31850001234"),
        "Body": form_text,
        "ProfileName": st.one_of(st.just("Marieke Bos"), form_text),
        "NumMedia": st.one_of(st.integers().map(str), form_text),
        "MediaUrl0": st.one_of(st.just("https://api.twilio.com/2010-04-01/Media/ME1"), form_text),
        "MediaContentType0": st.one_of(st.just("image/png"), form_text),
        "MessageStatus": st.one_of(
            st.sampled_from(["sent", "delivered", "read", "failed", "undelivered", "canceled", "queued"]),
            form_text,
        ),
        "ErrorCode": st.one_of(st.sampled_from(["63016", "21211", ""]), form_text),
    },
)
twilio_params = st.builds(
    lambda real, other: {**other, **real}, twilio_fields, st.dictionaries(st.text(), st.text())
)
twilio_bodies = st.one_of(
    twilio_params.map(lambda params: urlencode(params).encode()),
    st.builds(lambda params, junk: urlencode(params).encode() + b"&" + junk, twilio_params, st.binary()),
    st.binary(max_size=500),
)
status_keys = st.one_of(st.just(""), st.uuids().map(str), st.text(max_size=50))


@st.composite
def random_json_deliveries(draw):
    """(path, body, content type): any JSON, or JSON in the outline of a Meta or X delivery."""
    platform = draw(st.sampled_from(["meta", "x"]))
    document = draw(
        st.one_of(
            json_values,
            st.fixed_dictionaries(
                {"object": st.sampled_from(["page", "instagram"]), "entry": st.lists(json_values, max_size=3)}
            ),
            st.fixed_dictionaries(
                {"for_user_id": st.one_of(st.just("1600000000000000001"), json_leaves)},
                optional={"direct_message_events": json_values, "tweet_create_events": json_values},
            ),
            st.fixed_dictionaries({"data": st.dictionaries(keys, json_values, max_size=5)}),
        )
    )
    return PATHS[platform], wire(platform, document, draw(json_encodings)), draw(json_content_types)


@st.composite
def nearly_valid_deliveries(draw):
    """(path, body, content type): a real delivery with one to three values replaced, retyped or deleted."""
    platform = draw(st.sampled_from(["meta", "x", "twilio"]))
    document = signing.load_fixture(platform, draw(st.sampled_from(FIXTURES[platform])))
    values = form_text if platform == "twilio" else json_values
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(document))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = reduce(lambda node, key: node[key], path[:-1], document)
        action = draw(st.sampled_from(["replace", "retype", "delete"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace" or platform == "twilio":
            parent[path[-1]] = draw(values)
        else:
            parent[path[-1]] = draw(retyped(parent[path[-1]]))
    if platform == "twilio":
        path = draw(st.sampled_from([WHATSAPP, STATUS]))
        return path, wire(platform, document), FORM
    return PATHS[platform], wire(platform, document, draw(json_encodings)), draw(json_content_types)


# --- Sending ----------------------------------------------------------------------------------------


def counts() -> tuple[int, int]:
    return Message.objects.count(), RawEvent.objects.count()


def django_refuses(path: str, body: bytes, content_type: str) -> bool:
    """Whether Django itself answers 400 before the view can read the form (a broken multipart body)."""
    try:
        RequestFactory().generic("POST", path, body, content_type=content_type).POST  # noqa: B018
    except (BadRequest, MultiPartParserError, SuspiciousOperation):
        return True
    return False


def twilio_headers(path: str, body: bytes, content_type: str) -> dict:
    """Sign as Twilio does: the public URL and the params as Django parses this very body."""
    request = RequestFactory().generic("POST", path, body, content_type=content_type)
    try:
        params = request.POST
    except (BadRequest, MultiPartParserError, SuspiciousOperation):
        return {"HTTP_X_TWILIO_SIGNATURE": "unparseable"}
    # Twilio's validator signs each distinct value of a repeated name once.
    distinct = {name: sorted(set(params.getlist(name))) for name in params}
    return signing.twilio_headers(PUBLIC_BASE_URL + request.get_full_path(), distinct)


def signed_headers(path: str, body: bytes, content_type: str) -> dict:
    if path.startswith(WHATSAPP):
        return twilio_headers(path, body, content_type)
    return signing.meta_headers(body) if path == META else signing.x_headers(body)


def post_signed(client, path: str, body: bytes, content_type: str = JSON):
    """POST exactly these bytes, signed: answered 200 or 400, and kept unless Django could not read it;
    a 400 stores the delivery only (to replay after a fix), no message."""
    messages = Message.objects.count()
    response = client.generic(
        "POST", path, body, content_type=content_type, **signed_headers(path, body, content_type)
    )
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert Message.objects.count() == messages
    if not (path.startswith(WHATSAPP) and django_refuses(path, body, content_type)):
        assert RawEvent.objects.filter(digest=hashlib.sha256(body).hexdigest()).exists()
    return response


def with_key(path: str, key: str) -> str:
    return f"{path}?{urlencode({'key': key})}" if path == STATUS and key else path


# --- 1. Unsigned: refused, nothing stored -----------------------------------------------------------


@pytest.mark.parametrize("path", ENDPOINTS)
@given(
    body=st.one_of(st.binary(max_size=2000), twilio_bodies),
    content_type=content_types,
    headers=forged_signatures,
)
@example(  # a signature header that is not ASCII (a byte >= 0x80 on the wire)
    body=b"{}",
    content_type=JSON,
    headers={"HTTP_X_HUB_SIGNATURE_256": "sha256=\x80", "HTTP_X_TWITTER_WEBHOOKS_SIGNATURE": "sha256=\x80"},
)
@fuzz(max_examples=40)
def test_an_unsigned_body_is_refused_and_nothing_is_stored(client, db, path, body, content_type, headers):
    before = counts()
    response = client.generic("POST", path, body, content_type=content_type, **headers)
    # Twilio's signature is over the form, so Django parses it first, and may find it unreadable.
    twilio_signed = path.startswith(WHATSAPP) and headers.get("HTTP_X_TWILIO_SIGNATURE")
    assert response.status_code == (
        400 if twilio_signed and django_refuses(path, body, content_type) else 403
    )
    assert counts() == before


# --- 2. Signed random bytes: answered 200 or 400 ------------------------------------------------------


@pytest.mark.parametrize("path", [META, X])
@given(body=st.binary(max_size=2000), content_type=content_types)
@fuzz(max_examples=40)
def test_signed_random_bytes_to_meta_and_x_never_fail(client, db, path, body, content_type):
    with example_savepoint():
        post_signed(client, path, body, content_type)


@pytest.mark.parametrize("path", [WHATSAPP, STATUS])
@given(body=twilio_bodies, content_type=st.one_of(st.just(FORM), content_types), key=status_keys)
@fuzz(max_examples=50)
def test_signed_random_forms_to_whatsapp_never_fail(client, db, path, body, content_type, key):
    with example_savepoint():
        post_signed(client, with_key(path, key), body, content_type)


@pytest.mark.parametrize("path", [WHATSAPP, STATUS])
@given(params=twilio_params, key=status_keys)
@fuzz(max_examples=50)
def test_signed_twilio_forms_with_odd_values_never_fail(client, db, path, params, key):
    with example_savepoint():
        post_signed(client, with_key(path, key), urlencode(params).encode(), FORM)


# --- 3. Structured: random JSON, and real deliveries slightly wrong -----------------------------------


@given(delivery=random_json_deliveries())
@fuzz(max_examples=120)
def test_signed_random_json_never_fails(client, db, delivery):
    with example_savepoint():
        post_signed(client, *delivery)


@given(
    delivery=nearly_valid_deliveries(), first=st.none() | st.sampled_from(FIXTURES["meta"] + FIXTURES["x"])
)
@fuzz(max_examples=250)
def test_signed_nearly_valid_deliveries_never_fail(client, db, delivery, first):
    """Optionally after a real delivery, so the wrong one can meet an existing conversation."""
    with example_savepoint():
        if first:
            platform = "meta" if first in FIXTURES["meta"] else "x"
            post_signed(client, PATHS[platform], wire(platform, signing.load_fixture(platform, first)))
        post_signed(client, *delivery)


MESSAGING, COMMENT = ("entry", 0, "messaging", 0), ("entry", 0, "changes", 0, "value")
DM = ("direct_message_events", 0)


def edge(name: str, path: str, platform: str, fixture: str, changes: dict, encoding: str = "wire"):
    body = wire(platform, changed(platform, fixture, changes), encoding)
    return pytest.param(path, body, id=name)


# Inputs the fuzzing above found (or that sit exactly on an edge), each in a database of its own.
EDGE_DELIVERIES = [
    # Ids longer than their columns: services._checked raises Malformed inside ingest().
    edge("whatsapp-sid-201", WHATSAPP, "twilio", "inbound_text", {("MessageSid",): "S" * 201}),
    edge("status-sid-201", STATUS, "twilio", "status_delivered", {("MessageSid",): "S" * 201}),
    edge("x-tweet-id-201", X, "x", "aaa_mention", {("tweet_create_events", 0, "id_str"): "9" * 201}),
    edge("meta-sender-id-101", META, "meta", "messenger_text", {(*MESSAGING, "sender", "id"): "6" * 101}),
    # A lone surrogate, escaped in the JSON: no database driver can encode it.
    edge("meta-mid-surrogate", META, "meta", "messenger_text", {(*MESSAGING, "message", "mid"): "\ud800"}),
    edge("x-id-surrogate", X, "x", "aaa_dm", {(*DM, "id"): "\udfff"}, "ascii"),
    # Timestamps datetime.fromtimestamp() answers with OSError (EOVERFLOW from the C library).
    edge(
        "meta-time-minus-2**63-ms",
        META,
        "meta",
        "messenger_text",
        {(*MESSAGING, "timestamp"): -(2**63) * 1000},
    ),
    edge("meta-time-minus-2**62-s", META, "meta", "page_comment", {(*COMMENT, "created_time"): -(2**62)}),
    edge("x-time-minus-2**63-ms", X, "x", "aaa_dm", {(*DM, "created_timestamp"): str(-(2**63) * 1000)}),
    # The last second of year 9999: parsed, then the inbox cannot add office hours to it.
    edge("meta-comment-in-9999", META, "meta", "page_comment", {(*COMMENT, "created_time"): 253402300799}),
    edge(
        "meta-message-in-9999", META, "meta", "messenger_text", {(*MESSAGING, "timestamp"): 253402300799999}
    ),
    edge("x-dm-in-9999", X, "x", "aaa_dm", {(*DM, "created_timestamp"): "253402300799999"}),
    # NUL bytes in the raw body, which ingest() stores as they are: PostgreSQL refuses them.
    edge("meta-json-in-utf-16", META, "meta", "page_comment", {}, "utf-16"),
    edge("x-json-in-utf-32", X, "x", "aaa_favorite", {}, "utf-32"),
    pytest.param(
        WHATSAPP, wire("twilio", changed("twilio", "inbound_text", {})) + b"&Body=\x00", id="whatsapp-raw-nul"
    ),
    # Edges that are handled, kept here so they stay handled.
    # Display names longer than Contact.name and ChannelIdentity.handle (200) are cut to fit.
    edge("whatsapp-name-201", WHATSAPP, "twilio", "inbound_text", {("ProfileName",): "x" * 201}),
    edge("meta-name-201", META, "meta", "page_comment", {(*COMMENT, "from", "name"): "x" * 201}),
    edge("x-name-201", X, "x", "aaa_dm", {("users", "1731000000000000011", "name"): "x" * 201}),
    edge("meta-nul-in-text", META, "meta", "messenger_text", {(*MESSAGING, "message", "text"): "a\x00b"}),
    edge(
        "x-ids-at-limits",
        X,
        "x",
        "aaa_dm",
        {(*DM, "id"): "9" * 200, (*DM, "message_create", "sender_id"): "1" * 100},
    ),
    edge("x-time-in-year-0", X, "x", "aaa_dm", {(*DM, "created_timestamp"): "-62135596801000"}),
    edge("meta-entry-missing", META, "meta", "messenger_text", {("entry",): ...}),
    pytest.param(X, b'{"for_user_id": ' + b"1" * 5000 + b"}", id="x-5000-digit-number"),
    pytest.param(META, b"[" * 100_000 + b"]" * 100_000, id="meta-100000-levels-deep"),
]


@pytest.mark.parametrize("path, body", EDGE_DELIVERIES)
def test_signed_edge_deliveries_never_fail(client, path, body):
    post_signed(client, path, body, FORM if path.startswith(WHATSAPP) else JSON)
    assert garbage() == []


@pytest.mark.parametrize("content_type", ["application/" + "x" * 100, "application/json" + "x" * 100])
def test_a_signed_delivery_with_a_content_type_longer_than_its_column_never_fails(client, content_type):
    post_signed(client, META, wire("meta", signing.load_fixture("meta", "messenger_text")), content_type)


# --- 4. The GET handshakes --------------------------------------------------------------------------


@given(
    mode=st.one_of(st.just("subscribe"), st.text()),
    token=st.one_of(st.just(signing.META_VERIFY_TOKEN), st.text()),
    challenge=st.text(),
)
@fuzz(max_examples=50)
def test_the_meta_handshake_never_fails(client, db, mode, token, challenge):
    before = counts()
    response = client.get(META, {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": challenge})
    assert response.status_code in (200, 400, 403)
    if mode == "subscribe" and token == signing.META_VERIFY_TOKEN:
        assert response.status_code == 200
        assert response.content.decode() == challenge
    else:
        assert response.status_code == 403
    assert counts() == before


@given(token=st.one_of(st.text(), st.from_regex(CRC_TOKEN, fullmatch=True)))
@fuzz(max_examples=50)
def test_the_x_crc_check_never_fails(client, db, token):
    before = counts()
    response = client.get(X, {"crc_token": token})
    assert response.status_code in (200, 400, 403)
    if response.status_code == 200:
        assert response.json() == {"response_token": signing.x_crc_response_token(token)}
    if re.fullmatch(CRC_TOKEN, token):
        assert response.status_code == 200
    assert counts() == before


def test_every_webhook_is_fuzzed():
    """A new webhook URL must join ENDPOINTS (and its handshake, if any, a test above)."""
    assert {f"/webhooks/{pattern.pattern}" for pattern in urlpatterns} == set(ENDPOINTS)
