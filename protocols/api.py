"""Protocols over HTTP: /api/v1/protocols/suggest/."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.models import Channel
from protocols.suggest import suggest
from webcare.roles import INBOX_ROLES, HasRole, Role


class SuggestInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class SuggestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField()
    answer = serializers.CharField()


class SuggestOutputSerializer(serializers.Serializer):
    language = serializers.CharField()
    results = SuggestionSerializer(many=True)


class Suggest(APIView):
    """The protocols that answer a message, best first; `results` is empty when none fits."""

    permission_classes = [HasRole.of(INBOX_ROLES | {Role.EDITOR})]

    @extend_schema(request=SuggestInputSerializer, responses=SuggestOutputSerializer)
    def post(self, request):
        payload = SuggestInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(SuggestOutputSerializer(suggest(payload.validated_data["text"])).data)
