"""The OpenID Connect provider against a real sesame-authd: discovery as
MAS's strict mode checks it, JWKS, the authorization code flow through the
real sign-in pages (password + TOTP by oathtool), ID tokens verified here
with python3-cryptography, userinfo, refresh rotation, revocation,
introspection, and the negative cases the specs name: unknown client or
redirect URI (no redirect), extra redirect URI, reused code (its tokens
revoked), wrong or missing PKCE verifier, PKCE missing for a public client,
expired code, wrong client secret, unmet acr_values and client requirement,
prompt=none, refresh-token reuse (the family revoked), key rotation in the
middle of a flow; sesamectl client and oidc commands."""

import base64
import hashlib
import http.server
import json
import os
import queue
import secrets
import socket
import subprocess
import threading
import time
import unittest
import urllib.parse

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from harness import SESAMECTL, oathtool
from test_web import Browser, WebCase, csrf_of

SECRET = "s3cret-of-the-app-0123456789abcdefghij"
REDIRECT = "http://localhost:9999/cb"


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def verify_jwt(token, jwks):
    """The claims of token once its signature checks with the JWKS key it
    names (RS256, ES256, EdDSA); AssertionError otherwise."""
    h64, c64, s64 = token.split(".")
    header = json.loads(b64d(h64))
    key = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    assert len(key) == 1, "kid %s not in the JWKS" % header["kid"]
    k, data, sig = key[0], (h64 + "." + c64).encode(), b64d(s64)
    assert header["alg"] == k["alg"], header
    if k["kty"] == "RSA":
        pub = rsa.RSAPublicNumbers(int.from_bytes(b64d(k["e"]), "big"),
                                   int.from_bytes(b64d(k["n"]), "big")).public_key()
        pub.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
    elif k["kty"] == "EC":
        pub = ec.EllipticCurvePublicNumbers(int.from_bytes(b64d(k["x"]), "big"),
                                            int.from_bytes(b64d(k["y"]), "big"),
                                            ec.SECP256R1()).public_key()
        assert len(sig) == 64
        pub.verify(encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                        int.from_bytes(sig[32:], "big")),
                   data, ec.ECDSA(hashes.SHA256()))
    else:
        Ed25519PublicKey.from_public_bytes(b64d(k["x"])).verify(sig, data)
    return header, json.loads(b64d(c64))


def pkce():
    verifier = b64e(secrets.token_bytes(32))
    return verifier, b64e(hashlib.sha256(verifier.encode()).digest())


CONFIG = ("[oidc]\nenabled = yes\nalgorithms = RS256, ES256, EdDSA\n"
          "[oidc.client.app]\nredirect_uri = %s\nredirect_uri = http://localhost:9999/other\n"
          "secret_sha256 = %s\nbackchannel_logout_uri = http://localhost:%%d/logout\n"
          "[oidc.client.ec]\nredirect_uri = %s\nauth_method = client_secret_post\n"
          "secret_sha256 = %s\nsigning_alg = ES256\n"
          % (REDIRECT, hashlib.sha256(SECRET.encode()).hexdigest(), REDIRECT,
             hashlib.sha256(SECRET.encode()).hexdigest()))


class LogoutReceiver(http.server.BaseHTTPRequestHandler):
    """A relying party's back-channel logout endpoint: queues the tokens."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.tokens.put((self.headers["Content-Type"], urllib.parse.parse_qs(body)))
        self.send_response(200)
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def log_message(self, *args):
        pass


class OidcCase(WebCase):
    @classmethod
    def setUpClass(cls):
        cls.receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), LogoutReceiver)
        cls.receiver.tokens = queue.Queue()
        threading.Thread(target=cls.receiver.serve_forever, daemon=True).start()
        cls.web_config = CONFIG % cls.receiver.server_address[1]
        super().setUpClass()
        cls.issuer = "http://localhost:%d" % cls.port

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.receiver.shutdown()
        cls.receiver.server_close()

    def ctl(self, *args):
        p = subprocess.run([SESAMECTL, "--socket", self.daemon.socket] + list(args),
                           capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout, p.stderr

    def jwks(self):
        resp, body = self.browser().get("/oidc/jwks")
        self.assertEqual(resp.status, 200)
        return json.loads(body)

    def authorize(self, b, **params):
        q = {"client_id": "app", "redirect_uri": REDIRECT, "response_type": "code",
             "scope": "openid profile", "state": "st-" + secrets.token_hex(4),
             "nonce": "n-" + secrets.token_hex(4)}
        q.update(params)
        q = {k: v for k, v in q.items() if v is not None}
        return q, b.get("/oidc/authorize?" + urllib.parse.urlencode(q))

    def signed_in_browser(self, user):
        """A browser signed in as user (password + TOTP) through an
        authorization request; returns (browser, first callback URL, params)."""
        secret = self.add_user(user)
        b = self.browser()
        q, (resp, body) = self.authorize(b)
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/login"), body)
        self.assertIn("sesame_oidc", b.cookies)
        resp, body = b.get("/login")
        resp, body = b.post("/login", {"user": user, "password": "violet-tractor-quantum-harbor-97",
                                       "csrf": csrf_of(body)})
        self.assertEqual(resp.getheader("Location"), "/login/code", body)
        resp, body = b.get("/login/code")
        resp, body = b.post("/login/code", {"code": oathtool(secret), "csrf": csrf_of(body)})
        # a page that goes on by itself: a 303 after a form would meet the
        # CSP's form-action 'self' on its way to the relying party
        self.assertEqual(resp.status, 200, body)
        self.assertIn('<meta http-equiv="refresh" content="0;url=/oidc/resume">', body)
        resp, body = b.get("/oidc/resume")
        self.assertEqual(resp.status, 303, body)
        self.assertNotIn("sesame_oidc", b.cookies)
        return b, resp.getheader("Location"), q

    def callback(self, location, q):
        self.assertTrue(location.startswith(REDIRECT + "?"), location)
        got = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        got = {k: v[0] for k, v in got.items()}
        self.assertEqual(got.get("state"), q.get("state"))
        self.assertEqual(got.get("iss"), self.issuer)
        return got

    def token(self, form, auth=("app", SECRET), headers=None):
        h = dict(headers or {})
        if auth:
            h["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % tuple(urllib.parse.quote(x, safe="") for x in auth)).encode()).decode()
        resp, body = self.browser().post("/oidc/token", form, headers=h)
        return resp, json.loads(body)

    def code_grant(self, code, verifier=None, redirect=REDIRECT, auth=("app", SECRET)):
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect}
        if verifier:
            form["code_verifier"] = verifier
        return self.token(form, auth)

    def userinfo(self, access):
        resp, body = self.browser().get("/oidc/userinfo",
                                        headers={"Authorization": "Bearer " + access})
        return resp, json.loads(body)

    def new_code(self, b, **params):
        q, (resp, body) = self.authorize(b, **params)
        self.assertEqual(resp.status, 303, body)
        return self.callback(resp.getheader("Location"), q), q


class Oidc(OidcCase):
    def test_discovery_meets_mas_strict_mode(self):
        resp, body = self.browser().get("/.well-known/openid-configuration")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "application/json")
        d = json.loads(body)
        self.assertEqual(d["issuer"], self.issuer)
        for k in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint",
                  "revocation_endpoint", "introspection_endpoint", "end_session_endpoint"):
            self.assertTrue(d[k].startswith(self.issuer + "/"), k)
        self.assertIn("code", d["response_types_supported"])
        self.assertEqual(d["subject_types_supported"], ["public"])
        self.assertEqual(d["id_token_signing_alg_values_supported"], ["RS256", "ES256", "EdDSA"])
        self.assertIn("openid", d["scopes_supported"])
        self.assertEqual(d["code_challenge_methods_supported"], ["S256"])
        self.assertIs(d["backchannel_logout_supported"], True)
        self.assertIs(d["backchannel_logout_session_supported"], True)
        for k, v in d.items():
            if k.endswith("alg_values_supported"):
                self.assertNotIn("none", v, k)
        # the JWKS: current and next of each algorithm, public halves only
        keys = self.jwks()["keys"]
        algs = [k["alg"] for k in keys]
        for alg in ("RS256", "ES256", "EdDSA"):  # and "previous" after a rotation
            self.assertIn(algs.count(alg), (2, 3), alg)
        for k in keys:
            self.assertFalse({"d", "p", "q", "dp", "dq", "qi"} & set(k), k)
            self.assertEqual(k["use"], "sig")

    def test_code_flow_tokens_userinfo_refresh_revocation(self):
        b, location, q = self.signed_in_browser("oidc-alice")
        got = self.callback(location, q)
        resp, tok = self.code_grant(got["code"])
        self.assertEqual(resp.status, 200, tok)
        self.assertEqual(resp.getheader("Cache-Control"), "no-store")
        self.assertEqual(tok["token_type"], "Bearer")
        header, claims = verify_jwt(tok["id_token"], self.jwks())
        self.assertEqual(header["alg"], "RS256")
        self.assertEqual(header["typ"], "JWT")
        self.assertEqual(claims["iss"], self.issuer)
        self.assertEqual(claims["sub"], "oidc-alice")
        self.assertEqual(claims["aud"], "app")
        self.assertEqual(claims["azp"], "app")
        self.assertEqual(claims["nonce"], q["nonce"])
        self.assertEqual(claims["amr"], ["pwd", "otp", "mfa"])
        self.assertEqual(claims["acr"], "mfa")
        self.assertLessEqual(abs(claims["iat"] - time.time()), 5)
        self.assertGreater(claims["exp"], claims["iat"])
        self.assertLessEqual(claims["auth_time"], claims["iat"])
        self.assertRegex(claims["sid"], r"^[A-Za-z0-9_-]{22}$")
        self.assertEqual(claims["at_hash"],
                         b64e(hashlib.sha256(tok["access_token"].encode()).digest()[:16]))
        resp, info = self.userinfo(tok["access_token"])
        self.assertEqual((resp.status, info["sub"], info["preferred_username"]),
                         (200, "oidc-alice", "oidc-alice"))
        # introspection: only the client the token was given to learns about it
        resp, body = self.browser().post("/oidc/introspect", {"token": tok["access_token"]},
                                         headers=self.basic("app"))
        i = json.loads(body)
        self.assertEqual((i["active"], i["client_id"], i["sub"], i["acr"]),
                         (True, "app", "oidc-alice", "mfa"))
        resp, body = self.browser().post("/oidc/introspect",
                                         {"token": tok["access_token"], "client_id": "ec",
                                          "client_secret": SECRET})
        self.assertEqual(json.loads(body), {"active": False})
        # refresh: rotated; the old one reused revokes the whole family
        resp, tok2 = self.token({"grant_type": "refresh_token", "refresh_token": tok["refresh_token"]})
        self.assertEqual(resp.status, 200, tok2)
        self.assertNotEqual(tok2["refresh_token"], tok["refresh_token"])
        _, claims2 = verify_jwt(tok2["id_token"], self.jwks())
        self.assertEqual((claims2["sub"], claims2["sid"], claims2["auth_time"]),
                         (claims["sub"], claims["sid"], claims["auth_time"]))
        self.assertEqual(self.userinfo(tok2["access_token"])[0].status, 200)
        resp, err = self.token({"grant_type": "refresh_token", "refresh_token": tok["refresh_token"]})
        self.assertEqual((resp.status, err["error"]), (400, "invalid_grant"))
        resp, err = self.token({"grant_type": "refresh_token", "refresh_token": tok2["refresh_token"]})
        self.assertEqual((resp.status, err["error"]), (400, "invalid_grant"))
        resp, err = self.userinfo(tok2["access_token"])
        self.assertEqual(resp.status, 401)
        self.assertEqual(resp.getheader("WWW-Authenticate"), 'Bearer error="invalid_token"')
        events = [(e["service"], e["factor"], e["result"], e["reason"])
                  for e in self.daemon.audit("oidc-alice")]
        self.assertIn(("app", "oidc", "denied", "refresh_reused"), events)
        self.assertIn(("app", "oidc", "ok", "code"), events)

        # the same browser session: a new request gets a code without a sign-in
        got, q = self.new_code(b)
        resp, tok = self.code_grant(got["code"])
        self.assertEqual(resp.status, 200, tok)
        # revocation of the refresh token ends its grant, access token included
        resp, body = self.browser().post("/oidc/revoke", {"token": tok["refresh_token"],
                                                          "token_type_hint": "refresh_token"},
                                         headers=self.basic("app"))
        self.assertEqual(resp.status, 200, body)
        self.assertEqual(self.userinfo(tok["access_token"])[0].status, 401)
        # an unknown token is no error (RFC 7009 §2.2)
        resp, body = self.browser().post("/oidc/revoke", {"token": "nothing"},
                                         headers=self.basic("app"))
        self.assertEqual(resp.status, 200)

        # a code used twice: refused, and what the first use gave is revoked
        got, q = self.new_code(b)
        resp, tok = self.code_grant(got["code"])
        self.assertEqual(resp.status, 200, tok)
        resp, err = self.code_grant(got["code"])
        self.assertEqual((resp.status, err["error"]), (400, "invalid_grant"))
        self.assertEqual(self.userinfo(tok["access_token"])[0].status, 401)
        resp, err = self.token({"grant_type": "refresh_token", "refresh_token": tok["refresh_token"]})
        self.assertEqual(err["error"], "invalid_grant")

        # another redirect URI at the token endpoint, expired code, wrong secret
        got, q = self.new_code(b)
        resp, err = self.code_grant(got["code"], redirect="http://localhost:9999/other")
        self.assertEqual((resp.status, err["error"]), (400, "invalid_grant"))
        got, q = self.new_code(b)
        resp, err = self.code_grant(got["code"], auth=("app", SECRET + "x"))
        self.assertEqual((resp.status, err["error"]), (401, "invalid_client"))
        self.assertEqual(resp.getheader("WWW-Authenticate"), 'Basic realm="sesame"')
        resp, err = self.code_grant(got["code"], auth=("ec", SECRET))  # not its method
        self.assertEqual((resp.status, err["error"]), (401, "invalid_client"))
        self.daemon.sql("UPDATE oidc_codes SET expires = 1 WHERE used = 0")
        resp, err = self.code_grant(got["code"])
        self.assertEqual((resp.status, err["error"], err["error_description"]),
                         (400, "invalid_grant", "This code has expired."))

        # key rotation between the code and its exchange: the new key signs
        # and the JWKS still has the old one
        got, q = self.new_code(b)
        before = {k["kid"] for k in self.jwks()["keys"]}
        rc, out, err = self.ctl("oidc", "rotate-keys")
        self.assertEqual(rc, 0, err)
        after = {k["kid"] for k in self.jwks()["keys"]}
        self.assertEqual(len(after), 9)  # previous, current, next of each algorithm
        self.assertTrue(before < after)
        resp, tok = self.code_grant(got["code"])
        header, _ = verify_jwt(tok["id_token"], self.jwks())
        self.assertIn(header["kid"], before)  # the "next" key published ahead now signs
        # an ID token changed in one byte fails here as at any relying party
        h, c, s = tok["id_token"].split(".")
        claims = json.loads(b64d(c))
        claims["sub"] = "mallory"
        with self.assertRaises(Exception):
            verify_jwt(".".join([h, b64e(json.dumps(claims).encode()), s]), self.jwks())

        # ES256 for the client that asks for it, client_secret_post
        got, q = self.new_code(b, client_id="ec")
        resp, tok = self.token({"grant_type": "authorization_code", "code": got["code"],
                                "redirect_uri": REDIRECT, "client_id": "ec",
                                "client_secret": SECRET}, auth=None)
        self.assertEqual(resp.status, 200, tok)
        header, claims = verify_jwt(tok["id_token"], self.jwks())
        self.assertEqual((header["alg"], claims["aud"]), ("ES256", "ec"))

        # prompt=login sends a signed-in browser to the sign-in form again
        q, (resp, body) = self.authorize(b, prompt="login")
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/login"))
        resp, body = b.get("/login")
        self.assertEqual(resp.status, 200)
        self.assertIn('action="/login"', body)
        # max_age=0 too; prompt=none with an old sign-in: login_required
        q, (resp, body) = self.authorize(b, prompt="none", max_age="0")
        time.sleep(1.1)
        q, (resp, body) = self.authorize(b, prompt="none", max_age="0")
        got = self.callback(resp.getheader("Location"), q)
        self.assertEqual(got["error"], "login_required")

    def basic(self, client):
        return {"Authorization": "Basic " + base64.b64encode(
            ("%s:%s" % (client, SECRET)).encode()).decode()}

    def test_refusals_without_redirect(self):
        b = self.browser()
        for params in ({"client_id": "nobody"}, {"client_id": None},
                       {"redirect_uri": "http://localhost:9999/cb2"},
                       {"redirect_uri": REDIRECT + "?x=1"}, {"redirect_uri": None}):
            q, (resp, body) = self.authorize(b, **params)
            self.assertEqual(resp.status, 400, params)
            self.assertIsNone(resp.getheader("Location"), params)
            self.assertIn("unknown, or asked to send you back", body)
        # a repeated redirect_uri: which one is unclear, no redirect either
        resp, body = b.get("/oidc/authorize?client_id=app&redirect_uri=%s&redirect_uri=%s"
                           "&response_type=code&scope=openid"
                           % (urllib.parse.quote(REDIRECT), urllib.parse.quote(REDIRECT)))
        self.assertEqual(resp.status, 400)

    def test_refusals_to_the_redirect_uri(self):
        b = self.browser()
        cases = [
            ({"response_type": "token"}, "unsupported_response_type"),
            ({"scope": "profile"}, "invalid_scope"),
            ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request"),
            ({"code_challenge": "short", "code_challenge_method": "S256"}, "invalid_request"),
            ({"request": "eyJ..."}, "request_not_supported"),
            ({"prompt": "none login"}, "invalid_request"),
            ({"max_age": "soon"}, "invalid_request"),
            ({"prompt": "none"}, "login_required"),
            ({"acr_values": "urn:example:loa:4"}, "unmet_authentication_requirements"),
            ({"claims": json.dumps({"id_token": {"acr": {"essential": True,
                                                         "values": ["eidas3"]}}})},
             "unmet_authentication_requirements"),
            ({"claims": "{not json"}, "invalid_request"),
        ]
        for params, error in cases:
            q, (resp, body) = self.authorize(b, **params)
            self.assertEqual(resp.status, 303, (params, body))
            got = self.callback(resp.getheader("Location"), q)
            self.assertEqual(got["error"], error, params)

    def test_public_client_pkce(self):
        rc, out, err = self.ctl("client", "add", "spa", "--public", "--redirect-uri", REDIRECT,
                                "--json")
        self.assertEqual(rc, 0, err)
        self.assertNotIn("secret", json.loads(out))
        b, location, q = self.signed_in_browser("oidc-bob")
        # the request that brought the sign-in was app's; now the public client
        q, (resp, body) = self.authorize(b, client_id="spa")
        got = self.callback(resp.getheader("Location"), q)
        self.assertEqual(got["error"], "invalid_request")  # no PKCE
        verifier, challenge = pkce()
        form = lambda code, v: {"grant_type": "authorization_code", "code": code,
                                "redirect_uri": REDIRECT, "client_id": "spa",
                                **({"code_verifier": v} if v else {})}
        for wrong in (None, pkce()[0], verifier + "x"):
            got, q = self.new_code(b, client_id="spa", code_challenge=challenge,
                                   code_challenge_method="S256")
            resp, err = self.token(form(got["code"], wrong), auth=None)
            self.assertEqual((resp.status, err["error"]), (400, "invalid_grant"), wrong)
            # the code is spent by the failure: the right verifier is too late
            resp, err = self.token(form(got["code"], verifier), auth=None)
            self.assertEqual(err["error"], "invalid_grant")
        got, q = self.new_code(b, client_id="spa", code_challenge=challenge,
                               code_challenge_method="S256")
        resp, tok = self.token(form(got["code"], verifier), auth=None)
        self.assertEqual(resp.status, 200, tok)
        # a confidential client that used no PKCE cannot send a verifier
        got, q = self.new_code(b)
        resp, err = self.code_grant(got["code"], verifier=verifier)
        self.assertEqual(err["error"], "invalid_grant")

    def test_client_requirement_is_enforced(self):
        rc, out, err = self.ctl("client", "add", "admin-console", "--redirect-uri", REDIRECT,
                                "--require", "passkey")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"Secret: +[A-Za-z0-9_-]{43}\n")
        b, location, q = self.signed_in_browser("oidc-carol")
        # password + code does not meet "passkey": sent to sign in, and after
        # it the request is refused, never answered with a weaker sign-in
        q, (resp, body) = self.authorize(b, client_id="admin-console")
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/login"))
        resp, body = b.get("/oidc/resume")
        got = self.callback(resp.getheader("Location"), q)
        self.assertEqual(got["error"], "access_denied")
        q, (resp, body) = self.authorize(b, client_id="admin-console", prompt="none")
        got = self.callback(resp.getheader("Location"), q)
        self.assertEqual(got["error"], "interaction_required")
        # acr_values=mfa is met by password + code
        got, q = self.new_code(b, acr_values="mfa")
        self.assertIn("code", got)
        # the resume link without its cookie, or twice
        resp, body = b.get("/oidc/resume")
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/account"))
        b.cookies["sesame_oidc"] = "A" * 43
        resp, body = b.get("/oidc/resume")
        self.assertEqual(resp.status, 400)
        self.assertIn("expired", body)

    def test_sesamectl_clients(self):
        rc, out, err = self.ctl("client", "add", "mm", "--redirect-uri",
                                "https://chat.example/signup/openid/complete", "--json")
        self.assertEqual(rc, 0, err)
        added = json.loads(out)
        self.assertRegex(added["secret"], r"^[A-Za-z0-9_-]{43}$")
        rc, out, err = self.ctl("client", "show", "mm", "--json")
        self.assertNotIn("secret", json.loads(out))
        self.assertNotIn(added["secret"], out)
        rc, out, err = self.ctl("client", "list")
        self.assertRegex(out, r"(?m)^app +confidential +client_secret_basic +\(web\) +configuration$")
        self.assertRegex(out, r"(?m)^mm +confidential")
        # the secret works once stored hashed; a wrong one does not
        self.assertNotIn(added["secret"].encode(), self.daemon.stored_bytes())
        rc, out, err = self.ctl("client", "add", "mm", "--redirect-uri", REDIRECT)
        self.assertEqual(rc, 1)
        self.assertIn("taken", err)
        for bad in (["--redirect-uri", "http://chat.example/cb"],
                    ["--redirect-uri", "https://chat.example/cb#frag"],
                    ["--redirect-uri", REDIRECT, "--require", "password+smoke"],
                    ["--redirect-uri", REDIRECT, "--signing-alg", "HS256"],
                    ["--redirect-uri", REDIRECT, "--auth-method", "private_key_jwt"]):
            rc, out, err = self.ctl("client", "add", "x", *bad)
            self.assertEqual(rc, 1, bad)
        rc, out, err = self.ctl("client", "remove", "app")
        self.assertEqual(rc, 1)
        self.assertIn("configuration file", err)
        rc, out, err = self.ctl("client", "remove", "mm")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.ctl("client", "show", "mm")
        self.assertEqual(rc, 1)


class Logout(OidcCase):
    def logout_token(self, sub):
        """The next logout token posted, checked as MAS and Synapse do."""
        ctype, form = self.receiver.tokens.get(timeout=10)
        self.assertEqual(ctype, "application/x-www-form-urlencoded")
        header, claims = verify_jwt(form["logout_token"][0], self.jwks())
        self.assertEqual(header["typ"], "logout+jwt")
        self.assertEqual((claims["iss"], claims["aud"], claims["sub"]), (self.issuer, "app", sub))
        self.assertLessEqual(abs(claims["iat"] - time.time()), 5)
        self.assertGreater(claims["exp"], claims["iat"])
        self.assertEqual(claims["events"],
                         {"http://schemas.openid.net/event/backchannel-logout": {}})
        self.assertNotIn("nonce", claims)
        self.assertTrue(claims["jti"])
        return claims

    def test_sign_out_disable_and_rp_initiated_logout(self):
        # the web sign-out: the session's clients are told, its grants revoked
        b, location, q = self.signed_in_browser("oidc-dave")
        resp, tok = self.code_grant(self.callback(location, q)["code"])
        _, id_claims = verify_jwt(tok["id_token"], self.jwks())
        got, q2 = self.new_code(b, client_id="ec")  # no back-channel URI: nothing sent
        resp, body = b.get("/account")
        resp, body = b.post("/logout", {"csrf": csrf_of(body)})
        self.assertEqual(resp.getheader("Location"), "/login")
        claims = self.logout_token("oidc-dave")
        self.assertEqual(claims["sid"], id_claims["sid"])
        self.assertTrue(self.receiver.tokens.empty())
        resp, err = self.token({"grant_type": "refresh_token", "refresh_token": tok["refresh_token"]})
        self.assertEqual(err["error"], "invalid_grant")

        # an administrator disables a user: every session of theirs
        b, location, q = self.signed_in_browser("oidc-erin")
        resp, tok = self.code_grant(self.callback(location, q)["code"])
        self.daemon.ok("/v1/user/disable", {"user": "oidc-erin"})
        self.assertEqual(self.logout_token("oidc-erin")["sid"],
                         verify_jwt(tok["id_token"], self.jwks())[1]["sid"])
        self.assertEqual(self.userinfo(tok["access_token"])[0].status, 401)

        # RP-initiated logout: a GET only asks; the POST (same-origin form) ends it
        b, location, q = self.signed_in_browser("oidc-fred")
        resp, tok = self.code_grant(self.callback(location, q)["code"])
        path = "/oidc/logout?" + urllib.parse.urlencode(
            {"client_id": "app", "post_logout_redirect_uri": REDIRECT, "state": "bye now"})
        resp, body = b.get(path)
        self.assertEqual(resp.status, 200)
        self.assertIn("asks to sign you out", body)
        self.assertTrue(self.receiver.tokens.empty())
        form = {"csrf": csrf_of(body), "client_id": "app", "post_logout_redirect_uri": REDIRECT,
                "state": "bye now"}
        resp, body = b.post("/oidc/logout", dict(form, csrf="A" * 43))
        self.assertEqual(resp.status, 403)
        resp, body = b.post("/oidc/logout", form)
        self.assertEqual(resp.status, 200)
        self.assertIn('content="0;url=%s?state=bye%%20now"' % REDIRECT, body)
        self.logout_token("oidc-fred")
        resp, body = b.get("/account")
        self.assertEqual(resp.getheader("Location"), "/login")
        # an unregistered post-logout URI: the sign-in page instead
        resp, body = b.get("/oidc/logout?client_id=app&post_logout_redirect_uri="
                           "https%3A%2F%2Fevil.example%2F")
        self.assertEqual(resp.getheader("Location"), "/login")


class DocSnippets(OidcCase):
    """docs/oidc.md: the configuration snippets parsed, and their values
    compared with what the discovery document offers."""

    def blocks(self, lang):
        import re
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                            "oidc.md")
        with open(path) as f:
            return re.findall(r"```%s\n(.*?)```" % lang, f.read(), re.S)

    def test_snippets_match_discovery(self):
        import yaml
        resp, body = self.browser().get("/.well-known/openid-configuration")
        d = json.loads(body)
        mas, synapse = [yaml.safe_load(b) for b in self.blocks("yaml")]
        p = mas["upstream_oauth2"]["providers"][0]
        self.assertIn(p["token_endpoint_auth_method"], d["token_endpoint_auth_methods_supported"])
        self.assertTrue(set(p["scope"].split()) <= set(d["scopes_supported"]))
        self.assertEqual(p["on_backchannel_logout"], "logout_all")
        self.assertIs(d["backchannel_logout_supported"], True)
        self.assertIn("S256", d["code_challenge_methods_supported"])  # pkce_method: auto
        s = synapse["oidc_providers"][0]
        self.assertIn(s["client_auth_method"], d["token_endpoint_auth_methods_supported"])
        self.assertTrue(set(s["scopes"]) <= set(d["scopes_supported"]))
        self.assertIs(s["backchannel_logout_enabled"], True)
        self.assertIs(d["backchannel_logout_session_supported"], True)
        for claim in ("preferred_username", "name"):  # the templates' claims
            self.assertIn(claim, d["claims_supported"])
        mm = json.loads("{" + self.blocks("json")[0] + "}")["OpenIdSettings"]
        self.assertTrue(mm["DiscoveryEndpoint"].endswith("/.well-known/openid-configuration"))
        apache = dict(l.split(None, 1) for l in self.blocks("apache")[0].splitlines()
                      if l.startswith("OIDC"))
        self.assertIn(apache["OIDCPKCEMethod"].split()[0], d["code_challenge_methods_supported"])
        self.assertIn(apache["OIDCProviderTokenEndpointAuth"],
                      d["token_endpoint_auth_methods_supported"])
        self.assertTrue(set(apache["OIDCScope"].strip('"').split()) <= set(d["scopes_supported"]))
        # the daemon's own snippet is a valid configuration
        conf = os.path.join(self.tmp, "doc.conf")
        with open(conf, "w") as f:
            f.write(self.blocks("ini")[0])
        p = subprocess.run([os.environ["SESAME_AUTHD"], "--config", conf, "--check-config"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class OidcOff(WebCase):
    def test_off_by_default(self):
        for path in ("/.well-known/openid-configuration", "/oidc/jwks", "/oidc/authorize"):
            resp, body = self.browser().get(path)
            self.assertEqual(resp.status, 404, path)


if __name__ == "__main__":
    unittest.main()


class OidcKeyRotation(OidcCase):
    """A master key rotation covers the signing keys: `key status` counts
    them, `key retire` refuses while one is sealed under the old version,
    `key reseal` moves them, and the daemon restarted with the new version
    alone publishes the same keys and signs ID tokens that verify."""

    def test_reseal_covers_signing_keys(self):
        d = self.daemon
        kids = sorted(k["kid"] for k in self.jwks()["keys"])
        rc, out, err = self.ctl("--json", "key", "status")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["sealed"],
                         [{"version": 1, "count": len(kids), "loaded": True}])
        d.stop()
        rc, out, err = self.ctl("key", "rotate", d.key)
        self.assertEqual(rc, 0, err)
        d.start(init=False)
        rc, out, err = self.ctl("key", "retire", "1", d.key)
        self.assertEqual(rc, 1, out)
        self.assertIn("still sealed under key version 1", err)
        rc, out, err = self.ctl("--json", "key", "reseal")
        self.assertEqual(json.loads(out), {"current": 2, "resealed": len(kids), "unreadable": 0})
        rc, out, err = self.ctl("--json", "key", "status")
        self.assertEqual(json.loads(out)["sealed"],
                         [{"version": 2, "count": len(kids), "loaded": True}])
        rc, out, err = self.ctl("key", "retire", "1", d.key)
        self.assertEqual(rc, 0, err)
        d.stop()
        d.start(init=False)
        self.assertEqual(sorted(k["kid"] for k in self.jwks()["keys"]), kids)
        b, location, q = self.signed_in_browser("rot-alice")
        resp, tok = self.code_grant(self.callback(location, q)["code"])
        self.assertEqual(resp.status, 200, tok)
        _, claims = verify_jwt(tok["id_token"], self.jwks())
        self.assertEqual(claims["sub"], "rot-alice")
