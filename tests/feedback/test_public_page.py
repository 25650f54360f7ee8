"""The public status page at /volg/<token>/: what a resident sees of their suggestion, without login.

The page speaks Dutch by default and its words are translated later, so these tests read data, ids,
data attributes and the model's own status labels, not the page's sentences.
"""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from feedback import services
from feedback.models import Kind, Suggestion, SuggestionEvent
from feedback.workflow import Status
from tests.factories import conversation

pytestmark = pytest.mark.django_db

RESIDENT = "Sanne de Vries"
PHONE = "+31687654321"
MESSAGE = "Zet een bankje bij de speeltuin in de Vondelstraat, mijn oma kan daar nergens zitten."
SUMMARY = "Een bankje bij de speeltuin in de Vondelstraat"
DECISION = "We zetten in het voorjaar twee bankjes bij de speeltuin."


def record(agent, department, *, kind: str = Kind.SUGGESTION) -> Suggestion:
    """A suggestion as the desk records it: from a resident's WhatsApp conversation."""
    talk = conversation(MESSAGE, sender_name=RESIDENT, sender_id=PHONE)
    return services.record(
        agent=agent, conversation_id=talk.pk, summary=SUMMARY, department_id=department.pk, kind=kind
    )


def planned(suggestion: Suggestion, actor) -> Suggestion:
    for status in (Status.FORWARDED, Status.UNDER_CONSIDERATION):
        services.change_status(actor=actor, suggestion_id=suggestion.pk, status=status)
    return services.change_status(
        actor=actor, suggestion_id=suggestion.pk, status=Status.PLANNED, explanation=DECISION
    )


@pytest.fixture
def suggestion(eva, waste_department) -> Suggestion:
    return planned(record(eva, waste_department), eva)


def url(token: str, query: str = "") -> str:
    return reverse("public:status", args=[token]) + query


def page(client, token: str, query: str = "", **extra) -> tuple[int, str]:
    response = client.get(url(token, query), **extra)
    return response.status_code, response.content.decode()


def element(html: str, element_id: str) -> str:
    """The text inside the element with this id (without nested tags)."""
    found = re.search(rf'<([a-z0-9]+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert found, f"no element #{element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(2)).split())


def history(html: str) -> list[str]:
    section = re.search(r'<section id="history".*?</section>', html, re.S).group(0)
    return re.findall(r'<li class="event" data-status="([a-z_]+)"', section)


def label(status: str, language: str = "nl") -> str:
    with translation.override(language):
        return str(Status(status).label)


# --- What the page shows --------------------------------------------------------------------------


def test_resident_sees_summary_department_status_and_explanation(client, suggestion):
    status, html = page(client, suggestion.token)
    assert status == 200
    assert element(html, "summary") == SUMMARY
    assert element(html, "department") == "Afval"
    assert 'id="current-status" aria-labelledby="current-status-heading" data-status="planned"' in html
    assert element(html, "status").lower() == label(Status.PLANNED).lower()
    assert element(html, "explanation") == DECISION
    assert element(html, "status-meaning")


def test_history_lists_every_status_oldest_first_with_its_date(client, suggestion):
    first = SuggestionEvent.objects.get(suggestion=suggestion, to_status=Status.RECEIVED)
    first.created_at = timezone.now() - timedelta(days=30)
    first.save()
    html = page(client, suggestion.token)[1]
    assert history(html) == ["received", "forwarded", "under_consideration", "planned"]
    section = re.search(r'<section id="history".*?</section>', html, re.S).group(0)
    stamps = re.findall(r'<time datetime="([^"]+)">', section)
    assert len(stamps) == 4 and stamps == sorted(stamps)
    assert stamps[0].startswith(timezone.localtime(first.created_at).date().isoformat())
    assert DECISION in section  # the explanation given with the outcome


def test_kind_is_shown(client, eva, waste_department):
    complaint = record(eva, waste_department, kind=Kind.COMPLAINT)
    html = page(client, complaint.token)[1]
    assert 'data-kind="complaint"' in html
    with translation.override("nl"):
        assert element(html, "kind").lower() == str(Kind.COMPLAINT.label).lower()


def test_no_explanation_before_an_outcome(client, eva, waste_department):
    fresh = record(eva, waste_department)
    html = page(client, fresh.token)[1]
    assert 'data-status="received"' in html
    assert 'id="explanation"' not in html
    assert history(html) == ["received"]


def test_every_status_is_explained_for_the_resident(client, suggestion):
    html = page(client, suggestion.token)[1]
    section = re.search(r'<section id="status-meanings".*?</section>', html, re.S).group(0)
    assert re.findall(r'data-status="([a-z_]+)"', section) == Status.values
    assert section.count("<dd>") == len(Status.values)


# --- Nothing personal -----------------------------------------------------------------------------


def test_page_shows_nothing_personal(client, suggestion, eva):
    html = page(client, suggestion.token)[1]
    for personal in (RESIDENT, "Sanne", "Vries", PHONE, PHONE.lstrip("+"), MESSAGE, "oma", "Pieters"):
        assert personal not in html
    assert not re.search(r"\bEva\b|\^EP\b", html)
    assert "/inbox/" not in html and "/feedback/" not in html  # no link into the staff screens
    assert f'"{suggestion.pk}"' not in html  # no internal id in an attribute


def test_page_reads_no_resident_conversation_or_staff_data(client, suggestion):
    with CaptureQueriesContext(connection) as queries:
        assert page(client, suggestion.token)[0] == 200
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert len(queries.captured_queries) == 2  # the suggestion with its department; its history
    for private in ("feedback_suggestionreport", "feedback_residentnotice", "inbox_", "accounts_user"):
        assert private not in tables


# --- Unknown and malformed links -------------------------------------------------------------------


def test_unknown_token_is_a_friendly_404(client, suggestion):
    response = client.get(url("A" * 22))
    assert response.status_code == 404
    html = response.content.decode()
    assert html.startswith("<!doctype html>") and '<html lang="nl">' in html
    assert html.count("<h1") == 1 and "<main" in html and "<footer" in html
    assert SUMMARY not in html


def test_token_must_match_exactly(client, suggestion):
    for near in (suggestion.token.swapcase(), suggestion.token[:-1], suggestion.token + "x"):
        assert client.get(url(near)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/volg/" + "a" * 500 + "/",
        "/volg/" + quote("tëken-met-ümlaut") + "/",
        "/volg/" + quote("令牌") + "/",
        "/volg/%00/",
        "/volg/%ff%fe/",
        "/volg/abc%20def/",
        "/volg/" + quote("' OR '1'='1") + "/",
        "/volg/..%2f..%2fetc%2fpasswd/",
        "/volg/%25/",
    ],
)
def test_malformed_token_is_a_404_without_asking_the_database(client, suggestion, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 404
    assert not [q for q in queries.captured_queries if "feedback_suggestion" in q["sql"]]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_reading_is_allowed(client, suggestion, method):
    assert getattr(client, method)(url(suggestion.token)).status_code == 405


def test_head_is_allowed(client, suggestion):
    assert client.head(url(suggestion.token)).status_code == 200


# --- Headers, cookies, layout ---------------------------------------------------------------------


@pytest.mark.parametrize("found", [True, False])
def test_privacy_headers(client, suggestion, found):
    response = client.get(url(suggestion.token if found else "B" * 22))
    assert response.status_code == (200 if found else 404)
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache
    assert "script-src" not in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert '<meta name="referrer" content="no-referrer">' in html


@pytest.mark.parametrize("query", ["", "?lang=en", "?lang=nl"])
def test_page_sets_no_cookie(client, suggestion, query):
    assert not client.get(url(suggestion.token, query)).cookies
    assert not client.get(url("C" * 22, query)).cookies


def test_page_sets_no_cookie_for_a_signed_in_colleague_either(client, suggestion, eva):
    client.force_login(eva)
    response = client.get(url(suggestion.token, "?lang=en"))
    assert response.status_code == 200
    assert not response.cookies


@pytest.mark.parametrize("found", [True, False])
def test_page_has_no_script_and_no_staff_layout(client, suggestion, eva, found):
    client.force_login(eva)  # even a colleague gets the public page
    html = page(client, suggestion.token if found else "D" * 22)[1]
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    assert "<form" not in html  # no log-out, no language form: nothing that needs a session
    assert "shortcuts" not in html and "app.js" not in html and "app.css" not in html
    assert "public.css" in html


def test_page_is_built_for_assistive_technology(client, suggestion):
    html = page(client, suggestion.token)[1]
    assert html.count("<h1") == 1
    for landmark in ("<header", '<main id="main"', "<footer"):
        assert html.count(landmark) == 1
    assert 'class="skip-link" href="#main"' in html
    assert 'aria-label="' in re.search(r'<nav[^>]*id="language-switch"', html).group(0)
    received = re.search(r'<dd id="received"><time datetime="([^"]+)">', html).group(1)
    assert received.startswith(timezone.localtime(suggestion.created_at).date().isoformat())


# --- Language -------------------------------------------------------------------------------------


def test_dutch_by_default_whatever_the_browser_prefers(client, suggestion):
    response = client.get(url(suggestion.token), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="nl">' in response.content.decode()
    assert response["Content-Language"] == "nl"


def test_language_switch_by_link(client, suggestion):
    html = page(client, suggestion.token)[1]
    assert 'href="?lang=en" hreflang="en" lang="en"' in html
    assert re.search(r'href="\?lang=nl" hreflang="nl" lang="nl" aria-current="true"', html)

    response = client.get(url(suggestion.token, "?lang=en"))
    html = response.content.decode()
    assert '<html lang="en">' in html and response["Content-Language"] == "en"
    assert re.search(r'href="\?lang=en" hreflang="en" lang="en" aria-current="true"', html)
    assert element(html, "status").lower() == label(Status.PLANNED, "en").lower()
    assert element(html, "summary") == SUMMARY  # the data stays as written


def test_language_switch_remembers_nothing(client, suggestion):
    client.get(url(suggestion.token, "?lang=en"))
    assert '<html lang="nl">' in page(client, suggestion.token)[1]


@pytest.mark.parametrize("asked", ["fr", "EN", "", "en-us", "<script>"])
def test_unknown_language_falls_back_to_dutch(client, suggestion, asked):
    status, html = page(client, suggestion.token, "?lang=" + quote(asked))
    assert status == 200 and '<html lang="nl">' in html


def test_404_page_speaks_english_too(client):
    response = client.get(url("E" * 22, "?lang=en"))
    assert response.status_code == 404
    assert '<html lang="en">' in response.content.decode()
