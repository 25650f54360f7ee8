"""What a Celery worker does for the outbox besides running tasks (connected in OutboxConfig.ready)."""

from celery.signals import task_postrun, worker_ready

from webcare.lib import tasks


@task_postrun.connect(dispatch_uid="outbox.settle")
def settle(task_id=None, state=None, retval=None, **_) -> None:
    tasks.settle(task_id, state, retval)


@worker_ready.connect(dispatch_uid="outbox.relay_at_start")
def relay_at_start(sender=None, **_) -> None:
    """A worker that (re)starts hands over at once what the broker lost or never got."""
    sender.app.send_task("outbox.relay")
