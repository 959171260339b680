"""Recovery codes (issue 12): sesamectl and the account page make a set of
ten, shown once, stored hashed; each is accepted once at the PAM code
prompt and on the web code page, in place of a TOTP code; a new set voids
the old one; the count left is shown; each use is audited. A real daemon,
the real module through pam_wrapper, the web pages over HTTP."""
import json
import re
import subprocess
import unittest

from harness import (PAM_AUTH_ERR, PAM_SUCCESS, SESAMECTL, Daemon, oathtool, pypamtest,
                     wrong_code)
from test_web import STRONG, csrf_of
from test_web_passkey import PasskeyCase, SoftKey

CODE_RE = re.compile(r"^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$")


class Recovery(PasskeyCase):
    def ctl(self, *args):
        return subprocess.run([SESAMECTL, "--socket", self.daemon.socket] + list(args),
                              capture_output=True, text=True, timeout=30)

    def generate(self, user):
        p = self.ctl("recovery", "generate", user, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        codes = json.loads(p.stdout)["codes"]
        self.assertEqual(len(codes), 10)
        for c in codes:
            self.assertRegex(c, CODE_RE)
        self.assertEqual(len(set(codes)), 10)
        return codes

    def left(self, user):
        return self.daemon.ok("/v1/user/show", {"user": user})["recovery_codes"]

    def pam_answer(self, user, code):
        r = self.daemon.ok("/v1/pam/start", {"user": user, "service": "sshd"})
        self.assertEqual(r["step"], "prompt", r)
        return self.daemon.ok("/v1/pam/continue", {"txn": r["txn"], "answer": code})

    def events(self, user):
        return [(e["factor"], e["result"], e["reason"]) for e in self.daemon.audit(user)]

    def test_generate_show_and_hashed_storage(self):
        self.add_user("rgen")
        codes = self.generate("rgen")
        self.assertEqual(self.left("rgen"), 10)
        p = self.ctl("user", "show", "rgen")
        self.assertIn("Recovery codes: 10 left", p.stdout)
        p = self.ctl("recovery", "generate", "rgen")  # human output: the codes, once
        self.assertEqual(p.returncode, 0, p.stderr)
        shown = re.findall(r"^  (\S+)$", p.stdout, re.M)
        self.assertEqual(len(shown), 10)
        self.assertIn(("recovery", "ok", "generate"), self.events("rgen"))
        # the database holds no code in clear
        raw = self.daemon.stored_bytes()
        for c in codes + shown:
            self.assertNotIn(c.encode(), raw)
            self.assertNotIn(c.replace("-", "").encode(), raw)
        p = self.ctl("recovery", "generate", "nobody-known")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no record", p.stderr)
        status, _ = self.daemon.call("/v1/recovery/generate", {"user": "rgen", "extra": 1})
        self.assertEqual(status, 400)

    def test_pam_each_code_once_and_regeneration(self):
        secret = self.add_user("rpam")
        codes = self.generate("rpam")
        # typed loosely: upper case, without dashes, with spaces
        r = self.pam_answer("rpam", codes[0].upper().replace("-", " "))
        self.assertEqual(r["result"], "success", r)
        self.assertEqual(self.left("rpam"), 9)
        r = self.pam_answer("rpam", codes[0])
        self.assertEqual((r["result"], r["reason"]), ("denied", "wrong_code"), r)
        self.assertEqual(self.left("rpam"), 9)
        events = self.events("rpam")
        self.assertIn(("recovery", "success", "ok"), events)
        self.assertIn(("recovery", "denied", "wrong_code"), events)
        # a TOTP code is still a TOTP code
        self.assertEqual(self.pam_answer("rpam", oathtool(secret))["result"], "success")
        # a new set voids the old one
        new = self.generate("rpam")
        r = self.pam_answer("rpam", codes[1])
        self.assertEqual(r["result"], "denied", r)
        self.assertEqual(self.pam_answer("rpam", new[1])["result"], "success")
        self.assertEqual(self.left("rpam"), 9)

    def test_two_answers_with_one_code_pass_once(self):
        self.add_user("rrace")
        codes = self.generate("rrace")
        starts = [self.daemon.ok("/v1/pam/start", {"user": "rrace", "service": "sshd"})
                  for _ in range(2)]
        import concurrent.futures
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            results = list(ex.map(lambda s: self.daemon.ok(
                "/v1/pam/continue", {"txn": s["txn"], "answer": codes[3]})["result"], starts))
        self.assertEqual(sorted(results), ["denied", "success"])

    def test_through_the_module(self):
        self.add_user("rmod")
        codes = self.generate("rmod")
        svc = self.pam.service("recovery", [self.module_line("auth")])
        res = pypamtest(self.pam, svc, "rmod", [("authenticate", PAM_SUCCESS)], [codes[5]])
        self.assertTrue(res["ok"], res)
        res = pypamtest(self.pam, svc, "rmod", [("authenticate", PAM_AUTH_ERR)], [codes[5]])
        self.assertTrue(res["ok"], res)

    def test_passkey_only_user_uses_a_recovery_code_at_pam(self):
        secret, b, key = self.user_with_passkey("rpk")
        ids = [t["id"] for t in self.daemon.ok("/v1/totp/list", {"user": "rpk"})["totp"]]
        self.daemon.ok("/v1/totp/remove", {"user": "rpk", "id": ids[0]})
        codes = self.generate("rpk")
        self.assertEqual(self.pam_answer("rpk", codes[0])["result"], "success")

    def test_web_code_page_account_page_and_button(self):
        secret = self.add_user("rweb")
        b = self.browser()
        body, token = None, None
        resp, body = self.sign_in(b, "rweb", secret)
        self.assertEqual(resp.getheader("Location"), "/account")
        body, token = self.account(b)
        self.assertIn("Recovery codes left: 0.", body)
        resp, page = b.post("/account/recovery/generate", {"csrf": token})
        self.assertEqual(resp.status, 200, page)
        codes = re.findall(r"<li><code>([^<]+)</code></li>", page)
        self.assertEqual(len(codes), 10)
        self.assertIn(("recovery", "ok", "generate"), self.events("rweb"))
        body, token = self.account(b)
        self.assertIn("Recovery codes left: 10.", body)
        # a wrong CSRF token changes nothing
        resp, _ = b.post("/account/recovery/generate", {"csrf": "x" * len(token)})
        self.assertEqual(resp.status, 403)
        # sign in elsewhere with a recovery code on the code page
        other = self.browser()
        resp, body = self.password_step(other, "rweb")
        resp, body = other.get("/login/code")
        # the app's code on a numeric keyboard; recovery codes one link away, as text
        self.assertIn('inputmode="numeric"', body)
        self.assertIn('<a href="/login/code?recovery=1">Lost your app? Use a recovery code</a>', body)
        resp, body = other.get("/login/code?recovery=1")
        self.assertIn("One of your recovery codes", body)
        self.assertNotIn('inputmode="numeric"', body)
        self.assertIn('action="/login/code?recovery=1"', body)
        resp, body = other.post("/login/code?recovery=1", {"code": codes[2], "csrf": csrf_of(body)})
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"), body)
        body, _ = self.account(other)
        self.assertIn("Recovery codes left: 9.", body)
        # the same code again: refused
        third = self.browser()
        self.password_step(third, "rweb")
        resp, body = third.get("/login/code")
        resp, body = third.post("/login/code", {"code": codes[2], "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 200)
        self.assertIn("Wrong verification code", body)
        self.assertEqual(self.left("rweb"), 9)

    def test_french_account_page(self):
        secret = self.add_user("rfr")
        b = self.browser(lang="fr")
        resp, body = self.sign_in(b, "rfr", secret)
        body, token = self.account(b)
        self.assertIn("Codes de secours restants\u00a0: 0.", body)

    def test_button_needs_a_recent_sign_in(self):
        """ROUTE_RECENT: an old sign-in is sent to "Confirm it is you"."""
        secret = self.add_user("rold")
        b = self.browser()
        self.sign_in(b, "rold", secret)
        body, token = self.account(b)
        self.daemon.sql("UPDATE sessions SET auth_time = auth_time - 3600")
        resp, body = b.post("/account/recovery/generate", {"csrf": token})
        self.assertEqual(resp.status, 403, body)
        self.assertIn("/account/confirm", body)
        self.assertEqual(self.left("rold"), 0)

    def test_not_a_factor_for_the_last_factor_rule_by_default(self):
        secret = self.add_user("rlast")
        self.generate("rlast")
        ids = [t["id"] for t in self.daemon.ok("/v1/totp/list", {"user": "rlast"})["totp"]]
        status, reply = self.daemon.call("/v1/totp/remove", {"user": "rlast", "id": ids[0]})
        self.assertEqual(status, 403, reply)


class RecoveryNamedByTheRequirement(PasskeyCase):
    """[require] naming "recovery": the codes count for the last-factor rule."""
    web_config = "[require]\npam = totp | recovery\n"

    def test_last_factor_rule_counts_codes(self):
        self.add_user("rnamed")
        ids = [t["id"] for t in self.daemon.ok("/v1/totp/list", {"user": "rnamed"})["totp"]]
        status, reply = self.daemon.call("/v1/totp/remove", {"user": "rnamed", "id": ids[0]})
        self.assertEqual(status, 403, reply)  # no codes yet
        codes = self.daemon.ok("/v1/recovery/generate", {"user": "rnamed"})["codes"]
        self.daemon.ok("/v1/totp/remove", {"user": "rnamed", "id": ids[0]})
        self.assertIn(("totp", "ok", "remove"),
                      [(e["factor"], e["result"], e["reason"]) for e in self.daemon.audit("rnamed")])
        r = self.daemon.ok("/v1/pam/start", {"user": "rnamed", "service": "sshd"})
        self.assertEqual(r["step"], "prompt", r)
        r = self.daemon.ok("/v1/pam/continue", {"txn": r["txn"], "answer": codes[0]})
        self.assertEqual(r["result"], "success", r)


if __name__ == "__main__":
    unittest.main()
