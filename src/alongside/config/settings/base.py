"""Settings shared by every environment.

Everything is defined here; the other modules only change what differs, and production
reads its differences from environment variables (see README "Configuration").
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

SRC_DIR = Path(__file__).resolve().parents[2]
BASE_DIR = SRC_DIR.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Which environment this is; demo accounts and the demo loader refuse to run in production.
ALONGSIDE_ENVIRONMENT = "base"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_forms_gds",
    "django_tasks",
    "django_tasks_db",
    "alongside.core",
    "alongside.accounts",
    "alongside.people",
    "alongside.directory",
    "alongside.notify",
    "alongside.portal",
    "alongside.casework",
    "alongside.grants",
    "alongside.hubs",
    "alongside.demo",
]

MIDDLEWARE = [
    "alongside.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "alongside.core.middleware.StaffSessionExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alongside.config.urls"
WSGI_APPLICATION = "alongside.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alongside.core.context_processors.council",
                "alongside.portal.context_processors.my_list",
            ],
        },
    }
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'alongside.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes. A 64 MiB page cache and
    # memory-mapped reads keep a large directory's search tables in memory between queries
    # (SQLite's default cache is 2 MiB); they matter with persistent connections (below).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Planner settings for a database on SSD or in memory (PostgreSQL's defaults assume
    # spinning disks): index and bitmap scans cost about what they really do, and a search's
    # sort or count of tens of thousands of matches fits in memory. Measured on 100,000
    # listings: broad searches with filters went from 40-95 ms to 17-30 ms. No JIT: a
    # search's plan is compiled afresh each time, and at 1,000,000 listings compiling cost
    # about 30 ms a query, more than it saved.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options",
        env(
            "DATABASE_PG_OPTIONS",
            default="-c random_page_cost=1.1 -c work_mem=16MB -c jit=off",
        ),
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep connections for a minute: opening one costs a few milliseconds on PostgreSQL, and on
# SQLite it throws away the page cache. Checked before reuse, so a dropped one is replaced.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Sessions and cookies. Staff are signed out after a period without activity.
SESSION_COOKIE_HTTPONLY = True
# Confirmation messages live in the session, so no extra cookie is set for them.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
CSRF_COOKIE_HTTPONLY = True

# Two-factor authentication: required for every staff account in production; demo
# accounts may sign in without it where this is False.
ALONGSIDE_REQUIRE_OTP = env.bool("ALONGSIDE_REQUIRE_OTP", default=True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Alongside")

# django-axes: lock an email address and IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "email"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Content security policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],  # a nonce only for JSON-LD data blocks
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Background work (django-tasks with the database backend; run `manage.py db_worker`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The council this installation serves. Names appear in headers, titles and documents.
COUNCIL = {
    "name": env("COUNCIL_NAME", default="City of York Council"),
    "public_service_name": env("PUBLIC_SERVICE_NAME", default="Live Well York"),
    "staff_service_name": env("STAFF_SERVICE_NAME", default="Alongside"),
    "phase": env("SERVICE_PHASE", default="Beta"),
    "contact_email": env("COUNCIL_CONTACT_EMAIL", default="livewell@example.org"),
    "local_authority_code": env("LOCAL_AUTHORITY_CODE", default="E06000014"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "alongside.core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "alongside.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The Notify client logs Notify's error text, which could quote an address; the
        # notify backend logs each outcome itself, by message reference only.
        "notifications_python_client": {"level": "ERROR"},
    },
}

# The ORUK profile this installation's open data API declares at /api/oruk/.
ORUK_PROFILE_URL = env(
    "ORUK_PROFILE_URL",
    default="https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md",
)

# A published directory listing not checked for this many months becomes "review due".
DIRECTORY_REVIEW_MONTHS = env.int("DIRECTORY_REVIEW_MONTHS", default=12)

# How many days of listing dates the search index keeps, from the day it is built (for
# "happening this week" and "soonest"); rebuild the index daily (directory_search_index).
DIRECTORY_SEARCH_WINDOW_DAYS = env.int("DIRECTORY_SEARCH_WINDOW_DAYS", default=56)

# --- The public portal (Live Well) ---------------------------------------------------------------
# A map tile server, e.g. "https://tile.openstreetmap.org/{z}/{x}/{y}.png". Empty (the default):
# no tiles and no third-party requests; maps show ward outlines and markers from our own data.
PORTAL_MAP_TILES_URL = env("PORTAL_MAP_TILES_URL", default="")
PORTAL_MAP_TILES_ATTRIBUTION = env("PORTAL_MAP_TILES_ATTRIBUTION", default="")
if PORTAL_MAP_TILES_URL:  # let the browser fetch tiles from that server, and nothing else
    from urllib.parse import urlsplit as _urlsplit

    _tiles = _urlsplit(PORTAL_MAP_TILES_URL.replace("{s}.", "*."))
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")
# Ratings a visitor may send in an hour ("Is this page useful?").
PORTAL_RATINGS_PER_HOUR = env.int("PORTAL_RATINGS_PER_HOUR", default=10)
# Listings one My list may hold.
PORTAL_MY_LIST_MAX = env.int("PORTAL_MY_LIST_MAX", default=50)

# --- Messages -------------------------------------------------------------------------------------
# "outbox" (the default) keeps every message in the database, visible to staff, and sends nothing.
# Casework: a Local Area Coordinator's Level 2 caseload (York works to 60); each worker may
# have their own figure (casework.WorkerCapacity).
CASEWORK_LEVEL2_CAPACITY = env.int("CASEWORK_LEVEL2_CAPACITY", default=60)
# Welfare calls not recorded by this hour (local time) count as missed and go to the worker.
CASEWORK_WELFARE_CUTOFF_HOUR = env.int("CASEWORK_WELFARE_CUTOFF_HOUR", default=18)
# Residents' own referrals to social prescribing: the team that takes them (a team name; empty
# means the first active social prescribing team) and how many one visitor may send an hour.
CASEWORK_SELF_REFERRAL_TEAM = env("CASEWORK_SELF_REFERRAL_TEAM", default="")
CASEWORK_SELF_REFERRALS_PER_HOUR = env.int("CASEWORK_SELF_REFERRALS_PER_HOUR", default=5)
# Talking Points. Residents may book online only when this is on (and the session allows it).
HUBS_PUBLIC_BOOKING = env.bool("HUBS_PUBLIC_BOOKING", default=True)
# The number residents ring to book, change or cancel a Talking Point (shown on the public
# pages and in every message).
HUBS_PHONE = env("HUBS_PHONE", default="01904 551550")
# How far ahead slots are generated, and how long a link in a booking message works.
HUBS_SLOT_WEEKS_AHEAD = env.int("HUBS_SLOT_WEEKS_AHEAD", default=12)
HUBS_LINK_DAYS = env.int("HUBS_LINK_DAYS", default=60)
# How long a place offered from the waiting list is held for the person.
HUBS_OFFER_HOURS = env.int("HUBS_OFFER_HOURS", default=48)
# Online bookings one visitor may make in an hour.
HUBS_PUBLIC_BOOKINGS_PER_HOUR = env.int("HUBS_PUBLIC_BOOKINGS_PER_HOUR", default=5)
# The share of people expected to need paid-for services without Talking Points (York: 65%).
HUBS_EXPECTED_PAID_SERVICE_PERCENT = env.int("HUBS_EXPECTED_PAID_SERVICE_PERCENT", default=65)
# The address of this installation, for links in messages sent without a request (tasks).
ALONGSIDE_SITE_URL = env("ALONGSIDE_SITE_URL", default="http://127.0.0.1:8000")

# "outbox" keeps messages and sends nothing; "govuk_notify" sends them through GOV.UK Notify
# (they are kept in the outbox as well). See "Sending for real with GOV.UK Notify" in README.
NOTIFY_BACKEND = env("NOTIFY_BACKEND", default="outbox")
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
# Notify templates (ids from the template's page in Notify): an email template with
# ((subject)) and ((body)); the same with ((link_to_file)) for emails with a file; a text
# message template with ((body)).
NOTIFY_EMAIL_TEMPLATE_ID = env("NOTIFY_EMAIL_TEMPLATE_ID", default="")
NOTIFY_EMAIL_FILE_TEMPLATE_ID = env("NOTIFY_EMAIL_FILE_TEMPLATE_ID", default="")
NOTIFY_SMS_TEMPLATE_ID = env("NOTIFY_SMS_TEMPLATE_ID", default="")
# Seconds to wait for Notify before giving up (the message stays queued).
NOTIFY_TIMEOUT_SECONDS = env.float("NOTIFY_TIMEOUT_SECONDS", default=10)
