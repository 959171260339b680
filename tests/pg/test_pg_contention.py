"""Issue 13, contention without a race: two sesame-authd on one
PostgreSQL database (the ctest fixture "pg"), 16 clients at once (8 per
daemon, the size of its connection pool; SESAME_PG_CONTENTION_CLIENTS), each
request about a different user, so that nothing single-use is contended.
Every request must get its verdict: 'unavailable' (or a 503) would mean
the store gave a transaction up after its retries on serialization
failures (store_pg_conn.c: PG_TRIES, "transaction given up after 10
serialization failures"), i.e. a right code refused because other users
were signing in at the same moment.

  - logins: SESAME_PG_CONTENTION_USERS (200) users, 8 logins each with
    distinct codes, each code sent again through the other daemon right
    after (a replay: the failure counted); two rounds (the give-ups come
    in bursts: a round often has none);
  - new sets of recovery codes: the same users, one set each;
  - invitations: as many new users, one link each.

The daemons' error lines are summed up on stderr."""

import collections
import os
import shutil
import sys
import tempfile
import unittest

import pgload
import pgproof as pp
from harness import AUTHD, PG

USERS = pp.env_int("CONTENTION_USERS", 200)
CLIENTS = pp.env_int("CONTENTION_CLIENTS", 16)  # 8 per daemon: its pool's size


class Contention(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not AUTHD or not os.path.exists(AUTHD):
            raise unittest.SkipTest("SESAME_AUTHD is not set")
        if not PG:
            raise unittest.SkipTest("SESAME_TEST_PG is not set (the ctest fixture pg)")
        cls.tmp = tempfile.mkdtemp(prefix="sesame-pgcont.")
        os.chmod(cls.tmp, 0o755)
        ports = [pp.free_port(), pp.free_port()]  # web pages: invitation links
        cls.ds = pp.start_all(pp.daemons(cls.tmp, pgload.CONFIG, web_ports=ports), ports)
        cls.users = ["c%04d" % i for i in range(USERS)]
        # one at a time: the setup is not what is measured
        cls.secrets = [pgload.enroll_old(cls.ds[i % 2], u) for i, u in enumerate(cls.users)]

    @classmethod
    def tearDownClass(cls):
        for d in cls.ds:
            d.stop()
        cls.ds[0].drop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def errors(self):
        """What explains the answers: transactions given up, the doors' lines."""
        return pgload.log_errors(self.ds, verdicts=True).most_common(6)

    def test_logins_of_distinct_users(self):
        base = pp.now_step()

        def run(first_step):
            def logins(i):  # one user's: each code, then the same code again
                d = self.ds[i % 2]
                out = []
                for j in range(8):
                    code = pp.totp(self.secrets[i], first_step + j)
                    out += [pp.login_once(d, self.users[i], code),
                            pp.login_once(self.ds[(i + 1) % 2], self.users[i], code)]
                return out

            c = collections.Counter()
            for answers in pp.parallel(list(range(USERS)), logins, CLIENTS):
                c.update(answers)
            return dict(c)

        # two rounds of 8 steps each (base-8 .. base+7: all within the window)
        rounds = [run(base - 8), run(base)]
        given_up = sum(n for line, n in pgload.log_errors(self.ds).items() if "given up" in line)
        print("\nlogins of distinct users, %d clients: %s; 'given up' %d"
              % (CLIENTS, rounds, given_up), file=sys.stderr)
        n = USERS * 8
        want = {(200, "success", "ok"): n, (200, "denied", "code_reused"): n}
        self.assertEqual(rounds, [want, want], "the daemons' errors: %s" % self.errors())

    def test_new_recovery_codes_for_distinct_users(self):
        status = collections.Counter(pp.parallel(list(range(USERS)), lambda i: self.ds[i % 2].call(
            "/v1/recovery/generate", {"user": self.users[i]})[0], CLIENTS))
        print("\nrecovery generate, %d clients: %s" % (CLIENTS, dict(status)), file=sys.stderr)
        self.assertEqual(dict(status), {200: USERS},
                         "the daemons' errors: %s" % self.errors())

    def test_invitations_for_distinct_users(self):
        status = collections.Counter(pp.parallel(list(range(USERS)), lambda i: self.ds[i % 2].call(
            "/v1/user/invite", {"user": "inv%04d" % i})[0], CLIENTS))
        print("\ninvitations, %d clients: %s" % (CLIENTS, dict(status)), file=sys.stderr)
        self.assertEqual(dict(status), {200: USERS},
                         "the daemons' errors: %s" % self.errors())


if __name__ == "__main__":
    unittest.main()
