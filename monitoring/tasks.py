"""Background work for monitoring: tasks only call functions of the app."""

from celery import shared_task

from monitoring import alerts, enrichment, services, sources


@shared_task(name="monitoring.enrich_mentions")
def enrich_mentions(mention_ids: list[int]) -> None:
    enrichment.enrich(mention_ids)


@shared_task(name="monitoring.poll_sources")
def poll_sources() -> dict[str, int]:
    """New public posts from X, Facebook and Instagram (Celery beat, every five minutes)."""
    return sources.poll_sources()


@shared_task(name="monitoring.check_spikes")
def check_spikes() -> None:
    alerts.check_last_hour()


@shared_task(name="monitoring.forget_expired")
def forget_expired() -> None:
    services.forget_expired()
