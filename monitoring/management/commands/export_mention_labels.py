"""`manage.py export_mention_labels [--since YYYY-MM-DD]`: the posts agents corrected in the feed, as
labelled examples (the format of settings.MONITORING_EXAMPLES_FILE and bench/data), on stdout.

Corrections teach the enrichment only while their mention is kept (MONITORING_RETENTION_DAYS); a city
that wants to keep what they taught adds them to its examples file. Handles and links are replaced;
read the texts for other personal data before you add them (docs/monitoring-privacy.md).
"""

import json
import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from monitoring.lexicon import city
from monitoring.models import Mention
from webcare.lib.text import normalize

HANDLE = re.compile(r"@\w+")
LINK = re.compile(r"https?://\S+")


def anonymous(text: str) -> str:
    """The text without links and without handles other than the municipality's own."""
    own = {word for word in city().municipal if word.startswith("@")}
    text = LINK.sub("https://t.co/link", text)
    return HANDLE.sub(lambda found: found[0] if normalize(found[0]) in own else "@iemand", text)


class Command(BaseCommand):
    help = "Write the posts agents corrected in the monitoring feed as labelled examples (JSON lines)."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="only corrections made on or after this date (YYYY-MM-DD)")

    def handle(self, *args, since=None, **options):
        corrected = (
            Mention.objects.filter(corrected_at__isnull=False)
            .select_related("topic")
            .order_by("corrected_at")
        )
        if since:
            try:
                corrected = corrected.filter(corrected_at__date__gte=date.fromisoformat(since))
            except ValueError as error:
                raise CommandError("--since must be a date, e.g. 2026-11-01") from error
        for mention in corrected:
            example = {
                "id": f"m{mention.pk}",
                "channel": mention.channel,
                "text": anonymous(mention.text),
                "language": mention.language,
                "sentiment": mention.sentiment,
                "topic": mention.topic.slug if mention.topic else None,
                "needs_answer": mention.needs_answer,
                "relevant": mention.relevant,
                "district": mention.district or None,
            }
            self.stdout.write(json.dumps(example, ensure_ascii=False))
