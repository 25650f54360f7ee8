"""Background work for escalations: tasks only call services."""

from celery import shared_task

from escalations import notifications


@shared_task(name="escalations.notify_department")
def notify_department(escalation_id: int) -> None:
    notifications.notify_department(escalation_id)


@shared_task(name="escalations.send_reminders")
def send_reminders() -> None:
    notifications.send_reminders()
