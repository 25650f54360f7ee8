from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalations.models import Department
from inbox.models import Channel, Team
from reports.metrics import Scope

DEFAULT_DAYS = 30
LONGEST_PERIOD = timedelta(days=400)


class PeriodForm(forms.Form):
    """The dashboard's filters, from the query string; without them the last 30 days of everything."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("Up to and including"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("All teams"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label=_("All departments"),
    )

    def __init__(self, *args, departments: frozenset[int] | None = None, desk_wide: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = departments
        if departments is not None:
            self.fields["department"].queryset = Department.objects.filter(pk__in=departments).order_by(
                "name"
            )
        if not desk_wide:  # a department's dashboard has no inbox to filter
            del self.fields["team"], self.fields["channel"]

    @staticmethod
    def default_period() -> dict[str, str]:
        end = timezone.localdate()
        return {"start": (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat(), "end": end.isoformat()}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if not (start and end):
            raise forms.ValidationError(_("Choose the first and the last day of the period."))
        if start > end:
            raise forms.ValidationError(_("The period must start before it ends."))
        if end - start > LONGEST_PERIOD:
            raise forms.ValidationError(_("Choose a period of at most 400 days."))
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(
            start=data["start"],
            end=data["end"],
            team=data["team"].pk if data.get("team") else None,
            channel=data.get("channel") or None,
            department=data["department"].pk if data.get("department") else None,
            departments=self.departments,
        )
