"""The product's settings (from the environment, as in production) plus the bench-only bare app."""

from webcare.settings import *  # noqa: F403
from webcare.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "benchkit.bare"]
ROOT_URLCONF = "benchkit.bare.urls"
