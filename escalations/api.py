"""Escalations over HTTP: /api/v1/conversations/{id}/escalate/ and /api/v1/escalations/."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from escalations import services
from escalations.access import get_escalation_for_user, visible_escalations
from escalations.models import Department, Escalation
from escalations.serializers import EscalateInputSerializer, EscalationSerializer, TextInputSerializer
from escalations.workflow import InvalidTransition, Status
from inbox import services as inbox_services
from inbox.access import get_conversation_for_user
from inbox.workflow import InvalidTransition as InvalidConversationTransition
from webcare.roles import INBOX_ROLES, HasRole, Role, has_role

DeskRole = HasRole.of(INBOX_ROLES)
DepartmentRole = HasRole.of(frozenset({Role.DEPARTMENT}))
REFUSED = (services.EscalationError, inbox_services.InboxError)
CONFLICTS = (InvalidTransition, InvalidConversationTransition)


def _refusal(error: Exception) -> Response:
    conflict = isinstance(error, CONFLICTS + (inbox_services.AlreadyClaimed, inbox_services.WipLimitReached))
    code = status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST
    return Response({"detail": str(error)}, status=code)


def _with_details(escalations):
    """Everything EscalationSerializer shows, in a fixed number of queries."""
    return escalations.select_related("conversation__contact", "conversation__identity").prefetch_related(
        "shared_messages", "events"
    )


def _shown(request, escalation: Escalation, code=status.HTTP_200_OK) -> Response:
    fresh = _with_details(visible_escalations(request.user)).get(pk=escalation.pk)
    context = {"desk": has_role(request.user, INBOX_ROLES)}
    return Response(EscalationSerializer(fresh, context=context).data, status=code)


class Escalate(APIView):
    """Ask a department about a conversation; it leaves the queue until the department answers."""

    permission_classes = [DeskRole]

    @extend_schema(request=EscalateInputSerializer, responses={201: EscalationSerializer})
    def post(self, request, pk: int):
        conversation = get_conversation_for_user(request.user, pk)
        payload = EscalateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        department = Department.objects.filter(slug=data["department"]).first()
        if department is None:
            return Response({"department": ["Unknown department."]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            escalation = services.escalate(
                agent=request.user,
                conversation_id=conversation.pk,
                department_id=department.pk,
                question=data["question"],
                message_ids=data["messages"],
                share_contact=data["share_contact"],
            )
        except REFUSED + CONFLICTS as error:
            return _refusal(error)
        return _shown(request, escalation, status.HTTP_201_CREATED)


class EscalationList(generics.ListAPIView):
    """The escalations the caller may see, soonest deadline first: the desk all of them, a department
    member their own department's. Filter with `status`."""

    permission_classes = [HasRole.of(INBOX_ROLES | {Role.DEPARTMENT, Role.ACCOUNT_MANAGER})]
    serializer_class = EscalationSerializer

    @extend_schema(parameters=[OpenApiParameter("status", enum=Status.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        escalations = _with_details(visible_escalations(self.request.user))
        wanted = self.request.query_params.get("status")
        if wanted in Status.values:
            escalations = escalations.filter(status=wanted)
        return escalations.select_related(
            "conversation__contact", "conversation__identity"
        ).in_deadline_order()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "desk": has_role(self.request.user, INBOX_ROLES)}


class EscalationDetail(APIView):
    permission_classes = [HasRole.of(INBOX_ROLES | {Role.DEPARTMENT, Role.ACCOUNT_MANAGER})]

    @extend_schema(responses=EscalationSerializer)
    def get(self, request, pk: int):
        return _shown(request, get_escalation_for_user(request.user, pk))


class _DepartmentStep(APIView):
    """A department member's step on their own department's escalation; another's is a 404."""

    permission_classes = [DepartmentRole]
    step = None

    @extend_schema(request=TextInputSerializer, responses=EscalationSerializer)
    def post(self, request, pk: int):
        escalation = get_escalation_for_user(request.user, pk)
        payload = TextInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            escalation = type(self).step(
                member=request.user, escalation_id=escalation.pk, **payload.validated_data
            )
        except REFUSED + CONFLICTS as error:
            return _refusal(error)
        return _shown(request, escalation)


class EscalationAnswer(_DepartmentStep):
    """The department's answer to the desk (never to the resident)."""

    step = staticmethod(services.answer)


class EscalationRequestInfo(_DepartmentStep):
    """The department needs more information from the desk before it can answer."""

    step = staticmethod(services.request_info)


class EscalationAddInfo(APIView):
    """The desk's answer to a request for information, or a follow-up question after an answer."""

    permission_classes = [DeskRole]

    @extend_schema(request=TextInputSerializer, responses=EscalationSerializer)
    def post(self, request, pk: int):
        escalation = get_escalation_for_user(request.user, pk)
        payload = TextInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            escalation = services.add_info(
                agent=request.user, escalation_id=escalation.pk, text=payload.validated_data["text"]
            )
        except REFUSED + CONFLICTS as error:
            return _refusal(error)
        return _shown(request, escalation)
