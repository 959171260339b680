"""pam_sesame.so with hostile conversation functions (a C driver): it never
crashes, never sends an impossible answer, and fails closed."""

import subprocess
import unittest

from harness import (CONV_DRIVER, PAM_AUTH_ERR, PAM_CONV_ERR, PAM_SUCCESS, DaemonTestCase,
                     oathtool)


class Conversation(DaemonTestCase):
    config = "[throttle]\nmax_failures = 1000\n"

    @classmethod
    def setUpClass(cls):
        if not CONV_DRIVER:
            raise unittest.SkipTest("SESAME_CONV_DRIVER is not set")
        super().setUpClass()

    def drive(self, user, mode, count=1):
        self.pam.service("conv", [self.module_line("auth")])
        p = subprocess.run([CONV_DRIVER, "conv", user, mode, str(count)], env=self.pam.env(),
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, "driver died: %d\n%s%s" % (p.returncode, p.stdout, p.stderr))
        return [int(line[3:]) for line in p.stdout.splitlines() if line.startswith("rv=")], p.stdout

    def test_hostile_conversations_fail_closed(self):
        self.daemon.enroll("conv")
        for mode, expected in [("converr", PAM_CONV_ERR), ("nullarray", PAM_AUTH_ERR),
                               ("nullresp", PAM_AUTH_ERR), ("big", PAM_AUTH_ERR),
                               ("answer:", PAM_AUTH_ERR), ("answer:abcdef", PAM_AUTH_ERR),
                               ("answer:\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", PAM_AUTH_ERR),
                               ("answer:12345678901234567890", PAM_AUTH_ERR)]:
            codes, out = self.drive("conv", mode)
            self.assertEqual(codes, [expected], (mode, out))
        # no answer was sent as typed: the 10 MB one never reached the daemon
        self.assertNotIn("7777777", self.daemon.read_log())

    def test_null_conversation_function(self):
        codes, out = self.drive("conv", "nullfn")
        self.assertEqual(len(codes), 1)
        self.assertNotEqual(codes[0], PAM_SUCCESS, out)

    def test_many_calls_in_one_handle(self):
        secret = self.daemon.enroll("loop")
        codes, out = self.drive("loop", "answer:000000", 50)
        self.assertEqual(codes, [PAM_AUTH_ERR] * 50)
        codes, out = self.drive("loop", "answer:" + oathtool(secret))
        self.assertEqual(codes, [PAM_SUCCESS], out)

    def test_valgrind_finds_no_leak_in_a_long_loop(self):
        """sshd lives for months: no leak is small."""
        if subprocess.run(["which", "valgrind"], capture_output=True).returncode != 0:
            self.skipTest("valgrind is not installed")
        import os
        if os.environ.get("SESAME_ASAN_LIB"):
            self.skipTest("not under AddressSanitizer")
        self.daemon.enroll("vg")
        self.pam.service("conv", [self.module_line("auth")])
        p = subprocess.run(["valgrind", "--error-exitcode=3", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                            "--show-leak-kinds=definite,indirect", CONV_DRIVER, "conv", "vg", "answer:000000", "300"],
                           env=self.pam.env(), capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        self.assertEqual(p.stdout.count("rv=%d" % PAM_AUTH_ERR), 300)


if __name__ == "__main__":
    unittest.main()
