"""The account page (signed in): a TOTP authenticator added with the QR
code (inline SVG) and the otpauth URI, confirmed with an oathtool code,
renamed, removed (not the last factor while require_mfa is on); the
password changed (the policy's reasons shown, the current password
checked and a wrong one counted in the shared failure counter); CSRF on
every form; the audit."""

import html
import re
import unittest

from harness import oathtool, secret_of, wrong_code
from test_web import STRONG, WebCase, csrf_of

NEW_STRONG = "lantern-orbit-saffron-glacier-41"
LAST_FACTOR = "This is your last second factor; add another one before removing it."


def uri_of(body):
    m = re.search(r'<code class="otpauth">([^<]*)</code>', body)
    assert m, body
    return html.unescape(m.group(1))


def totp_ids(body):
    """(id, name) of the confirmed authenticators shown."""
    return re.findall(r'action="/account/totp/rename">\n<input type="hidden" name="csrf" '
                      r'value="[^"]*">\n<input type="hidden" name="id" value="(\d+)">\n'
                      r'<input name="name" type="text" maxlength="64" required aria-label="[^"]*" '
                      r'value="([^"]*)"', body)


class Account(WebCase):
    def signed_in(self, user, **kw):
        secret = self.add_user(user)
        b = self.browser(**kw)
        resp, body = self.sign_in(b, user, secret)
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"), body)
        return b, secret

    def account(self, b):
        resp, body = b.get("/account")
        self.assertEqual(resp.status, 200, body)
        return body

    def totp_events(self, user):
        """The account page's TOTP events, oldest first (not the sign-ins)."""
        return [(e["service"], e["result"], e["reason"]) for e in reversed(self.daemon.audit(user))
                if e["factor"] == "totp" and e["service"] == "web" and e["result"] != "success"]

    def test_add_confirm_rename_remove(self):
        b, _ = self.signed_in("tara")
        body = self.account(b)
        self.assertIn('action="/account/totp/add"', body)
        resp, body = b.post("/account/totp/add", {"name": "phone", "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 200, body)
        self.assertIn("<svg", body)
        self.assertRegex(body, r'<path fill="#000" d="(M\d+ \d+h\d+v1h-\d+z)+"')
        self.assertIn("<details>", body)
        uri = uri_of(body)
        self.assertTrue(uri.startswith("otpauth://totp/"), uri)
        secret = secret_of(uri)
        self.assertIn("Waiting for confirmation: phone", body)
        self.assertEqual(resp.getheader("Content-Security-Policy").count("script-src 'self'"), 1)
        # pending: not yet a factor, and the QR code is not shown again
        body = self.account(b)
        self.assertNotIn("<svg", body)
        self.assertEqual([n for _, n in totp_ids(body)], ["authenticator"])
        shown = [(e["id"], e["confirmed"]) for e in
                 self.daemon.ok("/v1/totp/list", {"user": "tara"})["totp"]]
        self.assertEqual([c for _, c in shown], [True, False])
        # a wrong code, then the right one
        resp, body = b.post("/account/totp/confirm",
                            {"code": wrong_code(secret), "csrf": csrf_of(body)})
        self.assertIn("The code does not match the new authenticator app", body)
        resp, body = b.post("/account/totp/confirm", {"code": oathtool(secret), "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 200, body)
        self.assertIn("The authenticator app was added.", body)
        ids = totp_ids(body)
        self.assertEqual([n for _, n in ids], ["authenticator", "phone"])
        # confirming again: nothing pending
        resp, body = b.post("/account/totp/confirm", {"code": oathtool(secret), "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 409, body)
        # rename
        resp, _ = b.post("/account/totp/rename",
                         {"id": ids[1][0], "name": "mon téléphone", "csrf": csrf_of(body)})
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"))
        body = self.account(b)
        self.assertEqual([n for _, n in totp_ids(body)], ["authenticator", "mon téléphone"])
        resp, body2 = b.post("/account/totp/rename", {"id": ids[1][0], "name": "", "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 400, body2)
        resp, _ = b.post("/account/totp/rename", {"id": "999999", "name": "x", "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 404)
        # remove the first one; the second is then the last factor
        resp, _ = b.post("/account/totp/remove", {"id": ids[0][0], "csrf": csrf_of(body)})
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"))
        body = self.account(b)
        resp, body = b.post("/account/totp/remove", {"id": ids[1][0], "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 409, body)
        self.assertIn(LAST_FACTOR, body)
        self.assertEqual([n for _, n in totp_ids(body)], ["mon téléphone"])
        self.assertEqual(self.totp_events("tara"),
                         [("web", "ok", "enroll"), ("web", "denied", "wrong_code"),
                          ("web", "ok", "confirm"), ("web", "ok", "rename"), ("web", "ok", "remove"),
                          ("web", "denied", "last_factor")])
        # the new authenticator signs in
        b2 = self.browser()
        resp, body = self.sign_in(b2, "tara", secret, code=oathtool(secret, offset=30))
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"), body)

    def test_forms_need_csrf_and_a_done_session(self):
        b, _ = self.signed_in("uma")
        for path, form in (("/account/totp/add", {"name": "x"}),
                           ("/account/totp/confirm", {"code": "123456"}),
                           ("/account/totp/rename", {"id": "1", "name": "x"}),
                           ("/account/totp/remove", {"id": "1"}),
                           ("/account/password", {"current": STRONG, "new": NEW_STRONG,
                                                  "again": NEW_STRONG})):
            resp, _ = b.post(path, dict(form, csrf="A" * 43))
            self.assertEqual(resp.status, 403, path)
            resp, _ = self.browser().post(path, dict(form, csrf="A" * 43))
            self.assertEqual((resp.status, resp.getheader("Location")), (303, "/login"), path)
        # a session at the password stage cannot use them
        b2 = self.browser()
        self.password_step(b2, "uma")
        resp, _ = b2.post("/account/totp/add", {"name": "x", "csrf": "A" * 43})
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/login/code"))
        self.assertEqual(len(self.daemon.ok("/v1/totp/list", {"user": "uma"})["totp"]), 1)

    def test_password_change(self):
        b, secret = self.signed_in("vera")
        body = self.account(b)
        # the two new passwords differ
        resp, body = b.post("/account/password", {"current": STRONG, "new": NEW_STRONG,
                                                  "again": NEW_STRONG + "x", "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 400, body)
        self.assertIn("The two new passwords differ", body)
        # weak: refused with the policy's reasons and hint
        resp, body = b.post("/account/password", {"current": STRONG, "new": "password",
                                                  "again": "password", "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 400, body)
        self.assertIn("The password policy refused the new password", body)
        reasons = re.search(r'<ul class="password-reasons" lang="en">\n(.*?)</ul>', body, re.S)
        self.assertTrue(reasons and "<li>" in reasons.group(1), body)
        self.assertIn('class="password-hint"', body)
        self.assertEqual(self.failures("vera"), 0)
        # wrong current password: refused, counted in the shared counter
        resp, body = b.post("/account/password", {"current": "not-the-password", "new": NEW_STRONG,
                                                  "again": NEW_STRONG, "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 403, body)
        self.assertIn("The current password is wrong", body)
        self.assertEqual(self.failures("vera"), 1)
        self.assertIn(("password", "denied", "wrong_password", "web"),
                      [(e["factor"], e["result"], e["reason"], e["service"])
                       for e in self.daemon.audit("vera")])
        # strong: accepted
        resp, body = b.post("/account/password", {"current": STRONG, "new": NEW_STRONG,
                                                  "again": NEW_STRONG, "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 200, body)
        self.assertIn("Your password was changed.", body)
        self.assertIn(("password", "ok", "change", "web"),
                      [(e["factor"], e["result"], e["reason"], e["service"])
                       for e in self.daemon.audit("vera")])
        b2 = self.browser()
        resp, body = self.password_step(b2, "vera")
        self.assertEqual(resp.status, 200)
        self.assertIn("Wrong user name or password.", body)
        resp, body = self.password_step(b2, "vera", NEW_STRONG)
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/login/code"), body)
        # nothing secret in the audit
        text = repr(self.daemon.audit("vera"))
        self.assertNotIn(NEW_STRONG, text)
        self.assertNotIn(STRONG, text)

    def test_french(self):
        b, _ = self.signed_in("wanda", lang="fr")
        body = self.account(b)
        self.assertIn("Ajouter une application d’authentification", body)
        self.assertIn("Changer de mot de passe", body)
        resp, body = b.post("/account/password", {"current": STRONG, "new": "password",
                                                  "again": "password", "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 400, body)
        self.assertIn("La politique de mots de passe a refusé le nouveau mot de passe", body)


if __name__ == "__main__":
    unittest.main()
