from celery import shared_task

from webcare.lib import tasks


@shared_task(name="outbox.relay")
def relay() -> int:
    return tasks.relay()
