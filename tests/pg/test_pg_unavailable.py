"""Failing closed on PostgreSQL (label pg): a daemon whose database cannot
be reached refuses to start, naming the database without its password; a
running daemon whose PostgreSQL stops, crashes or hangs (a table locked by
another session) refuses every login as "unavailable", never accepts one,
and answers within the PAM module's 10 s; once PostgreSQL is back it
serves logins again without a restart. The cluster that goes away is this
suite's own (tests/pg/pgcluster.py), not the fixture's."""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
import pgcluster  # noqa: E402
from harness import (PAM_AUTHINFO_UNAVAIL, PAM_SUCCESS, Daemon, PamStack, oathtool,  # noqa: E402
                     pypamtest)

PAM_TIMEOUT = 10.0  # the module's answer timeout (pam_module)
STATEMENT_TIMEOUT = 3.0  # store_pg_conn.c
PASSWORD = "pw-Kx7-never-logged-4711"


def authd(*args, timeout=30):
    p = subprocess.run([harness.AUTHD] + list(args), capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout + p.stderr


class PgUnavailable(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not harness.AUTHD or not harness.PAM_MODULE:
            raise unittest.SkipTest("SESAME_AUTHD and SESAME_PAM_MODULE are not set")
        if not pgcluster.available():
            raise AssertionError("PostgreSQL 15 is not installed")
        cls.tmp = tempfile.mkdtemp(prefix="sesame-pgdown.")
        os.chmod(cls.tmp, 0o755)
        cls.cluster = pgcluster.Cluster(cls.tmp, "own").init().start()
        cls.cluster.create_database("sesame_down")
        cls.daemon = Daemon(cls.tmp, database=cls.cluster.uri("sesame_down")).start()
        cls.secret = cls.daemon.enroll("u1")
        cls.users = 0
        cls.pam = PamStack(cls.tmp)
        cls.pam.service("sshd", ["auth required %s socket=%s" % (harness.PAM_MODULE,
                                                                  cls.daemon.socket)])

    @classmethod
    def tearDownClass(cls):
        if cls.daemon.proc:
            cls.daemon.stop()
        cls.cluster.destroy()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers ------------------------------------------------------------

    def timed(self, path, body):
        t = time.monotonic()
        status, reply = self.daemon.call(path, body)
        return time.monotonic() - t, status, reply

    def start(self, user="u1"):
        return self.timed("/v1/pam/start", {"user": user, "service": "sshd"})

    def new_user(self):
        """A user with a confirmed TOTP whose current code is fresh (a step
        is spent once: one success per user and step)."""
        type(self).users += 1
        user = "user%d" % self.users
        return user, self.daemon.enroll(user)

    def assert_unavailable(self, elapsed, status, reply, limit=PAM_TIMEOUT):
        self.assertIn(status, (200, 503), reply)
        self.assertEqual((reply["step"], reply["result"], reply["reason"]),
                         ("verdict", "unavailable", "unavailable"), reply)
        self.assertLess(elapsed, limit, reply)

    def login(self, user, code):
        """start + continue: the verdict."""
        _, status, r = self.start(user)
        self.assertEqual((status, r["step"]), (200, "prompt"), r)
        _, status, r = self.timed("/v1/pam/continue", {"txn": r["txn"], "answer": code})
        return r

    def wait_serving(self, timeout=15):
        """The daemon (not restarted) gives prompts again: seconds it took."""
        t = time.monotonic()
        while True:
            _, status, r = self.start()
            if status == 200 and r["step"] == "prompt":
                return time.monotonic() - t
            self.assertEqual(r["result"], "unavailable", r)  # never anything else
            self.assertLess(time.monotonic() - t, timeout, "not serving again")
            time.sleep(0.2)

    # -- start ----------------------------------------------------------------

    def test_a_start_refused_when_postgresql_cannot_be_reached(self):
        closed = pgcluster.free_port()
        key = os.path.join(self.tmp, "other.key")
        for database in (
                "postgresql://sesame:%s@127.0.0.1:%d/sesame_nowhere?connect_timeout=2"
                % (PASSWORD, closed),
                "host=127.0.0.1 port=%d dbname=sesame_nowhere user=sesame password=%s "
                "connect_timeout=2" % (closed, PASSWORD)):
            t = time.monotonic()
            rc, log = authd("--socket", os.path.join(self.tmp, "no.sock"), "--database", database,
                            "--master-key", key, "--init")
            elapsed = time.monotonic() - t
            self.assertEqual(rc, 1, log)
            self.assertLess(elapsed, 10, log)
            errors = [ln for ln in log.splitlines() if ln.startswith("error:")]
            self.assertTrue(any("sesame_nowhere" in ln and str(closed) in ln for ln in errors),
                            log)
            self.assertNotIn(PASSWORD, log)
            self.assertNotIn("pw-Kx7", log)
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "no.sock")))

    def test_b_password_in_a_working_uri_is_never_logged(self):
        """trust authentication: the server ignores the password, the daemon
        must not print it either (start line, errors once the server stops)."""
        tmp = os.path.join(self.tmp, "pw")
        os.makedirs(tmp)
        self.cluster.create_database("sesame_pw")
        uri = self.cluster.uri("sesame_pw").replace("sesame@", "sesame:%s@" % PASSWORD)
        d = Daemon(tmp, database=uri).start()
        try:
            d.enroll("p1")
            self.assertIn("database PostgreSQL", d.read_log())
            self.cluster.stop()
            status, r = d.call("/v1/pam/start", {"user": "p1", "service": "sshd"})
            self.assertEqual(r["result"], "unavailable", r)
        finally:
            if self.cluster.pid is None:
                self.cluster.start()
            d.stop()
        log = d.read_log()
        self.assertIn("cannot connect to PostgreSQL", log)
        self.assertNotIn(PASSWORD, log)
        self.assertNotIn("pw-Kx7", log)

    # -- PostgreSQL goes away under a running daemon --------------------------

    def outage(self, how):
        d = self.daemon
        pid = d.proc.pid
        (user, secret), (other, other_secret) = self.new_user(), self.new_user()
        _, _, pending = self.start(user)  # a prompt given before the outage ...
        self.assertEqual(pending["step"], "prompt", pending)
        how()
        times = []
        # ... answered during it with a good code: unavailable, not success
        good = oathtool(secret)
        elapsed, status, r = self.timed("/v1/pam/continue", {"txn": pending["txn"], "answer": good})
        self.assert_unavailable(elapsed, status, r)
        times.append(elapsed)
        for _ in range(3):
            elapsed, status, r = self.start()
            self.assert_unavailable(elapsed, status, r)
            times.append(elapsed)
        # through the real module (pam_wrapper): PAM_AUTHINFO_UNAVAIL in time
        t = time.monotonic()
        out = pypamtest(self.pam, "sshd", user, [("authenticate", PAM_AUTHINFO_UNAVAIL)],
                        answers=[good])
        times.append(time.monotonic() - t)
        self.assertTrue(out["ok"], out)
        self.assertLess(times[-1], PAM_TIMEOUT)
        self.cluster.start()
        back = self.wait_serving()
        self.assertIsNone(d.proc.poll())
        self.assertEqual(d.proc.pid, pid)  # the same daemon, not restarted
        # the good code was not spent during the outage: accepted now
        r = self.login(user, good)
        self.assertEqual((r["result"], r["reason"]), ("success", "ok"), r)
        out = pypamtest(self.pam, "sshd", other, [("authenticate", PAM_SUCCESS)],
                        answers=[oathtool(other_secret)])
        self.assertTrue(out["ok"], out)
        print("\n  %s: refusals in %s s, serving again %.2f s after the restart"
              % (how.__name__, ", ".join("%.2f" % x for x in times), back), file=sys.stderr)

    def test_c_postgresql_stops(self):
        self.outage(self.cluster.stop)

    def test_d_postgresql_crashes(self):
        self.outage(self.cluster.kill9)

    # -- PostgreSQL hangs ---------------------------------------------------------

    def test_e_locked_table(self):
        import psycopg2
        user, secret = self.new_user()
        _, _, pending = self.start(user)
        self.assertEqual(pending["step"], "prompt", pending)
        lock = psycopg2.connect(self.cluster.uri("sesame_down", user="postgres"))
        try:
            with lock.cursor() as cur:
                cur.execute("LOCK TABLE users, totp IN ACCESS EXCLUSIVE MODE")
            good = oathtool(secret)
            elapsed, status, r = self.timed("/v1/pam/continue",
                                            {"txn": pending["txn"], "answer": good})
            self.assert_unavailable(elapsed, status, r, STATEMENT_TIMEOUT + 2)
            self.assertGreater(elapsed, STATEMENT_TIMEOUT - 0.5)  # it waited for the lock
            elapsed, status, r = self.start()
            self.assert_unavailable(elapsed, status, r, STATEMENT_TIMEOUT + 2)
            # many at once: more than the pool's 8 connections; each answered
            # within the module's timeout (statement_timeout, or the pool's 2 s wait)
            results = []

            def one():
                results.append(self.start())
            threads = [threading.Thread(target=one) for _ in range(12)]
            t = time.monotonic()
            for th in threads:
                th.start()
            for th in threads:
                th.join(30)
            burst = time.monotonic() - t
            self.assertEqual(len(results), 12)
            for elapsed, status, r in results:
                self.assert_unavailable(elapsed, status, r)
            self.assertLess(burst, PAM_TIMEOUT)
        finally:
            lock.rollback()
            lock.close()
        r = self.login(user, good)
        self.assertEqual((r["result"], r["reason"]), ("success", "ok"), r)
        print("\n  locked: burst of 12 answered in %.2f s (slowest %.2f s)"
              % (burst, max(x[0] for x in results)), file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
