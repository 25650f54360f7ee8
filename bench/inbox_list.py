"""Inbox list speed: the queue API and page with many conversations, measured in-process.

Usage: python bench/inbox_list.py [--conversations N]
Uses BENCH_DATABASE_URL (default: a SQLite file under var/) so it never touches your data.
Prints p50/p95 per request and the number of queries each takes.
"""

import argparse
import statistics
import time

from benchkit import setup_django

ROOT = setup_django("bench.sqlite3")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.services import provision_user  # noqa: E402
from inbox.models import ChannelIdentity, Contact, Conversation, Message, Team  # noqa: E402

CHANNELS = ["whatsapp", "x", "facebook", "instagram"]
MESSAGES_PER_CONVERSATION = 5


def generate(conversations: int) -> None:
    if Conversation.objects.count() >= conversations:
        return
    Message.objects.all().delete()
    Conversation.objects.all().delete()
    ChannelIdentity.objects.all().delete()
    Contact.objects.all().delete()
    teams = list(Team.objects.all())
    now = timezone.now()
    batch = 5000
    for start in range(0, conversations, batch):
        size = min(batch, conversations - start)
        contacts = Contact.objects.bulk_create([Contact(name=f"Inwoner {start + i}") for i in range(size)])
        identities = ChannelIdentity.objects.bulk_create(
            [
                ChannelIdentity(contact=c, channel=CHANNELS[i % 4], external_id=f"bench-{start + i}")
                for i, c in enumerate(contacts)
            ]
        )
        rows = Conversation.objects.bulk_create(
            [
                Conversation(
                    contact_id=identity.contact_id,
                    identity=identity,
                    channel=identity.channel,
                    team=teams[i % len(teams)],
                    status=["new", "open", "waiting", "closed"][i % 4],
                    urgent=i % 97 == 0,
                    last_message_at=now - timezone.timedelta(minutes=i),
                    response_due=now + timezone.timedelta(minutes=i % 600 - 100),
                )
                for i, identity in enumerate(identities)
            ]
        )
        Message.objects.bulk_create(
            [
                Message(
                    conversation=conv,
                    channel=conv.channel,
                    direction="in" if n % 2 == 0 else "out",
                    text=f"Bericht {n} over de lantaarnpaal in de straat",
                    provider_id=f"bench-{conv.pk}-{n}",
                    created_at=now - timezone.timedelta(minutes=n),
                    processed_at=now,
                )
                for conv in rows
                for n in range(MESSAGES_PER_CONVERSATION)
            ]
        )


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    generate(args.conversations)
    agent = provision_user(username="bench-agent", role="agent", team_slug="webcare")
    client = Client()
    client.force_login(agent)
    vendor = connection.vendor
    messages = Message.objects.count()
    print(f"inbox list on {vendor}: {Conversation.objects.count()} conversations, {messages} messages")
    print(f"{'request':55} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for url in ("/api/v1/conversations/?team=webcare&status=open", "/inbox/?team=webcare&status=open"):
        p50, p95, queries = measure(client, url, args.runs)
        print(f"{url:55} {p50:8.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
