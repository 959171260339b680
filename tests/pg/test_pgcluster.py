"""pgcluster.py itself: a primary and a synchronous standby, a role that is
not a superuser, a URI that follows the primary through a kill -9 and a
promotion, a restart after a crash, and nothing left behind."""

import os
import shutil
import subprocess
import tempfile
import unittest

import pgcluster


def psql(uri, *commands):
    args = ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", uri]
    for c in commands:
        args += ["-c", c]
    return subprocess.run(args, capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)


@unittest.skipUnless(pgcluster.available(), "PostgreSQL 15 is not installed")
class ClusterTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pgcluster-test.")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def test_failover_keeps_what_was_acknowledged(self):
        primary = pgcluster.Cluster(self.tmp, "primary").init().start()
        self.addCleanup(primary.destroy)
        db = primary.create_database("sesame_t")
        self.assertEqual(primary.sql("select rolsuper from pg_roles where rolname = 'sesame'"), "f")
        self.assertEqual(primary.sql("select pg_catalog.pg_get_userbyid(datdba) from pg_database "
                                     "where datname = 'sesame_t'"), "sesame")
        standby = primary.standby(self.tmp, "standby")
        self.addCleanup(standby.destroy)
        self.assertEqual(primary.sql("select application_name, sync_state "
                                     "from pg_stat_replication"), "standby|sync")
        self.assertEqual(standby.sql("select pg_is_in_recovery()"), "t")

        uri = primary.uri(db, hosts=[primary, standby])
        self.assertIn("target_session_attrs=read-write", uri)
        self.assertIn("connect_timeout=2", uri)
        p = psql(uri, "create table t (id int primary key)", "insert into t values (1)")
        self.assertEqual(p.returncode, 0, p.stderr)
        # the role owns its database and nothing more
        p = psql(uri, "create database nope")
        self.assertNotEqual(p.returncode, 0)

        # a synchronous standby has what the primary acknowledged
        self.assertEqual(standby.sql("select count(*) from t", db=db), "1")
        postmaster = primary.pid
        primary.kill9()
        self.assertIsNone(primary.pid)
        self.assertFalse(os.path.exists("/proc/%d" % postmaster))
        self.assertNotEqual(psql(primary.uri(db), "select 1").returncode, 0)
        standby.promote()
        p = psql(uri, "insert into t values (2)", "select count(*) from t")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.split()[-1], "2")  # the promoted standby commits alone

        # the crashed primary starts again on its data directory
        primary.start()
        self.assertEqual(primary.sql("select count(*) from t", db=db), "1")
        primary.restart()
        self.assertEqual(primary.sql("select 1"), "1")
        primary.stop()
        self.assertIsNone(primary.pid)

        base = standby.base
        standby.destroy()
        self.assertFalse(os.path.exists(base))

    def test_sql_errors_raise(self):
        c = pgcluster.Cluster(self.tmp, "one").init().start()
        self.addCleanup(c.destroy)
        with self.assertRaises(pgcluster.PgError):
            c.sql("select * from no_such_table")
        c.create_database("sesame_a")
        c.create_database("sesame_b")  # the role is made once
        c.drop_database("sesame_a")
        self.assertEqual(c.sql("select count(*) from pg_database where datname like 'sesame_%'"),
                         "1")
        self.assertEqual(c.uri("x"), "postgresql://sesame@127.0.0.1:%d/x?connect_timeout=2"
                         % c.port)


if __name__ == "__main__":
    unittest.main()
