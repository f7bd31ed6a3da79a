"""Settings for `make run`: SQLite, debug pages, demo accounts without a second factor."""

from .base import *  # noqa: F403
from .base import env

ALONGSIDE_ENVIRONMENT = "local"
DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALONGSIDE_REQUIRE_OTP = env.bool("ALONGSIDE_REQUIRE_OTP", default=False)
