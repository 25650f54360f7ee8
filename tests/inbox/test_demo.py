import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from inbox.models import Contact, Conversation

pytestmark = pytest.mark.django_db


def test_demo_has_every_channel_both_teams_urgent_overdue_and_a_two_channel_resident(settings):
    settings.DEMO_ENABLED = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    conversations = Conversation.objects.all()
    assert set(conversations.values_list("channel", flat=True)) == {"whatsapp", "x", "facebook", "instagram"}
    assert set(conversations.values_list("team__slug", flat=True)) == {"webcare", "social"}
    assert conversations.filter(urgent=True).exists()
    assert conversations.filter(response_due__lt=timezone.now()).exists()
    assert any(contact.identities.count() == 2 for contact in Contact.objects.filter(merged_into=None))
    for role in ("agent", "lead", "department", "account_manager", "editor", "admin"):
        assert role in out.getvalue()
    from protocols.models import Protocol

    assert Protocol.objects.published().count() >= 40  # suggestions to try on every conversation
    call_command("load_demo", stdout=io.StringIO())  # a second run adds nothing
    assert Conversation.objects.count() == conversations.count()


def test_demo_is_refused_when_disabled(settings):
    settings.DEMO_ENABLED = False
    with pytest.raises(CommandError, match="DEMO_ENABLED"):
        call_command("load_demo")
