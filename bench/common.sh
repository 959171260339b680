# Sourced by the benchmark scripts (bench/run.sh, bench/run_web.sh), from
# the top of the tree: bench_setup NAME [PACKAGE...] installs what is
# missing, builds build-bench (Release, the bench target), and sets
#   B      the build folder
#   T      a temporary folder, removed at exit
#   pids   processes killed at exit (add yours)
# with a /dev/log datagram sink when there is no syslog daemon (NOTES.md).
# bench_cleanup is the EXIT trap; call it yourself to end early.

bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ((made_devlog)) && rm -f /dev/log
  rm -rf "$T"
}

bench_setup() {
  local name=$1
  shift
  . scripts/deps.sh
  sesame_install_deps "${SESAME_BUILD_DEPS[@]}" "${SESAME_RUN_DEPS[@]}" "$@"
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build build-bench -j"$(nproc)" --target bench >/dev/null
  B=$(pwd)/build-bench
  T=$(mktemp -d "/tmp/sesame-$name.XXXXXX")
  pids=()
  made_devlog=0
  trap bench_cleanup EXIT
  # syslog() has no daemon here: a datagram sink stands in for it
  if [[ ! -S /dev/log ]]; then
    /usr/bin/python3 -c '
import socket, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/dev/log"); os.chmod("/dev/log", 0o666)
while True: s.recv(65536)' &
    pids+=($!)
    made_devlog=1
    for _ in $(seq 50); do [[ -S /dev/log ]] && break; sleep 0.05; done
  fi
}
