"""Managing departments (admins and leads): their details, the topics they answer, their members.

One function, one transaction; the caller checks the role (webcare.roles.LEAD_ROLES).
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from escalations.models import Department
from inbox.models import Topic
from webcare.roles import Role


class DepartmentError(Exception):
    """A change to a department that is refused; the message is for the lead."""


@transaction.atomic
def save_department(
    *,
    department_id: int | None,
    slug: str,
    name: str,
    service_level_days: int,
    account_manager_id: int | None,
    topic_ids: Iterable[int],
    member_ids: Iterable[int],
) -> Department:
    """Create a department (`department_id` None) or change one, members included.

    Exactly the users in `member_ids` belong to the department afterwards: they are moved here
    (from another department, if need be), and members left out lose their department. Only users
    with the department role can be members, and only an account manager can manage a department;
    others are refused. Takes the lock on the department's row.
    """
    users = get_user_model().objects
    account_manager = None
    if account_manager_id is not None:
        account_manager = users.filter(pk=account_manager_id, role=Role.ACCOUNT_MANAGER).first()
        if account_manager is None:
            raise DepartmentError(_("Choose an account manager."))
    member_ids = set(member_ids)
    if users.filter(pk__in=member_ids, role=Role.DEPARTMENT).count() != len(member_ids):
        raise DepartmentError(_("Only department members can belong to a department."))
    topic_ids = set(topic_ids)
    if Topic.objects.filter(pk__in=topic_ids).count() != len(topic_ids):
        raise DepartmentError(_("Choose topics from the list."))

    if department_id is None:
        department = Department()
    else:
        department = Department.objects.select_for_update().get(pk=department_id)
    department.slug = slug
    department.name = name
    department.service_level_days = service_level_days
    department.account_manager = account_manager
    try:
        with transaction.atomic():  # two leads creating the same slug at once: one wins
            department.save()
    except IntegrityError:
        raise DepartmentError(_("A department with this slug already exists.")) from None
    department.topics.set(topic_ids)
    users.filter(department=department).exclude(pk__in=member_ids).update(department=None)
    users.filter(pk__in=member_ids).exclude(department=department).update(department=department)
    return department
