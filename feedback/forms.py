"""What the feedback screens post and filter. These forms parse; feedback.services decides.

Error messages reuse the services' wording, so that one translation serves both.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from escalations.models import Department
from feedback.models import Kind, Suggestion
from feedback.services import SUMMARY_LENGTH
from feedback.workflow import OUTCOMES, Status, next_statuses

EXPLANATION_LENGTH = 2000
# Offered as "the same as an existing suggestion": enough to find it, short enough to scan.
SAME_AS_CHOICES = 50


class RecordForm(forms.Form):
    """A new suggestion from the conversation."""

    summary = forms.CharField(
        label=_("Summary"),
        help_text=_("Shown on the public status page: no names, addresses or numbers."),
        error_messages={"required": _("Write a short summary of the suggestion.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Kind.choices,
        initial=Kind.SUGGESTION,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose suggestion or complaint."),
            "invalid_choice": _("Choose suggestion or complaint."),
        },
    )
    department = forms.ModelChoiceField(
        Department.objects.all(),
        label=_("Department"),
        to_field_name="slug",
        error_messages={
            "required": _("Choose a department."),
            "invalid_choice": _("Choose a department."),
        },
    )
    notify = forms.BooleanField(label=_("The resident wants to hear back"), required=False, initial=True)

    def clean_summary(self) -> str:
        summary = " ".join(self.cleaned_data["summary"].split())
        if len(summary) > SUMMARY_LENGTH:
            raise ValidationError(
                _("A summary has at most %(limit)d characters."), params={"limit": SUMMARY_LENGTH}
            )
        return summary


class LinkForm(forms.Form):
    """This resident makes a suggestion that was already recorded: they follow it too."""

    same_as = forms.ModelChoiceField(
        Suggestion.objects.pending(),
        label=_("Same as an existing suggestion"),
        error_messages={
            "required": _("Choose the suggestion this resident makes too."),
            "invalid_choice": _("Choose a suggestion that is still open."),
        },
    )
    notify = forms.BooleanField(label=_("The resident wants to hear back"), required=False, initial=True)


class StatusForm(forms.Form):
    """Move a suggestion on: only to the statuses the workflow allows from where it is now."""

    status = forms.ChoiceField(
        label=_("New status"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the new status."),
            "invalid_choice": _("This status is not possible now."),
        },
    )
    explanation = forms.CharField(
        label=_("Explanation for the residents"),
        required=False,
        max_length=EXPLANATION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Needed for planned, implemented and not adopted. Residents read it: write plainly, in "
            "short sentences, without jargon or abbreviations (language level B1)."
        ),
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(status, Status(status).label) for status in next_statuses(current)]

    def clean(self):
        data = super().clean()
        if data.get("status") in OUTCOMES and not data.get("explanation", "").strip():
            self.add_error(
                "explanation",
                ValidationError(_("Explain the decision in plain words: the residents read it.")),
            )
        return data


class FilterForm(forms.Form):
    """The list's filters. Each is optional; an empty one shows everything."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Status.choices], required=False
    )
    department = forms.ModelChoiceField(
        Department.objects.none(),
        label=_("Department"),
        to_field_name="slug",
        required=False,
        empty_label=_("All departments"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *Kind.choices], required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def apply(self, suggestions):
        data = self.cleaned_data
        if data.get("status"):
            suggestions = suggestions.filter(status=data["status"])
        if data.get("department"):
            suggestions = suggestions.filter(department=data["department"])
        if data.get("kind"):
            suggestions = suggestions.filter(kind=data["kind"])
        return suggestions
