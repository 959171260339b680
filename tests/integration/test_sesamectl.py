"""sesamectl against a real sesame-authd: every subcommand, --json, exit
statuses, refusals, and the QR code (decoded back with zbarimg when it is
installed)."""

import json
import os
import re
import stat
import subprocess
import time
import unittest

from harness import SESAMECTL, DaemonTestCase, oathtool, pypamtest, secret_of, wrong_code, PAM_SUCCESS


class Sesamectl(DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        if not SESAMECTL:
            raise unittest.SkipTest("SESAMECTL is not set")
        super().setUpClass()

    def ctl(self, *args, as_user=None, stdin=None):
        cmd = [SESAMECTL, "--socket", self.daemon.socket] + list(args)
        if as_user:
            cmd = ["setpriv", "--reuid=" + as_user, "--regid=nogroup", "--clear-groups"] + cmd
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30, input=stdin)

    def test_enroll_confirm_list_show_remove(self):
        p = self.ctl("totp", "enroll", "alice", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["user"], "alice")
        self.assertRegex(doc["otpauth_uri"], r"^otpauth://totp/Sesame:alice\?secret=[A-Z2-7]+&issuer=Sesame")
        secret = secret_of(doc["otpauth_uri"])
        # human output: URI, QR drawn with half blocks, the next step
        p = self.ctl("totp", "enroll", "alice")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("otpauth://totp/", p.stdout)
        self.assertTrue(set("▀▄█") & set(p.stdout))
        self.assertRegex(p.stdout, r"sesamectl .*totp confirm alice CODE")
        secret = secret_of(re.search(r"otpauth://\S+", p.stdout).group(0))  # replaced the pending one
        p = self.ctl("totp", "confirm", "alice", wrong_code(secret))
        self.assertEqual(p.returncode, 1)
        self.assertTrue(p.stderr.startswith("sesamectl: "), p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)
        p = self.ctl("totp", "confirm", "alice", oathtool(secret, offset=-30))
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.ctl("--json", "totp", "list", "alice")
        items = json.loads(p.stdout)["totp"]
        self.assertEqual(len(items), 1)
        self.assertTrue(items[0]["confirmed"])
        self.assertNotIn(secret, p.stdout)
        p = self.ctl("user", "show", "alice")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("totp", p.stdout)
        res = pypamtest(self.pam, self.pam.service("s", [self.module_line("auth")]), "alice",
                        [("authenticate", PAM_SUCCESS)], [oathtool(secret)])
        self.assertTrue(res["ok"], res)
        # the last second factor: kept without --force (the same rule as the
        # account page), removed with it, audited as such
        p = self.ctl("totp", "remove", "alice", str(items[0]["id"]))
        self.assertEqual(p.returncode, 1)
        self.assertIn("last second factor", p.stderr)
        self.assertEqual(len(json.loads(self.ctl("--json", "totp", "list", "alice").stdout)["totp"]), 1)
        p = self.ctl("totp", "remove", "--force", "alice", str(items[0]["id"]))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([(e["result"], e["reason"]) for e in self.daemon.audit("alice")[:2]],
                         [("ok", "remove_last"), ("denied", "last_factor")])
        p = self.ctl("totp", "remove", "--force", "alice", str(items[0]["id"]))
        self.assertEqual(p.returncode, 1)
        self.assertEqual(json.loads(self.ctl("--json", "totp", "list", "alice").stdout)["totp"], [])

    def test_qr_code_decodes_to_the_uri(self):
        if subprocess.run(["which", "zbarimg"], capture_output=True).returncode != 0:
            self.skipTest("zbarimg (zbar-tools) is not installed")
        p = self.ctl("totp", "enroll", "qruser")
        uri = re.search(r"otpauth://\S+", p.stdout).group(0)
        rows = [line for line in p.stdout.splitlines() if line and set(line) <= set("▀▄█ ")]
        # each text row holds two module rows: upper and lower half
        grid = []
        for line in rows:
            top = [c in "▀█" for c in line]
            bottom = [c in "▄█" for c in line]
            grid += [top, bottom]
        width = max(len(r) for r in grid)
        # the drawing is dark-on-light: a drawn block is a light module
        pgm = os.path.join(self.tmp, "qr.pgm")
        scale = 4
        with open(pgm, "wb") as f:
            f.write(b"P5 %d %d 255\n" % (width * scale, len(grid) * scale))
            for r in grid:
                line = bytes(255 if (x < len(r) and r[x]) else 0 for x in range(width) for _ in range(scale))
                f.write(line * scale)
        out = subprocess.run(["zbarimg", "-q", "--raw", pgm], capture_output=True, text=True)
        self.assertEqual(out.stdout.strip(), uri)

    def test_user_unlock_and_audit(self):
        secret = self.daemon.enroll("bob")
        svc = self.pam.service("s2", [self.module_line("auth")])
        for _ in range(5):
            pypamtest(self.pam, svc, "bob", [("authenticate", 7)], [wrong_code(secret)])
        p = self.ctl("--json", "user", "show", "bob")
        self.assertTrue(json.loads(p.stdout)["locked"])
        p = self.ctl("user", "show", "bob")
        self.assertRegex(p.stdout, r"(?i)lock")
        self.assertEqual(self.ctl("user", "unlock", "bob").returncode, 0)
        self.assertFalse(json.loads(self.ctl("--json", "user", "show", "bob").stdout)["locked"])
        p = self.ctl("audit", "--user", "bob", "--json")
        events = json.loads(p.stdout)["events"]
        self.assertEqual(events[0]["reason"], "unlock")
        self.assertIn("wrong_code", [e["reason"] for e in events])
        p = self.ctl("audit", "--user", "bob")
        self.assertEqual(p.returncode, 0)
        self.assertIn("wrong_code", p.stdout)
        self.assertIn("s2", p.stdout)
        p = self.ctl("audit", "--limit", "2", "--json")
        self.assertEqual(len(json.loads(p.stdout)["events"]), 2)

    def test_audit_shows_hostile_fields_escaped(self):
        # a row whose remote host carries controls, as a store written by an
        # older daemon or by hand may hold: one line, nothing a terminal
        # would act on, and a backslash of the text not taken for an escape
        rhost = "evil\n\x1b[31mroot\x1b[0m\r\x07\u202eafd.\\x1b"
        self.daemon.sql('INSERT INTO audit (time, "user", service, rhost, factor, result, reason) '
                        "VALUES (?, 'mallory', 'sshd', ?, 'totp', 'failure', 'wrong_code')",
                        (int(time.time()), rhost))
        p = self.ctl("audit", "--user", "mallory")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 2, p.stdout)  # the header and one event
        self.assertIn("evil\\x0a\\x1b[31mroot\\x1b[0m\\x0d\\x07\\u202eafd.\\x5cx1b", lines[1])
        for c in "\x1b\r\x07\u202e":
            self.assertNotIn(c, p.stdout)
        # --json keeps the stored text exactly
        events = json.loads(self.ctl("audit", "--user", "mallory", "--json").stdout)["events"]
        self.assertEqual(events[0]["rhost"], rhost)

    def test_errors_and_exit_statuses(self):
        self.assertEqual(self.ctl("totp", "enroll", "bad/name").returncode, 2)
        self.assertEqual(self.ctl("user", "unlock", "never-seen").returncode, 1)
        self.assertEqual(self.ctl("frobnicate").returncode, 2)
        self.assertEqual(self.ctl("totp", "enroll").returncode, 2)
        self.assertEqual(self.ctl("totp", "enroll", "x", "--digits", "9").returncode, 2)
        for sub in [["totp", "enroll"], ["totp", "confirm"], ["totp", "list"], ["totp", "remove"],
                    ["user", "show"], ["user", "unlock"], ["audit"], ["keygen"]]:
            p = self.ctl(*sub, "--help")
            self.assertEqual(p.returncode, 0, sub)
            self.assertIn("Usage", p.stdout)
        down = subprocess.run([SESAMECTL, "--socket", os.path.join(self.tmp, "none.sock"), "user", "show", "x"],
                              capture_output=True, text=True)
        self.assertEqual(down.returncode, 2)
        self.assertEqual(len(down.stderr.strip().splitlines()), 1)
        self.assertIn("unavailable", down.stderr.lower())

    def test_non_root_is_refused_admin_but_may_see_itself(self):
        p = self.ctl("totp", "enroll", "nobody", as_user="nobody")
        self.assertEqual(p.returncode, 1)
        self.assertIn("root", p.stderr)
        self.assertEqual(self.ctl("audit", as_user="nobody").returncode, 1)
        self.assertEqual(self.ctl("user", "show", "alice", as_user="nobody").returncode, 1)
        self.assertEqual(self.ctl("user", "show", "nobody", as_user="nobody").returncode, 0)

    def test_keygen(self):
        path = os.path.join(self.tmp, "new.key")
        p = self.ctl("keygen", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as f:
            self.assertRegex(f.read(), r"^1 [0-9a-f]{64}\n$")
        with open(path) as f:
            before = f.read()
        p = self.ctl("keygen", path)
        self.assertNotEqual(p.returncode, 0)
        with open(path) as f:
            self.assertEqual(f.read(), before)


if __name__ == "__main__":
    unittest.main()
