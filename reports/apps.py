from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from reports.aggregates import add_to_sqlite

        connection_created.connect(add_to_sqlite, dispatch_uid="reports.aggregates")
