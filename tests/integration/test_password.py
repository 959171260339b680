"""Password changes against a real sesame-authd (POST /v1/password/check):
pam_sesame.so's pam_sm_chauthtok driven by the real passwd(1) on a pty and by
pamtester/pypamtest through pam_wrapper, and `sesamectl password check`."""

import json
import os
import pty
import pwd
import select
import socket
import subprocess
import threading
import time
import unittest

from harness import (PAM_GET_ITEMS, PAM_MODULE, PAM_SUCCESS, SESAMECTL, DaemonTestCase)

PAM_AUTHTOK_ERR, PAM_CONV_ERR = 20, 19
PAM_SET_ITEMS = "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_set_items.so"
PAM_UNIX = "/lib/x86_64-linux-gnu/security/pam_unix.so"
UNAVAILABLE = "Authentication service unavailable; the password was not changed."
WEAK = "password"
STRONG = "violet-tractor-quantum-harbor-97"
STRONG2 = "amber-walrus-cinema-lantern-42"
HERE = os.path.dirname(os.path.abspath(__file__))


def run_on_pty(argv, env, script, timeout=30):
    """Runs argv with a new pty as its stdin, stdout and stderr. script:
    [(text to wait for, line to type)], matched in order. Returns (exit
    status, transcript)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                         start_new_session=True)
    os.close(slave)
    out, pos = b"", 0
    deadline = time.monotonic() + timeout

    def read_some():
        nonlocal out
        r, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            raise AssertionError("timeout on the pty; transcript:\n" + out.decode(errors="replace"))
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the program closed the pty
            data = b""
        out += data
        return data

    try:
        for wanted, line in script:
            while out.find(wanted.encode(), pos) < 0:
                if not read_some():
                    raise AssertionError("no %r; transcript:\n%s" % (wanted, out.decode(errors="replace")))
            pos = out.find(wanted.encode(), pos) + len(wanted)
            os.write(master, line.encode() + b"\n")
        while read_some():
            pass
        rc = p.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if p.poll() is None:
            p.kill()
            p.wait()
    return rc, out.decode(errors="replace")


class PasswordCase(DaemonTestCase):
    """Helpers shared by the suites below."""

    def reasons(self, password, user, old=None):
        """The daemon's own refusal sentences for password, asked directly."""
        body = {"password": password, "user": user}
        if old is not None:
            body["old_password"] = old
        reply = self.daemon.ok("/v1/password/check", body)
        return reply["accepted"], [r["message"] for r in reply.get("reasons", [])], reply.get("hint")

    def line(self, args=""):
        return "password requisite %s socket=%s %s" % (PAM_MODULE, self.daemon.socket, args)

    def pamtester(self, service, user, stdin, env=None, as_user=None):
        """pamtester chauthtok; stdin is bytes or a list of lines. Returns
        (exit status, combined output)."""
        if isinstance(stdin, list):
            stdin = "".join(a + "\n" for a in stdin).encode()
        cmd = ["pamtester", "-v", service, user, "chauthtok"]
        if as_user:
            gid = pwd.getpwnam(as_user).pw_gid
            cmd = ["setpriv", "--reuid=" + as_user, "--regid=%d" % gid, "--clear-groups"] + cmd
        e = self.pam.env()
        e.update(env or {})
        p = subprocess.run(cmd, input=stdin, env=e, capture_output=True, timeout=60)
        return p.returncode, (p.stdout + p.stderr).decode(errors="replace")

    def pypamtest(self, service, user, cases, answers, env=None):
        """harness.pypamtest with extra environment (pam_set_items.so reads it)."""
        req = {"service": service, "user": user, "cases": cases, "answers": list(answers),
               "echo_on": []}
        e = self.pam.env()
        e.update(env or {})
        p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "pamtest_run.py")],
                           input=json.dumps(req), env=e, capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError("pamtest_run failed: " + p.stderr)
        return json.loads(p.stdout)


class PasswdProgram(PasswordCase):
    """The real passwd(1), run as root on a pty for a real user, with
    pam_sesame before pam_unix in a private "passwd" service."""

    def setUp(self):
        if os.environ.get("SESAME_ASAN_LIB"):
            # pam_wrapper dlopens libpam with RTLD_DEEPBIND in passwd, which
            # the sanitizer runtime refuses
            self.skipTest("not under AddressSanitizer")
        self.user = "sespw%d" % os.getpid()
        subprocess.run(["userdel", self.user], capture_output=True)
        subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", self.user], check=True)
        self.addCleanup(subprocess.run, ["userdel", self.user], capture_output=True)
        self.pam.service("passwd", [self.line("enforce_for_root"),
                                    "password required %s use_authtok" % PAM_UNIX])
        self.pam.service("unix-login", ["auth required %s nodelay" % PAM_UNIX])

    def shadow_hash(self):
        with open("/etc/shadow") as f:
            for entry in f:
                fields = entry.split(":")
                if fields[0] == self.user:
                    return fields[1]
        raise AssertionError("%s is not in /etc/shadow" % self.user)

    def passwd(self, new, retype=None):
        return run_on_pty(["passwd", self.user], self.pam.env(),
                          [("New password: ", new), ("Retype new password: ", retype or new)])

    def test_weak_refused_with_the_reason_strong_stored_by_pam_unix(self):
        before = self.shadow_hash()
        accepted, messages, hint = self.reasons(WEAK, self.user)
        self.assertFalse(accepted)
        self.assertTrue(messages)
        rc, out = self.passwd(WEAK)
        self.assertNotEqual(rc, 0, out)
        for m in messages:
            self.assertIn(m, out)
        if hint:
            self.assertIn(hint, out)
        self.assertIn("password unchanged", out)
        self.assertEqual(self.shadow_hash(), before)

        rc, out = self.passwd(STRONG)
        self.assertEqual(rc, 0, out)
        self.assertIn("password updated successfully", out)
        after = self.shadow_hash()
        self.assertNotEqual(after, before)
        self.assertTrue(after.startswith("$"), after)
        # echo was off: neither password ever reached the terminal
        self.assertNotIn(STRONG, out)
        # pam_unix really stored the new password: it authenticates with it
        rc, out = self.pam.pamtester("unix-login", self.user, [STRONG])
        self.assertEqual(rc, 0, out)
        rc, out = self.pam.pamtester("unix-login", self.user, [WEAK])
        self.assertNotEqual(rc, 0, out)

    def test_mismatch_is_not_stored(self):
        before = self.shadow_hash()
        rc, out = self.passwd(STRONG, STRONG2)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("Sorry, passwords do not match.", out)
        self.assertEqual(self.shadow_hash(), before)


class Chauthtok(PasswordCase):
    """pamtester and pypamtest, run as root (the caller is root, hence
    enforce_for_root wherever a refusal is expected)."""

    def test_weak_refused_with_reasons_and_hint(self):
        svc = self.pam.service("pw", [self.line("enforce_for_root")])
        _, messages, hint = self.reasons(WEAK, "alice")
        rc, out = self.pamtester(svc, "alice", [WEAK, WEAK])
        self.assertNotEqual(rc, 0, out)
        self.assertIn("New password: ", out)
        self.assertIn("Retype new password: ", out)
        for m in messages:
            self.assertIn(m, out)
        if hint:
            self.assertIn(hint, out)
        self.assertIn("The password was not changed.", out)
        self.assertIn("Authentication token manipulation error", out)
        res = self.pypamtest(svc, "alice", [("chauthtok", PAM_AUTHTOK_ERR)], [WEAK, WEAK])
        self.assertTrue(res["ok"], res)
        self.assertEqual(res["errors"][:len(messages)], messages)

    def test_user_context_is_sent(self):
        svc = self.pam.service("pw", [self.line("enforce_for_root")])
        pw = "alice2024!"
        accepted, messages, _ = self.reasons(pw, "alice")
        self.assertFalse(accepted)
        res = self.pypamtest(svc, "alice", [("chauthtok", PAM_AUTHTOK_ERR)], [pw, pw])
        self.assertTrue(res["ok"], res)
        for m in messages:
            self.assertIn(m, res["errors"])

    def test_mismatch_refused(self):
        svc = self.pam.service("pw", [self.line("enforce_for_root")])
        rc, out = self.pamtester(svc, "alice", [STRONG, STRONG2])
        self.assertNotEqual(rc, 0, out)
        self.assertIn("Sorry, passwords do not match.", out)
        self.assertIn("Authentication token manipulation error", out)

    def test_strong_accepted_and_handed_on_in_authtok(self):
        svc = self.pam.service("pw", [self.line("enforce_for_root"),
                                      "password required %s" % PAM_GET_ITEMS])
        rc, out = self.pamtester(svc, "alice", [STRONG, STRONG])
        self.assertEqual(rc, 0, out)
        self.assertIn("authentication token altered successfully", out)
        res = self.pypamtest(svc, "alice", [("chauthtok", PAM_SUCCESS), ("getenvlist", PAM_SUCCESS)],
                             [STRONG, STRONG])
        self.assertTrue(res["ok"], res)
        self.assertEqual(res["env"].get("PAM_AUTHTOK"), STRONG)
        self.assertEqual(res["errors"], [])
        self.assertNotIn(STRONG, self.daemon.read_log())

    def test_retry_then_success_and_exhaustion(self):
        svc = self.pam.service("pw3", [self.line("enforce_for_root retry=3"),
                                       "password required %s" % PAM_GET_ITEMS])
        res = self.pypamtest(svc, "alice", [("chauthtok", PAM_SUCCESS), ("getenvlist", PAM_SUCCESS)],
                             [WEAK, WEAK, STRONG, STRONG2, STRONG, STRONG])
        self.assertTrue(res["ok"], res)
        self.assertEqual(res["env"].get("PAM_AUTHTOK"), STRONG)
        self.assertIn("Sorry, passwords do not match.", res["errors"])
        svc = self.pam.service("pw2", [self.line("enforce_for_root retry=2")])
        rc, out = self.pamtester(svc, "alice", [WEAK, WEAK, WEAK, WEAK, STRONG, STRONG])
        self.assertNotEqual(rc, 0, out)
        self.assertEqual(out.count("New password: "), 2)
        self.assertIn("Have exhausted maximum number of retries; the password was not changed.", out)

    def test_empty_answer_aborts(self):
        svc = self.pam.service("pw", [self.line("enforce_for_root retry=3")])
        rc, out = self.pamtester(svc, "alice", [""])
        self.assertNotEqual(rc, 0, out)
        self.assertIn("No password has been supplied.", out)
        self.assertEqual(out.count("New password: "), 1)

    def test_root_without_enforce_for_root_is_warned_not_refused(self):
        svc = self.pam.service("pw", [self.line(), "password required %s" % PAM_GET_ITEMS])
        _, messages, _ = self.reasons(WEAK, "alice")
        res = self.pypamtest(svc, "alice", [("chauthtok", PAM_SUCCESS), ("getenvlist", PAM_SUCCESS)],
                             [WEAK, WEAK])
        self.assertTrue(res["ok"], res)
        self.assertEqual(res["errors"], ["BAD PASSWORD: " + m for m in messages])
        self.assertEqual(res["env"].get("PAM_AUTHTOK"), WEAK)
        # a mismatch is still a mismatch
        res = self.pypamtest(svc, "alice", [("chauthtok", PAM_AUTHTOK_ERR)], [STRONG, STRONG2])
        self.assertTrue(res["ok"], res)
        # and enforce_for_root refuses root like anyone
        svc = self.pam.service("pw-enforce", [self.line("enforce_for_root")])
        res = self.pypamtest(svc, "alice", [("chauthtok", PAM_AUTHTOK_ERR)], [WEAK, WEAK])
        self.assertTrue(res["ok"], res)
        self.assertFalse([e for e in res["errors"] if e.startswith("BAD PASSWORD")], res)

    def test_non_root_user_is_refused_without_enforce_for_root(self):
        svc = self.pam.service("pw-user", [self.line()])
        rc, out = self.pamtester(svc, "nobody", [WEAK, WEAK], as_user="nobody")
        self.assertNotEqual(rc, 0, out)
        self.assertNotIn("BAD PASSWORD", out)
        self.assertIn("Authentication token manipulation error", out)
        rc, out = self.pamtester(svc, "nobody", [STRONG, STRONG], as_user="nobody")
        self.assertEqual(rc, 0, out)
        # a user may not have another user's password checked
        rc, out = self.pamtester(svc, "alice", [STRONG, STRONG], as_user="nobody")
        self.assertNotEqual(rc, 0, out)
        self.assertIn(UNAVAILABLE, out)

    def test_old_password_is_sent(self):
        # pam_set_items.so sets PAM_OLDAUTHTOK from the environment, as
        # pam_unix would in its prelim phase
        svc = self.pam.service("pw-old", ["password required %s" % PAM_SET_ITEMS,
                                          self.line("enforce_for_root")])
        accepted, messages, _ = self.reasons(STRONG, "alice", old=STRONG)
        self.assertFalse(accepted)
        res = self.pypamtest(svc, "alice", [("chauthtok", PAM_AUTHTOK_ERR)], [STRONG, STRONG],
                             env={"PAM_OLDAUTHTOK": STRONG})
        self.assertTrue(res["ok"], res)
        for m in messages:
            self.assertIn(m, res["errors"])
        res = self.pypamtest(svc, "alice", [("chauthtok", PAM_SUCCESS)], [STRONG, STRONG],
                             env={"PAM_OLDAUTHTOK": STRONG2})
        self.assertTrue(res["ok"], res)

    def test_use_authtok_checks_the_earlier_module_token_without_asking(self):
        svc = self.pam.service("pw-use", ["password required %s" % PAM_SET_ITEMS,
                                          self.line("enforce_for_root use_authtok retry=3"),
                                          "password required %s" % PAM_GET_ITEMS])
        rc, out = self.pamtester(svc, "alice", [], env={"PAM_AUTHTOK": STRONG})
        self.assertEqual(rc, 0, out)
        self.assertNotIn("New password", out)
        rc, out = self.pamtester(svc, "alice", [], env={"PAM_AUTHTOK": WEAK})
        self.assertNotEqual(rc, 0, out)
        self.assertNotIn("New password", out)
        self.assertEqual(out.count("The password was not changed."), 1)  # no retry
        rc, out = self.pamtester(svc, "alice", [STRONG, STRONG])
        self.assertNotEqual(rc, 0, out)
        self.assertIn("No password has been supplied.", out)

    def test_oversized_and_non_utf8_passwords_are_refused_locally(self):
        svc = self.pam.service("pw", [self.line("enforce_for_root retry=2")])
        big = "x" * 1025
        res = self.pypamtest(svc, "alice", [("chauthtok", PAM_AUTHTOK_ERR)], [big, big, big, big])
        self.assertTrue(res["ok"], res)
        self.assertIn("The password must be at most 1024 bytes of UTF-8 text.", res["errors"])
        raw = b"caf\xe9-tractor-quantum-harbor-97\n"
        rc, out = self.pamtester(svc, "alice", raw * 4)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("The password must be at most 1024 bytes of UTF-8 text.", out)
        # not even root without enforce_for_root can set one: nothing checked it
        svc = self.pam.service("pw-root", [self.line()])
        rc, out = self.pamtester(svc, "alice", raw * 2)
        self.assertNotEqual(rc, 0, out)

    def test_bad_options_fail_closed(self):
        for args in ["retry=0", "retry=11", "retry=x", "frobnicate", "timeout=0"]:
            svc = self.pam.service("bad", [self.line(args)])
            rc, out = self.pamtester(svc, "alice", [STRONG, STRONG])
            self.assertNotEqual(rc, 0, (args, out))
            self.assertIn(UNAVAILABLE, out, args)

    def test_hostile_conversations(self):
        """A conversation that fails, returns no array, NULL texts, 10 MB
        answers, or is missing: no crash, no change."""
        if os.environ.get("SESAME_ASAN_LIB"):
            self.skipTest("libpam loaded by ctypes is not wrapped under AddressSanitizer")
        svc = self.pam.service("pw", [self.line("retry=2")])  # root: only the checks stop it
        script = r"""
import ctypes, sys
# symbols from the global scope, where the preloaded pam_wrapper comes first
ctypes.CDLL("libpam.so.0", mode=ctypes.RTLD_GLOBAL); pam = ctypes.CDLL(None)
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p; libc.calloc.restype = ctypes.c_void_p
class Msg(ctypes.Structure): _fields_ = [("style", ctypes.c_int), ("msg", ctypes.c_char_p)]
class Resp(ctypes.Structure): _fields_ = [("resp", ctypes.c_void_p), ("retcode", ctypes.c_int)]
CONV = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.POINTER(Msg)),
                        ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)
class Conv(ctypes.Structure): _fields_ = [("conv", CONV), ("data", ctypes.c_void_p)]
mode = sys.argv[3]
def conv(n, msgs, resp, data):
    for i in range(n):
        if msgs[i].contents.style == 3: print("error: " + msgs[i].contents.msg.decode())
    if mode == "converr": return 19
    if mode == "nullarray": resp[0] = None; return 0
    r = libc.calloc(n, ctypes.sizeof(Resp))
    arr = ctypes.cast(r, ctypes.POINTER(Resp))
    for i in range(n):
        if msgs[i].contents.style in (1, 2) and mode == "big":
            size = 10 << 20
            p = libc.malloc(size); ctypes.memset(p, 0x37, size - 1); ctypes.memset(p + size - 1, 0, 1)
            arr[i].resp = p
    resp[0] = r
    return 0
c = Conv(CONV(conv) if mode != "nullfn" else CONV(), None)
h = ctypes.c_void_p()
rv = pam.pam_start(sys.argv[1].encode(), sys.argv[2].encode(), ctypes.byref(c), ctypes.byref(h))
rv = pam.pam_chauthtok(h, 0) if rv == 0 else rv
pam.pam_end(h, rv)
print("rv=%d" % rv)
"""
        want = {"converr": (PAM_CONV_ERR, None), "nullarray": (PAM_AUTHTOK_ERR, "No password has been supplied."),
                "nullresp": (PAM_AUTHTOK_ERR, "No password has been supplied."),
                "big": (PAM_AUTHTOK_ERR, "The password must be at most 1024 bytes of UTF-8 text."),
                "nullfn": (PAM_CONV_ERR, None)}
        for mode in ["converr", "nullarray", "nullresp", "big", "nullfn"]:
            p = subprocess.run(["/usr/bin/python3", "-c", script, svc, "alice", mode],
                               env=self.pam.env(), capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, (mode, p.stderr))
            self.assertIn("rv=%d\n" % want[mode][0], p.stdout, mode)
            if want[mode][1]:
                self.assertIn("error: " + want[mode][1], p.stdout, mode)

    def test_valgrind_no_leak_and_no_error(self):
        if subprocess.run(["which", "valgrind"], capture_output=True).returncode != 0:
            self.skipTest("valgrind is not installed")
        if os.environ.get("SESAME_ASAN_LIB"):
            self.skipTest("not under AddressSanitizer")
        svc = self.pam.service("pw-vg", [self.line("enforce_for_root retry=3"),
                                         "password required %s" % PAM_GET_ITEMS])
        e = self.pam.env()
        for answers in ([WEAK, WEAK, STRONG, STRONG2, STRONG, STRONG], ["", ""]):
            p = subprocess.run(["valgrind", "--quiet", "--leak-check=full", "--error-exitcode=99",
                                "--errors-for-leak-kinds=definite,indirect",
                                "--show-leak-kinds=definite,indirect",
                                "pamtester", svc, "alice", "chauthtok"],
                               input="".join(a + "\n" for a in answers), env=e,
                               capture_output=True, text=True, timeout=300)
            self.assertNotEqual(p.returncode, 99, p.stderr)
            self.assertNotIn("definitely lost", p.stderr)


class HostileServer:
    """Answers /v1/health like the daemon, then misbehaves on
    /v1/password/check: silence, garbage, an HTTP error or ill-typed JSON."""

    def __init__(self, path, behaviour):
        self.path, self.behaviour = path, behaviour
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.conns = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn):
        bodies = {"garbage": b"this is not json", "huge": b"[" + b"1," * 100000 + b"1]",
                  "no_accepted": b'{"score": 4}', "string_accepted": b'{"accepted": "yes"}',
                  "bad_reasons": b'{"accepted": false, "reasons": [42]}',
                  "reasons_object": b'{"accepted": false, "reasons": {"a": 1}}'}
        try:
            while True:
                req = conn.recv(65536)
                if not req:
                    return
                status, body = b"200 OK", bodies.get(self.behaviour)
                if b"/v1/health" in req:
                    body = b'{"status": "ok"}'
                elif self.behaviour == "http500":
                    status, body = b"500 Internal Server Error", b'{"error": "internal", "message": "x"}'
                elif body is None:
                    continue  # silent
                conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(body) + body)
        except OSError:
            pass

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()
        os.unlink(self.path)


class FailClosed(PasswordCase):
    def test_daemon_down_refuses_even_root(self):
        missing = os.path.join(self.tmp, "no-such.sock")
        for args in ["", "enforce_for_root"]:
            svc = self.pam.service("down", ["password requisite %s socket=%s %s" % (PAM_MODULE, missing, args)])
            rc, out = self.pamtester(svc, "alice", [STRONG, STRONG])
            self.assertNotEqual(rc, 0, out)
            self.assertIn(UNAVAILABLE, out)
            self.assertNotIn("New password", out)  # refused in the prelim phase
            res = self.pypamtest(svc, "alice", [("chauthtok", PAM_AUTHTOK_ERR)], [STRONG, STRONG])
            self.assertTrue(res["ok"], res)
            self.assertEqual(res["errors"], [UNAVAILABLE])

    def test_daemon_stopped_after_start(self):
        svc = self.pam.service("stale", [self.line()])
        self.daemon.kill9()
        try:
            rc, out = self.pamtester(svc, "alice", [WEAK, WEAK])
            self.assertNotEqual(rc, 0, out)
            self.assertIn(UNAVAILABLE, out)
        finally:
            self.daemon.start(init=False)

    def test_malformed_replies_and_timeouts_refuse_even_root(self):
        for behaviour in ["silent", "garbage", "huge", "http500", "no_accepted", "string_accepted",
                          "bad_reasons", "reasons_object"]:
            path = os.path.join(self.tmp, "hostile-%s.sock" % behaviour)
            server = HostileServer(path, behaviour)
            try:
                svc = self.pam.service("h", ["password requisite %s socket=%s timeout=1" % (PAM_MODULE, path),
                                             "password required %s" % PAM_GET_ITEMS])
                start = time.monotonic()
                res = self.pypamtest(svc, "alice", [("chauthtok", PAM_AUTHTOK_ERR)], [WEAK, WEAK])
                self.assertTrue(res["ok"], (behaviour, res))
                self.assertIn(UNAVAILABLE, res["errors"], behaviour)
                self.assertFalse([e for e in res["errors"] if "BAD PASSWORD" in e], behaviour)
                self.assertLess(time.monotonic() - start, 10, behaviour)
            finally:
                server.close()


class SesamectlPassword(PasswordCase):
    @classmethod
    def setUpClass(cls):
        if not SESAMECTL:
            raise unittest.SkipTest("SESAMECTL is not set")
        super().setUpClass()

    def ctl(self, *args, stdin=None, as_user=None):
        cmd = [SESAMECTL, "--socket", self.daemon.socket] + list(args)
        if as_user:
            cmd = ["setpriv", "--reuid=" + as_user, "--regid=nogroup", "--clear-groups"] + cmd
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30, input=stdin)

    def test_exit_status_and_output(self):
        p = self.ctl("password", "check", "--user", "alice", stdin=STRONG + "\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines()[0], "accepted")
        self.assertRegex(p.stdout, r"score: [0-4] of 4")
        _, messages, hint = self.reasons(WEAK, "alice")
        p = self.ctl("password", "check", "--user", "alice", "--service", "passwd", stdin=WEAK + "\n")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stdout.splitlines()[0], "refused")
        for m in messages:
            self.assertIn(m, p.stdout)
        if hint:
            self.assertIn(hint, p.stdout)
        self.assertNotIn(WEAK + "\n", p.stdout + p.stderr)
        # no trailing newline: the whole input is the password
        p = self.ctl("password", "check", stdin=STRONG)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_json_is_the_daemon_reply(self):
        p = self.ctl("--json", "password", "check", "--user", "alice", stdin=WEAK + "\n")
        self.assertEqual(p.returncode, 1, p.stderr)
        doc = json.loads(p.stdout)
        self.assertIs(doc["accepted"], False)
        self.assertIsInstance(doc["score"], int)
        self.assertTrue(doc["reasons"])
        for r in doc["reasons"]:
            self.assertIsInstance(r["code"], str)
            self.assertIsInstance(r["message"], str)
        p = self.ctl("password", "check", "--json", stdin=STRONG + "\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertIs(doc["accepted"], True)
        self.assertNotIn(STRONG, p.stdout)

    def test_old_password_from_the_second_line(self):
        p = self.ctl("--json", "password", "check", "--user", "alice", "--old",
                     stdin="%s\n%s\n" % (STRONG, STRONG))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("same_as_old", [r["code"] for r in json.loads(p.stdout)["reasons"]])
        p = self.ctl("password", "check", "--user", "alice", "--old", stdin="%s\n%s\n" % (STRONG, STRONG2))
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.ctl("password", "check", "--old", stdin=STRONG + "\n")  # no second line
        self.assertEqual(p.returncode, 2)

    def test_stdin_only_and_input_errors(self):
        p = self.ctl("password", "check", STRONG)
        self.assertEqual(p.returncode, 2)
        self.assertIn("standard input", p.stderr)
        self.assertNotIn(STRONG, p.stderr + p.stdout)  # the stray argument is not echoed
        for stdin in ["", "x" * 1025 + "\n", "a\0b\n"]:
            p = self.ctl("password", "check", stdin=stdin)
            self.assertEqual(p.returncode, 2, (stdin[:10], p.stderr))
        p = subprocess.run([SESAMECTL, "--socket", self.daemon.socket, "password", "check"],
                           input=b"caf\xe9\n", capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 2)
        p = self.ctl("password", "check", stdin="x" * 1024 + "\n")  # exactly the bound is sent
        self.assertIn(p.returncode, (0, 1), p.stderr)
        p = self.ctl("password", "check", "--user", "-bad", stdin=STRONG + "\n")
        self.assertEqual(p.returncode, 2)
        p = self.ctl("password", "check", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("standard input", p.stdout)
        self.assertIn("not echoed", p.stdout)

    def test_unreachable_daemon(self):
        p = subprocess.run([SESAMECTL, "--socket", os.path.join(self.tmp, "none.sock"), "--json",
                            "password", "check"], input=STRONG + "\n", capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(json.loads(p.stdout)["error"], "unavailable")

    def test_non_root_only_for_itself(self):
        p = self.ctl("password", "check", "--user", "alice", stdin=STRONG + "\n", as_user="nobody")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertTrue(p.stderr.startswith("sesamectl: "), p.stderr)
        p = self.ctl("password", "check", stdin=STRONG + "\n", as_user="nobody")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.ctl("password", "check", "--user", "nobody", stdin=WEAK + "\n", as_user="nobody")
        self.assertEqual(p.returncode, 1, p.stderr)

    def test_terminal_prompts_on_stderr_without_echo(self):
        argv = [SESAMECTL, "--socket", self.daemon.socket, "password", "check", "--old"]
        rc, out = run_on_pty(argv, dict(os.environ),
                             [("Password to check: ", STRONG), ("Old password: ", STRONG2)])
        self.assertEqual(rc, 0, out)
        self.assertIn("accepted", out)
        self.assertNotIn(STRONG, out)
        self.assertNotIn(STRONG2, out)


if __name__ == "__main__":
    unittest.main()
