"""Everything the desk holds about one contact (AVG art. 15 and 20), as one plain structure.

The JSON export is this structure; the readable page renders it. Staff are named by role only: the
resident is entitled to their own data, not to the names of the people who handled it. Read-only.
Structure (version 1), documented in docs/privacy.md:

    {"format": "webcare-contact-export", "version": 1, "exported_at": ...,
     "contact": {...}, "identities": [...], "conversations": [{..., "messages": [...], "notes": [...],
     "escalations": [...]}], "suggestions": [...], "mentions": [...], "legal_holds": [...],
     "erasure_requests": [...]}
"""

from pathlib import PurePosixPath

from django.db.models import Prefetch
from django.utils import timezone

from escalations.models import Escalation, EscalationEvent
from feedback.models import ResidentNotice, Suggestion, SuggestionReport
from inbox.models import Contact, Conversation, Message, Note
from monitoring.models import Mention
from privacy.models import ContactAnonymisation, ErasureRequest, LegalHold

FORMAT = "webcare-contact-export"
VERSION = 1


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def contact_export(contact: Contact) -> dict:
    """The export of `contact` and the contacts merged into it."""
    conversations = (
        Conversation.objects.filter(contact=contact)
        .select_related("team", "topic", "identity")
        .prefetch_related(
            Prefetch("messages", Message.objects.order_by("created_at", "id")),
            Prefetch("notes", Note.objects.order_by("created_at", "id")),
            Prefetch(
                "escalations",
                Escalation.objects.select_related("department").prefetch_related(
                    Prefetch("events", EscalationEvent.objects.order_by("created_at", "id"))
                ),
            ),
        )
        .order_by("created_at", "id")
    )
    anonymisation = ContactAnonymisation.objects.filter(contact=contact).first()
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _when(timezone.now()),
        "contact": {
            "id": contact.pk,
            "name": contact.name,
            "language": contact.language,
            "created_at": _when(contact.created_at),
            "merged_contacts": [
                {"id": merged.pk, "name": merged.name, "created_at": _when(merged.created_at)}
                for merged in Contact.objects.filter(merged_into=contact).order_by("pk")
            ],
            "anonymised_at": _when(anonymisation.at) if anonymisation else None,
        },
        "identities": [
            {"channel": identity.channel, "id": identity.external_id, "name": identity.handle}
            for identity in contact.identities.order_by("channel", "pk")
        ],
        "conversations": [_conversation(conversation) for conversation in conversations],
        "suggestions": _suggestions(contact),
        "mentions": [
            {
                "channel": mention.channel,
                "conversation": mention.conversation_id,
                "text": mention.text,
                "author": mention.author,
                "url": mention.url,
                "posted_at": _when(mention.posted_at),
            }
            for mention in Mention.objects.filter(conversation__contact=contact).order_by("posted_at", "pk")
        ],
        "legal_holds": [
            {
                "reason": hold.reason,
                "until": hold.until.isoformat() if hold.until else None,
                "set_at": _when(hold.set_at),
                "lifted_at": _when(hold.lifted_at),
            }
            for hold in LegalHold.objects.filter(contact=contact).order_by("set_at", "pk")
        ],
        "erasure_requests": [
            {
                "received_on": erasure.received_on.isoformat(),
                "received_through": erasure.received_through,
                "state": erasure.state,
                "carried_out_at": _when(erasure.carried_out_at),
            }
            for erasure in ErasureRequest.objects.filter(contact=contact).order_by("recorded_at", "pk")
        ],
    }


def _conversation(conversation: Conversation) -> dict:
    return {
        "id": conversation.pk,
        "channel": conversation.channel,
        "public": conversation.is_public,
        "status": conversation.status,
        "topic": conversation.topic.name if conversation.topic else None,
        "team": conversation.team.name if conversation.team else None,
        "started_at": _when(conversation.created_at),
        "closed_at": _when(conversation.closed_at),
        "messages": [
            {
                "id": message.pk,
                "from": "resident" if message.is_inbound else "municipality",
                "sent_at": _when(message.created_at),
                "text": message.text,
                "attachments": [_attachment(a) for a in message.attachments],
                "delivery_status": message.delivery_status,
            }
            for message in conversation.messages.all()
        ],
        "notes": [
            {"written_at": _when(note.created_at), "text": note.text} for note in conversation.notes.all()
        ],
        "escalations": [
            {
                "id": escalation.pk,
                "department": escalation.department.name,
                "status": escalation.status,
                "asked_at": _when(escalation.created_at),
                "question": escalation.question,
                "answered_at": _when(escalation.answered_at),
                "answer": escalation.answer,
                "steps": [
                    {"kind": event.kind, "at": _when(event.created_at), "text": event.text}
                    for event in escalation.events.all()
                ],
            }
            for escalation in conversation.escalations.all()
        ],
    }


def _attachment(attachment: dict) -> dict:
    name = PurePosixPath(attachment["file"]).name if attachment.get("file") else None
    return {
        "name": name,
        "type": attachment.get("content_type") or attachment.get("type") or None,
        "removed": bool(attachment.get("removed")),
    }


def _suggestions(contact: Contact) -> list[dict]:
    reports = SuggestionReport.objects.filter(conversation__contact=contact)
    suggestions = (
        Suggestion.objects.filter(reports__in=reports)
        .distinct()
        .select_related("department")
        .prefetch_related(
            Prefetch("reports", reports.prefetch_related(Prefetch("notices", ResidentNotice.objects.all())))
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": suggestion.pk,
            "kind": suggestion.kind,
            "summary": suggestion.summary,
            "department": suggestion.department.name,
            "status": suggestion.status,
            "explanation": suggestion.explanation,
            "recorded_at": _when(suggestion.created_at),
            "reports": [
                {
                    "conversation": report.conversation_id,
                    "wants_to_hear_back": report.notify,
                    "told": [
                        {"status": notice.status, "state": notice.state, "at": _when(notice.created_at)}
                        for notice in report.notices.all()
                    ],
                }
                for report in suggestion.reports.all()
            ],
        }
        for suggestion in suggestions
    ]
