"""The lead's department form. It parses; escalations.departments decides."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from escalations.models import Department
from inbox.models import Topic
from webcare.roles import Role

# Longer than this, and the desk should talk to the department rather than wait for it.
MAX_SERVICE_LEVEL_DAYS = 60


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        if user.department_id and user.department_id != getattr(self, "department_id", None):
            return _("%(name)s (now: %(department)s)") % {
                "name": user.display_name,
                "department": user.department.name,
            }
        return user.display_name


class DepartmentForm(forms.ModelForm):
    service_level_days = forms.IntegerField(
        label=_("Service level (working days)"),
        min_value=1,
        max_value=MAX_SERVICE_LEVEL_DAYS,
        help_text=_(
            "The department answers within this many working days; weekends and holidays do not count."
        ),
    )
    account_manager = forms.ModelChoiceField(
        get_user_model().objects.none(),
        required=False,
        label=_("Account manager"),
        empty_label=_("No account manager"),
    )
    topics = forms.ModelMultipleChoiceField(
        Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Topics"),
        help_text=_("An agent escalating a conversation on one of these topics is offered this department."),
    )
    members = MemberChoiceField(
        get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Members"),
        help_text=_("Staff with the department role. A member of another department moves to this one."),
    )

    class Meta:
        model = Department
        fields = ["name", "slug", "service_level_days", "account_manager", "topics"]
        labels = {"name": _("Name"), "slug": _("Slug")}
        help_texts = {"slug": _("Lowercase letters, digits and hyphens, for example parking.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("first_name", "last_name", "username")
        # Who is chosen now stays choosable, also when no longer active: saving must not drop them.
        managers = users.filter(role=Role.ACCOUNT_MANAGER)
        members = users.filter(role=Role.DEPARTMENT).select_related("department")
        if self.instance.pk:
            managers = managers.filter(Q(is_active=True) | Q(pk=self.instance.account_manager_id))
            members = members.filter(Q(is_active=True) | Q(department=self.instance))
            self.fields["members"].initial = list(self.instance.members.values_list("pk", flat=True))
        else:
            managers, members = managers.filter(is_active=True), members.filter(is_active=True)
        self.fields["account_manager"].queryset = managers
        self.fields["members"].queryset = members
        self.fields["members"].department_id = self.instance.pk
