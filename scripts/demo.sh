#!/usr/bin/env bash
# Try Sésame on a fresh Debian 12 machine: installs what is missing, builds,
# starts sesame-authd on the embedded default (SQLite database and master
# key under ./state), enrolls a demo user, prints its QR code, runs a real
# PAM login through pam_wrapper (no change to /etc/pam.d), and serves the
# web pages on http://localhost:$SESAME_DEMO_PORT (default 8443) with an
# invitation link for a second user.
# Usage: scripts/demo.sh [start|stop]   (default: start)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
state=$top/state
sock=$state/authd.sock
ctl=("$top/build/tools/sesamectl" --socket "$sock")
user=demo
password=demo-password
port=${SESAME_DEMO_PORT:-8443}

stop_daemon() {
  if [[ -f $state/authd.pid ]] && kill -0 "$(cat "$state/authd.pid")" 2>/dev/null; then
    kill "$(cat "$state/authd.pid")"
    echo "sesame-authd stopped."
  fi
  rm -f "$state/authd.pid"
}
if [[ ${1:-start} == stop ]]; then
  stop_daemon
  exit 0
fi

. scripts/deps.sh
sesame_install_deps "${SESAME_BUILD_DEPS[@]}" "${SESAME_RUN_DEPS[@]}"
echo "== Building"
cmake -S . -B build -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

echo "== Starting sesame-authd (state in $state)"
mkdir -p "$state"
chmod 700 "$state"
stop_daemon
if ! /usr/bin/python3 -c 'import socket, sys; socket.create_server(("127.0.0.1", int(sys.argv[1]))).close()' \
  "$port" 2>/dev/null; then
  echo "Port $port is in use: set SESAME_DEMO_PORT to a free one." >&2
  exit 1
fi
printf '[web]\nlisten = 127.0.0.1:%s\n' "$port" >"$state/authd.conf"
"$top/build/authd/sesame-authd" --init --config "$state/authd.conf" --socket "$sock" \
  --database "$state/sesame.db" --master-key "$state/master.key" >>"$state/authd.log" 2>&1 &
echo $! >"$state/authd.pid"
for _ in $(seq 100); do
  [[ -S $sock ]] && break
  sleep 0.05
done
[[ -S $sock ]] || { tail "$state/authd.log"; echo "sesame-authd did not start" >&2; exit 1; }

echo "== Enrolling the user '$user' (sesamectl totp enroll $user)"
out=$("${ctl[@]}" totp enroll "$user" --name demo)
echo "$out"
secret=$(grep -o 'secret=[A-Z2-7]*' <<<"$out" | head -n1 | cut -d= -f2)
# Confirmation proves the app produces valid codes; here oathtool plays the app.
"${ctl[@]}" totp confirm "$user" "$(oathtool --totp -b "$secret" -N 'now - 30 seconds')" >/dev/null
echo "Confirmed with a code from oathtool (scan the QR code above to use your phone instead)."

echo "== A PAM login through pam_wrapper: password, then verification code"
mkdir -p "$state/pam.d"
printf '%s:%s:sesame-demo\n' "$user" "$password" >"$state/passdb"
cat >"$state/pam.d/sesame-demo" <<PAM
auth     requisite  /usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so passdb=$state/passdb
auth     required   $top/build/pam_module/pam_sesame.so socket=$sock
account  required   $top/build/pam_module/pam_sesame.so socket=$sock
PAM
printf 'auth required pam_deny.so\naccount required pam_deny.so\n' >"$state/pam.d/other"
wrap=(env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libpam_wrapper.so PAM_WRAPPER=1
  PAM_WRAPPER_SERVICE_DIR="$state/pam.d")
if [[ -t 0 ]]; then
  echo "Password: $password   Verification code: from your app, or run:"
  echo "    oathtool --totp -b $secret"
  "${wrap[@]}" pamtester -v sesame-demo "$user" authenticate acct_mgmt || true
else
  printf '%s\n%s\n' "$password" "$(oathtool --totp -b "$secret")" |
    "${wrap[@]}" pamtester -v sesame-demo "$user" authenticate acct_mgmt
fi

echo
echo "== The web pages: an invitation for the user 'newcomer' (sesamectl user invite newcomer)"
link=$("${ctl[@]}" user invite newcomer)
echo "Open this link in a browser on this machine, choose a password, then add a passkey or"
echo "an authenticator app:"
echo "    $link"

cat <<EOT

== sesame-authd keeps running (pid $(cat "$state/authd.pid"), log $state/authd.log). Try:
    ${ctl[*]} user show $user
    ${ctl[*]} audit
    printf '$password\\n123456\\n' | ${wrap[*]} pamtester sesame-demo $user authenticate
    scripts/demo.sh stop
EOT
