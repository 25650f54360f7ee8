from channels.base import ChannelError
from channels.registry import adapter_for
from inbox import services as inbox
from inbox.models import DeliveryStatus, Message


def send_message(message_id: int) -> None:
    """Deliver one outgoing message; raises ChannelError(permanent=False) when a retry can help."""
    message = Message.objects.select_related("conversation").get(pk=message_id)
    if message.delivery_status != DeliveryStatus.PENDING:
        return  # already sent: a retried task must not send twice
    adapter = adapter_for(message.channel)
    if adapter is None:
        inbox.record_delivery(message_id=message_id, status=DeliveryStatus.FAILED)
        return
    try:
        provider_id = adapter.send(message)
    except ChannelError as error:
        if not error.permanent:
            raise
        inbox.record_delivery(message_id=message_id, status=DeliveryStatus.FAILED)
        return
    inbox.record_delivery(message_id=message_id, status=DeliveryStatus.SENT, provider_id=provider_id)
