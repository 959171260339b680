"""End to end: Debian's ejabberd with auth_method: pam (epam, which answers
every PAM prompt with the one XMPP password), pam_sesame.so in otp_suffix
mode in front of pam_pwdfile, a real sesame-authd (pam_trusted_users =
ejabberd, since epam runs as ejabberd for every user), and slixmpp as the
client. The PAM service is a temporary /etc/pam.d file: pam_wrapper does
not reach epam (recipe: shared/recipes/03-ejabberd.sh)."""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import PAM_MODULE, DaemonTestCase, oathtool, wrong_code  # noqa: E402

EPAM = "/usr/lib/erlang/p1_pam/bin/epam"
CLIENT = r'''
import sys, asyncio, logging, slixmpp
jid, pw, port, ca = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
logging.basicConfig(level=logging.ERROR)
class C(slixmpp.ClientXMPP):
    result = "timeout"
    def __init__(self):
        super().__init__(jid, pw)
        self.ca_certs = ca
        self.add_event_handler("session_start", self.ok)
        self.add_event_handler("failed_all_auth", self.bad)
    async def ok(self, _):
        self.result = "ok"; self.disconnect()
    def bad(self, _):
        self.result = "authfail"; self.disconnect()
x = C()
x.connect(("127.0.0.1", port))
x.loop.run_until_complete(asyncio.wait([x.disconnected], timeout=25))
print("RESULT", x.result)
sys.exit({"ok": 0, "authfail": 3}.get(x.result, 4))
'''


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def descendants(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [d for c in out for d in descendants(int(c))] + [int(c) for c in out]


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def reap():
    """Collects adopted orphans (this process is a child subreaper)."""
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                return
        except ChildProcessError:
            return


class Ejabberd(DaemonTestCase):
    config = "[authd]\npam_trusted_users = ejabberd\n"

    @classmethod
    def setUpClass(cls):
        if not os.path.exists("/usr/sbin/ejabberdctl") or not os.path.exists(EPAM):
            raise unittest.SkipTest("ejabberd and erlang-p1-pam are not installed")
        if os.environ.get("SESAME_ASAN_LIB"):
            # epam is started by ejabberd through su: the sanitizer runtime
            # cannot be preloaded into it, so a sanitized module cannot load
            raise unittest.SkipTest("not with a sanitizer build")
        # PID 1 reaps no orphans here: adopt ejabberd's (reaped in tearDownClass)
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
        super().setUpClass()
        t = cls.tmp
        cls.user = "xu%d" % os.getpid()
        cls.xmpp_password = "xmpp-pw-%d" % os.getpid()
        cls.service = "sesame-xmpp-%d" % os.getpid()
        cls.port, cls.dist_port = free_port(), free_port()
        for d in ["spool", "logs", "run"]:
            os.makedirs(os.path.join(t, d))
        shutil.copy("/etc/ejabberd/inetrc", os.path.join(t, "inetrc"))
        hashed = subprocess.check_output(["openssl", "passwd", "-6", cls.xmpp_password], text=True).strip()
        with open(os.path.join(t, "xmpp.passwd"), "w") as f:
            f.write("%s:%s\n" % (cls.user, hashed))
        cls.etc_pam = "/etc/pam.d/" + cls.service
        with open(cls.etc_pam, "w") as f:
            f.write("auth     required  %s socket=%s otp_suffix\n"
                    "auth     required  /lib/x86_64-linux-gnu/security/pam_pwdfile.so pwdfile=%s\n"
                    "account  required  %s socket=%s\n"
                    % (PAM_MODULE, cls.daemon.socket, os.path.join(t, "xmpp.passwd"), PAM_MODULE,
                       cls.daemon.socket))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", os.path.join(t, "key.pem"), "-out", os.path.join(t, "cert.pem")],
                       check=True, capture_output=True)
        with open(os.path.join(t, "ejabberd.pem"), "w") as f:
            for part in ["cert.pem", "key.pem"]:
                with open(os.path.join(t, part)) as p:
                    f.write(p.read())
        with open(os.path.join(t, "ejabberd.yml"), "w") as f:
            f.write("""hosts:
  - localhost
loglevel: info
log_rotate_count: 0
certfiles:
  - "%s/ejabberd.pem"
listen:
  -
    port: %d
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: true
auth_method: pam
pam_service: "%s"
pam_userinfotype: username
auth_use_cache: false
s2s_access: none
acme:
  auto: false
modules:
  mod_disco: {}
  mod_roster: {}
""" % (t, cls.port, cls.service))
        with open(os.path.join(t, "ejabberdctl.cfg"), "w") as f:
            f.write("ERLANG_NODE=sesame%d@localhost\nERL_DIST_PORT=%d\nINET_DIST_INTERFACE=127.0.0.1\n"
                    "ERL_EPMD_ADDRESS=127.0.0.1\nERL_OPTIONS=\"-env ERL_CRASH_DUMP_BYTES 0\"\n"
                    "EJABBERD_PID_PATH=%s/run/ejabberd.pid\n" % (os.getpid(), cls.dist_port, t))
        subprocess.run(["chown", "-R", "ejabberd:ejabberd", t + "/spool", t + "/logs", t + "/run",
                        t + "/ejabberd.pem", t + "/ejabberd.yml", t + "/xmpp.passwd"], check=True)
        os.chmod(os.path.join(t, "ejabberd.pem"), 0o600)
        os.chmod(os.path.join(t, "xmpp.passwd"), 0o600)
        cls.ejabberd = subprocess.Popen(
            ["/usr/sbin/ejabberdctl", "--config", t + "/ejabberd.yml", "--ctl-config", t + "/ejabberdctl.cfg",
             "--spool", t + "/spool", "--logs", t + "/logs", "--config-dir", t, "foreground"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if cls.ejabberd.poll() is not None:
                raise AssertionError("ejabberd exited early")
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("ejabberd did not listen")
        with open(os.path.join(t, "client.py"), "w") as f:
            f.write(CLIENT)

    @classmethod
    def tearDownClass(cls):
        try:
            if getattr(cls, "ejabberd", None):
                # ejabberdctl -> su -> sh -> beam.smp -> erl_child_setup, epam: TERM the
                # whole tree (beam stops cleanly on TERM), then KILL what is left
                pids = descendants(cls.ejabberd.pid) + [cls.ejabberd.pid]
                for p in pids:
                    try:
                        os.kill(p, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline and any(alive(p) for p in pids):
                    time.sleep(0.1)
                    reap()
                for p in pids:
                    try:
                        os.kill(p, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                cls.ejabberd.wait(10)
            reap()
        finally:
            if os.path.exists(getattr(cls, "etc_pam", "/nonexistent")):
                os.unlink(cls.etc_pam)
            super().tearDownClass()

    def login(self, secret_field):
        p = subprocess.run(["/usr/bin/python3", os.path.join(self.tmp, "client.py"), self.user + "@localhost",
                            secret_field, str(self.port), os.path.join(self.tmp, "cert.pem")],
                           capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout + p.stderr

    def test_xmpp_login_with_password_and_code_in_one_field(self):
        secret = self.daemon.enroll(self.user)
        rc, out = self.login(self.xmpp_password + wrong_code(secret))
        self.assertEqual(rc, 3, out)
        # the module accepts the code (and uses it up); pam_pwdfile refuses the password
        rc, out = self.login("wrong-" + self.xmpp_password + oathtool(secret))
        self.assertEqual(rc, 3, out)
        good = self.xmpp_password + oathtool(secret, offset=30)
        rc, out = self.login(good)
        self.assertEqual(rc, 0, out)
        with open(os.path.join(self.tmp, "logs", "ejabberd.log"), errors="replace") as f:
            self.assertIn("Accepted c2s PLAIN authentication for %s@localhost by pam backend" % self.user, f.read())
        rc, out = self.login(good)  # replayed: refused (auth_use_cache: false)
        self.assertEqual(rc, 3, out)
        events = [e for e in self.daemon.audit(self.user) if e["service"] == self.service]
        self.assertEqual([e["reason"] for e in events[:3]], ["code_reused", "ok", "ok"])
        self.assertEqual(events[3]["reason"], "wrong_code")


if __name__ == "__main__":
    unittest.main()
