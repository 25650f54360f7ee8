"""The inbox over HTTP: /api/v1/conversations/ and /api/v1/contacts/."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox import services
from inbox.access import get_contact_for_user, get_conversation_for_user
from inbox.models import Conversation, Direction, Message
from inbox.serializers import (
    ContactSerializer,
    ConversationDetailSerializer,
    ConversationFilterSerializer,
    ConversationSerializer,
    MessageSerializer,
    ReplyInputSerializer,
)
from inbox.workflow import InvalidTransition
from webcare.roles import INBOX_ROLES, HasRole

InboxRole = HasRole.of(INBOX_ROLES)


def _refusal(error: Exception) -> Response:
    conflict = isinstance(error, services.AlreadyClaimed | services.WipLimitReached | InvalidTransition)
    return Response(
        {"detail": str(error)},
        status=status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST,
    )


class ConversationList(generics.ListAPIView):
    """Conversations in queue order; filter with `status`, `team` and `channel`."""

    permission_classes = [InboxRole]
    serializer_class = ConversationSerializer

    @extend_schema(parameters=[ConversationFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = ConversationFilterSerializer(data=self.request.query_params)
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        conversations = Conversation.objects.visible_to(self.request.user).select_related(
            "contact", "team", "topic", "assigned_to"
        )
        data = filters.validated_data
        if "status" in data:
            conversations = conversations.filter(status=data["status"])
        if "team" in data:  # by id, not a join, so the queue index serves the order
            conversations = conversations.filter(team=data["team"])
        if "channel" in data:
            conversations = conversations.filter(channel=data["channel"])
        return conversations.in_queue_order()


class ConversationDetail(APIView):
    permission_classes = [InboxRole]

    @extend_schema(responses=ConversationDetailSerializer)
    def get(self, request, pk: int):
        conversation = get_conversation_for_user(request.user, pk)
        return Response(ConversationDetailSerializer(conversation).data)


class ConversationReply(APIView):
    permission_classes = [InboxRole]

    @extend_schema(request=ReplyInputSerializer, responses={201: MessageSerializer})
    def post(self, request, pk: int):
        conversation = get_conversation_for_user(request.user, pk)
        payload = ReplyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            message = services.reply(
                agent=request.user,
                conversation_id=conversation.pk,
                text=payload.validated_data["text"],
                template_id=payload.validated_data["template"],
                private=payload.validated_data["private"],
                protocol_key=payload.validated_data["protocol"],
                protocol_answer=payload.validated_data["protocol_answer"],
            )
        except (services.InboxError, InvalidTransition) as error:
            return _refusal(error)
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class ConversationClose(APIView):
    permission_classes = [InboxRole]

    @extend_schema(request=None, responses=ConversationSerializer)
    def post(self, request, pk: int):
        conversation = get_conversation_for_user(request.user, pk)
        try:
            conversation = services.close_conversation(actor=request.user, conversation_id=conversation.pk)
        except (services.InboxError, InvalidTransition) as error:
            return _refusal(error)
        return Response(ConversationSerializer(conversation).data)


class MessageRetry(APIView):
    """Send a reply the platform refused once more, e.g. after its outage."""

    permission_classes = [InboxRole]

    @extend_schema(request=None, responses=MessageSerializer)
    def post(self, request, pk: int):
        message = get_object_or_404(Message, pk=pk, direction=Direction.OUTBOUND)
        get_conversation_for_user(request.user, message.conversation_id)
        try:
            message = services.retry_delivery(agent=request.user, message_id=message.pk)
        except (services.InboxError, InvalidTransition) as error:
            return _refusal(error)
        return Response(MessageSerializer(message).data)


class ContactDetail(APIView):
    permission_classes = [InboxRole]

    @extend_schema(responses=ContactSerializer)
    def get(self, request, pk: int):
        return Response(ContactSerializer(get_contact_for_user(request.user, pk)).data)
