"""The PostgreSQL cluster shared by the suites of one ctest run (the ctest
fixture "pg": tests pg.cluster.start and pg.cluster.stop).

    cluster_ctl.py start DIR   a fresh cluster; its superuser's libpq URI in
                               DIR/conninfo, the role "sesame" made
    cluster_ctl.py stop DIR    stops it, removes it and DIR's files

The cluster's files live in a temp folder (/tmp/sesame-pg.*; unix socket
paths are short there and user postgres can reach it), named in DIR/where.
The server outlives this script (pg_ctl start): its parent is then PID 1.
A start first stops and removes what a killed earlier run left in DIR.
"""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgcluster  # noqa: E402


def _files(d):
    return os.path.join(d, "conninfo"), os.path.join(d, "where")


def stop(d):
    conninfo, where = _files(d)
    try:
        with open(where) as f:
            tmp = f.read().strip()
    except OSError:
        tmp = None
    if tmp and os.path.isdir(os.path.join(tmp, "main")):
        c = pgcluster.Cluster(tmp, "main", keep=True)
        try:
            c.stop()
        finally:
            c.destroy()
        shutil.rmtree(tmp, ignore_errors=True)
    for p in (conninfo, where):
        if os.path.exists(p):
            os.unlink(p)


def start(d):
    os.makedirs(d, exist_ok=True)
    stop(d)
    tmp = tempfile.mkdtemp(prefix="sesame-pg.")
    conninfo, where = _files(d)
    with open(where, "w") as f:
        f.write(tmp + "\n")
    c = pgcluster.Cluster(tmp, "main", keep=True)
    try:
        c.init().start()
        c.sql("create role %s login" % pgcluster.ROLE)
    except Exception as e:  # noqa: BLE001 - reported, then cleaned up
        print("PostgreSQL cluster did not start: %s" % e, file=sys.stderr)
        stop(d)
        return 1
    with open(conninfo + ".new", "w") as f:
        f.write(c.uri("postgres", user="postgres") + "\n")
    os.rename(conninfo + ".new", conninfo)
    print("PostgreSQL 15 cluster for the tests: %s (files in %s)" % (c.uri("postgres", user="postgres"), tmp))
    return 0


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print("usage: cluster_ctl.py start|stop DIR", file=sys.stderr)
        return 2
    if not pgcluster.available():
        print("PostgreSQL 15 is not installed (%s)" % pgcluster.PGBIN, file=sys.stderr)
        return 1
    d = os.path.abspath(argv[2])
    return start(d) if argv[1] == "start" else (stop(d) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
