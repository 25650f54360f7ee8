from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from audit.models import Action

# The records the log names, as audit.middleware and the apps' own entries call them.
RECORD_TYPES = {
    "contact": _("Contact"),
    "conversation": _("Conversation"),
    "message": _("Message"),
    "escalation": _("Escalation"),
    "suggestion": _("Suggestion"),
    "mention": _("Mention"),
    "protocol": _("Protocol"),
    "protocolproposal": _("Protocol proposal"),
    "department": _("Department"),
    "listeningquery": _("Listening query"),
    "spikealert": _("Spike alert"),
    "routingrule": _("Routing rule"),
    "team": _("Team"),
    "topic": _("Topic"),
    "user": _("User"),
}


DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        full_name = user.get_full_name()
        return f"{full_name} ({user.username})" if full_name else user.username


class SearchForm(forms.Form):
    """The log's filters, each optional; in the URL, so a filtered log can be linked to."""

    actor = StaffChoiceField(
        get_user_model().objects.order_by("username"),
        label=_("Who"),
        to_field_name="username",
        required=False,
        empty_label=_("Everyone"),
    )
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("All actions")), *Action.choices], required=False
    )
    object_type = forms.ChoiceField(
        label=_("Record type"), choices=[("", _("All records")), *RECORD_TYPES.items()], required=False
    )
    object_id = forms.CharField(label=_("Record number"), max_length=64, required=False)
    since = forms.DateField(label=_("From date"), required=False, widget=DAY)
    until = forms.DateField(label=_("To date"), required=False, widget=DAY)
    ip_address = forms.GenericIPAddressField(label=_("From address"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date comes before the start date."))
        return data

    def apply(self, entries):
        data = self.cleaned_data
        return entries.matching(
            actor=data["actor"],
            action=data["action"],
            object_type=data["object_type"],
            object_id=data["object_id"].strip(),
            since=data["since"],
            until=data["until"],
            ip_address=data["ip_address"] or "",
        )

    def described(self) -> str:
        """The filters in use, as `name=value`: for the entry that records an export of the log."""
        data = self.cleaned_data
        used = {**data, "actor": data["actor"].username if data["actor"] else ""}
        return " ".join(f"{name}={value}" for name, value in used.items() if value)
