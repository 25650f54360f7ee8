"""Downloading residents' attachments cannot be turned against us: only the platforms' hosts over https,
never our own network, limited size, real media only, stored under our own name.

A small fake CDN on loopback plays the platform; it counts as the platform only where the settings
name it as a platform's base URL, as the stand-in does in the tests and the demo."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.storage import default_storage

from channels import media, services
from channels.base import ChannelError
from channels.standin import PNG
from inbox.models import Message
from tests.factories import incoming

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"0" * 100


class FakeCDN(BaseHTTPRequestHandler):
    """Serves `routes[path] = (status, headers, body)`; records every path asked for."""

    routes: dict[str, tuple[int, dict, bytes]] = {}
    asked: list[str] = []

    def do_GET(self):
        FakeCDN.asked.append(self.path)
        status, headers, body = FakeCDN.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)  # HTTP/1.0 without Content-Length: the body ends when the connection does

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def cdn_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeCDN)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def cdn(cdn_server, settings):
    """The fake CDN as Meta's configured base URL (Meta's media links need no credentials)."""
    settings.META_GRAPH_BASE_URL = cdn_server
    FakeCDN.routes = {"/photo.png": (200, {"Content-Type": "image/png"}, PNG)}
    FakeCDN.asked = []
    return cdn_server


def _fetched(url: str) -> dict:
    """A Messenger message with an attachment at `url`, after its download ran: the attachment."""
    message = incoming("Kijk, de stoep ligt open.", channel="facebook")
    Message.objects.filter(pk=message.pk).update(attachments=[{"type": "image", "url": url}])
    services.fetch_media(message.pk)
    return Message.objects.get(pk=message.pk).attachments[0]


def test_a_photo_from_the_platform_is_stored_under_our_own_name(cdn):
    FakeCDN.routes["/a/..%2F..%2Fsettings.py"] = (200, {"Content-Type": "image/png"}, PNG)
    attachment = _fetched(cdn + "/a/..%2F..%2Fsettings.py")
    assert attachment["content_type"] == "image/png"
    assert attachment["file"].startswith("attachments/")
    assert attachment["file"].endswith("/0.png")
    assert default_storage.open(attachment["file"]).read() == PNG


@pytest.mark.parametrize(
    "url",
    [
        "https://evil-twilio.com/photo.png",  # a look-alike, not a subdomain
        "https://twilio.com.evil.example/photo.png",
        "https://93.184.216.34/photo.png",  # an address, not a host name
        "https://[::1]/photo.png",
        "file:///etc/passwd",
    ],
)
def test_links_to_other_hosts_are_refused_without_a_request(settings, url):
    settings.MEDIA_ALLOWED_HOSTS = ["twilio.com"]
    assert "geen server van het platform" in media.refusal(url)


def test_the_platforms_hosts_and_their_subdomains_are_allowed_over_https_only(settings):
    settings.MEDIA_ALLOWED_HOSTS = ["twilio.com"]
    assert media.refusal("https://twilio.com/photo.png") is None
    assert media.refusal("https://media.us1.twilio.com/photo.png") is None
    assert "alleen https" in media.refusal("http://media.twilio.com/photo.png")


def test_only_the_configured_origin_of_a_platform_may_be_plain_http_on_loopback(cdn):
    assert media.refusal(cdn + "/photo.png") is None
    other_port = cdn.rsplit(":", 1)[0] + ":1/photo.png"
    assert "geen server van het platform" in media.refusal(other_port)


def test_an_allowed_name_that_leads_into_our_own_network_is_refused(cdn, settings):
    """localhost stands in for a platform host whose DNS points at us: the connection is checked."""
    settings.MEDIA_ALLOWED_HOSTS = ["localhost"]
    port = cdn.rsplit(":", 1)[1]  # something listens there: the refusal is ours, not a closed port
    with pytest.raises(ChannelError) as refused:
        media.fetch(f"https://localhost:{port}/photo.png")
    assert refused.value.permanent
    assert "geen server van het platform" in refused.value.reason


def test_a_redirect_is_followed_to_the_platform_only(cdn):
    FakeCDN.routes["/moved"] = (302, {"Location": "/photo.png"}, b"")
    FakeCDN.routes["/away"] = (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    assert _fetched(cdn + "/moved")["content_type"] == "image/png"
    attachment = _fetched(cdn + "/away")
    assert "geen server van het platform" in attachment["error"]
    assert "file" not in attachment


def test_endless_redirects_stop(cdn):
    FakeCDN.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    assert "te veel doorverwijzingen" in _fetched(cdn + "/loop")["error"]
    assert FakeCDN.asked.count("/loop") == media.MAX_REDIRECTS + 1


def test_the_size_limit_holds_while_streaming_whatever_the_platform_says(cdn, settings):
    settings.MEDIA_MAX_BYTES = 1000
    FakeCDN.routes["/big"] = (200, {"Content-Type": "image/png"}, PNG + b"\0" * 5000)
    FakeCDN.routes["/claims-small"] = (200, {"Content-Type": "image/png", "Content-Length": "10"}, PNG * 100)
    FakeCDN.routes["/says-big"] = (200, {"Content-Type": "image/png", "Content-Length": "9999999"}, PNG)
    for path in ("/big", "/says-big"):
        attachment = _fetched(cdn + path)
        assert "groter dan de limiet" in attachment["error"], path
        assert "file" not in attachment
    # A smaller Content-Length than the body: the body is cut there, never more than the limit is kept.
    assert _fetched(cdn + "/claims-small")["size"] <= settings.MEDIA_MAX_BYTES


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", b"<html><script>alert(1)</script></html>"),
        ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("application/octet-stream", PNG),
        ("", PNG),
    ],
)
def test_only_media_types_are_downloaded(cdn, content_type, body):
    FakeCDN.routes["/file"] = (200, {"Content-Type": content_type} if content_type else {}, body)
    attachment = _fetched(cdn + "/file")
    assert "geen mediabestand" in attachment["error"]
    assert "file" not in attachment


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("image/png", b"<html>not a picture</html>"), ("application/pdf", PNG), ("image/jpeg", b"")],
)
def test_a_file_that_is_not_what_its_type_says_is_refused(cdn, content_type, body):
    FakeCDN.routes["/file"] = (200, {"Content-Type": content_type}, body)
    attachment = _fetched(cdn + "/file")
    assert "niet het" in attachment["error"]
    assert "file" not in attachment


def test_a_pdf_is_downloaded(cdn):
    FakeCDN.routes["/letter"] = (200, {"Content-Type": "application/pdf"}, PDF)
    attachment = _fetched(cdn + "/letter")
    assert attachment["content_type"] == "application/pdf"
    assert attachment["file"].endswith(".pdf")


def test_credentials_stay_with_the_platform_on_a_redirect(cdn, settings):
    """Twilio's media link needs its Basic auth; where it redirects to gets none of it."""
    settings.MEDIA_ALLOWED_HOSTS = []
    seen = []

    class Recording(FakeCDN):
        def do_GET(self):
            seen.append(self.headers.get("Authorization"))
            super().do_GET()

    server = ThreadingHTTPServer(("localhost", 0), Recording)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        other = f"http://localhost:{server.server_address[1]}"
        settings.X_API_BASE_URL = other  # a second configured origin, on another host name
        FakeCDN.routes["/to-other"] = (302, {"Location": other + "/photo.png"}, b"")
        assert media.fetch(cdn + "/to-other", auth=("AC123", "secret")).content == PNG
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [None]
