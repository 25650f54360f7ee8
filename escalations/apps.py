from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "escalations"

    def ready(self) -> None:
        from escalations.receivers import close_answered_on_reply
        from inbox.signals import replied

        replied.connect(close_answered_on_reply, dispatch_uid="escalations.close_answered_on_reply")
