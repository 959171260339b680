"""End to end, the terminal hand-off (issue 12): Debian's sshd (keyboard-
interactive, PAM: pam_unix then pam_sesame.so) and a real sesame-authd
with its web pages; paramiko is the terminal, headless Chromium with the
CDP virtual authenticator is the phone. The prompt's QR code is decoded by
zbarimg from a rendering of the terminal text; the approval page is
screenshotted in English and French ($SESAME_ARTIFACTS/handoff). Also:
Enter too early, deny, Ctrl-C, a recovery code and a one-time login code
through sshd; two logins at once, each approval opening only its own;
another account's passkey refused; an approval used once; an expired
request."""

import json
import os
import queue
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import paramiko

import test_browser
import test_sshd
from harness import SESAMECTL, oathtool  # noqa: E402 (path set by test_sshd)

PASSWORD = "violet-tractor-quantum-harbor-97"  # the Sésame (web) password
CODE_RE = re.compile(r"type the code\s+([0-9A-Z]{4}-[0-9A-Z]{4})")
URL_RE = re.compile(r"open (http://\S+)")
QR_CHARS = set(" \u2580\u2584\u2588")


def render_pgm(lines, path, scale=4):
    """The terminal text of a QR code as a grey image: each character cell
    is one module wide and two high (the half blocks), light = white."""
    width = max(len(l) for l in lines)
    rows = []
    for line in lines:
        line = line.ljust(width)
        top = [255 if ch in "\u2580\u2588" else 0 for ch in line]
        bottom = [255 if ch in "\u2584\u2588" else 0 for ch in line]
        for r in (top, bottom):
            px = bytes(v for v in r for _ in range(scale))
            rows += [px] * scale
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (width * scale, len(rows)))
        f.write(b"".join(rows))


class Terminal(threading.Thread):
    """One ssh login: prompts go to self.prompts; answers come from
    self.answers (None: Ctrl-C, the client goes away)."""

    def __init__(self, port, user, password, hostpub):
        super().__init__(daemon=True)
        self.port, self.user, self.password, self.hostpub = port, user, password, hostpub
        self.prompts, self.answers = queue.Queue(), queue.Queue()
        self.result = None
        self.transport = None

    def handler(self, title, instructions, prompts):
        out = []
        for prompt, echo in prompts:
            if prompt.strip().lower().startswith("password"):
                out.append(self.password)
                continue
            self.prompts.put(prompt)
            answer = self.answers.get(timeout=120)
            if answer is None:  # Ctrl-C: the client closes its connection
                self.transport.close()
                raise EOFError("interrupted")
            out.append(answer)
        return out

    def run(self):
        t = self.transport = paramiko.Transport(("127.0.0.1", self.port))
        try:
            t.start_client(timeout=10)
            kt, kb64 = open(self.hostpub).read().split()[:2]
            if t.get_remote_server_key().get_base64() != kb64:
                self.result = "hostkey"
                return
            t.auth_interactive(self.user, self.handler)
            ch = t.open_session()
            ch.settimeout(10)
            ch.exec_command("echo ok")
            out = ch.makefile("rb").read().decode().strip()
            self.result = "OUT=%s RC=%d" % (out, ch.recv_exit_status())
        except paramiko.AuthenticationException:
            self.result = "authfail"
        except Exception as e:  # noqa: BLE001 - reported to the test
            self.result = "error: %r" % (e,)
        finally:
            t.close()
            self.prompts.put(None)

    def prompt(self):
        p = self.prompts.get(timeout=60)
        if p is None:
            raise AssertionError("the login ended: %s" % self.result)
        return p

    def finish(self):
        self.join(60)
        return self.result


WEB_PORT = test_browser.free_port()


class Handoff(test_sshd.Sshd):
    config = ("[web]\nlisten = 127.0.0.1:%d\nrp_id = localhost\norigins = http://localhost:%d\n"
              "user_verification = required\n" % (WEB_PORT, WEB_PORT))

    # the browser steps of test_browser.py, on this class's daemon
    start_browser = test_browser.BrowserCase.start_browser
    chromium_args = test_browser.BrowserCase.chromium_args
    stop_browser = test_browser.BrowserCase.stop_browser
    read = staticmethod(test_browser.BrowserCase.read)
    logs = test_browser.BrowserCase.logs
    read_reply = test_browser.BrowserCase.read_reply
    cmd = test_browser.BrowserCase.cmd
    goto = test_browser.BrowserCase.goto
    click = test_browser.BrowserCase.click
    text = test_browser.BrowserCase.text
    shot = test_browser.BrowserCase.shot
    assert_accessible = test_browser.BrowserCase.assert_accessible

    test_ssh_login_needs_password_and_code = None  # test_sshd.py's, run there

    def sshd_log(self):
        with open(os.path.join(self.sshtmp, "sshd.log"), errors="replace") as f:
            return f.read()

    @classmethod
    def setUpClass(cls):
        for tool in ("node", "npm", "zbarimg"):
            if not shutil.which(tool):
                raise unittest.SkipTest("%s is not installed (scripts/deps.sh)" % tool)
        if not os.path.exists(test_browser.CHROMIUM):
            raise unittest.SkipTest("chromium is not installed")
        test_browser.ensure_playwright()
        super().setUpClass()
        cls.origin = "http://localhost:%d" % WEB_PORT
        cls.artifacts = os.path.join(os.path.dirname(test_browser.artifacts_dir()), "handoff")
        os.makedirs(cls.artifacts, exist_ok=True)

    def setUp(self):
        self.sshtmp = type(self).tmp
        self.tmp = tempfile.mkdtemp(prefix="sesame-ho.")  # the browser's (profile, driver)
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.chromium = self.driver = None
        self.addCleanup(self.stop_browser)
        self.start_browser()

    def ctl(self, *args, stdin=None):
        p = subprocess.run([SESAMECTL, "--socket", self.daemon.socket] + list(args), input=stdin,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p.stdout

    def login(self):
        term = Terminal(self.port, self.user, self.password,
                        os.path.join(self.sshtmp, "hostkey.pub"))
        term.start()
        return term

    def web_passkey(self, ctx, locale, secret, code_offset):
        """Signs in with password + TOTP in a new browser context and adds a passkey."""
        self.cmd("open", ctx=ctx, locale=locale, webauthn=True)
        self.goto(ctx, "/login")
        self.cmd("fill", ctx=ctx, selector="#user", value=self.user)
        self.cmd("fill", ctx=ctx, selector="#password", value=PASSWORD)
        self.click(ctx, 'form[action="/login"] button[type=submit]', "/login/code")
        self.cmd("fill", ctx=ctx, selector="#code", value=oathtool(self.secret, offset=code_offset))
        self.click(ctx, 'form[action="/login/code"] button[type=submit]', "/account")
        self.cmd("fill", ctx=ctx, selector="#passkey-name", value=ctx)
        self.click(ctx, "#passkey-add button[type=submit]", "/account")

    def approve_page(self, ctx, code):
        """/h: sign in with the passkey (back to /h), type the code: the review."""
        self.goto(ctx, "/h")
        self.cmd("wait", ctx=ctx, selector="#passkey-login button")
        self.click(ctx, "#passkey-login button", "/h")
        self.cmd("fill", ctx=ctx, selector="#code", value=code)
        self.click(ctx, 'form[action="/h"] button[type=submit]', "/h")
        return self.text(ctx)

    def test_handoff_through_sshd(self):
        t0 = time.monotonic()
        self.ctl("user", "add", self.user, "--password", stdin=PASSWORD + "\n")
        self.secret = self.daemon.enroll(self.user)
        self.web_passkey("en", "en-US", self.secret, 0)

        # 1. a login: the code prompt offers the passkey; Enter chooses it
        term = self.login()
        first = term.prompt()
        self.assertIn("press Enter to approve with a passkey", first)
        term.answers.put("")
        prompt = term.prompt()
        lines = prompt.split("\n")
        for line in lines:
            self.assertLessEqual(len(line), 80, line)
        url = URL_RE.search(prompt).group(1)
        self.assertEqual(url, self.origin + "/h")
        code = CODE_RE.search(prompt).group(1)
        # the QR code, read back from a picture of the terminal
        qr = [l for l in lines if l and set(l) <= QR_CHARS]
        self.assertGreater(len(qr), 10)
        pgm = os.path.join(self.tmp, "prompt.pgm")
        render_pgm(qr, pgm)
        z = subprocess.run(["zbarimg", "--raw", "-q", pgm], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(z.stdout.strip(), url, z.stderr)
        # Enter too early: asked again, with the time left
        term.answers.put("")
        again = term.prompt()
        self.assertRegex(again, r"Not approved yet; [0-5] min \d+ s left")

        # 2. the phone: sign in with the passkey, the code, what is approved
        body = self.approve_page("en", code)
        self.assertIn(self.user, body)
        self.assertIn(socket.gethostname(), body)
        self.assertIn(self.service, body)
        self.assertIn("127.0.0.1", body)
        self.assertIn("Approve only a login you just started yourself", body)
        self.assert_accessible("en", "the approval page")
        self.shot("en", "approve-en.png")
        self.click("en", "#handoff-approve", "/h/decide")
        number = self.text("en", "#handoff-number")
        self.assertRegex(number, r"^\d{3}$")
        self.assert_accessible("en", "the number page")
        self.shot("en", "number-en.png")

        # 3. the number at the terminal: the session opens
        term.answers.put(number)
        self.assertEqual(term.finish(), "OUT=ok RC=0", self.sshd_log()[-2000:])
        self.assertIn("Accepted keyboard-interactive/pam for %s" % self.user, self.sshd_log())

        # the approval is spent: the same code again on the page is refused
        self.goto("en", "/h")
        self.cmd("fill", ctx="en", selector="#code", value=code)
        self.click("en", 'form[action="/h"] button[type=submit]', "/h")
        self.assertIn("already approved or denied", self.text("en"))

        # 4. deny, from a phone in French
        self.web_passkey("fr", "fr-FR", self.secret, 30)
        term = self.login()
        term.prompt()
        term.answers.put("")
        code = CODE_RE.search(term.prompt()).group(1)
        body = self.approve_page("fr", code)
        self.assertIn("N’approuvez qu’une connexion", body)
        self.assert_accessible("fr", "the approval page in French")
        self.shot("fr", "approve-fr.png")
        self.click("fr", "#handoff-deny", "/h/decide")
        self.assertIn("Refusé", self.text("fr"))
        term.answers.put("")  # Enter at the terminal
        self.assertEqual(term.finish(), "authfail")

        # 5. Ctrl-C at the approval prompt: the client goes, nothing is left
        term = self.login()
        term.prompt()
        term.answers.put("")
        term.prompt()
        term.answers.put(None)
        self.assertNotEqual(term.finish(), "OUT=ok RC=0")
        self.assertEqual(self.daemon.ok("/v1/health", {})["status"], "ok")

        # 6. a recovery code at the code prompt, once
        codes = json.loads(self.ctl("--json", "recovery", "generate", self.user))["codes"]
        for expect in ("OUT=ok RC=0", "authfail"):
            term = self.login()
            term.prompt()
            term.answers.put(codes[0])
            self.assertEqual(term.finish(), expect)

        # 6b. two logins at once: each approval opens only its own; another
        # account's passkey approves neither; a request can expire
        first, second = self.login(), self.login()
        codes2 = []
        for term in (first, second):
            term.prompt()
            term.answers.put("")
            codes2.append(CODE_RE.search(term.prompt()).group(1))
        other = "ho-other"
        self.ctl("user", "add", other, "--password", stdin=PASSWORD + "\n")
        other_secret = self.daemon.enroll(other)
        self.cmd("open", ctx="other", locale="en-US", webauthn=True)
        self.goto("other", "/login")
        self.cmd("fill", ctx="other", selector="#user", value=other)
        self.cmd("fill", ctx="other", selector="#password", value=PASSWORD)
        self.click("other", 'form[action="/login"] button[type=submit]', "/login/code")
        self.cmd("fill", ctx="other", selector="#code", value=oathtool(other_secret))
        self.click("other", 'form[action="/login/code"] button[type=submit]', "/account")
        self.cmd("fill", ctx="other", selector="#passkey-name", value="other")
        self.click("other", "#passkey-add button[type=submit]", "/account")
        self.assertIn("No login of yours", self.approve_page("other", codes2[0]))
        self.goto("en", "/h")
        self.cmd("fill", ctx="en", selector="#code", value=codes2[0])
        self.click("en", 'form[action="/h"] button[type=submit]', "/h")
        self.click("en", "#handoff-approve", "/h/decide")
        n1 = self.text("en", "#handoff-number")
        second.answers.put(n1)  # the second login still waits
        self.assertIn("Not approved yet", second.prompt())
        first.answers.put(n1)
        self.assertEqual(first.finish(), "OUT=ok RC=0")
        import sqlite3
        db = sqlite3.connect(self.daemon.database)
        db.execute("UPDATE handoffs SET expires = ? WHERE state = 0", (int(time.time()) - 1,))
        db.commit()
        db.close()
        second.answers.put("")
        self.assertEqual(second.finish(), "authfail")

        # 7. a one-time login code from the phone (signed in with the passkey)
        self.goto("en", "/h")
        self.click("en", "#logincode-get", "/h/code")
        login_code = self.text("en", "#logincode")
        term = self.login()
        term.prompt()
        term.answers.put(login_code)
        self.assertEqual(term.finish(), "OUT=ok RC=0")

        events = [(e["factor"], e["result"], e["reason"]) for e in
                  reversed(self.daemon.audit(self.user))]
        for want in (("handoff", "ok", "request"), ("handoff", "waiting", "early"),
                     ("handoff", "ok", "approve"), ("handoff", "success", "ok"),
                     ("handoff", "ok", "deny"), ("handoff", "denied", "handoff_denied"),
                     ("recovery", "success", "ok"), ("recovery", "denied", "wrong_code"),
                     ("logincode", "ok", "issue"), ("logincode", "success", "ok"),
                     ("handoff", "denied", "handoff_expired")):
            self.assertIn(want, events)
        print("hand-off through sshd: %.1f s" % (time.monotonic() - t0))


if __name__ == "__main__":
    unittest.main()
