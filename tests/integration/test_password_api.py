"""/v1/password/check against a real daemon: the policy's answers, bounds,
permissions and rate, admin lists, the offline breach filter (built by
sesamectl breach import, replaced without a restart) and the online range
check against a local HTTP server speaking the k-anonymity protocol."""

import hashlib
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from harness import AUTHD, SESAMECTL, Daemon, DaemonTestCase

STRONG = "violet-tractor-quantum-harbor-97"


def check(daemon, password, **fields):
    status, reply = daemon.call("/v1/password/check", dict(fields, password=password))
    if status != 200:
        raise AssertionError("%d %s" % (status, reply))
    return reply


def codes(reply):
    return [r["code"] for r in reply["reasons"]]


class Policy(DaemonTestCase):
    def test_strong_passphrase_is_accepted(self):
        reply = check(self.daemon, STRONG, user="alice", service="passwd")
        self.assertTrue(reply["accepted"], reply)
        self.assertEqual(reply["reasons"], [])
        self.assertGreaterEqual(reply["score"], 3)
        self.assertEqual(reply["length"], len(STRONG))

    def test_weak_password_is_refused_with_reasons_and_never_echoed(self):
        reply = check(self.daemon, "dragon123", user="alice", service="passwd")
        self.assertFalse(reply["accepted"])
        self.assertIn("too_short", codes(reply))
        self.assertIn("common", codes(reply))
        for r in reply["reasons"]:
            self.assertTrue(r["message"].endswith("."), r)
        self.assertTrue(reply["hint"])
        self.assertNotIn("dragon", json.dumps(reply).lower())
        event = self.daemon.audit("alice")[0]
        self.assertEqual((event["factor"], event["result"]), ("password", "refused"))
        self.assertNotIn("dragon", (str(self.daemon.audit()) + self.daemon.read_log()).lower())

    def test_context_old_password_and_bound(self):
        self.assertIn("context", codes(check(self.daemon, "Alice2024!Alice2024!", user="alice")))
        old = "Summer-Holidays-In-Lisbon-2023!"
        self.assertIn("same_as_old", codes(check(self.daemon, "Summer-Holidays-In-Lisbon-2024!",
                                                 user="alice", old_password=old)))
        self.assertTrue(check(self.daemon, STRONG, user="alice", old_password=old)["accepted"])
        self.assertEqual(codes(check(self.daemon, "a" * 1025)), ["input_too_large"])
        reply = check(self.daemon, "é" * 512)  # 1024 bytes, 512 code points: over max_length
        self.assertIn("too_long", codes(reply))

    def test_malformed_requests(self):
        for raw in [b'{"password": 5}', b'{"password": "x", "old_password": 1}', b'{"pass": "x"}',
                    b'{"password": "x", "user": "a/b"}', b'{"password": "\xff\xfe"}',
                    b'{"password": "a\\u0000b"}']:
            status, reply = self.daemon.call("/v1/password/check", None, raw=raw)
            self.assertEqual(status, 400, (raw, reply))

    def test_non_root_may_check_only_for_itself_and_is_rate_limited(self):
        here = os.path.dirname(os.path.abspath(__file__))
        script = ("import sys, json; sys.path.insert(0, %r); import harness;"
                  "d = harness.Daemon.__new__(harness.Daemon); d.socket = %r;"
                  "out = [d.call('/v1/password/check', {'password': 'x', 'user': 'root'})[0],"
                  "       d.call('/v1/password/check', {'password': 'x'})[0]];"
                  "out += [d.call('/v1/password/check', {'password': 'x'})[0] for _ in range(60)];"
                  "print(json.dumps(out))" % (here, self.daemon.socket))
        out = json.loads(subprocess.check_output(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/python3",
             "-c", script], text=True))
        self.assertEqual(out[0], 403)
        self.assertEqual(out[1], 200)
        self.assertIn(429, out[2:])  # burst of 40, then 20 a second
        self.assertEqual(check(self.daemon, "x")["accepted"], False)  # root is not limited


class AdminLists(unittest.TestCase):
    def setUp(self):
        if not AUTHD:
            self.skipTest("SESAME_AUTHD is not set")
        self.tmp = tempfile.mkdtemp(prefix="sesame-pwlist.")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_admin_list_refuses_and_a_missing_list_stops_the_daemon(self):
        banned = os.path.join(self.tmp, "banned.txt")
        with open(banned, "w") as f:
            f.write("# local list\r\nnorthwind-trading-company\r\n\r\n")
        d = Daemon(self.tmp, "[password]\nlist = %s\n" % banned).start()
        try:
            self.assertIn("common", codes(check(d, "northwind-trading-company")))
            self.assertTrue(check(d, STRONG)["accepted"])
        finally:
            d.stop()
        missing = os.path.join(self.tmp, "missing.txt")
        with open(d.conf, "w") as f:
            f.write("[authd]\nsocket_mode = 0666\n[password]\nlist = %s\n" % missing)
        p = subprocess.run([AUTHD, "--config", d.conf, "--socket", d.socket, "--database", d.database,
                            "--master-key", d.key], capture_output=True, text=True, timeout=10)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(missing, p.stderr)


class BreachFilter(unittest.TestCase):
    def setUp(self):
        if not AUTHD or not SESAMECTL:
            self.skipTest("SESAME_AUTHD or SESAMECTL is not set")
        self.tmp = tempfile.mkdtemp(prefix="sesame-breach.")
        os.chmod(self.tmp, 0o755)
        self.filter = os.path.join(self.tmp, "breach.filter")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def import_list(self, lines, plain):
        path = os.path.join(self.tmp, "list.txt")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(path, 0o644)
        args = [SESAMECTL, "breach", "import", path, "--output", self.filter]
        if plain:
            args.append("--plain")
        p = subprocess.run(args, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_breached_passwords_are_refused_and_a_new_filter_is_picked_up(self):
        first = "maroon-bicycle-lantern-orchid-58"
        second = "silver-kettle-meadow-canyon-74"
        # HIBP format: SHA1HEX:COUNT
        self.import_list(["%s:%d" % (hashlib.sha1(first.encode()).hexdigest().upper(), 3)] +
                         ["%040X:1" % i for i in range(1, 5000)], plain=False)
        d = Daemon(self.tmp, "[password]\nbreach_filter = %s\n" % self.filter).start()
        try:
            self.assertIn("breached", codes(check(d, first)))
            self.assertTrue(check(d, second)["accepted"])
            self.import_list([second, "another-entry-1", "another-entry-2"], plain=True)
            time.sleep(1.5)  # reloaded within a second of the change, without a restart
            self.assertIn("breached", codes(check(d, second)))
            self.assertTrue(check(d, first)["accepted"])
        finally:
            d.stop()
        os.unlink(self.filter)
        p = subprocess.run([AUTHD, "--config", d.conf, "--socket", d.socket, "--database", d.database,
                            "--master-key", d.key], capture_output=True, text=True, timeout=10)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(self.filter, p.stderr)


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """The HIBP range API: GET PREFIX -> SUFFIX:COUNT lines, padded."""
    listed = {}
    headers_seen = []

    def do_GET(self):
        RangeHandler.headers_seen.append(dict(self.headers))
        prefix = self.path.rsplit("/", 1)[-1].upper()
        if len(prefix) != 5:
            self.send_error(400)
            return
        lines = ["%s:%d" % (h[5:], n) for h, n in self.listed.items() if h.startswith(prefix)]
        lines += ["%035X:0" % i for i in range(20)]  # padding
        body = "\r\n".join(lines).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class OnlineRange(unittest.TestCase):
    def setUp(self):
        if not AUTHD:
            self.skipTest("SESAME_AUTHD is not set")
        self.tmp = tempfile.mkdtemp(prefix="sesame-range.")
        self.listed = "teal-parachute-violin-glacier-33"
        RangeHandler.listed = {hashlib.sha1(self.listed.encode()).hexdigest().upper(): 12}
        RangeHandler.headers_seen = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/range/" % self.server.server_address[1]

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def daemon(self, failure, url=None):
        return Daemon(self.tmp, "[password]\nonline = yes\nonline_url = %s\nonline_timeout = 1\n"
                      "online_failure = %s\n" % (url or self.url, failure)).start()

    def test_listed_refused_unlisted_accepted_only_the_prefix_sent(self):
        d = self.daemon("closed")
        try:
            self.assertIn("breached", codes(check(d, self.listed)))
            self.assertTrue(check(d, STRONG)["accepted"])
        finally:
            d.stop()
        self.assertTrue(RangeHandler.headers_seen)
        self.assertTrue(all(h.get("Add-Padding") == "true" for h in RangeHandler.headers_seen))

    def test_unreachable_server_fails_closed_or_open_as_configured(self):
        down = "http://127.0.0.1:9/range/"  # discard port: nothing listens
        d = self.daemon("closed", down)
        try:
            self.assertIn("breach_check_unavailable", codes(check(d, STRONG)))
        finally:
            d.stop()
        os.unlink(d.conf)
        d = self.daemon("open", down)
        try:
            self.assertTrue(check(d, STRONG)["accepted"])
        finally:
            d.stop()


if __name__ == "__main__":
    unittest.main()
