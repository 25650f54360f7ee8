from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A back-office department (vakafdeling) that answers the desk's escalations."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_departments",
    )
    service_level_days = models.PositiveSmallIntegerField(_("service level (working days)"), default=5)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
