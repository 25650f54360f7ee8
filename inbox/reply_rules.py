"""When and how the desk may answer on each platform: reply windows, private replies, X's send rate.

These are the platforms' rules (see docs/adr/0004), kept here so that `reply` can refuse before
anything is queued and the agent sees the rule before writing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inbox.models import Channel, Conversation, Direction, Message

FREE_WINDOW = timedelta(hours=24)  # WhatsApp, Messenger, Instagram: free text after a resident's message
HUMAN_AGENT_WINDOW = timedelta(days=7)  # Messenger, Instagram: a human may still answer, tagged
PRIVATE_REPLY_WINDOW = timedelta(days=7)  # one private message in answer to a public comment
X_DM_LIMIT = 15  # X direct messages per user token ...
X_DM_PERIOD = timedelta(minutes=15)  # ... per 15 minutes


class Mode(models.TextChoices):
    FREE = "free", _("free reply")
    HUMAN_AGENT = "human_agent", _("reply by a person (HUMAN_AGENT tag)")
    TEMPLATE = "template", _("approved template only")
    PUBLIC = "public", _("public reply")
    CLOSED = "closed", _("no reply possible")


@dataclass(frozen=True)
class ReplyWindow:
    mode: str
    closes_at: datetime | None = None
    private_reply_to: str = ""  # the comment a private reply may still answer
    private_reply_until: datetime | None = None

    @property
    def can_reply(self) -> bool:
        return self.mode != Mode.CLOSED

    @property
    def needs_template(self) -> bool:
        return self.mode == Mode.TEMPLATE


def reply_window(conversation: Conversation, now: datetime | None = None) -> ReplyWindow:
    now = now or timezone.now()
    if conversation.is_public:
        return _public_window(conversation, now)
    if conversation.channel == Channel.X:
        return ReplyWindow(Mode.FREE)
    last = conversation.last_inbound_at
    if last and now < last + FREE_WINDOW:
        return ReplyWindow(Mode.FREE, closes_at=last + FREE_WINDOW)
    if conversation.channel == Channel.WHATSAPP:
        return ReplyWindow(Mode.TEMPLATE)
    if last and now < last + HUMAN_AGENT_WINDOW:
        return ReplyWindow(Mode.HUMAN_AGENT, closes_at=last + HUMAN_AGENT_WINDOW)
    return ReplyWindow(Mode.CLOSED)


def free_reply_closes_at(conversation: Conversation) -> datetime | None:
    """When free text stops being possible in a direct-message thread (None: no such limit).

    Needs no query, so the queue can show it on every row.
    """
    if conversation.is_public or conversation.channel == Channel.X or conversation.last_inbound_at is None:
        return None
    return conversation.last_inbound_at + FREE_WINDOW


def _public_window(conversation: Conversation, now: datetime) -> ReplyWindow:
    if conversation.channel not in (Channel.FACEBOOK, Channel.INSTAGRAM):
        return ReplyWindow(Mode.PUBLIC)
    comment = conversation.messages.latest_from_resident()
    if comment is None or comment.created_at <= now - PRIVATE_REPLY_WINDOW:
        return ReplyWindow(Mode.PUBLIC)
    comment_id = comment.context.get("comment_id") or comment.provider_id  # an edit keeps its comment's id
    if _private_reply_used(conversation, comment_id):
        return ReplyWindow(Mode.PUBLIC)
    return ReplyWindow(
        Mode.PUBLIC,
        private_reply_to=comment_id,
        private_reply_until=comment.created_at + PRIVATE_REPLY_WINDOW,
    )


def _private_reply_used(conversation: Conversation, comment_id: str) -> bool:
    return conversation.messages.filter(
        direction=Direction.OUTBOUND, send_options__private_reply_to=comment_id
    ).exists()


def next_x_dm_slot(now: datetime | None = None) -> datetime:
    """The earliest time another X direct message fits under the account's rate limit.

    Every agent shares the municipality's one token, so at most 15 DMs go out in any 15 minutes.
    """
    now = now or timezone.now()
    recent = list(
        Message.objects.filter(
            channel=Channel.X,
            direction=Direction.OUTBOUND,
            conversation__is_public=False,
            scheduled_for__gt=now - X_DM_PERIOD,
        )
        .order_by("-scheduled_for")
        .values_list("scheduled_for", flat=True)[:X_DM_LIMIT]
    )
    if len(recent) < X_DM_LIMIT:
        return now
    return max(now, recent[-1] + X_DM_PERIOD)
