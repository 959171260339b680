"""Passkeys on the web pages against a real sesame-authd ([web] listen on a
free port, RP ID and origin localhost), driven by a software authenticator
built from tests/webauthn/softauthn.py: registration (ES256, EdDSA) after
password + TOTP, discoverable sign-in without a user name, a passkey as the
second factor, the refusals (wrong origin, reused and expired challenge,
flipped signature, sign-count regression, a credential registered twice,
disabled and locked users) with their audit reasons and the failure
counter shared with PAM, the account page's rename and remove (CSRF, the
last factor kept), the script and the Content-Security-Policy."""

import base64
import hashlib
import json
import os
import re
import sys
import time
import unittest

from test_web import STRONG, Browser, WebCase, csrf_of

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "webauthn"))
import softauthn as sa  # noqa: E402  (python3-fido2, python3-cryptography)

CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class SoftKey:
    """One passkey of a software authenticator (attestation none)."""

    seed = 1000

    def __init__(self, alg=sa.ES256):
        SoftKey.seed += 1
        self.key = sa.Key(alg, SoftKey.seed)
        self.cred_id = hashlib.sha256(b"cred %d" % SoftKey.seed).digest()
        self.count = 0
        self.handle = None

    def create(self, options, origin, count=0):
        pk = options["publicKey"]
        self.handle = b64d(pk["user"]["id"])
        cdj = sa.client_data("webauthn.create", b64d(pk["challenge"]), origin=origin)
        ad = sa.auth_data(pk["rp"]["id"], sa.UP | sa.UV | sa.AT, count, self.cred_id,
                          self.key.cose())
        return {"clientDataJSON": sa.b64u(cdj),
                "attestationObject": sa.b64u(sa.att_object("none", {}, ad))}

    def get(self, options, origin, count=None, bad_sig=False, handle=True, rp_id=None):
        pk = options["publicKey"]
        if count is None:
            self.count += 1
            count = self.count
        cdj = sa.client_data("webauthn.get", b64d(pk["challenge"]), origin=origin,
                             extra={"other_keys_can_be_added_here": "x"})
        ad = sa.auth_data(rp_id or pk["rpId"], sa.UP | sa.UV, count)
        sig = self.key.sign(ad + hashlib.sha256(cdj).digest())
        if bad_sig:
            sig = sa.flip(sig, index=len(sig) // 2)
        out = {"credentialId": sa.b64u(self.cred_id), "clientDataJSON": sa.b64u(cdj),
               "authenticatorData": sa.b64u(ad), "signature": sa.b64u(sig)}
        if handle and self.handle:
            out["userHandle"] = sa.b64u(self.handle)
        return out


class PasskeyCase(WebCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.origin = "http://localhost:%d" % cls.port

    def browser(self, **kw):
        return Browser(self.port, self.tls, host="localhost", **kw)

    def post_json(self, b, path, body, token, origin=None, headers=None):
        h = {"Content-Type": "application/json", "Origin": origin or self.origin}
        if token is not None:
            h["X-CSRF-Token"] = token
        h.update(headers or {})
        resp, text = b.request("POST", path, raw=json.dumps(body), headers=h)
        try:
            data = json.loads(text)
        except ValueError:
            data = text
        return resp, data

    def signed_in(self, user, secret):
        b = self.browser()
        resp, body = self.sign_in(b, user, secret)
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"), body)
        return b

    def account(self, b):
        resp, body = b.get("/account")
        self.assertEqual(resp.status, 200, body)
        return body, csrf_of(body)

    def register(self, b, key, name="key", expect=200, origin=None):
        _, token = self.account(b)
        resp, opts = self.post_json(b, "/webauthn/register/options", {}, token)
        self.assertEqual(resp.status, 200, opts)
        body = dict(key.create(opts, origin or self.origin), name=name, transports=["usb"])
        resp, data = self.post_json(b, "/webauthn/register/verify", body, token)
        self.assertEqual(resp.status, expect, data)
        return opts, data

    def login_options(self, b=None):
        b = b or self.browser()
        resp, body = b.get("/login")
        self.assertIn('id="passkey-login"', body)
        token = csrf_of(body)
        resp, opts = self.post_json(b, "/webauthn/login/options", {}, token)
        self.assertEqual(resp.status, 200, opts)
        return b, token, opts

    def discoverable(self, key, **kw):
        b, token, opts = self.login_options()
        resp, data = self.post_json(b, "/webauthn/login/verify", key.get(opts, self.origin, **kw),
                                    token)
        return b, resp, data

    def passkey_events(self, user):
        return [(e["result"], e["reason"]) for e in self.daemon.audit(user)
                if e["factor"] == "passkey"]

    def user_with_passkey(self, user, alg=sa.ES256):
        secret = self.add_user(user)
        b = self.signed_in(user, secret)
        key = SoftKey(alg)
        self.register(b, key)
        return secret, b, key


class WebPasskey(PasskeyCase):
    def test_register_then_discoverable_login(self):
        secret = self.add_user("alice")
        b = self.signed_in("alice", secret)
        es, ed = SoftKey(sa.ES256), SoftKey(sa.EDDSA)
        opts, data = self.register(b, es, "phone")
        self.assertEqual(data, {"redirect": "/account"})
        pk = opts["publicKey"]
        self.assertEqual(pk["rp"], {"id": "localhost", "name": "Sésame"})
        self.assertEqual(pk["user"]["name"], "alice")
        self.assertEqual(len(b64d(pk["user"]["id"])), 32)
        self.assertEqual(len(b64d(pk["challenge"])), 32)
        self.assertEqual([p["alg"] for p in pk["pubKeyCredParams"]], [-7, -8, -257])
        self.assertEqual(pk["authenticatorSelection"]["residentKey"], "preferred")
        self.assertEqual(pk["authenticatorSelection"]["userVerification"], "preferred")
        self.assertEqual(pk["attestation"], "none")
        self.assertEqual(pk["excludeCredentials"], [])
        opts, _ = self.register(b, ed, "laptop")
        self.assertEqual(opts["publicKey"]["excludeCredentials"],
                         [{"type": "public-key", "id": sa.b64u(es.cred_id),
                           "transports": ["usb"]}])
        self.assertEqual(opts["publicKey"]["user"]["id"], pk["user"]["id"])  # one handle
        body, token = self.account(b)
        self.assertIn('<strong class="passkey-name">phone</strong>', body)
        self.assertIn('<strong class="passkey-name">laptop</strong>', body)
        self.assertIn("never used", body)
        self.assertIn('<form id="passkey-add" hidden', body)
        self.assertIn('<script src="/static/passkey.js" defer></script>', body)
        self.assertEqual(b.post("/logout", {"csrf": token})[0].status, 303)

        for key in (es, ed):
            nb, resp, data = self.discoverable(key)
            self.assertEqual((resp.status, data), (200, {"redirect": "/account"}))
            self.assertIn("sesame_session", nb.cookies)
            self.assertNotIn("sesame_webauthn", nb.cookies)  # the pre-session cookie is gone
            body, _ = self.account(nb)
            self.assertIn("Signed in as alice", body)
        self.assertIn("last used", body)
        self.assertEqual(self.passkey_events("alice")[:4],
                         [("success", "ok"), ("success", "ok"), ("ok", "register"),
                          ("ok", "register")])
        self.assertEqual({e["rhost"] for e in self.daemon.audit("alice")
                          if e["factor"] == "passkey"}, {"127.0.0.1"})
        self.assertEqual(self.failures("alice"), 0)

    def test_second_factor(self):
        secret, b, key = self.user_with_passkey("bea")
        other = self.user_with_passkey("bob")[2]
        b = self.browser()
        resp, _ = self.password_step(b, "bea")
        self.assertEqual(resp.status, 303)
        first = b.cookies["sesame_session"]
        resp, body = b.get("/login/code")
        self.assertIn('id="passkey-second"', body)
        self.assertIn("Use a passkey instead", body)
        token = csrf_of(body)
        resp, opts = self.post_json(b, "/webauthn/login/options", {}, token)
        self.assertEqual(resp.status, 200, opts)
        self.assertEqual([d["id"] for d in opts["publicKey"]["allowCredentials"]],
                         [sa.b64u(key.cred_id)])
        # someone else's passkey is no second factor for bea: counted
        resp, data = self.post_json(b, "/webauthn/login/verify",
                                    other.get(opts, self.origin), token)
        self.assertEqual((resp.status, data["error"]), (403, "passkey_refused"))
        self.assertEqual(self.passkey_events("bea")[0], ("denied", "not_found"))
        self.assertEqual(self.failures("bea"), 1)
        resp, opts = self.post_json(b, "/webauthn/login/options", {}, token)
        resp, data = self.post_json(b, "/webauthn/login/verify", key.get(opts, self.origin),
                                    token)
        self.assertEqual((resp.status, data), (200, {"redirect": "/account"}))
        self.assertNotEqual(b.cookies["sesame_session"], first)  # rotated
        self.assertIn("Signed in as bea", self.account(b)[0])
        self.assertEqual(self.failures("bea"), 0)
        # the password stage's session is dead
        old = self.browser()
        old.cookies["sesame_session"] = first
        self.assertEqual(old.get("/account")[0].getheader("Location"), "/login")

    def test_refusals_are_audited_and_counted(self):
        _, _, key = self.user_with_passkey("cid")
        # wrong origin in clientDataJSON
        b, token, opts = self.login_options()
        resp, data = self.post_json(b, "/webauthn/login/verify",
                                    key.get(opts, "http://evil.example"), token)
        self.assertEqual((resp.status, data["error"]), (403, "passkey_refused"))
        self.assertEqual(self.passkey_events("cid")[0], ("denied", "wrong_origin"))
        self.assertEqual(self.failures("cid"), 1)
        # a flipped signature consumes the challenge ...
        b, token, opts = self.login_options()
        good = key.get(opts, self.origin)
        resp, _ = self.post_json(b, "/webauthn/login/verify",
                                 key.get(opts, self.origin, bad_sig=True), token)
        self.assertEqual(resp.status, 403)
        self.assertEqual(self.passkey_events("cid")[0], ("denied", "bad_signature"))
        # ... so a valid answer to it is a reused challenge
        resp, _ = self.post_json(b, "/webauthn/login/verify", good, token)
        self.assertEqual(resp.status, 403)
        self.assertEqual(self.passkey_events("cid")[0], ("denied", "wrong_challenge"))
        # a challenge bound to another browser's cookie is not this one's
        b2, token2, opts2 = self.login_options()
        b3, token3, _ = self.login_options()
        resp, _ = self.post_json(b3, "/webauthn/login/verify", key.get(opts2, self.origin),
                                 token3)
        self.assertEqual(self.passkey_events("cid")[0], ("denied", "wrong_challenge"))
        # no user handle in a discoverable sign-in
        b, token, opts = self.login_options()
        resp, _ = self.post_json(b, "/webauthn/login/verify",
                                 key.get(opts, self.origin, handle=False), token)
        self.assertEqual(self.passkey_events("cid")[0], ("denied", "wrong_user_handle"))
        self.assertEqual(self.failures("cid"), 5)
        # locked now: a valid assertion is refused with the wait, not verified
        b, token, opts = self.login_options()
        resp, data = self.post_json(b, "/webauthn/login/verify", key.get(opts, self.origin),
                                    token)
        self.assertEqual((resp.status, data["error"]), (429, "locked"))
        self.assertTrue(int(resp.getheader("Retry-After")) > 0)
        self.assertRegex(data["message"], r"try again in \d+ seconds")
        self.assertEqual(self.passkey_events("cid")[0], ("denied", "locked"))
        self.daemon.ok("/v1/user/unlock", {"user": "cid"})
        resp = self.discoverable(key)[1]
        self.assertEqual(resp.status, 200)
        log = self.daemon.read_log()
        self.assertNotIn(opts["publicKey"]["challenge"], log)

    def test_unknown_credential(self):
        b, resp, data = self.discoverable(SoftKey())
        self.assertEqual((resp.status, data["error"]), (403, "passkey_refused"))

    def test_sign_count_regression(self):
        _, _, key = self.user_with_passkey("dee")
        self.assertEqual(self.discoverable(key, count=5)[1].status, 200)
        b, resp, _ = self.discoverable(key, count=3)
        self.assertEqual(resp.status, 403)
        self.assertEqual(self.passkey_events("dee")[0], ("denied", "sign_count_regression"))
        self.assertEqual(self.failures("dee"), 1)
        # 5 was kept: 5 again is a regression too, 6 passes
        self.assertEqual(self.discoverable(key, count=5)[1].status, 403)
        self.assertEqual(self.discoverable(key, count=6)[1].status, 200)
        self.assertEqual(self.failures("dee"), 0)

    def test_registered_twice(self):
        secret, b, key = self.user_with_passkey("eve")
        _, data = self.register(b, key, "again", expect=409)
        self.assertEqual(data["error"], "credential_exists")
        self.assertEqual(self.passkey_events("eve")[0], ("denied", "credential_exists"))
        b2 = self.signed_in("fox", self.add_user("fox"))
        self.register(b2, key, "stolen", expect=409)
        # the registration ceremony's own checks
        _, data = self.register(b, SoftKey(), "x", expect=400, origin="http://evil.example")
        self.assertEqual(data["error"], "passkey_refused")
        self.assertEqual(self.passkey_events("eve")[0], ("denied", "wrong_origin"))
        self.assertEqual(self.failures("eve"), 0)  # not a sign-in failure

    def test_rename_remove_and_last_factor(self):
        secret, b, key = self.user_with_passkey("gil")
        body, token = self.account(b)
        pid = re.search(r'name="id" value="(\d+)"', body).group(1)
        resp, _ = b.post("/account/passkey/rename", {"id": pid, "name": "x", "csrf": "A" * 43})
        self.assertEqual(resp.status, 403)
        resp, _ = b.post("/account/passkey/rename", {"id": pid, "name": "<b>yubi</b>",
                                                     "csrf": token})
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"))
        body, token = self.account(b)
        self.assertIn("&lt;b&gt;yubi&lt;/b&gt;", body)
        resp, _ = b.post("/account/passkey/rename", {"id": pid, "name": "", "csrf": token})
        self.assertEqual(resp.status, 400)
        resp, _ = b.post("/account/passkey/rename", {"id": "999999", "name": "n", "csrf": token})
        self.assertEqual(resp.status, 404)
        # with TOTP gone, the passkey is the last factor: kept
        for item in self.daemon.ok("/v1/totp/list", {"user": "gil"})["totp"]:
            self.daemon.ok("/v1/totp/remove", {"user": "gil", "id": item["id"]})
        resp, _ = b.post("/account/passkey/remove", {"id": pid, "csrf": "B" * 43})
        self.assertEqual(resp.status, 403)
        resp, body = b.post("/account/passkey/remove", {"id": pid, "csrf": token})
        self.assertEqual(resp.status, 409)
        self.assertIn("This is your last second factor", body)
        self.assertEqual(self.passkey_events("gil")[0], ("denied", "last_factor"))
        # a second passkey: the first can go
        self.register(b, SoftKey(sa.EDDSA), "backup")
        body, token = self.account(b)
        resp, _ = b.post("/account/passkey/remove", {"id": pid, "csrf": token})
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"))
        body, _ = self.account(b)
        self.assertNotIn("yubi", body)
        self.assertIn("backup", body)
        self.assertEqual(self.discoverable(key)[1].status, 403)  # removed

    def test_disabled_user(self):
        _, _, key = self.user_with_passkey("hal")
        self.daemon.ok("/v1/user/disable", {"user": "hal"})
        b, resp, data = self.discoverable(key)
        self.assertEqual((resp.status, data["error"]), (403, "account_disabled"))
        self.assertNotIn("sesame_session", b.cookies)
        self.assertEqual(self.passkey_events("hal")[0], ("denied", "account_disabled"))
        self.assertEqual(self.failures("hal"), 0)
        self.daemon.ok("/v1/user/enable", {"user": "hal"})
        self.assertEqual(self.discoverable(key)[1].status, 200)

    def test_request_checks_script_and_csp(self):
        b = self.browser()
        resp, body = b.get("/login")
        self.assertEqual(resp.getheader("Content-Security-Policy"), CSP)
        self.assertIn('<div id="passkey-login" class="passkey" hidden', body)
        self.assertIn("Sign in with a passkey", body)
        self.assertIn('<form method="post" action="/login">', body)  # the form stays
        token = csrf_of(body)
        # no token, a wrong one, another site, no Origin, a form body
        for headers, token_sent in [({}, None), ({}, "A" * 43),
                                    ({"Origin": "http://evil.example"}, token)]:
            resp, _ = self.post_json(b, "/webauthn/login/options", {}, token_sent,
                                     headers=headers)
            self.assertEqual(resp.status, 403, headers)
        resp, _ = b.request("POST", "/webauthn/login/options", raw="{}",
                            headers={"Content-Type": "application/json", "X-CSRF-Token": token})
        self.assertEqual(resp.status, 403)  # no Origin
        resp, _ = b.request("POST", "/webauthn/login/options", raw="a=b",
                            headers={"Origin": self.origin, "X-CSRF-Token": token})
        self.assertEqual(resp.status, 415)
        resp, data = self.post_json(b, "/webauthn/login/options", {"extra": 1}, token)
        self.assertEqual(resp.status, 400)
        resp, data = self.post_json(b, "/webauthn/register/options", {}, token)
        self.assertEqual(resp.status, 401)
        resp, data = self.post_json(b, "/webauthn/login/options", {}, token)
        self.assertEqual(resp.status, 200)
        self.assertEqual(data["publicKey"]["allowCredentials"], [])
        self.assertEqual(data["publicKey"]["rpId"], "localhost")
        self.assertRegex(b.set_cookies[0],
                         r"^sesame_webauthn=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax$")
        resp, _ = b.request("POST", "/webauthn/login/verify", raw="{" * 40000,
                            headers={"Content-Type": "application/json", "Origin": self.origin,
                                     "X-CSRF-Token": token})
        self.assertEqual(resp.status, 413)
        for bad in [{"credentialId": "!!"}, {"credentialId": "AA", "clientDataJSON": 1}, []]:
            resp, _ = self.post_json(b, "/webauthn/login/verify", bad, token)
            self.assertEqual(resp.status, 400, bad)
        resp, js = b.get("/static/passkey.js")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "text/javascript; charset=utf-8")
        self.assertIn("navigator.credentials.create", js)
        self.assertIn("X-CSRF-Token", js)
        self.assertEqual(b.request("POST", "/static/passkey.js", raw="")[0].status, 405)


class WebPasskeyExpiry(PasskeyCase):
    web_config = "challenge_ttl = 2\nuser_verification = required\n"

    def test_expired_challenge(self):
        _, _, key = self.user_with_passkey("ida")
        b, token, opts = self.login_options()
        self.assertEqual(opts["publicKey"]["userVerification"], "required")
        time.sleep(3.2)
        resp, _ = self.post_json(b, "/webauthn/login/verify", key.get(opts, self.origin), token)
        self.assertEqual(resp.status, 403)
        self.assertEqual(self.passkey_events("ida")[0], ("denied", "challenge_expired"))
        self.assertEqual(self.failures("ida"), 1)
        self.assertEqual(self.discoverable(key)[1].status, 200)


if __name__ == "__main__":
    unittest.main()
