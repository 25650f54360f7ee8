from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from inbox.models import Channel, ConversationQuerySet, MessageTemplate, RoutingRule, Team
from inbox.workflow import Status
from webcare.roles import INBOX_ROLES

ACTIVE = "active"


class QueueFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        Team.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All teams"),
        label=_("Team"),
    )
    channel = forms.ChoiceField(
        choices=[("", _("All channels")), *Channel.choices], required=False, label=_("Channel")
    )
    status = forms.ChoiceField(
        choices=[(ACTIVE, _("Not closed")), *Status.choices, ("", _("All statuses"))],
        required=False,
        label=_("Status"),
    )
    mine = forms.BooleanField(required=False, label=_("Mine"))
    urgent = forms.BooleanField(required=False, label=_("Urgent"))
    overdue = forms.BooleanField(required=False, label=_("Overdue"))

    def apply(self, conversations: ConversationQuerySet, user) -> ConversationQuerySet:
        data = self.cleaned_data
        if data["team"]:
            conversations = conversations.filter(team=data["team"])
        if data["channel"]:
            conversations = conversations.filter(channel=data["channel"])
        if data["status"] == ACTIVE:
            conversations = conversations.active()
        elif data["status"]:
            conversations = conversations.filter(status=data["status"])
        if data["mine"]:
            conversations = conversations.filter(assigned_to=user)
        if data["urgent"]:
            conversations = conversations.filter(urgent=True)
        if data["overdue"]:
            conversations = conversations.overdue(timezone.now())
        return conversations


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    template = forms.ModelChoiceField(
        MessageTemplate.objects.filter(is_active=True), label=_("Approved template"), required=False
    )
    private = forms.BooleanField(label=_("Reply privately (direct message)"), required=False)
    # Set when the agent starts from a suggested protocol (see protocols.suggestion_views).
    protocol = forms.SlugField(required=False, widget=forms.HiddenInput)
    protocol_answer = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)

    def clean(self):
        data = super().clean()
        if not data.get("text", "").strip() and not data.get("template"):
            self.add_error("text", _("A reply needs text."))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(
        User.objects.filter(role__in=INBOX_ROLES, is_active=True), label=_("Assign to")
    )


class MergeForm(forms.Form):
    other = forms.IntegerField(label=_("Number of the contact to merge into this one"), min_value=1)


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ["position", "name", "channel", "public_space", "topics", "keywords", "team", "is_active"]
        widgets = {"topics": forms.CheckboxSelectMultiple, "keywords": forms.Textarea(attrs={"rows": 3})}
