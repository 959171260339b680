#!/usr/bin/env bash
# Refreshes the screenshots of docs/web.md's gallery from the ones the e2e
# suite saved (ctest -R e2e.test_pages), made small with pngquant (apt
# install pngquant): a palette of 64 colours is plenty for these pages.
# Usage: docs/gallery/update.sh [ARTIFACTS=build/tests/e2e/artifacts]
set -euo pipefail
cd "$(dirname "$0")"
src=${1:-../../build/tests/e2e/artifacts}/browser/pages
shots=(
  login-en-phone-light login-en-phone-dark login-en-desktop-light login-en-desktop-dark
  login-error-en-phone-light code-en-phone-light code-error-en-phone-dark
  invite-refused-en-phone-light enroll-en-desktop-dark totp-qr-en-phone-light
  account-en-desktop-light error-en-phone-dark phone-5-signed-in
)
for s in "${shots[@]}"; do
  pngquant --force --strip --speed 1 --quality 40-80 64 --output "$s.png" "$src/$s.png"
done
du -ch ./*.png | tail -n 1
