from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Background work")

    def ready(self) -> None:
        from outbox import worker  # noqa: F401  (connects the worker's bookkeeping of outbox tasks)
