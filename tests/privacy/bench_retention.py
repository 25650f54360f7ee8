"""How long the nightly retention job takes for many contacts due at once. Not part of the suite (the
name does not start with test_); run it by hand, it prints and asserts no time:

    .venv/bin/pytest -q -s -p no:cacheprovider tests/privacy/bench_retention.py

Add DATABASE_URL=postgres://... to measure on PostgreSQL.
"""

import os
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from channels.models import RawEvent
from inbox.models import ChannelIdentity, Contact, Conversation, Direction, Message, Note
from privacy import services

CONTACTS = int(os.environ.get("BENCH_CONTACTS", 10_000))
START = datetime(2025, 1, 6, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def counting(queries: list):
    def wrapper(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.django_db
def test_retention_of_ten_thousand_contacts(lotte):
    with time_machine.travel(START, tick=False):
        contacts = Contact.objects.bulk_create(Contact(name=f"Bewoner {n}") for n in range(CONTACTS))
        identities = ChannelIdentity.objects.bulk_create(
            ChannelIdentity(contact=c, channel="whatsapp", external_id=f"+3161{n:07d}", handle=c.name)
            for n, c in enumerate(contacts)
        )
        conversations = Conversation.objects.bulk_create(
            Conversation(contact=c, identity=i, channel="whatsapp", status="closed", closed_at=START)
            for c, i in zip(contacts, identities, strict=True)
        )
        Message.objects.bulk_create(
            message
            for n, conversation in enumerate(conversations)
            for message in (
                Message(conversation=conversation, channel="whatsapp", direction=Direction.INBOUND,
                        text=f"Mijn container is niet geleegd, Kerkstraat {n % 200 + 1}, bel 06-1{n:07d}",
                        provider_id=f"SM{n:032d}"),
                Message(conversation=conversation, channel="whatsapp", direction=Direction.OUTBOUND,
                        text=f"Hoi Bewoner {n}, we geven het door.", provider_id=f"SO{n:032d}"),
            )
        )  # fmt: skip
        Note.objects.bulk_create(
            Note(conversation=c, author=lotte, text="Belde terug op 0612345678") for c in conversations[::5]
        )
    # A month of deliveries that are still kept at the time of the run (about other residents).
    run_at = START + timedelta(days=400)
    with time_machine.travel(run_at - timedelta(days=5), tick=False):
        RawEvent.objects.bulk_create(
            RawEvent(
                platform="twilio", endpoint="messages", digest=f"{n:064d}", body=f"MessageSid=SMX{n}&From=x"
            )
            for n in range(20_000)
        )
    queries = []
    started = time.monotonic()
    with time_machine.travel(run_at, tick=False), connection.execute_wrapper(counting(queries)):
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            run = profiler.runcall(services.apply_retention)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        else:
            run = services.apply_retention()
    seconds = time.monotonic() - started
    print(
        f"\n{connection.vendor}: {run.counts['contacts_anonymised']} contacts anonymised in {seconds:.1f} s "
        f"({1000 * seconds / CONTACTS:.1f} ms each, {len(queries)} queries)"
    )
    assert run.counts["contacts_anonymised"] == CONTACTS
