"""A resident with personal data in every place the desk keeps it, made through the services."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from channels.models import RawEvent
from escalations import services as escalations
from feedback import services as feedback
from feedback.models import ResidentNotice, Suggestion
from inbox import services as inbox
from inbox.models import Contact, Conversation, Message
from monitoring.models import Mention
from tests.factories import incoming

NUMBER = "+31612345678"
NAME = "Sanne de Vries"
EMAIL = "sanne.devries@example.nl"
BSN = "111222333"
IBAN = "NL91ABNA0417164300"
X_ID = "1700000000000000042"
X_USERNAME = "sannedv"
# What must be gone from every row after anonymising.
SECRETS = (NUMBER, "612345678", "Sanne", "Vries", EMAIL, BSN, IBAN, X_ID, X_USERNAME, "Kerkstraat 12")


@dataclass
class Resident:
    contact: Contact
    whatsapp: Conversation
    x: Conversation
    file_name: str
    suggestion: Suggestion
    other_delivery: RawEvent


def resident_with_everything(*, agent, lead, member, department, closed=True) -> Resident:
    """Sanne writes on WhatsApp and X (merged into one contact), with a photo, personal data in her
    texts, a note, a question to a department and its answer, a suggestion, a public post the desk
    picked up, and stored webhook deliveries."""
    first = incoming(
        f"Hallo, de lantaarnpaal voor Kerkstraat 12 is kapot. Bel me op 06-12345678 of mail {EMAIL}.",
        sender_id=NUMBER,
        sender_name=NAME,
    )
    whatsapp = first.conversation
    contact = whatsapp.contact
    file_name = default_storage.save(f"attachments/{first.pk}/0.jpg", ContentFile(b"\xff\xd8photo"))
    inbox.update_attachments(
        message_id=first.pk,
        attachments=[{"type": "image/jpeg", "url": "https://api.twilio.com/media/ME1", "file": file_name,
                      "content_type": "image/jpeg", "size": 9}],
    )  # fmt: skip
    RawEvent.objects.create(
        platform="twilio",
        endpoint="messages",
        digest="a" * 64,
        body=f"MessageSid={first.provider_id}&From=whatsapp%3A%2B31612345678&ProfileName=Sanne+de+Vries",
    )
    other_delivery = RawEvent.objects.create(
        platform="twilio",
        endpoint="messages",
        digest="b" * 64,
        body="MessageSid=SMother&From=whatsapp%3A%2B31699999999",
    )
    inbox.add_note(
        author=agent, conversation_id=whatsapp.pk, text=f"Sanne gaf haar BSN {BSN} en IBAN {IBAN}."
    )
    escalation = escalations.escalate(
        agent=agent,
        conversation_id=whatsapp.pk,
        department_id=department.pk,
        question="Kunnen jullie Sanne de Vries bellen op 0612345678 over Kerkstraat 12?",
        message_ids=[first.pk],
        share_contact=True,
    )
    escalations.answer(
        member=member, escalation_id=escalation.pk, text="Wij hebben Sanne gebeld op 06 12345678."
    )
    inbox.reply(agent=agent, conversation_id=whatsapp.pk, text="Hoi Sanne, de lamp wordt deze week gemaakt.")
    escalations.close_answered(conversation_id=whatsapp.pk, agent=agent)
    suggestion = feedback.record(
        agent=agent,
        conversation_id=whatsapp.pk,
        summary="Meer lantaarnpalen in de Kerkstraat, vraagt Sanne",
        department_id=department.pk,
        notify=True,
    )
    report = suggestion.reports.get()
    ResidentNotice.objects.create(
        report=report, status=suggestion.status, state="unreachable", reason=f"Nummer {NUMBER} onbereikbaar"
    )

    tweet = incoming(
        f"@gemeente wanneer wordt de lamp gemaakt? groet Sanne ({EMAIL})",
        channel="x",
        sender_id=X_ID,
        sender_name=NAME,
        thread_key="1800000000000000001",
        is_public=True,
    )
    Message.objects.filter(pk=tweet.pk).update(context={"username": X_USERNAME})
    x = tweet.conversation
    Mention.objects.create(
        channel="x",
        external_id="1800000000000000001",
        text=f"@gemeente wanneer wordt de lamp gemaakt? groet Sanne ({EMAIL})",
        author=X_USERNAME,
        author_id=X_ID,
        url=f"https://x.com/{X_USERNAME}/status/1800000000000000001",
        posted_at=timezone.now() - timedelta(minutes=5),
        expires_at=timezone.now() + timedelta(days=30),
        conversation=x,
    )
    inbox.merge_contacts(actor=lead, source_id=x.contact_id, target_id=contact.pk)
    if closed:
        for conversation in (whatsapp, x):
            conversation.refresh_from_db()
            if conversation.status != "closed":
                inbox.close_conversation(actor=lead, conversation_id=conversation.pk)
    contact.refresh_from_db()
    whatsapp.refresh_from_db()
    x.refresh_from_db()
    return Resident(contact, whatsapp, x, file_name, suggestion, other_delivery)
