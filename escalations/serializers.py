from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from escalations.models import Escalation, EscalationEvent
from inbox.models import Message
from webcare.lib.api import IdField


class EscalateInputSerializer(serializers.Serializer):
    department = serializers.SlugField(help_text="The department's slug.")
    question = serializers.CharField(max_length=5000)
    messages = serializers.ListField(
        child=IdField(),
        required=False,
        default=list,
        help_text="Ids of the conversation's messages the department may read.",
    )
    share_contact = serializers.BooleanField(
        default=False, help_text="Show the department the resident's name and contact details."
    )


class TextInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class SharedMessageSerializer(serializers.ModelSerializer):
    """A message as the department sees it: what was said and when, not by whom."""

    class Meta:
        model = Message
        fields = ["id", "text", "created_at"]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationEvent
        fields = ["kind", "from_status", "to_status", "text", "created_at"]


class EscalationSerializer(serializers.ModelSerializer):
    # Not required: a department member's view leaves it out (see to_representation).
    conversation = serializers.IntegerField(
        source="conversation_id", required=False, help_text="Only for the desk: the conversation asked about."
    )
    department = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    shared_messages = SharedMessageSerializer(many=True, read_only=True)
    contact = serializers.SerializerMethodField(help_text=str(_("Only when the desk shared it.")))
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "conversation",
            "department",
            "status",
            "question",
            "due_at",
            "overdue",
            "created_at",
            "answer",
            "answered_at",
            "shared_messages",
            "contact",
            "events",
        ]

    def get_contact(self, escalation: Escalation) -> dict | None:
        if not escalation.share_contact:
            return None
        identity = escalation.conversation.identity
        return {
            "name": escalation.conversation.contact.name,
            "channel": identity.channel,
            "handle": identity.handle or identity.external_id,
        }

    def to_representation(self, escalation):
        data = super().to_representation(escalation)
        if not self.context.get("desk"):
            data.pop("conversation")  # the department works on the question, not in the inbox
        return data
