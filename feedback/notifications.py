"""Telling residents what happened with their suggestion, and reminding account managers.

A resident who asked to hear back gets, on the channel where they wrote and from the municipal
account: an acknowledgement with the link to the suggestion's public status page, and a message on
each outcome (planned, implemented, not adopted) with the department's explanation. Each resident
(contact) is told each thing once, however many of their conversations follow the suggestion. Where
the platform allows no message any more, the notice is stored as "cannot be reached" for the agent.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from feedback.models import Kind, NoticeState, ResidentNotice, Suggestion, SuggestionReport
from feedback.workflow import OUTCOMES, Status
from inbox import services as inbox
from webcare.roles import LEAD_ROLES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoticeReport:
    sent: int
    unreachable: int


def status_page_url(suggestion: Suggestion, language: str = "nl") -> str:
    """The public status page; in English for a resident who does not write Dutch."""
    url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("public:status", args=[suggestion.token])
    return url if language == "nl" else f"{url}?lang=en"


def notify_residents(suggestion_id: int) -> NoticeReport:
    """Tell every resident who wants to hear back what they have not been told yet."""
    suggestion = Suggestion.objects.select_related("department").get(pk=suggestion_id)
    reports = list(
        suggestion.reports.filter(notify=True)
        .select_related("conversation")
        .prefetch_related("notices")
        .order_by("-conversation__last_inbound_at", "-id")  # the thread they used last first
    )
    told: dict[int, set[str]] = {}  # contact -> what they were told, over all their conversations
    for report in reports:
        told.setdefault(report.conversation.contact_id, set()).update(n.status for n in report.notices.all())
    sent = unreachable = 0
    for report in reports:
        already = told[report.conversation.contact_id]
        due = _due(suggestion, already)
        if due is None:
            continue
        state = _tell(suggestion, report, due)
        if state is None:
            continue
        already.add(due)
        sent += state == NoticeState.SENT
        unreachable += state == NoticeState.UNREACHABLE
    return NoticeReport(sent=sent, unreachable=unreachable)


def _due(suggestion: Suggestion, told: set[str]) -> str | None:
    """What this resident should hear now: the acknowledgement first, then the current outcome."""
    if not told:
        return suggestion.status
    if suggestion.status in OUTCOMES and suggestion.status not in told:
        return suggestion.status
    return None


@transaction.atomic
def _tell(suggestion: Suggestion, report: SuggestionReport, status: str) -> str | None:
    """Send one notice (or record that the resident cannot be reached); None if another worker did."""
    try:
        with transaction.atomic():
            notice = ResidentNotice.objects.create(report=report, status=status, state=NoticeState.SENT)
    except IntegrityError:
        return None
    conversation = report.conversation
    link = status_page_url(suggestion, conversation.language)
    try:
        notice.message = inbox.send_notice(
            conversation_id=conversation.pk,
            text=_text(suggestion, status, link, conversation.language, conversation.reply_limit),
            link=link,
        )
    except inbox.InboxError as refused:
        notice.state, notice.reason = NoticeState.UNREACHABLE, str(refused)[:300]
    notice.save()
    return notice.state


def retry_unreachable() -> NoticeReport:
    """Residents the platform would not let us reach may be reachable again once they write to us:
    try those notices again (run from the beat schedule)."""
    waiting = (
        ResidentNotice.objects.filter(state=NoticeState.UNREACHABLE)
        .filter(report__conversation__last_inbound_at__gt=F("created_at"))
        .select_related("report__conversation", "report__suggestion__department")
    )
    sent = unreachable = 0
    for notice in waiting:
        state = _retell(notice.pk)
        sent += state == NoticeState.SENT
        unreachable += state == NoticeState.UNREACHABLE
    return NoticeReport(sent=sent, unreachable=unreachable)


@transaction.atomic
def _retell(notice_id: int) -> str | None:
    notice = (
        ResidentNotice.objects.select_for_update(of=("self",))
        .select_related("report__conversation", "report__suggestion__department")
        .get(pk=notice_id)
    )
    if notice.state != NoticeState.UNREACHABLE:
        return None  # another worker got there first
    suggestion, conversation = notice.report.suggestion, notice.report.conversation
    link = status_page_url(suggestion, conversation.language)
    notice.created_at = timezone.now()
    try:
        notice.message = inbox.send_notice(
            conversation_id=conversation.pk,
            text=_text(suggestion, notice.status, link, conversation.language, conversation.reply_limit),
            link=link,
        )
        notice.state, notice.reason = NoticeState.SENT, ""
    except inbox.InboxError as refused:
        notice.reason = str(refused)[:300]
    notice.save()
    return notice.state


def _text(suggestion: Suggestion, status: str, link: str, language: str, limit: int) -> str:
    """The notice in the resident's language (English for languages the desk does not write)."""
    with translation.override(language if language in dict(settings.LANGUAGES) else "en"):
        if status in OUTCOMES:
            headline = {
                Status.PLANNED: gettext("News about your suggestion to the municipality: it is planned."),
                Status.IMPLEMENTED: gettext(
                    "News about your suggestion to the municipality: it has been carried out."
                ),
                Status.NOT_ADOPTED: gettext(
                    "News about your suggestion to the municipality: it will not be carried out."
                ),
            }[status]
            more = gettext("More about it: %(link)s") % {"link": link}
            text = f"{headline} {suggestion.explanation} {more}"
            return text if len(text) <= limit else f"{headline} {more}"
        if suggestion.kind == Kind.COMPLAINT:
            thanks = gettext("Thank you for your complaint. We have passed it on to %(department)s.")
        else:
            thanks = gettext("Thank you for your suggestion. We have passed it on to %(department)s.")
        follow = gettext("You can follow what happens with it here: %(link)s") % {"link": link}
        return f"{thanks % {'department': suggestion.department.name}} {follow}"


# --- Reminders to account managers ------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderReport:
    suggestions: int
    sent: int


def send_reminders(now: datetime | None = None) -> ReminderReport:
    """One e-mail per account manager listing their departments' suggestions that have not moved for
    FEEDBACK_REMINDER_WEEKS weeks (leads get those of departments without an account manager).
    Each suggestion is listed again only after another such period without news."""
    now = now or timezone.now()
    quiet = now - timedelta(weeks=settings.FEEDBACK_REMINDER_WEEKS)
    stale = list(
        Suggestion.objects.pending()
        .filter(status_changed_at__lte=quiet)
        .exclude(reminded_at__gt=quiet)
        .select_related("department__account_manager")
        .order_by("status_changed_at")
    )
    by_person: dict[int, tuple] = {}
    leads = list(get_user_model().objects.filter(role__in=LEAD_ROLES, is_active=True).exclude(email=""))
    for suggestion in stale:
        manager = suggestion.department.account_manager
        people = [manager] if manager and manager.is_active and manager.email else leads
        for person in people:
            by_person.setdefault(person.pk, (person, []))[1].append(suggestion)
    sent = 0
    reminded: set[int] = set()
    for person, suggestions in by_person.values():
        try:
            _remind(person, suggestions)
        except (smtplib.SMTPException, OSError):
            logger.exception("feedback reminder to user %s failed; tried again next time", person.pk)
            continue
        sent += 1
        reminded.update(s.pk for s in suggestions)
    Suggestion.objects.filter(pk__in=reminded).update(reminded_at=now)
    logger.info("feedback reminders: %d suggestions without news, %d e-mails", len(stale), sent)
    return ReminderReport(suggestions=len(stale), sent=sent)


def _remind(person, suggestions: list[Suggestion]) -> None:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):  # users have no language of their own yet
        subject = ngettext(
            "%(count)d suggestion from residents has had no news for a while",
            "%(count)d suggestions from residents have had no news for a while",
            len(suggestions),
        ) % {"count": len(suggestions)}
        body = render_to_string(
            "feedback/email/reminder.txt",
            {
                "name": person.get_full_name() or person.username,
                "weeks": settings.FEEDBACK_REMINDER_WEEKS,
                "items": [(s, base + reverse("feedback:detail", args=[s.pk])) for s in suggestions],
            },
        )
    EmailMessage(subject, body, to=[person.email]).send()
