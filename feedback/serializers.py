from rest_framework import serializers

from feedback.models import Kind, ResidentNotice, Suggestion, SuggestionEvent
from feedback.workflow import Status
from webcare.lib.api import IdField


class RecordInputSerializer(serializers.Serializer):
    conversation = IdField(help_text="The conversation the suggestion came from.")
    summary = serializers.CharField(
        max_length=300, help_text="Shown on the public status page: no personal data."
    )
    department = serializers.SlugField(help_text="The responsible department's slug.")
    notify = serializers.BooleanField(default=True, help_text="The resident wants to hear what happens.")
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.SUGGESTION)
    message = IdField(required=False, help_text="The message it was said in.")
    same_as = IdField(
        required=False, help_text="Id of an existing suggestion this resident makes too: link to it instead."
    )


class StatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    explanation = serializers.CharField(
        max_length=2000, required=False, default="", help_text="Needed for an outcome; plain language (B1)."
    )


class FeedbackEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SuggestionEvent
        fields = ["from_status", "to_status", "explanation", "created_at"]


class FeedbackNoticeSerializer(serializers.ModelSerializer):
    conversation = serializers.IntegerField(source="report.conversation_id")

    class Meta:
        model = ResidentNotice
        fields = ["conversation", "status", "state", "reason", "created_at"]


class FeedbackSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    residents = serializers.IntegerField(
        source="report_count",
        read_only=True,
        help_text="Residents following it (a person on two channels: one).",
    )
    conversations = serializers.SerializerMethodField()
    status_page = serializers.SerializerMethodField()
    events = FeedbackEventSerializer(many=True, read_only=True)
    notices = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "kind",
            "summary",
            "topic",
            "department",
            "status",
            "explanation",
            "created_at",
            "status_changed_at",
            "outcome_at",
            "residents",
            "conversations",
            "status_page",
            "events",
            "notices",
        ]

    def get_conversations(self, suggestion) -> list[int]:
        return [report.conversation_id for report in suggestion.reports.all()]

    def get_status_page(self, suggestion) -> str:
        from feedback.notifications import status_page_url

        return status_page_url(suggestion)

    def get_notices(self, suggestion) -> list[dict]:
        notices = [notice for report in suggestion.reports.all() for notice in report.notices.all()]
        return FeedbackNoticeSerializer(notices, many=True).data

    def to_representation(self, suggestion):
        data = super().to_representation(suggestion)
        if not self.context.get("desk"):  # account managers follow the suggestion, not the inbox
            data.pop("conversations")
            for notice in data["notices"]:
                notice.pop("conversation")
        return data
