"""Audit entries are appended and never changed or removed: not through Django, not in the database."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import Action, AppendOnly, AuditEntry
from audit.services import record

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")


@pytest.fixture
def entry(eva) -> AuditEntry:
    return record(Action.VIEWED, actor=eva, target=("contact", 7), summary="inbox:contact")


def test_a_saved_entry_cannot_be_saved_again(entry):
    entry.summary = "something else"
    with pytest.raises(AppendOnly):
        entry.save()
    assert AuditEntry.objects.get().summary == "inbox:contact"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnly):
        entry.delete()
    assert AuditEntry.objects.count() == 1


def test_entries_cannot_be_changed_or_deleted_in_bulk(entry):
    with pytest.raises(AppendOnly):
        AuditEntry.objects.update(summary="gone")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    entry.summary = "gone"
    with pytest.raises(AppendOnly):
        AuditEntry.objects.bulk_update([entry], ["summary"])
    assert AuditEntry.objects.get().summary == "inbox:contact"


def test_staff_with_entries_are_kept(entry, eva):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        eva.delete()


def _refused(sql: str, params=()) -> None:
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@on_postgresql
def test_postgresql_refuses_to_update_or_delete_an_entry_in_raw_sql(entry):
    _refused("UPDATE audit_auditentry SET summary = 'gone' WHERE id = %s", [entry.pk])
    _refused("UPDATE audit_auditentry SET actor_id = NULL")
    _refused("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get().summary == "inbox:contact"


@on_postgresql
def test_postgresql_refuses_to_truncate_the_log(entry):
    # tests/conftest.py switches this trigger off in the test database, where Django truncates
    # tables between tests; switched on again here, inside a transaction that is rolled back.
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_no_truncate")
        cursor.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == 1


@on_postgresql
def test_postgresql_still_takes_new_entries(entry, eva):
    record(Action.LOGGED_OUT, actor=eva)
    assert AuditEntry.objects.count() == 2
