"""Issue 13, the races: two sesame-authd on one PostgreSQL database (the
ctest fixture "pg"; same master key, each its own socket and web
listener). Each race sends one single-use thing to both daemons at once
(two threads released by a barrier, both requests in flight together) and
expects exactly one to pass and the other to be refused (never an error):

  a. the same TOTP code, at the PAM door           (SESAME_PG_RACE_N, 1000)
  b. the same recovery code, at the PAM door       (SESAME_PG_RACE_N)
  c. the same invitation link, on the web pages    (SESAME_PG_INVITE_N, 50:
     each use costs an Argon2id hash, 64 MiB t=3, on both daemons: 0.2 to
     0.5 s a race on 2 shared cores, 1000 races took 8 to 10 minutes)
  d. the same WebAuthn assertion (one challenge)   (SESAME_PG_RACE_N)

Every race is checked on its own (not only the totals), and the database
is read afterwards for the same counts. Then two daemons started at the
same instant on a new, empty store must both come up, the schema made
once: PostgreSQL (under the advisory lock) and SQLite, 10 times each
(SESAME_PG_START_N). A summary line per race kind goes to stderr: races,
how many overlapped (both requests in flight at one moment, client side),
seconds."""

import collections
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import pgload
import pgproof as pp  # noqa: E402  (sets sys.path for harness and softauthn)
from harness import AUTHD, PG, SESAMECTL, Daemon, pg_create_database, pg_drop_database
from test_web import STRONG, Browser, csrf_of, free_port
from test_web_passkey import SoftKey

N = pp.env_int("RACE_N", 1000)
N_INVITE = pp.env_int("INVITE_N", 50)
N_START = pp.env_int("START_N", 10)
# races side by side: more lanes, more transactions at once, and then now
# and then a loser answered 503 (test_pg_contention's bug) instead of refused
LANES = pp.env_int("RACE_LANES", 2)
INVALID = "This invitation link is not valid"
# failures of the losers must not lock anyone: the races are about single use
CONFIG = ("[throttle]\nmax_failures = 1000\naccount_max_failures = 0\n"
          "source_max_failures = 0\n")


def summary(kind, race, extra=""):
    print("\n%s: %d races, %d overlapped, %.1f s%s; setup requests asked again after a 503: %d"
          % (kind, race.n, race.overlapped, race.seconds, extra, len(pp.setup_retries)),
          file=sys.stderr, flush=True)
    del pp.setup_retries[:]


def need_daemon():
    if not AUTHD or not os.path.exists(AUTHD):
        raise unittest.SkipTest("SESAME_AUTHD is not set")


class TwoDaemons(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need_daemon()
        if not PG:
            raise unittest.SkipTest("SESAME_TEST_PG is not set (the ctest fixture pg)")
        cls.tmp = tempfile.mkdtemp(prefix="sesame-pgrace.")
        os.chmod(cls.tmp, 0o755)
        cls.ports = [free_port(), free_port()]
        cls.ds = pp.daemons(cls.tmp, CONFIG, web_ports=cls.ports)
        pp.start_all(cls.ds, cls.ports)
        cls.a, cls.b = cls.ds
        cls.origin = "http://localhost:%d" % cls.ports[0]

    @classmethod
    def tearDownClass(cls):
        for d in cls.ds:
            d.stop()
        cls.ds[0].drop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def count(self, query, params=()):
        return self.a.sql(query, params)[0][0]

    def check_races(self, race, win, lose, what):
        """Every race: exactly one answer `win`, the other `lose`."""
        bad = [(i, a) for i, a in enumerate(race.answers) if sorted(a) != sorted([win, lose])]
        outcomes = collections.Counter(tuple(sorted(map(str, a))) for a in race.answers)
        self.assertEqual(bad[:5], [], "%s: %d of %d races went wrong; outcomes %s; the daemons' "
                         "errors: %s" % (what, len(bad), race.n, dict(outcomes),
                                         pgload.log_errors(self.ds, verdicts=True).most_common(8)))
        # which daemon won: both must win some (when there are enough races)
        wins = collections.Counter(a.index(win) for a in race.answers)
        return wins

    # -- a. the same TOTP code --------------------------------------------

    def test_a_totp_code(self):
        users = ["t%04d" % i for i in range(N)]
        t0 = time.monotonic()
        secrets = pp.parallel(list(range(N)), lambda i: pp.enroll(self.ds[i % 2], users[i]))
        setup = time.monotonic() - t0
        pp.check_totp_against_oathtool(secrets[0])

        def prepare(i, lane):
            txa, txb = pp.pam_start(self.a, users[i]), pp.pam_start(self.b, users[i])
            code = pp.totp(secrets[i])
            return (lambda: pp.pam_answer(self.a, txa, code),
                    lambda: pp.pam_answer(self.b, txb, code))

        race = pp.Race(N, prepare, LANES).run()
        wins = self.check_races(race, (200, "success", "ok"), (200, "denied", "code_reused"), "TOTP")
        summary("a. TOTP code", race, "; enrollment of %d users %.1f s; won by A %d, B %d"
                % (N, setup, wins[0], wins[1]))
        self.assertEqual(self.count("SELECT count(*) FROM audit WHERE factor = 'totp' AND "
                                    "result = 'success' AND \"user\" LIKE 't%'"), N)
        self.assertEqual(self.count("SELECT count(*) FROM audit WHERE factor = 'totp' AND "
                                    "reason = 'code_reused' AND \"user\" LIKE 't%'"), N)
        if N >= 100:
            self.assertGreater(min(wins[0], wins[1]), 0, wins)

    # -- b. the same recovery code ----------------------------------------

    def test_b_recovery_code(self):
        n_users = (N + 9) // 10
        users = ["r%04d" % i for i in range(n_users)]

        def setup(i):
            d = self.ds[i % 2]
            pp.enroll(d, users[i])
            return pp.setup_ok(d, "/v1/recovery/generate", {"user": users[i]})["codes"]

        # one at a time: concurrent ones fail now and then (test_pg_contention)
        codes = [setup(i) for i in range(n_users)]

        def prepare(i, lane):
            user, code = users[i // 10], codes[i // 10][i % 10]
            txa, txb = pp.pam_start(self.a, user), pp.pam_start(self.b, user)
            return (lambda: pp.pam_answer(self.a, txa, code),
                    lambda: pp.pam_answer(self.b, txb, code))

        # lanes take races i, i+LANES, ...: one user's codes are raced in
        # several lanes at once, the conflicts of one user's rows included
        race = pp.Race(N, prepare, LANES).run()
        wins = self.check_races(race, (200, "success", "ok"), (200, "denied", "wrong_code"),
                                "recovery")
        summary("b. recovery code", race, "; won by A %d, B %d" % (wins[0], wins[1]))
        self.assertEqual(self.count("SELECT count(*) FROM audit WHERE factor = 'recovery' AND "
                                    "result = 'success' AND \"user\" LIKE 'r%'"), N)
        left = sum(self.a.ok("/v1/user/show", {"user": u})["recovery_codes"] for u in users)
        self.assertEqual(left, n_users * 10 - N)

    # -- c. the same invitation link --------------------------------------

    def browser(self, k, csrf):
        b = Browser(self.ports[k], host="localhost")
        b.cookies["sesame_csrf"] = csrf
        return b

    def csrf(self, k):
        b = Browser(self.ports[k], host="localhost")
        resp, body = b.get("/login")
        self.assertEqual(resp.status, 200, body)
        return b.cookies["sesame_csrf"], csrf_of(body)

    def test_c_invitation_link(self):
        users = ["inv%04d" % i for i in range(N_INVITE)]
        csrfs = [self.csrf(0), self.csrf(1)]

        def accept(k, token):
            cookie, form = csrfs[k]
            resp, body = self.browser(k, cookie).post(
                "/invite", {"token": token, "new": STRONG, "again": STRONG, "csrf": form})
            if resp.status == 303:
                return 303, resp.getheader("Location")
            return resp.status, INVALID in body

        def prepare(i, lane):
            url = pp.setup_ok(self.ds[i % 2], "/v1/user/invite", {"user": users[i]})["url"]
            token = url.rsplit("/", 1)[1]
            return lambda: accept(0, token), lambda: accept(1, token)

        race = pp.Race(N_INVITE, prepare, 2).run()
        wins = self.check_races(race, (303, "/account"), (404, True), "invitation")
        summary("c. invitation link", race, "; won by A %d, B %d" % (wins[0], wins[1]))
        rows = self.a.sql("SELECT \"user\", count(*) FROM audit WHERE factor = 'invite' AND "
                          "reason = 'accepted' GROUP BY \"user\"")
        self.assertEqual(sorted(rows), [(u, 1) for u in users])
        # one enrollment: one password, one session at the enroll stage
        self.assertEqual(self.count("SELECT count(*) FROM users WHERE name LIKE 'inv%' AND "
                                    "password_hash IS NOT NULL"), N_INVITE)
        self.assertEqual(self.count("SELECT count(*) FROM sessions s JOIN users u ON "
                                    "u.id = s.user_id WHERE u.name LIKE 'inv%'"), N_INVITE)

    # -- d. the same WebAuthn assertion -----------------------------------

    def post_json(self, b, path, body, token):
        """As a browser at daemon A's origin sends it; to daemon B as a load
        balancer in front of both would pass it on (Host: A's name)."""
        import json
        resp, text = b.request("POST", path, raw=json.dumps(body),
                               headers={"Content-Type": "application/json",
                                        "Host": "localhost:%d" % self.ports[0],
                                        "Origin": self.origin, "X-CSRF-Token": token})
        try:
            return resp.status, json.loads(text)
        except ValueError:
            return resp.status, text

    def user_with_passkey(self, user):
        """A passkey registered through daemon A's pages (password + TOTP first)."""
        pp.setup_ok(self.a, "/v1/user/add", {"user": user, "password": STRONG})
        secret = pp.enroll(self.a, user)
        b = Browser(self.ports[0], host="localhost")
        resp, body = b.get("/login")
        resp, _ = b.post("/login", {"user": user, "password": STRONG, "csrf": csrf_of(body)})
        self.assertEqual(resp.getheader("Location"), "/login/code")
        resp, body = b.get("/login/code")
        resp, body = b.post("/login/code", {"code": pp.totp(secret), "csrf": csrf_of(body)})
        self.assertEqual(resp.getheader("Location"), "/account", body)
        resp, body = b.get("/account")
        token = csrf_of(body)
        status, opts = self.post_json(b, "/webauthn/register/options", {}, token)
        self.assertEqual(status, 200, opts)
        key = SoftKey()
        reg = dict(key.create(opts, self.origin), name="key", transports=["usb"])
        status, data = self.post_json(b, "/webauthn/register/verify", reg, token)
        self.assertEqual(status, 200, data)
        return key

    def test_d_webauthn_assertion(self):
        # one user and passkey per lane: a lane's sign counts rise in order
        users = ["pk%d" % k for k in range(LANES)]
        keys = [self.user_with_passkey(u) for u in users]
        cookie, token = self.csrf(0)

        def prepare(i, lane):
            ba = self.browser(0, cookie)
            status, opts = self.post_json(ba, "/webauthn/login/options", {}, token)
            if status != 200:
                raise AssertionError("login/options -> %d %s" % (status, opts))
            assertion = keys[lane].get(opts, self.origin)
            bb = self.browser(1, cookie)
            bb.cookies.update(ba.cookies)  # the pre-session cookie the challenge is bound to

            def verify(b):
                status, data = self.post_json(b, "/webauthn/login/verify", assertion, token)
                if not isinstance(data, dict):
                    return status, data[:300]
                ok = status == 200 and "sesame_session" in b.cookies
                return status, data.get("redirect") if ok else data.get("error")

            return lambda: verify(ba), lambda: verify(bb)

        race = pp.Race(N, prepare, LANES).run()
        wins = self.check_races(race, (200, "/account"), (403, "passkey_refused"), "WebAuthn")
        reasons = self.a.sql("SELECT reason, count(*) FROM audit WHERE factor = 'passkey' AND "
                             "result = 'denied' AND \"user\" LIKE 'pk%' GROUP BY reason")
        summary("d. WebAuthn assertion", race, "; won by A %d, B %d; losers' audit reasons %s"
                % (wins[0], wins[1], dict(reasons)))
        self.assertEqual(self.count("SELECT count(*) FROM audit WHERE factor = 'passkey' AND "
                                    "result = 'success' AND \"user\" LIKE 'pk%'"), N)
        self.assertEqual(dict(reasons), {"wrong_challenge": N})


class StartTogether(unittest.TestCase):
    """Two daemons started at the same instant on a new, empty store."""

    @classmethod
    def setUpClass(cls):
        need_daemon()
        cls.tmp = tempfile.mkdtemp(prefix="sesame-pgstart.")
        os.chmod(cls.tmp, 0o755)
        cls.key = os.path.join(cls.tmp, "master.key")
        subprocess.run([SESAMECTL, "keygen", cls.key], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def start_together(self, round_, database):
        tmp = os.path.join(self.tmp, "r%d" % round_)
        ds = pp.daemons(tmp, "", database=database)
        for d in ds:
            d.key = self.key
        bar = threading.Barrier(len(ds))
        errors = []

        def go(d):
            try:
                bar.wait()
                d.start()
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        ts = [threading.Thread(target=go, args=(d,)) for d in ds]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        try:
            self.assertEqual(errors, [], "round %d" % round_)
            # both serve, on one store: a user added through one is seen by the other
            ds[0].ok("/v1/user/add", {"user": "u%d" % round_})
            self.assertEqual(ds[1].ok("/v1/user/show", {"user": "u%d" % round_})["user"],
                             "u%d" % round_)
        finally:
            for d in ds:
                if d.proc:
                    d.stop()
        return [d.read_log() for d in ds]

    def test_postgresql_new_database(self):
        if not PG:
            raise unittest.SkipTest("SESAME_TEST_PG is not set (the ctest fixture pg)")
        for i in range(N_START):
            uri = pg_create_database()
            try:
                logs = self.start_together(i, uri)
                made = [log.count("PostgreSQL schema at version") for log in logs]
                self.assertEqual(sorted(made), [0, 1], (i, logs))
                d = Daemon(self.tmp, database=uri)
                self.assertEqual(d.sql("SELECT count(*), max(version) FROM schema_version"),
                                 [(1, 9)])
            finally:
                pg_drop_database(uri)

    def test_sqlite_new_file(self):
        for i in range(N_START):
            path = os.path.join(self.tmp, "s%d" % i, "new.db")
            logs = self.start_together(i, path)
            made = [log.count("database schema at version") for log in logs]
            self.assertEqual(sorted(made), [0, 1], (i, logs))
            db = sqlite3.connect(path)
            try:
                self.assertGreaterEqual(db.execute("PRAGMA user_version").fetchone()[0], 9)
                self.assertEqual(db.execute("PRAGMA journal_mode").fetchone()[0], "wal")
            finally:
                db.close()


if __name__ == "__main__":
    unittest.main()
