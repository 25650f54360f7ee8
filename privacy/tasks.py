"""Background work for privacy: tasks only call the services."""

from celery import shared_task

from privacy import services


@shared_task(name="privacy.apply_retention")
def apply_retention() -> dict[str, int]:
    """Nightly (Celery beat): the retention terms of docs/privacy.md."""
    return services.apply_retention().counts
