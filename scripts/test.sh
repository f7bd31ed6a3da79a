#!/usr/bin/env bash
# The whole check, as CI runs it: lint, migrations, the suite on SQLite and on PostgreSQL,
# then the browser tests in Debian's Chromium. Ends with pytest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export DJANGO_SETTINGS_MODULE=alongside.config.settings.test
unset DATABASE_URL

echo "== ruff"
ruff check .
ruff format --check .

echo "== migrations are up to date"
python manage.py makemigrations --check --dry-run

echo "== Django system checks under production settings"
DJANGO_SETTINGS_MODULE=alongside.config.settings.production \
  DJANGO_SECRET_KEY="check-only-$(head -c 32 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')" \
  DJANGO_ALLOWED_HOSTS=alongside.example.org \
  python manage.py check --deploy --fail-level WARNING

echo "== tests on SQLite"
pytest -m "not browser" -q

echo "== tests on PostgreSQL"
bash scripts/with-postgres.sh pytest -m "not browser" -q

echo "== browser tests (Chromium)"
pytest -m browser -q
