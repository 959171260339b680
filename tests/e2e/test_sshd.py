"""End to end: Debian's real sshd (keyboard-interactive, UsePAM) with
pam_unix then pam_sesame.so, a real sesame-authd, and paramiko as the SSH
client. sshd runs under pam_wrapper with a private service directory, so
/etc/pam.d is untouched (recipe: shared/recipes/02-openssh.sh)."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import PAM_MODULE, DaemonTestCase, oathtool, wrong_code  # noqa: E402

SECDIR = "/lib/x86_64-linux-gnu/security"
CLIENT = r'''
import sys, paramiko
host, port, user, pw, code, hostpub = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
seen = []
def handler(title, instructions, prompts):
    answers = []
    for prompt, echo in prompts:
        seen.append(prompt)
        answers.append(code if "verification code" in prompt.lower() else pw)
    return answers
t = paramiko.Transport((host, port))
try:
    t.start_client(timeout=10)
    kt, kb64 = open(hostpub).read().split()[:2]
    srv = t.get_remote_server_key()
    if srv.get_name() != kt or srv.get_base64() != kb64:
        print("HOSTKEY MISMATCH"); sys.exit(4)
    try:
        t.auth_interactive(user, handler)
    except paramiko.AuthenticationException as e:
        print("AUTHFAIL prompts=%r" % seen); sys.exit(3)
    ch = t.open_session(); ch.settimeout(10); ch.exec_command("echo ok")
    out = ch.makefile("rb").read().decode().strip(); rc = ch.recv_exit_status()
    print("OUT=%s RC=%d prompts=%r" % (out, rc, seen))
    sys.exit(0 if (out == "ok" and rc == 0) else 5)
finally:
    t.close()
'''


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Sshd(DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists("/usr/sbin/sshd"):
            raise unittest.SkipTest("openssh-server is not installed")
        super().setUpClass()
        cls.user = "sst%d" % os.getpid()
        cls.password = "Pw-" + secrets.token_hex(12)
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", cls.user], check=True)
        subprocess.run(["chpasswd"], input="%s:%s\n" % (cls.user, cls.password), text=True, check=True)
        cls.service = "sshd-sesame-%d" % os.getpid()
        cls.pam.service(cls.service, [
            "auth     requisite  %s/pam_unix.so" % SECDIR,
            "auth     required   %s socket=%s" % (PAM_MODULE, cls.daemon.socket),
            "account  required   %s/pam_unix.so" % SECDIR,
            "account  required   %s socket=%s" % (PAM_MODULE, cls.daemon.socket),
            "session  required   %s/pam_permit.so" % SECDIR,
            "password required   %s/pam_deny.so" % SECDIR])
        t = cls.tmp
        os.makedirs(os.path.join(t, "bin"), exist_ok=True)
        os.symlink("/usr/sbin/sshd", os.path.join(t, "bin", cls.service))  # argv[0] = PAM service
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(t, "hostkey")], check=True)
        cls.port = free_port()
        with open(os.path.join(t, "sshd_config"), "w") as f:
            f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s/hostkey\nPidFile %s/sshd.pid\n"
                    "UsePAM yes\nKbdInteractiveAuthentication yes\nPasswordAuthentication no\n"
                    "PubkeyAuthentication no\nAuthenticationMethods keyboard-interactive\n"
                    "PermitRootLogin no\nAllowUsers %s\nMaxAuthTries 3\nPrintMotd no\nLogLevel VERBOSE\n"
                    % (cls.port, t, t, cls.user))
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        env = cls.pam.env()  # pam_wrapper (and the ASan runtime in sanitizer builds)
        # PID 1 reaps no orphans here: make sshd a child subreaper (survives execve)
        reaper = ["/usr/bin/python3", "-c", "import ctypes,os,sys; ctypes.CDLL(None).prctl(36,1,0,0,0); "
                  "os.execv(sys.argv[1], sys.argv[1:])"]
        cls.sshd = subprocess.Popen(reaper + [os.path.join(t, "bin", cls.service), "-D", "-f",
                                              os.path.join(t, "sshd_config"), "-E", os.path.join(t, "sshd.log")],
                                    env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise AssertionError("sshd did not listen")
        with open(os.path.join(t, "client.py"), "w") as f:
            f.write(CLIENT)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "sshd", None):
            cls.sshd.send_signal(signal.SIGTERM)
            cls.sshd.wait(10)
        subprocess.run(["userdel", "-r", cls.user], capture_output=True)
        super().tearDownClass()

    def ssh(self, password, code):
        p = subprocess.run(["/usr/bin/python3", os.path.join(self.tmp, "client.py"), "127.0.0.1",
                            str(self.port), self.user, password, code, os.path.join(self.tmp, "hostkey.pub")],
                           capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout + p.stderr

    def sshd_log(self):
        with open(os.path.join(self.tmp, "sshd.log"), errors="replace") as f:
            return f.read()

    def test_ssh_login_needs_password_and_code(self):
        secret = self.daemon.enroll(self.user)
        rc, out = self.ssh(self.password, wrong_code(secret))
        self.assertEqual(rc, 3, out)
        self.assertIn("Verification code: ", out)
        rc, out = self.ssh("not-" + self.password, oathtool(secret))
        self.assertEqual(rc, 3, out)
        code = oathtool(secret, offset=30)
        rc, out = self.ssh(self.password, code)
        self.assertEqual(rc, 0, out + self.sshd_log()[-2000:])
        self.assertIn("OUT=ok RC=0", out)
        self.assertIn("Accepted keyboard-interactive/pam for %s" % self.user, self.sshd_log())
        rc, out = self.ssh(self.password, code)  # the same code again
        self.assertEqual(rc, 3, out)
        events = self.daemon.audit(self.user)
        self.assertEqual([e["reason"] for e in events[:3]], ["code_reused", "ok", "wrong_code"])
        self.assertEqual(events[1]["service"], self.service)
        self.assertEqual(events[1]["rhost"], "127.0.0.1")


if __name__ == "__main__":
    unittest.main()
