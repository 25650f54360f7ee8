"""Background work for the feedback loop: tasks only call services."""

from celery import shared_task

from feedback import notifications


@shared_task(name="feedback.notify_residents")
def notify_residents(suggestion_id: int) -> None:
    notifications.notify_residents(suggestion_id)


@shared_task(name="feedback.send_reminders")
def send_reminders() -> None:
    notifications.send_reminders()


@shared_task(name="feedback.retry_unreachable")
def retry_unreachable() -> None:
    notifications.retry_unreachable()
