"""Residents hear what happened with their suggestion: on the channel where they wrote, through the real
client libraries against the platform stand-in, within each platform's rules, each resident once."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import NoticeState, ResidentNotice, Suggestion
from feedback.notifications import notify_residents, send_reminders
from feedback.workflow import Status
from inbox import services as inbox
from inbox.models import Conversation, MessageTemplate, TemplatePurpose
from tests.factories import conversation

pytestmark = pytest.mark.django_db

EXPLANATION = "Vanaf maart staat er een extra prullenbak bij de speeltuin."


@pytest.fixture
def record(eva, waste_department, django_capture_on_commit_callbacks):
    """Eva records the suggestion; the notice task runs after the commit, as the worker would."""

    def make(talk: Conversation, *, notify: bool = True) -> Suggestion:
        with django_capture_on_commit_callbacks(execute=True):
            return services.record(
                agent=eva,
                conversation_id=talk.pk,
                summary="Een extra prullenbak bij de speeltuin in het Vondelpark",
                department_id=waste_department.pk,
                notify=notify,
            )

    return make


@pytest.fixture
def decide(lotte, django_capture_on_commit_callbacks):
    """The suggestion goes all the way to implemented; residents are told after each commit."""

    def make(suggestion: Suggestion, outcome: str = Status.IMPLEMENTED) -> Suggestion:
        for status in (Status.FORWARDED, Status.UNDER_CONSIDERATION, outcome):
            with django_capture_on_commit_callbacks(execute=True):
                services.change_status(
                    actor=lotte, suggestion_id=suggestion.pk, status=status, explanation=EXPLANATION
                )
        return Suggestion.objects.get(pk=suggestion.pk)

    return make


def aged(talk: Conversation, **age) -> Conversation:
    """As if the resident's last message is `age` old."""
    when = timezone.now() - timedelta(**age)
    Conversation.objects.filter(pk=talk.pk).update(last_inbound_at=when)
    talk.messages.update(created_at=when)
    talk.refresh_from_db()
    return talk


def link_of(suggestion: Suggestion) -> str:
    return f"https://webcare.example.nl/volg/{suggestion.token}/"


def notices(suggestion: Suggestion) -> list[tuple[str, str]]:
    return list(
        ResidentNotice.objects.filter(report__suggestion=suggestion)
        .values_list("status", "state")
        .order_by("id")
    )


# --- WhatsApp -------------------------------------------------------------------------------------


def test_whatsapp_inside_the_window_gets_the_link_and_later_the_outcome(record, decide, platforms):
    talk = conversation(
        "Kan er een prullenbak bij de speeltuin?", channel="whatsapp", sender_id="+31611000001"
    )
    suggestion = decide(record(talk))
    first, outcome = (request.form["Body"] for request in platforms.requests_to("/Messages.json"))
    assert link_of(suggestion) in first and "Afval" in first  # the department it went to
    assert EXPLANATION in outcome and link_of(suggestion) in outcome
    assert notices(suggestion) == [
        (Status.RECEIVED, NoticeState.SENT),
        (Status.IMPLEMENTED, NoticeState.SENT),
    ]


def test_whatsapp_after_the_window_uses_the_approved_template_with_the_link(record, decide, platforms):
    template = MessageTemplate.objects.create(
        name="Nieuws over je idee",
        purpose=TemplatePurpose.FEEDBACK_UPDATE,
        content_sid="HXfeedback000000000000000000000nl",
        text="Hallo {{1}}, er is nieuws over je idee voor de gemeente: {{2}}",
    )
    talk = aged(conversation("Een idee!", channel="whatsapp", sender_name="Marieke Bos"), days=3)
    suggestion = decide(record(talk))
    sent = platforms.requests_to("/Messages.json")
    assert len(sent) == 2  # the acknowledgement and the outcome
    assert {request.form["ContentSid"] for request in sent} == {template.content_sid}
    assert json.loads(sent[-1].form["ContentVariables"]) == {"1": "Marieke", "2": link_of(suggestion)}


def test_whatsapp_after_the_window_without_a_template_cannot_be_reached(record, platforms):
    talk = aged(conversation("Een idee!", channel="whatsapp"), days=3)
    suggestion = record(talk)
    (notice,) = ResidentNotice.objects.filter(report__suggestion=suggestion)
    assert notice.state == NoticeState.UNREACHABLE and "sjabloon" in notice.reason
    assert not platforms.requests_to("/Messages.json")


# --- Meta -----------------------------------------------------------------------------------------


def test_messenger_inside_24_hours_is_a_plain_response(record, platforms):
    record(conversation("Idee voor de stad", channel="facebook", sender_id="6310000000000031"))
    (send,) = platforms.requests_to("/messages")
    assert send.form["messaging_type"] == "RESPONSE"


def test_messenger_within_7_days_is_tagged_human_agent(record, platforms):
    record(aged(conversation("Idee voor de stad", channel="facebook"), days=3))
    (send,) = platforms.requests_to("/messages")
    assert (send.form["messaging_type"], send.form["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


@pytest.mark.parametrize("channel", ["facebook", "instagram"])
def test_meta_after_7_days_cannot_be_reached_and_the_agent_sees_why(record, decide, platforms, channel):
    suggestion = decide(record(aged(conversation("Idee voor de stad", channel=channel), days=8)))
    assert notices(suggestion) == [
        (Status.RECEIVED, NoticeState.UNREACHABLE),
        (Status.IMPLEMENTED, NoticeState.UNREACHABLE),
    ]
    assert "7 dagen" in ResidentNotice.objects.filter(report__suggestion=suggestion).first().reason
    assert not platforms.requests_to("/messages")


def test_instagram_dm_inside_the_window(record, platforms):
    record(conversation("Idee voor de stad", channel="instagram", sender_id="7410000000000053"))
    (send,) = platforms.requests_to("/17841400123456789/messages")
    assert json.loads(send.form["recipient"]) == {"id": "7410000000000053"}


# --- X --------------------------------------------------------------------------------------------


def test_x_direct_message(record, platforms):
    suggestion = record(conversation("Idee voor de stad", channel="x", sender_id="1731000000000000031"))
    (send,) = platforms.requests_to("/2/dm_conversations/with/1731000000000000031/messages")
    assert link_of(suggestion) in send.json["text"]


def test_x_mention_gets_a_public_reply_that_fits_in_280_characters(record, decide, platforms):
    talk = conversation(
        "@gemeente zet een prullenbak bij de speeltuin!",
        channel="x",
        sender_id="1732000000000000032",
        thread_key="1864100000000000299",
        is_public=True,
    )
    suggestion = record(talk)
    Suggestion.objects.filter(pk=suggestion.pk).update(explanation="")  # decide() sets a long one below
    decide(suggestion)
    texts = [request.json["text"] for request in platforms.requests_to("/2/tweets")]
    assert len(texts) == 2 and all(len(text) <= 280 and link_of(suggestion) in text for text in texts)


# --- Many residents, one suggestion ---------------------------------------------------------------


def test_every_resident_hears_the_outcome_once(
    record, decide, eva, lotte, platforms, django_capture_on_commit_callbacks
):
    first = conversation("Prullenbak bij de speeltuin graag", channel="whatsapp", sender_id="+31611000011")
    suggestion = record(first)
    second = conversation(
        "Er moet een prullenbak bij de speeltuin", channel="whatsapp", sender_id="+31611000012"
    )
    quiet = conversation("Prullenbak speeltuin?", channel="whatsapp", sender_id="+31611000013")
    # The first resident also wrote on Facebook; the desk merged the two contacts: one resident.
    also_first = conversation(
        "Ook hier: prullenbak bij de speeltuin", channel="facebook", sender_id="6310000000000041"
    )
    inbox.merge_contacts(actor=lotte, source_id=also_first.contact_id, target_id=first.contact_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.link(agent=eva, suggestion_id=suggestion.pk, conversation_id=second.pk)
        services.link(agent=eva, suggestion_id=suggestion.pk, conversation_id=quiet.pk, notify=False)
        services.link(agent=eva, suggestion_id=suggestion.pk, conversation_id=also_first.pk)
    decide(suggestion)
    notify_residents(suggestion.pk)  # a second run (a retried task) tells nobody twice

    told = ResidentNotice.objects.filter(report__suggestion=suggestion, status=Status.IMPLEMENTED)
    contacts = [notice.report.conversation.contact_id for notice in told]
    assert sorted(contacts) == sorted([first.contact_id, second.contact_id])  # not the quiet one
    received = [r.form["To"] for r in platforms.requests_to("/Messages.json")]
    assert received.count("whatsapp:+31611000012") == 2  # acknowledgement and outcome
    assert "whatsapp:+31611000013" not in received
    # The merged resident: one acknowledgement and one outcome over both of their channels.
    to_first = received.count("whatsapp:+31611000011") + len(platforms.requests_to("/messages"))
    assert to_first == 2


def test_a_resident_who_joins_after_the_outcome_hears_it_at_once(
    record, decide, eva, platforms, django_capture_on_commit_callbacks
):
    suggestion = decide(record(conversation("Prullenbak!", channel="whatsapp", sender_id="+31611000021")))
    late = conversation("Komt er een prullenbak?", channel="whatsapp", sender_id="+31611000022")
    with django_capture_on_commit_callbacks(execute=True):
        services.link(agent=eva, suggestion_id=suggestion.pk, conversation_id=late.pk)
    (to_late,) = [
        r.form["Body"] for r in platforms.requests_to("/Messages.json") if r.form["To"].endswith("022")
    ]
    assert EXPLANATION in to_late


def test_an_english_resident_is_told_in_english(record, platforms):
    record(
        conversation(
            "Could you put a bin near the playground please?", channel="whatsapp", sender_id="+31611000031"
        )
    )
    (send,) = platforms.requests_to("/Messages.json")
    assert send.form["Body"].startswith("Thank you for your suggestion.")


def test_an_outcome_needs_an_explanation_and_the_workflow_is_kept(record, lotte):
    suggestion = record(conversation("Idee", channel="whatsapp"), notify=False)
    from feedback.workflow import InvalidTransition

    with pytest.raises(InvalidTransition):
        services.change_status(
            actor=lotte, suggestion_id=suggestion.pk, status=Status.IMPLEMENTED, explanation="x"
        )
    for status in (Status.FORWARDED, Status.UNDER_CONSIDERATION):
        services.change_status(actor=lotte, suggestion_id=suggestion.pk, status=status)
    with pytest.raises(services.FeedbackError):
        services.change_status(
            actor=lotte, suggestion_id=suggestion.pk, status=Status.NOT_ADOPTED, explanation=" "
        )
    events = list(Suggestion.objects.get(pk=suggestion.pk).events.values_list("from_status", "to_status"))
    assert events == [("", "received"), ("received", "forwarded"), ("forwarded", "under_consideration")]


# --- Reminders ------------------------------------------------------------------------------------


def test_account_managers_are_reminded_of_suggestions_without_news(
    record, anna, lotte, waste_department, mailoutbox
):
    anna.email, lotte.email = "anna@voorbeeldstad.nl", "lotte@voorbeeldstad.nl"
    anna.save(), lotte.save()
    waste_department.account_manager = anna
    waste_department.save()
    suggestion = record(conversation("Idee", channel="whatsapp"), notify=False)
    month_ago = timezone.now() - timedelta(weeks=4)
    Suggestion.objects.filter(pk=suggestion.pk).update(status_changed_at=month_ago)

    assert send_reminders().sent == 1
    (mail,) = mailoutbox
    assert mail.to == ["anna@voorbeeldstad.nl"] and f"/feedback/{suggestion.pk}/" in mail.body
    assert send_reminders().sent == 0  # not every day
    assert send_reminders(timezone.now() + timedelta(weeks=3, days=1)).sent == 1  # but after another period

    services.change_status(actor=anna, suggestion_id=suggestion.pk, status=Status.FORWARDED)
    assert send_reminders(timezone.now() + timedelta(weeks=1)).suggestions == 0  # news resets the clock


def test_a_resident_out_of_reach_is_told_once_they_write_again(
    record, decide, platforms, django_capture_on_commit_callbacks
):
    from feedback.notifications import retry_unreachable
    from tests.factories import incoming

    talk = aged(conversation("Idee voor de stad", channel="facebook", sender_id="6310000000000051"), days=8)
    suggestion = decide(record(talk))
    assert retry_unreachable().sent == 0  # still silent: nothing to try yet
    with django_capture_on_commit_callbacks(execute=True):
        incoming("Hallo, nog nieuws over mijn idee?", channel="facebook", sender_id="6310000000000051")
        report = retry_unreachable()
    assert (report.sent, report.unreachable) == (2, 0)
    assert notices(suggestion) == [
        (Status.RECEIVED, NoticeState.SENT),
        (Status.IMPLEMENTED, NoticeState.SENT),
    ]
    assert len(platforms.requests_to("/messages")) == 2
    assert retry_unreachable().sent == 0


def test_an_english_resident_gets_the_status_page_in_english(record, platforms):
    suggestion = record(
        conversation(
            "Could you put a bin near the playground please?", channel="whatsapp", sender_id="+31611000041"
        )
    )
    (send,) = platforms.requests_to("/Messages.json")
    assert f"{link_of(suggestion)}?lang=en" in send.form["Body"]
