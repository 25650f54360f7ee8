import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webcare.settings")

app = Celery("webcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(dispatch_uid="webcare.keep_connections")
@task_postrun.connect(dispatch_uid="webcare.keep_connections")
def keep_database_connections_as_requests_do(sender=None, **_kwargs) -> None:
    """A task treats its database connection as Django treats a request's: kept for CONN_MAX_AGE and
    closed when it has broken. Celery's own Django fixup would close it around every task (unless
    CELERY_DB_REUSE_MAX is set), and a new PostgreSQL session per task cost more than the task did."""
    if getattr(sender.request, "is_eager", False):
        return  # in the caller's transaction (tests, make run without a worker): not ours to close
    from django.db import close_old_connections

    close_old_connections()
