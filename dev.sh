#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine with Python 3.11+:
#   ./dev.sh demo    set everything up, then start UnionDesk on a demo workspace
#   ./dev.sh test    set everything up, then run lint, the type check and the whole test suite
#   ./dev.sh setup   set everything up only
# Idempotent: when everything is already installed it only checks and goes on.
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$PWD"
VENV="$ROOT/.venv"

# Debian packages: Qt's runtime libraries (offscreen and X11), PDF and QR tools the tests
# read printouts with, PostgreSQL for the provincial server tests, Xvfb for screenshots.
DEB_PACKAGES=(
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libnss3 libxcomposite1 libxdamage1 libxrandr2
  libxtst6 libxi6 libasound2
  poppler-utils zbar-tools postgresql xvfb
)

need_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

setup_debian() {
  command -v dpkg-query >/dev/null || { echo "dev.sh: not a Debian/Ubuntu system; install the packages in DEB_PACKAGES by hand" >&2; return 0; }
  local missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "dev.sh: installing Debian packages: ${missing[*]}"
    need_root apt-get update -qq
    need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

find_python() {
  for c in python3.11 python3.12 python3.13 python3; do
    if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "$c"; return 0
    fi
  done
  echo "dev.sh: Python 3.11 or newer is needed" >&2; return 1
}

setup_python() {
  if [ ! -x "$VENV/bin/python" ]; then
    local py; py="$(find_python)"
    "$py" -m venv "$VENV" || { need_root apt-get install -y -qq python3-venv && "$py" -m venv "$VENV"; }
  fi
  local stamp="$VENV/.uniondesk-installed" want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[test,build]"
    echo "$want" > "$stamp"
  fi
  "$VENV/bin/python" -m desktop.i18n_build
}

setup() { setup_debian; setup_python; }

case "${1:-}" in
  setup) setup ;;
  demo) setup; exec "$VENV/bin/uniondesk" demo ;;
  test)
    setup
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/ruff" check .
    "$VENV/bin/mypy"
    exec "$VENV/bin/python" -m pytest "${@:2}"
    ;;
  *) sed -n '2,6p' "$0"; exit 2 ;;
esac
