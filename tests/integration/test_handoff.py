"""The terminal hand-off (issue 12), the daemon's side: a PAM flow of a user
with a passkey asks for an approval in a browser; the approval page (web
listener, a software passkey) approves or denies once; the number it shows
is typed at the terminal. A real daemon over its socket and HTTP."""
import concurrent.futures
import re
import time
import unittest

from harness import oathtool
from test_web import csrf_of
from test_web_passkey import PasskeyCase, SoftKey

CLIENT = "203.0.113.9"
CODE_RE = re.compile(r"type the code\s+([0-9A-Z]{4}-[0-9A-Z]{4})")


class HandoffCase(PasskeyCase):
    def passkey_only(self, user):
        secret, b, key = self.user_with_passkey(user)
        ids = [t["id"] for t in self.daemon.ok("/v1/totp/list", {"user": user})["totp"]]
        self.daemon.ok("/v1/totp/remove", {"user": user, "id": ids[0]})
        return key

    def start(self, user, rhost=CLIENT):
        r = self.daemon.ok("/v1/pam/start", {"user": user, "service": "sshd", "rhost": rhost})
        self.assertEqual((r["step"], r["factor"]), ("prompt", "handoff"), r)
        m = CODE_RE.search(r["prompt"])
        self.assertIsNotNone(m, r["prompt"])
        return r, m.group(1)

    def answer(self, txn, text):
        return self.daemon.ok("/v1/pam/continue", {"txn": txn, "answer": text})

    def approver(self, key):
        b, resp, data = self.discoverable(key)
        self.assertEqual(resp.status, 200, data)
        return b

    def look(self, b, code):
        resp, body = b.get("/h")
        self.assertEqual(resp.status, 200, body)
        return b.post("/h", {"code": code, "csrf": csrf_of(body)})

    def decide(self, b, code, action):
        resp, body = self.look(b, code)
        self.assertEqual(resp.status, 200, body)
        return b.post("/h/decide", {"code": code, "action": action, "csrf": csrf_of(body)})

    def number(self, body):
        m = re.search(r'id="handoff-number">(\d{3})<', body)
        self.assertIsNotNone(m, body)
        return m.group(1)

    def events(self, user):
        return [(e["factor"], e["result"], e["reason"]) for e in self.daemon.audit(user)
                if e["factor"] == "handoff"]


class Handoff(HandoffCase):
    web_config = "[throttle]\nmax_failures = 4\nbase_delay = 60\n"

    def test_prompt_approve_number(self):
        key = self.passkey_only("ho1")
        r, code = self.start("ho1")
        text = r["prompt"]
        self.assertIn("http://localhost:%d/h " % self.port, text)
        self.assertNotIn(code.replace("-", "").lower(), text.lower().replace(code.lower(), ""))
        self.assertTrue(r["echo"])
        qr = [l for l in text.split("\n") if set(l) <= set(" \u2580\u2584\u2588") and l.strip()]
        self.assertGreater(len(qr), 10)
        for line in text.split("\n"):
            self.assertLessEqual(len(line), 80, line)
        # Enter too early: the same request, asked again with the time left
        again = self.answer(r["txn"], "")
        self.assertEqual((again["step"], again["factor"]), ("prompt", "handoff"), again)
        self.assertIn("Not approved yet", again["prompt"])
        self.assertRegex(again["prompt"], r"[0-5] min \d+ s left")
        # the page: signed in with the passkey, the code, what is approved
        b = self.approver(key)
        resp, body = self.look(b, code.lower())  # typed loosely
        self.assertEqual(resp.status, 200, body)
        for want in ('id="handoff-user">ho1<', 'id="handoff-service">sshd<',
                     'id="handoff-client">%s<' % CLIENT, 'id="handoff-warning"',
                     'id="handoff-other-network"', " UTC<"):
            self.assertIn(want, body)
        resp, body = b.post("/h/decide", {"code": code, "action": "approve",
                                          "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 200, body)
        number = self.number(body)
        done = self.answer(again["txn"], number)
        self.assertEqual(done["result"], "success", done)
        events = self.events("ho1")
        for want in (("handoff", "ok", "request"), ("handoff", "waiting", "early"),
                     ("handoff", "ok", "approve_other_network"), ("handoff", "success", "ok")):
            self.assertIn(want, events)
        # the token and the approval are spent
        replay = self.answer(again["txn"], number)
        self.assertEqual((replay["result"], replay["reason"]), ("denied", "expired"), replay)
        resp, body = self.look(b, code)
        self.assertEqual(resp.status, 409, body)

    def test_deny(self):
        key = self.passkey_only("ho2")
        r, code = self.start("ho2", rhost="")
        resp, body = self.decide(self.approver(key), code, "deny")
        self.assertEqual(resp.status, 200, body)
        self.assertIn("Denied", body)
        self.assertNotIn("handoff-number", body)
        v = self.answer(r["txn"], "123")
        self.assertEqual(v["result"], "denied")
        self.assertIn("denied on the approval page", v["message"])
        self.assertIn(("handoff", "ok", "deny"), self.events("ho2"))
        self.assertIn(("handoff", "denied", "handoff_denied"), self.events("ho2"))

    def test_expiry(self):
        key = self.passkey_only("ho3")
        r, code = self.start("ho3")
        self.daemon.sql("UPDATE handoffs SET expires = ?", (int(time.time()) - 1,))
        resp, body = self.look(self.approver(key), code)
        self.assertIn("expired", body)
        v = self.answer(r["txn"], "")
        self.assertEqual(v["result"], "denied", v)
        self.assertIn("expired; start the login again", v["message"])

    def test_wrong_number_ends_the_login(self):
        key = self.passkey_only("ho4")
        r, code = self.start("ho4")
        number = self.number(self.decide(self.approver(key), code, "approve")[1])
        wrong = "%03d" % ((int(number) + 1) % 1000)
        v = self.answer(r["txn"], wrong)
        self.assertEqual((v["result"], v["reason"]), ("denied", "wrong_code"), v)
        v = self.answer(r["txn"], number)  # one guess per login
        self.assertEqual(v["result"], "denied")

    def test_another_account_cannot_approve(self):
        self.passkey_only("ho5")
        other = self.passkey_only("ho5b")
        r, code = self.start("ho5")
        resp, body = self.look(self.approver(other), code)
        self.assertEqual(resp.status, 200)
        self.assertIn("No login of yours", body)
        self.assertIn(("handoff", "denied", "handoff_other_user"), self.events("ho5b"))
        still = self.answer(r["txn"], "")
        self.assertEqual(still["step"], "prompt")

    def test_two_logins_each_approval_its_own(self):
        key = self.passkey_only("ho6")
        (r1, c1), (r2, c2) = self.start("ho6"), self.start("ho6")
        self.assertNotEqual(c1, c2)
        b = self.approver(key)
        n1 = self.number(self.decide(b, c1, "approve")[1])
        v = self.answer(r2["txn"], n1)  # the second is still waiting
        self.assertEqual((v["step"], v["factor"]), ("prompt", "handoff"), v)
        self.assertEqual(self.answer(r1["txn"], n1)["result"], "success")
        n2 = self.number(self.decide(b, c2, "approve")[1])
        self.assertEqual(self.answer(v["txn"], n2)["result"], "success")

    def test_concurrent_approvals_decide_once(self):
        key = self.passkey_only("ho7")
        r, code = self.start("ho7")
        pages = []
        for _ in range(2):
            b = self.approver(key)
            resp, body = self.look(b, code)
            pages.append((b, csrf_of(body)))
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            res = list(ex.map(lambda p: p[0].post("/h/decide", {"code": code, "action": "approve",
                                                                "csrf": p[1]})[0].status, pages))
        self.assertEqual(sorted(res), [200, 409])

    def test_codes_are_throttled(self):
        key = self.passkey_only("ho8")
        r, code = self.start("ho8")
        b = self.approver(key)
        statuses = [self.look(b, "ZZZZ-ZZZ%d" % i)[0].status for i in range(6)]
        self.assertEqual(statuses[:4], [200] * 4)
        self.assertEqual(statuses[-1], 429)
        resp, body = self.look(b, code)  # even the right one waits now
        self.assertEqual(resp.status, 429)
        self.daemon.ok("/v1/user/unlock", {"user": "ho8"})

    def test_page_needs_a_passkey_sign_in(self):
        secret = self.add_user("ho9")
        b = self.browser()
        self.sign_in(b, "ho9", secret)  # password + TOTP: not a passkey
        resp, body = b.get("/h")
        self.assertIn('id="passkey-login"', body)
        self.assertIn('data-next="/h"', body)
        resp, _ = b.post("/h", {"code": "ABCD-EFGH", "csrf": "x"})
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/h"))

    def test_totp_users_choose_at_the_prompt(self):
        secret, b, key = self.user_with_passkey("ho10")
        r = self.daemon.ok("/v1/pam/start", {"user": "ho10", "service": "sshd"})
        self.assertEqual(r["factor"], "totp")
        self.assertIn("press Enter to approve with a passkey", r["prompt"])
        h = self.answer(r["txn"], "")
        self.assertEqual(h["factor"], "handoff", h)
        self.assertIsNotNone(CODE_RE.search(h["prompt"]))
        # the code prompt it replaced answers no more
        v = self.answer(r["txn"], oathtool(secret, offset=30))
        self.assertEqual((v["result"], v["reason"]), ("denied", "expired"), v)
        r = self.daemon.ok("/v1/pam/start", {"user": "ho10", "service": "sshd"})
        self.assertEqual(self.answer(r["txn"], oathtool(secret, offset=30))["result"], "success")


class LoginCode(HandoffCase):
    """One-time login codes: asked for on the approval page (signed in with a
    passkey), typed at the terminal's code or hand-off prompt, once."""
    web_config = "[require]\npam.strict = totp\n"

    def issue(self, b):
        resp, body = b.get("/h")
        self.assertIn('id="logincode-get"', body)
        resp, body = b.post("/h/code", {"csrf": csrf_of(body)})
        self.assertEqual(resp.status, 200, body)
        m = re.search(r'id="logincode">([0-9a-z-]+)<', body)
        self.assertIsNotNone(m, body)
        self.assertRegex(m.group(1), r"^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$")
        return m.group(1)

    def test_login_code_once(self):
        key = self.passkey_only("lc1")
        b = self.approver(key)
        code = self.issue(b)
        r, _ = self.start("lc1")
        self.assertEqual(self.answer(r["txn"], code.upper())["result"], "success")
        r, _ = self.start("lc1")
        v = self.answer(r["txn"], code)
        self.assertEqual(v["step"], "verdict", v)  # not a waiting hand-off: a spent code
        self.assertEqual(v["result"], "denied", v)
        events = [(e["factor"], e["result"], e["reason"]) for e in self.daemon.audit("lc1")]
        self.assertIn(("logincode", "ok", "issue"), events)
        self.assertIn(("logincode", "success", "ok"), events)
        self.assertIn(("logincode", "denied", "logincode"), events)

    def test_new_code_voids_the_old_and_codes_expire(self):
        secret, _, key = self.user_with_passkey("lc2")
        b = self.approver(key)
        old, new = self.issue(b), self.issue(b)
        r = self.daemon.ok("/v1/pam/start", {"user": "lc2", "service": "sshd"})
        self.assertEqual(self.answer(r["txn"], old)["result"], "denied")
        r = self.daemon.ok("/v1/pam/start", {"user": "lc2", "service": "sshd"})
        self.assertEqual(self.answer(r["txn"], new)["result"], "success")  # at a code prompt
        late = self.issue(b)
        self.daemon.sql("UPDATE user_codes SET expires = ? WHERE kind = 2", (int(time.time()) - 1,))
        r = self.daemon.ok("/v1/pam/start", {"user": "lc2", "service": "sshd"})
        self.assertEqual(self.answer(r["txn"], late)["result"], "denied")

    def test_needs_a_passkey_session_and_the_requirement(self):
        secret = self.add_user("lc3")
        b = self.browser()
        self.sign_in(b, "lc3", secret)
        resp, _ = b.post("/h/code", {"csrf": "x"})
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/h"))
        # a service that requires a TOTP code does not take a login code
        secret, _, key = self.user_with_passkey("lc4")
        code = self.issue(self.approver(key))
        r = self.daemon.ok("/v1/pam/start", {"user": "lc4", "service": "strict"})
        self.assertEqual(self.answer(r["txn"], code)["result"], "denied")


class HandoffLink(PasskeyCase):
    """[web] handoff_link = yes: the URL carries the code (off by default)."""
    web_config = "handoff_link = yes\nhandoff_ttl = 60\n"

    def test_link_prefills_the_code(self):
        secret, b, key = self.user_with_passkey("hl1")
        r = self.daemon.ok("/v1/pam/start", {"user": "hl1", "service": "sshd"})
        h = self.daemon.ok("/v1/pam/continue", {"txn": r["txn"], "answer": ""})
        code = CODE_RE.search(h["prompt"]).group(1)
        m = re.search(r"(http://\S+/h\?c=(\w+))", h["prompt"])
        self.assertIsNotNone(m, h["prompt"])
        self.assertRegex(h["prompt"], r"expires in (0 min 59|1 min 0) s")
        b2, resp, data = self.discoverable(key)
        resp, body = b2.get("/h?c=" + m.group(2))
        self.assertIn('value="%s"' % m.group(2), body)


if __name__ == "__main__":
    unittest.main()
