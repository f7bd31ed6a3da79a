"""Settings for the test suite. The database comes from DATABASE_URL (SQLite by default)."""

from .base import *  # noqa: F403
from .base import DATABASES

ALONGSIDE_ENVIRONMENT = "test"
DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALONGSIDE_REQUIRE_OTP = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# SQLite tests use Django's in-memory test database (shared with the live server thread in
# browser tests), so parallel runs never share a file.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].pop("TEST", None)
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
