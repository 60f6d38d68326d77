#!/usr/bin/env bash
# Set up recover from nothing on Debian/Ubuntu with Python 3.11+: the system packages
# (Tesseract with Chinese, the CJK fonts the test-document generator draws with, the
# libraries OpenCV loads), a virtual environment in .venv, and the package in it.
#   bash scripts/setup.sh          # to run recover
#   bash scripts/setup.sh --test   # also what the tests and the generator need
set -euo pipefail
cd "$(dirname "$0")/.."

extras="."
packages=(tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra libgl1 libglib2.0-0)
if [ "${1:-}" = "--test" ]; then
  extras=".[test,cluster]"
  packages+=(fonts-noto-cjk fonts-arphic-uming fonts-arphic-ukai poppler-utils chromium)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e "$extras"
