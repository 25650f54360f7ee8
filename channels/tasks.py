from celery import shared_task

from channels import services
from channels.base import ChannelError


@shared_task(
    name="channels.send_message",
    autoretry_for=(ChannelError,),
    max_retries=8,
    retry_backoff=True,
    retry_backoff_max=600,
)
def send_message(message_id: int) -> None:
    services.send_message(message_id)
