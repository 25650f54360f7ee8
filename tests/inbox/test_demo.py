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


def test_demo_departments_have_service_levels_topics_account_managers_and_members(settings):
    from escalations.models import Department
    from protocols.models import Protocol

    settings.DEMO_ENABLED = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    expected = {
        "waste",
        "parking",
        "civil-affairs",
        "taxes",
        "income-support",
        "public-space",
        "enforcement",
        "permits",
        "housing",
    }
    departments = Department.objects.prefetch_related("topics", "members").select_related("account_manager")
    assert set(departments.values_list("slug", flat=True)) == expected  # the protocols' own slugs
    for department in departments:
        assert 1 <= department.service_level_days <= 10
        assert department.topics.exists(), department.slug
        assert department.account_manager.role == "account_manager"
    with_members = [d.slug for d in departments if d.members.filter(role="department").exists()]
    assert {"waste", "civil-affairs"} <= set(with_members)
    assert "hasan" in out.getvalue()  # every demo log-in is printed
    holding = Protocol.objects.published().get(key="doorverwezen-naar-afdeling")
    for language in ("nl", "en"):
        for placeholder in ("{first_name}", "{department}", "{deadline}", "{days}"):
            assert placeholder in holding.current.answers[language]


def test_demo_escalations_are_open_overdue_and_answered(settings):
    from escalations.models import Escalation
    from escalations.workflow import Status

    settings.DEMO_ENABLED = True
    call_command("load_demo", stdout=io.StringIO())
    escalations = Escalation.objects.exclude(status=Status.CLOSED)  # the closed ones are the history's
    assert escalations.filter(status=Status.OPEN, due_at__gt=timezone.now()).exists()
    overdue = escalations.overdue().get()
    assert overdue.created_at < overdue.due_at < timezone.now()
    assert overdue.conversation.department_due == overdue.due_at
    answered = escalations.get(status=Status.ANSWERED)
    assert answered.answer and answered.answered_by.department == answered.department
    for escalation in escalations:
        assert escalation.shared_messages.exists()
        assert escalation.events.exists()
    # The open one got a holding reply from the protocol, with nothing left to fill in.
    open_one = escalations.get(status=Status.OPEN, due_at__gt=timezone.now())
    holding = open_one.conversation.messages.get(protocol_key="doorverwezen-naar-afdeling")
    assert "{" not in holding.text and open_one.department.name in holding.text
    assert Conversation.objects.get(pk=open_one.conversation_id).status == "escalated"
    for escalation in Escalation.objects.filter(status=Status.CLOSED):
        assert escalation.shared_messages.exists() and escalation.events.count() == 3
    count = Escalation.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert Escalation.objects.count() == count


def test_demo_suggestions_are_followed_by_residents_and_one_has_its_outcome(
    settings, django_capture_on_commit_callbacks
):
    from feedback.models import NoticeState, ResidentNotice, Suggestion
    from feedback.workflow import Status

    settings.DEMO_ENABLED = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    racks = Suggestion.objects.get(summary__contains="fietsenrekken")
    assert (racks.status, racks.reports.count()) == (Status.FORWARDED, 2)
    grass = Suggestion.objects.get(summary__contains="Oosterpark")
    assert grass.status == Status.PLANNED and grass.explanation
    told = ResidentNotice.objects.filter(report__suggestion=grass, status=Status.PLANNED)
    assert list(told.values_list("state", flat=True)) == [NoticeState.SENT]


def test_demo_has_listening_queries_and_a_feed_of_enriched_mentions(settings):
    from monitoring.models import ListeningQuery, Mention

    settings.DEMO_ENABLED = True
    call_command("load_demo", stdout=io.StringIO())
    assert ListeningQuery.objects.count() == 2
    mentions = Mention.objects.all()
    assert mentions.count() >= 300 and not mentions.filter(enriched_at__isnull=True).exists()
    assert mentions.filter(relevant=False).exists() and mentions.filter(needs_answer=True).exists()
