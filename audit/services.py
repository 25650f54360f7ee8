"""Recording to the audit log. Every app calls `record`; nothing else writes AuditEntry."""

from django.db import models
from django.http import HttpRequest

from audit.models import Action, AuditEntry
from webcare.lib.addresses import client_address


def record(
    action: Action | str,
    *,
    actor=None,
    request=None,
    target: models.Model | tuple[str, object] | None = None,
    summary: str = "",
) -> AuditEntry:
    """Append who (`actor`, else the request's user) did `action` to `target`, from the request's address.

    `target` is a model instance or a (type, id) pair. `summary` names what happened (a screen, an
    operation, a file): never a resident's personal data or anything secret. A request recorded here
    is not recorded again by `audit.middleware.AuditMiddleware`: the view's own entry says more.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    object_type, object_id = _describe(target)
    if request is not None:
        _mark_recorded(request)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:255],
        ip_address=client_address(request) if request is not None else None,
    )


def _mark_recorded(request) -> None:
    # On the Django request itself: a view may hand us DRF's wrapper around it.
    django_request: HttpRequest = getattr(request, "_request", request)
    django_request.audit_recorded = True


def _describe(target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.model_name, str(target.pk)
    object_type, object_id = target
    return object_type, str(object_id)[:64]
