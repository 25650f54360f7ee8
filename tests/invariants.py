"""What stored data must look like, whatever reached the app: the fuzz tests' "no stored garbage".

`garbage()` lists every broken rule, as sentences, so a failing test says what was stored wrong.
The generic rules (choices, lengths, NUL) matter most on SQLite, which stores an over-long or
NUL-carrying value silently where PostgreSQL refuses it.
"""

from contextlib import contextmanager
from functools import cache, reduce
from operator import or_

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Length, StrIndex

from escalations.models import Escalation
from feedback.models import Suggestion, SuggestionReport
from inbox.models import Channel, Conversation, Direction, Message, reply_limit

# X direct messages hold the most: 10,000 characters. Twice that is no platform's message.
LONGEST_INCOMING = 20_000
OUR_APPS = ("inbox", "channels", "escalations", "feedback", "protocols", "monitoring", "accounts")


def _text_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not field.primary_key
    ]


def _rules_for(field: models.Field) -> list[tuple[str, dict, Q]]:
    """(what is wrong, annotations, the rows where it is) for one text column."""
    rules = []
    if field.choices:
        allowed = [value for value, _ in field.flatchoices] + ([""] if field.blank else [])
        outside = ~Q(**{f"{field.attname}__in": allowed})
        if field.null:
            outside &= Q(**{f"{field.attname}__isnull": False})
        rules.append(("holds a value outside its choices", {}, outside))
    if field.max_length:
        length = f"{field.attname}_length"
        rules.append(
            (
                f"holds a value over {field.max_length} characters",
                {length: Length(field.attname)},
                Q(**{f"{length}__gt": field.max_length}),
            )
        )
    # PostgreSQL refuses NUL in text (and in a query for it): only SQLite can hold one. LIKE stops
    # reading its pattern at a NUL, and so matches everything; INSTR does not.
    if connection.vendor == "sqlite":
        nul_at = f"{field.attname}_nul_at"
        nul = Func(Value(0), function="CHAR", output_field=models.CharField())
        rules.append(
            ("holds a NUL character", {nul_at: StrIndex(field.attname, nul)}, Q(**{f"{nul_at}__gt": 0}))
        )
    return rules


@cache
def _column_checks() -> list[tuple[models.QuerySet, list[tuple[str, Q]], str, tuple]]:
    """Per model: its rows, its rules, and the SQL of one query for "any rule broken", compiled once
    (building the ORM queries costs far more than running them)."""
    checks = []
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            rules = [
                (f"{model._meta.label}.{field.name} {what}", annotations, where)
                for field in _text_fields(model)
                for what, annotations, where in _rules_for(field)
            ]
            if not rules:
                continue
            rows = model._default_manager.annotate(
                **{name: value for _, annotations, _ in rules for name, value in annotations.items()}
            )
            anything = rows.filter(reduce(or_, (where for _, _, where in rules))).values("pk")[:1]
            sql, params = anything.query.sql_with_params()
            checks.append((rows, [(what, where) for what, _, where in rules], sql, params))
    return checks


def _field_rules() -> list[str]:
    """Every stored value within its column: a listed choice, at most max_length, no NUL character."""
    broken = []
    with connection.cursor() as cursor:
        for rows, rules, sql, params in _column_checks():
            cursor.execute(sql, params)
            if cursor.fetchone():
                broken += [what for what, where in rules if rows.filter(where).exists()]
    return broken


def _messages() -> list[str]:
    broken = []
    messages = Message.objects.all()
    # An incoming message may have neither: a WhatsApp location or contact card arrives so, and is kept
    # so that the agent sees the resident wrote. What we send always says something.
    if messages.filter(direction=Direction.OUTBOUND, text__regex=r"^\s*$", attachments=[]).exists():
        broken.append("a reply has neither text nor an attachment")
    incoming = messages.filter(direction=Direction.INBOUND).annotate(length=Length("text"))
    if incoming.filter(length__gt=LONGEST_INCOMING).exists():
        broken.append(f"an incoming message is over {LONGEST_INCOMING} characters: no platform sends that")
    if messages.exclude(channel=F("conversation__channel")).exists():
        broken.append("a message is on another channel than its conversation")
    outbound = messages.filter(direction=Direction.OUTBOUND).select_related("conversation")
    for message in outbound.annotate(length=Length("text")).filter(length__gt=280):
        public = message.conversation.is_public and not message.send_options.get("private_reply_to")
        if message.length > reply_limit(message.channel, public):
            broken.append(f"reply {message.pk} is longer than {message.get_channel_display()} allows")
    return broken


def _conversations() -> list[str]:
    broken = []
    conversations = Conversation.objects.all()
    if conversations.filter(messages__isnull=True).exists():
        broken.append("a conversation has no message")
    if conversations.exclude(identity__channel=F("channel")).exists():
        broken.append("a conversation's resident identity is on another channel")
    if conversations.exclude(identity__contact=F("contact")).exists():
        broken.append("a conversation's resident identity belongs to another contact")
    if conversations.filter(Q(contact__merged_into__isnull=False)).exists():
        broken.append("a conversation belongs to a contact merged into another")
    if conversations.exclude(channel__in=Channel.values).exists():
        broken.append("a conversation is on an unknown channel")
    return broken


def _escalations_and_suggestions() -> list[str]:
    broken = []
    if Escalation.objects.filter(question__regex=r"^\s*$").exists():
        broken.append("an escalation has no question")
    if Escalation.objects.filter(status="answered", answer__regex=r"^\s*$").exists():
        broken.append("an answered escalation has no answer")
    shared = Escalation.shared_messages.through.objects
    if shared.exclude(message__conversation=F("escalation__conversation")).exists():
        broken.append("an escalation shares a message of another conversation")
    if Suggestion.objects.filter(summary__regex=r"^\s*$").exists():
        broken.append("a suggestion has no summary")
    if Suggestion.objects.filter(reports__isnull=True).exists():
        broken.append("a suggestion follows no conversation")
    if (
        SuggestionReport.objects.exclude(message__isnull=True)
        .exclude(message__conversation=F("conversation"))
        .exists()
    ):
        broken.append("a suggestion quotes a message of another conversation")
    return broken


def garbage() -> list[str]:
    """Every rule the stored data breaks; empty when all is well."""
    return _field_rules() + _messages() + _conversations() + _escalations_and_suggestions()


@contextmanager
def example_savepoint():
    """What one example stores is checked, then rolled back before the next one."""
    with transaction.atomic():
        yield
        problems = garbage()
        assert problems == [], problems
        transaction.set_rollback(True)
