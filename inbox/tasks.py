from celery import shared_task

from inbox import services


@shared_task(name="inbox.process_message", autoretry_for=(Exception,), max_retries=5, retry_backoff=True)
def process_message(message_id: int) -> None:
    services.process_message(message_id)
