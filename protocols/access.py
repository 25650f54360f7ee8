"""Who sees which protocols, decided once: every view and endpoint fetches through these."""

from django.http import Http404

from protocols.models import Protocol, ProtocolQuerySet
from protocols.workflow import TRANSITIONS, Status
from webcare.roles import EDITOR_ROLES, INBOX_ROLES, PROPOSER_ROLES, has_role


def visible_protocols(user) -> ProtocolQuerySet:
    """Editors see every protocol, a department its own, the desk only what may be suggested."""
    protocols = Protocol.objects.filter(current__isnull=False)
    if has_role(user, EDITOR_ROLES):
        return protocols
    if has_role(user, PROPOSER_ROLES):
        return protocols.filter(department_id=user.department_id) if user.department_id else protocols.none()
    if has_role(user, INBOX_ROLES):
        return protocols.published()
    return protocols.none()


def get_protocol_for_user(user, key: str) -> Protocol:
    try:
        return visible_protocols(user).with_current().get(key=key)
    except Protocol.DoesNotExist:
        raise Http404 from None


def statuses_for_user(user, protocol: Protocol) -> list[Status]:
    """The statuses this person may move the protocol to.

    Editors: wherever the workflow allows. A department approves its own drafts by sending them to
    review (editors then publish); nothing else. Everyone else: nothing.
    """
    if has_role(user, EDITOR_ROLES):
        return [status for status in Status if status in TRANSITIONS[protocol.status]]
    if (
        has_role(user, PROPOSER_ROLES)
        and user.department_id is not None
        and protocol.department_id == user.department_id
        and protocol.status == Status.DRAFT
    ):
        return [Status.IN_REVIEW]
    return []
