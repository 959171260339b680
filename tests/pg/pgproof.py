"""Shared pieces of the proofs of issue 13 (several sesame-authd on one
PostgreSQL): daemons sharing one store and one master key, TOTP codes
computed here (RFC 6238; checked against oathtool once per suite), races
of two requests released together, and a steady load of PAM logins for
the failover and restart suites. Run with Debian's /usr/bin/python3."""

import base64
import hashlib
import hmac
import os
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "webauthn"))
sys.path.insert(0, HERE)

from harness import Daemon, oathtool, secret_of  # noqa: E402,F401


def env_int(name, default):
    """A count the caller may change: SESAME_PG_<name>."""
    return int(os.environ.get("SESAME_PG_" + name, default))


def totp(secret_b32, step=None):
    """The 6-digit SHA-1 code of time step `step` (default: now)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8), casefold=True)
    if step is None:
        step = int(time.time()) // 30
    h = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = h[-1] & 15
    return "%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def now_step():
    return int(time.time()) // 30


def check_totp_against_oathtool(secret_b32):
    """Our codes are oathtool's (an independent implementation); a step
    boundary crossed between the two is tried again."""
    for offset in (-30, 0, 30):
        for _ in range(2):
            step = (int(time.time()) + offset) // 30
            theirs = oathtool(secret_b32, offset=offset)
            if step == (int(time.time()) + offset) // 30:
                break
        if totp(secret_b32, step) != theirs:
            raise AssertionError("TOTP %s != oathtool %s" % (totp(secret_b32, step), theirs))


def pg_sql(uri, query):
    """Rows of one query on a PostgreSQL store (harness.Daemon.sql decides
    the backend from SESAME_TEST_PG, which the suites with clusters of
    their own do not set)."""
    import psycopg2
    conn = psycopg2.connect(uri)
    try:
        with conn.cursor() as cur:
            cur.execute(query)
            return cur.fetchall()
    finally:
        conn.close()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def web_config(port, ports, extra=""):
    origins = ", ".join("http://localhost:%d" % p for p in ports)
    return ("[web]\nlisten = 127.0.0.1:%d\norigins = %s\nsource_rate = 0\n%s"
            % (port, origins, extra))


def wait_web(port, timeout=10):
    import http.client
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("the web pages on port %d did not answer" % port)
        time.sleep(0.05)


def daemons(tmp, config, n=2, database=None, web_ports=None, web_extra=""):
    """n daemons sharing one store (a new one unless database is given) and
    one master key, each in its own folder with its own socket (and web
    listener when web_ports is given); not started."""
    out = []
    for i in range(n):
        d_tmp = os.path.join(tmp, "d%d" % i)
        os.makedirs(d_tmp, exist_ok=True)
        os.chmod(d_tmp, 0o755)
        conf = config
        if web_ports:
            conf += "\n" + web_config(web_ports[i], web_ports, web_extra)
        d = Daemon(d_tmp, conf, database=database if i == 0 else out[0].database)
        if i > 0:
            d.key = out[0].key
        out.append(d)
    return out


def start_all(ds, web_ports=None):
    for d in ds:
        d.start()
    for p in web_ports or ():
        wait_web(p)
    return ds


class Race:
    """Runs races of two requests: for each race, prepare(i, lane) returns
    two callables, which two threads call once both are ready (a barrier),
    so both requests are in flight together; several lanes run races side
    by side. Keeps each side's answer and the client-side interval of each
    request (overlap: both were in flight at one moment)."""

    def __init__(self, n, prepare, lanes=4):
        self.n, self.prepare, self.lanes = n, prepare, lanes
        self.answers = [None] * n
        self.overlapped = 0
        self.errors = []
        self._mu = threading.Lock()

    def _one(self, i, lane):
        fa, fb = self.prepare(i, lane)
        out, spans = [None, None], [None, None]
        bar = threading.Barrier(2, timeout=60)

        def go(k, f):
            try:
                bar.wait()
                t0 = time.monotonic()
                out[k] = f()
                spans[k] = (t0, time.monotonic())
            except Exception as e:  # noqa: BLE001 - reported by run()
                with self._mu:
                    self.errors.append("race %d side %d: %r" % (i, k, e))

        t = threading.Thread(target=go, args=(1, fb))
        t.start()
        go(0, fa)
        t.join()
        self.answers[i] = tuple(out)
        if spans[0] and spans[1] and max(spans[0][0], spans[1][0]) < min(spans[0][1],
                                                                          spans[1][1]):
            with self._mu:
                self.overlapped += 1

    def run(self):
        def lane(k):
            try:
                for i in range(k, self.n, self.lanes):
                    self._one(i, k)
            except Exception as e:  # noqa: BLE001
                with self._mu:
                    self.errors.append("lane %d: %r" % (k, e))

        threads = [threading.Thread(target=lane, args=(k,)) for k in range(self.lanes)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.seconds = time.monotonic() - t0
        if self.errors:
            raise AssertionError("%d errors, first: %s" % (len(self.errors), self.errors[:3]))
        return self


def parallel(items, fn, threads=4):
    """fn(item) for every item on a few threads; the results in order."""
    out = [None] * len(items)
    errors = []

    def work(k):
        try:
            for i in range(k, len(items), threads):
                out[i] = fn(items[i])
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]
    return out


setup_retries = []  # (path, user) of the 503s setup_ok took again


def setup_ok(d, path, body, tries=10):
    """d.ok for what a test sets up, not what it measures: a 503 (a
    transaction the store gave up after serialization failures, see
    test_pg_contention) is asked again, and noted in setup_retries."""
    for _ in range(tries - 1):
        status, reply = d.call(path, body)
        if status != 503:
            break
        setup_retries.append((path, body.get("user")))
        time.sleep(0.05)
    else:
        return d.ok(path, body)
    if status != 200:
        raise AssertionError("%s -> %d %s" % (path, status, reply))
    return reply


def enroll(d, user, step=None):
    """A confirmed TOTP credential (the confirming code: step `step`, by
    default the previous one, so that the current step is still free)."""
    reply = setup_ok(d, "/v1/totp/enroll", {"user": user})
    secret = secret_of(reply["otpauth_uri"])
    setup_ok(d, "/v1/totp/confirm", {"user": user,
                                     "code": totp(secret, now_step() - 1 if step is None
                                                  else step)})
    return secret


def pam_start(d, user):
    status, r = d.call("/v1/pam/start", {"user": user, "service": "sshd"})
    if status != 200 or r.get("step") != "prompt":
        raise AssertionError("pam/start %s -> %d %s" % (user, status, r))
    return r["txn"]


def pam_answer(d, txn, code):
    """(HTTP status, result, reason) of one answer."""
    status, r = d.call("/v1/pam/continue", {"txn": txn, "answer": code})
    if not isinstance(r, dict):
        return status, None, None
    return status, r.get("result"), r.get("reason")


class Load:
    """A steady load of PAM logins with TOTP on several daemons: thread k
    logs in users of its own, round robin over the daemons; user u's
    logins use the time steps base-8, base-7, ... in order (each accepted
    one consumes its step; [totp] window = 10 keeps them valid for a few
    minutes). Every answer is kept with when it was asked and answered:
    (t_sent, t_answered, daemon index, user, step, code, status, result, reason)."""

    SPAN = 17  # steps per user: base-8 .. base+8

    def __init__(self, ds, users, threads=4, pace=0.0, pace_failed=0.0, frozen=()):
        self.ds, self.users, self.threads, self.pace = ds, users, threads, pace
        # users who stop logging in once freeze is set: their last accepted
        # code stays their last, so that its replay later tests that very step
        self.frozen = set(frozen)
        self.freeze = threading.Event()
        self.pace_failed = pace_failed  # a pause after an answer that is no verdict
        self.base = now_step()
        self.next = {u: 0 for u in users}
        self.log = []
        self.stop_flag = threading.Event()
        self._mu = threading.Lock()
        self.exhausted = False

    def _login(self, d_i, user, secret):
        step = self.base - 8 + self.next[user]
        code = totp(secret, step)
        t0 = time.monotonic()
        try:
            status, r = self.ds[d_i].call("/v1/pam/start", {"user": user, "service": "sshd"})
            if status == 200 and r.get("step") == "prompt":
                status, result, reason = pam_answer(self.ds[d_i], r["txn"], code)
            else:
                result = r.get("result") if isinstance(r, dict) else None
                reason = r.get("reason") if isinstance(r, dict) else None
                reason = "start:" + str(reason)
        except OSError as e:
            status, result, reason = 0, "error", repr(e)
        t1 = time.monotonic()
        if result == "success":
            self.next[user] += 1  # that step is spent
        elif result == "denied" and reason == "code_reused":
            # a step consumed by an answer that came back as an error
            # (the commit's fate unknown to the daemon): the next one
            self.next[user] += 1
        entry = (t0, t1, d_i, user, step, code, status, result, reason)
        with self._mu:
            self.log.append(entry)
        return entry

    def _worker(self, k, secrets):
        mine = [u for i, u in enumerate(self.users) if i % self.threads == k]
        i = 0
        while not self.stop_flag.is_set():
            user = mine[i % len(mine)]
            i += 1
            if user in self.frozen and self.freeze.is_set():
                continue
            if self.next[user] >= self.SPAN:
                if all(self.next[u] >= self.SPAN or (u in self.frozen and self.freeze.is_set())
                       for u in mine):
                    self.exhausted = True
                    return
                continue
            e = self._login(i % len(self.ds), user, secrets[user])
            if e[7] not in ("success", "denied") and self.pace_failed:
                time.sleep(self.pace_failed)
            elif self.pace:
                time.sleep(self.pace)

    def start(self, secrets):
        self.t_start = time.monotonic()
        self.workers = [threading.Thread(target=self._worker, args=(k, secrets))
                        for k in range(self.threads)]
        for t in self.workers:
            t.start()
        return self

    def stop(self):
        self.stop_flag.set()
        for t in self.workers:
            t.join()
        return self

    def successes(self):
        return [e for e in self.log if e[7] == "success"]


def login_once(d, user, code):
    """(status, result, reason) of a whole login with this code."""
    status, r = d.call("/v1/pam/start", {"user": user, "service": "sshd"})
    if status != 200 or r.get("step") != "prompt":
        return status, r.get("result") if isinstance(r, dict) else None, "start"
    return pam_answer(d, r["txn"], code)


def wait_success(d, user, secret, step, timeout):
    """Seconds until a login of user with the code of step succeeds
    through d (None: not within timeout)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        status, result, reason = login_once(d, user, totp(secret, step))
        if result == "success":
            return time.monotonic() - t0
        time.sleep(0.05)
    return None
