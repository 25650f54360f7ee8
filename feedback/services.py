"""Everything that changes suggestions. Each function is one transaction; callers check roles first.

Telling residents (feedback.notifications) runs after the commit, in Celery, and through
`inbox.services.send_notice`, which keeps to each platform's rules.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalations.models import Department
from feedback.models import Kind, Suggestion, SuggestionEvent, SuggestionReport
from feedback.workflow import OUTCOMES, Status, check_transition
from inbox.models import Conversation, Message
from webcare.lib.tasks import enqueue_on_commit

NOTIFY_TASK = "feedback.notify_residents"
SUMMARY_LENGTH = 300


class FeedbackError(Exception):
    """A request the feedback loop refuses; the message is for the person who asked."""


def _summary(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise FeedbackError(_("Write a short summary of the suggestion."))
    if len(text) > SUMMARY_LENGTH:
        raise FeedbackError(_("A summary has at most %(limit)d characters.") % {"limit": SUMMARY_LENGTH})
    return text


def _message_of(conversation_id: int, message_id: int | None) -> Message | None:
    if message_id is None:
        return None
    return Message.objects.filter(pk=message_id, conversation_id=conversation_id).first()


@transaction.atomic
def record(
    *,
    agent,
    conversation_id: int,
    summary: str,
    department_id: int,
    notify: bool = True,
    kind: str = Kind.SUGGESTION,
    topic_id: int | None = None,
    message_id: int | None = None,
) -> Suggestion:
    """Record a resident's suggestion (or complaint) from a conversation. If they want to hear back,
    they are sent its status page at once, and every outcome later."""
    summary = _summary(summary)
    if kind not in Kind.values:
        raise FeedbackError(_("Choose suggestion or complaint."))
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise FeedbackError(_("Choose a department."))
    conversation = Conversation.objects.get(pk=conversation_id)
    suggestion = Suggestion.objects.create(
        kind=kind,
        summary=summary,
        topic_id=topic_id if topic_id is not None else conversation.topic_id,
        department=department,
        created_by=agent,
    )
    SuggestionEvent.objects.create(suggestion=suggestion, to_status=Status.RECEIVED, actor=agent)
    SuggestionReport.objects.create(
        suggestion=suggestion,
        conversation=conversation,
        message=_message_of(conversation_id, message_id),
        notify=notify,
        added_by=agent,
    )
    if notify:
        enqueue_on_commit(NOTIFY_TASK, suggestion.pk)
    return suggestion


@transaction.atomic
def link(
    *, agent, suggestion_id: int, conversation_id: int, notify: bool = True, message_id: int | None = None
) -> SuggestionReport:
    """Another resident made the same suggestion: they follow it too, and hear its outcome."""
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion_id)
    report, created = SuggestionReport.objects.get_or_create(
        suggestion=suggestion,
        conversation_id=conversation_id,
        defaults={"notify": notify, "added_by": agent, "message": _message_of(conversation_id, message_id)},
    )
    if not created:
        raise FeedbackError(_("This conversation already follows this suggestion."))
    if notify:
        enqueue_on_commit(NOTIFY_TASK, suggestion.pk)
    return report


@transaction.atomic
def change_status(*, actor, suggestion_id: int, status: str, explanation: str = "") -> Suggestion:
    """Move a suggestion on. An outcome needs an explanation in plain words; residents are told it."""
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion_id)
    if status not in Status.values:
        raise FeedbackError(_("Unknown status."))
    check_transition(suggestion.status, status)
    explanation = (explanation or "").strip()
    if status in OUTCOMES and not explanation:
        raise FeedbackError(_("Explain the decision in plain words: the residents read it."))
    now = timezone.now()
    SuggestionEvent.objects.create(
        suggestion=suggestion,
        from_status=suggestion.status,
        to_status=status,
        explanation=explanation,
        actor=actor,
    )
    suggestion.status = status
    suggestion.status_changed_at = now
    suggestion.reminded_at = None
    if explanation:
        suggestion.explanation = explanation
    if status in OUTCOMES and suggestion.outcome_at is None:
        suggestion.outcome_at = now
    suggestion.save()
    if status in OUTCOMES:
        enqueue_on_commit(NOTIFY_TASK, suggestion.pk)
    return suggestion
