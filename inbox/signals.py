"""What the inbox announces, for apps that build on it (the inbox itself never imports them)."""

from django.dispatch import Signal

# Sent inside the reply's transaction, after the municipality's reply to a resident is stored.
# Arguments: conversation, message, agent.
replied = Signal()
