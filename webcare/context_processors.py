from django.conf import settings

from monitoring.models import SpikeAlert
from webcare.roles import INBOX_ROLES, LEAD_ROLES, PROTOCOL_READERS, REPORT_READERS, Role, has_role


def _unseen_alerts() -> int:
    """Spike alerts no lead has marked seen; the template calls this only where it shows the count."""
    return SpikeAlert.objects.filter(seen_by__isnull=True).count()


def roles(request) -> dict:
    """What the navigation may offer the signed-in user."""
    user = getattr(request, "user", None)
    can_use_inbox = has_role(user, INBOX_ROLES)
    is_lead = has_role(user, LEAD_ROLES)
    return {
        "can_use_inbox": can_use_inbox,
        "is_lead": is_lead,
        # A callable: one COUNT, and only on pages that render the navigation for a lead.
        "unseen_alerts": _unseen_alerts if is_lead else 0,
        "can_read_protocols": has_role(user, PROTOCOL_READERS),
        # Residents' suggestions: the desk, and account managers for their departments.
        "can_read_suggestions": has_role(user, INBOX_ROLES | {Role.ACCOUNT_MANAGER}),
        "is_department_member": has_role(user, frozenset({Role.DEPARTMENT})),
        "can_read_reports": has_role(user, REPORT_READERS),
        # The demo's resident simulator (channels.simulator): never in production.
        "simulator_enabled": settings.DEMO_ENABLED and can_use_inbox,
    }
