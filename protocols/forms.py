"""The forms of the protocol screens, one per action. They parse input; protocols.services decides."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from escalations.models import Department
from inbox.models import Topic
from protocols.models import Protocol, ProtocolQuerySet
from protocols.services import ProtocolContent
from protocols.workflow import Status
from protocols.yaml_format import KEY

# These words are pages under /protocols/, so no protocol may be called by them.
RESERVED_KEYS = frozenset({"new", "propose", "proposals"})
# The languages the form has a text box for; answers in other languages are kept as they are.
FORM_LANGUAGES = ("nl", "en")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _one_line_ending(text: str) -> str:
    """Browsers send CRLF; the textarea (and so the live preview) counts a line break as one character."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class ProtocolFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Title, key, question or answer"), required=False, max_length=200, widget=forms.SearchInput
    )
    department = forms.ModelChoiceField(
        Department.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All departments"),
        label=_("Department"),
    )
    topic = forms.ModelChoiceField(
        Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All topics"),
        label=_("Topic"),
    )
    status = forms.ChoiceField(
        choices=[("", _("All statuses")), *Status.choices], required=False, label=_("Status")
    )
    stale = forms.BooleanField(required=False, label=_("Past review date only"))

    def __init__(self, *args, show_department: bool = True, show_status: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # Fields that cannot narrow what this person sees are left out instead of shown in vain.
        if not show_department:
            del self.fields["department"]
        if not show_status:
            del self.fields["status"]

    def apply(self, protocols: ProtocolQuerySet) -> ProtocolQuerySet:
        data = self.cleaned_data
        if query := data["q"].strip():
            protocols = protocols.filter(
                Q(key__icontains=query)
                | Q(current__title__icontains=query)
                | Q(current__questions__icontains=query)
                | Q(current__answers__nl__icontains=query)
                | Q(current__answers__en__icontains=query)
            )
        if data.get("department"):
            protocols = protocols.filter(department=data["department"])
        if data["topic"]:
            protocols = protocols.filter(current__topic=data["topic"])
        if data.get("status"):
            protocols = protocols.filter(status=data["status"])
        if data["stale"]:
            protocols = protocols.stale()
        return protocols


class ProtocolForm(forms.Form):
    """All of a protocol's content, as an editor writes it; `content()` gives it to the services."""

    key = forms.CharField(
        label=_("Key"),
        max_length=100,
        validators=[RegexValidator(KEY, _("Use lowercase letters, digits and hyphens only."))],
        help_text=_("For example grofvuil-ophalen. It cannot be changed later."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    department = forms.ModelChoiceField(
        Department.objects.all(), to_field_name="slug", label=_("Department"), empty_label=None
    )
    topic = forms.ModelChoiceField(
        Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("No topic"),
        label=_("Topic"),
    )
    public_space = forms.BooleanField(label=_("About the public space"), required=False)
    questions = forms.CharField(
        label=_("Example questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question a line, in the words residents use."),
    )
    answer_nl = forms.CharField(
        label=_("Answer in Dutch"),
        widget=forms.Textarea(attrs={"rows": 6, "data-preview": "preview-nl"}),
        help_text=_("Write {first_name} where the resident's first name goes."),
    )
    answer_en = forms.CharField(
        label=_("Answer in English"),
        widget=forms.Textarea(attrs={"rows": 6, "data-preview": "preview-en"}),
        help_text=_("Write {first_name} where the resident's first name goes."),
    )
    links = forms.CharField(
        label=_("Self-service links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One web address a line, starting with https://."),
    )
    review_by = forms.DateField(
        label=_("Review by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The department checks the answer again by this date."),
    )
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("A few words for the version history."),
    )
    # The version the editor started from: saving over a newer one would silently undo a colleague's
    # work. protocols.services checks it under the lock on the protocol (VersionConflict).
    based_on = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        protocol: Protocol | None = None,
        departments=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        if protocol is not None:
            del self.fields["key"]
        if departments is not None:
            self.fields["department"].queryset = departments

    @classmethod
    def initial_for(cls, protocol: Protocol | None, content: ProtocolContent | None) -> dict:
        if content is None:
            return {}
        return {
            "key": content.key,
            "title": content.title,
            "department": content.department,
            "topic": content.topic,
            "public_space": content.public_space,
            "questions": "\n".join(content.questions),
            "answer_nl": content.answers.get("nl", ""),
            "answer_en": content.answers.get("en", ""),
            "links": "\n".join(content.links),
            "review_by": content.review_by,
            "based_on": protocol.current.number if protocol and protocol.current else None,
        }

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if key in RESERVED_KEYS:
            raise ValidationError(_("This word is reserved; choose another key."))
        if Protocol.objects.filter(key=key).exists():
            raise ValidationError(_("A protocol with this key already exists."))
        return key

    def clean_answer_nl(self) -> str:
        return _one_line_ending(self.cleaned_data["answer_nl"])

    def clean_answer_en(self) -> str:
        return _one_line_ending(self.cleaned_data["answer_en"])

    def clean_links(self) -> str:
        check = URLValidator(schemes=["http", "https"])
        for link in _lines(self.cleaned_data["links"]):
            try:
                check(link)
            except ValidationError:
                raise ValidationError(
                    _("'%(link)s' is not a web address (https://...)."), params={"link": link}
                ) from None
        return self.cleaned_data["links"]

    def answers_typed(self) -> dict[str, str]:
        """The answers as typed, valid or not: the preview shows them even when the form has errors."""
        if not self.is_bound:
            return {language: self.initial.get(f"answer_{language}", "") for language in FORM_LANGUAGES}
        return {
            language: _one_line_ending(self.data.get(self.add_prefix(f"answer_{language}"), "")).strip()
            for language in FORM_LANGUAGES
        }

    def content(self) -> ProtocolContent:
        data = self.cleaned_data
        # Answers in languages without a text box here (imported from YAML) stay as they were.
        kept = dict(self.protocol.current.answers) if self.protocol and self.protocol.current else {}
        answers = {**kept, **{language: data[f"answer_{language}"] for language in FORM_LANGUAGES}}
        return ProtocolContent(
            key=self.protocol.key if self.protocol else data["key"],
            title=data["title"],
            department=data["department"].slug,
            answers=answers,
            topic=data["topic"].slug if data["topic"] else "",
            public_space=data["public_space"],
            questions=_lines(data["questions"]),
            links=_lines(data["links"]),
            review_by=data["review_by"],
        )


class ProposalForm(ProtocolForm):
    """The same content, proposed by a department: the note tells the editor why."""

    note = forms.CharField(
        label=_("Why this change"),
        max_length=500,
        required=False,
        help_text=_("The protocol editors read this before they accept or reject the proposal."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The department sees this, so say why."),
    )
