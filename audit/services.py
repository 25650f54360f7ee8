"""Recording to the audit log. Every app calls `record`; nothing else writes AuditEntry."""

from django.db import models

from audit.models import Action, AuditEntry


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
    operation, a file): never a resident's personal data or anything secret.
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    object_type, object_id = _describe(target)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:255],
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
    )


def _describe(target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.model_name, str(target.pk)
    object_type, object_id = target
    return object_type, str(object_id)
