"""Polling X, Facebook and Instagram for posts about the city: the real tweepy and pyfacebook clients
against the platform stand-in, cursors kept, duplicates skipped, rate limits waited out."""

import json
from datetime import timedelta

import pytest
import tweepy
from django.conf import settings as django_settings
from django.utils import timezone

from channels import clients
from channels.standin import graph_error, x_query_matches
from monitoring import services, sources, tasks
from monitoring.models import ListeningQuery, Mention, SourceCursor
from webcare.celery import app

pytestmark = pytest.mark.django_db

PAGE = "104857600123456"  # settings.META_PAGE_ID in tests/conftest.py
SEARCH = "/2/tweets/search/recent"


def listen(expression: str, name: str = "") -> ListeningQuery:
    return ListeningQuery.objects.create(name=name or expression[:100], expression=expression)


def searches(platforms) -> list[dict]:
    return [request.query for request in platforms.requests_to(SEARCH)]


def cursor(source: str) -> SourceCursor:
    return SourceCursor.objects.get(source=source)


# --- X --------------------------------------------------------------------------------------------


def test_x_search_stores_matching_posts_with_handle_link_and_thread_but_no_retweets(platforms):
    listening = listen("afval OR grofvuil")
    found = platforms.seed_x_post("Overal afval in de Pijp", "1700000000000000011", "pijpbewoner", "Pijp B.")
    platforms.seed_x_post("RT overal afval", "1700000000000000012", "doorgever", retweet=True)
    platforms.seed_x_post("Mooi weer vandaag", "1700000000000000013", "zonnig")

    assert sources.poll_sources()["x"] == 1

    mention = Mention.objects.get()
    assert (mention.channel, mention.external_id, mention.text) == ("x", found, "Overal afval in de Pijp")
    assert (mention.author, mention.author_id) == ("pijpbewoner", "1700000000000000011")
    assert mention.url == f"https://x.com/pijpbewoner/status/{found}"
    assert mention.thread_key == found
    assert list(mention.queries.all()) == [listening]
    (search,) = searches(platforms)
    assert search["query"] == "(afval OR grofvuil) -is:retweet"
    assert search["max_results"] == "100" and search["expansions"] == "author_id"
    assert {"created_at", "author_id", "conversation_id"} <= set(search["tweet.fields"].split(","))
    assert "since_id" not in search
    assert cursor(f"x:search:{listening.pk}").position.endswith(f":{found}")


def test_x_search_asks_only_for_what_is_newer_than_the_last_post(platforms):
    listen("grofvuil")
    first = platforms.seed_x_post("Grofvuil al dagen op de stoep", "1700000000000000021", "buur")
    assert sources.poll_sources()["x"] == 1
    second = platforms.seed_x_post("Nog steeds grofvuil", "1700000000000000021", "buur")

    assert sources.poll_sources()["x"] == 1
    assert sources.poll_sources()["x"] == 0

    assert [search.get("since_id") for search in searches(platforms)] == [None, first, second]
    assert set(Mention.objects.values_list("external_id", flat=True)) == {first, second}


def test_a_post_two_queries_find_is_stored_once_with_both_queries(platforms):
    waste, bulky = listen("afval"), listen("grofvuil")
    platforms.seed_x_post("Afval en grofvuil naast de container", "1700000000000000031", "buur")

    assert sources.poll_sources()["x"] == 1

    assert set(Mention.objects.get().queries.all()) == {waste, bulky}
    assert len(searches(platforms)) == 2


def test_posts_already_stored_are_skipped(platforms):
    listen("afval")
    platforms.seed_x_post("Afval bij de brug", "1700000000000000041", "buur")
    sources.poll_sources()
    SourceCursor.objects.all().delete()  # as if the cursor were lost: everything is read again

    assert sources.poll_sources()["x"] == 0
    assert Mention.objects.count() == 1


def test_a_long_result_is_read_page_by_page_and_a_backlog_continues_at_the_next_poll(platforms, monkeypatch):
    monkeypatch.setattr(sources, "X_PAGES", 2)
    listening = listen("afval")
    ids = [platforms.seed_x_post(f"Afval nummer {n}", "1700000000000000051", "buur") for n in range(250)]

    assert sources.poll_sources()["x"] == 200
    first, second = searches(platforms)
    assert "next_token" not in first and second["next_token"]
    position = cursor(f"x:search:{listening.pk}").position
    assert position.split(":")[1:] == ["", ids[-1], ids[50]]  # since, newest, oldest read

    assert sources.poll_sources()["x"] == 50
    backlog = searches(platforms)[2]
    assert backlog["until_id"] == ids[50] and "since_id" not in backlog and "next_token" not in backlog
    assert cursor(f"x:search:{listening.pk}").position.split(":")[1:] == [ids[-1]]

    newer = platforms.seed_x_post("Afval nummer 250", "1700000000000000051", "buur")
    assert sources.poll_sources()["x"] == 1
    assert searches(platforms)[3]["since_id"] == ids[-1]
    assert Mention.objects.count() == 251 and Mention.objects.filter(external_id=newer).exists()


def test_a_rate_limit_pauses_x_until_the_reset_time_then_polling_continues(platforms):
    listen("afval")
    listen("grofvuil")
    platforms.seed_x_post("Afval bij de brug", "1700000000000000061", "buur")
    platforms.fail_next(SEARCH, 429)
    now = timezone.now()

    assert sources.poll_sources(now=now)["x"] == 0

    assert len(searches(platforms)) == 1  # the second query is not even tried: the limit is per app
    limited = SourceCursor.objects.get(resume_at__isnull=False)
    assert now + timedelta(seconds=30) < limited.resume_at <= now + timedelta(seconds=65)
    assert "rate limit" in limited.last_error
    assert "x" not in sources.poll_sources(now=now + timedelta(seconds=30))
    assert len(searches(platforms)) == 1

    later = limited.resume_at + timedelta(seconds=1)
    assert sources.poll_sources(now=later)["x"] == 1
    assert len(searches(platforms)) == 3
    assert SourceCursor.objects.filter(resume_at__isnull=False).count() == 0
    assert not SourceCursor.objects.exclude(last_error="").exists()


def test_an_error_on_one_query_is_recorded_and_the_other_queries_go_on(platforms):
    broken, working = listen("afval", "A"), listen("grofvuil", "B")
    platforms.seed_x_post("Grofvuil in de gracht", "1700000000000000071", "buur")
    platforms.fail_next(SEARCH, 503)

    assert sources.poll_sources()["x"] == 1

    failed = cursor(f"x:search:{broken.pk}")
    assert failed.last_error.startswith("X answered 503") and failed.position == ""
    assert cursor(f"x:search:{working.pk}").last_error == ""
    assert Mention.objects.get().text == "Grofvuil in de gracht"


def test_a_changed_query_starts_its_search_over(platforms):
    listening = listen("afval")
    platforms.seed_x_post("Afval bij de brug", "1700000000000000081", "buur")
    sources.poll_sources()
    assert searches(platforms)[-1].get("since_id") is None
    sources.poll_sources()
    assert searches(platforms)[-1].get("since_id")

    listening.expression = "afval OR zwerfvuil"
    listening.save()
    sources.poll_sources()

    assert searches(platforms)[-1].get("since_id") is None
    assert searches(platforms)[-1]["query"] == "(afval OR zwerfvuil) -is:retweet"


def test_a_cursor_beyond_the_seven_days_of_recent_search_starts_over(platforms):
    listen("afval")
    platforms.seed_x_post("Afval bij de brug", "1700000000000000091", "buur")
    sources.poll_sources()

    sources.poll_sources(now=timezone.now() + timedelta(days=8))

    assert searches(platforms)[-1].get("since_id") is None  # X would refuse an id that old


def test_a_crash_while_storing_leaves_the_cursor_so_no_post_is_skipped(platforms, monkeypatch):
    listening = listen("afval")
    platforms.seed_x_post("Afval bij de brug", "1700000000000000101", "buur")

    def crash(posts, **kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patched:
        patched.setattr(services, "store", crash)
        assert sources.poll_sources()["x"] == 0
    failed = cursor(f"x:search:{listening.pk}")
    assert failed.position == "" and failed.last_error == "RuntimeError: database went away"

    assert sources.poll_sources()["x"] == 1
    assert searches(platforms)[-1].get("since_id") is None


def test_a_poll_that_overlaps_a_running_one_skips_the_source_until_the_first_is_done(platforms):
    listening = listen("afval")
    found = platforms.seed_x_post("Afval bij de brug", "1700000000000000111", "buur")
    now = timezone.now()
    SourceCursor.objects.create(source="x", leased_until=now + timedelta(minutes=5))  # a slow poll runs

    assert "x" not in sources.poll_sources(now=now)
    assert searches(platforms) == [] and not Mention.objects.exists()

    assert sources.poll_sources(now=now + timedelta(minutes=6))["x"] == 1  # done, or died: lease over
    assert cursor("x").leased_until is None  # given back at the end of the run
    assert cursor(f"x:search:{listening.pk}").position.endswith(f":{found}")


def test_x_is_not_polled_without_credentials(platforms, settings):
    listen("afval")
    settings.X_BEARER_TOKEN = settings.X_CONSUMER_KEY = settings.X_ACCESS_TOKEN = ""

    assert "x" not in sources.poll_sources()
    assert searches(platforms) == []


def test_with_only_the_accounts_tokens_x_is_searched_as_the_account(platforms, settings):
    listen("afval")
    settings.X_BEARER_TOKEN = ""

    sources.poll_sources()

    (request,) = platforms.requests_to(SEARCH)
    assert request.headers["authorization"].startswith("OAuth ")


def test_a_query_too_long_for_x_is_reported_on_its_cursor(platforms):
    listening = listen(" OR ".join(f"woord{n:03d}" for n in range(42)))  # 500 characters

    sources.poll_sources()

    assert searches(platforms) == []
    assert "X accepts 512" in cursor(f"x:search:{listening.pk}").last_error


# --- Facebook -------------------------------------------------------------------------------------


def feed_requests(platforms) -> list[dict]:
    return [request.query for request in platforms.requests_to(f"/{PAGE}/feed")]


def test_comments_on_the_pages_posts_are_stored_but_not_the_pages_own(platforms):
    now = timezone.now()
    post = platforms.seed_facebook_post(
        PAGE, "Vanaf maandag een nieuw afvalrooster", created_time=now - timedelta(days=1)
    )
    comment = platforms.seed_facebook_comment(
        post,
        "Wanneer komt de papierbak?",
        "6210000000000001",
        "Fatima de Vries",
        created_time=now - timedelta(hours=2),
    )
    reply = platforms.seed_facebook_comment(
        post,
        "Bij ons ook niet",
        "6210000000000002",
        "Jan Smit",
        created_time=now - timedelta(hours=1),
        parent_id=comment,
    )
    platforms.seed_facebook_comment(post, "Dinsdag, zie de afvalwijzer", PAGE, "Gemeente", created_time=now)
    platforms.seed_facebook_comment(post, "", "6210000000000003", "Alleen een sticker", created_time=now)

    assert sources.poll_sources(now=now)["facebook"] == 2

    first = Mention.objects.get(external_id=comment)
    assert (first.channel, first.text, first.author, first.author_id) == (
        "facebook",
        "Wanneer komt de papierbak?",
        "Fatima de Vries",
        "6210000000000001",
    )
    assert first.thread_key == post and first.url.startswith("https://www.facebook.com/")
    assert first.context == {"comment_id": comment, "post_id": post, "parent_id": ""}
    assert Mention.objects.get(external_id=reply).context["parent_id"] == comment
    (feed,) = feed_requests(platforms)
    assert int(feed["since"]) == int((now - timedelta(days=14)).timestamp())
    assert "comments.order(reverse_chronological).filter(stream)" in feed["fields"]


def test_facebook_comments_are_read_from_the_newest_seen_on(platforms):
    now = timezone.now()
    post = platforms.seed_facebook_post(PAGE, "Werkzaamheden Ring A10", created_time=now - timedelta(days=3))
    platforms.seed_facebook_comment(
        post, "Hoe lang duurt dit?", "6210000000000011", "Kees", created_time=now - timedelta(hours=3)
    )
    sources.poll_sources(now=now)
    newest = Mention.objects.get().posted_at
    assert cursor("facebook:comments").position == newest.isoformat()
    later = platforms.seed_facebook_comment(
        post, "En de omleiding?", "6210000000000012", "Mila", created_time=now + timedelta(minutes=2)
    )

    assert sources.poll_sources(now=now + timedelta(minutes=5))["facebook"] == 1

    overlap = timedelta(days=7, minutes=5)  # posts of the week before, and a little overlap
    assert int(feed_requests(platforms)[-1]["since"]) == int((newest - overlap).timestamp())
    assert Mention.objects.filter(external_id=later).exists() and Mention.objects.count() == 2


def test_a_post_with_many_comments_is_read_on_through_its_comment_pages(platforms):
    now = timezone.now()
    post = platforms.seed_facebook_post(PAGE, "Koningsdag", created_time=now - timedelta(days=1))
    for n in range(130):
        platforms.seed_facebook_comment(
            post,
            f"Reactie {n}",
            f"62100000000{n:05d}",
            f"Bewoner {n}",
            created_time=now - timedelta(minutes=200 - n),
        )

    assert sources.poll_sources(now=now)["facebook"] == 130

    (more,) = platforms.requests_to(f"/{post}/comments")
    assert more.query["after"] and more.query["order"] == "reverse_chronological"


def test_a_graph_rate_limit_pauses_facebook_for_as_long_as_meta_estimates(platforms):
    now = timezone.now()
    post = platforms.seed_facebook_post(PAGE, "Nieuwe parkeertarieven", created_time=now - timedelta(days=1))
    platforms.seed_facebook_comment(
        post, "Te duur!", "6210000000000021", "Piet", created_time=now - timedelta(hours=1)
    )
    usage = {
        PAGE: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 20,
                "total_time": 30,
                "estimated_time_to_regain_access": 12,
            }
        ]
    }
    platforms.fail_next(
        f"/{PAGE}/feed",
        400,
        graph_error(4, "(#4) Application request limit reached"),
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
    )

    assert sources.poll_sources(now=now)["facebook"] == 0
    assert cursor("facebook:comments").resume_at == now + timedelta(minutes=12)
    assert "facebook" not in sources.poll_sources(now=now + timedelta(minutes=5))
    assert len(feed_requests(platforms)) == 1

    assert sources.poll_sources(now=now + timedelta(minutes=13))["facebook"] == 1


def test_without_meta_s_estimate_a_rate_limit_pauses_for_a_quarter_of_an_hour(platforms):
    now = timezone.now()
    platforms.fail_next(f"/{PAGE}/feed", 429)  # Graph's code 4 in the stand-in's default error

    sources.poll_sources(now=now)

    assert cursor("facebook:comments").resume_at == now + timedelta(minutes=15)


def test_facebook_is_not_polled_without_a_page(platforms, settings):
    settings.META_PAGE_ID = ""

    assert "facebook" not in sources.poll_sources()
    assert platforms.requests_to("/feed") == []


# --- Instagram ------------------------------------------------------------------------------------


def test_media_the_city_is_tagged_in_are_stored_from_the_newest_seen_on(platforms):
    now = timezone.now()
    media = platforms.seed_instagram_tag(
        "Troep bij het Vondelpark @gemeente", "fietsfan", timestamp=now - timedelta(hours=1)
    )

    assert sources.poll_sources(now=now)["instagram"] == 1

    mention = Mention.objects.get()
    assert (mention.channel, mention.external_id, mention.author, mention.author_id) == (
        "instagram",
        media,
        "fietsfan",
        "@fietsfan",
    )
    assert mention.url == f"https://www.instagram.com/p/{media}/" and mention.context["media_id"] == media
    (tags,) = platforms.requests_to("/tags")
    assert set(tags.query["fields"].split(",")) == {"id", "caption", "timestamp", "username", "permalink"}
    assert cursor("instagram:tags").position == mention.posted_at.isoformat()

    newer = platforms.seed_instagram_tag(
        "Weer troep @gemeente", "fietsfan", timestamp=now + timedelta(minutes=1)
    )
    assert sources.poll_sources(now=now + timedelta(minutes=5))["instagram"] == 1
    assert Mention.objects.filter(external_id=newer).exists() and Mention.objects.count() == 2


def test_hashtag_media_are_kept_only_when_a_query_matches_them(platforms):
    listen("#amsterdam afval")
    listen("afval -#ajax")
    wanted = platforms.seed_instagram_hashtag_media("amsterdam", "Afval op de gracht #amsterdam")
    platforms.seed_instagram_hashtag_media("amsterdam", "Zonsondergang #amsterdam")

    assert sources.poll_sources()["instagram"] == 1

    mention = Mention.objects.get()
    assert mention.external_id == wanted and mention.author == mention.author_id == ""
    assert mention.context == {"media_id": wanted, "hashtag": "amsterdam"}
    (search,) = platforms.requests_to("/ig_hashtag_search")
    assert search.query["q"] == "amsterdam" and search.query["user_id"] == "17841400123456789"
    (recent,) = platforms.requests_to("/recent_media")
    assert recent.path.endswith(f"/{platforms.hashtag_id('amsterdam')}/recent_media")
    assert recent.query["user_id"] == "17841400123456789"
    assert cursor("instagram:hashtag:amsterdam").position.startswith(platforms.hashtag_id("amsterdam") + " ")
    assert not SourceCursor.objects.filter(
        source="instagram:hashtag:ajax"
    ).exists()  # left out, not looked for


def test_a_hashtags_id_is_looked_up_once_and_kept_in_its_cursor(platforms):
    listen("#amsterdam")
    platforms.seed_instagram_hashtag_media("amsterdam", "Grachten #amsterdam")
    sources.poll_sources()
    newer = platforms.seed_instagram_hashtag_media("amsterdam", "Nog meer grachten #amsterdam")

    assert sources.poll_sources()["instagram"] == 1

    assert len(platforms.requests_to("/ig_hashtag_search")) == 1
    assert len(platforms.requests_to("/recent_media")) == 2
    assert Mention.objects.filter(external_id=newer).exists()


def test_a_rate_limit_on_instagram_pauses_its_hashtags_too(platforms):
    listen("#amsterdam")
    platforms.fail_next("/tags", 429)
    now = timezone.now()

    assert sources.poll_sources(now=now)["instagram"] == 0

    assert platforms.requests_to("/ig_hashtag_search") == []
    assert "instagram" not in sources.poll_sources(now=now + timedelta(minutes=1))
    assert sources.poll_sources(now=now + timedelta(minutes=16))["instagram"] == 0
    assert len(platforms.requests_to("/ig_hashtag_search")) == 1


def test_instagram_is_not_polled_without_an_instagram_account(platforms, settings):
    listen("#amsterdam")
    settings.META_INSTAGRAM_ID = ""

    assert "instagram" not in sources.poll_sources()
    assert platforms.requests_to("/tags") == [] and platforms.requests_to("/ig_hashtag_search") == []


# --- All sources ----------------------------------------------------------------------------------


def test_one_source_failing_does_not_stop_the_others(platforms):
    now = timezone.now()
    listen("afval")
    platforms.seed_x_post("Afval bij de brug", "1700000000000000111", "buur")
    platforms.seed_instagram_tag("Afval @gemeente", "fietsfan", timestamp=now - timedelta(hours=1))
    platforms.fail_next(f"/{PAGE}/feed", 500)

    assert sources.poll_sources(now=now) == {"x": 1, "facebook": 0, "instagram": 1}

    assert cursor("facebook:comments").last_error.startswith("Meta answered code 2")
    assert cursor("facebook:comments").resume_at is None


def test_a_source_that_breaks_outright_is_logged_and_the_others_go_on(platforms, monkeypatch, caplog):
    listen("afval")
    platforms.seed_x_post("Afval bij de brug", "1700000000000000121", "buur")

    def broken():
        raise RuntimeError("no client")

    monkeypatch.setattr(sources.clients, "graph", broken)

    assert sources.poll_sources() == {"x": 1, "facebook": 0, "instagram": 0}
    assert "monitoring source facebook failed" in caplog.text


def test_the_beat_polls_the_sources_every_five_minutes_through_a_thin_task(platforms):
    entry = django_settings.CELERY_BEAT_SCHEDULE["monitoring-poll"]
    assert entry["task"] == "monitoring.poll_sources" and entry["schedule"].minute == set(range(0, 60, 5))
    assert "monitoring.poll_sources" in app.tasks
    listen("afval")
    platforms.seed_x_post("Afval bij de brug", "1700000000000000131", "buur")

    assert tasks.poll_sources() == {"x": 1, "facebook": 0, "instagram": 0}


def test_a_comment_that_shows_up_late_just_before_the_newest_read_is_still_stored(platforms):
    now = timezone.now()
    post = platforms.seed_facebook_post(PAGE, "Zwembad dicht", created_time=now - timedelta(days=1))
    platforms.seed_facebook_comment(
        post, "Waarom?", "6210000000000031", "Ali", created_time=now - timedelta(hours=1)
    )
    sources.poll_sources(now=now)
    late = platforms.seed_facebook_comment(
        post, "Tot wanneer?", "6210000000000032", "Eva", created_time=now - timedelta(hours=1, minutes=2)
    )

    assert sources.poll_sources(now=now + timedelta(minutes=5))["facebook"] == 1
    assert Mention.objects.filter(external_id=late).exists()


# --- The stand-in answers these reads as the platforms do -----------------------------------------


@pytest.mark.parametrize(
    ("query", "text", "found"),
    [
        ("afval", "Afval op straat", True),
        ("afval", "afvalcontainer vol", False),  # X matches whole words, no prefixes
        ("afval grofvuil", "afval en grofvuil", True),
        ("afval grofvuil", "alleen afval", False),
        ('"ajax amsterdam"', "Ajax Amsterdam wint", True),
        ('afval -"ajax amsterdam"', "afval bij Ajax Amsterdam", False),
        ("#amsterdam", "mooi #Amsterdam", True),
        ("#amsterdam", "mooi Amsterdam", False),
        ("@gemeente", "hoi @Gemeente", True),
        ("afval -(ajax OR psv)", "afval na PSV", False),
        ("afval lang:nl", "afval", True),  # operators the stand-in does not model match everything
    ],
)
def test_the_stand_in_matches_x_queries_as_x_does(query, text, found):
    assert x_query_matches(query, text) is found


def test_the_stand_in_leaves_retweets_out_only_where_the_query_says_so():
    assert not x_query_matches("(afval OR grofvuil) -is:retweet", "afval", retweet=True)
    assert x_query_matches("afval OR grofvuil -is:retweet", "afval", retweet=True)  # AND binds tighter
    assert x_query_matches("(afval OR grofvuil) -is:retweet", "afval", retweet=False)


def test_the_stand_in_refuses_what_x_refuses_and_keeps_instagram_to_its_last_day(platforms):
    with pytest.raises(tweepy.BadRequest, match="between 10 and 100"):
        clients.x().search_recent_tweets("afval", max_results=5)
    platforms.seed_instagram_hashtag_media(
        "amsterdam", "Oud #amsterdam", timestamp=timezone.now() - timedelta(days=2)
    )
    recent = clients.graph().get_connection(platforms.hashtag_id("amsterdam"), "recent_media", user_id="1")
    assert recent["data"] == []
