"""Fetching a resident's attachment from a platform without letting its URL reach into our network.

A media URL comes inside a delivery, so whoever gets a delivery to us chooses it. Every hop of a
download therefore:

- goes to a platform's host: one of MEDIA_ALLOWED_HOSTS or a subdomain of one (not a look-alike such
  as evil-twilio.com), or the exact origin of a configured platform base URL (the stand-in in tests
  and the demo, a staging server);
- uses https; plain http only to such a configured origin;
- names a host, never an IP address, and connects to a public address: the address the connection
  actually reached is checked, so a name that resolves, or re-resolves, into our network is refused.
  Only a configured base URL's host may be loopback or private;
- follows at most MAX_REDIRECTS redirects, each checked like the first, without the credentials once
  the host changes.

The answer must be one of MEDIA_TYPES and start with the bytes of that type, and it is counted while
it streams: past MEDIA_MAX_BYTES the download stops, whatever Content-Length said. The caller stores
it under a name of its own, never the URL's.
"""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from channels.base import ChannelError

MAX_REDIRECTS = 3
CHUNK_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
_MP4 = ((4, b"ftyp"),)
_QUICKTIME = (*_MP4, (4, b"moov"), (4, b"mdat"), (4, b"wide"), (4, b"free"))
# What residents send on WhatsApp, Messenger, Instagram and X, and the bytes each kind starts with:
# (offset, bytes) pairs, any one of which must match.
MEDIA_TYPES: dict[str, tuple[tuple[int, bytes], ...]] = {
    "image/jpeg": ((0, b"\xff\xd8\xff"),),
    "image/png": ((0, b"\x89PNG\r\n\x1a\n"),),
    "image/gif": ((0, b"GIF87a"), (0, b"GIF89a")),
    "image/webp": ((8, b"WEBP"),),
    "image/heic": _MP4,
    "image/heif": _MP4,
    "video/mp4": _MP4,
    "video/3gpp": _MP4,
    "video/quicktime": _QUICKTIME,
    "audio/mp4": _MP4,
    "audio/ogg": ((0, b"OggS"),),
    "audio/mpeg": ((0, b"ID3"), (0, b"\xff\xfb"), (0, b"\xff\xf3"), (0, b"\xff\xf2")),
    "audio/aac": ((0, b"\xff\xf1"), (0, b"\xff\xf9")),
    "audio/amr": ((0, b"#!AMR"),),
    "application/pdf": ((0, b"%PDF-"),),
}


@dataclass(frozen=True)
class Media:
    content: bytes
    content_type: str


def fetch(url: str, auth=None) -> Media:
    """Download one attachment; ChannelError(permanent=...) says why not and whether a retry can help."""
    with _session() as session:
        for _hop in range(MAX_REDIRECTS + 1):
            reason = refusal(url)
            if reason:
                raise ChannelError(reason, permanent=True)
            response = _get(session, url, auth)
            with response:
                if not response.is_redirect:
                    return _read(response)
                target = urljoin(url, response.headers["Location"])
                if urlsplit(target).hostname != urlsplit(url).hostname:
                    auth = None  # the platform's credentials are for the platform only
                url = target
    raise ChannelError(gettext("not downloaded: too many redirects"), permanent=True)


def refusal(url: str) -> str | None:
    """Why `url` may not be fetched, or None when it may."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    not_the_platform = gettext("not downloaded: %(host)s is not a host of the platform") % {"host": host}
    try:
        origin = (parts.scheme, host, parts.port or DEFAULT_PORTS.get(parts.scheme))
    except ValueError:  # a port that is not a number
        return not_the_platform
    if origin in _configured_origins():
        return None
    if _is_address(host) or not any(
        host == domain or host.endswith("." + domain) for domain in settings.MEDIA_ALLOWED_HOSTS
    ):
        return not_the_platform
    if parts.scheme != "https":
        return gettext("not downloaded: only https links are fetched")
    return None


def _configured_origins() -> set[tuple]:
    urls = (settings.TWILIO_API_BASE_URL, settings.META_GRAPH_BASE_URL, settings.X_API_BASE_URL)
    origins = set()
    for url in filter(None, urls):
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
        origins.add((parts.scheme, (parts.hostname or "").lower(), port))
    return origins


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _get(session: requests.Session, url: str, auth) -> requests.Response:
    try:
        return session.get(
            url,
            auth=auth,
            stream=True,
            timeout=settings.PLATFORM_TIMEOUT,
            allow_redirects=False,
            headers={"Accept-Encoding": "identity"},  # the limit counts what is stored: nothing to unpack
        )
    except NotPublic as error:
        reason = gettext("not downloaded: %(host)s is not a host of the platform") % {"host": error.host}
        raise ChannelError(reason, permanent=True) from error
    except requests.RequestException as error:
        reason = gettext("download failed (%(error)s)") % {"error": type(error).__name__}
        raise ChannelError(reason, permanent=False) from error


def _read(response: requests.Response) -> Media:
    if response.status_code >= 500 or response.status_code == 429:
        reason = gettext("download failed (%(error)s)") % {"error": response.status_code}
        raise ChannelError(reason, permanent=False)
    if response.status_code != 200:
        status = response.status_code
        reason = gettext("not downloaded: the platform answered %(status)s") % {"status": status}
        raise ChannelError(reason, permanent=True)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in MEDIA_TYPES or response.headers.get("Content-Encoding", "identity") != "identity":
        reason = gettext("not downloaded: %(type)s is not a media type") % {"type": content_type or "?"}
        raise ChannelError(reason, permanent=True)
    too_large = ChannelError(gettext("not downloaded: larger than the limit"), permanent=True)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > settings.MEDIA_MAX_BYTES:
        raise too_large  # refused before reading; a smaller claim is not trusted either, see below
    content = bytearray()
    try:
        for chunk in response.iter_content(CHUNK_BYTES):
            content.extend(chunk)
            if len(content) > settings.MEDIA_MAX_BYTES:
                raise too_large
    except requests.RequestException as error:
        reason = gettext("download failed (%(error)s)") % {"error": type(error).__name__}
        raise ChannelError(reason, permanent=False) from error
    if not any(content[offset:].startswith(magic) for offset, magic in MEDIA_TYPES[content_type]):
        reason = gettext("not downloaded: the file is not the %(type)s it claims to be") % {
            "type": content_type
        }
        raise ChannelError(reason, permanent=True)
    return Media(bytes(content), content_type)


# --- Connections only to public addresses ---------------------------------------------------------


class NotPublic(Exception):
    def __init__(self, host: str, address: str):
        super().__init__(f"{host} connected to {address}")
        self.host = host


class _PublicAddressOnly:
    """Checks the address a new connection reached: after DNS, so also a name that changed its mind."""

    host: str

    def _new_conn(self):
        sock = super()._new_conn()  # type: ignore[misc]
        address = ipaddress.ip_address(sock.getpeername()[0])
        configured = {host for _scheme, host, _port in _configured_origins()}
        if not address.is_global and self.host.lower() not in configured:
            sock.close()
            raise NotPublic(self.host, str(address))
        return sock


class _PublicHTTPConnection(_PublicAddressOnly, HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicAddressOnly, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class _PublicAddressAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}


def _session() -> requests.Session:
    session = requests.Session()
    # A proxy from the environment would be the address we check, and could reach what we refuse.
    session.trust_env = False
    adapter = _PublicAddressAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
