from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inbox.models import Channel, ChannelIdentity, Contact, Conversation, Message, Team
from inbox.reply_rules import Mode, reply_window
from inbox.workflow import Status
from webcare.lib.api import IdField


class ContactRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name"]


class ConversationSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    assigned_to = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
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
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "text",
            "attachments",
            "provider_id",
            "delivery_status",
            "delivery_error",
            "scheduled_for",
            "send_options",
            "protocol_key",
            "protocol_edited",
            "author",
            "language",
            "created_at",
        ]


class ReplyWindowSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=Mode.choices)
    closes_at = serializers.DateTimeField(allow_null=True)
    private_reply_until = serializers.DateTimeField(allow_null=True)


class ConversationDetailSerializer(ConversationSerializer):
    messages = MessageSerializer(many=True, read_only=True)
    reply_window = serializers.SerializerMethodField()

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "messages", "reply_window"]

    @extend_schema_field(ReplyWindowSerializer)
    def get_reply_window(self, conversation) -> dict:
        return ReplyWindowSerializer(reply_window(conversation)).data


class ConversationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(), required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class ReplyInputSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    template = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text="An approved WhatsApp template, once the 24-hour window has closed.",
    )
    private = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Answer a Facebook or Instagram comment with a direct message (once).",
    )
    protocol = serializers.SlugField(
        required=False, default="", help_text="The key of the protocol the answer came from, if any."
    )
    protocol_answer = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        trim_whitespace=False,
        help_text="The protocol's suggested text, to record whether the answer was edited.",
    )


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
