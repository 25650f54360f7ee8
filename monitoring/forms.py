"""What the monitoring screens filter and post. These forms parse; monitoring.query reads queries."""

from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from inbox.models import Channel, Topic
from monitoring import query as queries
from monitoring.models import ListeningQuery, MentionQuerySet, Sentiment

# The feed's periods: how far back from now.
PERIODS = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}


class FeedFilterForm(forms.Form):
    """The feed's filters. Each is optional; an empty one shows everything that is kept."""

    topic = forms.ModelChoiceField(
        Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All topics"),
        label=_("Topic"),
    )
    sentiment = forms.ChoiceField(
        choices=[("", _("Any sentiment")), *Sentiment.choices], required=False, label=_("Sentiment")
    )
    channel = forms.ChoiceField(
        choices=[("", _("All channels")), *Channel.choices], required=False, label=_("Channel")
    )
    period = forms.ChoiceField(
        choices=[
            ("", _("Any time")),
            ("24h", _("Last 24 hours")),
            ("7d", _("Last 7 days")),
            ("30d", _("Last 30 days")),
        ],
        required=False,
        label=_("Period"),
    )
    query = forms.ModelChoiceField(
        ListeningQuery.objects.all(),
        required=False,
        empty_label=_("All listening queries"),
        label=_("Caught by"),
    )
    needs_answer = forms.BooleanField(required=False, label=_("Needs an answer"), label_suffix="")
    everything = forms.BooleanField(
        required=False, label=_("Also posts not about the municipality"), label_suffix=""
    )

    def apply(self, mentions: MentionQuerySet, *, now: datetime) -> MentionQuerySet:
        data = self.cleaned_data
        if not data["everything"]:
            mentions = mentions.relevant()
        if data["topic"]:
            mentions = mentions.filter(topic=data["topic"])
        if data["sentiment"]:
            mentions = mentions.filter(sentiment=data["sentiment"])
        if data["channel"]:
            mentions = mentions.filter(channel=data["channel"])
        if data["period"]:
            mentions = mentions.filter(posted_at__gte=now - PERIODS[data["period"]])
        if data["query"]:
            mentions = mentions.filter(queries=data["query"])
        if data["needs_answer"]:
            mentions = mentions.filter(needs_answer=True)
        return mentions


class ListeningQueryForm(forms.ModelForm):
    class Meta:
        model = ListeningQuery
        fields = ["name", "expression", "topic", "is_active"]
        labels = {"is_active": _("On: store new posts that match")}
        help_texts = {
            "name": _("For the desk: what this query listens for."),
            "expression": _(
                "Words match at the start of a word, so “afval” also finds “afvalcontainer”; case and "
                "accents do not matter. Combine with AND, OR and NOT (or “-” before a word), group with "
                "brackets, put a “phrase in quotes” for words in that order, and use #hashtags and "
                "@handles. Words next to each other must all occur. Example: "
                'afval AND (container OR kliko) NOT "Ajax Amsterdam"'
            ),
            "topic": _("The topic of the posts this query catches, for the spike alerts. Optional."),
        }
        widgets = {
            "expression": forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].empty_label = _("No topic")
        self.fields["is_active"].label_suffix = ""
        # The live preview as the lead types (htmx); without JavaScript the form's Preview button.
        self.fields["expression"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("monitoring:query-preview"),
                "hx-trigger": "keyup changed delay:400ms, change changed",
                "hx-target": "#query-preview",
                "hx-sync": "this:replace",
            }
        )

    def clean_expression(self) -> str:
        expression = self.cleaned_data["expression"].strip()
        try:
            queries.parse(expression)
        except queries.QueryError as error:
            raise ValidationError(str(error), code="query") from None
        return expression


class CorrectionForm(forms.Form):
    """An agent's reading of a post, where enrichment got it wrong."""

    sentiment = forms.ChoiceField(choices=Sentiment.choices, label=_("Tone"))
    topic = forms.ModelChoiceField(
        Topic.objects.all(), to_field_name="slug", required=False, empty_label=_("No topic"), label=_("Topic")
    )
    needs_answer = forms.BooleanField(required=False, label=_("Needs an answer"))
    relevant = forms.BooleanField(required=False, label=_("About the municipality"))
