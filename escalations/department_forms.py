"""The department's two replies to the desk. The forms parse; escalations.services decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from escalations.services import QUESTION_LENGTH


class _TextForm(forms.Form):
    text = forms.CharField(max_length=QUESTION_LENGTH, strip=True, widget=forms.Textarea(attrs={"rows": 6}))


class AnswerForm(_TextForm):
    prefix = "answer"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Your answer")
        self.fields["text"].help_text = _(
            "The desk adapts your answer and sends it to the resident; you never write to them directly."
        )


class RequestInfoForm(_TextForm):
    prefix = "info"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("What do you need to know?")
        self.fields["text"].help_text = _(
            "The question goes back to the desk; your deadline starts again once they add the information."
        )
