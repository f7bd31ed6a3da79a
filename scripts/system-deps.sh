#!/usr/bin/env bash
# Installs the machine packages the project needs and that pip and npm cannot provide:
# Debian's Chromium (browser tests), PostgreSQL server binaries (the PostgreSQL test run)
# and Pango (WeasyPrint's PDF renderer). As root it uses apt-get; otherwise it says what
# is missing and how to get it.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if ! command -v initdb >/dev/null 2>&1 && ! ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi 'liberation' || need+=(fonts-liberation)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Alongside needs these Debian packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
