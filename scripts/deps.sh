#!/usr/bin/env bash
# Installs the Debian 12 packages Sésame needs to build, run and test, when
# missing. Sourced by demo.sh and test.sh; needs root (or sudo) to install.
set -euo pipefail

SESAME_BUILD_DEPS=(build-essential cmake pkg-config scdoc libpam0g-dev liboath-dev libssl-dev
  libcurl4-openssl-dev libjansson-dev libmicrohttpd-dev libsqlite3-dev libpq-dev libqrencode-dev
  libinih-dev libcbor-dev libzxcvbn-dev libargon2-dev libunistring-dev)
SESAME_RUN_DEPS=(libpam-wrapper pamtester oathtool sqlite3 curl)
SESAME_TEST_DEPS=(libcmocka-dev python3 python3-pypamtest valgrind zbar-tools util-linux
  libpam-oath clang clang-format libclang-rt-14-dev binutils openssh-server python3-paramiko
  procps ejabberd erlang-p1-pam python3-slixmpp libpam-pwdfile openssl python3-fido2
  python3-cryptography chromium libnss-wrapper apache2 libapache2-mod-auth-openidc
  python3-yaml postgresql python3-psycopg2)
# postgresql: throwaway clusters for the "pg" label (tests/pg); the package
# starts no server here (no init system; policy-rc.d below)
# node + npm drive chromium in tests/e2e/ (playwright-core, axe-core and openid-client
# from npm);
# Debian's packages only when no node is on the PATH (e.g. NodeSource's, which bundles npm)
command -v node >/dev/null 2>&1 || SESAME_TEST_DEPS+=(nodejs npm)

sesame_install_deps() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "Installing: ${missing[*]}" >&2
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  # no init system here: keep maintainer scripts from starting services
  # (openssh-server would start the system sshd)
  local added_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
    added_policy=1
  fi
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 -qq update >/dev/null
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 -y -qq install --no-install-recommends \
    "${missing[@]}" >/dev/null
  if ((added_policy)); then "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; fi
}
