"""End to end: Debian's Chromium (headless, a fresh profile in the temp dir)
on the web pages of a real sesame-authd ([web] listen on a free port, RP ID
and origin localhost), driven over CDP by playwright-core (npm, pinned in
browser/package.json, installed by this test into $SESAME_NPM_DIR, never
into the repo) with a CDP virtual authenticator (ctap2, internal, resident
keys, user verification): password + TOTP (oathtool), adding a passkey
from the account page through /static/passkey.js, signing in with it
without a user name, using it as the second factor, removing it, and the
audit of all of it; the journey from an invitation link (`sesamectl user
invite`): weak password refused, strong one set, first factor a passkey,
passkey sign-in, password + TOTP, passkey removed; the sign-in page in
French. Screenshots go to
$SESAME_ARTIFACTS (default <build dir>/tests/e2e/artifacts)/browser.
Recipe: shared/recipes/webauthn (MODE=raw)."""

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import AUTHD, SESAMECTL, Daemon, oathtool, secret_of  # noqa: E402

CHROMIUM = "/usr/lib/chromium/chromium"  # /usr/bin/chromium is a sh wrapper: run the binary, own its PID
BROWSER_DIR = os.path.join(HERE, "browser")
NPM_DIR = os.environ.get("SESAME_NPM_DIR", "/tmp/sesame-e2e-node")
PASSWORD = "violet-tractor-quantum-harbor-97"
WRONG_PASSWORD = "Wrong user name or password."
WRONG_PASSWORD_FR = "Nom d’utilisateur ou mot de passe incorrect."
LOGIN_FORM = 'form[action="/login"] button[type=submit]'
SIGN_OUT = 'form[action="/logout"] button[type=submit]'
REMOVE = 'form[action="/account/passkey/remove"] button[type=submit]'


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned_packages():
    with open(os.path.join(BROWSER_DIR, "package.json")) as f:
        return json.load(f)["dependencies"]


def artifacts_dir():
    d = os.environ.get("SESAME_ARTIFACTS")
    if not d:
        # the build dir: the first parent of sesame-authd with a CMakeCache.txt
        d = os.path.join(tempfile.gettempdir(), "sesame-e2e-artifacts")
        p = os.path.dirname(os.path.abspath(AUTHD))
        while p != os.path.dirname(p):
            if os.path.exists(os.path.join(p, "CMakeCache.txt")):
                d = os.path.join(p, "tests", "e2e", "artifacts")
                break
            p = os.path.dirname(p)
    d = os.path.join(d, "browser")
    os.makedirs(d, exist_ok=True)
    return d


def ensure_playwright():
    """The npm packages of browser/package.json (playwright-core, axe-core,
    and openid-client for test_oidc_rp) at their pinned versions in NPM_DIR
    (npm install when one is missing; it downloads no browser)."""
    want = pinned_packages()

    def have(name):
        try:
            with open(os.path.join(NPM_DIR, "node_modules", name, "package.json")) as f:
                return json.load(f)["version"]
        except (OSError, ValueError, KeyError):
            return None

    if all(have(n) == v for n, v in want.items()):
        return
    os.makedirs(NPM_DIR, exist_ok=True)
    shutil.copy(os.path.join(BROWSER_DIR, "package.json"), os.path.join(NPM_DIR, "package.json"))
    env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    p = subprocess.run(["npm", "install", "--prefix", NPM_DIR, "--no-audit", "--no-fund",
                        "--loglevel=error"], env=env, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise AssertionError("npm install of %s into %s failed:\n%s%s"
                             % (want, NPM_DIR, p.stdout, p.stderr))


def descendants(pid):
    out = []
    try:
        kids = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                              text=True).stdout.split()
    except OSError:
        return out
    for k in kids:
        out.append(int(k))
        out += descendants(int(k))
    return out


def kill_tree(proc):
    """TERM, then KILL, a Popen and every process below it, by PID."""
    if proc is None or proc.poll() is not None:
        return
    pids = [proc.pid] + descendants(proc.pid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in pids:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            if proc.poll() is not None and not any(os.path.exists("/proc/%d" % p) and
                                                   not _zombie(p) for p in pids[1:]):
                return
            time.sleep(0.05)
    proc.wait(5)


def _zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


class BrowserCase(unittest.TestCase):
    web_extra = ""  # more [web] settings of the daemon
    chromium_args = ()  # more command-line flags (test_oidc_rp: its throwaway CA)

    @classmethod
    def setUpClass(cls):
        for name, value in (("SESAME_AUTHD", AUTHD), ("SESAMECTL", SESAMECTL)):
            if not value or not os.path.exists(value):
                raise unittest.SkipTest("%s is not set" % name)
        if not os.path.exists(CHROMIUM):
            raise unittest.SkipTest("chromium is not installed (%s; scripts/deps.sh)" % CHROMIUM)
        for tool in ("node", "npm", "oathtool"):
            if not shutil.which(tool):
                raise unittest.SkipTest("%s is not installed (scripts/deps.sh)" % tool)
        ensure_playwright()
        cls.artifacts = artifacts_dir()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sesame-br.")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.port = free_port()
        self.origin = "http://localhost:%d" % self.port
        self.daemon = Daemon(self.tmp, "[web]\nlisten = 127.0.0.1:%d\nrp_id = localhost\n"
                             "origins = %s\nuser_verification = required\nrequire_mfa = true\n%s"
                             % (self.port, self.origin, self.web_extra))
        self.addCleanup(self.stop_daemon)
        self.daemon.start()
        self.wait_web()
        self.chromium = self.driver = None
        self.addCleanup(self.stop_browser)
        self.start_browser()

    # ---- processes ----

    def stop_daemon(self):
        try:
            self.daemon.stop()  # SIGTERM, exit status 0 (no leak under ASan)
        finally:
            p = self.daemon.proc
            if p is not None and p.poll() is None:
                p.kill()
                p.wait(10)

    def wait_web(self):
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("the web pages did not listen:\n" + self.daemon.read_log())
                time.sleep(0.05)

    def start_browser(self):
        profile = os.path.join(self.tmp, "profile")
        self.chromium_log = os.path.join(self.tmp, "chromium.log")
        with open(self.chromium_log, "w") as log:
            self.chromium = subprocess.Popen(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--no-default-browser-check", "--user-data-dir=" + profile,
                 *self.chromium_args,
                 "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not (os.path.exists(port_file) and os.path.getsize(port_file) > 0):
            if self.chromium.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("chromium did not open CDP:\n" + self.read(self.chromium_log))
            time.sleep(0.05)
        with open(port_file) as f:
            cdp = "http://127.0.0.1:%s" % f.readline().strip()
        # ESM ignores NODE_PATH: run a copy next to a node_modules link
        shutil.copy(os.path.join(BROWSER_DIR, "driver.mjs"), self.tmp)
        os.symlink(os.path.join(NPM_DIR, "node_modules"), os.path.join(self.tmp, "node_modules"))
        self.driver_log = os.path.join(self.tmp, "driver.log")
        with open(self.driver_log, "w") as log:
            self.driver = subprocess.Popen(["node", os.path.join(self.tmp, "driver.mjs")],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=log, env=dict(os.environ, CDP_URL=cdp),
                                           text=True, bufsize=1)
        ready = self.read_reply(30)
        self.assertTrue(ready.get("ready"), ready)

    def stop_browser(self):
        if self.driver is not None and self.driver.poll() is None:
            try:
                self.driver.stdin.write('{"op": "quit"}\n')
                self.driver.stdin.flush()
                self.driver.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        kill_tree(self.driver)
        kill_tree(self.chromium)
        if self.chromium is not None:
            try:  # anything of its session (start_new_session: its PID is the group id) left over
                os.killpg(self.chromium.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for p in (self.driver, self.chromium):
            if p is not None:
                for f in (p.stdin, p.stdout):
                    if f:
                        f.close()

    @staticmethod
    def read(path, tail=3000):
        try:
            with open(path, errors="replace") as f:
                return f.read()[-tail:]
        except OSError:
            return ""

    def logs(self):
        return ("\n--- driver log\n%s\n--- daemon log\n%s" %
                (self.read(self.driver_log), self.read(self.daemon.log)))

    def read_reply(self, timeout):
        r, _, _ = select.select([self.driver.stdout], [], [], timeout)
        line = self.driver.stdout.readline() if r else ""
        if not line:
            raise AssertionError("no answer from the browser driver" + self.logs())
        return json.loads(line)

    def cmd(self, op, **kw):
        kw["op"] = op
        self.driver.stdin.write(json.dumps(kw) + "\n")
        self.driver.stdin.flush()
        reply = self.read_reply(60)
        if not reply.get("ok"):
            raise AssertionError("%s failed: %s\n  page %s:\n%s%s" % (
                json.dumps(kw), reply.get("error"), reply.get("url"), reply.get("text", ""),
                self.logs()))
        return reply

    # ---- browser steps ----

    def goto(self, ctx, path):
        r = self.cmd("goto", ctx=ctx, url=self.origin + path)
        self.assertEqual(r["status"], 200, r)
        return urllib.parse.urlsplit(r["url"]).path

    def click(self, ctx, selector, expect_path):
        """Clicks, waits for the navigation it causes, checks where it led."""
        r = self.cmd("click", ctx=ctx, selector=selector, nav=True)
        path = urllib.parse.urlsplit(r["url"]).path
        self.assertEqual(path, expect_path, self.text(ctx))
        return path

    def text(self, ctx, selector="body"):
        return self.cmd("text", ctx=ctx, selector=selector)["text"]

    def assert_accessible(self, ctx, name):
        """axe-core on the page, light and dark: no serious or critical violation."""
        problems = []
        for scheme in ("light", "dark"):
            self.cmd("scheme", ctx=ctx, scheme=scheme)
            problems += ["%s %s (%s): %s %s" % (scheme, v["id"], v["impact"], v["help"], v["nodes"])
                         for v in self.cmd("axe", ctx=ctx)["violations"]
                         if v["impact"] in ("serious", "critical")]
        self.cmd("scheme", ctx=ctx, scheme="light")
        self.assertEqual(problems, [], name)

    def shot(self, ctx, name):
        path = os.path.join(self.artifacts, name)
        self.cmd("screenshot", ctx=ctx, path=path)
        print("screenshot: %s" % path)

    def credentials(self, ctx):
        return self.cmd("credentials", ctx=ctx)["credentials"]

    def password_step(self, ctx, password, expect_path):
        self.assertEqual(self.goto(ctx, "/login"), "/login")
        self.cmd("fill", ctx=ctx, selector="#user", value="alice")
        self.cmd("fill", ctx=ctx, selector="#password", value=password)
        self.click(ctx, LOGIN_FORM, expect_path)

    def ctl(self, *args, stdin=None):
        p = subprocess.run([SESAMECTL, "--socket", self.daemon.socket] + list(args), input=stdin,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, "sesamectl %s: %s%s" % (" ".join(args), p.stdout, p.stderr))
        return p.stdout


class Browser(BrowserCase):
    def test_password_totp_and_passkeys(self):
        t0 = time.monotonic()
        # 1. alice, with a password and a confirmed TOTP, through sesamectl
        self.ctl("user", "add", "alice", "--real-name", "Alice Example", "--password",
                 stdin=PASSWORD + "\n")
        enrolled = json.loads(self.ctl("--json", "totp", "enroll", "alice", "--no-qr"))
        secret = secret_of(enrolled["otpauth_uri"])
        # the previous step: the sign-in below uses the current one (no code twice)
        self.ctl("totp", "confirm", "alice", oathtool(secret, offset=-30))

        self.cmd("open", ctx="main", locale="en-US", webauthn=True)
        # 2. a wrong password, then password + code
        self.assertEqual(self.goto("main", "/login"), "/login")
        self.cmd("wait", ctx="main", selector="#passkey-login button")  # passkey.js ran
        self.shot("main", "01-login.png")
        self.password_step("main", "not-" + PASSWORD, "/login")
        self.assertIn(WRONG_PASSWORD, self.text("main"))
        self.password_step("main", PASSWORD, "/login/code")
        self.shot("main", "02-code.png")
        self.cmd("fill", ctx="main", selector="#code", value=oathtool(secret))
        self.click("main", 'form[action="/login/code"] button[type=submit]', "/account")
        body = self.text("main")
        self.assertIn("Signed in as alice", body)
        self.assertIn("Authenticator app (TOTP)", body)
        self.shot("main", "03-account.png")

        # 3. a passkey named "laptop", made by the virtual authenticator
        self.assertEqual(self.credentials("main"), [])
        self.cmd("fill", ctx="main", selector="#passkey-name", value="laptop")
        self.click("main", "#passkey-add button[type=submit]", "/account")
        self.assertEqual(self.text("main", "strong.passkey-name"), "laptop")
        self.assertIn("never used", self.text("main"))
        self.shot("main", "04-account-passkey.png")
        creds = self.credentials("main")
        self.assertEqual(len(creds), 1, creds)
        self.assertTrue(creds[0]["isResidentCredential"], creds)
        self.assertEqual(creds[0]["rpId"], "localhost")
        count0 = creds[0]["signCount"]

        # 4. sign out, then the passkey alone, no user name typed
        self.click("main", SIGN_OUT, "/login")
        self.assertEqual(self.cmd("text", ctx="main", selector="#user")["text"], "")
        self.click("main", "#passkey-login button", "/account")
        body = self.text("main")
        self.assertIn("Signed in as alice", body)
        self.assertIn("last used", body)
        creds = self.credentials("main")
        self.assertEqual(len(creds), 1, creds)
        self.assertTrue(creds[0]["isResidentCredential"])
        count1 = creds[0]["signCount"]
        self.assertGreater(count1, count0)

        # 5. sign out, then the password and the passkey as the second factor
        self.click("main", SIGN_OUT, "/login")
        self.password_step("main", PASSWORD, "/login/code")
        self.cmd("wait", ctx="main", selector="#passkey-second button")
        self.assertIn("Use a passkey instead", self.text("main"))
        self.click("main", "#passkey-second button", "/account")
        self.assertIn("Signed in as alice", self.text("main"))
        self.assertGreater(self.credentials("main")[0]["signCount"], count1)

        # 6. remove it (the TOTP remains, so require_mfa allows it)
        self.click("main", REMOVE, "/account")
        body = self.text("main")
        self.assertNotIn("laptop", body)
        self.assertIn("Authenticator app (TOTP)", body)
        self.assertEqual(self.cmd("count", ctx="main", selector="strong.passkey-name")["count"], 0)
        self.shot("main", "05-account-removed.png")

        # 7. sign out
        self.click("main", SIGN_OUT, "/login")
        self.assertEqual(self.goto("main", "/account"), "/login")  # the session is gone

        events = json.loads(self.ctl("--json", "audit", "--user", "alice", "--limit", "100"))
        web = [(e["factor"], e["result"], e["reason"]) for e in reversed(events["events"])
               if e["service"] == "web"]
        self.assertEqual([e for e in web if e[0] != "session"], [
            ("password", "denied", "wrong_password"),
            ("password", "success", "ok"),
            ("totp", "success", "ok"),
            ("passkey", "ok", "register"),
            ("passkey", "success", "ok"),
            ("password", "success", "ok"),
            ("passkey", "success", "ok"),
            ("passkey", "ok", "remove"),
        ], web)
        self.assertEqual([e for e in web if e[0] == "session"], [("session", "ok", "logout")] * 3, web)
        print("passkey journey: %.1f s" % (time.monotonic() - t0))

    def test_invitation_journey(self):
        """The issue's scenario: invitation link -> weak password refused,
        strong accepted -> passkey registered -> sign out -> passkey sign-in
        without user name -> sign out -> password + TOTP -> remove passkey."""
        link = self.ctl("user", "invite", "bruno", "--real-name", "Bruno Keller").strip()
        self.assertTrue(link.startswith(self.origin + "/invite/"), link)
        path = link[len(self.origin):]
        self.cmd("open", ctx="inv", locale="en-US", webauthn=True)

        # 1. the link: a weak password refused with the policy's reasons, then a strong one
        self.assertEqual(self.goto("inv", path), path)
        self.assertIn("Choose the password of the account bruno.", self.text("inv"))
        self.shot("inv", "10-invite.png")
        for field in ("#new", "#again"):
            self.cmd("fill", ctx="inv", selector=field, value="bruno2024")
        self.click("inv", 'form[action="/invite"] button[type=submit]', "/invite")
        body = self.text("inv")
        self.assertIn("The password policy refused the new password", body)
        self.assertIn("at least 15 characters", body)
        self.shot("inv", "11-invite-weak.png")
        for field in ("#new", "#again"):
            self.cmd("fill", ctx="inv", selector=field, value=PASSWORD)
        self.click("inv", 'form[action="/invite"] button[type=submit]', "/account")
        body = self.text("inv")
        self.assertIn("Set up your account", body)
        self.assertIn("The password of bruno is set.", body)
        self.assertNotIn("Signed in as", body)
        self.assertNotIn("Change your password", body)
        self.assertNotIn("Current password", body)
        self.cmd("wait", ctx="inv", selector="#passkey-add button")
        self.shot("inv", "12-enroll.png")
        # the link works once
        r = self.cmd("goto", ctx="inv", url=link)
        self.assertEqual(r["status"], 404, r)
        self.assertIn("This invitation link is not valid", self.text("inv"))

        # 2. the first factor: a passkey; that signs bruno in
        self.assertEqual(self.goto("inv", "/account"), "/account")
        self.cmd("fill", ctx="inv", selector="#passkey-name", value="phone")
        self.click("inv", "#passkey-add button[type=submit]", "/account")
        body = self.text("inv")
        self.assertIn("Your account", body)
        self.assertIn("Signed in as bruno", body)
        self.assertEqual(self.text("inv", "strong.passkey-name"), "phone")
        creds = self.credentials("inv")
        self.assertEqual(len(creds), 1, creds)
        self.assertTrue(creds[0]["isResidentCredential"], creds)
        self.shot("inv", "13-account-passkey.png")
        # and an authenticator app, for the password sign-in below
        self.cmd("fill", ctx="inv", selector="#totp-name", value="authenticator")
        self.click("inv", 'form[action="/account/totp/add"] button[type=submit]', "/account/totp/add")
        self.cmd("wait", ctx="inv", selector="svg.qr")
        self.shot("inv", "14-totp-qr.png")
        self.cmd("click", ctx="inv", selector="#totp-pending summary")
        secret = secret_of(self.text("inv", "code.otpauth"))
        self.cmd("fill", ctx="inv", selector="#totp-code", value=oathtool(secret))
        self.click("inv", 'form[action="/account/totp/confirm"] button[type=submit]',
                   "/account/totp/confirm")
        self.assertIn("Authenticator app (TOTP): authenticator", self.text("inv"))

        # 3. sign out, then the passkey alone, no user name typed
        self.click("inv", SIGN_OUT, "/login")
        self.assertEqual(self.cmd("text", ctx="inv", selector="#user")["text"], "")
        self.click("inv", "#passkey-login button", "/account")
        self.assertIn("Signed in as bruno", self.text("inv"))
        self.shot("inv", "15-passkey-sign-in.png")

        # 4. sign out, then password + TOTP (the next step: the confirmation used this one)
        self.click("inv", SIGN_OUT, "/login")
        self.cmd("fill", ctx="inv", selector="#user", value="bruno")
        self.cmd("fill", ctx="inv", selector="#password", value=PASSWORD)
        self.click("inv", LOGIN_FORM, "/login/code")
        self.cmd("fill", ctx="inv", selector="#code", value=oathtool(secret, offset=30))
        self.click("inv", 'form[action="/login/code"] button[type=submit]', "/account")
        self.assertIn("Signed in as bruno", self.text("inv"))

        # 5. remove the passkey (the authenticator app remains)
        self.click("inv", REMOVE, "/account")
        body = self.text("inv")
        self.assertNotIn("phone", body)
        self.assertIn("Authenticator app (TOTP): authenticator", body)
        self.shot("inv", "16-account-removed.png")

        events = json.loads(self.ctl("--json", "audit", "--user", "bruno", "--limit", "100"))
        seq = [(e["service"], e["factor"], e["result"], e["reason"])
               for e in reversed(events["events"]) if e["factor"] != "session"]
        self.assertEqual(seq, [
            ("sesamectl", "invite", "ok", "issued"),
            ("web", "invite", "ok", "accepted"),
            ("web", "passkey", "ok", "register"),
            ("web", "totp", "ok", "enroll"),
            ("web", "totp", "ok", "confirm"),
            ("web", "passkey", "success", "ok"),
            ("web", "password", "success", "ok"),
            ("web", "totp", "success", "ok"),
            ("web", "passkey", "ok", "remove"),
        ], seq)

    def test_french(self):
        self.cmd("open", ctx="fr", locale="fr-FR")
        self.assertEqual(self.goto("fr", "/login"), "/login")
        self.cmd("wait", ctx="fr", selector="#passkey-login button")
        body = self.text("fr")
        self.assertIn("Nom d’utilisateur", body)
        self.assertIn("Se connecter avec une clé d’accès", body)
        self.cmd("fill", ctx="fr", selector="#user", value="nobody")
        self.cmd("fill", ctx="fr", selector="#password", value=PASSWORD)
        self.click("fr", LOGIN_FORM, "/login")
        self.assertIn(WRONG_PASSWORD_FR, self.text("fr"))
        self.shot("fr", "06-login-fr.png")


if __name__ == "__main__":
    unittest.main()
