"""Monitoring over HTTP: /api/v1/monitoring/analyze/, mentions/ and alerts/."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.models import Channel
from monitoring.enrichment import analyze
from monitoring.models import Mention, Sentiment, SpikeAlert
from webcare.roles import INBOX_ROLES, LEAD_ROLES, HasRole


class AnalyzeInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class AnalysisSerializer(serializers.Serializer):
    language = serializers.CharField()
    sentiment = serializers.ChoiceField(choices=Sentiment.choices)
    topic = serializers.CharField(allow_null=True, help_text="An inbox topic's slug.")
    district = serializers.CharField(allow_null=True)
    needs_answer = serializers.BooleanField()
    relevant = serializers.BooleanField(help_text="About the municipality, not another use of its name.")


class MentionSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Mention
        fields = [
            "id",
            "channel",
            "external_id",
            "author",
            "url",
            "text",
            "posted_at",
            "language",
            "sentiment",
            "topic",
            "district",
            "needs_answer",
            "relevant",
            "conversation",
        ]


class MentionFilterSerializer(serializers.Serializer):
    topic = serializers.SlugField(required=False)
    sentiment = serializers.ChoiceField(choices=Sentiment.choices, required=False)
    needs_answer = serializers.BooleanField(required=False, allow_null=True, default=None)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    days = serializers.IntegerField(
        min_value=1, max_value=365, required=False, help_text="Posted in the last N days."
    )
    all = serializers.BooleanField(default=False, help_text="Include posts not about the municipality.")


class AlertSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    examples = MentionSerializer(many=True, read_only=True)

    class Meta:
        model = SpikeAlert
        fields = ["id", "topic", "hour", "count", "expected", "examples", "created_at"]


class Analyze(APIView):
    """What monitoring makes of a text: language, sentiment, topic, district, answer, relevance."""

    permission_classes = [HasRole.of(INBOX_ROLES | LEAD_ROLES)]

    @extend_schema(request=AnalyzeInputSerializer, responses=AnalysisSerializer)
    def post(self, request):
        payload = AnalyzeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(AnalysisSerializer(analyze(payload.validated_data["text"])).data)


class MentionList(generics.ListAPIView):
    """Heard posts about the city, newest first; by default only those about the municipality."""

    permission_classes = [HasRole.of(INBOX_ROLES)]
    serializer_class = MentionSerializer

    @extend_schema(parameters=[MentionFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = MentionFilterSerializer(data=self.request.query_params)
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        data = filters.validated_data
        mentions = Mention.objects.select_related("topic")
        if not data["all"]:
            mentions = mentions.relevant()
        if "topic" in data:
            mentions = mentions.filter(topic__slug=data["topic"])
        if "sentiment" in data:
            mentions = mentions.filter(sentiment=data["sentiment"])
        if data.get("needs_answer") is not None:
            mentions = mentions.filter(needs_answer=data["needs_answer"])
        if "channel" in data:
            mentions = mentions.filter(channel=data["channel"])
        if "days" in data:
            mentions = mentions.filter(posted_at__gte=timezone.now() - timedelta(days=data["days"]))
        return mentions.order_by("-posted_at", "-id")


class AlertList(generics.ListAPIView):
    """Spike alerts, newest first, with example posts."""

    permission_classes = [HasRole.of(LEAD_ROLES)]
    serializer_class = AlertSerializer
    queryset = (
        SpikeAlert.objects.select_related("topic")
        .prefetch_related("examples__topic")
        .order_by("-hour", "-id")
    )
