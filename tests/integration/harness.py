"""Shared fixtures of the integration tests: a real sesame-authd on a
temporary socket and database, a private PAM service directory used through
pam_wrapper, and TOTP codes computed by oathtool (an independent
implementation). Run with Debian's /usr/bin/python3 (pypamtest).

The store is a SQLite file in the daemon's temp dir, or, when SESAME_TEST_PG
names a file holding a PostgreSQL superuser's libpq URI (the ctest fixture
"pg", tests/pg/cluster_ctl.py), a fresh database of that cluster per Daemon
(owned by the role "sesame", dropped at exit). Daemon.database is then the
URI the daemon gets with --database; Daemon.sql() and Daemon.dump() read
and write the data whichever the backend (PG tells which one runs)."""

import atexit
import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest
import urllib.parse

AUTHD = os.environ.get("SESAME_AUTHD", "")
PAM_MODULE = os.environ.get("SESAME_PAM_MODULE", "")
SESAMECTL = os.environ.get("SESAMECTL", "")
CONV_DRIVER = os.environ.get("SESAME_CONV_DRIVER", "")
LIBPAM_WRAPPER = "/usr/lib/x86_64-linux-gnu/libpam_wrapper.so"
PAM_MATRIX = "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so"
PAM_GET_ITEMS = "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_get_items.so"
PAM_DENY = "/lib/x86_64-linux-gnu/security/pam_deny.so"
PAM_PERMIT = "/lib/x86_64-linux-gnu/security/pam_permit.so"
PG = os.environ.get("SESAME_TEST_PG", "")  # the file with the cluster's superuser URI


def _pg_admin():
    """An autocommit connection as the cluster's superuser."""
    import psycopg2
    with open(PG) as f:
        conn = psycopg2.connect(f.read().strip())
    conn.autocommit = True
    return conn


_pg_databases = set()


def pg_create_database():
    """A fresh database owned by the role sesame; returns its libpq URI."""
    import psycopg2.extensions
    name = "sesame_" + secrets.token_hex(8)
    conn = _pg_admin()
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE %s OWNER sesame" % name)
        p = psycopg2.extensions.parse_dsn(conn.dsn)
    finally:
        conn.close()
    _pg_databases.add(name)
    return "postgresql://sesame@%s:%s/%s?connect_timeout=2" % (p["host"], p["port"], name)


def pg_drop_database(uri):
    """Best effort: the cluster goes away at the end of the ctest run anyway."""
    name = urllib.parse.urlsplit(uri).path.lstrip("/")
    if name not in _pg_databases:
        return
    try:
        conn = _pg_admin()
        try:
            with conn.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        finally:
            conn.close()
        _pg_databases.discard(name)
    except Exception:  # noqa: BLE001 - best effort
        pass


@atexit.register
def _pg_drop_all():
    for name in list(_pg_databases):
        pg_drop_database("postgresql:///" + name)


def _pg_query(query):
    """sqlite3's ? placeholders as psycopg2's %s (a literal % doubled)."""
    return re.sub(r"\?", "%s", query.replace("%", "%%"))


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def oathtool(secret_b32, algorithm="SHA1", digits=6, offset=0):
    """The code for now+offset seconds, computed by oathtool."""
    args = ["oathtool", "--totp=" + algorithm.lower(), "-b", "-d", str(digits)]
    if offset:
        args += ["-N", "now %+d seconds" % offset]
    return subprocess.check_output(args + [secret_b32], text=True).strip()


def wrong_code(secret_b32, algorithm="SHA1", digits=6):
    """A code that is valid for no step within five minutes of now."""
    valid = set(subprocess.check_output(
        ["oathtool", "--totp=" + algorithm.lower(), "-b", "-d", str(digits), "-w", "20",
         "-N", "now - 5 minutes", secret_b32], text=True).split())
    n = int(oathtool(secret_b32, algorithm, digits))
    for i in range(1, 100):
        c = str((n + 500000 + i) % 10 ** digits).zfill(digits)
        if c not in valid:
            return c
    raise AssertionError("no wrong code found")


def secret_of(uri):
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(uri).query)
    return q["secret"][0]


class Daemon:
    """A sesame-authd in a temp dir. config: extra INI text. database: a
    store shared with another daemon (its path or URI) instead of a new one."""

    def __init__(self, tmp, config="", socket_mode="0666", database=None):
        """database: the daemon's --database (an SQLite path, a PostgreSQL URI
        or key=value string); default: the backend of this run, fresh."""
        self.tmp = tmp
        self.socket = os.path.join(tmp, "authd.sock")
        if database is None:
            database = pg_create_database() if PG else os.path.join(tmp, "sesame.db")
        self.database = database
        self.pg = not database.startswith("/")  # SQLite files are absolute paths here
        self.key = os.path.join(tmp, "master.key")
        self.conf = os.path.join(tmp, "authd.conf")
        self.log = os.path.join(tmp, "authd.log")
        with open(self.conf, "w") as f:
            f.write("[authd]\nsocket_mode = %s\n%s\n" % (socket_mode, config))
        self.proc = None

    def start(self, init=True, extra=()):
        args = [AUTHD, "--config", self.conf, "--socket", self.socket,
                "--database", self.database, "--master-key", self.key]
        if init:
            args.append("--init")
        args += list(extra)
        logf = open(self.log, "a")
        env = dict(os.environ)
        if os.environ.get("SESAME_ASAN_LIB"):
            env["ASAN_OPTIONS"] = "detect_leaks=1:exitcode=86"  # the daemon is checked for leaks
        self.proc = subprocess.Popen(args, stdout=logf, stderr=logf, env=env)
        logf.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("sesame-authd exited with %d:\n%s" % (self.proc.returncode, self.read_log()))
            try:
                status, _ = self.call("/v1/health", {})
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.02)
        raise AssertionError("sesame-authd did not start:\n" + self.read_log())

    def stop(self):
        """A clean stop: SIGTERM, exit status 0 (also: no leak under ASan)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(10)
            self.proc = None
            if rc != 0:
                raise AssertionError("sesame-authd exited with %d on SIGTERM:\n%s" % (rc, self.read_log()[-4000:]))
        self.proc = None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None

    def drop(self):
        """Removes the PostgreSQL database (a file stays with tmp)."""
        if self.pg:
            pg_drop_database(self.database)

    def sql(self, query, params=()):
        """Runs one statement on the daemon's database (placeholders: ?) and
        commits; returns the rows as tuples (BYTEA as bytes). Quote the
        column "user" (a keyword in PostgreSQL); a ? inside a string literal
        would be taken for a placeholder too; RETURNING gives a row count."""
        if self.pg:
            import psycopg2
            conn = psycopg2.connect(self.database)
            try:
                with conn.cursor() as cur:
                    cur.execute(_pg_query(query), tuple(params))
                    rows = cur.fetchall() if cur.description else []
                conn.commit()
            finally:
                conn.close()
            return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]
        db = sqlite3.connect(self.database, timeout=10)
        try:
            rows = db.execute(query, tuple(params)).fetchall()
            db.commit()
        finally:
            db.close()
        return rows

    def tables(self):
        if self.pg:
            q = ("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                 "current_schema() AND table_type = 'BASE TABLE'")
        else:
            q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        return sorted(r[0] for r in self.sql(q))

    def dump(self):
        """Every table's rows, sorted: {table: [row, ...]} (either backend)."""
        return {t: sorted(self.sql('SELECT * FROM "%s"' % t), key=repr) for t in self.tables()}

    def stored_bytes(self):
        """What the store holds, to look for a secret in: the SQLite files
        (the write-ahead log and free pages included), or with PostgreSQL
        every text (as UTF-8) and BYTEA value of every row."""
        if self.pg:
            return b"\0".join(v if isinstance(v, bytes) else v.encode()
                               for rows in self.dump().values() for row in rows for v in row
                               if isinstance(v, (bytes, str)))
        data = b""
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.database + suffix):
                with open(self.database + suffix, "rb") as f:
                    data += f.read() + b"\0"
        return data

    def read_log(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def call(self, path, body, raw=None, headers=None, method="POST"):
        """Returns (status, parsed JSON reply)."""
        conn = UnixHTTPConnection(self.socket)
        try:
            data = raw if raw is not None else json.dumps(body).encode()
            h = {"Content-Type": "application/json"}
            h.update(headers or {})
            conn.request(method, path, body=data, headers=h,
                         encode_chunked=h.get("Transfer-Encoding") == "chunked")
            resp = conn.getresponse()
            text = resp.read()
            return resp.status, json.loads(text) if text else None
        finally:
            conn.close()

    def ok(self, path, body):
        status, reply = self.call(path, body)
        if status != 200:
            errors = [ln for ln in self.read_log().splitlines() if ln.startswith("error:")]
            raise AssertionError("%s -> %d %s\n%s" % (path, status, reply, "\n".join(errors[-5:])))
        return reply

    def enroll(self, user, algorithm="SHA1", digits=6, confirm=True):
        """Enrolls (and confirms) a TOTP credential; returns its base32 secret."""
        reply = self.ok("/v1/totp/enroll", {"user": user, "algorithm": algorithm, "digits": digits})
        secret = secret_of(reply["otpauth_uri"])
        if confirm:
            # the previous step: a login may then use the current one
            code = oathtool(secret, algorithm, digits, offset=-30)
            self.ok("/v1/totp/confirm", {"user": user, "code": code})
        return secret

    def audit(self, user=None):
        body = {"limit": 1000}
        if user:
            body["user"] = user
        return self.ok("/v1/audit", body)["events"]


class PamStack:
    """A private PAM service directory used through pam_wrapper."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "pam.d")
        os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(self.dir, "other"), "w") as f:
            f.write("auth required %s\naccount required %s\n" % (PAM_DENY, PAM_DENY))

    def service(self, name, lines):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write("\n".join(lines) + "\n")
        return name

    def env(self):
        e = dict(os.environ)
        preload = LIBPAM_WRAPPER
        if os.environ.get("SESAME_ASAN_LIB"):
            # a sanitized pam_sesame.so inside an unsanitized program
            preload = os.environ["SESAME_ASAN_LIB"] + ":" + preload
        e.update(LD_PRELOAD=preload, PAM_WRAPPER="1", PAM_WRAPPER_SERVICE_DIR=self.dir)
        return e

    def pamtester(self, service, user, answers, *ops, as_user=None):
        """Runs pamtester; returns (exit status, combined output)."""
        cmd = ["pamtester", "-v", service, user] + list(ops or ["authenticate"])
        if as_user:
            gid = pwd.getpwnam(as_user).pw_gid
            cmd = ["setpriv", "--reuid=" + as_user, "--regid=%d" % gid, "--clear-groups"] + cmd
        p = subprocess.run(cmd, input="".join(a + "\n" for a in answers), env=self.env(),
                           capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout + p.stderr


class DaemonTestCase(unittest.TestCase):
    """Each test class gets its own daemon and PAM directory."""

    config = ""

    @classmethod
    def setUpClass(cls):
        for name, value in (("SESAME_AUTHD", AUTHD), ("SESAME_PAM_MODULE", PAM_MODULE)):
            if not value or not os.path.exists(value):
                raise unittest.SkipTest("%s is not set" % name)
        cls.tmp = tempfile.mkdtemp(prefix="sesame-it.")
        os.chmod(cls.tmp, 0o755)  # reachable by the unprivileged test users
        cls.daemon = Daemon(cls.tmp, cls.config).start()
        cls.pam = PamStack(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        cls.daemon.drop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def module_line(self, kind="auth", args=""):
        return "%s required %s socket=%s %s" % (kind, PAM_MODULE, self.daemon.socket, args)


PAM_SUCCESS, PAM_PERM_DENIED, PAM_AUTH_ERR, PAM_AUTHINFO_UNAVAIL = 0, 6, 7, 9
PAM_USER_UNKNOWN, PAM_CONV_ERR = 10, 19


def pypamtest(pam, service, user, cases, answers=(), echo_on=()):
    """cases: [(operation name, expected PAM code)]; returns the outcome dict
    ("ok" False when a code differed, "error" says which)."""
    here = os.path.dirname(os.path.abspath(__file__))
    req = {"service": service, "user": user, "cases": cases, "answers": list(answers),
           "echo_on": list(echo_on)}
    p = subprocess.run(["/usr/bin/python3", os.path.join(here, "pamtest_run.py")],
                       input=json.dumps(req), env=pam.env(), capture_output=True, text=True,
                       timeout=30)
    if p.returncode != 0:
        raise AssertionError("pamtest_run failed: " + p.stderr)
    return json.loads(p.stdout)
