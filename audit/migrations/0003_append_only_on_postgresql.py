"""On PostgreSQL the database itself refuses to change or remove audit entries.

The model and its queryset refuse through Django; these triggers also stop raw SQL, a database
console and a buggy migration. Whoever owns the table can still drop a trigger, a deliberate step
that itself shows in the database's own log. SQLite (development) has no such guard.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
"""

DROP = """
DROP TRIGGER audit_entry_no_truncate ON audit_auditentry;
DROP TRIGGER audit_entry_no_change ON audit_auditentry;
DROP FUNCTION audit_entry_append_only();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: RAISE has its own %

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_refused_action")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
