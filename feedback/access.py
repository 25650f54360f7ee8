"""Who sees which suggestions, decided once: every view and endpoint fetches through these.

The desk (agents, leads, admins) sees all; an account manager the suggestions for the departments
they manage, and nothing else (another department's is a 404). Changing a status is for account
managers (their departments) and leads.
"""

from django.http import Http404

from feedback.models import Suggestion, SuggestionQuerySet
from webcare.roles import INBOX_ROLES, LEAD_ROLES, Role, has_role

ACCOUNT_MANAGERS = frozenset({Role.ACCOUNT_MANAGER})
READERS = INBOX_ROLES | ACCOUNT_MANAGERS
DECIDERS = LEAD_ROLES | ACCOUNT_MANAGERS


def visible_suggestions(user) -> SuggestionQuerySet:
    suggestions = Suggestion.objects.select_related("department", "topic")
    if has_role(user, INBOX_ROLES):
        return suggestions
    if has_role(user, ACCOUNT_MANAGERS):
        return suggestions.for_account_manager(user)
    return suggestions.none()


def get_suggestion_for_user(user, pk: int) -> Suggestion:
    try:
        return visible_suggestions(user).get(pk=pk)
    except Suggestion.DoesNotExist:
        raise Http404 from None


def may_decide(user, suggestion: Suggestion) -> bool:
    """Leads decide for any department, an account manager for the departments they manage."""
    if has_role(user, LEAD_ROLES):
        return True
    return has_role(user, ACCOUNT_MANAGERS) and suggestion.department.account_manager_id == user.pk
