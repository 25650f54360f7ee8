"""The feedback loop over HTTP: /api/v1/feedback/."""

from django.db.models import Count
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from escalations.models import Department
from feedback import services
from feedback.access import DECIDERS, READERS, may_decide, visible_suggestions
from feedback.serializers import FeedbackSerializer, RecordInputSerializer, StatusInputSerializer
from feedback.workflow import InvalidTransition, Status
from inbox.access import get_conversation_for_user
from webcare.lib.api import ErrorSerializer
from webcare.roles import INBOX_ROLES, HasRole, has_role


def _with_details(suggestions):
    """Everything FeedbackSerializer shows, in a fixed number of queries."""
    return suggestions.annotate(
        report_count=Count("reports__conversation__contact", distinct=True)
    ).prefetch_related("events", "reports__notices")


def _shown(request, suggestion, code=status.HTTP_200_OK) -> Response:
    fresh = _with_details(visible_suggestions(request.user)).get(pk=suggestion.pk)
    context = {"desk": has_role(request.user, INBOX_ROLES)}
    return Response(FeedbackSerializer(fresh, context=context).data, status=code)


def _refusal(error: Exception) -> Response:
    code = status.HTTP_409_CONFLICT if isinstance(error, InvalidTransition) else status.HTTP_400_BAD_REQUEST
    return Response({"detail": str(error)}, status=code)


class FeedbackList(generics.ListCreateAPIView):
    """Suggestions from residents, newest first: the desk sees all, an account manager those of the
    departments they manage. POST records one from a conversation (the desk)."""

    serializer_class = FeedbackSerializer

    def get_permissions(self):
        roles = INBOX_ROLES if self.request.method == "POST" else READERS
        return [HasRole.of(roles)()]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=Status.values),
            OpenApiParameter("department", str, description="A department's slug."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        suggestions = _with_details(visible_suggestions(self.request.user))
        params = self.request.query_params
        if params.get("status") in Status.values:
            suggestions = suggestions.filter(status=params["status"])
        if params.get("department"):
            suggestions = suggestions.filter(department__slug=params["department"])
        return suggestions.order_by("-created_at", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "desk": has_role(self.request.user, INBOX_ROLES)}

    @extend_schema(
        request=RecordInputSerializer,
        responses={
            201: FeedbackSerializer,
            404: OpenApiResponse(ErrorSerializer, description="The conversation is not one the caller sees."),
        },
    )
    def post(self, request, *args, **kwargs):
        payload = RecordInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        conversation = get_conversation_for_user(request.user, data["conversation"])
        try:
            if "same_as" in data:
                existing = visible_suggestions(request.user).filter(pk=data["same_as"]).first()
                if existing is None:
                    return Response({"same_as": ["Unknown suggestion."]}, status=status.HTTP_400_BAD_REQUEST)
                services.link(
                    agent=request.user,
                    suggestion_id=existing.pk,
                    conversation_id=conversation.pk,
                    notify=data["notify"],
                    message_id=data.get("message"),
                )
                return _shown(request, existing, status.HTTP_201_CREATED)
            department = Department.objects.filter(slug=data["department"]).first()
            if department is None:
                return Response({"department": ["Unknown department."]}, status=status.HTTP_400_BAD_REQUEST)
            suggestion = services.record(
                agent=request.user,
                conversation_id=conversation.pk,
                summary=data["summary"],
                department_id=department.pk,
                notify=data["notify"],
                kind=data["kind"],
                message_id=data.get("message"),
            )
        except services.FeedbackError as error:
            return _refusal(error)
        return _shown(request, suggestion, status.HTTP_201_CREATED)


class FeedbackDetail(APIView):
    permission_classes = [HasRole.of(READERS)]

    @extend_schema(responses=FeedbackSerializer)
    def get(self, request, pk: int):
        return _shown(request, generics.get_object_or_404(visible_suggestions(request.user), pk=pk))


class FeedbackStatus(APIView):
    """Move a suggestion on; an outcome needs an `explanation` and is sent to the residents."""

    permission_classes = [HasRole.of(DECIDERS)]

    @extend_schema(request=StatusInputSerializer, responses=FeedbackSerializer)
    def post(self, request, pk: int):
        suggestion = generics.get_object_or_404(visible_suggestions(request.user), pk=pk)
        if not may_decide(request.user, suggestion):
            return Response(status=status.HTTP_404_NOT_FOUND)
        payload = StatusInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            suggestion = services.change_status(
                actor=request.user, suggestion_id=suggestion.pk, **payload.validated_data
            )
        except (services.FeedbackError, InvalidTransition) as error:
            return _refusal(error)
        return _shown(request, suggestion)
