"""Enrollment invitations against a real sesame-authd with its web pages:
`sesamectl user invite` (and /v1/user/invite) issue a single-use link;
opening it asks for a password judged by the policy (weak and mismatched
ones refused, the link still usable), the strong one opens a session at
the "enroll" stage that can only add a first factor (TOTP with oathtool,
or a passkey from the software authenticator), which signs the person in.
Used, replaced, expired (row aged in the database), malformed and
disabled-user links are all refused with one sentence and change nothing;
only the token's SHA-256 is stored; everything is audited."""

import hashlib
import json
import os
import re
import subprocess
import time
import unittest

from harness import SESAMECTL, DaemonTestCase, oathtool, secret_of
from test_web import STRONG, csrf_of
from test_web_account import uri_of
from test_web_passkey import PasskeyCase, SoftKey

INVALID = "This invitation link is not valid"
WEAK = "password1234"
TTL = 600


def token_of(url):
    m = re.fullmatch(r"http://localhost:\d+/invite/([A-Za-z0-9_-]{43})", url)
    assert m, url
    return m.group(1)


class Invite(PasskeyCase):
    web_config = "invitation_ttl = %d\n" % TTL

    def invite(self, user, **extra):
        before = int(time.time())
        reply = self.daemon.ok("/v1/user/invite", dict(user=user, **extra))
        self.assertEqual(reply["user"], user)
        # the daemon's time(NULL) reads the coarse clock, which can still show
        # the previous second for a few milliseconds after Python's has moved on
        self.assertTrue(before - 1 + TTL <= reply["expires"] <= int(time.time()) + TTL, reply)
        self.assertTrue(reply["url"].startswith(self.origin + "/invite/"), reply)
        return reply["url"][len(self.origin):]

    def open_link(self, path, b=None):
        b = b or self.browser()
        resp, body = b.get(path)
        return b, resp, body

    def set_password(self, b, path, password=STRONG, again=None):
        _, resp, body = self.open_link(path, b)
        self.assertEqual(resp.status, 200, body)
        return b.post("/invite", {"token": path.rsplit("/", 1)[1], "new": password,
                                  "again": password if again is None else again,
                                  "csrf": csrf_of(body)})

    def invited(self, user, **extra):
        """A browser at the enroll stage of a new user."""
        path = self.invite(user, **extra)
        b = self.browser()
        resp, body = self.set_password(b, path)
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"), body)
        return b, path

    def invite_events(self, user):
        return [(e["service"], e["result"], e["reason"]) for e in reversed(self.daemon.audit(user))
                if e["factor"] == "invite"]

    def assert_invalid(self, path, b=None):
        _, resp, body = self.open_link(path, b)
        self.assertEqual(resp.status, 404, body)
        self.assertIn(INVALID, body)
        self.assertNotIn('action="/invite"', body)

    def test_password_then_totp(self):
        path = self.invite("nina", real_name="Nina Kowalska")
        b, resp, body = self.open_link(path)
        self.assertEqual(resp.status, 200, body)
        self.assertIn("Choose the password of the account nina.", body)
        self.assertIn('autocomplete="new-password"', body)
        self.assertRegex(b.set_cookies[0], r"^sesame_csrf=[A-Za-z0-9_-]{43}; Path=/; HttpOnly")
        # opening the link again (a mail scanner, a second click) uses nothing up
        self.assertEqual(self.open_link(path, b)[1].status, 200)
        # weak, then context (the real name), then mismatched: refused, link still good
        resp, body = self.set_password(b, path, WEAK)
        self.assertEqual(resp.status, 400, body)
        self.assertIn("The password policy refused the new password", body)
        self.assertIn('<ul class="password-reasons"', body)
        resp, body = self.set_password(b, path, "Kowalska-2024-2024!!")
        self.assertEqual(resp.status, 400, body)
        self.assertIn("The password contains your user name, your name", body)
        resp, body = self.set_password(b, path, STRONG, STRONG + "x")
        self.assertEqual(resp.status, 400, body)
        self.assertIn("The two new passwords differ", body)
        self.assertFalse(self.daemon.ok("/v1/user/show", {"user": "nina"})["has_password"])
        self.assertNotIn("sesame_session", b.cookies)
        # strong: a session at the enroll stage
        resp, body = self.set_password(b, path)
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"), body)
        show = self.daemon.ok("/v1/user/show", {"user": "nina"})
        self.assertTrue(show["has_password"])
        self.assertEqual(show["real_name"], "Nina Kowalska")
        self.assert_invalid(path)  # single use
        resp, body = b.get("/account")
        self.assertEqual(resp.status, 200, body)
        self.assertIn("<h1>Set up your account</h1>", body)
        self.assertIn("The password of nina is set. To finish, add a second factor", body)
        self.assertNotIn("Signed in as", body)
        self.assertIn('action="/account/totp/add"', body)
        self.assertIn('id="passkey-add"', body)
        for absent in ('action="/account/password"', "/remove", "/rename"):
            self.assertNotIn(absent, body)
        # the root page leads there too; nothing but adding a factor is allowed
        resp, _ = b.get("/")
        self.assertEqual(resp.getheader("Location"), "/account")
        token = csrf_of(body)
        for p, form in (("/account/password", {"current": STRONG, "new": "x", "again": "x"}),
                        ("/account/totp/remove", {"id": "1"}),
                        ("/account/totp/rename", {"id": "1", "name": "x"}),
                        ("/account/passkey/remove", {"id": "1"})):
            resp, _ = b.post(p, dict(form, csrf=token))
            self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"), p)
        # the password alone does not sign in: no factor yet
        b2 = self.browser()
        resp, _ = self.password_step(b2, "nina")
        self.assertEqual(resp.getheader("Location"), "/login/code")
        resp, _ = b2.get("/account")
        self.assertEqual(resp.getheader("Location"), "/login/code")
        # a TOTP authenticator: QR code, wrong code, then the right one
        resp, body = b.post("/account/totp/add", {"name": "phone", "csrf": token})
        self.assertEqual(resp.status, 200, body)
        self.assertIn("<svg", body)
        self.assertNotIn("/account/totp/remove", body)
        secret = secret_of(uri_of(body))
        enroll_cookie = b.cookies["sesame_session"]
        resp, body = b.post("/account/totp/confirm", {"code": oathtool(secret), "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 200, body)
        self.assertIn("Your account is ready.", body)
        self.assertIn("<h1>Your account</h1>", body)
        self.assertIn('action="/account/password"', body)
        self.assertNotEqual(b.cookies["sesame_session"], enroll_cookie)  # rotated
        resp, body = b.get("/account")
        self.assertEqual(resp.status, 200, body)
        self.assertIn("Authenticator app (TOTP): phone", body)
        # the old cookie is dead
        old = self.browser()
        old.cookies["sesame_session"] = enroll_cookie
        self.assertEqual(old.get("/account")[0].getheader("Location"), "/login")
        # password + code from scratch
        resp, body = self.sign_in(self.browser(), "nina", secret, code=oathtool(secret, offset=30))
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"), body)
        self.assertEqual(self.invite_events("nina"),
                         [("sesamectl", "ok", "issued"), ("web", "ok", "accepted")])

    def test_reinvitation_signs_out_everywhere(self):
        b, _ = self.invited("vic")
        _, token = self.account(b)
        resp, body = b.post("/account/totp/add", {"name": "phone", "csrf": token})
        secret = secret_of(uri_of(body))
        resp, body = b.post("/account/totp/confirm", {"code": oathtool(secret), "csrf": csrf_of(body)})
        self.assertIn("Your account is ready.", body)
        self.assertEqual(b.get("/account")[0].status, 200)
        # lost device: a new invitation, used from another browser
        b2, _ = self.invited("vic")
        resp, _ = b.get("/account")
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/login"))
        self.assertEqual(b2.get("/account")[0].status, 200)

    def test_password_then_passkey(self):
        b, _ = self.invited("omar")
        body, token = self.account(b)
        self.assertIn("<h1>Set up your account</h1>", body)
        key = SoftKey()
        resp, opts = self.post_json(b, "/webauthn/register/options", {}, token)
        self.assertEqual(resp.status, 200, opts)
        self.assertEqual(opts["publicKey"]["user"]["name"], "omar")
        enroll_cookie = b.cookies["sesame_session"]
        reg = dict(key.create(opts, self.origin), name="laptop", transports=["internal"])
        resp, data = self.post_json(b, "/webauthn/register/verify", reg, token)
        self.assertEqual((resp.status, data), (200, {"redirect": "/account"}))
        self.assertNotEqual(b.cookies["sesame_session"], enroll_cookie)
        body, _ = self.account(b)
        self.assertIn("<h1>Your account</h1>", body)
        self.assertIn('<strong class="passkey-name">laptop</strong>', body)
        # the passkey alone signs in, without a user name
        _, resp, data = self.discoverable(key)
        self.assertEqual((resp.status, data), (200, {"redirect": "/account"}))

    def test_links_that_open_nothing(self):
        path = self.invite("pia")
        token = path.rsplit("/", 1)[1]
        for bad in ("/invite/", "/invite/abc", "/invite/" + "A" * 43, "/invite/" + token + "A",
                    "/invite/" + token[:-1], "/invite/" + token[:-1] + "%%%02X" % ord("B" if token[-1] == "A" else "A"), "/invite/" + "A" * 4000,
                    "/invite/" + token + "/", "/invite/..%2Flogin"):
            self.assert_invalid(bad)
        # a POST needs the form's CSRF cookie and a live token
        b, resp, body = self.open_link(path)
        csrf = csrf_of(body)
        resp, _ = b.post("/invite", {"token": token, "new": STRONG, "again": STRONG, "csrf": "A" * 43})
        self.assertEqual(resp.status, 403)
        resp, _ = self.browser().post("/invite", {"token": token, "new": STRONG, "again": STRONG,
                                                  "csrf": csrf})
        self.assertEqual(resp.status, 403)
        resp, body = b.post("/invite", {"token": "B" * 43, "new": STRONG, "again": STRONG,
                                        "csrf": csrf})
        self.assertEqual(resp.status, 404, body)
        resp, body = b.post("/invite", {"token": token, "new": STRONG, "again": STRONG,
                                        "csrf": csrf, "extra": "1"})
        self.assertEqual(resp.status, 400, body)
        # a newer invitation replaces it
        newer = self.invite("pia")
        self.assert_invalid(path)
        self.assertEqual(self.open_link(newer)[1].status, 200)
        # disabled: the link opens nothing, and no invitation is issued
        self.daemon.ok("/v1/user/disable", {"user": "pia"})
        self.assert_invalid(newer)
        status, reply = self.daemon.call("/v1/user/invite", {"user": "pia"})
        self.assertEqual(status, 403, reply)
        self.assertIn("disabled", reply["message"])
        self.daemon.ok("/v1/user/enable", {"user": "pia"})
        self.assertEqual(self.open_link(newer)[1].status, 200)
        # expired: the row aged in the database
        n = len(self.daemon.sql("UPDATE invitations SET expires = ? RETURNING 1",
                                (int(time.time()) - 1,)))
        self.assertGreaterEqual(n, 1)
        self.assert_invalid(newer)
        resp, body = b.post("/invite", {"token": newer.rsplit("/", 1)[1], "new": STRONG,
                                        "again": STRONG, "csrf": csrf})
        self.assertEqual(resp.status, 404, body)
        self.assertFalse(self.daemon.ok("/v1/user/show", {"user": "pia"})["has_password"])

    def test_only_the_hash_is_stored(self):
        path = self.invite("quinn")
        token = path.rsplit("/", 1)[1]
        rows = self.daemon.sql("SELECT token_hash FROM invitations")
        self.assertIn((hashlib.sha256(self.b64u_decode(token)).digest(),), rows)
        self.assertNotIn(token.encode(), self.daemon.stored_bytes())
        for name in os.listdir(self.daemon.tmp):  # the daemon's files (the SQLite store)
            p = os.path.join(self.daemon.tmp, name)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    self.assertNotIn(token.encode(), f.read(), name)
        self.assertNotIn(token, self.daemon.read_log())

    def test_french(self):
        path = self.invite("ugo")
        b = self.browser(lang="fr-FR,fr;q=0.9")
        _, resp, body = self.open_link(path, b)
        self.assertEqual(resp.status, 200, body)
        self.assertIn('<html lang="fr">', body)
        self.assertIn("Choisissez le mot de passe du compte ugo.", body)
        resp, body = b.post("/invite", {"token": path.rsplit("/", 1)[1], "new": STRONG,
                                        "again": STRONG, "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 303, body)
        resp, body = b.get("/account")
        self.assertIn("<h1>Configurer votre compte</h1>", body)
        self.assertIn("Le mot de passe de ugo est défini.", body)
        _, resp, body = self.open_link(path, b)
        self.assertEqual(resp.status, 404, body)
        self.assertIn("Ce lien d’invitation n’est pas valide", body)

    @staticmethod
    def b64u_decode(s):
        import base64
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

    def test_api_checks(self):
        for body, status in (({}, 400), ({"user": ""}, 400), ({"user": "a/b"}, 400),
                             ({"user": "x", "real_name": "a\nb"}, 400),
                             ({"user": "x", "other": 1}, 400)):
            got, reply = self.daemon.call("/v1/user/invite", body)
            self.assertEqual(got, status, (body, reply))
        script = ("import http.client, json, socket, sys\n"
                  "c = http.client.HTTPConnection('localhost')\n"
                  "c.sock = socket.socket(socket.AF_UNIX); c.sock.connect(sys.argv[1])\n"
                  "c.request('POST', '/v1/user/invite', json.dumps({'user': 'nobody'}),"
                  " {'Content-Type': 'application/json'})\n"
                  "print(c.getresponse().status)\n")
        out = subprocess.check_output(["setpriv", "--reuid=nobody", "--regid=nogroup",
                                       "--clear-groups", "/usr/bin/python3", "-c", script,
                                       self.daemon.socket], text=True)
        self.assertEqual(out.strip(), "403")
        self.assertFalse(self.daemon.ok("/v1/user/show", {"user": "nobody"})["known"])

    @unittest.skipUnless(SESAMECTL, "SESAMECTL is not set")
    def test_sesamectl(self):
        run = subprocess.run([SESAMECTL, "--socket", self.daemon.socket, "user", "invite", "rosa",
                              "--real-name", "Rosa Lind"], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        url = run.stdout.strip()
        token_of(url)
        self.assertRegex(run.stderr, r"^Single-use enrollment link for rosa, valid until \d{4}-")
        self.assertEqual(self.open_link(url[len(self.origin):])[1].status, 200)
        run = subprocess.run([SESAMECTL, "--socket", self.daemon.socket, "--json", "user", "invite",
                              "rosa"], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        reply = json.loads(run.stdout)
        self.assertEqual(sorted(reply), ["expires", "url", "user"])
        self.assert_invalid(url[len(self.origin):])  # replaced
        self.assertEqual(self.daemon.ok("/v1/user/show", {"user": "rosa"})["real_name"], "Rosa Lind")
        self.daemon.ok("/v1/user/disable", {"user": "rosa"})
        run = subprocess.run([SESAMECTL, "--socket", self.daemon.socket, "user", "invite", "rosa"],
                             capture_output=True, text=True)
        self.assertEqual((run.returncode, run.stdout), (1, ""))
        self.assertIn("disabled", run.stderr)
        run = subprocess.run([SESAMECTL, "user", "invite", "--help"], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0)
        self.assertIn("single-use", run.stdout.lower())


class InvitePublicUrl(PasskeyCase):
    web_config = "public_url = https://sso.example.org\n"

    def test_link_uses_public_url(self):
        reply = self.daemon.ok("/v1/user/invite", {"user": "sam"})
        self.assertRegex(reply["url"], r"^https://sso\.example\.org/invite/[A-Za-z0-9_-]{43}$")
        self.assertAlmostEqual(reply["expires"] - time.time(), 86400, delta=5)


class InviteWithoutWeb(DaemonTestCase):
    def test_refused_when_no_page_would_open(self):
        status, reply = self.daemon.call("/v1/user/invite", {"user": "tom"})
        self.assertEqual(status, 500, reply)
        self.assertIn("[web] listen", reply["message"])
        self.assertFalse(self.daemon.ok("/v1/user/show", {"user": "tom"})["known"])


if __name__ == "__main__":
    unittest.main()
