#!/usr/bin/env bash
# OpenID Connect provider benchmarks (docs/benchmarks.md), each against a
# peer measured in the same run:
#  1. discovery and JWKS: wrk GET against bench_web_hello serving as many
#     bytes (the bare libmicrohttpd floor); goal >= 0.8x;
#  2. token endpoint (authorization_code, client_secret_basic, RS256 ID
#     token, codes minted beforehand): requests/s against
#     `openssl speed -multi 2 rsa2048` signs/s; goal >= 0.7x.
# Usage: bench/run_oidc.sh [ROUNDS=3]                        (as root)
#        TOKEN=0: part 1 only
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
WRK_SECONDS=${WRK_SECONDS:-5}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
CODES_PER_ROUND=${CODES_PER_ROUND:-12000}
PASSWORD=violet-tractor-quantum-harbor-97
SECRET=bench-secret-0123456789abcdefghijklmnopq
. bench/common.sh
bench_setup bench-oidc wrk openssl oathtool

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
HELLO_PORT=$(free_port)
REDIRECT=http://localhost:1/cb
cat >"$T/authd.conf" <<CONF
[throttle]
max_failures = 1000
[web]
listen = 127.0.0.1:$PORT
source_rate = 0
[oidc]
enabled = yes
code_ttl = 600
[oidc.client.bench]
redirect_uri = $REDIRECT
secret_sha256 = $(printf %s "$SECRET" | sha256sum | cut -c1-64)
CONF
"$B/authd/sesame-authd" --init --config "$T/authd.conf" --socket "$T/s.sock" --database "$T/db" \
  --master-key "$T/key" --log-level warning 2>"$T/authd.log" &
pids+=($!)
for _ in $(seq 400); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }
wrk_rate() { wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" "$@" | awk '/^Requests\/sec:/ {print $2}'; }

echo "== 1. discovery and JWKS, wrk -t2 -c$WRK_CONNECTIONS -d${WRK_SECONDS}s, against bench_web_hello"
for path in /.well-known/openid-configuration /oidc/jwks; do
  bytes=$(curl -s "http://127.0.0.1:$PORT$path" | wc -c)
  "$B/bench/bench_web_hello" "$HELLO_PORT" "$bytes" &
  hello=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HELLO_PORT/" >/dev/null && break; sleep 0.05; done
  s_all="" h_all=""
  for r in $(seq 1 "$ROUNDS"); do
    h=$(wrk_rate "http://127.0.0.1:$HELLO_PORT$path")
    s=$(wrk_rate "http://127.0.0.1:$PORT$path")
    echo "   round $r: $path $s req/s, hello ($bytes bytes) $h req/s"
    s_all+=" $s" h_all+=" $h"
  done
  kill "$hello"
  wait "$hello" 2>/dev/null || true
  s=$(median "$s_all") h=$(median "$h_all")
  echo "   $path: median $s req/s vs $h req/s: ratio $(ratio "$s" "$h") (goal >= 0.8)"
done

[ "${TOKEN:-1}" = 0 ] && exit 0
echo
echo "== 2. token endpoint vs openssl speed -multi 2 rsa2048 (signs/s)"
"$B/tools/sesamectl" --socket "$T/s.sock" user add bench --password <<<"$PASSWORD" >/dev/null
secret=$("$B/tools/sesamectl" --socket "$T/s.sock" --json totp enroll bench --no-qr |
  /usr/bin/python3 -c 'import json,sys,urllib.parse as u; print(u.parse_qs(u.urlsplit(json.load(sys.stdin)["otpauth_uri"]).query)["secret"][0])')
"$B/tools/sesamectl" --socket "$T/s.sock" totp confirm bench "$(oathtool --totp -b -N 'now - 30 seconds' "$secret")" >/dev/null
t_all="" o_all=""
for r in $(seq 1 "$ROUNDS"); do
  [ "$r" -gt 1 ] && sleep 31 # the next TOTP step for the next sign-in
  /usr/bin/python3 bench/oidc_codes.py "$PORT" bench "$PASSWORD" "$secret" "$CODES_PER_ROUND" "$REDIRECT" >"$T/codes"
  o=$(openssl speed -seconds "$WRK_SECONDS" -multi 2 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $(NF-1)}')
  CODES="$T/codes" THREADS=2 REDIRECT="$REDIRECT" BASIC=$(printf %s "bench:$SECRET" | base64 -w0) \
    wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" -s bench/oidc_token.lua "http://127.0.0.1:$PORT" >"$T/wrk.out"
  t=$(awk '/^Requests\/sec:/ {print $2}' "$T/wrk.out")
  if grep -q "Non-2xx" "$T/wrk.out"; then
    echo "   round $r: refused requests (more requests than codes?):"; grep "Non-2xx" "$T/wrk.out"; exit 1
  fi
  # every request must have had a code of its own
  used=$(sqlite3 "$T/db" "SELECT count(*) FROM oidc_codes WHERE used = 1")
  echo "   round $r: token $t req/s (codes spent so far: $used), openssl rsa2048 $o signs/s"
  t_all+=" $t" o_all+=" $o"
done
t=$(median "$t_all") o=$(median "$o_all")
echo "   token endpoint: median $t req/s vs $o signs/s: ratio $(ratio "$t" "$o") (goal >= 0.7)"
