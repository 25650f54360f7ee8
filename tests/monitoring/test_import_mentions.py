"""`manage.py import_mentions FILE.jsonl`: backfill and test data, checked line by line, all or nothing."""

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from monitoring.models import ListeningQuery, Mention

pytestmark = pytest.mark.django_db

TWEET = {
    "external_id": "1861234567890123456",
    "channel": "x",
    "text": "Al drie dagen grofvuil op de stoep in de Pijp",
    "created_at": "2026-11-20T14:05:00Z",
    "author": "pijpbewoner",
    "author_id": "1700000000000000011",
    "url": "https://x.com/pijpbewoner/status/1861234567890123456",
}
COMMENT = {
    "external_id": "122100000000001_998877665544",
    "channel": "facebook",
    "text": "Wanneer wordt het afval weer opgehaald?",
    "created_at": "2026-11-20T15:30:00+01:00",
    "author": "Fatima de Vries",
    "url": "",
    "followers": 1200,  # not kept: only what the desk needs
}


def write(tmp_path, *lines: dict | str):
    path = tmp_path / "mentions.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def run(path) -> str:
    out = StringIO()
    call_command("import_mentions", str(path), stdout=out)
    return out.getvalue()


def test_importing_stores_every_post_tagged_with_the_queries_it_matches(tmp_path):
    bulky = ListeningQuery.objects.create(name="Grofvuil", expression="grofvuil")

    assert "2 created, 0 duplicates" in run(write(tmp_path, TWEET, "", COMMENT))

    tweet = Mention.objects.get(channel="x")
    assert tweet.external_id == TWEET["external_id"] and tweet.text == TWEET["text"]
    assert (tweet.author, tweet.author_id, tweet.url) == ("pijpbewoner", "1700000000000000011", TWEET["url"])
    assert tweet.posted_at == datetime(2026, 11, 20, 14, 5, tzinfo=UTC)
    assert list(tweet.queries.all()) == [bulky]
    comment = Mention.objects.get(channel="facebook")
    assert comment.posted_at == datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
    assert (comment.author, comment.author_id, comment.url, comment.context) == (
        "Fatima de Vries",
        "",
        "",
        {},
    )


def test_an_imported_post_is_queued_for_enrichment(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        run(write(tmp_path, TWEET))

    assert len(queued) == 1


def test_importing_twice_stores_nothing_new(tmp_path):
    path = write(tmp_path, TWEET, COMMENT)
    run(path)

    assert "0 created, 2 duplicates" in run(path)
    assert Mention.objects.count() == 2


def test_one_bad_line_refuses_the_whole_file_and_says_where(tmp_path):
    naive = TWEET | {"external_id": "2", "created_at": "2026-11-20T14:05:00"}
    private = COMMENT | {"external_id": "3", "channel": "whatsapp", "url": "javascript:alert(1)"}
    incomplete = {key: value for key, value in TWEET.items() if key not in ("text", "author")}
    path = write(tmp_path, TWEET, naive, "{not json", private, incomplete | {"external_id": ""}, "[1, 2]")

    with pytest.raises(CommandError) as refused:
        run(path)

    message = str(refused.value)
    assert "nothing was stored" in message
    assert "line 2: created_at must be an ISO 8601 time with its UTC offset" in message
    assert "line 3: not JSON" in message
    assert "line 4: channel must be one of x, facebook, instagram, not 'whatsapp'" in message
    assert "line 4: url must be an http(s) link" in message
    assert "line 5: text is missing" in message and "line 5: author is missing" in message
    assert "line 5: external_id must be a non-empty string" in message
    assert "line 6: not a JSON object" in message
    assert "line 1:" not in message
    assert not Mention.objects.exists()


def test_numeric_ids_are_read_as_text(tmp_path):
    run(write(tmp_path, TWEET | {"external_id": 1861234567890123457}))

    assert Mention.objects.get().external_id == "1861234567890123457"


def test_a_missing_file_is_an_error_not_a_traceback(tmp_path):
    with pytest.raises(CommandError, match="mentions.jsonl"):
        run(tmp_path / "mentions.jsonl")
