"""Issue 13, restart: one PostgreSQL (pgcluster.py, a cluster of this
suite's own) under a steady load of PAM logins with TOTP and a few
enrollments from two sesame-authd, stopped (pg_ctl stop -m fast) then, in
a second round, killed (SIGKILL to every server process), each time
started again 2 s later on the same data. Asserted per round: every answer
while it is down is 'unavailable'; successes come back within
pgload.RESUME_BOUND (10 s) without touching the daemons; every code
acknowledged as accepted is refused as a replay afterwards and audited;
every acknowledged enrollment is there and signs in."""

import os
import shutil
import tempfile
import unittest

import pgload
import pgproof as pp
from harness import AUTHD

import pgcluster


class Restart(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not AUTHD or not os.path.exists(AUTHD):
            raise unittest.SkipTest("SESAME_AUTHD is not set")
        if not pgcluster.available():
            raise unittest.SkipTest("PostgreSQL 15 is not installed")
        cls.tmp = tempfile.mkdtemp(prefix="sesame-pgrestart.")
        os.chmod(cls.tmp, 0o755)
        cls.pg = pgcluster.Cluster(cls.tmp, "single").init().start()
        cls.pg.create_database("sesame")
        cls.ds = pp.start_all(pp.daemons(cls.tmp, pgload.CONFIG, database=cls.pg.uri("sesame")))

    @classmethod
    def tearDownClass(cls):
        for d in getattr(cls, "ds", ()):
            if d.proc:
                d.stop()
        if hasattr(cls, "pg"):
            cls.pg.destroy()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def round(self, name, down, prefix):
        users = ["%s%04d" % (prefix, i) for i in range(pgload.USERS)]
        secrets = dict(zip(users, pp.parallel(
            list(range(len(users))), lambda i: pgload.enroll_old(self.ds[i % 2], users[i]))))
        o = pgload.Outage(self, self.ds, secrets).run(down=down, up=self.pg.start)
        figures = o.check(name)
        figures.update(o.check_kept(name))
        for d in self.ds:
            self.assertIsNone(d.proc.poll())
        pgload.report(name, figures)

    def test_a_stop_fast_then_start(self):
        self.round("restart (stop -m fast)", self.pg.stop, "f")

    def test_b_kill9_then_start(self):
        self.round("restart (kill -9)", self.pg.kill9, "k")


if __name__ == "__main__":
    unittest.main()
