from webcare.roles import INBOX_ROLES, LEAD_ROLES, has_role


def roles(request) -> dict:
    """What the navigation may offer the signed-in user."""
    user = getattr(request, "user", None)
    return {"can_use_inbox": has_role(user, INBOX_ROLES), "is_lead": has_role(user, LEAD_ROLES)}
