"""Demo data for the quick start: staff for every role and residents writing on all four channels."""

import io
import json
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.models import User
from escalations import services as escalations
from escalations.models import Department, Escalation, EscalationEvent, EventKind
from feedback import services as feedback
from feedback.models import Kind as FeedbackKind
from feedback.workflow import Status as FeedbackStatus
from inbox import services
from inbox.management.commands import _demo_history
from inbox.models import ChannelIdentity, Conversation, Message, MessageTemplate, TemplatePurpose, Topic
from monitoring import enrichment
from monitoring import services as monitoring
from monitoring.models import ListeningQuery
from protocols import services as protocols
from protocols.workflow import Status as ProtocolStatus

DEMO_PASSWORD = "webcare-demo"

# slug (as in bench/data/protocols.yaml), name, service level in working days, the inbox topics it
# answers (inbox/migrations/0002_defaults.py), account manager
DEPARTMENTS = [
    ("waste", "Afval en Grondstoffen", 3, ["waste_collection", "litter"], "anna"),
    ("parking", "Parkeren", 5, ["parking"], "joris"),
    ("civil-affairs", "Burgerzaken", 5, ["civil_affairs", "travel_documents"], "joris"),
    ("taxes", "Belastingen", 10, ["taxes"], "joris"),
    ("income-support", "Werk, Participatie en Inkomen", 8, ["income_support"], "joris"),
    (
        "public-space",
        "Beheer Openbare Ruimte",
        3,
        ["greenery", "roads", "street_furniture", "lighting", "gas_electricity"],
        "anna",
    ),
    ("enforcement", "Handhaving", 5, ["nuisance"], "anna"),
    ("permits", "Vergunningen", 8, ["permits"], "anna"),
    ("housing", "Wonen", 10, ["housing"], "joris"),
]

# username, role, team, department, first name, last name, initials
STAFF = [
    ("eva", "agent", "webcare", None, "Eva", "Pieters", "EP"),
    ("bram", "agent", "webcare", None, "Bram", "Kok", "BK"),
    ("sofia", "agent", "social", None, "Sofia", "Ramos", "SR"),
    ("lotte", "lead", "webcare", None, "Lotte", "Visser", "LV"),
    ("dirk", "department", None, "waste", "Dirk", "Smit", "DS"),
    ("fleur", "department", None, "parking", "Fleur", "de Wit", "FW"),
    ("hasan", "department", None, "civil-affairs", "Hasan", "Demir", "HD"),
    ("mila", "department", None, "taxes", "Mila", "Jansen", "MJ"),
    ("ruben", "department", None, "public-space", "Ruben", "Bos", "RB"),
    ("anna", "account_manager", None, None, "Anna", "de Boer", "AB"),
    ("joris", "account_manager", None, None, "Joris", "van Dam", "JD"),
    ("erik", "editor", None, None, "Erik", "Mulder", "EM"),
    ("admin", "admin", None, None, "Ada", "Beheer", "AD"),
]

# channel, sender id, name, text, minutes ago, thread, public
DEMO_PROTOCOLS = settings.BASE_DIR / "bench" / "data" / "protocols.yaml"

# The holding reply while a department works on a question. The desk fills in {department},
# {deadline} and {days} from the escalation, {first_name} as in every protocol.
HOLDING_REPLY = protocols.ProtocolContent(
    key="doorverwezen-naar-afdeling",
    title="Doorverwezen naar een afdeling (wachtbericht)",
    department="civil-affairs",
    answers={
        "nl": "Hoi {first_name}, we hebben je vraag voorgelegd aan {department}. Zij hebben daar {days} "
        "werkdagen voor. Je hoort uiterlijk {deadline} van ons.",
        "en": "Hi {first_name}, we have passed your question on to {department}. They have {days} working "
        "days for it. You will hear from us by {deadline} at the latest.",
    },
)

# WhatsApp templates as a municipality would have them approved; the SIDs are the stand-in's.
TEMPLATES = [
    (
        "Antwoord klaar",
        "nl",
        "HXdemo00000000000000000000000001nl",
        "Hallo {{1}}, we hebben een antwoord op uw vraag aan de gemeente. "
        "Reageer op dit bericht om het te lezen.",
    ),
    (
        "Answer ready",
        "en",
        "HXdemo00000000000000000000000001en",
        "Hello {{1}}, we have an answer to your question to the municipality. "
        "Reply to this message to read it.",
    ),
]

MESSAGES = [
    (
        "whatsapp",
        "+31612345678",
        "Sanne de Vries",
        "Hallo, de container op de hoek van de Javastraat is al drie dagen vol. Wanneer wordt hij geleegd?",
        8 * 24 * 60,
        "dm",
        False,
    ),
    (
        "whatsapp",
        "+31687654321",
        "Mehmet Yilmaz",
        "Er ligt een omgevallen boom op de weg bij de Churchilllaan, auto's kunnen er niet langs!",
        10,
        "dm",
        False,
    ),
    (
        "whatsapp",
        "+447700900123",
        "James Carter",
        "Hello, I live in London now and my Dutch passport expires next month. Can I renew it from abroad?",
        120,
        "dm",
        False,
    ),
    (
        "x",
        "1456789012345678901",
        "@amsterdammer_020",
        "@gemeente De lantaarnpaal in de Van Woustraat doet het al een week niet. Erg donker 's avonds.",
        45,
        "tweet-1890000000000000001",
        True,
    ),
    (
        "x",
        "1456789012345678902",
        "@fietsfan",
        "Hoe vraag ik een parkeervergunning aan voor mijn nieuwe adres?",
        90,
        "dm",
        False,
    ),
    (
        "facebook",
        "7001000000000001",
        "Sanne de Vries",
        "Ik heb ook nog een vraag over mijn aanslag afvalstoffenheffing, die lijkt veel te hoog.",
        200,
        "dm",
        False,
    ),
    (
        "facebook",
        "7001000000000002",
        "Petra Jansen",
        "Waarom wordt het gras in het Oosterpark zo weinig gemaaid? Het staat kniehoog.",
        300,
        "post-1200_comment-3401",
        True,
    ),
    (
        "instagram",
        "17841400000000001",
        "mehmet.yilmaz",
        "Is er al iemand naar die boom gekeken? Hij ligt er nog steeds.",
        5,
        "dm",
        False,
    ),
    (
        "instagram",
        "17841400000000002",
        "lisa.amsterdam",
        "Wanneer is het stadsloket open op zaterdag? Ik wil mijn ID-kaart ophalen.",
        60,
        "media-1790_comment-2201",
        True,
    ),
    (
        "x",
        "1456789012345678903",
        "@joost_ams",
        "Ik ruik een sterke gaslucht bij de Albert Cuypmarkt! Wie moet ik bellen?",
        3,
        "tweet-1890000000000000002",
        True,
    ),
    (
        "facebook",
        "7001000000000003",
        "Tom Bakker",
        "Kan ik bijstand krijgen als zzp'er? Mijn inkomen is de laatste maanden ingestort.",
        8 * 24 * 60 + 30,
        "dm",
        False,
    ),
    (
        "x",
        "1456789012345678904",
        "@expat_ams",
        "Hi, how do I register my address with the city? I just moved here from Spain.",
        150,
        "dm",
        False,
    ),
    (
        "whatsapp",
        "+31699988877",
        "Anouk Willems",
        "Er ligt al dagen grofvuil naast de container in de Pijp. Kan dat worden opgehaald?",
        240,
        "dm",
        False,
    ),
    (
        "whatsapp",
        "+31611122233",
        "Fatima El Amrani",
        "Goedemiddag, ik ga verhuizen naar Amsterdam-Noord. Hoe geef ik mijn adreswijziging door?",
        400,
        "dm",
        False,
    ),
    (
        "whatsapp",
        "+31655544433",
        "Noor Visser",
        "Idee: kunnen er meer fietsenrekken bij station Zuid? Elke ochtend staat alles vol en ligt de "
        "stoep vol fietsen.",
        600,
        "dm",
        False,
    ),
    (
        "instagram",
        "7002000000000004",
        "daan.amsterdam",
        "Zet alsjeblieft meer fietsenrekken bij Zuid, je kunt je fiets nergens kwijt",
        300,
        "dm",
        False,
    ),
]

# Monitoring: what the demo listens for, and posts as if heard (the benchmark's, written for it).
LISTENING_QUERIES = [
    (
        "Afval en containers",
        'afval OR vuilnis OR container OR grofvuil -"ajax amsterdam"',
        "waste_collection",
    ),
    ("Gemeente genoemd", "@gemeenteamsterdam OR #gemeenteamsterdam OR gemeente", None),
]
DEMO_MENTIONS = settings.BASE_DIR / "bench" / "data" / "monitoring_posts.jsonl"

# WhatsApp templates for news about a resident's suggestion once the 24-hour window has closed.
FEEDBACK_TEMPLATES = [
    (
        "Nieuws over uw idee",
        "nl",
        "HXdemo00000000000000000000000002nl",
        "Hallo {{1}}, er is nieuws over uw idee of klacht voor de gemeente. Lees het hier: {{2}}",
    ),
    (
        "News about your idea",
        "en",
        "HXdemo00000000000000000000000002en",
        "Hello {{1}}, there is news about your idea or complaint for the municipality. Read it here: {{2}}",
    ),
]


class Command(BaseCommand):
    help = "Load demo staff and conversations (development only); safe to run again."

    def handle(self, *args, **options):
        if not settings.DEMO_ENABLED:
            raise CommandError("Demo data is off (DEMO_ENABLED=false): never load it in production.")
        if not User.objects.filter(username="eva").exists():
            self._load()
        self._print_logins()

    def _load(self):
        for slug, name, days, _topics, _manager in DEPARTMENTS:
            Department.objects.update_or_create(
                slug=slug, defaults={"name": name, "service_level_days": days}
            )
        for username, role, team, department, first, last, initials in STAFF:
            args = [username, "--role", role, "--password", DEMO_PASSWORD]
            args += ["--first-name", first, "--last-name", last, "--initials", initials]
            args += ["--team", team] if team else []
            args += ["--department", department] if department else []
            call_command("add_user", *args, stdout=io.StringIO())
        for name, language, content_sid, text in TEMPLATES:
            MessageTemplate.objects.get_or_create(
                content_sid=content_sid, defaults={"name": name, "language": language, "text": text}
            )
        for name, language, content_sid, text in FEEDBACK_TEMPLATES:
            MessageTemplate.objects.get_or_create(
                content_sid=content_sid,
                defaults={
                    "name": name,
                    "language": language,
                    "text": text,
                    "purpose": TemplatePurpose.FEEDBACK_UPDATE,
                },
            )
        # The protocols of the suggestion benchmark double as the demo's: a city's worth of answers.
        call_command("import_protocols", DEMO_PROTOCOLS, "--create-departments", stdout=io.StringIO())
        protocols.save_protocol(HOLDING_REPLY, status=ProtocolStatus.PUBLISHED, note="demo")
        for slug, _name, _days, topics, manager in DEPARTMENTS:
            department = Department.objects.get(slug=slug)
            department.account_manager = User.objects.get(username=manager)
            department.save(update_fields=["account_manager"])
            department.topics.set(Topic.objects.filter(slug__in=topics))
        now = timezone.now()
        for number, (channel, sender, name, text, minutes_ago, thread, public) in enumerate(MESSAGES):
            message, _ = services.receive_message(
                services.IncomingMessage(
                    channel=channel,
                    sender_id=sender,
                    sender_name=name,
                    text=text,
                    provider_id=f"demo-{number}",
                    thread_key=thread,
                    is_public=public,
                    sent_at=now - timedelta(minutes=minutes_ago),
                )
            )
            services.process_message(message.pk)
        self._work_some_conversations()
        self._escalate_some_conversations()
        self._record_some_suggestions()
        self._listen()
        _demo_history.generate()

    def _work_some_conversations(self):
        eva, bram, lotte = (User.objects.get(username=name) for name in ("eva", "bram", "lotte"))
        anouk = ChannelIdentity.objects.get(external_id="+31699988877").contact
        services.reply(
            agent=bram,
            conversation_id=anouk.conversations.get().pk,
            text="Dank je wel, Anouk. We hebben een melding gemaakt; het grofvuil wordt binnen twee "
            "werkdagen opgehaald.",
        )
        fatima = ChannelIdentity.objects.get(external_id="+31611122233").contact
        conversation_id = fatima.conversations.get().pk
        services.reply(
            agent=eva,
            conversation_id=conversation_id,
            text="Goedemiddag Fatima, een verhuizing geeft u door via Mijn Amsterdam, tot vier weken "
            "vooraf: https://www.amsterdam.nl/verhuizen",
        )
        services.close_conversation(actor=eva, conversation_id=conversation_id)
        james = ChannelIdentity.objects.get(external_id="+447700900123").contact
        services.claim_conversation(agent=bram, conversation_id=james.conversations.get().pk)
        # Sanne wrote on WhatsApp and Facebook; a lead recognised her and merged the two.
        sanne_whatsapp = ChannelIdentity.objects.get(external_id="+31612345678").contact
        sanne_facebook = ChannelIdentity.objects.get(external_id="7001000000000001").contact
        services.merge_contacts(actor=lotte, source_id=sanne_facebook.pk, target_id=sanne_whatsapp.pk)

    def _escalate_some_conversations(self):
        """Three questions for departments: one open (with a holding reply), one past its deadline,
        one answered and back with the agent."""
        eva, bram, sofia, hasan = (User.objects.get(username=n) for n in ("eva", "bram", "sofia", "hasan"))

        # Sanne's tax assessment: a personal case for Belastingen, and a holding reply to her.
        taxes = Department.objects.get(slug="taxes")
        sanne_tax = self._demo_message(5)
        asked = escalations.escalate(
            agent=sofia,
            conversation_id=sanne_tax.conversation_id,
            department_id=taxes.pk,
            question="Kunnen jullie de aanslag afvalstoffenheffing van mevrouw De Vries controleren? "
            "Zij vindt het bedrag veel te hoog.",
            message_ids=[sanne_tax.pk],
            share_contact=True,
        )
        with translation.override("nl"):
            deadline = date_format(timezone.localtime(asked.due_at), "l j F")
        holding = protocols.render_answer(HOLDING_REPLY.answers, "nl", first_name="Sanne")
        holding = holding.format(department=taxes.name, deadline=deadline, days=taxes.service_level_days)
        services.reply(
            agent=sofia,
            conversation_id=sanne_tax.conversation_id,
            text=holding,
            protocol_key=HOLDING_REPLY.key,
            protocol_answer=holding,
        )

        # Sanne's full container, eight days ago: asked then, so the deadline (three working days)
        # has passed. The service asks now; the demo moves the asking back to when it happened.
        waste = Department.objects.get(slug="waste")
        container = self._demo_message(0)
        late = escalations.escalate(
            agent=eva,
            conversation_id=container.conversation_id,
            department_id=waste.pk,
            question="De container op de hoek van de Javastraat wordt niet geleegd. Klopt de route nog?",
            message_ids=[container.pk],
        )
        asked_at = container.created_at + timedelta(minutes=20)
        due_at = escalations.deadline(asked_at, waste.service_level_days)
        Escalation.objects.filter(pk=late.pk).update(created_at=asked_at, due_at=due_at)
        EscalationEvent.objects.filter(escalation=late, kind=EventKind.ASKED).update(created_at=asked_at)
        Conversation.objects.filter(pk=container.conversation_id).update(department_due=due_at)

        # James renews his passport from London: Burgerzaken answered, Bram can adapt and send it.
        civil_affairs = Department.objects.get(slug="civil-affairs")
        james = self._demo_message(2)
        passport = escalations.escalate(
            agent=bram,
            conversation_id=james.conversation_id,
            department_id=civil_affairs.pk,
            question="Kan meneer Carter zijn paspoort vanuit Londen verlengen, en waar moet hij heen?",
            message_ids=[james.pk],
        )
        escalations.answer(
            member=hasan,
            escalation_id=passport.pk,
            text="Ja. Wie in het buitenland woont, vraagt een paspoort aan bij de Nederlandse ambassade in "
            "Londen, op afspraak via https://www.nederlandwereldwijd.nl. Reken op zes weken. Het oude "
            "paspoort blijft tot de vervaldatum geldig.",
        )

    def _record_some_suggestions(self):
        """Two residents want more bike racks (one suggestion, forwarded); a complaint about the grass
        in the Oosterpark has its outcome, and Petra has been told."""
        eva, sofia, anna = (User.objects.get(username=n) for n in ("eva", "sofia", "anna"))
        public_space = Department.objects.get(slug="public-space")
        noor, daan, petra = (self._demo_message(n) for n in (14, 15, 6))
        racks = feedback.record(
            agent=eva,
            conversation_id=noor.conversation_id,
            summary="Meer fietsenrekken bij station Zuid",
            department_id=public_space.pk,
            message_id=noor.pk,
        )
        feedback.link(
            agent=eva, suggestion_id=racks.pk, conversation_id=daan.conversation_id, message_id=daan.pk
        )
        feedback.change_status(actor=anna, suggestion_id=racks.pk, status=FeedbackStatus.FORWARDED)
        grass = feedback.record(
            agent=sofia,
            conversation_id=petra.conversation_id,
            summary="Het gras in het Oosterpark wordt te weinig gemaaid",
            department_id=public_space.pk,
            kind=FeedbackKind.COMPLAINT,
            message_id=petra.pk,
        )
        for status in (FeedbackStatus.FORWARDED, FeedbackStatus.UNDER_CONSIDERATION):
            feedback.change_status(actor=anna, suggestion_id=grass.pk, status=status)
        feedback.change_status(
            actor=anna,
            suggestion_id=grass.pk,
            status=FeedbackStatus.PLANNED,
            explanation="Het Oosterpark wordt vanaf april elke twee weken gemaaid in plaats van elke vier "
            "weken. Langs de randen blijft het gras langer staan voor bijen en vlinders.",
        )

    def _listen(self):
        """Two listening queries, and the posts of the monitoring benchmark as if heard in the last three
        days (the enrichment runs now, not in the background, so the feed is full at once)."""
        lotte = User.objects.get(username="lotte")
        for name, expression, topic in LISTENING_QUERIES:
            ListeningQuery.objects.get_or_create(
                name=name,
                defaults={
                    "expression": expression,
                    "topic": Topic.objects.filter(slug=topic).first(),
                    "created_by": lotte,
                },
            )
        now = timezone.now()
        lines = DEMO_MENTIONS.read_text(encoding="utf-8").splitlines()
        posts = [json.loads(line) for line in lines if line.strip()]
        stored = monitoring.store(
            [
                monitoring.Post(
                    channel=post["channel"],
                    external_id=f"demo-{post['id']}",
                    text=post["text"],
                    posted_at=now - timedelta(minutes=17 * number),
                    author=f"bewoner{number}",
                    author_id=f"demo-author-{number}",
                    thread_key=f"demo-{post['id']}",
                )
                for number, post in enumerate(posts)
            ]
        )
        enrichment.enrich(stored.created)

    def _demo_message(self, number: int) -> Message:
        """The resident's message MESSAGES[number], as stored."""
        return Message.objects.get(provider_id=f"demo-{number}")

    def _print_logins(self):
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for username, role, team, department, *_ in STAFF:
            where = team or department or ""
            self.stdout.write(f"  {role:16} {username:8} {where}")
