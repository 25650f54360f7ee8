"""Who sees which escalations, decided once: every view and endpoint fetches through these.

The desk (agents, leads, admins) sees all; a department member only their own department's; an
account manager those of the departments they manage; a protocol editor the answered ones, which
is where new protocols come from. Anything else is a 404, never a 403, so that
nobody learns that another department's escalation exists.
"""

from django.http import Http404

from escalations.models import Escalation, EscalationQuerySet
from escalations.workflow import Status
from webcare.roles import INBOX_ROLES, Role, has_role


def visible_escalations(user) -> EscalationQuerySet:
    escalations = Escalation.objects.select_related("department", "conversation", "asked_by")
    if has_role(user, INBOX_ROLES):
        return escalations
    if has_role(user, frozenset({Role.DEPARTMENT})):
        return (
            escalations.filter(department_id=user.department_id) if user.department_id else escalations.none()
        )
    if has_role(user, frozenset({Role.ACCOUNT_MANAGER})):
        return escalations.filter(department__account_manager=user)
    if has_role(user, frozenset({Role.EDITOR})):
        return escalations.filter(status__in=(Status.ANSWERED, Status.CLOSED))
    return escalations.none()


def get_escalation_for_user(user, pk: int) -> Escalation:
    try:
        return visible_escalations(user).get(pk=pk)
    except Escalation.DoesNotExist:
        raise Http404 from None
