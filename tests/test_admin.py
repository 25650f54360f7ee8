"""The admin pages an administrator needs for the channels: templates, service levels, deliveries."""

import pytest

from channels.models import RawEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/inbox/messagetemplate/",
        "/admin/inbox/messagetemplate/add/",
        "/admin/inbox/servicelevel/",
        "/admin/channels/rawevent/",
        "/admin/channels/pollcursor/",
    ],
)
def test_an_administrator_manages_channel_settings(client, ada, url):
    client.force_login(ada)
    assert client.get(url).status_code == 200


def test_stored_deliveries_cannot_be_edited(client, ada):
    raw = RawEvent.objects.create(platform="meta", endpoint="meta", digest="abc", body="{}")
    client.force_login(ada)
    response = client.post(f"/admin/channels/rawevent/{raw.pk}/change/", {"body": "changed"})
    assert response.status_code == 403
    raw.refresh_from_db()
    assert raw.body == "{}"
