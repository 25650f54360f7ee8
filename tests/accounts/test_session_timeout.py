"""An idle session ends on the server; only what the user does keeps it alive, never polling."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db

POLL = {"HTTP_HX_REQUEST": "true", "HTTP_X_SESSION_PASSIVE": "1"}


@pytest.fixture
def clock():
    with time_machine.travel("2026-03-02 09:00 +01:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def working(client, eva, clock):
    """Eva, logged in and busy at the start of the day."""
    client.force_login(eva)
    assert client.get(reverse("inbox:queue")).status_code == 200
    return client


def test_a_session_ends_after_thirty_minutes_without_activity(working, clock):
    clock.shift(timedelta(minutes=31))
    response = working.get(reverse("inbox:queue"), follow=True)
    assert response.redirect_chain[0][0] == f"{reverse('login')}?next={reverse('inbox:queue')}"
    assert "U bent uitgelogd omdat u 30 minuten niets heeft gedaan" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_activity_keeps_the_session_alive(working, clock):
    for _ in range(4):
        clock.shift(timedelta(minutes=20))
        assert working.get(reverse("inbox:queue")).status_code == 200


def test_polling_does_not_keep_the_session_alive(working, clock):
    for _ in range(3):
        clock.shift(timedelta(minutes=9))
        assert working.get(reverse("inbox:queue"), **POLL).status_code == 200
    clock.shift(timedelta(minutes=4))
    ended = working.get(reverse("inbox:queue"), **POLL)
    assert ended.status_code == 204
    assert ended["HX-Redirect"] == reverse("login")  # the live queue takes the page to the log-in


def test_asking_for_the_time_left_does_not_extend_it(working, clock):
    clock.shift(timedelta(minutes=10))
    first = working.get(reverse("accounts:session-status")).json()["remaining"]
    clock.shift(timedelta(minutes=5))
    second = working.get(reverse("accounts:session-status")).json()["remaining"]
    assert second == first - 5 * 60


def test_stay_logged_in_restarts_the_clock(working, clock, settings):
    clock.shift(timedelta(minutes=29))
    response = working.post(reverse("accounts:session-keep-alive"))
    assert response.json()["remaining"] == settings.SESSION_IDLE_TIMEOUT
    clock.shift(timedelta(minutes=29))
    assert working.get(reverse("inbox:queue")).status_code == 200


def test_an_idle_api_session_gets_no_answer(working, clock):
    clock.shift(timedelta(minutes=31))
    assert working.get(reverse("api-conversations")).status_code in (401, 403)


def test_a_busy_session_still_ends_at_the_absolute_limit(client, eva, clock, settings):
    settings.SESSION_COOKIE_AGE = 60 * 60
    client.force_login(eva)
    for _ in range(3):
        assert client.get(reverse("inbox:queue")).status_code == 200
        clock.shift(timedelta(minutes=25))
    assert reverse("login") in client.get(reverse("inbox:queue"))["Location"]


def test_when_the_page_s_time_is_up_it_goes_to_the_log_in_page(working, clock):
    clock.shift(timedelta(minutes=31))
    next_path = reverse("inbox:queue")
    response = working.get(reverse("accounts:session-ended"), {"next": next_path}, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('login')}?next={next_path}"
    assert "U bent uitgelogd" in response.content.decode()


def test_when_another_tab_kept_the_session_alive_the_page_goes_back_to_work(working, clock):
    clock.shift(timedelta(minutes=20))
    next_path = reverse("inbox:queue")
    assert working.get(reverse("accounts:session-ended"), {"next": next_path})["Location"] == next_path


def test_the_session_ended_page_goes_nowhere_else(working):
    response = working.get(reverse("accounts:session-ended"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("persona", ["eva", "lotte", "ada", "dirk", "anna", "erik", None], indirect=True)
def test_everyone_has_a_session_clock(client, persona):
    if persona:
        client.force_login(persona)
    status = client.get(reverse("accounts:session-status"))
    keep_alive = client.post(reverse("accounts:session-keep-alive"))
    assert status.status_code == 200
    if persona is None:
        assert status.json()["remaining"] == 0
        assert keep_alive.status_code == 401
    else:
        assert status.json()["remaining"] > 0
        assert keep_alive.status_code == 200


def test_the_idle_clock_is_written_at_most_once_a_minute_not_on_every_click(working, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def writes_the_session() -> bool:
        with CaptureQueriesContext(connection) as queries:
            assert working.get(reverse("inbox:queue")).status_code == 200
        return any(q["sql"].startswith("UPDATE") and "django_session" in q["sql"] for q in queries)

    clock.shift(timedelta(seconds=30))
    assert not writes_the_session()  # a page and its panels a few seconds apart: no write
    clock.shift(timedelta(seconds=31))
    assert writes_the_session()
