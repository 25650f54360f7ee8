"""Signed webhook deliveries with ids of their own, built from the fixtures the platforms' tests use."""

import itertools

from django.test import Client

from tests import signing
from tests.conftest import PUBLIC_BASE_URL

_numbers = itertools.count(1)


class Resident:
    """One resident writing to the city on one platform; `post` delivers a new message of theirs."""

    def __init__(self, platform: str, text: str):
        self.number = next(_numbers)
        self.platform, self.text = platform, text
        self.sender_id = {
            "whatsapp": f"+3169000{self.number:04d}",
            "facebook": f"631000000009{self.number:04d}",
            "x": f"173100000009{self.number:04d}",
        }[platform]
        self.provider_ids: list[str] = []

    def delivery(self) -> tuple[str, dict]:
        """The webhook path and the Django test client's arguments for a new message."""
        provider_id = f"{self.platform}-fault-{self.number}-{len(self.provider_ids)}"
        self.provider_ids.append(provider_id)
        if self.platform == "whatsapp":
            params = signing.load_fixture("twilio", "inbound_text")
            params |= {"MessageSid": provider_id, "From": "whatsapp:" + self.sender_id, "Body": self.text}
            path = "/webhooks/whatsapp/"
            return path, signing.twilio_post(PUBLIC_BASE_URL + path, params)
        if self.platform == "facebook":
            payload = signing.load_fixture("meta", "messenger_text")
            event = payload["entry"][0]["messaging"][0]
            event["sender"]["id"] = self.sender_id
            event["message"] |= {"mid": provider_id, "text": self.text}
            body = signing.meta_body(payload)
            return "/webhooks/meta/", {
                "data": body,
                "content_type": "application/json",
                **signing.meta_headers(body),
            }
        payload = signing.load_fixture("x", "aaa_dm")
        event = payload["direct_message_events"][0]
        event["id"] = provider_id
        event["message_create"]["sender_id"] = self.sender_id
        event["message_create"]["message_data"]["text"] = self.text
        payload["users"][self.sender_id] = payload["users"].pop("1731000000000000011") | {
            "id": self.sender_id
        }
        body = signing.x_body(payload)
        return "/webhooks/x/", {"data": body, "content_type": "application/json", **signing.x_headers(body)}


def post(client: Client, delivery: tuple[str, dict]) -> int:
    path, arguments = delivery
    return client.post(path, **arguments).status_code
