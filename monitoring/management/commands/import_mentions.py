"""`manage.py import_mentions FILE.jsonl`: public posts for backfill and testing, all or nothing."""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from inbox.models import Channel
from monitoring import services
from monitoring.models import Mention

CHANNELS = (Channel.X, Channel.FACEBOOK, Channel.INSTAGRAM)  # public posts; WhatsApp has none
REQUIRED = ("external_id", "channel", "text", "created_at", "author", "url")
ID_LENGTH = Mention._meta.get_field("external_id").max_length
URL_LENGTH = Mention._meta.get_field("url").max_length


@dataclass(frozen=True)
class Line:
    number: int
    post: services.Post | None
    problems: list[str]


def read_line(number: int, text: str) -> Line:
    """One JSON line as a post, or what is wrong with it (every problem, not only the first)."""
    try:
        item = json.loads(text)
    except ValueError as error:
        return Line(number, None, [f"not JSON ({error.msg})"])
    if not isinstance(item, dict):
        return Line(number, None, ["not a JSON object"])
    problems = [f"{name} is missing" for name in REQUIRED if name not in item]
    external_id = item.get("external_id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)  # X's ids are sometimes written as numbers
    if "external_id" in item and not (isinstance(external_id, str) and external_id.strip()):
        problems.append("external_id must be a non-empty string")
    elif isinstance(external_id, str) and len(external_id) > ID_LENGTH:
        problems.append(f"external_id is longer than {ID_LENGTH} characters")
    if "channel" in item and item["channel"] not in CHANNELS:
        problems.append(f"channel must be one of {', '.join(CHANNELS)}, not {item['channel']!r}")
    if "text" in item and not (isinstance(item["text"], str) and item["text"].strip()):
        problems.append("text must be a non-empty string")
    for name in ("author", "author_id"):
        if name in item and not isinstance(item[name], str):
            problems.append(f"{name} must be a string")
    posted_at = _time(item["created_at"]) if "created_at" in item else None
    if "created_at" in item and posted_at is None:
        problems.append("created_at must be an ISO 8601 time with its UTC offset, e.g. 2026-11-20T14:05:00Z")
    url = item.get("url")
    if "url" in item and not (url == "" or _is_link(url)):
        problems.append(f"url must be an http(s) link of at most {URL_LENGTH} characters, or empty")
    if problems:
        return Line(number, None, problems)
    post = services.Post(
        channel=item["channel"],
        external_id=external_id.strip(),
        text=item["text"],
        posted_at=posted_at,
        author=item["author"],
        author_id=item.get("author_id", ""),
        url=url,
    )
    return Line(number, post, [])


def _time(value: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _is_link(value: object) -> bool:
    if not isinstance(value, str) or len(value) > URL_LENGTH:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class Command(BaseCommand):
    help = (
        "Import public posts from a JSON Lines file (external_id, channel, text, created_at, author, url; "
        "optionally author_id), all or nothing: every line is checked before any is stored. A post that "
        "is already there is skipped, so importing twice stores nothing new. Other fields are ignored."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: {error}") from error
        # Only "\n" ends a line: JSON may carry U+2028 and other line separators inside its strings.
        lines = [read_line(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]
        errors = [f"line {line.number}: {problem}" for line in lines for problem in line.problems]
        if errors:
            raise CommandError(f"{file} is not imported, nothing was stored:\n" + "\n".join(errors))
        result = services.store([line.post for line in lines if line.post is not None])
        self.stdout.write(
            self.style.SUCCESS(f"{len(result.created)} created, {result.duplicates} duplicates")
        )
