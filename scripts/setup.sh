#!/usr/bin/env bash
# Set up everything the dashboard needs, idempotently: a virtual environment with the pinned
# Python packages, which include the front-end assets (Leaflet and jQuery as XStatic packages,
# copied into static/vendor/). With --dev, also the test tools and Debian's Chromium for the
# browser tests. Used by bin/dashboard, bin/test and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

need_apt=()
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ "$dev" = 1 ] && [ ! -x /usr/bin/chromium ]; then need_apt+=(chromium); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: please install these Debian packages first: ${need_apt[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
req=requirements.txt
[ "$dev" = 1 ] && req=requirements-dev.txt
# Reinstall only when the requirements changed since the last successful install.
stamp=".venv/.installed-$(sha1sum requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)-$dev"
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
  touch "$stamp"
fi
# The app also does this at start-up; here it fails the set-up early with a clear message.
.venv/bin/python scripts/install_assets.py
