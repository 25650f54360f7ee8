"""Which adapter speaks for which channel. Adding a platform adds one line here."""

from django.conf import settings

from channels.base import Adapter
from channels.meta import MetaAdapter
from channels.whatsapp import WhatsAppAdapter
from channels.x import XAdapter
from inbox.models import Channel


def configured(channel: str) -> bool:
    """Whether the platform's credentials are set; without them the channel is off."""
    required = {
        Channel.WHATSAPP: (
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            settings.TWILIO_WHATSAPP_FROM,
        ),
        Channel.FACEBOOK: (settings.META_PAGE_TOKEN, settings.META_PAGE_ID),
        Channel.INSTAGRAM: (settings.META_PAGE_TOKEN, settings.META_INSTAGRAM_ID),
        Channel.X: (settings.X_CONSUMER_KEY, settings.X_CONSUMER_SECRET, settings.X_ACCESS_TOKEN),
    }
    return all(required.get(channel, ("",)))


def adapter_for(channel: str) -> Adapter | None:
    if not configured(channel):
        return None
    if channel == Channel.WHATSAPP:
        return WhatsAppAdapter()
    if channel in (Channel.FACEBOOK, Channel.INSTAGRAM):
        return MetaAdapter(channel)
    return XAdapter()
