"""Throwaway PostgreSQL 15 clusters for tests (stdlib only; Debian's
/usr/bin/python3).

    import pgcluster
    primary = pgcluster.Cluster(tmp, "primary").init().start()
    standby = primary.standby(tmp, "standby")          # synchronous by default
    primary.create_database("sesame_x")                # owner: role "sesame"
    uri = primary.uri("sesame_x", hosts=[primary, standby])
    primary.kill9(); standby.promote()                 # failover: same uri
    primary.sql("select 1")                            # psql -X -At, as postgres

A cluster lives in DIR = <tmpdir>/<name>/ (owned by user postgres):
DIR/data (the data directory), DIR/sock (its unix socket), DIR/log (the
server log). It listens on 127.0.0.1 on a free port picked at init
(Cluster.port); every client of these helpers connects over TCP. The
server runs as user postgres (runuser when we are root; PostgreSQL refuses
root), tmpdir is made traversable (o+x) for that user.

Durability is PostgreSQL's default (fsync on, synchronous_commit on): only
initdb runs with --no-sync. A failover test can therefore trust what a
synchronous standby acknowledged.

API (every method that changes state returns self, except standby()):
- Cluster(tmpdir, name): nothing runs yet.
- .init(): initdb -A trust -U postgres --no-sync -E UTF8 --locale=C.
- .start(): pg_ctl start -w; waits until a query succeeds. A port taken
  meanwhile by someone else is replaced by a new free one.
- .stop(): fast shutdown (-m fast), kill -9 if it does not end in 30 s.
- .kill9(): SIGKILL to the postmaster and every process it forked (a
  crashed machine); returns once they are all gone. start() recovers.
- .restart(): stop() then start().
- .promote(): pg_ctl promote; returns once the cluster accepts writes.
- .standby(tmpdir, name, synchronous=True) -> Cluster: pg_basebackup -R -X
  stream of this (running) cluster, started; when synchronous, the primary
  gets synchronous_standby_names = '*' and the call returns once
  pg_stat_replication shows this standby as 'sync'. The standby itself has
  no synchronous_standby_names: once promoted it commits alone.
- .sql(query, db="postgres") -> str: psql -X -At -v ON_ERROR_STOP=1 as the
  superuser postgres; stdout without the trailing newline; raises
  PgError on failure.
- .create_database(name) -> name: the role "sesame" (LOGIN, not a
  superuser) is created once, then CREATE DATABASE name OWNER sesame.
- .drop_database(name): DROP DATABASE IF EXISTS name WITH (FORCE).
- .uri(db, hosts=None, user="sesame") -> str: a libpq URI,
  postgresql://user@127.0.0.1:P[,127.0.0.1:Q...]/db?connect_timeout=2,
  plus target_session_attrs=read-write when there are several hosts.
  hosts: Cluster objects or "host:port" strings (default: [self]).
- .pid: the postmaster's PID (None when it does not run).
- .destroy(): kill what runs, remove DIR. Every cluster built in this
  process is destroyed at exit (atexit) unless keep=True was given to the
  constructor (the ctest fixture, tests/pg/cluster_ctl.py, keeps its one).

This process becomes a child subreaper (PID 1 reaps nothing on these
machines): a postmaster outlives pg_ctl and is then our child, so its exit
is collected here, and a kill -9 then a start on the same data directory
does not meet a zombie holding the lock file. Only zombies named
"postgres" are collected, so subprocess.Popen's own children keep their
exit statuses.
"""

import atexit
import ctypes
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time

PGBIN = os.environ.get("SESAME_PGBIN", "/usr/lib/postgresql/15/bin")
PSQL = "/usr/bin/psql" if os.path.exists("/usr/bin/psql") else os.path.join(PGBIN, "psql")
ROLE = "sesame"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_clusters = []


class PgError(RuntimeError):
    pass


def available():
    """True when PostgreSQL 15's server binaries are installed."""
    return os.access(os.path.join(PGBIN, "pg_ctl"), os.X_OK)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _become_subreaper():
    PR_SET_CHILD_SUBREAPER = 36
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _stat(pid):
    """(state, ppid, comm) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            text = f.read()
    except OSError:
        return None
    comm = text[text.index("(") + 1:text.rindex(")")]
    rest = text[text.rindex(")") + 2:].split()
    return rest[0], int(rest[1]), comm


def _pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def reap():
    """Collects our zombie children named postgres (adopted postmasters and
    their processes)."""
    me = os.getpid()
    for pid in _pids():
        st = _stat(pid)
        if st and st[0] == "Z" and st[1] == me and st[2] in ("postgres", "postmaster"):
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def _wait_gone(pids, timeout=30):
    """Waits until none of pids is alive (a zombie that is not ours counts
    as gone: only its parent can collect it)."""
    deadline = time.monotonic() + timeout
    while True:
        reap()
        alive = []
        for pid in pids:
            st = _stat(pid)
            if st and st[0] != "Z":
                alive.append(pid)
            elif st and st[1] == os.getpid():
                alive.append(pid)  # ours: reap() collects it on the next turn
        if not alive:
            return
        if time.monotonic() > deadline:
            raise PgError("processes %s did not end" % alive)
        time.sleep(0.02)


def _children(pid):
    return [p for p in _pids() if (_stat(p) or (None, None))[1] == pid]


def _cleanup_all():
    for c in list(_clusters):
        if not c.keep:
            c.destroy()


_become_subreaper()
atexit.register(_cleanup_all)


class Cluster:
    def __init__(self, tmpdir, name, keep=False):
        if not _NAME.match(name):
            raise ValueError("cluster name %r: letters, digits, _" % name)
        self.name = name
        self.base = os.path.join(os.path.abspath(tmpdir), name)
        self.data = os.path.join(self.base, "data")
        self.sockdir = os.path.join(self.base, "sock")
        self.log = os.path.join(self.base, "log")
        self.port = None
        self.keep = keep
        self._role_made = False
        _clusters.append(self)

    # -- running things as postgres ---------------------------------------

    def _as_postgres(self, args, timeout=120, check=True):
        if os.geteuid() == 0:
            args = ["runuser", "-u", "postgres", "--"] + args
        p = subprocess.run(args, cwd="/", capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        if check and p.returncode != 0:
            raise PgError("%s failed (%d): %s%s" % (" ".join(args), p.returncode, p.stdout,
                                                     p.stderr))
        return p

    def _chown(self, path):
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(path, pw.pw_uid, pw.pw_gid)

    def _write_settings(self):
        """Our settings live in DIR/data/sesame_test.conf, included at the
        end of postgresql.conf (a copied standby gets its own)."""
        path = os.path.join(self.data, "sesame_test.conf")
        with open(path, "w") as f:
            f.write("listen_addresses = '127.0.0.1'\n"
                    "port = %d\n"
                    "unix_socket_directories = '%s'\n"
                    "cluster_name = '%s'\n"
                    "shared_buffers = 32MB\n"
                    "max_connections = 200\n"
                    "log_line_prefix = '%%m [%%p] %%q%%u@%%d '\n"
                    % (self.port, self.sockdir, self.name))
        self._chown(path)

    # -- life cycle ---------------------------------------------------------

    def init(self):
        tmpdir = os.path.dirname(self.base)
        if os.geteuid() == 0:
            mode = os.stat(tmpdir).st_mode & 0o777
            if mode & 0o001 == 0:
                os.chmod(tmpdir, mode | 0o001)  # postgres must reach DIR
        os.makedirs(self.sockdir)
        for d in (self.base, self.sockdir):
            os.chmod(d, 0o755)
            self._chown(d)
        self._as_postgres([os.path.join(PGBIN, "initdb"), "-D", self.data, "-A", "trust",
                           "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"])
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("\ninclude_if_exists = 'sesame_test.conf'\n")
        self.port = free_port()
        self._write_settings()
        return self

    @property
    def pid(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                pid = int(f.readline())
        except (OSError, ValueError):
            return None
        st = _stat(pid)
        return pid if st and st[0] != "Z" else None

    def start(self):
        for attempt in range(5):
            p = self._as_postgres([os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-l", self.log,
                                   "-w", "-t", "60", "start"], check=False)
            if p.returncode == 0:
                break
            if "Address already in use" in self._log_tail() and attempt < 4:
                self.port = free_port()  # someone took it since init: another one
                self._write_settings()
                continue
            raise PgError("pg_ctl start %s failed: %s%s\n%s" % (self.name, p.stdout, p.stderr,
                                                              self._log_tail()))
        deadline = time.monotonic() + 30
        while True:
            try:
                self.sql("select 1")
                return self
            except PgError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _log_tail(self, n=4000):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def stop(self):
        if self.pid is None:
            return self
        pid = self.pid
        p = self._as_postgres([os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-m", "fast",
                               "-w", "-t", "30", "stop"], check=False)
        if p.returncode != 0:
            return self.kill9()
        _wait_gone([pid])
        return self

    def kill9(self):
        pid = self.pid
        if pid is None:
            return self
        victims = [pid] + _children(pid)
        for v in victims:
            try:
                os.kill(v, signal.SIGKILL)
            except ProcessLookupError:
                pass
        victims += [c for c in _children(pid) if c not in victims]  # forked meanwhile
        for v in victims:
            try:
                os.kill(v, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _wait_gone(victims)
        return self

    def restart(self):
        return self.stop().start()

    def promote(self):
        self._as_postgres([os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-w", "-t", "60",
                           "promote"])
        deadline = time.monotonic() + 30
        while self.sql("select pg_is_in_recovery()") != "f":
            if time.monotonic() > deadline:
                raise PgError("%s still in recovery after promote" % self.name)
            time.sleep(0.05)
        return self

    def standby(self, tmpdir, name, synchronous=True):
        sb = Cluster(tmpdir, name)
        parent = os.path.dirname(sb.base)
        if os.geteuid() == 0 and os.stat(parent).st_mode & 0o001 == 0:
            os.chmod(parent, (os.stat(parent).st_mode & 0o777) | 0o001)
        os.makedirs(sb.sockdir)
        for d in (sb.base, sb.sockdir):
            os.chmod(d, 0o755)
            sb._chown(d)
        self._as_postgres([os.path.join(PGBIN, "pg_basebackup"), "-h", "127.0.0.1", "-p",
                           str(self.port), "-U", "postgres", "-D", sb.data, "-R", "-X", "stream",
                           "-c", "fast"])
        # the copy carries the primary's ALTER SYSTEM settings: not its
        # synchronous_standby_names (a promoted standby would wait forever)
        auto = os.path.join(sb.data, "postgresql.auto.conf")
        with open(auto) as f:
            lines = [ln for ln in f if not ln.startswith("synchronous_standby_names")]
        with open(auto, "w") as f:
            f.writelines(lines)
        sb._chown(auto)
        sb.port = free_port()
        sb._write_settings()
        sb.start()
        if synchronous:
            self.sql("alter system set synchronous_standby_names = '*'")
            self.sql("select pg_reload_conf()")
            q = ("select sync_state from pg_stat_replication where application_name = '%s'"
                 % name)
            deadline = time.monotonic() + 30
            while self.sql(q) != "sync":
                if time.monotonic() > deadline:
                    raise PgError("standby %s is not synchronous: %r" % (name, self.sql(q)))
                time.sleep(0.05)
        return sb

    def destroy(self):
        try:
            pid = self.pid
            if pid is not None:
                victims = [pid] + _children(pid)
                try:
                    self._as_postgres([os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-m",
                                       "immediate", "-w", "-t", "10", "stop"], timeout=20,
                                      check=False)
                except subprocess.TimeoutExpired:
                    pass
                self.kill9()
                _wait_gone(victims)
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
            if self in _clusters:
                _clusters.remove(self)

    # -- clients ------------------------------------------------------------

    def sql(self, query, db="postgres"):
        env = dict(os.environ, PGCONNECT_TIMEOUT="5")
        p = subprocess.run([PSQL, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                            str(self.port), "-U", "postgres", "-d", db, "-c", query],
                           capture_output=True, text=True, timeout=60, env=env,
                           stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise PgError("psql on %s (%s): %s" % (self.name, query, p.stderr.strip()))
        return p.stdout[:-1] if p.stdout.endswith("\n") else p.stdout

    def create_database(self, name):
        if not _NAME.match(name):
            raise ValueError("database name %r" % name)
        if not self._role_made:
            if self.sql("select 1 from pg_roles where rolname = '%s'" % ROLE) != "1":
                try:
                    self.sql("create role %s login" % ROLE)
                except PgError as e:
                    if "already exists" not in str(e):  # made meanwhile by another process
                        raise
            self._role_made = True
        self.sql("create database %s owner %s" % (name, ROLE))
        return name

    def drop_database(self, name):
        if not _NAME.match(name):
            raise ValueError("database name %r" % name)
        self.sql("drop database if exists %s with (force)" % name)
        return self

    def uri(self, db, hosts=None, user=ROLE):
        hosts = hosts or [self]
        parts = [h if isinstance(h, str) else "127.0.0.1:%d" % h.port for h in hosts]
        query = "connect_timeout=2"
        if len(parts) > 1:
            query += "&target_session_attrs=read-write"
        return "postgresql://%s@%s/%s?%s" % (user, ",".join(parts), db, query)
