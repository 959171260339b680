"""End to end: real OpenID Connect relying parties on sesame-authd's TLS
listener (a throwaway CA made here with openssl; issuer https://localhost:PORT).

1. Apache 2 with mod_auth_openidc (Debian) protects /protected/ with
   PKCE S256; headless Chromium (test_browser's driver) is sent to
   Sésame's sign-in pages, signs in with password + TOTP (oathtool) and gets
   the page; the amr and acr claims Apache passes on (OIDC_CLAIM_*) come
   back as response headers, REMOTE_USER from preferred_username. Then a
   passkey (CDP virtual authenticator) is added on the account page and, in
   a new browser session, is the only thing used to sign in: amr hwk, acr
   mfa (user verification required).
2. openid-client 6 (npm, certified RP library) in its strict default mode:
   discovery, code + PKCE with Chromium signing in through the same pages,
   token, ID-token validation (signature by jwks_uri, iss, aud, nonce,
   at_hash, the iss response parameter), userinfo, refresh (rotated),
   revocation, then RP-initiated logout confirmed in the browser and the
   back-channel logout token verified with jose (typ, iss, aud, sid).

Recipes: shared/recipes/oidc; the npm set-up is test_browser's."""

import json
import os
import queue
import shutil
import subprocess
import threading
import time
import unittest
import urllib.parse

from test_browser import NPM_DIR, BrowserCase, free_port, kill_tree
from harness import Daemon, oathtool, secret_of  # noqa: E402 (path set by test_browser)

APACHE = "/usr/sbin/apache2"
MOD_OIDC = "/usr/lib/apache2/modules/mod_auth_openidc.so"
PASSWORD = "violet-tractor-quantum-harbor-97"
SECRET = "e2e-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
LOGIN_FORM = 'form[action="/login"] button[type=submit]'
CODE_FORM = 'form[action="/login/code"] button[type=submit]'


def make_ca(d):
    """A CA and a certificate for localhost signed by it (PEM files in d)."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=d)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Sesame test CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    return [os.path.join(d, n) for n in ("ca.pem", "server.pem", "server.key")]


class OidcRelyingParties(BrowserCase):
    # Chromium is not what is tested for TLS here: the relying parties are,
    # each with the CA alone as its trust. They are reached at 127.0.0.1:
    # the daemon's HSTS header for localhost would send the browser to
    # https on their ports too.
    chromium_args = ("--ignore-certificate-errors",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for path in (APACHE, MOD_OIDC):
            if not os.path.exists(path):
                raise unittest.SkipTest("%s is missing (scripts/deps.sh)" % path)

    def setUp(self):
        self.t0 = time.monotonic()
        self.tmp = self.mkdtemp()
        self.port, self.rp_port, self.cb_port = free_port(), free_port(), free_port()
        self.ca, cert, key = make_ca(self.tmp)
        self.issuer = self.origin = "https://localhost:%d" % self.port
        self.daemon = Daemon(self.tmp, (
            "[web]\nlisten = 127.0.0.1:%d\ntls_certificate = %s\ntls_key = %s\n"
            "origins = %s\nuser_verification = required\n"
            "[oidc]\nenabled = yes\n"
            "[oidc.client.apache]\nredirect_uri = http://127.0.0.1:%d/protected/redirect_uri\n"
            "secret_sha256 = %s\nrequire = password+second | passkey\n"
            "[oidc.client.node]\nredirect_uri = http://127.0.0.1:%d/cb\nsecret_sha256 = %s\n"
            "backchannel_logout_uri = http://127.0.0.1:%d/backchannel\n"
            % (self.port, cert, key, self.issuer, self.rp_port, self.sha(SECRET), self.cb_port,
               self.sha(SECRET), self.cb_port)))
        self.addCleanup(self.stop_daemon)
        self.daemon.start()
        self.wait_web()
        self.apache = self.rp = self.chromium = self.driver = None
        self.addCleanup(self.stop_browser)
        self.start_browser()

    def mkdtemp(self):
        import tempfile
        d = tempfile.mkdtemp(prefix="sesame-oidc.")
        os.chmod(d, 0o755)  # Apache's children (www-data) read its htdocs
        self.addCleanup(shutil.rmtree, d, ignore_errors=True)
        return d

    @staticmethod
    def sha(s):
        import hashlib
        return hashlib.sha256(s.encode()).hexdigest()

    def add_user(self, user):
        self.ctl("user", "add", user, "--real-name", "Test " + user, "--password",
                 stdin=PASSWORD + "\n")
        secret = secret_of(json.loads(self.ctl("--json", "totp", "enroll", user, "--no-qr"))
                           ["otpauth_uri"])
        self.ctl("totp", "confirm", user, oathtool(secret, offset=-30))
        return secret

    def sign_in(self, ctx, user, secret, expect_path):
        """On Sésame's sign-in form: password, then the code; back to the RP."""
        self.cmd("wait", ctx=ctx, selector="#user")
        self.cmd("fill", ctx=ctx, selector="#user", value=user)
        self.cmd("fill", ctx=ctx, selector="#password", value=PASSWORD)
        self.click(ctx, LOGIN_FORM, "/login/code")
        self.cmd("fill", ctx=ctx, selector="#code", value=oathtool(secret))
        # a page that goes on by itself to /oidc/resume, and from there to the RP
        self.cmd("click", ctx=ctx, selector=CODE_FORM, nav=True)
        return self.cmd("waitpath", ctx=ctx, path=expect_path)

    def logs(self):
        return (super().logs() + "\n--- apache error log\n" +
                self.read(os.path.join(self.tmp, "apache-error.log")) +
                "\n--- relying party log\n" + self.read(getattr(self, "rp_log", "")))

    # ---- Apache + mod_auth_openidc ----

    def start_apache(self):
        htdocs = os.path.join(self.tmp, "htdocs", "protected")
        os.makedirs(htdocs)
        os.makedirs(os.path.join(self.tmp, "run"))
        with open(os.path.join(htdocs, "index.html"), "w") as f:
            f.write("<html><body><h1>PROTECTED OK</h1></body></html>\n")
        m = "/usr/lib/apache2/modules"
        conf = os.path.join(self.tmp, "httpd.conf")
        with open(conf, "w") as f:
            f.write("""ServerRoot /etc/apache2
ServerName localhost
Listen 127.0.0.1:{rp}
PidFile {t}/run/apache2.pid
DefaultRuntimeDir {t}/run
User www-data
Group www-data
ErrorLog {t}/apache-error.log
LogLevel warn auth_openidc:info
LoadModule mpm_event_module {m}/mod_mpm_event.so
LoadModule authn_core_module {m}/mod_authn_core.so
LoadModule authz_core_module {m}/mod_authz_core.so
LoadModule authz_user_module {m}/mod_authz_user.so
LoadModule dir_module {m}/mod_dir.so
LoadModule mime_module {m}/mod_mime.so
LoadModule headers_module {m}/mod_headers.so
LoadModule auth_openidc_module {m}/mod_auth_openidc.so
TypesConfig /etc/mime.types
DirectoryIndex index.html
DocumentRoot {t}/htdocs
<Directory {t}/htdocs>
  Require all granted
</Directory>
# --- the snippet of docs/oidc.md ---
OIDCProviderMetadataURL {iss}/.well-known/openid-configuration
OIDCCABundlePath {ca}
OIDCSSLValidateServer On
OIDCClientID apache
OIDCClientSecret {secret}
OIDCProviderTokenEndpointAuth client_secret_basic
OIDCRedirectURI http://127.0.0.1:{rp}/protected/redirect_uri
OIDCCryptoPassphrase {pp}
OIDCScope "openid profile"
OIDCPKCEMethod S256
OIDCRemoteUserClaim preferred_username
OIDCPassIDTokenAs claims
<Location /protected>
  AuthType openid-connect
  Require valid-user
  Header always set X-Remote-User "expr=%{{REMOTE_USER}}"
  Header always set X-OIDC-Acr "%{{OIDC_CLAIM_acr}}e"
  Header always set X-OIDC-Amr "%{{OIDC_CLAIM_amr}}e"
</Location>
""".format(rp=self.rp_port, t=self.tmp, m=m, iss=self.issuer, ca=self.ca, secret=SECRET,
           pp=os.urandom(16).hex()))
        p = subprocess.run([APACHE, "-t", "-f", conf], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        log = open(os.path.join(self.tmp, "apache-stdout.log"), "w")
        self.apache = subprocess.Popen([APACHE, "-f", conf, "-DFOREGROUND"], stdout=log,
                                       stderr=log, start_new_session=True)
        log.close()
        self.addCleanup(kill_tree, self.apache)
        deadline = time.monotonic() + 15
        while True:
            try:
                import socket
                socket.create_connection(("127.0.0.1", self.rp_port), timeout=1).close()
                return
            except OSError:
                if self.apache.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("apache did not start:\n" +
                                         self.read(os.path.join(self.tmp, "apache-error.log")))
                time.sleep(0.05)

    # ---- openid-client ----

    def start_rp(self):
        shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser",
                                 "oidc_rp.mjs"), self.tmp)
        link = os.path.join(self.tmp, "node_modules")
        if not os.path.exists(link):
            os.symlink(os.path.join(NPM_DIR, "node_modules"), link)
        self.rp_log = os.path.join(self.tmp, "rp.log")
        env = dict(os.environ, ISSUER=self.issuer, CLIENT_ID="node", CLIENT_SECRET=SECRET,
                   CB_PORT=str(self.cb_port), NODE_EXTRA_CA_CERTS=self.ca)
        with open(self.rp_log, "w") as log:
            self.rp = subprocess.Popen(["node", os.path.join(self.tmp, "oidc_rp.mjs")],
                                       stdout=subprocess.PIPE, stderr=log, env=env, text=True)
        self.addCleanup(self.rp.stdout.close)
        self.addCleanup(kill_tree, self.rp)
        # its lines through a queue: it may print two at once, and select()
        # on the pipe does not see what readline() already buffered
        self.rp_lines = queue.Queue()
        threading.Thread(target=lambda: [self.rp_lines.put(l) for l in self.rp.stdout] +
                         [self.rp_lines.put("")], daemon=True).start()

    def rp_line(self, key, timeout=60):
        try:
            line = self.rp_lines.get(timeout=timeout)
        except queue.Empty:
            line = ""
        if not line:
            raise AssertionError("no answer from the relying party\n--- rp log\n%s%s"
                                 % (self.read(self.rp_log), self.logs()))
        msg = json.loads(line)
        self.assertNotIn("error", msg, "%s\n--- daemon log\n%s\n--- relying party log\n%s" % (
            msg, self.read(self.daemon.log), self.read(self.rp_log)))
        return msg[key]

    # ---- the test ----

    def test_apache_and_openid_client(self):
        self.start_apache()
        alice, bob = self.add_user("alice"), self.add_user("bob")

        # 1. Apache: the protected page after Sésame's sign-in pages
        self.cmd("open", ctx="a", locale="en-US", webauthn=True)
        r = self.cmd("goto", ctx="a", url="http://127.0.0.1:%d/protected/" % self.rp_port)
        self.assertEqual(urllib.parse.urlsplit(r["url"])[:3], ("https", "localhost:%d" % self.port,
                                                              "/login"), r)
        r = self.sign_in("a", "alice", alice, "/protected/")
        self.assertIn("PROTECTED OK", self.text("a"))
        r = self.cmd("goto", ctx="a", url="http://127.0.0.1:%d/protected/" % self.rp_port)
        h = r["headers"]
        self.assertEqual(r["status"], 200)
        self.assertEqual(h.get("x-remote-user"), "alice")
        self.assertEqual(h.get("x-oidc-acr"), "mfa")
        self.assertEqual(h.get("x-oidc-amr"), "pwd,otp,mfa")
        self.shot("a", "oidc-01-apache.png")

        # ... then with a passkey (CDP virtual authenticator, user verified):
        # added on the account page, then the only thing used to sign in
        self.goto("a", "/account")
        self.cmd("fill", ctx="a", selector="#passkey-name", value="laptop")
        self.click("a", "#passkey-add button[type=submit]", "/account")
        self.assertEqual(len(self.credentials("a")), 1)
        self.cmd("clearcookies", ctx="a")  # a new browser session, same authenticator
        r = self.cmd("goto", ctx="a", url="http://127.0.0.1:%d/protected/" % self.rp_port)
        self.assertEqual(urllib.parse.urlsplit(r["url"]).path, "/login")
        self.cmd("wait", ctx="a", selector="#passkey-login button")
        self.cmd("click", ctx="a", selector="#passkey-login button", nav=True)
        self.cmd("waitpath", ctx="a", path="/protected/")
        r = self.cmd("goto", ctx="a", url="http://127.0.0.1:%d/protected/" % self.rp_port)
        h = r["headers"]
        self.assertEqual((r["status"], h.get("x-remote-user")), (200, "alice"))
        self.assertEqual((h.get("x-oidc-acr"), h.get("x-oidc-amr")), ("mfa", "hwk"))
        t_apache = time.monotonic() - self.t0

        # 2. openid-client, strict, with bob in another browser context
        self.start_rp()
        auth_url = self.rp_line("authUrl")
        self.assertTrue(auth_url.startswith(self.issuer + "/oidc/authorize?"), auth_url)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(auth_url).query)
        self.assertEqual(q["code_challenge_method"], ["S256"])
        self.cmd("open", ctx="b", locale="en-US")
        self.cmd("goto", ctx="b", url=auth_url)
        self.sign_in("b", "bob", bob, "/cb")
        tokens = self.rp_line("tokens")
        c = tokens["claims"]
        self.assertEqual((c["iss"], c["sub"], c["aud"], c["acr"]), (self.issuer, "bob", "node", "mfa"))
        self.assertEqual(c["amr"], ["pwd", "otp", "mfa"])
        self.assertEqual(tokens["userinfo"], {"sub": "bob", "preferred_username": "bob",
                                              "name": "Test bob"})
        self.assertTrue(tokens["refused"])       # a revoked refresh token
        self.assertEqual(tokens["userinfoAfter"], 401)  # and its access token
        # RP-initiated logout: confirmed in the browser, then the back channel
        logout_url = self.rp_line("logoutUrl")
        self.cmd("goto", ctx="b", url=logout_url)
        self.assertIn("asks to sign you out", self.text("b"))
        self.cmd("click", ctx="b", selector='form[action="/oidc/logout"] button[type=submit]',
                 nav=True)
        self.cmd("waitpath", ctx="b", path="/cb")
        logout = self.rp_line("logout")
        self.assertEqual(logout["type"], "application/x-www-form-urlencoded")
        self.assertEqual(logout["header"]["typ"], "logout+jwt")
        self.assertTrue(logout["sameSid"])
        self.assertEqual(logout["payload"]["sub"], "bob")
        self.assertNotIn("nonce", logout["payload"])
        self.assertEqual(logout["returnedState"], "after-logout")
        self.rp.wait(10)
        self.assertEqual(self.rp.returncode, 0)
        print("apache %.1f s, total %.1f s" % (t_apache, time.monotonic() - self.t0))


if __name__ == "__main__":
    unittest.main()
