"""Throttling per source (client address) against password spraying, with
a real sesame-authd: failures from one address across many accounts (PAM
codes, web passwords, unknown passkeys) make that address wait, while the
accounts' own counters stay low and other addresses, local callers and
loopback pass; a success does not forgive the source, a quiet window does
(the row aged in the real database); the wait survives a restart;
`sesamectl source show|unlock`."""

import json
import subprocess
import time
import unittest

from harness import SESAMECTL, DaemonTestCase, oathtool, wrong_code
from test_web import STRONG, WebCase, csrf_of
from test_web_passkey import PasskeyCase, SoftKey

SPRAY = "203.0.113.5"
FROM_ADDRESS = "Too many failed attempts from your address"


class SourceCase(DaemonTestCase):
    config = ("[throttle]\nmax_failures = 100\nsource_max_failures = 3\n"
              "source_base_delay = 60\nsource_max_delay = 600\n")

    def attempt(self, user, code, rhost):
        txn = self.daemon.ok("/v1/pam/start", {"user": user, "service": "sshd", "rhost": rhost})["txn"]
        return self.daemon.ok("/v1/pam/continue", {"txn": txn, "answer": code})

    def failures(self, user):
        return self.daemon.ok("/v1/user/show", {"user": user})["failures"]

    def source(self, address):
        return self.daemon.ok("/v1/source/show", {"address": address})


class Source(SourceCase):
    def test_spraying_locks_the_address_not_the_accounts(self):
        secrets = {u: self.daemon.enroll(u) for u in ("sa", "sb", "sc")}
        r = self.attempt("sa", wrong_code(secrets["sa"]), SPRAY)
        self.assertEqual(r["result"], "denied")
        self.attempt("nosuchuser", "123456", SPRAY)  # unknown accounts count too
        r = self.attempt("sb", wrong_code(secrets["sb"]), SPRAY)
        self.assertIn(FROM_ADDRESS, r["message"])
        self.assertEqual(r["wait"], 60)
        # the right code of a third account: refused, nothing verified or counted
        r = self.attempt("sc", oathtool(secrets["sc"]), SPRAY)
        self.assertEqual(r["result"], "denied")
        self.assertIn(FROM_ADDRESS, r["message"])
        self.assertEqual([self.failures(u) for u in ("sa", "sb", "sc")], [1, 1, 0])
        ev = self.daemon.audit("sc")[0]
        self.assertEqual((ev["result"], ev["reason"], ev["rhost"]), ("denied", "source_locked", SPRAY))
        show = self.source(SPRAY)
        self.assertEqual((show["source"], show["failures"]), (SPRAY, 3))
        self.assertTrue(55 <= show["wait"] <= 60, show)
        # another address, a local caller and loopback are not held back
        self.assertEqual(self.attempt("sc", oathtool(secrets["sc"]), "203.0.113.6")["result"], "success")
        for rhost in ("", "127.0.0.1", "::1", "localhost"):
            for _ in range(4):
                self.attempt("nosuchuser", "123456", rhost)
        self.assertEqual(self.attempt("sc", oathtool(secrets["sc"], offset=30), "")["result"], "success")
        # the wait survives a restart
        self.daemon.stop()
        self.daemon.start(init=False)
        r = self.attempt("sa", oathtool(secrets["sa"]), SPRAY)
        self.assertIn(FROM_ADDRESS, r["message"])
        # the administrator forgives the address
        self.daemon.ok("/v1/source/unlock", {"address": SPRAY})
        self.assertEqual(self.source(SPRAY)["failures"], 0)
        self.assertEqual(self.attempt("sa", oathtool(secrets["sa"]), SPRAY)["result"], "success")
        events = [(e["factor"], e["reason"], e["rhost"]) for e in self.daemon.ok("/v1/audit", {})["events"]]
        self.assertIn(("source", "unlock", SPRAY), events)

    def test_ipv6_by_64_success_does_not_forgive_a_quiet_window_does(self):
        secret = self.daemon.enroll("v6")
        self.attempt("v6", wrong_code(secret), "2001:db8:5:6::1")
        self.attempt("v6", wrong_code(secret), "2001:db8:5:6:ffff::2")
        self.assertEqual(self.attempt("v6", oathtool(secret), "2001:db8:5:6::3")["result"], "success")
        self.assertEqual(self.source("2001:db8:5:6::9")["source"], "2001:db8:5:6::/64")
        r = self.attempt("v6", wrong_code(secret), "2001:db8:5:6::4")  # the third: waits
        self.assertIn(FROM_ADDRESS, r["message"])
        self.assertEqual(self.attempt("v6", oathtool(secret, offset=30), "2001:db8:5:7::1")["result"],
                         "success")  # the next /64
        # a window without failures forgives: the row aged in the database
        self.daemon.sql("UPDATE sources SET last_failure = ?, locked_until = 0 WHERE source = ?",
                        (int(time.time()) - 3700, "2001:db8:5:6::/64"))
        r = self.attempt("v6", wrong_code(secret), "2001:db8:5:6::1")
        self.assertNotIn(FROM_ADDRESS, r["message"])
        self.assertEqual(self.source("2001:db8:5:6::1")["failures"], 1)

    @unittest.skipUnless(SESAMECTL, "SESAMECTL is not set")
    def test_sesamectl_and_api_checks(self):
        self.attempt("nobody-here", "123456", "198.51.100.77")
        p = subprocess.run([SESAMECTL, "--socket", self.daemon.socket, "source", "show", "198.51.100.77"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Failures:      1", p.stdout)
        p = subprocess.run([SESAMECTL, "--socket", self.daemon.socket, "--json", "source", "unlock",
                            "198.51.100.77"], capture_output=True, text=True)
        self.assertEqual(json.loads(p.stdout)["unlocked"], True)
        p = subprocess.run([SESAMECTL, "--socket", self.daemon.socket, "source", "show", "127.0.0.1"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("never throttled", p.stderr)
        for body in ({}, {"address": ""}, {"address": "a\nb"}, {"address": "x" * 300},
                     {"address": "192.0.2.1", "more": 1}):
            status, _ = self.daemon.call("/v1/source/show", body)
            self.assertEqual(status, 400, body)


class SourceOff(SourceCase):
    config = "[throttle]\nmax_failures = 100\nsource_max_failures = 0\n"

    def test_off(self):
        for _ in range(10):
            self.attempt("nosuchuser", "123456", SPRAY)
        secret = self.daemon.enroll("off")
        self.assertEqual(self.attempt("off", oathtool(secret), SPRAY)["result"], "success")


class SourceWeb(WebCase):
    web_config = "trusted_proxy = 127.0.0.1\n[throttle]\nsource_max_failures = 3\n"

    def test_web_passwords_count_per_address(self):
        self.add_user("wanda")
        b = self.browser()
        resp, body = b.get("/login")
        csrf = csrf_of(body)
        hdr = {"X-Forwarded-For": "198.51.100.30"}
        for user in ("u1", "wanda", "u3"):
            resp, body = b.post("/login", {"user": user, "password": "not-it", "csrf": csrf}, headers=hdr)
            self.assertEqual(resp.status, 200, body)
        resp, body = b.post("/login", {"user": "wanda", "password": STRONG, "csrf": csrf}, headers=hdr)
        self.assertEqual(resp.status, 429, body)
        self.assertIn("Too many failed attempts", body)
        self.assertEqual(self.daemon.audit("wanda")[0]["reason"], "source_locked")
        resp, body = b.post("/login", {"user": "wanda", "password": STRONG, "csrf": csrf},
                            headers={"X-Forwarded-For": "198.51.100.31"})
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/login/code"), body)



class SourcePasskey(PasskeyCase):
    web_config = "trusted_proxy = 127.0.0.1\n[throttle]\nsource_max_failures = 3\n"

    def verify(self, key, source):
        b, token, opts = self.login_options()
        return self.post_json(b, "/webauthn/login/verify", key.get(opts, self.origin), token,
                              headers={"X-Forwarded-For": source})

    def test_unknown_passkeys_count_per_address(self):
        _, _, key = self.user_with_passkey("petra")
        stranger = SoftKey()  # never registered: nobody to count it against but the address
        for _ in range(3):
            resp, data = self.verify(stranger, "198.51.100.40")
            self.assertEqual(resp.status, 403, data)
        resp, data = self.verify(key, "198.51.100.40")
        self.assertEqual(resp.status, 429, data)
        self.assertEqual(data.get("error"), "locked", data)
        ev = self.daemon.ok("/v1/audit", {})["events"][0]  # before any verification: no user yet
        self.assertEqual((ev["factor"], ev["reason"], ev["rhost"]),
                         ("passkey", "source_locked", "198.51.100.40"))
        resp, data = self.verify(key, "198.51.100.41")
        self.assertEqual((resp.status, data), (200, {"redirect": "/account"}))


if __name__ == "__main__":
    unittest.main()
