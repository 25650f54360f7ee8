from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from webcare.roles import Role


class User(AbstractUser):
    """A member of staff. The role decides which screens exist for them."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    team = models.ForeignKey(
        "inbox.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    department = models.ForeignKey(
        "escalations.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    # An agent who is away gets no conversations handed back to them; they go to the team queue.
    is_away = models.BooleanField(_("away"), default=False)
    initials = models.CharField(
        _("initials"), max_length=6, blank=True, help_text=_("Signs public replies, e.g. ^EP.")
    )

    @property
    def signature(self) -> str:
        initials = self.initials or (self.first_name[:1] + self.last_name[:1]).upper()
        return f"^{initials or self.username[:2].upper()}"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
