"""pam_sesame.so sends the user's canonical name: the pw_name that NSS
returns for the name it was given, so that where NSS treats "ALICE" and
"alice" as one account (SSSD, winbind, LDAP) the daemon sees one user. A
real user made with useradd, looked up case-insensitively through
nss_wrapper and a small NSS module (nss_fold.c) that reads /etc/passwd the
way such directories do; the plain system NSS (case-sensitive files) is the
control."""

import os
import subprocess
import unittest

from harness import (PAM_AUTH_ERR, PAM_SUCCESS, PAM_USER_UNKNOWN, DaemonTestCase, oathtool,
                     pypamtest, wrong_code)

NSS_WRAPPER = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so"
NSS_FOLD = os.environ.get("SESAME_NSS_FOLD", "")


class FoldingPam:
    """The harness's PAM stack, with a case-insensitive passwd database
    (passwd: the file the NSS module reads) in the PAM application."""

    def __init__(self, pam, passwd="/etc/passwd"):
        self.pam, self.passwd = pam, passwd

    def env(self):
        e = self.pam.env()
        e.update(LD_PRELOAD=e["LD_PRELOAD"] + ":" + NSS_WRAPPER,
                 NSS_WRAPPER_PASSWD="/etc/passwd", NSS_WRAPPER_GROUP="/etc/group",
                 NSS_WRAPPER_MODULE_SO_PATH=NSS_FOLD, NSS_WRAPPER_MODULE_FN_PREFIX="sesamefold",
                 SESAME_FOLD_PASSWD=self.passwd)
        return e


class CanonicalUserName(DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        if not NSS_FOLD or not os.path.exists(NSS_WRAPPER):
            raise unittest.SkipTest("needs libnss-wrapper and SESAME_NSS_FOLD")
        super().setUpClass()
        cls.user = "sescanon%d" % os.getpid()
        subprocess.run(["userdel", cls.user], capture_output=True)
        subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", cls.user], check=True)
        cls.folding = FoldingPam(cls.pam)

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["userdel", cls.user], capture_output=True)
        super().tearDownClass()

    def setUp(self):
        self.pam.service("canon", [self.module_line("auth"), self.module_line("account")])
        self.pam.service("canon-nullok", [self.module_line("auth", "nullok")])

    def users_audited_since(self, last_id):
        return {e["user"] for e in self.daemon.audit() if e["id"] > last_id}

    def last_audit_id(self):
        events = self.daemon.audit()
        return events[0]["id"] if events else 0

    def test_the_lookup_folds_case_and_the_control_does_not(self):
        # the two NSS set-ups the tests below rely on, seen from a program
        upper = self.user.upper()
        p = subprocess.run(["getent", "passwd", upper], env=self.folding.env(),
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith(self.user + ":"), p.stdout)
        p = subprocess.run(["getent", "passwd", upper], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)

    def test_uppercase_login_is_the_lowercase_user(self):
        secret = self.daemon.enroll(self.user)
        upper = self.user.upper()
        last = self.last_audit_id()
        res = pypamtest(self.folding, "canon", upper,
                        [("authenticate", PAM_SUCCESS), ("account", PAM_SUCCESS)],
                        [oathtool(secret)])
        self.assertTrue(res["ok"], res)
        events = self.daemon.audit(self.user)
        self.assertEqual(events[0]["result"], "success")
        self.assertEqual(events[0]["user"], self.user)
        self.assertEqual(events[0]["service"], "canon")
        # a wrong code counts against the same, lowercase account
        failures = self.daemon.ok("/v1/user/show", {"user": self.user})["failures"]
        res = pypamtest(self.folding, "canon", upper.capitalize(),
                        [("authenticate", PAM_AUTH_ERR)], [wrong_code(secret)])
        self.assertTrue(res["ok"], res)
        self.assertEqual(self.daemon.ok("/v1/user/show", {"user": self.user})["failures"],
                         failures + 1)
        self.assertEqual(self.users_audited_since(last), {self.user})

    def test_nullok_does_not_excuse_an_enrolled_user_under_another_spelling(self):
        # the case for canonical names: without them "SESCANON" would be a
        # second daemon user, with no factor, let through by nullok
        self.daemon.enroll(self.user)
        upper = self.user.upper()
        res = pypamtest(self.folding, "canon-nullok", upper, [("authenticate", PAM_AUTH_ERR)],
                        ["000000x"])
        self.assertTrue(res["ok"], res)
        # control: where NSS does not know the spelling, it is sent as given
        # and the daemon decides: a case variant of an enrolled name is not a
        # user without a factor, nullok or not (issue 10 item 2, daemon side)
        res = pypamtest(self.pam, "canon-nullok", upper, [("authenticate", PAM_AUTH_ERR)],
                        ["000000"])
        self.assertTrue(res["ok"], res)
        self.assertEqual(self.daemon.audit(upper)[0]["user"], upper)

    def test_a_canonical_name_the_protocol_cannot_carry_is_refused(self):
        # NSS maps a valid name (an alias, here) to one the daemon would
        # refuse: nothing is sent, under either name
        passwd = os.path.join(self.tmp, "passwd-odd")
        with open(passwd, "w") as f:
            f.write("odd name:x:4711:4711:oddalias:/nonexistent:/usr/sbin/nologin\n")
        odd = FoldingPam(self.pam, passwd)
        self.pam.service("canon-odd", [self.module_line("auth", "nullok")])
        before = len(self.daemon.audit())
        res = pypamtest(odd, "canon-odd", "oddalias", [("authenticate", PAM_USER_UNKNOWN)], [])
        self.assertTrue(res["ok"], res)
        self.assertEqual(len(self.daemon.audit()), before)
        # control: where NSS does not know the alias it is sent as given
        res = pypamtest(self.pam, "canon-odd", "oddalias", [("authenticate", PAM_SUCCESS)], [])
        self.assertTrue(res["ok"], res)
        self.assertEqual(self.daemon.audit("oddalias")[0]["reason"], "nullok")


if __name__ == "__main__":
    unittest.main()
