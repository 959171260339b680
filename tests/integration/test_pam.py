"""pam_sesame.so against a real sesame-authd, driven by pamtester and
pypamtest through pam_wrapper (private service directory)."""

import os
import subprocess
import time
import unittest

from harness import (PAM_AUTH_ERR, PAM_AUTHINFO_UNAVAIL, PAM_GET_ITEMS, PAM_PERM_DENIED,
                     PAM_PERMIT, PAM_SUCCESS, PAM_MODULE, DaemonTestCase, oathtool, pypamtest,
                     wrong_code)

UNAVAILABLE = "Authentication service unavailable"


class TotpLogin(DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.svc = "login-test"

    def setUp(self):
        self.pam.service(self.svc, [self.module_line("auth"), self.module_line("account")])

    def test_right_code_passes_and_is_audited_without_the_code(self):
        secret = self.daemon.enroll("alice")
        code = oathtool(secret)
        rc, out = self.pam.pamtester(self.svc, "alice", [code], "authenticate", "acct_mgmt")
        self.assertEqual(rc, 0, out)
        self.assertIn("Verification code: ", out)
        self.assertIn("successfully authenticated", out)
        events = self.daemon.audit("alice")
        self.assertEqual(events[0]["result"], "success")
        self.assertEqual(events[0]["service"], self.svc)
        self.assertEqual(events[0]["factor"], "totp")
        for e in events:
            self.assertNotIn(code, str(e))
        self.assertNotIn(code, self.daemon.read_log())
        self.assertNotIn(secret, self.daemon.read_log())

    def test_wrong_code_fails(self):
        secret = self.daemon.enroll("bob")
        rc, out = self.pam.pamtester(self.svc, "bob", [wrong_code(secret)])
        self.assertNotEqual(rc, 0)
        self.assertIn("Wrong verification code.", out)
        self.assertIn("Authentication failure", out)
        self.assertEqual(self.daemon.audit("bob")[0]["reason"], "wrong_code")

    def test_non_digits_empty_and_long_answers_fail(self):
        secret = self.daemon.enroll("bob2")
        for answer in ["abcdef", "", "1" * 300, oathtool(secret) + "0", " " + oathtool(secret)]:
            res = pypamtest(self.pam, self.svc, "bob2", [("authenticate", PAM_AUTH_ERR)], [answer])
            self.assertTrue(res["ok"], (answer[:20], res))

    def test_replayed_code_fails_also_after_restart(self):
        secret = self.daemon.enroll("carol")
        code = oathtool(secret, offset=30)  # the next step, accepted with window 1
        self.assertEqual(self.pam.pamtester(self.svc, "carol", [code])[0], 0)
        rc, out = self.pam.pamtester(self.svc, "carol", [code])
        self.assertNotEqual(rc, 0)
        self.assertIn("already used", out)
        # an older step than the last accepted one is refused too
        rc, out = self.pam.pamtester(self.svc, "carol", [oathtool(secret, offset=-30)])
        self.assertNotEqual(rc, 0)
        self.daemon.stop()
        self.daemon.start(init=False)
        rc, out = self.pam.pamtester(self.svc, "carol", [code])
        self.assertNotEqual(rc, 0, out)
        self.assertIn("already used", out)

    def test_pending_credential_never_passes(self):
        secret = self.daemon.enroll("dave", confirm=False)
        res = pypamtest(self.pam, self.svc, "dave", [("authenticate", PAM_AUTH_ERR)], [oathtool(secret)])
        self.assertTrue(res["ok"], res)

    def test_unknown_user_is_asked_then_denied(self):
        rc, out = self.pam.pamtester(self.svc, "nobody-here", ["123456"])
        self.assertNotEqual(rc, 0)
        self.assertIn("Verification code: ", out)  # enrollment is not revealed
        self.assertIn("Authentication failure", out)

    def test_oathtool_codes_for_every_algorithm_and_length(self):
        for i, (alg, digits) in enumerate([("SHA1", 8), ("SHA256", 6), ("SHA256", 8),
                                           ("SHA512", 6), ("SHA512", 8)]):
            user = "algo%d" % i
            secret = self.daemon.enroll(user, alg, digits)
            bad = wrong_code(secret, alg, digits)
            res = pypamtest(self.pam, self.svc, user, [("authenticate", PAM_AUTH_ERR)], [bad])
            self.assertTrue(res["ok"], (alg, digits, res))
            res = pypamtest(self.pam, self.svc, user, [("authenticate", PAM_SUCCESS), ("account", PAM_SUCCESS)],
                            [oathtool(secret, alg, digits)])
            self.assertTrue(res["ok"], (alg, digits, res))

    def test_hostile_user_names_are_refused_without_asking(self):
        for name in ["../etc", "a b", "x\ty", "-rf", "é", "a" * 65]:
            res = pypamtest(self.pam, self.svc, name, [("authenticate", PAM_SUCCESS)], ["123456"])
            self.assertFalse(res["ok"], name)

    def test_pypamtest_success_and_failure_codes(self):
        secret = self.daemon.enroll("erin")
        res = pypamtest(self.pam, self.svc, "erin", [("authenticate", PAM_AUTH_ERR)], [wrong_code(secret)])
        self.assertTrue(res["ok"], res)
        self.assertIn("Wrong verification code.", res["errors"])
        res = pypamtest(self.pam, self.svc, "erin",
                        [("authenticate", PAM_SUCCESS), ("account", PAM_SUCCESS), ("setcred", PAM_SUCCESS)],
                        [oathtool(secret)])
        self.assertTrue(res["ok"], res)


class NullOk(DaemonTestCase):
    def test_user_without_factor_passes_only_with_nullok(self):
        self.pam.service("strict", [self.module_line("auth")])
        self.pam.service("rollout", [self.module_line("auth", "nullok")])
        res = pypamtest(self.pam, "strict", "frank", [("authenticate", PAM_AUTH_ERR)], ["123456"])
        self.assertTrue(res["ok"], res)
        res = pypamtest(self.pam, "rollout", "frank", [("authenticate", PAM_SUCCESS)], [])
        self.assertTrue(res["ok"], res)
        self.assertEqual(self.daemon.audit("frank")[0]["reason"], "nullok")

    def test_nullok_does_not_excuse_an_enrolled_user(self):
        self.pam.service("rollout", [self.module_line("auth", "nullok")])
        secret = self.daemon.enroll("gina")
        res = pypamtest(self.pam, "rollout", "gina", [("authenticate", PAM_AUTH_ERR)], [wrong_code(secret)])
        self.assertTrue(res["ok"], res)
        res = pypamtest(self.pam, "rollout", "gina", [("authenticate", PAM_SUCCESS)], [oathtool(secret)])
        self.assertTrue(res["ok"], res)


class OtpSuffix(DaemonTestCase):
    """One secret field (XMPP, mail): password+code; the code is cut off
    and the password handed on in PAM_AUTHTOK."""

    def setUp(self):
        self.pam.service("xmpp", [self.module_line("auth", "otp_suffix"),
                                  "auth required %s" % PAM_GET_ITEMS])

    def test_suffix_is_verified_and_password_handed_on(self):
        secret = self.daemon.enroll("hank")
        res = pypamtest(self.pam, "xmpp", "hank", [("authenticate", PAM_SUCCESS), ("getenvlist", PAM_SUCCESS)],
                        ["s3cret-pw" + oathtool(secret)])
        self.assertTrue(res["ok"], res)
        self.assertEqual(res["env"].get("PAM_AUTHTOK"), "s3cret-pw")

    def test_wrong_suffix_fails(self):
        secret = self.daemon.enroll("ivan")
        res = pypamtest(self.pam, "xmpp", "ivan", [("authenticate", PAM_AUTH_ERR)],
                        ["s3cret-pw" + wrong_code(secret)])
        self.assertTrue(res["ok"], res)
        res = pypamtest(self.pam, "xmpp", "ivan", [("authenticate", PAM_AUTH_ERR)], ["12"])
        self.assertTrue(res["ok"], res)

    def test_eight_digit_suffix(self):
        secret = self.daemon.enroll("jack", "SHA256", 8)
        res = pypamtest(self.pam, "xmpp", "jack", [("authenticate", PAM_SUCCESS), ("getenvlist", PAM_SUCCESS)],
                        ["pw" + oathtool(secret, "SHA256", 8)])
        self.assertTrue(res["ok"], res)
        self.assertEqual(res["env"].get("PAM_AUTHTOK"), "pw")


class Throttling(DaemonTestCase):
    """A long first wait, so that nothing here depends on timing."""
    config = "[throttle]\nmax_failures = 3\nbase_delay = 60\nmax_delay = 900\n"

    def test_lock_tells_the_wait_refuses_right_codes_and_unlock_clears(self):
        self.pam.service("t", [self.module_line("auth"), self.module_line("account")])
        secret = self.daemon.enroll("kate")
        bad = wrong_code(secret)
        for i in range(2):
            res = pypamtest(self.pam, "t", "kate", [("authenticate", PAM_AUTH_ERR)], [bad])
            self.assertEqual(res["errors"], ["Wrong verification code."])
        res = pypamtest(self.pam, "t", "kate", [("authenticate", PAM_AUTH_ERR)], [bad])
        self.assertEqual(res["errors"],
                         ["Wrong verification code. Too many failed attempts; try again in 60 seconds."])
        # locked: a right code is refused and the wait is told; account denied
        res = pypamtest(self.pam, "t", "kate", [("authenticate", PAM_AUTH_ERR)], [oathtool(secret)])
        self.assertTrue(res["ok"], res)
        self.assertRegex(res["errors"][0], r"^Too many failed attempts; try again in (59|60) seconds\.$")
        # the wait is this source's for this name: the account itself is not
        # locked (only the account-wide ceiling locks it for every source)
        res = pypamtest(self.pam, "t", "kate", [("account", PAM_SUCCESS)], [])
        self.assertTrue(res["ok"], res)
        show = self.daemon.ok("/v1/user/show", {"user": "kate"})
        self.assertTrue(show["locked"])  # from some source
        self.assertEqual(show["failures"], 3)  # attempts during the wait are not counted
        self.daemon.ok("/v1/user/unlock", {"user": "kate"})
        res = pypamtest(self.pam, "t", "kate", [("authenticate", PAM_SUCCESS), ("account", PAM_SUCCESS)],
                        [oathtool(secret)])
        self.assertTrue(res["ok"], res)
        self.assertEqual(self.daemon.ok("/v1/user/show", {"user": "kate"})["failures"], 0)

    def test_success_resets_the_counter(self):
        self.pam.service("t", [self.module_line("auth")])
        secret = self.daemon.enroll("liam")
        bad = wrong_code(secret)
        for _ in range(2):
            pypamtest(self.pam, "t", "liam", [("authenticate", PAM_AUTH_ERR)], [bad])
        res = pypamtest(self.pam, "t", "liam", [("authenticate", PAM_SUCCESS)], [oathtool(secret)])
        self.assertTrue(res["ok"], res)
        res = pypamtest(self.pam, "t", "liam", [("authenticate", PAM_AUTH_ERR)], [bad])
        self.assertEqual(res["errors"], ["Wrong verification code."])


class BackOff(DaemonTestCase):
    """The wait doubles at each further failure, up to max_delay."""
    config = "[throttle]\nmax_failures = 2\nbase_delay = 1\nmax_delay = 2\n"

    def test_doubling_and_cap(self):
        self.pam.service("t", [self.module_line("auth")])
        secret = self.daemon.enroll("mike")
        bad = wrong_code(secret)
        pypamtest(self.pam, "t", "mike", [("authenticate", PAM_AUTH_ERR)], [bad])
        res = pypamtest(self.pam, "t", "mike", [("authenticate", PAM_AUTH_ERR)], [bad])
        self.assertIn("try again in 1 seconds", res["errors"][0])
        time.sleep(1.2)
        res = pypamtest(self.pam, "t", "mike", [("authenticate", PAM_AUTH_ERR)], [bad])
        self.assertIn("Wrong verification code. Too many failed attempts; try again in 2 seconds", res["errors"][0])
        time.sleep(2.2)
        res = pypamtest(self.pam, "t", "mike", [("authenticate", PAM_AUTH_ERR)], [bad])
        self.assertIn("Wrong verification code. Too many failed attempts; try again in 2 seconds", res["errors"][0])
        self.assertEqual(self.daemon.ok("/v1/user/show", {"user": "mike"})["failures"], 4)


class FailClosed(DaemonTestCase):
    def test_daemon_down_socket_missing_and_stale(self):
        missing = os.path.join(self.tmp, "no-such.sock")
        self.pam.service("down", ["auth required %s socket=%s" % (PAM_MODULE, missing),
                                  "account required %s socket=%s" % (PAM_MODULE, missing)])
        rc, out = self.pam.pamtester("down", "alice", ["123456"])
        self.assertNotEqual(rc, 0)
        self.assertIn(UNAVAILABLE, out)
        self.assertIn("cannot retrieve authentication info", out)  # PAM_AUTHINFO_UNAVAIL
        res = pypamtest(self.pam, "down", "alice", [("authenticate", PAM_AUTHINFO_UNAVAIL)], ["1"])
        self.assertTrue(res["ok"], res)
        res = pypamtest(self.pam, "down", "alice", [("account", PAM_AUTHINFO_UNAVAIL)], [])
        self.assertTrue(res["ok"], res)
        # a killed daemon leaves its socket file behind
        self.pam.service("stale", [self.module_line("auth")])
        self.daemon.kill9()
        try:
            self.assertTrue(os.path.exists(self.daemon.socket))
            res = pypamtest(self.pam, "stale", "alice", [("authenticate", PAM_AUTHINFO_UNAVAIL)], ["1"])
            self.assertTrue(res["ok"], res)
            self.assertIn(UNAVAILABLE, res["errors"])
        finally:
            self.daemon.start(init=False)

    def test_unknown_or_malformed_option(self):
        for args in ["frobnicate", "timeout=0", "timeout=abc", "socket="]:
            self.pam.service("bad", [self.module_line("auth", args)])
            res = pypamtest(self.pam, "bad", "alice", [("authenticate", PAM_AUTHINFO_UNAVAIL)], ["1"])
            self.assertTrue(res["ok"], (args, res))

    def test_module_exports_only_pam_sm_symbols(self):
        out = subprocess.check_output(["nm", "-D", "--defined-only", PAM_MODULE], text=True)
        names = [line.split()[-1] for line in out.splitlines() if line.strip()]
        self.assertTrue(names)
        self.assertTrue(all(n.startswith("pam_sm_") for n in names), names)
        self.assertIn("pam_sm_authenticate", names)


class HostileServer:
    """Something listening on the module's socket that is not a sane daemon:
    never answers, or answers garbage. The module must fail closed."""

    def __init__(self, path, behaviour):
        import socket
        import threading
        self.path, self.behaviour = path, behaviour
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.conns = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            try:
                conn.recv(65536)
                body = {"garbage": b"this is not json", "huge": b"[" + b"1," * 100000 + b"1]",
                        "wrong_step": b'{"step":"launch"}', "array": b"[]",
                        "no_txn": b'{"step":"prompt","factor":"totp","prompt":"x"}',
                        "bad_result": b'{"step":"verdict","result":"maybe"}'}.get(self.behaviour)
                if body is None:
                    continue  # silent: keep the connection open, say nothing
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(body) + body)
            except OSError:
                pass

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()
        os.unlink(self.path)


class HostileReplies(DaemonTestCase):
    def test_timeouts_and_malformed_replies_fail_closed(self):
        for behaviour in ["silent", "garbage", "huge", "wrong_step", "array", "no_txn", "bad_result"]:
            path = os.path.join(self.tmp, "hostile-%s.sock" % behaviour)
            server = HostileServer(path, behaviour)
            try:
                self.pam.service("h", ["auth required %s socket=%s timeout=1" % (PAM_MODULE, path)])
                start = time.monotonic()
                env = dict(self.pam.env(), PAM_WRAPPER_DEBUGLEVEL="4")
                p = subprocess.run(["pamtester", "h", "alice", "authenticate"], input="123456\n",
                                   env=env, capture_output=True, text=True, timeout=30)
                self.assertNotEqual(p.returncode, 0, behaviour)
                self.assertIn(UNAVAILABLE, p.stdout + p.stderr, behaviour)
                self.assertIn("cannot retrieve authentication info", p.stdout + p.stderr, behaviour)
                # the reason goes to syslog as LOG_AUTHPRIV|LOG_ERR (80|3)
                self.assertIn("SYSLOG(83)", p.stderr, behaviour)
                self.assertLess(time.monotonic() - start, 10, behaviour)
            finally:
                server.close()


class Peers(DaemonTestCase):
    """A caller that is not root may act only for its own user name."""

    def test_non_root_caller_cannot_act_for_another_user(self):
        self.pam.service("lock", [self.module_line("auth")])
        secret = self.daemon.enroll("mona")
        rc, out = self.pam.pamtester("lock", "mona", [oathtool(secret)], as_user="nobody")
        self.assertNotEqual(rc, 0)
        self.assertIn(UNAVAILABLE, out)
        self.assertEqual(self.daemon.audit("mona")[0]["reason"], "confirm")  # nothing decided
        # and the same user for itself is served (nobody has no factor: denied, not unavailable)
        rc, out = self.pam.pamtester("lock", "nobody", ["123456"], as_user="nobody")
        self.assertIn("Authentication failure", out)

    def test_non_root_caller_cannot_administer(self):
        script = ("import sys; sys.path.insert(0, %r); import harness, json;"
                  "d = harness.Daemon.__new__(harness.Daemon); d.socket = %r;"
                  "print(json.dumps([d.call(p, b)[0] for p, b in json.loads(sys.argv[1])]))"
                  % (os.path.dirname(os.path.abspath(__file__)), self.daemon.socket))
        calls = [["/v1/totp/enroll", {"user": "nobody"}], ["/v1/totp/list", {"user": "mona"}],
                 ["/v1/user/unlock", {"user": "nobody"}], ["/v1/audit", {}],
                 ["/v1/user/show", {"user": "mona"}], ["/v1/user/show", {"user": "nobody"}],
                 ["/v1/pam/start", {"user": "mona", "service": "x"}],
                 ["/v1/pam/start", {"user": "nobody", "service": "x"}]]
        import json
        out = subprocess.check_output(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                       "/usr/bin/python3", "-c", script, json.dumps(calls)], text=True)
        self.assertEqual(json.loads(out), [403, 403, 403, 403, 403, 200, 403, 200])


if __name__ == "__main__":
    unittest.main()
