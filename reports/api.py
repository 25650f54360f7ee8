"""The desk's figures over HTTP: GET /api/v1/metrics/?start=&end=[&team=][&channel=][&department=]."""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from escalations.models import Department
from feedback.workflow import Status as SuggestionStatus
from inbox.models import Channel, Team
from reports.metrics import Scope, report
from webcare.roles import LEAD_ROLES, HasRole


class MetricsQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day of the period (YYYY-MM-DD), Europe/Amsterdam.")
    end = serializers.DateField(help_text="Last day of the period, included.")
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(), required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    department = serializers.SlugRelatedField(
        slug_field="slug", queryset=Department.objects.all(), required=False
    )

    def validate(self, data):
        if data["start"] > data["end"]:
            raise serializers.ValidationError({"end": "The period must end on or after its start."})
        if (data["end"] - data["start"]).days > 400:
            raise serializers.ValidationError({"end": "Choose a period of at most 400 days."})
        return data


class FiguresSerializer(serializers.Serializer):
    messages_in = serializers.IntegerField()
    conversations = serializers.IntegerField()
    reopened_conversations = serializers.IntegerField()
    new_contacts = serializers.IntegerField()
    returning_contacts = serializers.IntegerField()
    foreign_contacts = serializers.IntegerField()
    first_response_p50_minutes = serializers.FloatField(allow_null=True)
    first_response_p90_minutes = serializers.FloatField(allow_null=True)
    sla_met_pct = serializers.FloatField(allow_null=True)
    resolution_p50_hours = serializers.FloatField(allow_null=True)
    resolution_p90_hours = serializers.FloatField(allow_null=True)
    handled_conversations = serializers.IntegerField()
    protocol_share_pct = serializers.FloatField(allow_null=True)
    escalation_share_pct = serializers.FloatField(allow_null=True)
    free_text_share_pct = serializers.FloatField(allow_null=True)
    escalations = serializers.IntegerField()
    escalations_overdue = serializers.IntegerField()
    feedback_by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text=f"Per status: {', '.join(SuggestionStatus.values)}."
    )
    closed_loop_pct = serializers.FloatField(allow_null=True)


class MetricsSerializer(FiguresSerializer):
    start = serializers.DateField()
    end = serializers.DateField()
    team = serializers.CharField(allow_null=True)
    channel = serializers.CharField(allow_null=True)
    department = serializers.CharField(allow_null=True)
    by_channel = serializers.DictField(child=FiguresSerializer(), help_text="The same figures per channel.")


class Metrics(APIView):
    """The desk's figures for a period, in total and per channel (definitions: docs/metrics.md)."""

    permission_classes = [HasRole.of(LEAD_ROLES)]

    @extend_schema(parameters=[MetricsQuerySerializer], responses=MetricsSerializer)
    def get(self, request):
        query = MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        team, department = data.get("team"), data.get("department")
        scope = Scope(
            start=data["start"],
            end=data["end"],
            team=team.pk if team else None,
            channel=data.get("channel"),
            department=department.pk if department else None,
        )
        figures = report(scope)
        body = {
            "start": scope.start,
            "end": scope.end,
            "team": team.slug if team else None,
            "channel": scope.channel,
            "department": department.slug if department else None,
            **asdict(figures.total),
            "by_channel": {
                channel: asdict(per_channel) for channel, per_channel in figures.by_channel.items()
            },
        }
        return Response(MetricsSerializer(body).data)
