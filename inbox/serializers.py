from rest_framework import serializers

from inbox.models import Channel, ChannelIdentity, Contact, Conversation, Message, Team
from inbox.workflow import Status


class ContactRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name"]


class ConversationSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assigned_to = serializers.SlugRelatedField(slug_field="username", read_only=True)
    contact = ContactRefSerializer(read_only=True)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "channel",
            "team",
            "status",
            "topic",
            "urgent",
            "assigned_to",
            "contact",
            "is_public",
            "last_message_at",
            "first_response_due",
            "response_due",
            "resolution_due",
        ]


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "text",
            "attachments",
            "provider_id",
            "delivery_status",
            "author",
            "language",
            "created_at",
        ]


class ConversationDetailSerializer(ConversationSerializer):
    messages = MessageSerializer(many=True, read_only=True)

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "messages"]


class ConversationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(), required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class ReplyInputSerializer(serializers.Serializer):
    text = serializers.CharField()


class IdentitySerializer(serializers.ModelSerializer):
    class Meta:
        model = ChannelIdentity
        fields = ["channel", "external_id", "handle"]


class ContactSerializer(serializers.ModelSerializer):
    identities = IdentitySerializer(many=True, read_only=True)
    conversations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "name", "language", "created_at", "identities", "conversations"]
