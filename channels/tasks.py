from celery import shared_task

from channels import services
from channels.base import ChannelError

RETRY = {"max_retries": services.MAX_SEND_ATTEMPTS, "retry_backoff": True, "retry_backoff_max": 600}


# No limit here: the service counts the attempts at the platform and fails the reply after the last.
@shared_task(name="channels.send_message", bind=True, max_retries=None)
def send_message(self, message_id: int) -> None:
    try:
        services.send_message(message_id)
    except services.RetryLater as later:
        # Backoff 10 s, 20 s, 40 s ... 10 min, or as long as the platform asked us to wait.
        raise self.retry(countdown=later.countdown or min(600, 10 * 2**self.request.retries)) from later


@shared_task(name="channels.process_raw_event", autoretry_for=(ChannelError,), **RETRY)
def process_raw_event(raw_event_id: int) -> None:
    services.process_raw_event(raw_event_id)


@shared_task(name="channels.fetch_media", bind=True, autoretry_for=(ChannelError,), **RETRY)
def fetch_media(self, message_id: int) -> None:
    services.fetch_media(message_id, last_attempt=self.request.retries >= self.max_retries)


@shared_task(name="channels.settle_stale_sends")
def settle_stale_sends() -> dict:
    return services.settle_stale_sends()


@shared_task(name="channels.catch_up")
def catch_up() -> dict:
    return services.catch_up()


@shared_task(
    name="channels.fetch_name", bind=True, autoretry_for=(ChannelError,), max_retries=3, retry_backoff=True
)
def fetch_name(self, identity_id: int) -> None:
    services.fetch_name(identity_id, last_attempt=self.request.retries >= self.max_retries)
