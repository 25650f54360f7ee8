"""Posting signed deliveries to the real webhook endpoints, as the platforms do."""

import pytest

from tests import signing
from tests.conftest import PUBLIC_BASE_URL


class Platforms:
    """Sends fixtures (or any payload) exactly as Twilio, Meta and X put them on the wire."""

    def __init__(self, client, run_queued_work):
        self.client = client
        self.run_queued_work = run_queued_work

    def post(self, *args, **kwargs):
        """POST, then run what the endpoint queued for after its commit (Celery is eager in tests)."""
        with self.run_queued_work(execute=True):
            return self.client.post(*args, **kwargs)

    def twilio(self, params: dict | str, path: str = "/webhooks/whatsapp/", *, signature: str | None = None):
        if isinstance(params, str):
            params = signing.load_fixture("twilio", params)
        arguments = signing.twilio_post(PUBLIC_BASE_URL + path, params)
        if signature is not None:
            arguments.pop("HTTP_X_TWILIO_SIGNATURE")
            arguments |= {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
        return self.post(path, **arguments)

    def twilio_status(self, params: dict | str, key: str = ""):
        return self.twilio(params, "/webhooks/whatsapp/status/" + (f"?key={key}" if key else ""))

    def meta(self, payload: dict | str | bytes, *, signature: str | None = None):
        body = self._body(payload, "meta", signing.meta_body)
        headers = signing.meta_headers(body) if signature is None else {"HTTP_X_HUB_SIGNATURE_256": signature}
        return self.post("/webhooks/meta/", body, content_type="application/json", **headers)

    def x(self, payload: dict | str | bytes, *, signature: str | None = None):
        body = self._body(payload, "x", signing.x_body)
        headers = (
            signing.x_headers(body) if signature is None else {"HTTP_X_TWITTER_WEBHOOKS_SIGNATURE": signature}
        )
        return self.post("/webhooks/x/", body, content_type="application/json", **headers)

    @staticmethod
    def _body(payload, platform: str, encode) -> bytes:
        if isinstance(payload, bytes):
            return payload
        if isinstance(payload, str):
            payload = signing.load_fixture(platform, payload)
        return encode(payload)


@pytest.fixture
def send(client, db, django_capture_on_commit_callbacks) -> Platforms:
    return Platforms(client, django_capture_on_commit_callbacks)
