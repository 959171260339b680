"""The one sign-in flow (issue 9) and the hardening it carries (issue 10):
each test fails on the code before the flow. A real daemon, the real
module through pam_wrapper, the web pages over HTTP."""
import json
import re
import unittest

from harness import PAM_AUTH_ERR, PAM_SUCCESS, DaemonTestCase, oathtool, pypamtest, wrong_code
from test_web import STRONG, csrf_of
from test_web_passkey import PasskeyCase

ATTACKER = "198.51.100.23"
VICTIM = "203.0.113.9"


class PamFlow(DaemonTestCase):
    config = "[throttle]\nmax_failures = 3\nbase_delay = 60\naccount_max_failures = 10\n" \
             "account_lock_time = 600\nsource_max_failures = 0\n"

    def start(self, user, rhost="", nullok=False):
        return self.daemon.ok("/v1/pam/start", {"user": user, "service": "sshd", "rhost": rhost,
                                                "nullok": nullok})

    def answer(self, txn, code):
        return self.daemon.ok("/v1/pam/continue", {"txn": txn, "answer": code})

    def test_a_token_answers_once(self):
        """issue 10 item 6: a token is spent by its first answer."""
        secret = self.daemon.enroll("tok")
        txn = self.start("tok")["txn"]
        self.assertEqual(self.answer(txn, oathtool(secret))["result"], "success")
        again = self.answer(txn, oathtool(secret, offset=30))
        self.assertEqual((again["result"], again["reason"]), ("denied", "expired"))
        # a wrong answer spends it too: no second guess on one token
        txn = self.start("tok")["txn"]
        self.assertEqual(self.answer(txn, wrong_code(secret))["result"], "denied")
        self.assertEqual(self.answer(txn, oathtool(secret, offset=30))["reason"], "expired")
        self.assertIn(("denied", "flow_spent"),
                      [(e["result"], e["reason"]) for e in self.daemon.audit("tok")])

    def test_one_source_does_not_lock_out_another(self):
        """issue 10 item 3: a guesser slows himself, not his victim."""
        secret = self.daemon.enroll("vic")
        for _ in range(3):
            self.answer(self.start("vic", ATTACKER)["txn"], wrong_code(secret))
        r = self.start("vic", ATTACKER)
        self.assertEqual((r["step"], r["reason"]), ("verdict", "locked"))
        self.assertEqual(r["wait"], 60)
        r = self.answer(self.start("vic", VICTIM)["txn"], oathtool(secret))
        self.assertEqual(r["result"], "success")

    def test_account_ceiling_stops_every_source(self):
        secret = self.daemon.enroll("ceil")
        for i in range(10):  # three sources, never three in a row from one
            src = "192.0.2.%d" % (i % 5 + 1)
            self.answer(self.start("ceil", src)["txn"], wrong_code(secret))
        r = self.start("ceil", "192.0.2.200")
        self.assertEqual((r["step"], r["reason"]), ("verdict", "locked"))
        self.assertGreater(r["wait"], 500)
        show = self.daemon.ok("/v1/user/show", {"user": "ceil"})
        self.assertTrue(show["locked"])
        self.daemon.ok("/v1/user/unlock", {"user": "ceil"})
        self.assertEqual(self.answer(self.start("ceil", "192.0.2.200")["txn"],
                                     oathtool(secret))["result"], "success")

    def test_unknown_names_are_throttled_like_known_ones(self):
        secret = self.daemon.enroll("known")
        replies = {}
        for user, code in (("known", wrong_code(secret)), ("nobody-here", "123456")):
            for _ in range(3):
                self.answer(self.start(user, ATTACKER)["txn"], code)
            replies[user] = self.start(user, ATTACKER)
        known, nobody = replies["known"], replies["nobody-here"]
        self.assertEqual((known["step"], known["reason"]), ("verdict", "locked"))
        self.assertEqual((nobody["step"], nobody["reason"]), ("verdict", "locked"))
        # the same wait and words, but for a second boundary crossed between
        # the two lock-outs (a loaded machine: it failed once so)
        self.assertLessEqual(abs(known["wait"] - nobody["wait"]), 1)
        self.assertEqual(re.sub(r"\d+", "N", known["message"]),
                         re.sub(r"\d+", "N", nobody["message"]))

    def test_case_variant_of_an_enrolled_name_is_not_factorless(self):
        """issue 10 item 2, the daemon's side: under nullok, ALICE is not a
        user without a factor when alice has one."""
        secret = self.daemon.enroll("carol")
        r = self.start("CAROL", nullok=True)
        self.assertEqual(r["step"], "prompt")
        self.assertEqual(self.answer(r["txn"], oathtool(secret))["result"], "denied")
        r = self.start("stranger", nullok=True)  # really unknown: nullok lets it in
        self.assertEqual((r["step"], r["result"]), ("verdict", "success"))

    def test_rhost_is_validated(self):
        for bad in ("1.2.3.4 evil", "a\nb", "x" * 300, "../../etc"):
            status, reply = self.daemon.call("/v1/pam/start", {"user": "u", "service": "s",
                                                                "rhost": bad})
            self.assertEqual(status, 400, (bad, reply))
        log = self.daemon.read_log()
        self.assertNotIn("evil", log)

    def test_requirement_per_service(self):
        """[require] pam.SERVICE is read; a passkey cannot be asked at a terminal."""
        import subprocess
        from harness import AUTHD
        for text, ok in (("totp", 0), ("second", 0), ("passkey", 1), ("password+totp", 1),
                         ("totp | nonsense", 1)):
            with open(self.daemon.conf + ".t", "w") as f:
                f.write("[require]\npam.sshd = %s\n" % text)
            p = subprocess.run([AUTHD, "--config", self.daemon.conf + ".t", "--check-config"],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, ok, (text, p.stdout, p.stderr))
            if ok:
                self.assertIn("require.pam.sshd", p.stderr)


class PasskeyOnlyUnderNullok(PasskeyCase):
    """issue 9: a user with passkeys but no TOTP is not a user 'without a
    factor': nullok does not let them in; since issue 12 PAM asks them to
    approve the login with their passkey in a browser (the hand-off)."""

    def test_passkey_only_user(self):
        secret, b, key = self.user_with_passkey("pko")
        ids = [t["id"] for t in self.daemon.ok("/v1/totp/list", {"user": "pko"})["totp"]]
        self.daemon.ok("/v1/totp/remove", {"user": "pko", "id": ids[0]})  # a passkey remains
        show = self.daemon.ok("/v1/user/show", {"user": "pko"})
        self.assertEqual([f["type"] for f in show["factors"]], ["passkey"])
        # issue 12: not let in by nullok, but asked to approve in a browser
        r = self.daemon.ok("/v1/pam/start", {"user": "pko", "service": "nullok",
                                             "nullok": True})
        self.assertEqual((r["step"], r["factor"]), ("prompt", "handoff"), r)
        self.assertIn("/h", r["prompt"])
        self.assertNotIn(("success", "nullok"),
                         [(e["result"], e["reason"]) for e in self.daemon.audit("pko")])
        # the administrator sees and removes the passkey; the last one only with force
        keys = self.daemon.ok("/v1/passkey/list", {"user": "pko"})["passkeys"]
        self.assertEqual(len(keys), 1)
        status, reply = self.daemon.call("/v1/passkey/remove", {"user": "pko", "id": keys[0]["id"]})
        self.assertEqual(status, 403, reply)
        self.daemon.ok("/v1/passkey/remove", {"user": "pko", "id": keys[0]["id"], "force": True})
        self.assertEqual(self.daemon.ok("/v1/passkey/list", {"user": "pko"})["passkeys"], [])

    def test_password_change_ends_other_sessions(self):
        secret = self.add_user("pwc")
        first = self.signed_in("pwc", secret)
        second = self.browser()
        resp, body = self.sign_in(second, "pwc", secret, code=oathtool(secret, offset=30))
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"), body)
        body, token = self.account(second)
        new = STRONG + " again"
        resp, body = second.post("/account/password", {"current": STRONG, "new": new,
                                                        "again": new, "csrf": token})
        self.assertEqual(resp.status, 200, body)
        self.assertEqual(second.get("/account")[0].status, 200)  # this one stays
        resp, _ = first.get("/account")
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/login"))


class RightPasswordDoesNotForgive(PasskeyCase):
    """A right password must not reopen code guessing: only a second
    factor forgives the failures counted."""

    def test_password_then_codes(self):
        secret = self.add_user("nof")
        for _ in range(2):  # WebCase: max_failures 5
            self.sign_in(self.browser(), "nof", secret, code=wrong_code(secret))
        self.assertEqual(self.failures("nof"), 2)
        resp, _ = self.password_step(self.browser(), "nof")  # right password, no code
        self.assertEqual(resp.getheader("Location"), "/login/code")
        self.assertEqual(self.failures("nof"), 2)
        resp, _ = self.sign_in(self.browser(), "nof", secret)  # the code forgives
        self.assertEqual(resp.getheader("Location"), "/account")
        self.assertEqual(self.failures("nof"), 0)


class RecentProof(PasskeyCase):
    """issue 9: adding or removing a factor or changing the password needs
    a recent sign-in ([web] reauth_after), as GitHub's sudo mode does."""
    web_config = "reauth_after = 2\n"

    def test_old_session_must_confirm(self):
        import time
        secret = self.add_user("sudo")
        b = self.signed_in("sudo", secret)
        body, token = self.account(b)
        resp, body = b.post("/account/totp/add", {"name": "fresh", "csrf": token})
        self.assertEqual(resp.status, 200, body)  # recent: allowed
        time.sleep(3)
        body, token = self.account(b)
        n_totp = len(self.daemon.ok("/v1/totp/list", {"user": "sudo"})["totp"])
        resp, body = b.post("/account/totp/add", {"name": "late", "csrf": token})
        self.assertEqual(resp.status, 403, body)
        self.assertIn('action="/account/confirm"', body)
        self.assertEqual(len(self.daemon.ok("/v1/totp/list", {"user": "sudo"})["totp"]), n_totp)
        new = STRONG + " later"
        resp, body = b.post("/account/password", {"current": STRONG, "new": new, "again": new,
                                                   "csrf": token})
        self.assertEqual(resp.status, 403, body)
        resp, opts = self.post_json(b, "/webauthn/register/options", {}, token)
        self.assertEqual((resp.status, opts["error"]), (403, "reauth_required"))
        # a wrong password is counted like any other
        resp, body = b.post("/account/confirm", {"password": "not it", "csrf": token})
        self.assertEqual(resp.status, 403, body)
        self.assertEqual(self.failures("sudo"), 1)
        resp, body = b.post("/account/confirm", {"password": STRONG, "csrf": token})
        self.assertEqual(resp.status, 200, body)
        resp, body = b.post("/account/totp/add", {"name": "late", "csrf": token})
        self.assertEqual(resp.status, 200, body)
        self.assertEqual([e["factor"] for e in self.daemon.audit("sudo")[:2]], ["totp", "password"])


if __name__ == "__main__":
    unittest.main()
