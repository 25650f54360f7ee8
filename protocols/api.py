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
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, help_text="Fit the answers to this channel's limits."
    )
    public = serializers.BooleanField(
        default=False, help_text="The answer goes to a public thread (a comment or a post), not a DM."
    )


class SuggestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField()
    answer = serializers.CharField()
    shortened = serializers.BooleanField(
        help_text="Cut to fit the channel; the full text is in the protocol."
    )


class SuggestOutputSerializer(serializers.Serializer):
    language = serializers.CharField(help_text="ISO 639-1 code of the language the message is written in.")
    personal_case = serializers.BooleanField(
        help_text="The message quotes a case or reference number: likely one for a department."
    )
    results = SuggestionSerializer(many=True)


class Suggest(APIView):
    """The protocols that answer a message, best first; `results` is empty when none fits."""

    permission_classes = [HasRole.of(INBOX_ROLES | {Role.EDITOR})]

    @extend_schema(request=SuggestInputSerializer, responses=SuggestOutputSerializer)
    def post(self, request):
        payload = SuggestInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = suggest(data["text"], channel=data.get("channel"), public=data["public"])
        return Response(SuggestOutputSerializer(result).data)
