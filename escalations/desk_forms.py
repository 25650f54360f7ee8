"""What the desk posts about escalations. These forms only parse: the services check the words."""

from django import forms

from escalations.models import Department
from escalations.services import QUESTION_LENGTH
from inbox.models import Conversation, Direction, Message


def resident_messages(conversation: Conversation):
    """The resident's messages in this conversation that an agent may share with a department."""
    return Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)


class EscalateForm(forms.Form):
    # Not required here: services.escalate says "Choose a department." in the desk's language.
    department = forms.ModelChoiceField(Department.objects.all(), to_field_name="slug", required=False)
    question = forms.CharField(required=False, strip=False)
    messages = forms.ModelMultipleChoiceField(Message.objects.none(), required=False)
    share_contact = forms.BooleanField(required=False)

    def __init__(self, *args, conversation: Conversation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["messages"].queryset = resident_messages(conversation)


class AddInfoForm(forms.Form):
    text = forms.CharField(required=False, strip=False)
    messages = forms.ModelMultipleChoiceField(Message.objects.none(), required=False)

    def __init__(self, *args, conversation: Conversation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["messages"].queryset = resident_messages(conversation)


class WithdrawForm(forms.Form):
    reason = forms.CharField(required=False, max_length=QUESTION_LENGTH)
