"""Anonymising contacts, legal holds, erasure requests and the retention job.

Anonymising replaces a resident's identities and redacts every text about them, in every app, in one
transaction, and keeps the record and its figures: conversations, times, channel, topic, team, office
minutes, escalation and suggestion states stay, so the dashboards count the same before and after.
Like `reports`, this app works across the others; it writes their rows directly because one
transaction must cover all of them (docs/privacy.md, "How anonymising works").
"""

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import quote, quote_plus

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from audit.services import record
from channels.models import RawEvent, RawEventState
from escalations.models import Escalation, EscalationEvent
from escalations.workflow import ACTIVE as ACTIVE_ESCALATION
from feedback.models import ResidentNotice, Suggestion, SuggestionEvent, SuggestionReport, new_token
from feedback.workflow import FINAL
from inbox import services as inbox
from inbox.models import (
    Channel,
    ChannelIdentity,
    Contact,
    Conversation,
    ConversationEvent,
    DeliveryStatus,
    Message,
    Note,
)
from inbox.workflow import Status
from monitoring.models import Mention
from privacy.models import (
    AnonymisationReason,
    ContactAnonymisation,
    ErasureRequest,
    ErasureState,
    LegalHold,
    RetentionRun,
    RetiredSuggestion,
)
from privacy.redaction import redact

logger = logging.getLogger(__name__)

ANONYMISED_NAME = gettext_lazy("Anonymised")
BATCH = 500
# A platform's clock may be a little off: deliveries about a message may carry an earlier time.
DELIVERY_MARGIN = timedelta(days=1)


class PrivacyError(Exception):
    """A request the privacy app refuses; the message is for the lead."""


# --- Which contacts may be anonymised ---------------------------------------------------------------


def open_work():
    """Q on contacts: something still in play (an open conversation, an escalation a department or the
    desk still works on, a suggestion not decided whose outcome the resident wants to hear)."""
    open_conversation = Conversation.objects.filter(contact=OuterRef("pk")).exclude(status=Status.CLOSED)
    active_escalation = Escalation.objects.filter(
        conversation__contact=OuterRef("pk"), status__in=ACTIVE_ESCALATION
    )
    awaited_outcome = SuggestionReport.objects.filter(
        conversation__contact=OuterRef("pk"), notify=True
    ).exclude(suggestion__status__in=FINAL)
    return Exists(open_conversation) | Exists(active_escalation) | Exists(awaited_outcome)


def held(today: date | None = None):
    """Q on contacts: a legal hold applies."""
    return Exists(LegalHold.objects.active(today).filter(contact=OuterRef("pk")))


def contacts_due(now: datetime):
    """Contacts whose last conversation closed (and last message came) before the retention term,
    with nothing open, not anonymised yet, not merged into another. Held ones included: the caller
    counts and skips them."""
    cutoff = now - relativedelta(months=settings.RETENTION_CONTACT_MONTHS)
    return (
        Contact.objects.filter(merged_into__isnull=True, anonymisation__isnull=True)
        .annotate(
            last_closed=Max("conversations__closed_at"), last_message=Max("conversations__last_message_at")
        )
        .filter(last_closed__lt=cutoff, last_message__lt=cutoff)
        .exclude(open_work())
        .order_by("pk")
    )


# --- Anonymising one contact ------------------------------------------------------------------------


@dataclass
class _Changes:
    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def add(self, kind: str, number: int) -> None:
        if number:
            self.counts[kind] = self.counts.get(kind, 0) + number


def anonymise_contact(
    *, contact_id: int, reason: str, actor=None, request=None, now: datetime | None = None
) -> ContactAnonymisation:
    """Anonymise a contact now, whatever is still open: open conversations are closed (nobody can be
    answered any more), unsent replies fail, and their suggestions stop telling them the outcome.

    Refuses while a legal hold applies. Safe to call twice: the first anonymisation is returned.
    """
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        existing = ContactAnonymisation.objects.filter(contact=contact).first()
        if existing:
            return existing
        if contact.merged_into_id:
            raise PrivacyError(_("This contact was merged into another: anonymise that one."))
        if LegalHold.objects.active().filter(contact=contact).exists():
            raise PrivacyError(_("A legal hold applies to this contact."))
        _end_open_work(contact, actor)
        return _anonymise(contact, reason=reason, actor=actor, request=request, now=now or timezone.now())


def _end_open_work(contact: Contact, actor) -> None:
    for conversation in Conversation.objects.filter(contact=contact).exclude(status=Status.CLOSED):
        inbox.close_conversation(actor=actor, conversation_id=conversation.pk)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Not sent: the contact was anonymised.")
    Message.objects.filter(conversation__contact=contact).unsent().update(
        delivery_status=DeliveryStatus.FAILED, delivery_error=reason
    )
    SuggestionReport.objects.filter(conversation__contact=contact, notify=True).update(notify=False)


def _anonymise(
    contact: Contact, *, reason: str, actor, request, now: datetime, oldest_delivery=None
) -> ContactAnonymisation:
    """The work itself, inside the caller's transaction; the contact row is locked."""
    changes = _Changes()
    conversations = Conversation.objects.filter(contact=contact)
    identities = list(ChannelIdentity.objects.filter(contact=contact))
    merged = list(Contact.objects.filter(merged_into=contact))
    names = _known_names(contact, identities, merged, conversations)

    changes.add("deliveries", _delete_deliveries(contact, identities, oldest_delivery))
    changes.add("messages", _anonymise_messages(conversations, names, changes))
    changes.add("notes", _redact_rows(Note.objects.filter(conversation__in=conversations), "text", names))
    changes.add(
        "history",
        _redact_rows(ConversationEvent.objects.filter(conversation__in=conversations), "detail", names),
    )
    public = conversations.exclude(thread_key="dm").update(thread_key="anonymised")
    changes.add("public_threads", public)
    changes.add("escalations", _anonymise_escalations(conversations, names))
    changes.add("suggestions", _anonymise_suggestions(contact, conversations, names))
    changes.add("mentions", _anonymise_mentions(conversations, names))

    for identity in identities:
        identity.external_id = _pseudonym(identity)
        identity.handle = ""
    ChannelIdentity.objects.bulk_update(identities, ["external_id", "handle"])
    changes.add("identities", len(identities))
    with translation.override(settings.LANGUAGE_CODE):
        anonymised_name = str(ANONYMISED_NAME)
    Contact.objects.filter(Q(pk=contact.pk) | Q(merged_into=contact)).update(name=anonymised_name)

    files = changes.files
    transaction.on_commit(lambda: _delete_files(files))
    changes.add("files", len(files))
    anonymisation = ContactAnonymisation.objects.create(
        contact=contact, at=now, reason=reason, actor=actor, counts=changes.counts
    )
    record(
        Action.ANONYMISED,
        actor=actor,
        request=request,
        target=contact,
        summary=f"contact anonymised ({reason})",
    )
    return anonymisation


def _known_names(contact, identities, merged, conversations) -> list[str]:
    """Every name the desk knows the resident by: to find in texts where patterns cannot."""
    names = [contact.name, *(m.name for m in merged), *(i.handle for i in identities)]
    names += [i.external_id for i in identities if i.channel != Channel.WHATSAPP]  # X and Meta ids
    usernames = Message.objects.filter(conversation__in=conversations, context__has_key="username")
    names += [f"@{u}" for u in usernames.values_list("context__username", flat=True) if u]
    names += (
        Mention.objects.filter(conversation__in=conversations)
        .exclude(author="")
        .values_list("author", flat=True)
    )
    return [name for name in dict.fromkeys(names) if name]


def _pseudonym(identity: ChannelIdentity) -> str:
    """An id no platform can send: letters where the platforms put digits. A Dutch WhatsApp number
    keeps "+31", so that the dashboards still count it as Dutch (reports.metrics, foreign numbers)."""
    dutch = identity.channel == Channel.WHATSAPP and identity.external_id.startswith("+31")
    return f"{'+31' if dutch else ''}anonymised-{uuid.uuid4().hex}"


def _anonymise_messages(conversations, names: list[str], changes: _Changes) -> int:
    messages = Message.objects.filter(conversation__in=conversations).only(
        "pk", "text", "attachments", "context", "send_options", "provider_id", "delivery_error"
    )
    changed = []
    for message in messages.iterator(chunk_size=BATCH):
        message.text = redact(message.text, names=names)
        message.delivery_error = redact(message.delivery_error, names=names)
        message.context = {}
        message.provider_id = ""
        message.send_options = {
            key: value
            for key, value in message.send_options.items()
            if key not in ("content_variables", "private_reply_to")
        }
        message.attachments = [_without_content(a, changes) for a in message.attachments]
        changed.append(message)
    Message.objects.bulk_update(
        changed,
        ["text", "delivery_error", "context", "provider_id", "send_options", "attachments"],
        batch_size=BATCH,
    )
    return len(changed)


def _without_content(attachment: dict, changes: _Changes) -> dict:
    """What kind of file it was, and that it was removed: the file and the platform's link go."""
    if attachment.get("file"):
        changes.files.append(attachment["file"])
    kept = {key: attachment[key] for key in ("type", "content_type", "size") if key in attachment}
    return {**kept, "removed": True}


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete an anonymised contact's file %s", name)


def _redact_rows(queryset, field_name: str, names: list[str]) -> int:
    rows = []
    for row in queryset.only("pk", field_name).iterator(chunk_size=BATCH):
        text = getattr(row, field_name)
        redacted = redact(text, names=names)
        if redacted != text:
            setattr(row, field_name, redacted)
            rows.append(row)
    queryset.model.objects.bulk_update(rows, [field_name], batch_size=BATCH)
    return len(rows)


def _anonymise_escalations(conversations, names: list[str]) -> int:
    escalations = Escalation.objects.filter(conversation__in=conversations)
    if not escalations.exists():
        return 0
    changed = _redact_rows(escalations, "question", names) + _redact_rows(escalations, "answer", names)
    changed += _redact_rows(EscalationEvent.objects.filter(escalation__in=escalations), "text", names)
    return changed


def _anonymise_suggestions(contact, conversations, names: list[str]) -> int:
    """Redact what was said about them, stop telling them outcomes, and end the status page of each
    suggestion that no resident who is still known made."""
    reports = SuggestionReport.objects.filter(conversation__in=conversations)
    if not reports.exists():
        return 0
    reports.filter(notify=True).update(notify=False)
    suggestions = Suggestion.objects.filter(reports__in=reports).distinct()
    changed = _redact_rows(suggestions, "summary", names) + _redact_rows(suggestions, "explanation", names)
    changed += _redact_rows(SuggestionEvent.objects.filter(suggestion__in=suggestions), "explanation", names)
    changed += _redact_rows(ResidentNotice.objects.filter(report__in=reports), "reason", names)
    still_known = SuggestionReport.objects.filter(suggestion=OuterRef("pk")).exclude(
        Q(conversation__contact=contact) | Q(conversation__contact__anonymisation__isnull=False)
    )
    for suggestion in suggestions.exclude(Exists(still_known)):
        _end_status_page(suggestion)
    return changed


def _end_status_page(suggestion: Suggestion) -> None:
    """A new token: the link the residents were sent leads nowhere any more."""
    Suggestion.objects.filter(pk=suggestion.pk).update(token=new_token())


def _anonymise_mentions(conversations, names: list[str]) -> int:
    mentions = list(Mention.objects.filter(conversation__in=conversations))
    for mention in mentions:
        mention.text = redact(mention.text, names=names)
        mention.author = mention.author_id = mention.url = mention.thread_key = ""
        mention.external_id = f"anonymised-{mention.pk}"
        mention.context = {}
    Mention.objects.bulk_update(
        mentions, ["text", "author", "author_id", "url", "thread_key", "external_id", "context"]
    )
    return len(mentions)


def _delete_deliveries(contact, identities, oldest_delivery) -> int:
    """Delete the stored webhook deliveries that carry the resident's ids or their messages' ids.

    Deliveries come with the messages they carry, or soon after (statuses, read receipts); those
    are kept RETENTION_RAW_EVENT_DAYS at most, so only that window after the last message is read.
    """
    span = Message.objects.filter(conversation__contact=contact).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    if span["first"] is None:
        return 0
    start = span["first"] - DELIVERY_MARGIN
    end = span["last"] + timedelta(days=settings.RETENTION_RAW_EVENT_DAYS) + DELIVERY_MARGIN
    if oldest_delivery is not None and end < oldest_delivery:
        return 0
    terms = set()
    for identity in identities:
        terms |= {identity.external_id, quote_plus(identity.external_id), quote(identity.external_id)}
    terms |= set(
        Message.objects.filter(conversation__contact=contact)
        .exclude(provider_id="")
        .values_list("provider_id", flat=True)
    )
    terms = {term for term in terms if len(term) >= 6}  # shorter ones would match anything
    if not terms:
        return 0
    query = Q()
    for term in terms:
        query |= Q(body__contains=term)
    candidates = RawEvent.objects.filter(query, received_at__range=(start, end)).only("pk", "body")
    matching = [raw.pk for raw in candidates if any(_carries(raw.body, term) for term in terms)]
    RawEvent.objects.filter(pk__in=matching).delete()
    return len(matching)


def _carries(body: str, term: str) -> bool:
    """`term` occurs in `body` as a whole id (test-1 is not in test-10)."""
    start = body.find(term)
    while start != -1:
        before = body[start - 1] if start else ""
        after = body[start + len(term) : start + len(term) + 1]
        if not (term[0].isalnum() and before.isalnum()) and not (term[-1].isalnum() and after.isalnum()):
            return True
        start = body.find(term, start + 1)
    return False


# --- Legal holds and erasure requests ---------------------------------------------------------------


@transaction.atomic
def set_legal_hold(*, actor, request=None, contact_id: int, reason: str, until: date | None) -> LegalHold:
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    if not reason.strip():
        raise PrivacyError(_("A legal hold needs a reason."))
    if until is not None and until < timezone.localdate():
        raise PrivacyError(_("The end date of a legal hold cannot be in the past."))
    # The reason and note are meant to hold no personal data; redaction catches the obvious slips.
    hold = LegalHold.objects.create(contact=contact, reason=redact(reason.strip()), until=until, set_by=actor)
    record(Action.CHANGED, actor=actor, request=request, target=contact, summary=f"legal hold #{hold.pk} set")
    return hold


@transaction.atomic
def lift_legal_hold(*, actor, request=None, hold_id: int) -> LegalHold:
    """Lift a hold; an erasure request it stopped is carried out now if no other hold applies."""
    hold = LegalHold.objects.select_for_update().get(pk=hold_id)
    if hold.lifted_at is None:
        hold.lifted_at, hold.lifted_by = timezone.now(), actor
        hold.save(update_fields=["lifted_at", "lifted_by"])
        record(
            Action.CHANGED,
            actor=actor,
            request=request,
            target=hold.contact,
            summary=f"legal hold #{hold.pk} lifted",
        )
        _carry_out_waiting_erasures(hold.contact_id, actor=actor, request=request)
    return hold


@transaction.atomic
def record_erasure_request(
    *,
    actor,
    request=None,
    contact_id: int,
    received_on: date,
    received_through: str,
    note: str = "",
) -> ErasureRequest:
    """Record a resident's request to erase their data and carry it out at once, unless a legal hold
    applies: then it is kept as refused for now with the hold as its reason, and carried out by the
    nightly job (or when the hold is lifted) once no hold applies any more."""
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    if contact.merged_into_id:
        raise PrivacyError(_("This contact was merged into another: record the request there."))
    hold = LegalHold.objects.active().filter(contact=contact).first()
    erasure = ErasureRequest.objects.create(
        contact=contact,
        received_on=received_on,
        received_through=received_through,
        note=redact(note.strip()),
        recorded_by=actor,
        state=ErasureState.ON_HOLD if hold else ErasureState.ANONYMISED,
        hold=hold,
    )
    if hold:
        record(
            Action.ERASURE_REFUSED,
            actor=actor,
            request=request,
            target=contact,
            summary=f"erasure request #{erasure.pk}: legal hold #{hold.pk}",
        )
        return erasure
    anonymise_contact(contact_id=contact.pk, reason=AnonymisationReason.ERASURE, actor=actor, request=request)
    erasure.carried_out_at = timezone.now()
    erasure.save(update_fields=["carried_out_at"])
    return erasure


def _carry_out_waiting_erasures(contact_id: int, *, actor=None, request=None) -> int:
    waiting = list(ErasureRequest.objects.on_hold().filter(contact_id=contact_id))
    if not waiting or LegalHold.objects.active().filter(contact_id=contact_id).exists():
        return 0
    # The nightly job acts for the lead who recorded the request (open conversations close in their name).
    actor = actor or waiting[-1].recorded_by
    anonymise_contact(contact_id=contact_id, reason=AnonymisationReason.ERASURE, actor=actor, request=request)
    ErasureRequest.objects.filter(pk__in=[e.pk for e in waiting]).update(
        state=ErasureState.ANONYMISED, carried_out_at=timezone.now()
    )
    return len(waiting)


# --- Retention --------------------------------------------------------------------------------------


def apply_retention(now: datetime | None = None) -> RetentionRun:
    """The nightly job: delete old webhook deliveries, anonymise contacts past their term (not held,
    nothing open), carry out erasure requests whose hold has ended, retire decided suggestions past
    their term. Stores and logs what it did. Each contact is its own transaction, so a failure
    leaves the work done so far; a second run finds nothing left to do."""
    now = now or timezone.now()
    started = time.monotonic()
    counts = {
        "deliveries_deleted": _delete_old_deliveries(now),
        **_anonymise_due_contacts(now),
        "erasures_carried_out": _carry_out_erasures_no_longer_held(),
        "suggestions_retired": _retire_decided_suggestions(now),
    }
    run = RetentionRun.objects.create(started_at=now, seconds=time.monotonic() - started, counts=counts)
    logger.info("retention run %s: %s in %.1f s", run.pk, counts, run.seconds)
    return run


@transaction.atomic
def _delete_old_deliveries(now: datetime) -> int:
    cutoff = now - timedelta(days=settings.RETENTION_RAW_EVENT_DAYS)
    unfiled = Q(state=RawEventState.PENDING)  # a worker still owes what it says
    deleted, _by_model = RawEvent.objects.filter(received_at__lt=cutoff).exclude(unfiled).delete()
    return deleted


def _anonymise_due_contacts(now: datetime) -> dict[str, int]:
    due = contacts_due(now)
    held_count = due.filter(held()).count()
    oldest_delivery = RawEvent.objects.aggregate(oldest=Min("received_at"))["oldest"]
    anonymised = 0
    for contact_id in list(due.exclude(held()).values_list("pk", flat=True)):
        anonymised += _anonymise_if_still_due(contact_id, now, oldest_delivery)
    return {"contacts_anonymised": anonymised, "contacts_held": held_count}


@transaction.atomic
def _anonymise_if_still_due(contact_id: int, now: datetime, oldest_delivery) -> int:
    """Checked again under the lock: the resident may have written since the list was made."""
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    if not contacts_due(now).exclude(held()).filter(pk=contact_id).exists():
        return 0
    _anonymise(
        contact, reason=AnonymisationReason.RETENTION, actor=None, request=None, now=now,
        oldest_delivery=oldest_delivery,
    )  # fmt: skip
    return 1


def _carry_out_erasures_no_longer_held() -> int:
    contact_ids = set(ErasureRequest.objects.on_hold().values_list("contact_id", flat=True))
    done = 0
    for contact_id in sorted(contact_ids):
        with transaction.atomic():
            done += _carry_out_waiting_erasures(contact_id)
    return done


def _retire_decided_suggestions(now: datetime) -> int:
    """Suggestions decided for good before the term: texts redacted, status page ended."""
    cutoff = now - relativedelta(months=settings.RETENTION_SUGGESTION_MONTHS)
    due = Suggestion.objects.filter(status__in=FINAL, status_changed_at__lt=cutoff, retirement__isnull=True)
    retired = 0
    for suggestion_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            suggestion = Suggestion.objects.select_for_update().get(pk=suggestion_id)
            _redact_rows(Suggestion.objects.filter(pk=suggestion.pk), "summary", [])
            _redact_rows(Suggestion.objects.filter(pk=suggestion.pk), "explanation", [])
            _redact_rows(SuggestionEvent.objects.filter(suggestion=suggestion), "explanation", [])
            _redact_rows(ResidentNotice.objects.filter(report__suggestion=suggestion), "reason", [])
            _end_status_page(suggestion)
            RetiredSuggestion.objects.create(suggestion=suggestion, at=now)
            retired += 1
    return retired
