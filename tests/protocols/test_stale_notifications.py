"""Stale protocols are flagged by e-mail: editors get all of them, a department its own, once per period."""

import smtplib
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.mail import EmailMessage

from accounts.services import provision_user
from escalations.models import Department
from protocols import services, tasks
from protocols.models import Protocol
from protocols.notifications import notify_stale_protocols
from protocols.services import ProtocolContent, save_protocol
from protocols.workflow import Status
from webcare.celery import app

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 16)
LAST_MONTH = date(2026, 2, 27)
NEXT_MONTH = date(2026, 4, 15)


def make_protocol(
    key: str,
    *,
    department: str = "waste",
    review_by: date | None = LAST_MONTH,
    status: str = Status.PUBLISHED,
    title: str = "",
) -> Protocol:
    Department.objects.get_or_create(slug=department, defaults={"name": department.capitalize()})
    content = ProtocolContent(
        key=key,
        title=title or key.replace("-", " ").capitalize(),
        department=department,
        answers={"nl": "Hoi {first_name}, kijk op de website.", "en": "Hi {first_name}, see the website."},
        review_by=review_by,
    )
    return save_protocol(content, status=status)[0]


def move_review_date(protocol: Protocol, review_by: date) -> None:
    protocol.refresh_from_db()
    content = services.content_of(protocol)
    save_protocol(ProtocolContent(**{**content.__dict__, "review_by": review_by}))


def with_email(user, address: str):
    user.email = address
    user.save(update_fields=["email"])
    return user


def mail_to(mailoutbox, address: str) -> list[EmailMessage]:
    return [message for message in mailoutbox if message.to == [address]]


@pytest.fixture
def editor(erik):
    return with_email(erik, "erik@example.nl")


@pytest.fixture
def waste_member(dirk):
    return with_email(dirk, "dirk@example.nl")


@pytest.fixture
def parking_member(db):
    Department.objects.get_or_create(slug="parking", defaults={"name": "Parking"})
    user = provision_user(username="petra", role="department", department_slug="parking")
    return with_email(user, "petra@example.nl")


def test_editors_get_one_digest_with_every_stale_protocol(editor, mailoutbox):
    make_protocol("grofvuil-ophalen", title="Grofvuil laten ophalen")
    make_protocol("parkeervergunning", department="parking", title="Parkeervergunning aanvragen")
    make_protocol("afvalpas", review_by=NEXT_MONTH)

    report = notify_stale_protocols(today=TODAY)

    [message] = mailoutbox
    assert message.to == ["erik@example.nl"]
    assert message.from_email == django_settings.DEFAULT_FROM_EMAIL
    assert "2" in message.subject
    body = message.body
    for title, key in [
        ("Grofvuil laten ophalen", "grofvuil-ophalen"),
        ("Parkeervergunning aanvragen", "parkeervergunning"),
    ]:
        assert f"{title} ({key})" in body
        assert f"https://webcare.example.nl/protocols/{key}/" in body
    assert "27 februari 2026" in body  # the review-by date, in Dutch
    assert "afvalpas" not in body
    assert "https://webcare.example.nl/protocols/?stale=on" in body
    assert (report.protocols, report.sent, report.failed, report.notified) == (2, 1, 0, 2)


def test_department_members_get_only_their_own_departments_stale_protocols(
    editor, waste_member, parking_member, mailoutbox
):
    make_protocol("grofvuil-ophalen")
    make_protocol("afval-scheiden")
    make_protocol("parkeervergunning", department="parking")

    notify_stale_protocols(today=TODAY)

    assert len(mailoutbox) == 3  # one digest per person, however many protocols
    [waste] = mail_to(mailoutbox, "dirk@example.nl")
    assert "grofvuil-ophalen" in waste.body and "afval-scheiden" in waste.body
    assert "parkeervergunning" not in waste.body
    [parking] = mail_to(mailoutbox, "petra@example.nl")
    assert "parkeervergunning" in parking.body
    assert "grofvuil-ophalen" not in parking.body
    [everything] = mail_to(mailoutbox, "erik@example.nl")
    assert all(key in everything.body for key in ("grofvuil-ophalen", "afval-scheiden", "parkeervergunning"))


def test_a_department_without_stale_protocols_gets_nothing(editor, waste_member, parking_member, mailoutbox):
    make_protocol("parkeervergunning", department="parking")
    make_protocol("grofvuil-ophalen", review_by=NEXT_MONTH)

    notify_stale_protocols(today=TODAY)

    assert mail_to(mailoutbox, "dirk@example.nl") == []
    assert len(mail_to(mailoutbox, "petra@example.nl")) == 1


def test_nothing_is_sent_for_protocols_that_are_not_stale_or_are_retired(editor, waste_member, mailoutbox):
    make_protocol("later", review_by=NEXT_MONTH)
    make_protocol("vandaag", review_by=TODAY)  # due today is not overdue yet
    make_protocol("zonder-datum", review_by=None)
    make_protocol("ingetrokken", status=Status.RETIRED)

    report = notify_stale_protocols(today=TODAY)

    assert mailoutbox == []
    assert (report.protocols, report.sent, report.notified) == (0, 0, 0)
    assert not Protocol.objects.filter(stale_notified_on__isnull=False).exists()


def test_a_stale_protocol_is_notified_once(editor, mailoutbox):
    protocol = make_protocol("grofvuil-ophalen")

    notify_stale_protocols(today=TODAY)
    report = notify_stale_protocols(today=TODAY + timedelta(days=1))

    assert len(mailoutbox) == 1
    assert report.protocols == 0
    protocol.refresh_from_db()
    assert protocol.stale_notified_on == TODAY


def test_an_unrelated_edit_does_not_notify_again(editor, mailoutbox):
    protocol = make_protocol("grofvuil-ophalen")
    notify_stale_protocols(today=TODAY)
    content = services.content_of(protocol)
    save_protocol(ProtocolContent(**{**content.__dict__, "title": "Grofvuil laten ophalen"}))

    notify_stale_protocols(today=TODAY + timedelta(days=1))

    assert len(mailoutbox) == 1


def test_a_protocol_whose_new_review_date_passes_again_is_notified_again(editor, mailoutbox):
    protocol = make_protocol("grofvuil-ophalen")
    notify_stale_protocols(today=TODAY)
    move_review_date(protocol, TODAY + timedelta(days=10))

    notify_stale_protocols(today=TODAY + timedelta(days=5))  # not stale: the new date is ahead
    assert len(mailoutbox) == 1
    notify_stale_protocols(today=TODAY + timedelta(days=11))
    assert len(mailoutbox) == 2
    notify_stale_protocols(today=TODAY + timedelta(days=12))
    assert len(mailoutbox) == 2
    protocol.refresh_from_db()
    assert protocol.stale_notified_on == TODAY + timedelta(days=11)


def test_users_without_email_or_inactive_are_skipped(erik, dirk, mailoutbox):
    assert erik.email == "" and dirk.email == ""
    make_protocol("grofvuil-ophalen")
    gone = provision_user(username="oud-redacteur", role="editor")
    gone.email, gone.is_active = "oud@example.nl", False
    gone.save()
    agent = provision_user(username="agent-afval", role="agent", team_slug="webcare", department_slug="waste")
    with_email(agent, "agent@example.nl")  # not a department member, whatever the department field says

    report = notify_stale_protocols(today=TODAY)

    assert mailoutbox == []
    # Nobody was told, so the protocol waits for the first person who can be.
    assert report.notified == 0
    with_email(erik, "erik@example.nl")
    notify_stale_protocols(today=TODAY + timedelta(days=1))
    assert [message.to for message in mailoutbox] == [["erik@example.nl"]]


def test_an_editor_who_is_in_a_department_gets_one_digest_with_everything(editor, waste_member, mailoutbox):
    editor.department = waste_member.department
    editor.save(update_fields=["department"])
    make_protocol("grofvuil-ophalen")
    make_protocol("parkeervergunning", department="parking")

    notify_stale_protocols(today=TODAY)

    [message] = mail_to(mailoutbox, "erik@example.nl")
    assert "parkeervergunning" in message.body


def test_a_failed_digest_is_sent_again_in_the_next_run(editor, waste_member, mailoutbox, monkeypatch):
    protocol = make_protocol("grofvuil-ophalen")
    send = EmailMessage.send

    def refuse_erik(message, *args, **kwargs):
        if message.to == ["erik@example.nl"]:
            raise smtplib.SMTPRecipientsRefused({"erik@example.nl": (550, b"mailbox full")})
        return send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", refuse_erik)
    report = notify_stale_protocols(today=TODAY)
    assert (report.sent, report.failed, report.notified) == (1, 1, 0)
    protocol.refresh_from_db()
    assert protocol.stale_notified_on is None

    monkeypatch.setattr(EmailMessage, "send", send)
    notify_stale_protocols(today=TODAY + timedelta(days=1))
    assert [message.to for message in mailoutbox] == [
        ["dirk@example.nl"],
        ["erik@example.nl"],
        ["dirk@example.nl"],  # at least once: the department hears it again rather than erik never
    ]


def test_the_digest_is_plain_text_in_the_desks_language(editor, mailoutbox, settings):
    make_protocol("grofvuil-ophalen", title="Afval & grondstoffen <info>")
    settings.LANGUAGE_CODE = "en"

    notify_stale_protocols(today=TODAY)

    body = mailoutbox[0].body
    assert "Afval & grondstoffen <info>" in body  # not HTML-escaped
    assert "27 February 2026" in body
    assert mailoutbox[0].content_subtype == "plain"


def test_a_daily_beat_task_sends_the_digests(editor, mailoutbox):
    make_protocol("grofvuil-ophalen", review_by=date(2020, 1, 1))
    entry = django_settings.CELERY_BEAT_SCHEDULE["notify-stale-protocols"]
    assert entry["task"] == "protocols.notify_stale_protocols"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {0})
    app.loader.import_default_modules()  # what a worker does: autodiscovery finds protocols/tasks.py
    assert entry["task"] in app.tasks

    result = tasks.notify_stale_protocols.apply().get()

    assert result == {"protocols": 1, "sent": 1, "failed": 0, "notified": 1}
    assert len(mailoutbox) == 1
