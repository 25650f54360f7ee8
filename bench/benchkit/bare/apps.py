from django.apps import AppConfig


class BareConfig(AppConfig):
    name = "benchkit.bare"
    label = "bench_bare"
    default_auto_field = "django.db.models.BigAutoField"
