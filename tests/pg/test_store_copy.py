"""sesamectl store copy and store migrate against real daemons (label pg,
the ctest fixture "pg": SESAME_TEST_PG names its superuser's URI).

A daemon on SQLite is given data of every kind it makes (users with
passwords, TOTP with a gap in the ids at the top, recovery codes, an
invitation, a passkey, an OIDC client added with sesamectl and a code
flow's grant and tokens, failed logins, a web session, audit events); it
is stopped and its file copied to a fresh PostgreSQL database and back to
SQLite: `sqlite3 .dump` of the original and of the round trip are the
same, and the per-table rows and checksums that --json prints are the ones
computed here from the file. A daemon started on the PostgreSQL copy (same
master key file) signs the copied users in with their copied seeds and
passkey, refuses the TOTP step spent before the copy, takes the copied
refresh token, and gives ids after the copied ones. The refusals change
nothing: a destination with rows, a missing source, the same database at
both ends, a table this version does not know."""

import hashlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
from harness import SESAMECTL, Daemon, oathtool, wrong_code  # noqa: E402
from test_oidc import REDIRECT, OidcCase  # noqa: E402
from test_web import STRONG  # noqa: E402
from test_web_passkey import PasskeyCase, SoftKey  # noqa: E402

SCHEMA_VERSION = 9
TABLES = ["users", "totp", "audit", "sessions", "webauthn_credentials", "webauthn_challenges",
          "invitations", "sources", "attempts", "spent_flows", "user_codes", "handoffs",
          "oidc_keys", "oidc_clients", "oidc_requests", "oidc_grants", "oidc_codes",
          "oidc_tokens"]


def ctl(*args, timeout=60):
    """sesamectl without a daemon: (status, stdout, stderr)."""
    p = subprocess.run([SESAMECTL] + list(args), capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def sqlite_dump(path):
    """sqlite3 FILE .dump, with the rows of sqlite_sequence (AUTOINCREMENT's
    high-water marks) sorted: SQLite keeps them in the order the tables
    first got a row, which PostgreSQL's sequences do not record, so a copy
    back from PostgreSQL writes them in its table order."""
    lines = subprocess.check_output(["sqlite3", path, ".dump"], text=True).splitlines(True)
    marks = [i for i, ln in enumerate(lines) if ln.startswith("INSERT INTO sqlite_sequence ")]
    for i, ln in zip(marks, sorted(lines[i] for i in marks)):
        lines[i] = ln
    return "".join(lines)


def sqlite_rows(path, table):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return db.execute('SELECT * FROM "%s"' % table).fetchall()
    finally:
        db.close()


def sqlite_tables(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return sorted(r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    finally:
        db.close()


def checksum(rows):
    """store_copy.c's checksum, computed independently: each row's SHA-256
    over its columns (a type byte, DB_NULL 0 / INT 1 / TEXT 2 / BLOB 3, the
    length as 8 big-endian bytes, the value: an integer as its 8 bytes in
    this machine's order), the digests added as four big-endian 64-bit
    lanes modulo 2^64."""
    lanes = [0, 0, 0, 0]
    for row in rows:
        h = hashlib.sha256()
        for v in row:
            if v is None:
                t, data = 0, b""
            elif isinstance(v, int):
                t, data = 1, struct.pack("=q", v)
            elif isinstance(v, str):
                t, data = 2, v.encode()
            elif isinstance(v, bytes):
                t, data = 3, v
            else:
                raise AssertionError("unexpected value %r" % (v,))
            h.update(bytes([t]) + struct.pack(">Q", len(data)) + data)
        md = h.digest()
        for i in range(4):
            lanes[i] = (lanes[i] + int.from_bytes(md[8 * i:8 * i + 8], "big")) % 2 ** 64
    return "".join("%016x" % x for x in lanes)


def pg_connect(uri):
    import psycopg2
    conn = psycopg2.connect(uri)
    conn.autocommit = True
    return conn


def pg_query(uri, query):
    conn = pg_connect(uri)
    try:
        with conn.cursor() as cur:
            cur.execute(query)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def pg_tables(uri):
    return sorted(r[0] for r in pg_query(
        uri, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))


def pg_state(uri):
    """Every table's rows (sorted) and every sequence's last value."""
    state = {}
    for t in pg_tables(uri):
        state[t] = sorted(pg_query(uri, 'SELECT * FROM "%s"' % t), key=repr)
    for (seq,) in pg_query(uri, "SELECT sequencename FROM pg_sequences "
                                "WHERE schemaname = current_schema()"):
        state["seq " + seq] = pg_query(uri, "SELECT last_value, is_called FROM %s" % seq)
    return state


def pg_row_count(uri):
    """Rows in every table but schema_version."""
    return sum(pg_query(uri, 'SELECT count(*) FROM "%s"' % t)[0][0] for t in pg_tables(uri)
               if t != "schema_version")


class StoreCopy(OidcCase, PasskeyCase):
    """One installation made on SQLite in setUpClass, then copied."""

    web_config = "[oidc]\nenabled = yes\n"

    @classmethod
    def setUpClass(cls):
        if not harness.AUTHD or not SESAMECTL:
            raise unittest.SkipTest("SESAME_AUTHD and SESAMECTL are not set")
        if not harness.PG:
            raise AssertionError("SESAME_TEST_PG is not set: run through ctest (fixture pg)")
        cls.t0 = time.monotonic()
        cls.tmp = tempfile.mkdtemp(prefix="sesame-copy.")
        os.chmod(cls.tmp, 0o755)
        cls.port = harness_free_port()
        cls.config = ("[throttle]\nmax_failures = 5\nbase_delay = 60\n"
                      "[web]\nlisten = 127.0.0.1:%d\n%s" % (cls.port, cls.web_config))
        cls.origin = cls.issuer = "http://localhost:%d" % cls.port
        cls.source = os.path.join(cls.tmp, "source.db")
        cls.daemon = Daemon(cls.tmp, cls.config, database=cls.source)
        try:
            cls.daemon.start()
            cls.wait_web()
            cls.made = time.monotonic()
            maker = cls()  # the helpers are instance methods: one instance runs them
            maker.populate()
            for k, v in vars(maker).items():
                if not k.startswith("_"):
                    setattr(cls, k, v)
            cls.populated = time.monotonic()
            cls.daemon.stop()
        except BaseException:
            cls.tearDownClass()  # not called when setUpClass fails
            raise

    @classmethod
    def wait_web(cls):
        from test_web import Browser
        deadline = time.monotonic() + 10
        while True:
            try:
                if Browser(cls.port).get("/healthz")[0].status == 200:
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        if cls.daemon.proc:
            cls.daemon.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- the installation on SQLite -----------------------------------------

    def populate(self):
        d = self.daemon
        rc, out, err = self.ctl("client", "add", "app", "--redirect-uri", REDIRECT, "--json")
        self.assertEqual(rc, 0, err)
        self.client_secret = json.loads(out)["secret"]
        # alice: password + TOTP, an OIDC code flow (grant, code, tokens), a
        # web session, a passkey used once, recovery codes
        b, location, q = self.signed_in_browser("alice")
        self.alice_secret = self._secrets["alice"]  # sealed in the store
        got = self.callback(location, q)
        resp, self.tokens = self.code_grant(got["code"], auth=("app", self.client_secret))
        self.assertEqual(resp.status, 200, self.tokens)
        self.key = SoftKey()
        self.register(b, self.key, "phone")
        self.assertEqual(self.discoverable(self.key)[1].status, 200)
        p = subprocess.run([SESAMECTL, "--socket", d.socket, "recovery", "generate", "alice",
                            "--json"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.recovery = json.loads(p.stdout)["codes"]
        # bob: two TOTP, the newer one removed (the top id is a gap), failed
        # logins from an address (attempts, sources, failures)
        self.bob_secret = self.add_user("bob")
        d.enroll("bob")
        ids = [t["id"] for t in d.ok("/v1/totp/list", {"user": "bob"})["totp"]]
        self.assertEqual(len(ids), 2)
        d.ok("/v1/totp/remove", {"user": "bob", "id": max(ids)})
        self.top_totp_id = max(ids)
        for _ in range(2):
            r = d.ok("/v1/pam/start", {"user": "bob", "service": "sshd", "rhost": "198.51.100.7"})
            r = d.ok("/v1/pam/continue", {"txn": r["txn"], "answer": wrong_code(self.bob_secret)})
            self.assertEqual(r["result"], "denied", r)
        # carol: invited
        reply = d.ok("/v1/user/invite", {"user": "carol", "real_name": "Carol Ødegård"})
        self.invite_path = urllib.parse.urlsplit(reply["url"]).path
        # alice spends the next TOTP step just before the copy (the web
        # sign-in spent the current one)
        self.spent = oathtool(self.alice_secret, offset=30)
        self.assertEqual(self.pam_login("alice", self.spent)["result"], "success")

    def add_user(self, user, password=STRONG, factor=True):
        secret = super().add_user(user, password, factor)
        self.__class__._secrets = getattr(self.__class__, "_secrets", {})
        self._secrets[user] = secret
        return secret

    def pam_login(self, user, code, rhost=""):
        r = self.daemon.ok("/v1/pam/start", {"user": user, "service": "sshd", "rhost": rhost})
        self.assertEqual(r["step"], "prompt", r)
        return self.daemon.ok("/v1/pam/continue", {"txn": r["txn"], "answer": code})

    def copy(self, src, dst, *extra):
        return ctl("store", "copy", "--from", src, "--to", dst, *extra)

    # -- the tests ------------------------------------------------------------

    def test_a_round_trip_and_a_daemon_on_the_copy(self):
        """Runs first: alice's spent TOTP step must still be within the window."""
        src_tables = sqlite_tables(self.source)
        self.assertEqual(sorted(TABLES), src_tables)
        for t in ("users", "totp", "audit", "sessions", "webauthn_credentials", "invitations",
                  "sources", "attempts", "user_codes", "oidc_keys", "oidc_clients",
                  "oidc_grants", "oidc_tokens"):
            self.assertTrue(sqlite_rows(self.source, t), "no row in %s: the test made none" % t)
        seq = dict(sqlite3.connect(self.source).execute("SELECT name, seq FROM sqlite_sequence"))
        self.assertEqual(seq["totp"], self.top_totp_id)
        self.assertLess(max(r[0] for r in sqlite_rows(self.source, "totp")), self.top_totp_id)
        before = sqlite_dump(self.source)

        # SQLite -> PostgreSQL, --json: rows and checksums as computed here
        pg = harness.pg_create_database()
        self.addCleanup(harness.pg_drop_database, pg)
        t = time.monotonic()
        rc, out, err = self.copy(self.source, pg, "--json")
        copy_s = time.monotonic() - t
        self.assertEqual(rc, 0, out + err)
        report = json.loads(out)["tables"]
        self.assertEqual(sorted(r["table"] for r in report), src_tables)
        for r in report:
            rows = sqlite_rows(self.source, r["table"])
            self.assertEqual(r["rows"], len(rows), r["table"])
            self.assertEqual(r["checksum"], checksum(rows), r["table"])
        for r in report:
            self.assertEqual(pg_query(pg, 'SELECT count(*) FROM "%s"' % r["table"])[0][0],
                             r["rows"], r["table"])
        self.assertEqual(pg_query(pg, "SELECT version FROM schema_version"), [(SCHEMA_VERSION,)])
        self.assertEqual(sqlite_dump(self.source), before)  # the source is only read

        # PostgreSQL -> SQLite before any daemon touched it: the same dump
        back = os.path.join(self.tmp, "back.db")
        rc, out, err = self.copy(pg, back)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("Copied and verified", out)
        self.assertEqual(out.count(" ok\n"), len(TABLES), out)
        after = sqlite_dump(back)
        if after != before:
            import difflib
            diff = difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                        "source", "round trip")
            diff = "".join(list(diff)[:60])
            self.fail("SQLite -> PostgreSQL -> SQLite changed the dump:\n" + diff)

        # a daemon on the PostgreSQL copy, the same master key file
        self.__class__.daemon = d = Daemon(self.tmp, self.config, database=pg)
        d.start(init=False)
        self.wait_web()
        self.assertEqual(self.failures("bob"), 2)  # counted on SQLite
        # the TOTP step alice spent on SQLite is still spent
        r = self.pam_login("alice", self.spent)
        self.assertEqual((r["result"], r["reason"]), ("denied", "code_reused"), r)
        # a copied seed works: bob's current code
        r = self.pam_login("bob", oathtool(self.bob_secret))
        self.assertEqual((r["result"], r["factor"]), ("success", "totp"), r)
        # the passkey: signs in with a higher count, a regression is refused
        b, resp, data = self.discoverable(self.key)
        self.assertEqual((resp.status, data), (200, {"redirect": "/account"}))
        self.assertIn("Signed in as alice", self.account(b)[0])
        b, resp, data = self.discoverable(self.key, count=1)
        self.assertEqual(resp.status, 403, data)
        # recovery codes, the OIDC client's secret and refresh token, the invitation
        self.assertEqual(d.ok("/v1/user/show", {"user": "alice"})["recovery_codes"], 10)
        r = self.pam_login("alice", self.recovery[0])
        self.assertEqual(r["result"], "success", r)
        e = d.audit("alice")[0]
        self.assertEqual((e["factor"], e["result"]), ("recovery", "success"), e)
        self.assertEqual(d.ok("/v1/user/show", {"user": "alice"})["recovery_codes"], 9)
        r = self.pam_login("alice", self.recovery[0])
        self.assertEqual(r["result"], "denied", r)
        resp, tok = self.token({"grant_type": "refresh_token",
                                "refresh_token": self.tokens["refresh_token"]},
                               auth=("app", self.client_secret))
        self.assertEqual(resp.status, 200, tok)
        resp, info = self.userinfo(tok["access_token"])
        self.assertEqual((resp.status, info["sub"]), (200, "alice"))
        resp, body = self.browser().get(self.invite_path)
        self.assertEqual(resp.status, 200, body)
        self.assertIn('action="/invite"', body)
        # new ids continue after the copied ones (the removed top TOTP id too)
        top_audit = max(r[0] for r in sqlite_rows(self.source, "audit"))
        d.ok("/v1/user/add", {"user": "dave"})
        d.enroll("dave")
        self.assertEqual([t["id"] for t in d.ok("/v1/totp/list", {"user": "dave"})["totp"]],
                         [self.top_totp_id + 1])
        new_audit = [e for e in d.audit("dave")]
        self.assertTrue(new_audit)
        self.assertTrue(all(e["id"] > top_audit for e in new_audit), (top_audit, new_audit))
        d.stop()

        # and back to SQLite once more, after the daemon's writes: verified
        back2 = os.path.join(self.tmp, "back2.db")
        rc, out, err = self.copy(pg, back2, "--json")
        self.assertEqual(rc, 0, out + err)
        for r in json.loads(out)["tables"]:
            rows = sqlite_rows(back2, r["table"])
            self.assertEqual((r["rows"], r["checksum"]), (len(rows), checksum(rows)), r["table"])
        self.assertEqual([r[0] for r in sqlite_rows(back2, "totp") if r[0] > self.top_totp_id],
                         [self.top_totp_id + 1])
        print("\n  populated in %.1f s, copy %.2f s, total %.1f s"
              % (self.populated - self.made, copy_s, time.monotonic() - self.t0), file=sys.stderr)


    # -- refusals: exit status 1 (2 for usage), nothing changed ---------------

    def fresh_pg(self):
        uri = harness.pg_create_database()
        self.addCleanup(harness.pg_drop_database, uri)
        return uri

    def test_b_destination_with_rows(self):
        pg = self.fresh_pg()
        rc, out, err = self.copy(self.source, pg)
        self.assertEqual(rc, 0, out + err)
        state = pg_state(pg)
        self.assertEqual(len(state["users"]), 3)  # alice, bob, carol
        with_pw = pg.replace("sesame@", "sesame:pw-Copy-0815@")  # trust: ignored by the server
        rc, out, err = self.copy(self.source, with_pw)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("nothing copied: the destination is not empty (table users has rows)", err)
        self.assertIn("dbname=" + urllib.parse.urlsplit(pg).path.lstrip("/"), out)
        self.assertNotIn("pw-Copy-0815", out + err)
        self.assertEqual(pg_state(pg), state)
        # one row in a later table is enough (audit, the third)
        pg2 = self.fresh_pg()
        self.assertEqual(ctl("store", "migrate", "--database", pg2)[0], 0)
        cols = [r[0] for r in pg_query(pg2, "SELECT column_name FROM information_schema.columns "
                                            "WHERE table_name = 'audit' ORDER BY ordinal_position")]
        src = sqlite_rows(self.source, "audit")[0]
        conn = pg_connect(pg2)
        try:
            with conn.cursor() as cur:
                cur.execute('INSERT INTO audit (%s) VALUES (%s)'
                            % (", ".join('"%s"' % c for c in cols), ", ".join(["%s"] * len(cols))),
                            src)
        finally:
            conn.close()
        state = pg_state(pg2)
        rc, out, err = self.copy(self.source, pg2)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("table audit has rows", err)
        self.assertEqual(pg_state(pg2), state)
        # an SQLite destination with rows
        dst = os.path.join(self.tmp, "taken.db")
        shutil.copyfile(self.source, dst)
        before = sqlite_dump(dst)
        rc, out, err = self.copy(pg, dst)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("is not empty", err)
        self.assertEqual(sqlite_dump(dst), before)

    def test_c_missing_source(self):
        missing = os.path.join(self.tmp, "missing.db")
        pg = self.fresh_pg()
        rc, out, err = self.copy(missing, pg)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("missing.db: No such file or directory", err)
        self.assertFalse(os.path.exists(missing))
        self.assertEqual(pg_tables(pg), [])  # the destination was not even opened
        # a PostgreSQL database that does not exist: no SQLite file made either
        dst = os.path.join(self.tmp, "never.db")
        gone = pg.rsplit("/", 1)[0] + "/sesame_absent_db?connect_timeout=2"
        rc, out, err = self.copy(gone, dst)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("sesame_absent_db", err)
        self.assertFalse(os.path.exists(dst))

    def test_d_same_database_at_both_ends(self):
        before = sqlite_dump(self.source)
        rc, out, err = self.copy(self.source, self.source)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("--from and --to name the same database", err)
        pg = self.fresh_pg()
        rc, out, err = self.copy(pg, pg)
        self.assertEqual(rc, 2, out + err)
        self.assertEqual(pg_tables(pg), [])
        # the same file under another name: it has rows, refused as such
        other = os.path.join(self.tmp, "..", os.path.basename(self.tmp), "source.db")
        rc, out, err = self.copy(self.source, other)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("is not empty", err)
        self.assertEqual(sqlite_dump(self.source), before)

    def test_e_unknown_table_or_a_failure_midway_commits_nothing(self):
        # a source with a table this version does not know
        extra = os.path.join(self.tmp, "extra.db")
        shutil.copyfile(self.source, extra)
        db = sqlite3.connect(extra)
        db.executescript("CREATE TABLE webhooks (id INTEGER PRIMARY KEY, url TEXT);"
                         "INSERT INTO webhooks (url) VALUES ('https://example.org/h');")
        db.close()
        for dst in (self.fresh_pg(), os.path.join(self.tmp, "from-extra.db")):
            rc, out, err = self.copy(extra, dst)
            self.assertEqual(rc, 1, out + err)
            self.assertIn('the source database has a table "webhooks" that this sesamectl does '
                          'not know', err)
            if dst.startswith("/"):
                self.assertEqual(sum(len(sqlite_rows(dst, t)) for t in sqlite_tables(dst)), 0)
            else:
                self.assertEqual(pg_row_count(dst), 0)
                self.assertNotIn("webhooks", pg_tables(dst))
        # a destination with a table this version does not know
        pg = self.fresh_pg()
        self.assertEqual(ctl("store", "migrate", "--database", pg)[0], 0)
        pg_query(pg, "CREATE TABLE webhooks (id serial PRIMARY KEY, url text)")
        rc, out, err = self.copy(self.source, pg)
        self.assertEqual(rc, 1, out + err)
        self.assertIn('the destination database has a table "webhooks"', err)
        self.assertEqual(pg_row_count(pg), 0)
        # a row PostgreSQL refuses (text that is not UTF-8) in the third
        # table: users and totp were written already, and are not kept
        bad = os.path.join(self.tmp, "bad.db")
        shutil.copyfile(self.source, bad)
        db = sqlite3.connect(bad)
        db.execute("UPDATE audit SET service = CAST(X'ff' AS TEXT) WHERE id = "
                   "(SELECT max(id) FROM audit)")
        db.commit()
        db.close()
        pg = self.fresh_pg()
        rc, out, err = self.copy(bad, pg)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("nothing copied", err)
        self.assertEqual(pg_row_count(pg), 0)
        # (PostgreSQL's setval() is not undone by the rollback: the sequences
        # may stand at the source's marks, which a later copy sets anyway)
        rc, out, err = self.copy(self.source, pg)  # the destination is still usable
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(pg_query(pg, "SELECT count(*) FROM audit"),
                         [(len(sqlite_rows(self.source, "audit")),)])

    # -- store migrate ------------------------------------------------------------

    def test_f_migrate(self):
        pg = self.fresh_pg()
        rc, out, err = ctl("store", "migrate", "--database", pg)
        self.assertEqual(rc, 0, out + err)
        name = urllib.parse.urlsplit(pg).path.lstrip("/")
        self.assertRegex(out, r"^PostgreSQL user=sesame dbname=%s host=127\.0\.0\.1 port=\d+: "
                              r"schema version %d \(current\)\.\n$" % (name, SCHEMA_VERSION))
        self.assertIn("schema at version %d (was 0)" % SCHEMA_VERSION, err)
        self.assertEqual(pg_tables(pg), sorted(TABLES + ["schema_version"]))
        self.assertEqual(pg_query(pg, "SELECT version FROM schema_version"), [(SCHEMA_VERSION,)])
        self.assertEqual(pg_row_count(pg), 0)
        rc, out2, err = ctl("store", "migrate", "--database", pg, "--json")
        self.assertEqual(rc, 0, out2 + err)
        self.assertEqual(json.loads(out2), {"database": out.split(": schema")[0],
                                            "schema_version": SCHEMA_VERSION})
        self.assertNotIn("(was", err)  # current: nothing applied
        # --config: [store] database names it (a password in the URI is never shown)
        pg2 = self.fresh_pg()
        with_pw = pg2.replace("sesame@", "sesame:pw-Hidden-4711@")
        conf = os.path.join(self.tmp, "ctl.conf")
        with open(conf, "w") as f:
            f.write("[store]\ndatabase = %s\n" % with_pw)
        rc, out, err = ctl("--config", conf, "store", "migrate")
        self.assertEqual(rc, 0, out + err)
        self.assertIn(urllib.parse.urlsplit(pg2).path.lstrip("/") + " ", out)
        self.assertNotIn("pw-Hidden-4711", out + err)
        self.assertEqual(pg_query(pg2, "SELECT version FROM schema_version"), [(SCHEMA_VERSION,)])
        self.assertEqual(pg_tables(pg), pg_tables(pg2))
        # a newer schema is refused and left alone
        pg_query(pg2, "UPDATE schema_version SET version = 99")
        rc, out, err = ctl("--config", conf, "store", "migrate")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("database schema version 99 is newer", err)
        self.assertEqual(pg_query(pg2, "SELECT version FROM schema_version"), [(99,)])


def harness_free_port():
    from test_web import free_port
    return free_port()


if __name__ == "__main__":
    unittest.main()
