from celery import shared_task

from protocols import notifications


@shared_task(name="protocols.notify_stale_protocols")
def notify_stale_protocols() -> dict[str, int]:
    return notifications.notify_stale_protocols().as_dict()
