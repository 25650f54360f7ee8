from celery import shared_task

from protocols import notifications, services


@shared_task(name="protocols.notify_stale_protocols")
def notify_stale_protocols() -> dict[str, int]:
    return notifications.notify_stale_protocols().as_dict()


@shared_task(name="protocols.suggest_for_message")
def suggest_for_message(message_id: int) -> None:
    services.suggest_for_message(message_id)
