"""sesame-authd's API against hostile and malformed input, durability,
sealing at rest and start-up checks."""

import base64
import binascii
import os
import socket
import subprocess
import time
import unittest

from harness import AUTHD, PG, Daemon, DaemonTestCase, UnixHTTPConnection, oathtool


class BadInput(DaemonTestCase):
    def assertRefused(self, status, reply, code, expect_status=400):
        self.assertEqual(status, expect_status, reply)
        self.assertEqual(reply["error"], code, reply)
        self.assertIsInstance(reply["message"], str)
        self.assertTrue(reply["message"])

    def test_malformed_bodies_change_nothing(self):
        self.daemon.enroll("alice")
        before = self.daemon.dump()
        cases = [
            (b"{", "bad_json"), (b"[]", "bad_json"), (b"\"x\"", "bad_json"), (b"nul", "bad_json"),
            (b'{"user":"a","user":"b"}', "bad_json"),
            (b'{"user":"a\\u0000b"}', "bad_json"),
            (b"\xff\xfe{}", "bad_json"),
        ]
        for raw, code in cases:
            status, reply = self.daemon.call("/v1/totp/enroll", None, raw=raw)
            self.assertRefused(status, reply, code)
        bad_names = ["", "a/b", "../x", "a b", "a\tb", "a\nb", "\x01", "-x", "é", "a" * 65, "a:b"]
        for path, extra in [("/v1/totp/enroll", {}), ("/v1/totp/confirm", {"code": "1"}),
                            ("/v1/user/unlock", {}), ("/v1/pam/start", {"service": "s"}),
                            ("/v1/user/show", {}), ("/v1/audit", {})]:
            for name in bad_names:
                status, reply = self.daemon.call(path, dict(extra, user=name))
                self.assertRefused(status, reply, "bad_username")
        wrong_types = [
            ("/v1/totp/enroll", {"user": 1}), ("/v1/totp/enroll", {"user": None}),
            ("/v1/totp/enroll", {"user": ["alice"]}), ("/v1/totp/enroll", {"user": "alice", "digits": "6"}),
            ("/v1/totp/enroll", {"user": "alice", "digits": 9}), ("/v1/totp/enroll", {"user": "alice", "digits": 6.0}),
            ("/v1/totp/enroll", {"user": "alice", "algorithm": "MD5"}),
            ("/v1/totp/enroll", {"user": "alice", "name": "x\u0007"}),
            ("/v1/totp/enroll", {"user": "alice", "extra": True}),
            ("/v1/totp/confirm", {"user": "alice"}), ("/v1/totp/confirm", {"user": "alice", "code": 123456}),
            ("/v1/totp/remove", {"user": "alice", "id": "1"}), ("/v1/totp/remove", {"user": "alice", "id": 0}),
            ("/v1/pam/start", {"user": "alice"}), ("/v1/pam/start", {"user": "alice", "service": "s", "nullok": 1}),
            ("/v1/pam/start", {"user": "alice", "service": "s", "rhost": "a\nb"}),
            ("/v1/pam/start", {"user": "alice", "service": "s" * 65}),
            ("/v1/pam/continue", {"txn": "x", "answer": 5}), ("/v1/pam/continue", {"answer": "1"}),
            ("/v1/pam/continue", {"txn": "AAAA", "answer": "123456"}),
            ("/v1/pam/continue", {"txn": "x" * 2000, "answer": "123456"}),
            ("/v1/audit", {"limit": 0}), ("/v1/audit", {"limit": 10001}), ("/v1/audit", {"user": 3}),
        ]
        for path, body in wrong_types:
            status, reply = self.daemon.call(path, body)
            self.assertRefused(status, reply, "invalid_argument")
        self.assertEqual(before, self.daemon.dump())

    def test_oversized_bodies_get_413_before_parsing(self):
        # declared length over the bound: refused without reading the body
        conn = UnixHTTPConnection(self.daemon.socket)
        conn.putrequest("POST", "/v1/totp/enroll")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(10 * 1024 * 1024))
        conn.endheaders()
        resp = conn.getresponse()
        self.assertEqual(resp.status, 413)
        conn.close()
        # a chunked body that grows over the bound
        status, reply = self.daemon.call("/v1/totp/enroll", None, raw=iter([b"{" + b" " * 70000 + b"}"]),
                                         headers={"Transfer-Encoding": "chunked"})
        self.assertEqual(status, 413, reply)
        self.assertEqual(reply["error"], "too_large")
        # a whole body just over the bound: the daemon may answer and close
        # before the client has sent it all
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(self.daemon.socket)
        body = b"{" + b" " * 65536 + b"}"
        try:
            sock.sendall(b"POST /v1/totp/enroll HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        head = sock.recv(4096)
        sock.close()
        self.assertTrue(head.startswith(b"HTTP/1.1 413"), head[:100])
        # the daemon is still fine
        self.assertEqual(self.daemon.call("/v1/health", {})[0], 200)

    def test_unknown_path_and_method(self):
        status, reply = self.daemon.call("/v1/nope", {})
        self.assertRefused(status, reply, "not_found", 404)
        status, reply = self.daemon.call("/v1/health", None, raw=b"", method="GET")
        self.assertRefused(status, reply, "invalid_argument", 400)

    def test_confirm_without_pending_and_wrong_code(self):
        status, reply = self.daemon.call("/v1/totp/confirm", {"user": "zed", "code": "123456"})
        self.assertRefused(status, reply, "conflict", 409)
        reply = self.daemon.ok("/v1/totp/enroll", {"user": "zed"})
        status, reply = self.daemon.call("/v1/totp/confirm", {"user": "zed", "code": "000000x"})
        self.assertRefused(status, reply, "wrong_code")
        status, reply = self.daemon.call("/v1/totp/remove", {"user": "zed", "id": 999})
        self.assertRefused(status, reply, "not_found", 404)


class Storage(DaemonTestCase):
    def test_seed_is_sealed_in_every_encoding(self):
        secret = self.daemon.enroll("sealed")
        raw = base64.b32decode(secret + "=" * (-len(secret) % 8))
        needles = [raw, secret.encode(), secret.lower().encode(), binascii.hexlify(raw),
                   binascii.hexlify(raw).upper(), base64.b64encode(raw).rstrip(b"="),
                   base64.urlsafe_b64encode(raw).rstrip(b"=")]
        data = self.daemon.stored_bytes()
        for n in needles:
            self.assertNotIn(n, data, n)

    def test_sealed_seed_is_bound_to_its_user(self):
        """Moving a sealed seed to another user's row must not make it usable."""
        a = self.daemon.enroll("owner")
        self.daemon.enroll("thief")
        self.daemon.sql("UPDATE totp SET seed = (SELECT seed FROM totp t JOIN users u ON u.id = t.user_id"
                        " WHERE u.name = 'owner') WHERE user_id = (SELECT id FROM users WHERE name = 'thief')")
        status, reply = self.daemon.call("/v1/pam/start", {"user": "thief", "service": "s"})
        txn = reply["txn"]
        status, reply = self.daemon.call("/v1/pam/continue", {"txn": txn, "answer": oathtool(a)})
        self.assertEqual(reply["result"], "unavailable", reply)

    def test_acknowledged_enrollment_survives_kill_9(self):
        reply = self.daemon.ok("/v1/totp/enroll", {"user": "durable"})
        self.daemon.kill9()
        self.daemon.start(init=False)
        listed = self.daemon.ok("/v1/totp/list", {"user": "durable"})["totp"]
        self.assertEqual([t["id"] for t in listed], [reply["id"]])
        secret = reply["otpauth_uri"].split("secret=")[1].split("&")[0]
        self.daemon.ok("/v1/totp/confirm", {"user": "durable", "code": oathtool(secret)})
        self.daemon.kill9()
        self.daemon.start(init=False)
        listed = self.daemon.ok("/v1/totp/list", {"user": "durable"})["totp"]
        self.assertTrue(listed[0]["confirmed"])

    def test_audit_events_hold_no_secrets(self):
        secret = self.daemon.enroll("quiet")
        code = oathtool(secret, offset=30)
        txn = self.daemon.ok("/v1/pam/start", {"user": "quiet", "service": "s", "rhost": "192.0.2.1"})["txn"]
        self.assertEqual(self.daemon.ok("/v1/pam/continue", {"txn": txn, "answer": code})["result"], "success")
        events = self.daemon.audit("quiet")
        self.assertEqual(events[0]["rhost"], "192.0.2.1")
        text = str(events) + self.daemon.read_log()
        for s in [code, secret, txn]:
            self.assertNotIn(s, text)


@unittest.skipIf(PG, "SQLite's write-ahead log file")
class Checkpoints(DaemonTestCase):
    config = "[throttle]\nmax_failures = 1000\naccount_max_failures = 0\n"

    def test_write_ahead_log_stays_bounded(self):
        """Thousands of recorded failures must be checkpointed into the
        database, not pile up in the WAL (each would slow every read)."""
        self.daemon.enroll("busy")
        for _ in range(900):
            txn = self.daemon.ok("/v1/pam/start", {"user": "busy", "service": "s"})["txn"]
            self.daemon.ok("/v1/pam/continue", {"txn": txn, "answer": "x"})
        wal = os.path.getsize(self.daemon.database + "-wal")
        self.assertLess(wal, 9 * 1024 * 1024, "WAL of %d bytes" % wal)
        self.assertGreater(os.path.getsize(self.daemon.database), 64 * 1024)  # pages reached the db
        self.assertEqual(len(self.daemon.audit("busy")), 902)  # 900 denials, enroll, confirm


class StartUp(unittest.TestCase):
    def setUp(self):
        import tempfile
        if not AUTHD:
            raise unittest.SkipTest("SESAME_AUTHD is not set")
        self.tmp = tempfile.mkdtemp(prefix="sesame-start.")

    def tearDown(self):
        import shutil
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_authd(self, *args):
        return subprocess.run([AUTHD] + list(args), capture_output=True, text=True, timeout=10)

    def test_missing_master_key_is_refused_with_advice(self):
        key = os.path.join(self.tmp, "k")
        p = self.run_authd("--socket", os.path.join(self.tmp, "s"), "--database",
                           os.path.join(self.tmp, "d"), "--master-key", key)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("sesamectl keygen " + key, p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "d")))

    def test_loose_key_permissions_are_refused(self):
        d = Daemon(self.tmp).start()
        d.stop()
        os.chmod(d.key, 0o644)
        p = self.run_authd("--socket", d.socket, "--database", d.database, "--master-key", d.key)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("chmod 600", p.stderr)

    def test_wrong_master_key_cannot_read_seeds(self):
        d = Daemon(self.tmp).start()
        secret = d.enroll("alice")
        d.stop()
        os.unlink(d.key)
        d.start(init=True)  # a new, different key
        txn = d.ok("/v1/pam/start", {"user": "alice", "service": "s"})["txn"]
        self.assertEqual(d.ok("/v1/pam/continue", {"txn": txn, "answer": oathtool(secret)})["result"],
                         "unavailable")
        d.stop()

    def test_config_errors_name_file_and_line(self):
        conf = os.path.join(self.tmp, "bad.conf")
        for text, needle in [("[authd]\nfrobnicate = 1\n", "bad.conf:2: unknown setting"),
                             ("[totp]\ndigits = 9\n", "bad.conf:2: invalid value for totp.digits"),
                             ("[throttle]\nbase_delay = 60\nmax_delay = 30\n", "max_delay"),
                             ("[authd\n", "bad.conf:1: syntax error")]:
            with open(conf, "w") as f:
                f.write(text)
            p = self.run_authd("--config", conf, "--check-config")
            self.assertNotEqual(p.returncode, 0, text)
            self.assertIn(needle, p.stderr)
        p = self.run_authd("--config", os.path.join(self.tmp, "missing.conf"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("missing.conf", p.stderr)

    @unittest.skipUnless(PG, "a PostgreSQL connection string")
    def test_conninfo_and_uri_reach_the_same_store(self):
        """--database takes a libpq key=value string as well as a URI."""
        import psycopg2.extensions
        d = Daemon(self.tmp)
        uri = d.database
        d.database = " ".join("%s=%s" % kv for kv in psycopg2.extensions.parse_dsn(uri).items())
        self.assertNotIn("://", d.database)
        d.start()
        self.assertIn("database PostgreSQL", d.read_log())
        d.enroll("kv")
        d.stop()
        d.database = uri
        d.start(init=False)
        self.assertTrue(d.ok("/v1/totp/list", {"user": "kv"})["totp"][0]["confirmed"])
        d.stop()
        d.drop()

    def test_a_live_socket_is_not_taken_over(self):
        d = Daemon(self.tmp).start()
        try:
            p = self.run_authd("--socket", d.socket, "--database", os.path.join(self.tmp, "other.db"),
                               "--master-key", d.key)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("already listening", p.stderr)
            self.assertEqual(d.call("/v1/health", {})[0], 200)
        finally:
            d.stop()

    def test_help_and_version(self):
        p = self.run_authd("--help")
        self.assertEqual(p.returncode, 0)
        for opt in ["--config", "--socket", "--database", "--master-key", "--init"]:
            self.assertIn(opt, p.stdout)
        self.assertEqual(self.run_authd("--bogus").returncode, 2)


if __name__ == "__main__":
    unittest.main()
