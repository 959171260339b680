"""Issue 13, failover: a PostgreSQL primary and a synchronous streaming
standby (pgcluster.py), two sesame-authd whose --database names both hosts
(target_session_attrs=read-write: libpq follows the primary). Under a
steady load of PAM logins with TOTP (SESAME_PG_LOAD_THREADS threads,
SESAME_PG_LOAD_USERS users) and a few enrollments, the primary is killed
(SIGKILL to the postmaster and all its processes) and, 2 s later, the
standby promoted. Asserted:

- while no primary runs, every answer is 'unavailable' (no success, no
  verdict on a code);
- after the promotion the daemons carry on by themselves (same URI, no
  restart): the first success within pgload.RESUME_BOUND (10 s) of the
  promotion, no 'unavailable' after that bound;
- every code acknowledged as accepted, before or after the switch, is
  refused as a replay ('code_reused') afterwards, through the other
  daemon, and has its audit row; every acknowledged enrollment is on the
  new primary and signs in."""

import os
import shutil
import tempfile
import unittest

import pgload
import pgproof as pp
from harness import AUTHD

import pgcluster


class Failover(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not AUTHD or not os.path.exists(AUTHD):
            raise unittest.SkipTest("SESAME_AUTHD is not set")
        if not pgcluster.available():
            raise unittest.SkipTest("PostgreSQL 15 is not installed")
        cls.tmp = tempfile.mkdtemp(prefix="sesame-pgfail.")
        os.chmod(cls.tmp, 0o755)
        cls.primary = pgcluster.Cluster(cls.tmp, "primary").init().start()
        cls.standby = cls.primary.standby(cls.tmp, "standby", synchronous=True)
        cls.primary.create_database("sesame")
        cls.uri = cls.primary.uri("sesame", hosts=[cls.primary, cls.standby])
        cls.ds = pp.start_all(pp.daemons(cls.tmp, pgload.CONFIG, database=cls.uri))

    @classmethod
    def tearDownClass(cls):
        for d in getattr(cls, "ds", ()):
            if d.proc:
                d.stop()
        for c in ("standby", "primary"):
            if hasattr(cls, c):
                getattr(cls, c).destroy()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_kill_primary_promote_standby(self):
        self.assertIn("target_session_attrs=read-write", self.uri)
        users = ["u%04d" % i for i in range(pgload.USERS)]
        secrets = dict(zip(users, pp.parallel(
            list(range(len(users))), lambda i: pgload.enroll_old(self.ds[i % 2], users[i]))))
        pp.check_totp_against_oathtool(secrets[users[0]])
        self.assertEqual(self.primary.sql("SELECT sync_state FROM pg_stat_replication"), "sync")

        o = pgload.Outage(self, self.ds, secrets).run(down=self.primary.kill9,
                                                     up=self.standby.promote)
        self.assertEqual(self.standby.sql("SELECT pg_is_in_recovery()"), "f")
        figures = o.check("failover")
        figures.update(o.check_kept("failover"))
        for d in self.ds:  # still the same processes, still serving
            self.assertIsNone(d.proc.poll())
        figures["promote_s"] = o.t_up - o.t_up0
        pgload.report("failover", figures)


if __name__ == "__main__":
    unittest.main()
