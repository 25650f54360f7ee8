"""The platforms' own client libraries, configured from settings and pointed at the configured hosts.

Each platform's base URL is a setting, so a staging server or the demo's stand-in can take the real
host's place without the client library noticing.
"""

import requests
import tweepy
from django.conf import settings
from pyfacebook import GraphAPI
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client as TwilioClient

TWITTER_HOST = "https://api.twitter.com"


class RebasedSession(requests.Session):
    """A requests session that sends what a library addresses to `real_host` to `base_url` instead.

    Also gives every request a timeout, which tweepy does not.
    """

    def __init__(self, *, real_host: str, base_url: str, timeout: float):
        super().__init__()
        self.real_host = real_host.rstrip("/")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def request(self, method, url, *args, **kwargs):
        if url.startswith(self.real_host):
            url = self.base_url + url[len(self.real_host) :]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


def twilio() -> TwilioClient:
    client = TwilioClient(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=TwilioHttpClient(timeout=settings.PLATFORM_TIMEOUT),
    )
    client.api.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")
    return client


def graph() -> GraphAPI:
    """Graph API with the Page token; never sleeps on rate limits (Celery retries instead)."""
    return GraphAPI(
        access_token=settings.META_PAGE_TOKEN,
        version=settings.META_GRAPH_VERSION,
        base_url=settings.META_GRAPH_BASE_URL.rstrip("/") + "/",
        timeout=settings.PLATFORM_TIMEOUT,
        sleep_on_rate_limit=False,
    )


def x() -> tweepy.Client:
    """X v2 with the municipality's user token; a 429 raises instead of sleeping in a worker."""
    client = tweepy.Client(
        bearer_token=settings.X_BEARER_TOKEN,
        consumer_key=settings.X_CONSUMER_KEY,
        consumer_secret=settings.X_CONSUMER_SECRET,
        access_token=settings.X_ACCESS_TOKEN,
        access_token_secret=settings.X_ACCESS_TOKEN_SECRET,
        wait_on_rate_limit=False,
    )
    client.session = RebasedSession(
        real_host=TWITTER_HOST, base_url=settings.X_API_BASE_URL, timeout=settings.PLATFORM_TIMEOUT
    )
    return client
