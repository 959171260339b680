#!/usr/bin/env bash
# The store at scale (issue 13; see docs/benchmarks.md, "PostgreSQL: scale
# and two daemons"), for both backends in the same run: SQLite files, and
# PostgreSQL 15 in a throwaway cluster started here (initdb as user
# postgres, loopback on a free port, fsync and synchronous_commit on, the
# default configuration otherwise; removed at exit).
#
#  1. latency of one PAM verification (pam/start + pam/continue through the
#     daemon's /v1/pam protocol, a success durably recorded), one client,
#     p50/p99, in a database of 1 000 enrolled users and in one of USERS:
#     both exist at once (for PostgreSQL, two databases of one cluster),
#     each with its daemon, and the rounds alternate small, big, small, ...
#     in the same minutes (the machine is shared: its load moves);
#  2. verifications per second with THREADS clients in the database of
#     USERS: one daemon; for PostgreSQL also two daemons on that database
#     (both on this machine, the clients split between them), rounds
#     interleaved (one, two, one, two, one, two).
#
# How the USERS are made (honestly, and fast):
#  - 1 000 users u0..u999 are enrolled through the daemon (TOTP enroll and
#    confirm: seeds made and sealed by the daemon); in the small database
#    they are all its users; in the big one, they are the users whose
#    logins are measured.
#  - Then the filler of the big database: users u1000..u(N) inserted by SQL
#    (generate_series in PostgreSQL, a recursive CTE in SQLite), each with
#    a confirmed TOTP credential whose row is a copy of u0's (same sealed
#    seed blob). The seal binds the owner's name (authd/seal.c: AAD =
#    purpose and user), so these seeds do not open under the filler's
#    names: no login is measured on them; they make the users and totp
#    tables and their indexes (id, name, lower(name), totp.user_id) as big
#    as USERS real users would. The measured names are spread over the
#    whole name index (u0..u999 interleave with u1000..u999999 in text
#    order); their ids and totp rows are the first ones. ANALYZE after the
#    insert, as an administrator's bulk load would end.
#  - Then 6 x RATE users v0.. enrolled through the daemon (as u0..u999),
#    shuffled (logins do not come in the order of enrollment: in that
#    order, concurrent logins are of neighbours in every index, the worst
#    case for PostgreSQL's page-level predicate locks), each set of RATE
#    used by one throughput round (a code is accepted once: each user
#    succeeds twice, current and next step).
#  The filler's count is USERS - 1 000 - 6 x RATE: USERS users in all.
#
# What the figures include: the client's whole round trip over the unix
# socket, the daemon's flow, the seal opened, the TOTP checked, the replay
# state and the audit written (durable: the commit waits for the disk).
# The machine is shared: the script prints the load average.
#
# Usage: bench/run_scale.sh [USERS]   (as root; default 1000000)
#   SESAME_SCALE_RATE (default 5000), SESAME_SCALE_THREADS (default 32),
#   SESAME_SCALE_ROUNDS (latency rounds, default 5), SESAME_SCALE_BACKENDS
#   (default "sqlite pg"), SESAME_SCALE_LOGS (a folder that keeps the
#   daemons' logs), SESAME_SCALE_AUTHD (the sesame-authd to measure, e.g.
#   another checkout's build; the clients are this tree's).
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-1000000}
SMALL=1000
RATE=${SESAME_SCALE_RATE:-5000}
THREADS=${SESAME_SCALE_THREADS:-32}
BACKENDS=${SESAME_SCALE_BACKENDS:-sqlite pg}
ROUNDS=${SESAME_SCALE_ROUNDS:-5}
# 4 enrolling clients, a 503 tried again: with 16, PostgreSQL's
# serialization failures on a small database made the daemon give many
# enrollments up
ENROLL_THREADS=4
WARMUP=50 # the first verifications of a latency run: statements prepared per connection
FILL=$((USERS - SMALL - 6 * RATE))
((FILL >= 0)) || {
  echo "USERS must be at least $((SMALL + 6 * RATE))" >&2
  exit 2
}
PGBIN=/usr/lib/postgresql/15/bin
. bench/common.sh
bench_setup scale postgresql
# the daemon measured: this tree's, or another build's (SESAME_SCALE_AUTHD)
AUTHD=${SESAME_SCALE_AUTHD:-$B/authd/sesame-authd}
chmod 755 "$T" # the postgres user reaches its cluster below
pg_running=0
scale_cleanup() {
  if [[ -n ${SESAME_SCALE_LOGS:-} ]]; then # keep the daemons' and the clients' logs
    mkdir -p "$SESAME_SCALE_LOGS"
    cp "$T"/*.log "$T"/client.err "$T"/pglog/pg.log "$SESAME_SCALE_LOGS/" 2>/dev/null || true
  fi
  if ((pg_running)); then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  bench_cleanup
}
trap scale_cleanup EXIT

echo "== $(date -u '+%F %T') UTC, $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)"
echo "   daemon $AUTHD"
echo "   USERS=$USERS (filler $FILL), latency users $SMALL, RATE=$RATE, THREADS=$THREADS"

printf '[throttle]\nmax_failures = 1000\n' >"$T/authd.conf"
start_daemon() { # NAME DATABASE
  "$AUTHD" --init --config "$T/authd.conf" --socket "$T/$1.sock" --database "$2" \
    --master-key "$T/key" --log-level warning 2>>"$T/$1.log" &
  pids+=($!)
  for _ in $(seq 200); do [[ -S $T/$1.sock ]] && return 0; sleep 0.05; done
  echo "sesame-authd $1 did not start:" >&2
  cat "$T/$1.log" >&2
  exit 1
}

start_pg() {
  local port
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir "$T/pg" "$T/pglog" && chown postgres: "$T/pg" "$T/pglog"
  (cd / && runuser -u postgres -- "$PGBIN/initdb" -D "$T/pg" -A trust -U postgres --no-sync -E UTF8 \
    --locale=C >/dev/null)
  printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\n" "$port" "$T/pg" \
    >>"$T/pg/postgresql.conf"
  (cd / && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg" -l "$T/pglog/pg.log" -w -t 60 start >/dev/null)
  pg_running=1
  PGSU="postgresql://postgres@127.0.0.1:$port/postgres"
  psql -X -q -At "$PGSU" -c "CREATE ROLE sesame LOGIN" -c "CREATE DATABASE small OWNER sesame" \
    -c "CREATE DATABASE big OWNER sesame"
  PGURI="postgresql://sesame@127.0.0.1:$port"
  echo "   PostgreSQL $(psql -X -At "$PGSU" -c 'SHOW server_version'): fsync=$(psql -X -At "$PGSU" \
    -c 'SHOW fsync'), synchronous_commit=$(psql -X -At "$PGSU" -c 'SHOW synchronous_commit')," \
    "shared_buffers=$(psql -X -At "$PGSU" -c 'SHOW shared_buffers')"
}

db() { # BACKEND SIZE: the --database of that store
  if [[ $1 == pg ]]; then echo "$PGURI/$2"; else echo "$T/$2.db"; fi
}

sql() { # BACKEND SIZE SQL...
  local be=$1 size=$2
  shift 2
  if [[ $be == pg ]]; then
    psql -X -q -At -v ON_ERROR_STOP=1 "$(db pg "$size")" "${@/#/-c}"
  else
    { echo ".timeout 30000"; printf '%s;\n' "$@"; } | sqlite3 -batch -bail "$(db sqlite "$size")"
  fi
}

# u1000.. as users with a copy of u0's confirmed credential (see the header)
fill() { # BACKEND
  local be=$1 maxid now first=$SMALL last=$((SMALL + FILL - 1)) t0
  ((FILL > 0)) || return 0
  t0=$(date +%s.%N)
  now=$(date +%s)
  maxid=$(sql "$be" big "SELECT max(id) FROM users")
  if [[ $be == pg ]]; then
    sql pg big "INSERT INTO users (name, created) SELECT 'u' || i, $now FROM generate_series($first, $last) i"
  else
    sql sqlite big "BEGIN" "WITH RECURSIVE s(i) AS (SELECT $first UNION ALL SELECT i + 1 FROM s WHERE i < $last)
      INSERT INTO users (name, created) SELECT 'u' || i, $now FROM s" "COMMIT"
  fi
  sql "$be" big "INSERT INTO totp (user_id, name, algorithm, digits, period, seed, confirmed, created,
      last_used, last_step)
    SELECT u.id, t.name, t.algorithm, t.digits, t.period, t.seed, t.confirmed, t.created, t.last_used,
      t.last_step
    FROM users u, (SELECT * FROM totp WHERE user_id = (SELECT id FROM users WHERE name = 'u0')) t
    WHERE u.id > $maxid" "ANALYZE users" "ANALYZE totp"
  printf '   %s: filler of %d users and credentials in %.0f s\n' "$be" "$FILL" \
    "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { print a - b }')"
}

enroll() { # DAEMON PREFIX N FILE: a few users not enrolled are reported, not fatal
  local got
  "$B/bench/bench_totp_rate" enroll "$T/$1.sock" "$2" "$3" "$4" "$ENROLL_THREADS" 2>>"$T/client.err" |
    sed "s/^/   $1 $2: /" || true
  got=$(wc -l <"$4")
  if ((got < $3 * 99 / 100)); then
    echo "   only $got of $3 users enrolled:" >&2
    tail -n 5 "$T/client.err" >&2
    exit 1
  fi
}

# the statements that PostgreSQL refused (SQLSTATE 40001), from the
# server's log (every error is logged there, with its statement), each one
# run again by the daemon
serialization_failures() { grep -c 'ERROR:  could not serialize' "$T/pglog/pg.log" 2>/dev/null || true; }

declare -A R
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<" $2"; }

latency() { # BACKEND SIZE
  local line
  started=$(date +%s)
  line=$("$B/bench/bench_totp_rate" run "$T/$1-$2.sock" "$T/$1-$2-u.txt" 1 "$WARMUP" 2>>"$T/client.err") || true
  echo "   $1 $2: $line"
  R[$1.$2.p50]+="$(field p50_us "$line") "
  R[$1.$2.p99]+="$(field p99_us "$line") "
  R[$1.$2.failed]+="$(field failed "$line") "
}

rate() { # BACKEND DAEMONS SET
  local socks="$T/$1-big.sock" line before
  [[ $2 == 2 ]] && socks+=",$T/$1-big2.sock"
  before=$(serialization_failures)
  # a verification refused (unavailable) is counted, not fatal
  line=$("$B/bench/bench_totp_rate" run "$socks" "$T/$1-v$3.txt" "$THREADS" 2>>"$T/client.err") || true
  echo "   $1, $2 daemon(s), set $3: $line serialization_failures=$(($(serialization_failures) - before))"
  R[$1.d$2]+="$(field per_second "$line") "
  R[$1.d$2.p99]+="$(field p99_us "$line") "
  R[$1.d$2.failed]+="$(field failed "$line") "
}

echo
echo "== the databases"
[[ " $BACKENDS " == *" pg "* ]] && start_pg
for be in $BACKENDS; do
  start_daemon "$be-small" "$(db "$be" small)"
  start_daemon "$be-big" "$(db "$be" big)"
  enroll "$be-small" u "$SMALL" "$T/$be-small-u.txt"
  enroll "$be-big" u "$SMALL" "$T/$be-big-u.txt"
  fill "$be"
  enroll "$be-big" v $((6 * RATE)) "$T/$be-v.txt"
  shuf --random-source=<(yes) "$T/$be-v.txt" | split -d -a 1 -l "$RATE" --additional-suffix=.txt - "$T/$be-v"
  for size in small big; do
    echo "   $be $size: users=$(sql "$be" "$size" "SELECT count(*) FROM users")" \
      "confirmed_totp=$(sql "$be" "$size" "SELECT count(*) FROM totp WHERE confirmed = 1")" \
      "size=$(if [[ $be == pg ]]; then sql pg "$size" "SELECT pg_size_pretty(pg_database_size('$size'))"; \
        else du -sh "$(db sqlite "$size")" | cut -f1; fi)"
  done
done

echo
echo "== latency, 1 client, $ROUNDS rounds (1 000 users, $USERS users alternately)"
# A code is accepted once: a run uses steps S and S+1 of its start; the
# next round starts at S+2 or later, S that of the round's last run.
for r in $(seq "$ROUNDS"); do
  if ((r > 1)); then
    until=$(((started / 30 + 2) * 30))
    now=$(date +%s)
    ((now >= until)) || sleep $((until - now))
  fi
  echo "  round $r, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for be in $BACKENDS; do
    latency "$be" small
    latency "$be" big
  done
done

echo
echo "== verifications per second, $THREADS clients, $USERS users"
for be in $BACKENDS; do
  if [[ $be == pg ]]; then
    start_daemon pg-big2 "$(db pg big)"
    # interleaved: one daemon, two daemons, one, two, ...
    for set in 0 1 2 3 4 5; do rate pg $((set % 2 + 1)) "$set"; done
  else
    for set in 0 2 4; do rate "$be" 1 "$set"; done
  fi
done

# The peer: the SQL of one successful verification (the statements the
# probe below shows, in its two transactions) sent by pgbench straight to
# the big database, for a uniformly random filler user, prepared, no
# daemon: its latency with one client, its rate with 8 and 16 clients (the
# database connections of one and of two daemons), serialization failures
# tried again up to 10 times (as the daemon does). The first 50 are left
# out of the percentiles (as bench_totp_rate's warm-up).
pgbench_peer() {
  cat >"$T/verify.sql" <<SQL
\set n random($SMALL, $((SMALL + FILL - 1)))
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT id AS uid, name, created, failures, last_failure, locked_until, last_success, real_name, CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END, password_changed, disabled FROM users WHERE name = 'u' || :n \gset
SELECT id, user_id, name, algorithm, digits, period, confirmed, created, last_used, last_step, seed FROM totp WHERE user_id = :uid ORDER BY id;
SELECT count(*) FROM user_codes WHERE user_id = :uid AND kind = 1 AND (expires = 0 OR expires > 0);
SELECT failures, last_failure, locked_until FROM attempts WHERE name = 'u' || :n AND source = 'local';
SELECT failures, last_failure, locked_until FROM attempts WHERE name = 'u' || :n AND source = '*';
COMMIT;
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO spent_flows (id, expires) VALUES (decode(md5(random()::text), 'hex'), extract(epoch FROM now())::bigint + 300) ON CONFLICT (expires, id) DO NOTHING;
SELECT id, name, created, failures, last_failure, locked_until, last_success, real_name, CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END, password_changed, disabled FROM users WHERE name = 'u' || :n;
SELECT failures, last_failure, locked_until FROM attempts WHERE name = 'u' || :n AND source = 'local';
SELECT failures, last_failure, locked_until FROM attempts WHERE name = 'u' || :n AND source = '*';
SELECT id AS tid, user_id, algorithm, digits, period, confirmed, last_used, last_step, seed FROM totp WHERE user_id = :uid ORDER BY id \gset
UPDATE totp SET last_step = last_step + 1, last_used = extract(epoch FROM now())::bigint WHERE id = :tid AND confirmed = 1 AND last_step < 9000000000000000000;
UPDATE users SET failures = 0, locked_until = 0, last_success = extract(epoch FROM now())::bigint WHERE id = :uid;
INSERT INTO audit (time, "user", service, rhost, factor, result, reason) VALUES (extract(epoch FROM now())::bigint, 'u' || :n, 'bench', '-', 'totp', 'success', 'ok');
COMMIT;
SQL
  local line
  (cd "$T" && pgbench -n -M prepared -f "$T/verify.sql" -c 1 -t 2000 -l --log-prefix="$T/pgb" \
    "$(db pg big)" >"$T/pgb1.out" 2>&1) || { cat "$T/pgb1.out"; return 0; }
  # the per-transaction log: its third field is the latency in µs
  line=$(cat "$T"/pgb.* | awk '{print $3}' | tail -n +51 | sort -n |
    awk '{a[NR] = $1} END {printf "p50_us=%d p99_us=%d", a[int(NR * 0.5 + 0.5)], a[int(NR * 0.99 + 0.5)]}')
  echo "   pgbench, 1 client, 2000 verifications' SQL: $line"
  R[peer.p50]=$(field p50_us "$line")
  R[peer.p99]=$(field p99_us "$line")
  for c in 8 16; do
    (cd "$T" && pgbench -n -M prepared -f "$T/verify.sql" -c "$c" -j 2 -T 10 --max-tries=10 \
      "$(db pg big)" >"$T/pgb$c.out" 2>&1) || true
    R[peer.c$c]=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$T/pgb$c.out" | cut -d. -f1)
    echo "   pgbench, $c clients, 10 s: tps=${R[peer.c$c]}" \
      "$(grep -E '^number of (failed|transactions retried|total retries)' "$T/pgb$c.out" | tr '\n' ' ')"
  done
}

if [[ " $BACKENDS " == *" pg "* ]]; then
  echo
  echo "== PostgreSQL: the same SQL from pgbench (the peer)"
  daemons_lines=$(wc -l <"$T/pglog/pg.log") # the server's log before pgbench
  pgbench_peer
  echo
  echo "== PostgreSQL: what one successful verification sends (statement log of 2 verifications)"
  "$B/bench/bench_totp_rate" enroll "$T/pg-big.sock" probe 1 "$T/probe.txt" 1 >/dev/null
  psql -X -q "$PGSU" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.5
  before=$(wc -l <"$T/pglog/pg.log")
  "$B/bench/bench_totp_rate" run "$T/pg-big.sock" "$T/probe.txt" 1 >/dev/null
  psql -X -q "$PGSU" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
  tail -n +$((before + 1)) "$T/pglog/pg.log" | grep -E 'LOG:  (statement|execute)' |
    grep -v -e pg_reload_conf -e 'ALTER SYSTEM' >"$T/probe.sql" || true
  echo "   $(wc -l <"$T/probe.sql") statements (one round trip each):" \
    "$(grep -c 'statement: BEGIN' "$T/probe.sql") BEGIN," \
    "$(grep -c 'statement: COMMIT' "$T/probe.sql") COMMIT," \
    "$(grep -c 'statement: SET LOCAL' "$T/probe.sql") SET LOCAL"
  sed 's/^.*LOG:  /     /' "$T/probe.sql" | cut -c1-150
  if (($(serialization_failures))); then
    echo "   serialization failures by statement (the server's log, the daemons' part):"
    head -n "$daemons_lines" "$T/pglog/pg.log" |
      awk '/ERROR:  could not serialize/ { f = 1; next } f && /STATEMENT:  / { sub(/.*STATEMENT:  /, ""); print; f = 0 }' |
      cut -c1-110 | sort | uniq -c | sort -rn | head -n 12
    echo "   transactions given up after the daemon's last run (unavailable):" \
      "$(cat "$T"/pg-*.log | grep -c 'given up' || true)"
  fi
fi
for f in "$T"/*.log; do
  if grep -q -v -e 'could not serialize' -e 'given up after' -e 'unavailable$' "$f"; then
    echo "   $(basename "$f" .log)'s other warnings (last 5):"
    grep -v -e 'could not serialize' -e 'given up after' -e 'unavailable$' "$f" | tail -n 5 | sed 's/^/     /'
  fi
done

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo
echo "== summary ($USERS users; load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "latency of one verification, 1 client, µs: median of $ROUNDS rounds (the rounds)"
printf '%-7s %-6s %6s %6s   %-36s %s\n' backend users p50 p99 "p99 of the rounds" refused
for be in $BACKENDS; do
  for size in small big; do
    printf '%-7s %-6s %6s %6s   %-36s %s\n' "$be" "$([[ $size == small ]] && echo "$SMALL" || echo "$USERS")" \
      "$(median "${R[$be.$size.p50]}")" "$(median "${R[$be.$size.p99]}")" "${R[$be.$size.p99]}" \
      "${R[$be.$size.failed]}"
  done
  echo "$be: p99 at $USERS / p99 at $SMALL = $(ratio "$(median "${R[$be.big.p99]}")" \
    "$(median "${R[$be.small.p99]}")") (goal <= 2); p50 $(ratio "$(median "${R[$be.big.p50]}")" \
    "$(median "${R[$be.small.p50]}")")"
done
echo
printf '%-30s %-16s %-18s %s\n' "verifications/s ($THREADS clients)" "rounds" "p99 µs (rounds)" \
  "refused (rounds)"
for k in sqlite.d1 pg.d1 pg.d2; do
  [[ -n ${R[$k]:-} ]] && printf '%-30s %-16s %-18s %s\n' "$k (median $(median "${R[$k]}"))" "${R[$k]}" \
    "${R[$k.p99]}" "${R[$k.failed]}"
done
if [[ -n ${R[pg.d2]:-} ]]; then
  echo "two daemons / one daemon on PostgreSQL: $(ratio "$(median "${R[pg.d2]}")" "$(median "${R[pg.d1]}")")"
fi
if [[ -n ${R[peer.p50]:-} ]]; then
  echo "the same SQL from pgbench: 1 client p50 ${R[peer.p50]} µs, p99 ${R[peer.p99]} µs;" \
    "${R[peer.c8]:-?}/s with 8 clients, ${R[peer.c16]:-?}/s with 16"
  echo "daemon / pgbench at $USERS users: p50 $(ratio "$(median "${R[pg.big.p50]}")" "${R[peer.p50]}")," \
    "p99 $(ratio "$(median "${R[pg.big.p99]}")" "${R[peer.p99]}"), one daemon's rate / 8 clients'" \
    "$(ratio "$(median "${R[pg.d1]}")" "${R[peer.c8]:-0}"), two daemons' / 16 clients'" \
    "$(ratio "$(median "${R[pg.d2]}")" "${R[peer.c16]:-0}")"
fi
