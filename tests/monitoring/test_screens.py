"""The monitoring screens in the browser's HTML: the mentions feed and answering from it, the listening
queries with their preview and switch, the spike alerts, and who may see what. The UI speaks Dutch by
default, so these tests read ids, data attributes and status codes, not words."""

import itertools
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inbox.models import Conversation, Topic
from monitoring.models import ListeningQuery, Mention, SpikeAlert

pytestmark = pytest.mark.django_db

_ids = itertools.count(1)

COMPLAINT = "Al drie weken staat de container in de Pijp vol, wanneer wordt die geleegd?"
PRAISE = "Wat een mooie nieuwe bankjes op het Museumplein, complimenten!"
FOOTBALL = "Ajax Amsterdam wint weer, heerlijk!"


def mention(
    text: str = COMPLAINT,
    *,
    channel: str = "x",
    posted: timedelta = timedelta(hours=1),
    topic: str | None = "waste_collection",
    sentiment: str = "negative",
    needs_answer: bool = True,
    relevant: bool = True,
    district: str = "Zuid",
    author: str = "pijpbewoner",
    author_id: str | None = None,
    url: str | None = None,
    thread_key: str | None = None,
    queries: tuple[ListeningQuery, ...] = (),
    **extra,
) -> Mention:
    """A stored post, enriched as the enrichment would have left it, posted `posted` ago."""
    number = next(_ids)
    now = timezone.now()
    found = Mention.objects.create(
        channel=channel,
        external_id=f"post-{number}",
        text=text,
        author=author,
        author_id=f"17000000000{number:05d}" if author_id is None else author_id,
        url=f"https://x.com/{author}/status/{number}" if url is None else url,
        thread_key=f"thread-{number}" if thread_key is None else thread_key,
        posted_at=now - posted,
        expires_at=now + timedelta(days=30),
        language="nl",
        sentiment=sentiment,
        topic=Topic.objects.get(slug=topic) if topic else None,
        district=district,
        needs_answer=needs_answer,
        relevant=relevant,
        enriched_at=now,
        **extra,
    )
    found.queries.set(queries)
    return found


def rows(html: str, what: str = "mention") -> list[int]:
    """The ids in the list's rows, in order."""
    return [int(pk) for pk in re.findall(rf'data-{what}="(\d+)"', html)]


def feed(client, **params) -> str:
    response = client.get(reverse("monitoring:feed"), params)
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


# --- The feed ----------------------------------------------------------------------------------------


def test_the_feed_shows_relevant_mentions_newest_first_with_their_labels(client, eva):
    old = mention(PRAISE, posted=timedelta(hours=5), sentiment="positive", needs_answer=False, topic=None)
    new = mention(COMPLAINT, posted=timedelta(minutes=5))
    football = mention(FOOTBALL, relevant=False, topic=None, sentiment="positive", needs_answer=False)
    client.force_login(eva)

    html = feed(client)

    assert rows(html) == [new.pk, old.pk]
    assert 'data-count="2"' in html
    row = re.search(rf'<tr id="mention-{new.pk}".*?</tr>', html, re.S).group(0)
    assert 'data-sentiment="negative"' in row and 'data-needs-answer="1"' in row
    assert 'data-topic="waste_collection"' in row
    assert "Afvalinzameling" in row  # the topic by name, not by colour
    assert "Zuid" in row  # the district
    assert "@pijpbewoner" in row
    assert f'href="{new.url}"' in row  # the post on its platform
    assert f'action="{reverse("monitoring:answer", args=[new.pk])}"' in row

    assert rows(feed(client, everything="on")) == [new.pk, football.pk, old.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"topic": "waste_collection"}, ["complaint"]),
        ({"sentiment": "positive"}, ["praise", "old"]),
        ({"needs_answer": "on"}, ["complaint"]),
        ({"channel": "facebook"}, ["praise"]),
        ({"period": "24h"}, ["complaint", "praise"]),
        ({"period": "7d"}, ["complaint", "praise", "old"]),
        ({"period": "30d"}, ["complaint", "praise", "old", "older"]),
        ({"query": "bulky"}, ["old"]),
        ({"sentiment": "positive", "period": "24h"}, ["praise"]),
    ],
)
def test_the_feed_filters(client, eva, params, expected):
    bulky = ListeningQuery.objects.create(name="Grofvuil", expression="grofvuil")
    made = {
        "complaint": mention(COMPLAINT, posted=timedelta(minutes=10)),
        "praise": mention(
            PRAISE,
            channel="facebook",
            posted=timedelta(hours=2),
            topic="street_furniture",
            sentiment="positive",
            needs_answer=False,
        ),
        "old": mention(
            "Grofvuil netjes opgehaald, top!",
            posted=timedelta(days=3),
            topic="litter",
            sentiment="positive",
            needs_answer=False,
            queries=(bulky,),
        ),
        "older": mention(
            "Lantaarnpaal doet het nog steeds niet",
            posted=timedelta(days=20),
            topic="lighting",
            needs_answer=False,
        ),
    }
    if params.get("query"):
        params = {**params, "query": bulky.pk}
    client.force_login(eva)

    assert rows(feed(client, **params)) == [made[name].pk for name in expected]


def test_invalid_filters_show_nothing_and_say_so(client, eva):
    mention()
    client.force_login(eva)
    html = feed(client, topic="no-such-topic")
    assert rows(html) == []
    assert 'id="filter-errors"' in html


def test_htmx_gets_the_rows_and_the_count_only(client, eva):
    shown = mention(posted=timedelta(minutes=5))
    mention(PRAISE, sentiment="positive", needs_answer=False)
    client.force_login(eva)

    response = client.get(reverse("monitoring:feed"), {"needs_answer": "on"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert rows(html) == [shown.pk]
    assert re.search(r'<p id="feed-count" hx-swap-oob="innerHTML">\s*<span data-count="1">', html)


def test_the_feed_pages_by_fifty_and_keeps_the_filters(client, eva):
    for minutes in range(55):
        mention(posted=timedelta(minutes=minutes + 1))
    client.force_login(eva)

    first = feed(client, needs_answer="on")
    assert len(rows(first)) == 50
    assert "?needs_answer=on&amp;page=2" in first
    assert len(rows(feed(client, needs_answer="on", page=2))) == 5


def test_the_feed_asks_the_database_the_same_number_of_times_for_one_row_or_many(client, eva):
    mention()
    client.force_login(eva)
    feed(client)  # warm up: session, content types
    with CaptureQueriesContext(connection) as few:
        feed(client)
    for _ in range(20):
        mention(topic="litter")
    with CaptureQueriesContext(connection) as many:
        feed(client)
    assert len(many) == len(few)


def test_a_post_link_that_is_not_a_web_address_is_not_shown(client, eva):
    strange = mention(url="javascript:alert(1)")
    client.force_login(eva)
    row = re.search(rf'<tr id="mention-{strange.pk}".*?</tr>', feed(client), re.S).group(0)
    assert "javascript:" not in row and "data-post-link" not in row


# --- Answering from the feed ------------------------------------------------------------------------


def test_agent_turns_a_mention_into_a_conversation_that_is_theirs(client, eva):
    post = mention(author_id="1700000000000000011")
    client.force_login(eva)

    response = client.post(reverse("monitoring:answer", args=[post.pk]))

    post.refresh_from_db()
    talk = Conversation.objects.get()
    assert post.conversation_id == talk.pk
    assert response.status_code == 302
    assert response.url == reverse("inbox:conversation", args=[talk.pk])
    assert (talk.channel, talk.is_public, talk.assigned_to) == ("x", True, eva)
    assert talk.messages.get().text == COMPLAINT

    # In the feed the mention now links to its conversation instead of offering an answer.
    row = re.search(rf'<tr id="mention-{post.pk}".*?</tr>', feed(client), re.S).group(0)
    assert f'data-conversation="{talk.pk}"' in row
    assert f'href="{reverse("inbox:conversation", args=[talk.pk])}"' in row
    assert reverse("monitoring:answer", args=[post.pk]) not in row


def test_answering_a_mention_twice_goes_to_the_same_conversation(client, eva):
    post = mention()
    client.force_login(eva)
    first = client.post(reverse("monitoring:answer", args=[post.pk]))
    second = client.post(reverse("monitoring:answer", args=[post.pk]))
    assert first.url == second.url
    assert Conversation.objects.count() == 1


def test_a_mention_without_an_author_to_answer_stays_in_the_feed_with_the_reason(client, eva):
    post = mention(author_id="")
    client.force_login(eva)
    back = reverse("monitoring:feed") + "?needs_answer=on"

    response = client.post(reverse("monitoring:answer", args=[post.pk]), {"next": back})

    assert response.status_code == 302
    assert response.url == back  # the feed as the agent filtered it
    assert messages_of(response)
    assert not Conversation.objects.exists()
    post.refresh_from_db()
    assert post.conversation_id is None


@pytest.mark.parametrize("found_by", [{"tagged": True}, {"hashtag": "amsterdam"}])
def test_instagram_media_found_by_a_photo_tag_or_hashtag_cannot_be_answered_from_the_desk(
    client, eva, found_by
):
    """Instagram allows no comment on a photo the account is tagged in, nor on hashtag media."""
    post = mention(channel="instagram", author_id="@fotograaf", context={"media_id": "1790001", **found_by})
    client.force_login(eva)

    feed = client.get(reverse("monitoring:feed")).content.decode()
    row = feed[feed.index(f'id="mention-{post.pk}"') :]
    assert "data-unanswerable" in row[: row.index("</tr>")]
    response = client.post(reverse("monitoring:answer", args=[post.pk]))

    assert "kan dit bericht niet op het platform beantwoorden" in messages_of(response)[0]
    assert not Conversation.objects.exists()
    commented = mention(
        channel="instagram", author_id="@buurman", context={"media_id": "1790002", "comment_id": "1"}
    )
    assert commented.can_be_answered


def test_answering_returns_only_to_this_site(client, eva):
    post = mention(author_id="")
    client.force_login(eva)
    response = client.post(reverse("monitoring:answer", args=[post.pk]), {"next": "https://evil.example/"})
    assert response.url == reverse("monitoring:feed")


def test_answering_a_post_whose_thread_a_colleague_has_says_so(client, eva, bram):
    first = mention(author_id="1700000000000000042")
    client.force_login(bram)
    client.post(reverse("monitoring:answer", args=[first.pk]))
    # The same author in the same thread: the same conversation, which bram has.
    second = mention(
        "En nog steeds niet geleegd!", author_id="1700000000000000042", thread_key=first.thread_key
    )
    client.force_login(eva)

    response = client.post(reverse("monitoring:answer", args=[second.pk]))

    assert response.status_code == 302 and response.url == reverse("monitoring:feed")
    assert messages_of(response)
    second.refresh_from_db()
    assert second.conversation_id is None


def test_answering_is_a_post(client, eva):
    post = mention()
    client.force_login(eva)
    assert client.get(reverse("monitoring:answer", args=[post.pk])).status_code == 405
    assert client.post(reverse("monitoring:answer", args=[999_999])).status_code == 404


# --- Listening queries -------------------------------------------------------------------------------


def test_the_queries_list_shows_what_each_query_caught_this_week(client, eva):
    bulky = ListeningQuery.objects.create(
        name="Grofvuil", expression="grofvuil", topic=Topic.objects.get(slug="litter")
    )
    lamps = ListeningQuery.objects.create(name="Lantaarns", expression="lantaarn", is_active=False)
    mention("grofvuil", queries=(bulky,))
    mention("grofvuil", queries=(bulky,), posted=timedelta(days=2))
    mention("grofvuil", queries=(bulky,), posted=timedelta(days=8))  # before this week
    client.force_login(eva)

    html = client.get(reverse("monitoring:queries")).content.decode()

    assert re.search(rf'id="query-{bulky.pk}" data-query="{bulky.pk}" data-active="1" data-caught="2"', html)
    assert re.search(rf'id="query-{lamps.pk}" data-query="{lamps.pk}" data-active="0" data-caught="0"', html)
    assert "Zwerfafval en grofvuil" in html
    # An agent reads; only a lead changes.
    assert reverse("monitoring:query-new") not in html
    assert reverse("monitoring:query-edit", args=[bulky.pk]) not in html
    assert reverse("monitoring:query-toggle", args=[bulky.pk]) not in html


def test_the_queries_list_flags_a_query_that_cannot_be_read(client, lotte):
    broken = ListeningQuery.objects.create(name="Kapot", expression='"open quote')
    client.force_login(lotte)
    html = client.get(reverse("monitoring:queries")).content.decode()
    row = re.search(rf'<tr id="query-{broken.pk}".*?</tr>', html, re.S).group(0)
    assert "data-problem" in row
    assert reverse("monitoring:query-edit", args=[broken.pk]) in row


def test_lead_creates_a_query(client, lotte):
    client.force_login(lotte)
    form = client.get(reverse("monitoring:query-new")).content.decode()
    textarea = re.search(r'<textarea [^>]*name="expression"[^>]*>', form).group(0)
    assert f'hx-get="{reverse("monitoring:query-preview")}"' in textarea
    assert 'hx-trigger="keyup changed delay:400ms' in textarea
    assert 'aria-describedby="id_expression_helptext"' in textarea

    response = client.post(
        reverse("monitoring:query-new"),
        {
            "name": "Afval",
            "expression": "afval AND (container OR kliko)",
            "topic": Topic.objects.get(slug="waste_collection").pk,
            "is_active": "on",
        },
    )

    assert response.status_code == 302 and response.url == reverse("monitoring:queries")
    saved = ListeningQuery.objects.get()
    assert (saved.name, saved.expression, saved.topic.slug, saved.is_active, saved.created_by) == (
        "Afval",
        "afval AND (container OR kliko)",
        "waste_collection",
        True,
        lotte,
    )


@pytest.mark.parametrize("expression", ['afval AND "container', "afval AND", "NOT afval", "(afval"])
def test_a_query_that_cannot_be_read_is_not_saved_and_the_field_says_why(client, lotte, expression):
    client.force_login(lotte)

    response = client.post(
        reverse("monitoring:query-new"), {"name": "Afval", "expression": expression, "is_active": "on"}
    )

    assert response.status_code == 200
    assert not ListeningQuery.objects.exists()
    html = response.content.decode()
    assert 'id="form-errors"' in html
    textarea = re.search(r'<textarea [^>]*name="expression"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in textarea
    assert "id_expression_error" in textarea  # the message is linked to the field
    assert re.search(r'<ul class="errorlist" id="id_expression_error"><li>[^<]+</li></ul>', html)


def test_lead_edits_a_query_and_a_bad_expression_leaves_it_as_it_was(client, lotte):
    bulky = ListeningQuery.objects.create(name="Grofvuil", expression="grofvuil")
    client.force_login(lotte)
    url = reverse("monitoring:query-edit", args=[bulky.pk])

    assert client.get(url).status_code == 200
    bad = client.post(url, {"name": "Grofvuil", "expression": "grofvuil OR", "is_active": "on"})
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.content.decode()
    bulky.refresh_from_db()
    assert bulky.expression == "grofvuil"

    good = client.post(
        url, {"name": "Grofvuil en bankstellen", "expression": "grofvuil OR bankstel", "is_active": ""}
    )
    assert good.status_code == 302
    bulky.refresh_from_db()
    assert (bulky.name, bulky.expression, bulky.is_active) == (
        "Grofvuil en bankstellen",
        "grofvuil OR bankstel",
        False,
    )


def preview(client, expression: str) -> str:
    response = client.get(
        reverse("monitoring:query-preview"), {"expression": expression}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_preview_finds_the_posts_of_the_last_month_a_query_matches(client, lotte):
    container = mention("De container bij ons is weer vol")
    kliko = mention("Onze kliko is niet geleegd", posted=timedelta(days=2), relevant=False)
    mention("Container vol maar dat is in Utrecht", posted=timedelta(days=40))  # too old
    mention("Het afval ligt op straat")  # no container
    client.force_login(lotte)

    html = preview(client, "container OR kliko")

    assert "<html" not in html
    assert rows(html) == [container.pk, kliko.pk]
    assert 'data-preview-count="2"' in html
    assert 'id="query-preview-status" hx-swap-oob="innerHTML"' in html


def test_the_preview_finds_nothing_when_nothing_matches(client, lotte):
    mention("De container bij ons is weer vol")
    client.force_login(lotte)
    html = preview(client, "container NOT vol")
    assert rows(html) == []
    assert 'data-preview-count="0"' in html


def test_the_preview_shows_twenty_and_counts_all(client, lotte):
    for minutes in range(25):
        mention(f"Container {minutes} is vol", posted=timedelta(minutes=minutes + 1))
    client.force_login(lotte)
    html = preview(client, "container")
    assert len(rows(html)) == 20
    assert 'data-preview-count="25"' in html


def test_the_preview_says_what_is_wrong_with_a_query(client, lotte):
    client.force_login(lotte)
    html = preview(client, '"container')
    assert "data-preview-error" in html
    assert rows(html) == []


def test_the_preview_works_without_javascript(client, lotte):
    container = mention("De container bij ons is weer vol")
    client.force_login(lotte)

    page = client.get(reverse("monitoring:query-preview"), {"expression": "container"}).content.decode()
    assert "<html" in page and rows(page) == [container.pk]

    # From the form: the Preview button shows what it would catch, keeps what was typed, saves nothing.
    response = client.post(
        reverse("monitoring:query-new"), {"name": "", "expression": "container", "preview": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(html) == [container.pk]
    assert not ListeningQuery.objects.exists()
    assert 'id="form-errors"' not in html  # no "name required" for a preview
    assert re.search(r'<textarea [^>]*name="expression"[^>]*>\s*container</textarea>', html)


def test_editing_a_query_shows_what_it_catches(client, lotte):
    bulky = ListeningQuery.objects.create(name="Grofvuil", expression="grofvuil")
    found = mention("Grofvuil op de stoep")
    client.force_login(lotte)
    html = client.get(reverse("monitoring:query-edit", args=[bulky.pk])).content.decode()
    assert rows(html) == [found.pk]


def test_lead_switches_a_query_off_and_on(client, lotte):
    bulky = ListeningQuery.objects.create(name="Grofvuil", expression="grofvuil")
    client.force_login(lotte)
    url = reverse("monitoring:query-toggle", args=[bulky.pk])

    html = client.get(reverse("monitoring:queries")).content.decode()
    assert f'action="{url}"' in html

    response = client.post(url, {"is_active": "0"})
    assert response.status_code == 302 and response.url == reverse("monitoring:queries")
    bulky.refresh_from_db()
    assert not bulky.is_active
    client.post(url, {"is_active": "0"})  # twice off is still off
    bulky.refresh_from_db()
    assert not bulky.is_active
    client.post(url)  # no state given: the other one
    bulky.refresh_from_db()
    assert bulky.is_active


# --- Spike alerts ------------------------------------------------------------------------------------


def alert(
    topic: str = "waste_collection",
    *,
    hours_ago: int = 1,
    count: int = 34,
    expected: float = 5.2,
    examples=(),
):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_ago)
    made = SpikeAlert.objects.create(
        topic=Topic.objects.get(slug=topic), hour=hour, count=count, expected=expected
    )
    made.examples.set(examples)
    return made


def test_lead_sees_alerts_newest_first_with_counts_and_examples(client, lotte):
    example = mention("Container vol!")
    older = alert("litter", hours_ago=5)
    newer = alert(examples=[example])
    client.force_login(lotte)

    html = client.get(reverse("monitoring:alerts")).content.decode()

    assert rows(html, "alert") == [newer.pk, older.pk]
    row = re.search(rf'<tr id="alert-{newer.pk}".*?</tr>', html, re.S).group(0)
    assert 'data-count="34"' in row and 'data-seen="0"' in row
    assert re.search(r"34\D+5\b", row)  # 34 where about 5 are usual
    assert f'data-mention="{example.pk}"' in row
    assert f'href="{example.url}"' in row


def test_the_nav_counts_unseen_alerts_for_leads(client, lotte, eva):
    alert()
    alert("litter", hours_ago=3)
    client.force_login(lotte)
    assert 'id="nav-alerts" data-unseen="2"' in client.get(reverse("monitoring:feed")).content.decode()
    client.force_login(eva)
    assert 'id="nav-alerts"' not in client.get(reverse("monitoring:feed")).content.decode()


def test_lead_marks_an_alert_seen(client, lotte, ada):
    spike = alert()
    client.force_login(lotte)

    response = client.post(reverse("monitoring:alert-seen", args=[spike.pk]))

    assert response.status_code == 302
    spike.refresh_from_db()
    assert spike.seen_by == lotte
    html = client.get(reverse("monitoring:alerts")).content.decode()
    assert 'data-seen="1"' in html
    assert reverse("monitoring:alert-seen", args=[spike.pk]) not in html
    assert 'id="nav-alerts"' not in html

    # The first lead who saw it stays on record.
    client.force_login(ada)
    client.post(reverse("monitoring:alert-seen", args=[spike.pk]))
    spike.refresh_from_db()
    assert spike.seen_by == lotte


# --- Who may do what ---------------------------------------------------------------------------------

DESK = {"eva", "lotte", "ada"}
LEADS = {"lotte", "ada"}

# method, url name, needs a mention (m), query (q) or alert (a), who may
ENDPOINTS = [
    ("get", "monitoring:feed", None, DESK),
    ("post", "monitoring:answer", "m", DESK),
    ("get", "monitoring:queries", None, DESK),
    ("get", "monitoring:query-new", None, LEADS),
    ("post", "monitoring:query-new", None, LEADS),
    ("get", "monitoring:query-edit", "q", LEADS),
    ("post", "monitoring:query-edit", "q", LEADS),
    ("get", "monitoring:query-preview", None, LEADS),
    ("post", "monitoring:query-toggle", "q", LEADS),
    ("get", "monitoring:alerts", None, LEADS),
    ("post", "monitoring:alert-seen", "a", LEADS),
]


@pytest.mark.parametrize("persona", ["eva", "lotte", "ada", "dirk", "erik", "anna", None], indirect=True)
@pytest.mark.parametrize(("method", "name", "needs", "allowed"), ENDPOINTS)
def test_who_may_use_the_monitoring_screens(client, persona, method, name, needs, allowed):
    listening = ListeningQuery.objects.create(name="Grofvuil", expression="grofvuil")
    args = {
        "m": lambda: [mention().pk],
        "q": lambda: [listening.pk],
        "a": lambda: [alert().pk],
        None: lambda: [],
    }[needs]()
    url = reverse(name, args=args)
    if persona is not None:
        client.force_login(persona)

    response = getattr(client, method)(url)

    if persona is None:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    elif persona.username in allowed:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403


def test_the_nav_offers_monitoring_to_the_desk_only(client, eva, dirk):
    client.force_login(eva)
    assert f'href="{reverse("monitoring:feed")}"' in client.get(reverse("home"), follow=True).content.decode()
    client.force_login(dirk)
    assert (
        f'href="{reverse("monitoring:feed")}"'
        not in client.get(reverse("home"), follow=True).content.decode()
    )
