"""Settings for the test suite. The database comes from DATABASE_URL (SQLite by default)."""

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env

ALONGSIDE_ENVIRONMENT = "test"
DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALONGSIDE_REQUIRE_OTP = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env(
    "DATABASE_URL", default=""
):
    DATABASES["default"]["NAME"] = str(BASE_DIR / "var" / "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
