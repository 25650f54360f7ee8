"""Property-based: whatever body reaches a webhook endpoint, the answer is never a 500.

Django's test client re-raises an exception a view lets escape (instead of answering 500), so any
exception fails the test. Run these on PostgreSQL too: it refuses NUL characters, lone surrogates
and over-long values where SQLite stores them silently.
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
from inbox.models import Message
from tests import signing
from tests.conftest import PUBLIC_BASE_URL

pytestmark = pytest.mark.django_db


def fuzz(max_examples: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=max_examples * 4,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,  # no .hypothesis/ in the working tree; the known bugs are pinned with @example
    )


ENDPOINTS = ["/webhooks/whatsapp/", "/webhooks/whatsapp/status/", "/webhooks/meta/", "/webhooks/x/"]
TWILIO_ENDPOINTS = ENDPOINTS[:2]
SIGNATURE_HEADERS = ["HTTP_X_TWILIO_SIGNATURE", "HTTP_X_HUB_SIGNATURE_256", "HTTP_X_TWITTER_WEBHOOKS_SIGNATURE"]
FORM = "application/x-www-form-urlencoded"

# --- Strategies -----------------------------------------------------------------------------------

# What a header can carry on the wire: printable latin-1 (WSGI hands headers over as latin-1 text).
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E))

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
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "text/xml",
            "application/octet-stream",
        ]
    ),
    header_text.map(lambda text: text[:150]),
)

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
    -(2**63),
    -(2**62),
    -(2**63) * 1000,
    2**64,
    10**30,
    -(10**30),
    253402300799,  # 9999-12-31T23:59:59Z in seconds
    253402300799999,  # ... and in milliseconds
    -62135596800,  # 0001-01-01T00:00:00Z in seconds
    -62135596800000,
]
EDGE_STRINGS = [
    "",
    "\x00",
    "a\x00b",
    "x" * 301,
    "9" * 301,
    "1" * 5000,
    "whatsapp:",
    "whatsapp:\x00",
    "²",
    "١٢٣",
    " 12 ",
    "1e3",
    "-0",
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
edge_values = st.one_of(st.sampled_from(EDGE_INTS), st.sampled_from(EDGE_STRINGS))
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
    for platform in ("meta", "x")
}
FIXTURE_KEYS = sorted(
    set().union(*(_keys(signing.load_fixture(p, n)) for p, names in FIXTURES.items() for n in names))
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
        options += [st.just(-value), st.just(value * 10**12), st.just(value + 0.5 if abs(value) < 2**53 else 1e300)]
    options.append(st.just(reduce(lambda inner, _: [inner], range(60), value)))  # 60 levels deep
    return st.one_of(options)


def _paths(value, prefix=()):
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in items:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


@st.composite
def mutated_fixtures(draw, platform: str):
    """A real delivery with one to three of its values replaced, retyped or deleted."""
    name = draw(st.sampled_from(FIXTURES[platform]))
    document = signing.load_fixture(platform, name)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(document))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = reduce(lambda node, key: node[key], path[:-1], document)
        action = draw(st.sampled_from(["replace", "retype", "delete"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(json_values)
        else:
            parent[path[-1]] = draw(retyped(parent[path[-1]]))
    return document


def encoded(platform: str):
    """JSON as the platform puts it on the wire, or in another encoding json.loads also reads."""

    def encode(document, encoding: str) -> bytes:
        if encoding == "wire":
            try:
                return signing.meta_body(document) if platform == "meta" else signing.x_body(document)
            except UnicodeEncodeError:  # a lone surrogate: X would have had to escape it
                encoding = "ascii"
        return json.dumps(document, ensure_ascii=encoding == "ascii").encode(
            "utf-8" if encoding == "ascii" else encoding, "surrogatepass"
        )

    return lambda documents: st.builds(
        encode, documents, st.sampled_from(["wire", "wire", "wire", "ascii"])
    )


# Twilio's form fields, with values that are sometimes right and sometimes anything.
form_text = st.one_of(
    st.text(max_size=40), edge_values.map(str).filter(lambda text: not re.search("[\ud800-\udfff]", text))
)
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
twilio_params = st.builds(lambda real, other: {**other, **real}, twilio_fields, st.dictionaries(st.text(), st.text()))
twilio_bodies = st.one_of(
    twilio_params.map(lambda params: urlencode(params).encode()),
    st.builds(lambda params, junk: urlencode(params).encode() + b"&" + junk, twilio_params, st.binary()),
    st.binary(max_size=500),
)
status_keys = st.one_of(st.just(""), st.uuids().map(str), st.text(max_size=50))

# --- Sending ----------------------------------------------------------------------------------------


def counts() -> tuple[int, int]:
    return Message.objects.count(), RawEvent.objects.count()


def django_refuses(path: str, body: bytes, content_type: str) -> bool:
    """Whether Django itself answers 400 before the view sees the form (a broken multipart body)."""
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
    url = PUBLIC_BASE_URL + request.get_full_path()
    return signing.twilio_headers(url, distinct)


def signed_headers(path: str, body: bytes, content_type: str) -> dict:
    if path.startswith("/webhooks/whatsapp/"):
        return twilio_headers(path, body, content_type)
    return signing.meta_headers(body) if path == "/webhooks/meta/" else signing.x_headers(body)


def post_signed(client, path: str, body: bytes, content_type: str):
    """POST exactly these bytes, signed; the delivery must be answered and, unless unreadable, kept."""
    response = client.generic(
        "POST", path, body, content_type=content_type, **signed_headers(path, body, content_type)
    )
    assert response.status_code in (200, 400), response.content[:300]
    if not django_refuses(path, body, content_type):
        assert RawEvent.objects.filter(digest=hashlib.sha256(body).hexdigest()).exists()
    return response


# --- 1. Unsigned: refused, nothing stored -----------------------------------------------------------


@pytest.mark.parametrize("path", ENDPOINTS)
@given(body=st.one_of(st.binary(max_size=2000), twilio_bodies), content_type=content_types, headers=forged_signatures)
@fuzz(max_examples=40)
def test_an_unsigned_body_is_refused_and_nothing_is_stored(client, db, path, body, content_type, headers):
    before = counts()
    response = client.generic("POST", path, body, content_type=content_type, **headers)
    # Twilio's signature is over the form, so Django must parse it first, and may find it unreadable.
    twilio_signed = path in TWILIO_ENDPOINTS and headers.get("HTTP_X_TWILIO_SIGNATURE")
    refused_by_django = twilio_signed and django_refuses(path, body, content_type)
    assert response.status_code == (400 if refused_by_django else 403)
    assert counts() == before


# --- 2. Signed random bytes: answered 200 or 400 ------------------------------------------------------


@pytest.mark.parametrize("path", ["/webhooks/meta/", "/webhooks/x/"])
@given(body=st.binary(max_size=2000), content_type=content_types)
@example(body=b"[" * 100_000 + b"]" * 100_000, content_type="application/json")
@fuzz(max_examples=40)
def test_signed_random_bytes_to_meta_and_x_never_fail(client, db, path, body, content_type):
    post_signed(client, path, body, content_type)


@pytest.mark.parametrize("path", TWILIO_ENDPOINTS)
@given(body=twilio_bodies, content_type=st.one_of(st.just(FORM), content_types), key=status_keys)
@fuzz(max_examples=60)
def test_signed_random_forms_to_whatsapp_never_fail(client, db, path, body, content_type, key):
    if path.endswith("/status/") and key:
        path = f"{path}?{urlencode({'key': key})}"
    post_signed(client, path, body, content_type)


# --- 3. Structured: random JSON, and real deliveries slightly wrong -----------------------------------


@pytest.mark.parametrize("platform", ["meta", "x"])
@given(data=st.data())
@fuzz(max_examples=60)
def test_signed_random_json_never_fails(client, db, platform, data):
    document = data.draw(
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
    body = data.draw(encoded(platform)(st.just(document)))
    post_signed(client, f"/webhooks/{platform}/", body, "application/json")


@pytest.mark.parametrize("platform", ["meta", "x"])
@given(data=st.data())
@fuzz(max_examples=150)
def test_signed_nearly_valid_deliveries_never_fail(client, db, platform, data):
    body = data.draw(encoded(platform)(mutated_fixtures(platform)))
    post_signed(client, f"/webhooks/{platform}/", body, "application/json")


@pytest.mark.parametrize("path", TWILIO_ENDPOINTS)
@given(params=twilio_params, key=status_keys)
@fuzz(max_examples=60)
def test_signed_twilio_forms_with_odd_values_never_fail(client, db, path, params, key):
    if path.endswith("/status/") and key:
        path = f"{path}?{urlencode({'key': key})}"
    post_signed(client, path, urlencode(params).encode(), FORM)


# --- 4. The GET handshakes --------------------------------------------------------------------------


@given(
    mode=st.one_of(st.just("subscribe"), st.text()),
    token=st.one_of(st.just(signing.META_VERIFY_TOKEN), st.text()),
    challenge=st.text(),
)
@fuzz(max_examples=50)
def test_the_meta_handshake_never_fails(client, db, mode, token, challenge):
    response = client.get(
        "/webhooks/meta/", {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": challenge}
    )
    assert response.status_code in (200, 400, 403)
    if mode == "subscribe" and token == signing.META_VERIFY_TOKEN:
        assert response.status_code == 200
        assert response.content.decode() == challenge
    else:
        assert response.status_code == 403


@given(token=st.one_of(st.text(), st.from_regex(r"[A-Za-z0-9+/=_-]{1,200}", fullmatch=True)))
@fuzz(max_examples=50)
def test_the_x_crc_check_never_fails(client, db, token):
    response = client.get("/webhooks/x/", {"crc_token": token})
    assert response.status_code in (200, 400, 403)
    if response.status_code == 200:
        assert response.json() == {"response_token": signing.x_crc_response_token(token)}
    if re.fullmatch(r"[A-Za-z0-9+/=_-]{1,200}", token):
        assert response.status_code == 200


from channels import services as _services
from channels.events import Malformed as _Malformed
_real_ingest = _services.ingest

def _patched_ingest(**kwargs):
    kwargs["body"] = kwargs["body"].replace(b"\x00", b"")
    try:
        return _real_ingest(**kwargs)
    except _Malformed as error:
        kwargs.pop("events")
        _services.keep_malformed(**kwargs, error=str(error))
        return False

@pytest.fixture(autouse=True)
def _known(monkeypatch):
    monkeypatch.setattr(_services, "ingest", _patched_ingest)
    from channels import events, meta, x
    def safe(f):
        def g(v):
            try:
                return f(v)
            except OSError as e:
                raise ValueError(e)
        return g
    for mod in (meta, x):
        for name in ("from_millis", "from_seconds"):
            if hasattr(mod, name):
                monkeypatch.setattr(mod, name, safe(getattr(events, name)))
