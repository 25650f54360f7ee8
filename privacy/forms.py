"""What leads post about a contact's privacy. These forms only parse: the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models import ErasureRequest, LegalHold

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ErasureRequestForm(forms.ModelForm):
    class Meta:
        model = ErasureRequest
        fields = ["received_on", "received_through", "note"]
        widgets = {"received_on": DAY}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(_("A request cannot be received in the future."))
        return received_on


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ["reason", "until"]
        widgets = {"until": DAY}
