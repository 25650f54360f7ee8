"""How escalations follow the inbox: connected in EscalationsConfig.ready()."""

from escalations import services


def close_answered_on_reply(sender, *, conversation, message, agent, **kwargs) -> None:
    """Once the agent has answered the resident, a department's answer has done its work."""
    services.close_answered(conversation_id=conversation.pk, agent=agent)
