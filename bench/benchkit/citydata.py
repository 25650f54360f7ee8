"""A year of a city's webcare desk in PostgreSQL, written fast: the data of the dashboard benchmark.

`generate()` fills the inbox, escalation, feedback and monitoring tables with COPY ... FROM STDIN
(tab-separated text, in chunks), deterministically from a seed, and leaves a marker row so that a
second call with the same arguments returns at once. The data:

- residents (contacts), each with one channel identity and ~8% with a second one on another
  channel; WhatsApp identities are Dutch mobile numbers, ~7% foreign;
- conversations over `days` days up to the midnight that starts `end`, in the rhythm of the week and
  the day, with waves (tax assessments, travel documents before the summer, an autumn storm, the
  new year); many residents come back;
- ~5 messages per conversation, answered in office time (~85% within the service level), ~60% of
  answered conversations with a protocol's answer; ~1% of messages are inserted last although they
  were written days earlier (they arrived late);
- the events the desk records, escalations to departments, suggestions with the residents who
  follow them and the notices they got, and monitoring mentions.

Staff (agents, leads, one member per department) and, when there are none, departments are made
with the ORM; teams, topics, routing rules and service levels are the migrations' rows.
"""

import base64
import io
import json
import queue
import random
import re
import threading
import time as clock_time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter, itemgetter

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from psycopg2 import sql

from accounts.services import provision_user
from escalations.models import Department, Escalation, EscalationEvent
from feedback.models import ResidentNotice, Suggestion, SuggestionEvent, SuggestionReport
from inbox.models import (
    ChannelIdentity,
    Contact,
    Conversation,
    ConversationEvent,
    EventKind,
    Message,
    Note,
    RoutingRule,
    ServiceLevel,
    Team,
    Topic,
)
from inbox.services import SESSION_ENDS
from monitoring.models import Mention, SpikeAlert
from webcare.lib.dates import OfficeClock, is_working_day

# Change when the shape of the data changes: a stored dataset of another version is written again.
VERSION = 3  # 2: claims carry their end; 3: conversations their office minutes
MARKER = sql.Identifier("benchkit_citydata")
AGENTS = 40
LEADS = [f"lead{n}" for n in (1, 2, 3)]

CHANNEL_SHARES = {"whatsapp": 55, "x": 15, "facebook": 15, "instagram": 15}
SECOND_IDENTITY_SHARE = 0.08
FOREIGN_SHARE = 0.07
# country code, first digits, further digits, weight
FOREIGN_NUMBERS = [
    ("+32", "4", 8, 25),
    ("+49", "15", 9, 25),
    ("+44", "7", 9, 20),
    ("+90", "5", 9, 15),
    ("+212", "6", 8, 15),
]
PUBLIC_SHARE = {"whatsapp": 0.0, "x": 0.45, "facebook": 0.35, "instagram": 0.35}
THREAD_PREFIX = {"x": "tweet-", "facebook": "post-", "instagram": "media-"}
ENGLISH_SHARE = 0.08  # of residents with a Dutch number or a social media account
ENGLISH_SHARE_FOREIGN = 0.65

ESCALATED_SHARE = 0.12
FORGOTTEN_SHARE = 0.002  # of the escalations: the department never answers
REOPENED_SHARE = 0.05
LATE_SHARE = 0.01
WITHIN_DUE_SHARE = 0.85
PROTOCOL_SHARE = 0.62
HANDOVER_SHARE = 0.12  # replies after which another agent takes over (the first one releases it)
MAX_MESSAGES = 15
MINIMUM_SIZE = {"escalated": 3, "forgotten": 2, "reopened": 4}
# Conversations of the last days may not be over by the end of the period: the messages they would
# still have had go to earlier ones, so that the total stays exact.
TAIL_DAYS = 30
SUGGESTIONS_PER_CONVERSATION = 0.015
MENTIONS_PER_CONVERSATION = 0.5

# Conversations by topic slug (inbox/migrations/0002_defaults.py); None: no topic detected.
TOPIC_WEIGHTS = {
    "waste_collection": 14,
    "litter": 8,
    "parking": 10,
    "travel_documents": 9,
    "civil_affairs": 7,
    "nuisance": 6,
    "taxes": 6,
    "roads": 5,
    "income_support": 5,
    "lighting": 4,
    "greenery": 4,
    "housing": 4,
    "permits": 3,
    "street_furniture": 2,
    "gas_electricity": 1,
    None: 12,
}
OTHER_TOPIC_WEIGHT = 2
URGENT_TOPICS = {"gas_electricity": 0.08, "greenery": 0.03, "roads": 0.03}
WEEKDAY_WEIGHTS = (1.25, 1.15, 1.1, 1.05, 0.95, 0.6, 0.65)
HOUR_WEIGHTS = (
    0.15, 0.08, 0.05, 0.04, 0.05, 0.1, 0.25, 0.55, 0.85, 1.0, 1.05, 1.05,
    1.1, 1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 1.45, 1.6, 1.5, 1.05, 0.5,
)  # fmt: skip
# topics, first day, last day (month, day), extra volume of those topics at the peak
WAVES = [
    (("taxes",), (2, 20), (3, 15), 4.0),  # the tax assessments arrive
    (("travel_documents",), (4, 15), (6, 30), 3.0),  # passports before the summer holidays
    (("parking",), (9, 1), (9, 20), 1.0),  # parking permits renewed
    (("greenery", "roads"), (10, 21), (10, 23), 10.0),  # an autumn storm
    (("waste_collection",), (12, 22), (1, 15), 1.0),  # holiday collection days, Christmas trees
    (("litter", "nuisance"), (12, 28), (1, 8), 3.0),  # fireworks
]

# slug (as in bench/data/protocols.yaml), name, service level in working days, topics
DEPARTMENTS = [
    ("waste", "Afval en Grondstoffen", 3, ["waste_collection", "litter"]),
    ("parking", "Parkeren", 5, ["parking"]),
    ("civil-affairs", "Burgerzaken", 5, ["civil_affairs", "travel_documents"]),
    ("taxes", "Belastingen", 10, ["taxes"]),
    ("income-support", "Werk en Inkomen", 8, ["income_support"]),
    (
        "public-space",
        "Openbare Ruimte",
        3,
        ["greenery", "roads", "street_furniture", "lighting", "gas_electricity", "nuisance"],
    ),
    ("permits", "Vergunningen", 8, ["permits"]),
    ("housing", "Wonen", 10, ["housing"]),
]

FIRST_NAMES = (
    "Sanne Daan Emma Noah Julia Lucas Sophie Finn Lotte Sem Fleur Milan Anna Levi Eva Bram Lisa Thijs "
    "Mila Jesse Sara Ruben Noor Luuk Fatima Mohamed Yasmin Ahmed Aylin Mehmet Zeynep Emre Priya Rahul "
    "Maria Jan Kees Ans Henk Ria Wim Ingrid Gerrit Tineke Kevin Marco Chen Olga Piotr James Sofia Ines "
    "Youssef Khadija Samira Bilal Joyce Dewi Rik Femke"
).split()
LAST_NAMES = (
    "de Vries|Jansen|de Jong|van den Berg|Bakker|Visser|Smit|Meijer|de Boer|Mulder|de Groot|Bos|Vos|"
    "Peters|Hendriks|van Leeuwen|Dekker|Brouwer|de Wit|Dijkstra|Yilmaz|Kaya|El Amrani|Bouzid|Demir|"
    "Öztürk|Sahin|Kok|Jacobs|van Dijk|Koster|Prins|Huisman|Kuipers|Postma|Verhoeven|Hoekstra|"
    "van der Meer|Martens|Vermeulen|Willems|Schouten|Boukhari|Ramdin|Tjon|Nguyen|Kowalski|Smith|Garcia|Rossi"
).split("|")

TOPIC_QUESTIONS = {
    "nl": ["Ik heb een vraag over {topic}.", "Hoi, wie kan mij helpen met {topic}?", "Vraagje over {topic}"],
    "en": ["I have a question about {topic}.", "Hi, who can help me with {topic}?"],
}
THANKS = {
    "nl": ["Dank je wel!", "Top, bedankt", "Oké, duidelijk."],
    "en": ["Thanks a lot!", "Great, thank you"],
}
FOLLOW_UPS = {
    "nl": [
        "Oké, en hoe lang duurt dat ongeveer?",
        "Het is nog steeds niet opgelost.",
        "Ik heb het formulier ingevuld maar krijg geen bevestiging.",
        "Moet ik daar een afspraak voor maken?",
        "Het gaat om de hoek van onze straat, bij nummer 12.",
        "Hier is een foto.",
        "Nog nieuws?",
        "Wat kost dat?",
    ],
    "en": [
        "OK, how long will that take?",
        "It still hasn't been fixed.",
        "Do I need an appointment for that?",
        "Any news?",
        "Here is a photo.",
        "How much does that cost?",
    ],
}
AGENT_TEXTS = {
    "nl": [
        "Hoi {name}, dank voor je bericht. We zoeken het voor je uit en laten het je weten.",
        "Hoi {name}, om welk adres gaat het precies? Dan geven we het door.",
        "Graag gedaan, {name}! Fijne dag nog.",
        "Hoi {name}, we hebben er een melding van gemaakt. Je krijgt een bevestiging per mail.",
        "Hoi {name}, dat regel je het snelst op voorbeeldstad.nl of via 14 0123.",
        "Hoi {name}, kun je een foto sturen van de situatie?",
    ],
    "en": [
        "Hi {name}, thanks for your message. We will look into it and get back to you.",
        "Hi {name}, which address is it exactly? Then we will pass it on.",
        "You're welcome, {name}! Have a nice day.",
        "Hi {name}, we have reported it. You will get a confirmation by e-mail.",
        "Hi {name}, the quickest way is voorbeeldstad.nl or calling 14 0123.",
    ],
}
HOLDING_TEXTS = {
    "nl": "Hoi {name}, je vraag ligt nu bij {department}. Je hoort uiterlijk {deadline} van ons.",
    "en": "Hi {name}, we passed your question on to {department}. You will hear from us by {deadline}.",
}
ANSWER_REPLIES = {
    "nl": "Hoi {name}, we hebben antwoord van {department}: {answer}",
    "en": "Hi {name}, {department} got back to us: {answer}",
}
QUESTIONS_FOR_DEPARTMENT = [
    "Inwoner vraagt naar de stand van zaken van een melding over {topic}. Kunnen jullie dit nagaan?",
    "Kunnen jullie meekijken? De inwoner heeft al twee keer contact gehad over {topic}.",
    "Vraag over een specifieke situatie ({topic}); wat kunnen we de inwoner antwoorden?",
]
DEPARTMENT_ANSWERS = [
    "De melding is ingepland, binnen twee weken komt er iemand langs.",
    "Dit valt niet onder de gemeente; de woningcorporatie gaat hierover.",
    "Het dossier klopt. Bezwaar maken kan tot zes weken na de datum op de brief.",
    "Is opgelost, de ploeg is vanochtend geweest.",
    "We nemen zelf contact op met de inwoner.",
]
INFO_REQUESTS = ["Om welk adres gaat het precies?", "Heeft de inwoner een zaaknummer?"]
INFO_ADDED = ["Het gaat om de hoek Javastraat en Molukkenstraat.", "Zaaknummer staat in het gesprek."]
DELIVERY_STATUSES = {"delivered": 75, "read": 22, "sent": 2.7, "failed": 0.3}
REOPENED_DETAIL = "De inwoner heeft opnieuw geschreven."
DELIVERY_ERRORS = [
    "Het platform weigerde het bericht: het antwoordvenster is gesloten.",
    "Tijdelijke storing bij het platform.",
]
SUGGESTION_SUMMARIES = {
    "litter": ["Meer prullenbakken langs het fietspad", "Vaker zwerfafval opruimen rond het winkelcentrum"],
    "waste_collection": ["Afwijkende ophaaldagen eerder aankondigen", "Extra glasbak in de wijk"],
    "lighting": ["Betere verlichting in het park 's avonds"],
    "greenery": ["Meer bomen in de straat voor schaduw", "Geveltuinen makkelijker toestaan"],
    "roads": ["Fietspad bij de school verbreden", "Drempels in de woonstraat"],
    "street_furniture": ["Bankjes bij de bushalte", "Speeltoestel voor oudere kinderen"],
    "nuisance": ["Vaker handhaving 's avonds in het park"],
    "parking": ["Bezoekersparkeren per uur in plaats van per dag", "Meer laadpalen in de wijk"],
    "travel_documents": ["Avondopenstelling voor paspoortaanvragen", "Reisdocumenten ook thuisbezorgen"],
    "civil_affairs": ["Verhuizing ook via de app doorgeven"],
    "taxes": ["De aanslag in meer termijnen betalen"],
    "income_support": ["Schuldhulp ook op zaterdag"],
    "housing": ["De wachtlijst voor sociale huur inzichtelijk maken"],
    "permits": ["Terrasvergunningen sneller afhandelen"],
    None: ["Duidelijkere informatie op de website", "Klacht over de bereikbaarheid van de gemeente"],
}
PENDING_SUGGESTIONS = ("received", "forwarded", "under_consideration")
REMIND_AFTER = 14 * 86400  # an account manager is reminded of a suggestion that has not moved
OUTCOME_EXPLANATIONS = {
    "planned": "We gaan dit doen. Het staat gepland voor het komende kwartaal.",
    "implemented": "Dit is gedaan. Dank voor het idee!",
    "not_adopted": "We doen dit niet: het kost te veel voor wat het oplevert. Dank voor het meedenken.",
}
UNREACHABLE_REASON = "The platform allows no message more than 7 days after the resident's last message."
MENTION_EXTRAS = ["", "", " #gemeente", " Echt weer typisch.", " Iemand een idee?", " 👍", " 😡"]


def generate(
    *,
    messages: int = 1_000_000,
    conversations: int = 200_000,
    residents: int = 150_000,
    days: int = 365,
    end: date | None = None,
    seed: int = 1,
) -> dict:
    """Fill the database with a year of the city's desk; returns the rows written per table.

    The data stops at the midnight that starts `end` (Europe/Amsterdam; today by default). When the
    database already holds exactly this dataset, returns its counts at once.
    """
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured(
            f"citydata writes with PostgreSQL's COPY, and the database is {connection.vendor}: set "
            "BENCH_DATABASE_URL=postgres://webcare:webcare@127.0.0.1:5432/webcare_bench"
        )
    if not 0 < residents <= conversations:
        raise ValueError("Every resident writes at least once: 0 < residents <= conversations.")
    if not conversations <= messages <= MAX_MESSAGES * conversations:
        raise ValueError(f"Between 1 and {MAX_MESSAGES} messages per conversation, please.")
    end = end or timezone.localdate()
    params = {
        "version": VERSION,
        "messages": messages,
        "conversations": conversations,
        "residents": residents,
        "days": days,
        "end": end.isoformat(),
        "seed": seed,
    }
    counts = _stored(params)
    if counts is not None:
        return counts
    with transaction.atomic():
        staff = Staff.provision()
        _empty()
        with connection.cursor() as cursor:
            counts = City(params, end, staff, cursor.cursor).write()
            cursor.execute(";".join(connection.ops.sequence_reset_sql(no_style(), list(_FILLED))))
        _end_claims()
        _mark(params, counts)
    with connection.cursor() as cursor:
        for model in _FILLED:  # VACUUM too: the updates after COPY leave dead rows behind
            statement = sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(model._meta.db_table))
            cursor.execute(statement.as_string(cursor.cursor))
    return counts


def _end_claims() -> None:
    """Each claim ends at the next step in its conversation, as inbox.services._record stores it."""
    next_step = ConversationEvent.objects.filter(
        conversation=OuterRef("conversation"), created_at__gt=OuterRef("created_at"), kind__in=SESSION_ENDS
    ).order_by("created_at", "id")
    ConversationEvent.objects.filter(kind=EventKind.CLAIMED).update(
        ended_at=Subquery(next_step.values("created_at")[:1])
    )


# --- The marker, emptying ----------------------------------------------------------------------------


def _stored(params: dict) -> dict | None:
    """The counts of the dataset in the database if it is the one `params` describe, else None."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (id int PRIMARY KEY, params jsonb NOT NULL, "
                "counts jsonb NOT NULL, written_at timestamptz NOT NULL)"
            ).format(MARKER)
        )
        raw.execute(sql.SQL("SELECT params::text, counts::text FROM {} WHERE id = 1").format(MARKER))
        row = raw.fetchone()
    if row is None or json.loads(row[0]) != params:
        return None
    stored = json.loads(row[1])
    counts = {name: stored[name] for name in _FIELDS}  # in the order they are written
    held = {"conversations": Conversation.objects.count(), "messages": Message.objects.count()}
    return counts if all(counts[name] == number for name, number in held.items()) else None


def _mark(params: dict, counts: dict) -> None:
    with connection.cursor() as cursor:
        cursor.cursor.execute(
            sql.SQL(
                "INSERT INTO {} (id, params, counts, written_at) VALUES (1, %s, %s, now()) "
                "ON CONFLICT (id) DO UPDATE "
                "SET params = excluded.params, counts = excluded.counts, written_at = excluded.written_at"
            ).format(MARKER),
            [json.dumps(params), json.dumps(counts)],
        )


def _empty() -> None:
    """Empty every table the dataset writes, and those that point into them (notes, spike alerts).

    PostgreSQL truncates no table that another one refers to, and a protocol may refer to the
    escalation it grew from: such references from outside are cleared (as on_delete=SET_NULL would),
    their constraint dropped for the TRUNCATE and made again as it was, all in this transaction.
    """
    models = [*_FILLED, Note, SpikeAlert, SpikeAlert.examples.through, Mention.queries.through]
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(
            "SELECT c.conname, c.conrelid::regclass::text, a.attname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "WHERE c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s) "
            "AND NOT c.conrelid::regclass::text = ANY(%s)",
            [tables, tables],
        )
        outside = raw.fetchall()
        for name, table, column, _definition in outside:
            raw.execute(
                sql.SQL("UPDATE {table} SET {column} = NULL WHERE {column} IS NOT NULL").format(
                    table=sql.Identifier(table), column=sql.Identifier(column)
                )
            )
            raw.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(table), sql.Identifier(name)
                )
            )
        raw.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY").format(sql.SQL(", ").join(map(sql.Identifier, tables)))
        )
        for name, table, _column, definition in outside:
            raw.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                    sql.Identifier(table), sql.Identifier(name)
                )
                + sql.SQL(definition)
            )


def _name(model) -> sql.Identifier:
    return sql.Identifier(model._meta.db_table)


# --- Writing ------------------------------------------------------------------------------------------


class Copier:
    """COPY on a thread of its own: PostgreSQL stores and checks one chunk of rows while Python works
    out the next. The chunks go in the order they were sent."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.chunks: queue.Queue = queue.Queue(maxsize=4)
        self.failure: Exception | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def send(self, statement: str, data: str) -> None:
        if self.failure is not None:
            raise self.failure
        self.chunks.put((statement, data))

    def close(self) -> None:
        """Wait until every chunk is in; raises what went wrong on the way."""
        self.chunks.put(None)
        self.thread.join()
        if self.failure is not None:
            raise self.failure

    def _run(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            if self.failure is None:
                try:
                    self.cursor.copy_expert(chunk[0], io.StringIO(chunk[1]))
                except Exception as error:  # handed to the thread that sends
                    self.failure = error


class Table:
    """One table's COPY: rows of tab-separated text for the model's `fields`, sent in chunks.

    Every NOT NULL column must be among `fields`, so a new column without a value fails loudly. The
    tables a row refers to send their rows first, so that foreign keys can be checked at once.
    """

    CHUNK = 8 << 20

    def __init__(self, copier: Copier, model, fields: tuple[str, ...], parents: list["Table"]):
        meta = model._meta
        missing = [f.name for f in meta.concrete_fields if f.name not in fields and not f.null]
        if missing:
            raise ImproperlyConfigured(f"citydata writes no value for {meta.label}.{', '.join(missing)}")
        columns = sql.SQL(", ").join(sql.Identifier(meta.get_field(name).column) for name in fields)
        self.statement = (
            sql.SQL("COPY {} ({}) FROM STDIN").format(_name(model), columns).as_string(copier.cursor)
        )
        self.copier = copier
        self.parents = parents
        self.rows: list[str] = []
        self.size = 0
        self.count = 0

    @classmethod
    def all(cls, copier: Copier) -> dict[str, "Table"]:
        """A Table for each of _FIELDS, knowing which of the others its rows refer to."""
        tables: dict[str, Table] = {}
        for name, (model, fields) in _FIELDS.items():
            targets = {
                model._meta.get_field(f).related_model for f in fields if model._meta.get_field(f).is_relation
            }
            parents = [table for other, table in tables.items() if _FIELDS[other][0] in targets]
            tables[name] = cls(copier, model, fields, parents)
        return tables

    def add(self, row: str) -> None:
        self.rows.append(row)
        self.size += len(row)
        if self.size > self.CHUNK:
            self.flush()

    def flush(self) -> None:
        for parent in self.parents:
            parent.flush()
        if self.rows:
            self.copier.send(self.statement, "\n".join(self.rows) + "\n")
            self.count += len(self.rows)
            self.rows, self.size = [], 0


def _esc(text: str) -> str:
    """Text as COPY's text format reads it."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _ts(moment: int) -> str:
    return clock_time.strftime("%Y-%m-%d %H:%M:%S+00", clock_time.gmtime(moment))


def _tn(moment: int | None) -> str:
    return "\\N" if moment is None else _ts(moment)


def _n(value) -> str:
    return "\\N" if value is None else str(value)


def _b(value: bool | None) -> str:
    return "\\N" if value is None else ("t" if value else "f")


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _scramble(number: int, digits: int, salt: int) -> str:
    """A different `digits`-digit string for each number below 10**digits, that looks random."""
    return f"{(number * 2_654_435_761 + salt) % 10**digits:0{digits}d}"


# --- Office time --------------------------------------------------------------------------------------


class OfficeTime:
    """Office time (webcare.lib.dates: office hours on working days) on whole seconds since the epoch,
    with each day's opening and closing moment worked out once."""

    def __init__(self, first: date, days: int):
        tz = timezone.get_current_timezone()
        opens = time.fromisoformat(settings.OFFICE_HOURS_START)
        closes = time.fromisoformat(settings.OFFICE_HOURS_END)
        self.dates = [first + timedelta(days=n) for n in range(days + 1)]
        self.midnights = [_epoch(datetime.combine(day, time.min, tz)) for day in self.dates]
        self.opens = [_epoch(datetime.combine(day, opens, tz)) for day in self.dates]
        self.closes = [_epoch(datetime.combine(day, closes, tz)) for day in self.dates]
        self.working = [is_working_day(day) for day in self.dates]
        self.clock = OfficeClock()

    def minutes_between(self, start: int, end: int | None) -> float | None:
        """Office minutes from `start` to `end`, as Conversation.count_office_time stores them."""
        if end is None:
            return None
        start_at, end_at = (datetime.fromtimestamp(moment, UTC) for moment in (start, end))
        return self.clock.hours_between(start_at, end_at) * 60

    def day(self, moment: int) -> int:
        """The index of the local day `moment` falls on."""
        n = min(max((moment - self.midnights[0]) // 86400, 0), len(self.midnights) - 2)
        while n > 0 and self.midnights[n] > moment:
            n -= 1
        while self.midnights[n + 1] <= moment:
            n += 1
        return n

    def add_minutes(self, moment: int, minutes: float) -> int:
        """The moment `minutes` of office time after `moment` (webcare.lib.dates.add_office_minutes)."""
        n = self.day(moment)
        remaining = int(minutes * 60)
        while True:
            if self.working[n] and moment < self.closes[n]:
                moment = max(moment, self.opens[n])
                if remaining <= self.closes[n] - moment:
                    return moment + remaining
                remaining -= self.closes[n] - moment
            n += 1
            moment = self.opens[n]

    def deadline(self, moment: int, working_days: int) -> int:
        """Closing time on the `working_days`-th working day after `moment` (escalations.services)."""
        n = self.day(moment)
        while working_days > 0:
            n += 1
            working_days -= self.working[n]
        return self.closes[n]

    def morning_before(self, moment: int) -> int:
        """A quarter past opening on the working day before `moment`'s day (the reminder sweep)."""
        n = self.day(moment) - 1
        while n > 0 and not self.working[n]:
            n -= 1
        return self.opens[n] + 900


# --- Staff and the city's own rows --------------------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    id: int
    name: str
    signature: str


@dataclass
class Staff:
    """Who works at the desk and the departments, and how the desk is set up (routing, service levels)."""

    teams: dict[int | None, str]
    agents: dict[int | None, list[Agent]]
    departments: list[tuple[int, str, int]]  # id, name, service level in working days
    department_of_topic: dict[int, int]  # topic id -> index in departments
    members: dict[int, int]  # department id -> the user who answers for it
    topics: dict[str, Topic]
    route: dict[tuple[str, int | None], int | None]  # (channel, topic id) -> team id
    levels: dict[str, tuple[int, int]]  # channel -> first response, resolution (office minutes)

    @classmethod
    def provision(cls) -> "Staff":
        topics = {topic.slug: topic for topic in Topic.objects.all()}
        if not Department.objects.exists():
            for slug, name, days, topic_slugs in DEPARTMENTS:
                department = Department.objects.create(slug=slug, name=name, service_level_days=days)
                department.topics.set([topics[s] for s in topic_slugs if s in topics])
        departments = list(Department.objects.prefetch_related("topics").order_by("name"))
        department_of_topic = {}
        for index, department in enumerate(departments):
            for topic in department.topics.all():
                department_of_topic.setdefault(topic.pk, index)
        teams = {team.pk: team for team in Team.objects.all()}
        rules = list(RoutingRule.objects.filter(is_active=True).prefetch_related("topics"))
        route = {}
        for channel in CHANNEL_SHARES:
            for topic in [None, *topics.values()]:
                team = next(
                    (r.team_id for r in rules if r.matches(channel=channel, topic=topic, text="")), None
                )
                route[channel, topic.pk if topic else None] = team
        levels = {
            level.channel: (level.first_response_minutes, level.resolution_minutes)
            for level in ServiceLevel.objects.all()
        }
        agents = cls._agents(teams, cls._team_shares(route, topics))
        members = {
            d.pk: provision_user(username=f"afdeling-{d.slug}", role="department", department_slug=d.slug).pk
            for d in departments
        }
        return cls(
            teams={pk: _esc(team.name) for pk, team in teams.items()} | {None: ""},
            agents=agents,
            departments=[(d.pk, _esc(d.name), d.service_level_days) for d in departments],
            department_of_topic=department_of_topic,
            members=members,
            topics=topics,
            route=route,
            levels=levels,
        )

    @staticmethod
    def _team_shares(route: dict, topics: dict[str, Topic]) -> dict[int | None, float]:
        """The share of the conversations each team gets, from the routing and the usual topic mix."""
        weights = {None: TOPIC_WEIGHTS[None]} | {
            topic.pk: TOPIC_WEIGHTS.get(slug, OTHER_TOPIC_WEIGHT) for slug, topic in topics.items()
        }
        shares: dict[int | None, float] = defaultdict(float)
        for (channel, topic_id), team in route.items():
            shares[team] += CHANNEL_SHARES[channel] * weights[topic_id]
        return shares

    @staticmethod
    def _agents(teams: dict[int, Team], shares: dict[int | None, float]) -> dict[int | None, list[Agent]]:
        """~AGENTS agents and the leads, over the teams by their share of the work."""
        ranked = sorted((team for team in teams.values() if shares.get(team.pk)), key=lambda t: -shares[t.pk])
        total = sum(shares[team.pk] for team in ranked)
        slots = [team for team in ranked for _ in range(max(1, round(AGENTS * shares[team.pk] / total)))]
        agents: dict[int | None, list[Agent]] = defaultdict(list)
        for n, team in enumerate(slots, start=1):
            first, last = FIRST_NAMES[n * 7 % len(FIRST_NAMES)], LAST_NAMES[n * 11 % len(LAST_NAMES)]
            user = provision_user(
                username=f"agent{n:02d}",
                role="agent",
                team_slug=team.slug,
                first_name=first,
                last_name=last,
                initials=f"{first[0]}{last.split()[-1][0]}{n}",
            )
            agents[team.pk].append(Agent(user.pk, _esc(user.display_name), _esc(user.signature)))
        for n, username in enumerate(LEADS):
            provision_user(username=username, role="lead", team_slug=ranked[n % len(ranked)].slug)
        agents[None] = [agent for team_agents in list(agents.values()) for agent in team_agents]
        return agents


@dataclass(frozen=True)
class ProtocolText:
    key: str
    questions: dict[str, list[str]]
    answers: dict[str, str]


def _protocols(topics: dict[str, Topic]) -> dict[int | None, list[ProtocolText]]:
    """The benchmark protocols (bench/data/protocols.yaml) per topic id; those without a topic answer
    conversations without one. The last example question of each protocol is the English one."""
    path = settings.BASE_DIR / "bench" / "data" / "protocols.yaml"
    found: dict[int | None, list[ProtocolText]] = defaultdict(list)
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["protocols"]:
        questions = [_esc(q) for q in item["questions"]]
        text = ProtocolText(
            key=item["key"],
            questions={"nl": questions[:-1], "en": questions[-1:]},
            answers={language: _esc(answer) for language, answer in item["answers"].items()},
        )
        topic = topics.get(item.get("topic") or "")
        found[topic.pk if topic else None].append(text)
    return found


def _districts() -> list[tuple[str, str]]:
    """(district, a place in it) from the monitoring city file."""
    data = yaml.safe_load(settings.MONITORING_CITY_FILE.read_text(encoding="utf-8"))
    return [(district, _esc(place)) for district, places in data["districts"].items() for place in places[:4]]


# --- The city ------------------------------------------------------------------------------------------


@dataclass
class Identity:
    id: int
    channel: str
    external_id: str
    handle: str


@dataclass
class Resident:
    name: str
    first_name: str
    language: str
    channels: list[str]
    id: int = 0
    identities: list[Identity] = field(default_factory=list)
    conversations: int = 1


@dataclass
class Step:
    """One thing the department does with an escalation."""

    at: int
    kind: str
    to_status: str
    actor: int | None
    text: str = ""


@dataclass
class Asked:
    """An escalation: the question, and what the department will do with it and when."""

    department: tuple[int, str, int]
    agent: int
    created: int
    id: int = 0  # given when it is written
    dues: list[tuple[int, int]] = field(default_factory=list)  # (from, deadline): it restarts on more info
    steps: list[Step] = field(default_factory=list)
    answer: str = ""
    answered_at: int | None = None
    reply_after: int | None = None  # the department answered or the question was withdrawn
    settled: bool = False  # the desk replied to the resident after that

    def due_at(self, moment: int) -> int:
        return [due for since, due in self.dues if since < moment][-1]


@dataclass
class Said:
    """A message of a conversation, before it becomes a row."""

    at: int
    inbound: bool
    text: str
    author: int | None = None
    protocol_key: str = ""
    edited: bool | None = None
    arrived: int | None = None  # when a late message reached us


@dataclass
class Plan:
    """A conversation worked out, before its messages and escalation get ids and all become rows."""

    cid: int
    started: int
    said: list[Said]
    events: list[tuple[int, str, int | None, str]]  # moment, kind, actor, detail
    asked: Asked | None = None
    first_reply: int | None = None
    missing: int = 0  # messages that would come after the period
    topic: int | None = None
    row: str = ""  # the conversation's columns after the id
    messages: list[tuple[str, bool]] = field(default_factory=list)  # columns after the id, arrived late


@dataclass
class Candidate:
    """A conversation in which a resident may make a suggestion."""

    conversation: int
    message: int
    at: int
    topic: int | None
    agent: int


class City:
    """Simulates the desk conversation by conversation, writing rows as it goes."""

    def __init__(self, params: dict, end: date, staff: Staff, cursor):
        self.rng = random.Random(params["seed"])
        self.tz = timezone.get_current_timezone()
        self.params = params
        self.staff = staff
        self.days = params["days"]
        self.first = end - timedelta(days=self.days)
        self.office = OfficeTime(self.first - timedelta(days=2), self.days + 120)
        self.clock = self.office.midnights[2 + self.days]
        self.protocols = _protocols(staff.topics)
        self.districts = _districts()
        self.topic_list = [None, *staff.topics.values()]
        self.topic_cumulative, self.volume = self._topic_mix()
        self.cursor = cursor
        self.late: list[str] = []
        self.candidates: list[Candidate] = []
        self.ids: dict[str, int] = defaultdict(int)
        self.notified: list[tuple[int, int]] = []  # (conversation, moment) of each notice sent
        late_candidates = (params["messages"] - params["conversations"]) / 2
        self.late_chance = min(1.0, LATE_SHARE * params["messages"] / max(late_candidates, 1))

    def next_id(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def write(self) -> dict:
        """Writes every table; returns the rows written per table."""
        # Foreign keys checked as the rows come in, on the copier's thread, rather than all at the commit.
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        copier = Copier(self.cursor)
        self.tables = Table.all(copier)
        try:
            self._write()
            for table in self.tables.values():
                table.flush()
        finally:
            copier.close()
        return {name: table.count for name, table in self.tables.items()}

    def _write(self) -> None:
        starts = self._residents()
        kinds = self._kinds()
        sizes = self._sizes(kinds)
        tail = bisect_left(starts, self.clock - TAIL_DAYS * 86400, key=itemgetter(0))
        squeeze = tail == 0  # no earlier conversations to give the messages to
        plans = [
            self._plan(n + 1, *starts[n], kinds[n], sizes[n], squeeze=squeeze)
            for n in range(tail, len(starts))
        ]
        self._add_messages(sizes, kinds, tail, sum(plan.missing for plan in plans))
        for n in range(tail):
            self._write_plan(self._plan(n + 1, *starts[n], kinds[n], sizes[n], squeeze=True))
        for plan in plans:
            self._write_plan(plan)
        for row in self.late:
            self.tables["messages"].add(f"{self.next_id('messages')}\t{row}")
        self._suggestions()
        for conversation, moment in self.notified:
            self._event(conversation, moment, "notified", None, "")
        self._mentions()

    # -- the rhythm --

    def _topic_mix(self) -> tuple[list[list[float]], list[float]]:
        """Per day: cumulative weights of the topics, and the day's volume against a day without waves."""
        base = [TOPIC_WEIGHTS.get(t.slug if t else None, OTHER_TOPIC_WEIGHT) for t in self.topic_list]
        usual = sum(base)
        cumulative, volume = [], []
        for n in range(self.days):
            day = self.first + timedelta(days=n)
            weights = list(base)
            for index, topic in enumerate(self.topic_list):
                weights[index] *= 1 + sum(
                    boost * _wave(day, first, last)
                    for slugs, first, last, boost in WAVES
                    if topic and topic.slug in slugs
                )
            running, total = [], 0.0
            for weight in weights:
                total += weight
                running.append(total)
            cumulative.append(running)
            volume.append(total / usual * (0.9 + 0.2 * n / self.days))  # and a city that grows a little
        return cumulative, volume

    def _moments(self, count: int) -> list[int]:
        """`count` moments in the period, sorted: busier on weekdays and in the evening, and in waves."""
        hours, cumulative, total = [], [], 0.0
        for n in range(self.days):
            day = self.first + timedelta(days=n)
            for hour, weight in enumerate(HOUR_WEIGHTS):
                total += WEEKDAY_WEIGHTS[day.weekday()] * self.volume[n] * weight
                cumulative.append(total)
                hours.append(_epoch(datetime.combine(day, time(hour), self.tz)))
        picked = self.rng.choices(hours, cum_weights=cumulative, k=count)
        return sorted(min(moment + self.rng.randrange(3600), self.clock - 1) for moment in picked)

    def _topic(self, moment: int) -> Topic | None:
        day = min(self.office.day(moment) - 2, self.days - 1)
        return self.rng.choices(self.topic_list, cum_weights=self.topic_cumulative[day])[0]

    # -- residents --

    def _residents(self) -> list[tuple[int, Resident, Identity]]:
        """When each conversation starts, whose it is and on which of their identities. Writes the
        contacts and identities in the order they first write, so that ids grow with time as in the app."""
        rng, count, total = self.rng, self.params["residents"], self.params["conversations"]
        residents = [self._resident() for _ in range(count)]
        room = total - count  # conversations beyond each resident's first
        for resident in residents:
            if len(resident.channels) == 2 and room:
                resident.conversations, room = 2, room - 1  # one on each identity at least
            else:
                del resident.channels[1:]
        for _ in range(room):  # some residents come back often
            residents[int(count * rng.random() ** 1.5)].conversations += 1
        slots = [resident for resident in residents for _ in range(resident.conversations)]
        rng.shuffle(slots)
        counters: dict[str, int] = defaultdict(int)
        salts = {key: rng.randrange(10**9) for key in (*CHANNEL_SHARES, *(f[0] for f in FOREIGN_NUMBERS))}
        starts = []
        for moment, resident in zip(self._moments(total), slots, strict=True):
            if resident.id == 0:
                resident.id = self.next_id("contacts")
                identity = self._identity(resident, resident.channels[0], counters, salts)
                self.tables["contacts"].add(
                    f"{resident.id}\t{resident.name}\t{resident.language}\t\\N\t{_ts(moment)}"
                )
            elif len(resident.identities) < len(resident.channels):
                identity = self._identity(resident, resident.channels[1], counters, salts)
            else:
                identity = resident.identities[-1] if rng.random() < 0.3 else resident.identities[0]
            starts.append((moment, resident, identity))
        return starts

    def _resident(self) -> Resident:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        channels = [_pick(rng, CHANNEL_SHARES)]
        if rng.random() < SECOND_IDENTITY_SHARE:
            channels.append(_pick(rng, {c: w for c, w in CHANNEL_SHARES.items() if c != channels[0]}))
        return Resident(
            name=_esc(f"{first} {last}"), first_name=_esc(first), language="nl", channels=channels
        )

    def _identity(self, resident: Resident, channel: str, counters: dict, salts: dict) -> Identity:
        rng = self.rng
        username = re.sub(r"[^a-z0-9]", "", resident.name.lower()) + str(rng.randrange(100))
        foreign = channel == "whatsapp" and rng.random() < FOREIGN_SHARE
        if foreign:
            code, start, digits, _weight = rng.choices(
                FOREIGN_NUMBERS, weights=[f[3] for f in FOREIGN_NUMBERS]
            )[0]
            external = f"{code}{start}{_scramble(counters[code], digits, salts[code])}"
            counters[code] += 1
        elif channel == "whatsapp":
            external = f"+316{_scramble(counters[channel], 8, salts[channel])}"
        elif channel == "x":
            external = str(10**18 + int(_scramble(counters[channel], 18, salts[channel])))
        elif channel == "facebook":
            external = str(2 * 10**15 + int(_scramble(counters[channel], 15, salts[channel])))
        else:
            external = str(17 * 10**15 + int(_scramble(counters[channel], 15, salts[channel])))
        counters[channel] += not foreign
        if not resident.identities:
            english = rng.random() < (ENGLISH_SHARE_FOREIGN if foreign else ENGLISH_SHARE)
            resident.language = "en" if english else "nl"
        handle = {"whatsapp": resident.name, "x": f"@{username}", "facebook": resident.name}.get(
            channel, username
        )
        identity = Identity(self.next_id("identities"), channel, external, handle)
        resident.identities.append(identity)
        self.tables["identities"].add(f"{identity.id}\t{resident.id}\t{channel}\t{external}\t{handle}")
        return identity

    # -- the conversations' shape --

    def _kinds(self) -> list[str]:
        """Per conversation: "escalated", "forgotten" (escalated, never answered), "reopened" or ""."""
        kinds = []
        for _ in range(self.params["conversations"]):
            chance = self.rng.random()
            if chance < ESCALATED_SHARE:
                kinds.append("forgotten" if chance < ESCALATED_SHARE * FORGOTTEN_SHARE else "escalated")
            else:
                kinds.append("reopened" if chance < ESCALATED_SHARE + REOPENED_SHARE else "")
        return kinds

    def _sizes(self, kinds: list[str]) -> list[int]:
        """Messages per conversation, 1 to MAX_MESSAGES, adding up to exactly `messages`."""
        total = self.params["messages"]
        least = [MINIMUM_SIZE.get(kind, 1) for kind in kinds]
        mean = total / len(kinds) - 1
        sizes = [
            min(MAX_MESSAGES, max(low, 1 + round(self.rng.gammavariate(1.5, mean / 1.5))))
            if mean > 0
            else low
            for low in least
        ]
        self._add_messages(sizes, kinds, len(sizes), total - sum(sizes))
        return sizes

    def _add_messages(self, sizes: list[int], kinds: list[str], upto: int, missing: int) -> None:
        """Add `missing` messages (or take them away) over the first `upto` conversations."""
        if (
            not sum(MINIMUM_SIZE.get(k, 1) for k in kinds[:upto])
            <= sum(sizes[:upto]) + missing
            <= MAX_MESSAGES * upto
        ):
            raise ValueError(
                f"The messages do not fit in conversations of at most {MAX_MESSAGES} (and escalated or "
                "reopened ones of at least 3 or 4): ask for fewer or for more conversations."
            )
        while missing:
            n = self.rng.randrange(upto)
            step = 1 if missing > 0 else -1
            if MINIMUM_SIZE.get(kinds[n], 1) <= sizes[n] + step <= MAX_MESSAGES:
                sizes[n] += step
                missing -= step

    def _directions(self, size: int, kind: str) -> list[bool]:
        """Inbound (True) or outbound per message: the resident first, then roughly taking turns."""
        rng = self.rng
        inbound = [True]
        for _ in range(size - 1):
            inbound.append(rng.random() < (0.3 if inbound[-1] else 0.85))
        if size > 1 and all(inbound):
            inbound[1] = False
        if size > 2 and inbound[-1] and inbound[-2]:  # a last question gets an answer
            inbound[-1] = False
        if kind == "escalated" and inbound.count(False) < 2:
            inbound[1] = inbound[-1] = False
        if kind == "forgotten":  # after the holding reply only the resident writes, asking for news
            first_reply = inbound.index(False)
            inbound[first_reply + 1 :] = [True] * (size - first_reply - 1)
        if kind == "reopened" and not self._reopen_points(inbound):
            inbound[1:4] = [False, True, False]
        return inbound

    @staticmethod
    def _reopen_points(inbound: list[bool]) -> list[int]:
        """Where a closed conversation can be reopened: a resident's message after a reply, with a
        reply still to come."""
        return [
            k
            for k in range(2, len(inbound) - 1)
            if inbound[k] and not inbound[k - 1] and not all(inbound[k + 1 :])
        ]

    # -- one conversation --

    def _plan(
        self,
        cid: int,
        started: int,
        resident: Resident,
        identity: Identity,
        kind: str,
        size: int,
        *,
        squeeze: bool,
    ) -> Plan:
        """Conversation `cid` from its first message to the end of the period, message by message.

        What would only happen after the period is cut off; with `squeeze` those messages are written
        anyway, as the resident writing on until the end, otherwise the plan counts them as missing.
        """
        rng, office, staff = self.rng, self.office, self.staff
        channel = identity.channel
        topic = self._topic(started)
        team = staff.route.get((channel, topic and topic.pk))
        agents = staff.agents.get(team) or staff.agents[None]
        first_minutes, resolution_minutes = staff.levels.get(channel, (60, 1200))
        public = rng.random() < PUBLIC_SHARE[channel]
        language, name = resident.language, resident.first_name
        pool = self.protocols.get(topic and topic.pk)
        protocol = rng.choice(pool) if pool else None
        escalated = kind in ("escalated", "forgotten")
        uses_protocol = protocol is not None and not escalated and rng.random() < PROTOCOL_SHARE
        directions = self._directions(size, kind)
        reopen_at = rng.choice(self._reopen_points(directions)) if kind == "reopened" else None
        plan = Plan(cid, started, [], [])
        said, events = plan.said, plan.events
        holder: Agent | None = None
        closed: int | None = None  # when the conversation was closed, while it is
        previous = last_reply = started
        for k, inbound in enumerate(directions):
            if k == 0:
                moment, text = started, self._opening(protocol, topic, language)
            elif inbound:
                if k == reopen_at:
                    closed = self._closing(previous, inbound=False)
                    events.append((closed, "closed", holder.id, ""))
                    moment = closed + rng.randint(3600, 6 * 86400)  # within inbox.services.REOPEN_WITHIN
                elif said[-1].inbound:
                    moment = previous + rng.randint(20, 600)
                else:
                    moment = previous + min(int(rng.lognormvariate(8.0, 1.3)), 3 * 86400)
                text = rng.choice((THANKS if k == len(directions) - 1 else FOLLOW_UPS)[language])
            else:
                if plan.first_reply is None:
                    within = rng.random() < WITHIN_DUE_SHARE
                    share = rng.uniform(0.1, 1.0) if within else 1 + rng.expovariate(0.7)
                    moment = office.add_minutes(started, share * first_minutes)
                elif plan.asked and not plan.asked.settled:  # after the department answered
                    moment = office.add_minutes(plan.asked.reply_after, 2 + rng.expovariate(1 / 45))
                elif said[-1].inbound:
                    moment = office.add_minutes(previous, 2 + rng.expovariate(1 / 75))
                else:
                    moment = previous + rng.randint(30, 300)
                moment = max(moment, previous + rng.randint(30, 300))
            if moment >= self.clock:
                break
            if inbound:
                if closed is not None:
                    events.append((moment + 1, "reopened", None, REOPENED_DETAIL))
                    holder, closed = None, None  # the app hands a reopened conversation back to the team
                message = Said(moment, True, text)
                if k > 0 and rng.random() < self.late_chance and moment + 6 * 86400 < self.clock:
                    message.arrived = moment + rng.randint(86400, 6 * 86400)
                said.append(message)
            else:
                claimed = max(previous + 5, moment - rng.randint(30, 900))
                if holder is None or rng.random() < HANDOVER_SHARE:
                    successor = rng.choice(agents)
                    if holder is not None and successor != holder:
                        released = min(claimed - 1, last_reply + rng.randint(300, 3600))
                        events.append((released, "released", holder.id, ""))
                    holder = successor
                events.append((claimed, "claimed", holder.id, holder.name))
                message = self._reply(moment, holder, language, name, protocol if uses_protocol else None)
                if escalated and plan.first_reply is None:
                    plan.asked = self._ask(claimed + (moment - claimed) // 2, topic, holder.id, kind, events)
                    message.text = self._holding(plan.asked, language, name)
                    message.protocol_key = settings.HOLDING_REPLY_PROTOCOL
                elif plan.asked and not plan.asked.settled:
                    if plan.asked.answered_at is not None:
                        message.text = ANSWER_REPLIES[language].format(
                            name=name, department=plan.asked.department[1], answer=plan.asked.answer
                        )
                        plan.asked.steps.append(Step(moment, "closed", "closed", holder.id))
                    plan.asked.settled = True
                elif plan.first_reply is not None:  # a protocol answers the question, not the follow-ups
                    message.text, message.protocol_key, message.edited = "", "", None
                message.text = message.text or rng.choice(AGENT_TEXTS[language]).format(name=name)
                if public:
                    message.text = f"{message.text} {holder.signature}"
                events.append((moment, "replied", holder.id, message.protocol_key))
                said.append(message)
                plan.first_reply = plan.first_reply or moment
                last_reply = moment
            previous = moment

        plan.missing = size - len(said)
        if closed is not None and closed >= self.clock:
            closed = None  # it would have been closed only after the period
        if plan.missing and squeeze:  # the resident writes on until the end of the period
            since = closed or previous
            gap = max(0, min((self.clock - 1 - since) // (plan.missing + 1), rng.randint(60, 3 * 86400)))
            if closed is not None:
                events.append((since + gap + 1, "reopened", None, REOPENED_DETAIL))
                holder, closed = None, None
            said.extend(
                Said(since + gap * n, True, rng.choice(FOLLOW_UPS[language]))
                for n in range(1, plan.missing + 1)
            )
            plan.missing = 0
        elif closed is None and not plan.missing and not (plan.asked and not plan.asked.settled):
            closing = self._closing(said[-1].at, inbound=said[-1].inbound)
            if closing < self.clock:
                closed = closing
                events.append((closing, "closed", (holder or rng.choice(agents)).id, ""))

        status, response_due, department_due, update = self._state(
            said, closed, plan.asked, first_minutes, holder
        )
        urgent = topic is not None and rng.random() < URGENT_TOPICS.get(topic.slug, 0.002)
        thread = f"{THREAD_PREFIX[channel]}{rng.getrandbits(60)}" if public else "dm"
        plan.topic = topic and topic.pk
        plan.row = (
            f"{resident.id}\t{identity.id}\t{channel}\t{thread}\t{_b(public)}\t{_n(team)}\t{status}\t"
            f"{_n(plan.topic)}\t{_b(urgent)}\t{language}\t{_n(holder and holder.id)}\t{_ts(started)}\t"
            f"{_ts(max(m.at for m in said))}\t{_ts(max(m.at for m in said if m.inbound))}\t"
            f"{_ts(office.add_minutes(started, first_minutes))}\t{_tn(plan.first_reply)}\t"
            f"{_tn(response_due)}\t{_ts(office.add_minutes(started, resolution_minutes))}\t{_tn(closed)}\t"
            f"{_tn(department_due)}\t{update}\t{_n(office.minutes_between(started, plan.first_reply))}\t"
            f"{_n(office.minutes_between(started, closed))}"
        )
        plan.messages = self._message_rows(cid, channel, language, said, events, team and staff.teams[team])
        return plan

    def _write_plan(self, plan: Plan) -> None:
        self.tables["conversations"].add(f"{plan.cid}\t{plan.row}")
        first_message = 0
        for row, late in plan.messages:
            if late:
                self.late.append(row)
            else:
                message_id = self.next_id("messages")
                first_message = first_message or message_id
                self.tables["messages"].add(f"{message_id}\t{row}")
        if plan.asked is not None:
            plan.asked.id = self.next_id("escalations")
            self._write_escalation(plan.cid, plan.asked, first_message)
        for moment, event, actor, detail in sorted(plan.events, key=itemgetter(0)):
            if moment < self.clock:
                self._event(plan.cid, moment, event, actor, detail)
        if plan.first_reply is not None and self.rng.random() < SUGGESTIONS_PER_CONVERSATION * 2.5:
            agent = next(m.author for m in plan.said if not m.inbound)
            self.candidates.append(Candidate(plan.cid, first_message, plan.started, plan.topic, agent))

    def _reply(
        self, moment: int, agent: Agent, language: str, name: str, protocol: ProtocolText | None
    ) -> Said:
        """An agent's reply: the protocol's answer when there is one (edited now and then)."""
        if protocol is None:
            return Said(moment, False, "", author=agent.id)
        text = protocol.answers[language].replace("{first_name}", name)
        return Said(moment, False, text, agent.id, protocol.key, self.rng.random() < 0.3)

    def _holding(self, asked: Asked, language: str, name: str) -> str:
        deadline = datetime.fromtimestamp(asked.dues[0][1], tz=self.tz)
        return HOLDING_TEXTS[language].format(
            name=name, department=asked.department[1], deadline=f"{deadline:%d-%m}"
        )

    def _opening(self, protocol: ProtocolText | None, topic: Topic | None, language: str) -> str:
        if protocol is not None:
            return self.rng.choice(protocol.questions[language])
        subject = topic.name.lower() if topic else "de gemeente"
        return _esc(self.rng.choice(TOPIC_QUESTIONS[language]).format(topic=subject))

    def _closing(self, last: int, *, inbound: bool) -> int:
        """When an agent closes a conversation whose last message was at `last`."""
        rng = self.rng
        if inbound:  # the resident said thanks
            return self.office.add_minutes(last, rng.uniform(5, 240))
        if rng.random() < 0.55:
            return last + rng.randint(60, 1800)
        return self.office.add_minutes(last, rng.uniform(300, 1800))  # left waiting a day or two

    def _state(self, said, closed, asked, first_minutes, holder) -> tuple[str, int | None, int | None, str]:
        """Status, response due, department due and department update at the end of the period."""
        if closed is not None:
            return "closed", None, None, ""
        steps = [step for step in asked.steps if step.at < self.clock] if asked else []
        with_department = bool(steps) and steps[-1].to_status == "open"
        department_due = asked.due_at(self.clock) if with_department else None
        update = (
            steps[-1].to_status if steps and steps[-1].to_status in ("answered", "info_requested") else ""
        )
        if said[-1].inbound:
            replies = [k for k, m in enumerate(said) if not m.inbound]
            waiting_since = said[replies[-1] + 1].at if replies else said[0].at
            status = "open" if replies or holder else "new"
            return status, self.office.add_minutes(waiting_since, first_minutes), department_due, update
        if update:  # back from the department: the desk owes the resident an answer
            return "open", self.office.add_minutes(steps[-1].at, first_minutes), None, update
        return ("escalated" if with_department else "waiting"), None, department_due, ""

    def _message_rows(
        self, cid: int, channel: str, language: str, said: list[Said], events: list, team: str | None
    ) -> list[tuple[str, bool]]:
        """The messages' rows without their ids, and whether each arrived late. Records their events:
        received when stored, and routed to `team` when the first one has been read."""
        rng = self.rng
        rows = []
        last_inbound = said[0].at
        for message in said:
            if message.inbound:
                last_inbound = message.at
                received = message.arrived or message.at + 1
                processed = received + rng.randint(1, 8)
                provider = self._provider_id(channel)
                row = (
                    f"{cid}\t{channel}\tin\t{message.text}\t[]\t{provider}\treceived\t\\N\t{language}\t"
                    f"{_ts(message.at)}\t{_ts(processed)}\t{{}}\t{{}}\t{self._send_key()}\t0\t\\N\t\\N\t\t\t\\N"
                )
                events.append((received, "received", None, ""))
                if team and message is said[0]:
                    events.append((processed, "routed", None, team))
            else:
                status = _pick(rng, DELIVERY_STATUSES)
                error = rng.choice(DELIVERY_ERRORS) if status == "failed" else ""
                if error:
                    events.append((message.at + rng.randint(5, 60), "delivery_failed", None, error))
                provider = "" if error else self._provider_id(channel)
                tagged = message.at - last_inbound > 86400 and channel in ("facebook", "instagram")
                options = '{"tag": "HUMAN_AGENT"}' if tagged else "{}"
                scheduled = _ts(message.at) if channel == "x" else "\\N"
                row = (
                    f"{cid}\t{channel}\tout\t{message.text}\t[]\t{provider}\t{status}\t{message.author}\t"
                    f"{language}\t{_ts(message.at)}\t{_ts(message.at)}\t{{}}\t{options}\t{self._send_key()}\t1\t"
                    f"\\N\t{scheduled}\t{error}\t{message.protocol_key}\t{_b(message.edited)}"
                )
            rows.append((row, message.arrived is not None))
        return rows

    def _provider_id(self, channel: str) -> str:
        bits = self.rng.getrandbits(96)
        if channel == "whatsapp":
            return f"SM{bits:032x}"
        if channel == "x":
            return str(10**18 + bits % (9 * 10**18))
        return f"m_{bits:024x}" if channel == "facebook" else f"aWdf{bits:024x}"

    def _send_key(self) -> str:
        """A random (version 4) UUID, from the seeded generator."""
        bits = self.rng.getrandbits(128) & ~(0xF << 76) & ~(0x3 << 62) | (0x4 << 76) | (0x2 << 62)
        return f"{bits:032x}"

    def _event(self, cid: int, moment: int, kind: str, actor: int | None, detail: str) -> None:
        self.tables["events"].add(
            f"{self.next_id('events')}\t{cid}\t{_n(actor)}\t{kind}\t{detail}\t{_ts(moment)}"
        )

    # -- escalations --

    def _ask(self, created: int, topic: Topic | None, agent: int, kind: str, events: list) -> Asked:
        """An escalation asked at `created`, and what its department does with it, and when."""
        rng, office, staff = self.rng, self.office, self.staff
        index = staff.department_of_topic.get(topic.pk) if topic else None
        department = staff.departments[index if index is not None else rng.randrange(len(staff.departments))]
        department_id, department_name, level = department
        member = staff.members[department_id]
        asked = Asked(department, agent, created)
        asked.dues.append((created, office.deadline(created, level)))
        subject = topic.name.lower() if topic else "deze vraag"
        question = _esc(rng.choice(QUESTIONS_FOR_DEPARTMENT).format(topic=subject))
        asked.steps.append(Step(created, "asked", "open", agent, question))
        events.append((created, "escalated", agent, department_name))
        roll = rng.random()
        if roll < 0.03:  # the desk no longer needs it
            withdrawn = office.add_minutes(created, rng.uniform(60, 900))
            asked.steps.append(Step(withdrawn, "withdrawn", "withdrawn", agent))
            events.append((withdrawn, "escalation_ended", agent, department_name))
            asked.reply_after = withdrawn
            return asked
        if kind == "forgotten":
            return asked
        start = created
        if roll < 0.08:  # the department needs more first
            requested = office.add_minutes(created, rng.uniform(0.05, 0.4) * level * 600)
            start = office.add_minutes(requested, rng.uniform(20, 300))
            asked.steps.append(
                Step(requested, "info_requested", "info_requested", member, rng.choice(INFO_REQUESTS))
            )
            asked.steps.append(Step(start, "info_added", "open", agent, rng.choice(INFO_ADDED)))
            asked.dues.append((start, office.deadline(start, level)))
            events.append((requested, "info_requested", None, department_name))
            events.append((start, "escalated", agent, department_name))
        due = asked.dues[-1][1]
        if rng.random() < 0.92:
            answered = min(office.add_minutes(start, rng.uniform(0.05, 1.0) * level * 600), due)
        else:
            answered = office.add_minutes(due, 30 + rng.expovariate(1 / 900))
        asked.answer = rng.choice(DEPARTMENT_ANSWERS)
        asked.steps.append(Step(answered, "answered", "answered", member, asked.answer))
        events.append((answered, "department_answered", None, department_name))
        asked.answered_at = asked.reply_after = answered
        return asked

    def _write_escalation(self, cid: int, asked: Asked, first_message: int) -> None:
        """The escalation as it stands at the end of the period, with its history and reminders."""
        rng, clock = self.rng, self.clock
        steps = [step for step in asked.steps if step.at < clock]
        status = steps[-1].to_status
        due = asked.due_at(clock)
        answered = asked.answered_at if asked.answered_at and asked.answered_at < clock else None
        closed = steps[-1].at if status in ("closed", "withdrawn") else None
        still_open_until = min(answered or clock, closed or clock)
        reminded = self.office.morning_before(due)
        reminded = reminded if asked.created < reminded < still_open_until else None
        overdue = due + 1800 if due + 1800 < still_open_until else None
        steps += [
            Step(moment, kind, "", None)
            for moment, kind in ((reminded, "reminded"), (overdue, "overdue"))
            if moment
        ]
        department_id = asked.department[0]
        self.tables["escalations"].add(
            f"{asked.id}\t{cid}\t{department_id}\t{status}\t{steps[0].text}\t{_b(rng.random() < 0.3)}\t"
            f"{asked.agent}\t{_ts(asked.created)}\t{_ts(due)}\t{asked.answer if answered else ''}\t"
            f"{_n(self.staff.members[department_id] if answered else None)}\t{_tn(answered)}\t{_tn(closed)}\t"
            f"{_ts(asked.created + 20)}\t{_tn(reminded)}\t{_tn(overdue)}"
        )
        self.tables["shared_messages"].add(f"{self.next_id('shared_messages')}\t{asked.id}\t{first_message}")
        status_before = ""
        for step in sorted(steps, key=lambda s: s.at):
            self.tables["escalation_events"].add(
                f"{self.next_id('escalation_events')}\t{asked.id}\t{step.kind}\t{_n(step.actor)}\t"
                f"{status_before if step.to_status else ''}\t{step.to_status}\t{step.text}\t{_ts(step.at)}"
            )
            status_before = step.to_status or status_before

    # -- suggestions --

    def _suggestions(self) -> None:
        """Suggestions made in some conversations, followed by 1-3 residents each, through the workflow."""
        rng = self.rng
        wanted = round(self.params["conversations"] * SUGGESTIONS_PER_CONVERSATION)
        by_topic: dict[int | None, list[Candidate]] = defaultdict(list)
        for candidate in self.candidates:
            by_topic[candidate.topic].append(candidate)
        used: set[int] = set()
        founders = rng.sample(self.candidates, min(len(self.candidates), wanted * 2))
        founders.sort(key=lambda c: c.at)
        made = 0
        for founder in founders:
            if made == wanted:
                break
            if founder.conversation in used:
                continue
            followers = rng.choices((0, 1, 2), weights=(60, 25, 15))[0]
            group = [founder]
            later = by_topic[founder.topic]
            for other in later[bisect_right(later, founder.at, key=attrgetter("at")) :]:
                if len(group) > followers or other.at - founder.at > 120 * 86400:
                    break
                if other.conversation not in used:
                    group.append(other)
            used.update(c.conversation for c in group)
            self._suggestion(group)
            made += 1

    def _suggestion(self, group: list[Candidate]) -> None:
        """One suggestion, its way through the workflow (each step may stall), the residents who follow
        it and what they were told."""
        rng, staff = self.rng, self.staff
        founder = group[0]
        index = staff.department_of_topic.get(founder.topic) if founder.topic else None
        department_id = staff.departments[
            index if index is not None else rng.randrange(len(staff.departments))
        ][0]
        member = staff.members[department_id]
        created = min(founder.at + rng.randint(120, 1800), self.clock - 1)
        outcome = rng.choices(("planned", "implemented", "not_adopted"), weights=(30, 25, 45))[0]
        final = rng.choices(("implemented", "not_adopted"), weights=(85, 15))[0]
        path = [
            ("forwarded", founder.agent, (0.04, 2)),  # each step: who takes it, (chance it stalls, days)
            ("under_consideration", member, (0.1, 20)),
            (outcome, member, (0.3, 120)),
            (final, member, (0.3 if outcome == "planned" else 1, 150)),
        ]
        transitions = [(created, "received", founder.agent, "")]
        moment = created
        for status, actor, (stalls, days) in path:
            moment += rng.randint(3600, days * 86400)
            if rng.random() < stalls or moment >= self.clock:
                break
            transitions.append((moment, status, actor, OUTCOME_EXPLANATIONS.get(status, "")))
        outcomes = [t for t in transitions if t[1] in OUTCOME_EXPLANATIONS]
        reminded = transitions[-1][0] + REMIND_AFTER if transitions[-1][1] in PENDING_SUGGESTIONS else None
        reminded = reminded if reminded and reminded < self.clock else None
        sid = self.next_id("suggestions")
        topic_slug = next((s for s, t in staff.topics.items() if t.pk == founder.topic), None)
        summary = rng.choice(SUGGESTION_SUMMARIES.get(topic_slug) or SUGGESTION_SUMMARIES[None])
        token = base64.urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big")).rstrip(b"=").decode()
        kind = "complaint" if rng.random() < 0.25 else "suggestion"
        self.tables["suggestions"].add(
            f"{sid}\t{kind}\t{summary}\t{_n(founder.topic)}\t{department_id}\t{transitions[-1][1]}\t"
            f"{outcomes[-1][3] if outcomes else ''}\t{token}\t{founder.agent}\t{_ts(created)}\t"
            f"{_ts(transitions[-1][0])}\t{_tn(outcomes[0][0] if outcomes else None)}\t{_tn(reminded)}"
        )
        previous = ""
        for moment, status, actor, explanation in transitions:
            self.tables["suggestion_events"].add(
                f"{self.next_id('suggestion_events')}\t{sid}\t{previous}\t{status}\t{explanation}\t"
                f"{actor}\t{_ts(moment)}"
            )
            previous = status
        for candidate in group:
            reported = max(created, min(candidate.at + rng.randint(120, 1800), self.clock - 1))
            notify = rng.random() < 0.85
            report = self.next_id("reports")
            self.tables["reports"].add(
                f"{report}\t{sid}\t{candidate.conversation}\t{candidate.message}\t{_b(notify)}\t"
                f"{candidate.agent}\t{_ts(reported)}"
            )
            if not notify:
                continue
            told = [t for t in transitions if t[0] <= reported][-1:] + [
                t for t in outcomes if t[0] > reported
            ]
            for moment, status, _actor, _explanation in told:
                at = max(moment, reported) + rng.randint(30, 600)
                if at >= self.clock:
                    continue
                reachable = status not in OUTCOME_EXPLANATIONS or rng.random() < 0.85
                state = "sent" if reachable else "unreachable"
                self.tables["notices"].add(
                    f"{self.next_id('notices')}\t{report}\t{status}\t{state}\t\\N\t"
                    f"{'' if reachable else UNREACHABLE_REASON}\t{_ts(at)}"
                )
                if reachable:
                    self.notified.append((candidate.conversation, at))

    # -- monitoring --

    def _mentions(self) -> None:
        """Public posts about the city, in the same rhythm and waves as the conversations."""
        rng = self.rng
        far = self.clock + 10 * 365 * 86400
        channels = {"x": 50, "facebook": 25, "instagram": 25}
        for n, posted in enumerate(
            self._moments(round(self.params["conversations"] * MENTIONS_PER_CONVERSATION)), 1
        ):
            channel = _pick(rng, channels)
            topic = self._topic(posted) if rng.random() < 0.85 else None
            language = "en" if rng.random() < 0.15 else "nl"
            pool = self.protocols.get(topic and topic.pk)
            text = self._opening(rng.choice(pool) if pool else None, topic, language) + rng.choice(
                MENTION_EXTRAS
            )
            district, place = rng.choice(self.districts) if rng.random() < 0.35 else ("", "")
            if place:
                text = f"{text} ({place})"
            relevant = rng.random() < 0.85
            roll = rng.random()
            sentiment = "negative" if roll < 0.45 else "neutral" if roll < 0.85 else "positive"
            handle = re.sub(r"[^a-z0-9]", "", rng.choice(FIRST_NAMES).lower()) + str(rng.randrange(1000))
            author_id = str(10**15 + rng.getrandbits(40))
            external = f"{10**18 + n * 1000 + rng.randrange(1000)}"
            url = {
                "x": f"https://x.com/{handle}/status/{external}",
                "facebook": f"https://www.facebook.com/{external}",
                "instagram": f"https://www.instagram.com/p/{external}/",
            }[channel]
            fetched = min(posted + rng.randint(60, 900), self.clock - 1)
            self.tables["mentions"].add(
                f"{n}\t{channel}\t{external}\t{text}\t@{handle}\t{author_id}\t{url}\t{external}\t{{}}\t"
                f"{_ts(posted)}\t{_ts(fetched)}\t{_ts(far)}\t{language}\t{sentiment}\t"
                f"{_n(topic and topic.pk)}\t{_esc(district)}\t{_b(relevant and rng.random() < 0.3)}\t"
                f"{_b(relevant)}\t{_ts(fetched + rng.randint(1, 30))}\t{{}}\t\\N"
            )


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _wave(day: date, first: tuple[int, int], last: tuple[int, int]) -> float:
    """How strong a yearly wave is on `day`: 0 outside it, rising to 1 in its middle."""
    for year in (day.year - 1, day.year):
        begin = date(year, *first)
        finish = date(year + (last < first), *last)
        if begin <= day <= finish:
            position = (day - begin).days / max(1, (finish - begin).days)
            return 1 - abs(2 * position - 1)
    return 0.0


# The tables the dataset writes: their models and the fields each row gives, in order.
_FIELDS = {
    "contacts": (Contact, ("id", "name", "language", "merged_into", "created_at")),
    "identities": (ChannelIdentity, ("id", "contact", "channel", "external_id", "handle")),
    "conversations": (
        Conversation,
        (
            "id", "contact", "identity", "channel", "thread_key", "is_public", "team", "status", "topic",
            "urgent", "language", "assigned_to", "created_at", "last_message_at", "last_inbound_at",
            "first_response_due", "first_response_at", "response_due", "resolution_due", "closed_at",
            "department_due", "department_update", "first_response_minutes", "resolution_minutes",
        ),
    ),
    "messages": (
        Message,
        (
            "id", "conversation", "channel", "direction", "text", "attachments", "provider_id",
            "delivery_status", "author", "language", "created_at", "processed_at", "context",
            "send_options", "send_key", "send_attempts", "sending_since", "scheduled_for",
            "delivery_error", "protocol_key", "protocol_edited",
        ),
    ),
    "events": (ConversationEvent, ("id", "conversation", "actor", "kind", "detail", "created_at")),
    "escalations": (
        Escalation,
        (
            "id", "conversation", "department", "status", "question", "share_contact", "asked_by",
            "created_at", "due_at", "answer", "answered_by", "answered_at", "closed_at", "notified_at",
            "reminded_at", "overdue_notified_at",
        ),
    ),
    "shared_messages": (Escalation.shared_messages.through, ("id", "escalation", "message")),
    "escalation_events": (
        EscalationEvent,
        ("id", "escalation", "kind", "actor", "from_status", "to_status", "text", "created_at"),
    ),
    "suggestions": (
        Suggestion,
        (
            "id", "kind", "summary", "topic", "department", "status", "explanation", "token",
            "created_by", "created_at", "status_changed_at", "outcome_at", "reminded_at",
        ),
    ),
    "suggestion_events": (
        SuggestionEvent,
        ("id", "suggestion", "from_status", "to_status", "explanation", "actor", "created_at"),
    ),
    "reports": (
        SuggestionReport,
        ("id", "suggestion", "conversation", "message", "notify", "added_by", "created_at"),
    ),
    "notices": (ResidentNotice, ("id", "report", "status", "state", "message", "reason", "created_at")),
    "mentions": (
        Mention,
        (
            "id", "channel", "external_id", "text", "author", "author_id", "url", "thread_key", "context",
            "posted_at", "fetched_at", "expires_at", "language", "sentiment", "topic", "district",
            "needs_answer", "relevant", "enriched_at", "machine_labels", "conversation",
        ),
    ),
}  # fmt: skip
_FILLED = [model for model, _fields in _FIELDS.values()]
