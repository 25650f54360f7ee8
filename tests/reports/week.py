"""A small hand-made week whose figures the tests work out by hand.

The week is Monday 22 to Sunday 28 December 2025: Christmas (Thursday 25 and Friday 26) and the
weekend count no office time (08:00–18:00). "Now" is Monday 29 December, 12:00.

| conv. | resident, channel | started | first response | due | answered | closed |
|---|---|---|---|---|---|---|
| c0 | Bram, WhatsApp | 1 Nov | (before the period: Bram returns) | | | |
| c1 | Anna, WhatsApp | Mon 10:00 | 10:30 (30 min) | 11:00, met | protocol | 11:00 (1 h) |
| c2 | Anna, Facebook | Tue 09:00 | 09:20 (20 min) | 10:00, met | own words | 10:00, reopened, 12:00 (3 h) |
| c3 | Bram, WhatsApp | Wed 17:30 | Mon 29, 08:30 (60 min) | Mon 08:00, missed | escalated | |
| c4 | Carlos (+32) | Sat 11:00 | 11:10 (0: weekend) | Mon 09:00, met | escalated | |
| c5 | Dana, X | Sun 20:00 | none | Mon 09:00, missed | | |
| c6 | Eli, Instagram | Sun 21:00 | none | Mon 14:00, not yet due | | |

Anna's two channels belong to one resident (merged). c3's 60 office minutes are 30 on Christmas Eve
and 30 on Monday morning; its reply is the holding reply, which is no protocol.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from escalations.models import Department, Escalation
from escalations.workflow import Status as EscalationStatus
from feedback.models import NoticeState, ResidentNotice, Suggestion, SuggestionReport
from feedback.workflow import Status as SuggestionStatus
from inbox.models import (
    ChannelIdentity,
    Contact,
    Conversation,
    ConversationEvent,
    Direction,
    EventKind,
    Message,
    Team,
    Topic,
)
from inbox.workflow import Status
from monitoring.models import Mention
from reports import metrics

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2025, 12, 29, 12, 0, tzinfo=AMSTERDAM)
WEEK = metrics.Scope(start=date(2025, 12, 22), end=date(2025, 12, 28))


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=AMSTERDAM)


class Week:
    """The table above, written to the database."""

    def __init__(self, eva, bram, waste: Department, parking: Department):
        webcare, social = Team.objects.get(slug="webcare"), Team.objects.get(slug="social")
        waste_topic, roads = Topic.objects.get(slug="waste_collection"), Topic.objects.get(slug="roads")
        anna, bram_resident, carlos, dana, eli = (Contact.objects.create(name=name) for name in "ABCDE")
        whatsapp = {
            contact: ChannelIdentity.objects.create(contact=contact, channel="whatsapp", external_id=number)
            for contact, number in (
                (anna, "+31611111111"),
                (bram_resident, "+31622222222"),
                (carlos, "+32470000000"),
            )
        }
        # Anna wrote on Facebook too; a lead merged the two residents, so both are hers now.
        anna_facebook = ChannelIdentity.objects.create(contact=anna, channel="facebook", external_id="7001")
        dana_x = ChannelIdentity.objects.create(contact=dana, channel="x", external_id="8001")
        eli_instagram = ChannelIdentity.objects.create(contact=eli, channel="instagram", external_id="9001")

        self.c0 = self.conversation(
            whatsapp[bram_resident], webcare, roads, at(11, 1, 10), status=Status.CLOSED
        )
        self.c1 = self.conversation(
            whatsapp[anna], webcare, waste_topic, at(12, 22, 10), at(12, 22, 10, 30), at(12, 22, 11),
            status=Status.CLOSED, closed=at(12, 22, 11), more=[at(12, 22, 10, 40)],
        )  # fmt: skip
        self.c2 = self.conversation(
            anna_facebook, social, roads, at(12, 23, 9), at(12, 23, 9, 20), at(12, 23, 10),
            status=Status.CLOSED, closed=at(12, 23, 12), more=[at(12, 23, 11)],
        )  # fmt: skip
        for kind, moment in ((EventKind.CLOSED, at(12, 23, 10)), (EventKind.REOPENED, at(12, 23, 11))):
            ConversationEvent.objects.create(conversation=self.c2, kind=kind, created_at=moment)
        # Anna answered the desk's reply in c1 while it waited for her: the inbox records that as
        # "reopened" too, but it was never closed, so it is no reopening.
        ConversationEvent.objects.create(
            conversation=self.c1, kind=EventKind.REOPENED, created_at=at(12, 22, 10, 40)
        )
        self.c3 = self.conversation(
            whatsapp[bram_resident], webcare, waste_topic, at(12, 24, 17, 30), at(12, 29, 8, 30),
            at(12, 29, 8), status=Status.ESCALATED,
        )  # fmt: skip
        self.c4 = self.conversation(
            whatsapp[carlos],
            webcare,
            roads,
            at(12, 27, 11),
            at(12, 27, 11, 10),
            at(12, 29, 9),
            status=Status.OPEN,
        )
        self.c5 = self.conversation(
            dana_x, social, roads, at(12, 28, 20), None, at(12, 29, 9), status=Status.OPEN
        )
        self.c6 = self.conversation(eli_instagram, social, None, at(12, 28, 21), None, at(12, 29, 14))

        self.reply(self.c1, eva, at(12, 22, 10, 30), protocol="afval-grofvuil")
        self.reply(self.c2, bram, at(12, 23, 9, 20))
        self.reply(self.c3, eva, at(12, 29, 8, 30), protocol=settings.HOLDING_REPLY_PROTOCOL)
        self.reply(self.c4, bram, at(12, 27, 11, 10))
        for conversation, agent, claimed, kind, ended in (
            (self.c1, eva, at(12, 22, 10, 25), EventKind.REPLIED, at(12, 22, 10, 30)),  # 5 min
            (self.c2, bram, at(12, 23, 9, 10), EventKind.REPLIED, at(12, 23, 9, 20)),  # 10 min
            (self.c3, eva, at(12, 24, 17, 35), EventKind.ESCALATED, at(12, 24, 17, 45)),  # 10 min
            (self.c4, bram, at(12, 27, 11, 5), EventKind.REPLIED, at(12, 27, 11, 10)),  # 5 min
            (
                self.c5,
                eva,
                at(12, 28, 20, 10),
                EventKind.RELEASED,
                at(12, 28, 22),
            ),  # 110 min: left, not counted
        ):
            ConversationEvent.objects.create(  # with its end, as the inbox stores it
                conversation=conversation,
                actor=agent,
                kind=EventKind.CLAIMED,
                created_at=claimed,
                ended_at=ended,
            )
            ConversationEvent.objects.create(
                conversation=conversation, actor=agent, kind=kind, created_at=ended
            )

        # Asked on Christmas Eve at 17:45, answered Tuesday 30 December at 10:00, after its deadline:
        # 0.25 h on the 24th, nothing on Christmas and the weekend, 10 h on Monday, 2 h on Tuesday.
        self.e1 = Escalation.objects.create(
            conversation=self.c3, department=waste, status=EscalationStatus.ANSWERED, question="?",
            created_at=at(12, 24, 17, 45), due_at=at(12, 29, 18), answer="!", answered_at=at(12, 30, 10),
        )  # fmt: skip
        self.e2 = Escalation.objects.create(
            conversation=self.c4, department=parking, status=EscalationStatus.OPEN, question="?",
            created_at=at(12, 27, 11, 5), due_at=datetime(2026, 1, 2, 18, tzinfo=AMSTERDAM),
        )  # fmt: skip

        implemented = Suggestion.objects.create(
            summary="Meer glasbakken", department=waste, status=SuggestionStatus.IMPLEMENTED,
            created_at=at(12, 22, 11), outcome_at=at(12, 28, 10),
        )  # fmt: skip
        report = SuggestionReport.objects.create(suggestion=implemented, conversation=self.c1, notify=True)
        ResidentNotice.objects.create(
            report=report, status=SuggestionStatus.IMPLEMENTED, state=NoticeState.SENT
        )
        forwarded = Suggestion.objects.create(
            summary="Bredere stoep",
            department=parking,
            status=SuggestionStatus.FORWARDED,
            created_at=at(12, 27, 12),
        )
        SuggestionReport.objects.create(suggestion=forwarded, conversation=self.c4, notify=True)

        for number, (sentiment, topic, relevant, posted) in enumerate(
            (
                ("negative", waste_topic, True, at(12, 22, 9)),
                ("negative", waste_topic, True, at(12, 23, 9)),
                ("positive", roads, True, at(12, 23, 10)),
                ("negative", None, False, at(12, 23, 11)),  # Ajax lost: not about the municipality
                ("positive", roads, True, at(12, 29, 9)),  # after the period
            )
        ):
            Mention.objects.create(
                channel="x", external_id=str(number), text="…", posted_at=posted,
                expires_at=NOW + timedelta(days=30), sentiment=sentiment, topic=topic, relevant=relevant,
            )  # fmt: skip

    @staticmethod
    def conversation(
        identity, team, topic, started, responded=None, due=None, *, status=Status.NEW, closed=None, more=()
    ):
        conversation = Conversation.objects.create(
            contact=identity.contact, identity=identity, channel=identity.channel, team=team, topic=topic,
            status=status, created_at=started, last_message_at=started, last_inbound_at=max([started, *more]),
            first_response_at=responded, first_response_due=due, closed_at=closed,
        )  # fmt: skip
        for moment in [started, *more]:
            Message.objects.create(
                conversation=conversation,
                channel=identity.channel,
                direction=Direction.INBOUND,
                text="?",
                created_at=moment,
            )
        return conversation

    @staticmethod
    def reply(conversation, agent, moment, protocol=""):
        Message.objects.create(
            conversation=conversation, channel=conversation.channel, direction=Direction.OUTBOUND, text="!",
            author=agent, created_at=moment, protocol_key=protocol,
        )  # fmt: skip
