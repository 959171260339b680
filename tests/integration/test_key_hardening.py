"""Key handling hardening against a real sesame-authd: no core file can hold
the master key (the process is non-dumpable, RLIMIT_CORE is 0, the key
bytes sit in pages marked MADV_DONTDUMP and locked), and the key file and
the database must belong to root or to the daemon's user."""

import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import AUTHD, SESAMECTL, Daemon, DaemonTestCase

NOBODY = 65534


def master_keys(path):
    """{version: raw 32-byte key} of a key file."""
    keys = {}
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                version, hexkey = line.split()
                keys[int(version)] = bytes.fromhex(hexkey)
    return keys


def core_limit(pid):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max core file size"):
                return line.split()[4:6]
    raise AssertionError("no core limit in /proc/%d/limits" % pid)


def mapped_regions(pid):
    """[(start, end, VmFlags)] from /proc/PID/smaps."""
    regions, current = [], None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) ", line)
            if m:
                current = [int(m.group(1), 16), int(m.group(2), 16), set()]
                regions.append(current)
            elif line.startswith("VmFlags:"):
                current[2] = set(line.split()[1:])
    return regions


def find_in_memory(pid, needles):
    """{needle: [VmFlags of each region holding it]}, reading /proc/PID/mem
    (regions over 256 MiB, such as sanitizer shadow memory, are skipped)."""
    found = {n: [] for n in needles}
    with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
        for start, end, flags in mapped_regions(pid):
            if "rd" not in flags or end - start > 256 << 20:
                continue
            try:
                mem.seek(start)
                data = mem.read(end - start)
            except OSError:
                continue  # [vvar] and the like
            for n in needles:
                if n in data:
                    found[n].append(flags)
    return found


class KeyInMemory(DaemonTestCase):
    """The harness's daemon, running as root."""

    def test_no_core_file(self):
        self.assertEqual(core_limit(self.daemon.proc.pid), ["0", "0"])

    def test_key_pages_out_of_dumps_and_swap(self):
        d = self.daemon
        d.enroll("ada")  # the key in use
        master = master_keys(d.key)[1]
        try:
            found = find_in_memory(d.proc.pid, [master])
        except PermissionError:
            self.skipTest("cannot read /proc/PID/mem here (no CAP_SYS_PTRACE)")
        self.assertTrue(found[master], "master key not found in the daemon's memory")
        for flags in found[master]:
            self.assertIn("dd", flags, "master key in a region that core dumps include")
            self.assertIn("lo", flags, "master key in a region that is not locked")


class AsNobody(unittest.TestCase):
    """The daemon run as nobody: /proc/PID files turn root's when a process
    is not dumpable (proc(5)), which shows the flag from outside; and
    without RLIMIT_MEMLOCK the key cannot be locked, which is only a
    warning."""

    def setUp(self):
        if not AUTHD or os.geteuid() != 0:
            self.skipTest("needs SESAME_AUTHD and root")
        self.tmp = tempfile.mkdtemp(prefix="sesame-it.")
        os.chown(self.tmp, NOBODY, NOBODY)
        self.daemon = Daemon(self.tmp)
        os.chown(self.daemon.conf, NOBODY, NOBODY)
        self.proc = None

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, *prefix):
        d = self.daemon
        with open(d.log, "w") as logf:
            self.proc = subprocess.Popen(
                list(prefix) + ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                AUTHD, "--config", d.conf, "--socket", d.socket, "--database",
                                d.database, "--master-key", d.key, "--init"],
                stdout=logf, stderr=logf)
        for _ in range(500):
            if self.proc.poll() is not None:
                self.fail("sesame-authd exited with %d:\n%s" % (self.proc.returncode, d.read_log()))
            try:
                if d.call("/v1/health", {})[0] == 200:
                    return self.proc.pid
            except OSError:
                pass
            time.sleep(0.02)
        self.fail("sesame-authd did not start:\n" + d.read_log())

    def test_non_dumpable(self):
        d = self.daemon
        pid = self.start()
        with open("/proc/%d/status" % pid) as f:
            uid_line = [line for line in f if line.startswith("Uid:")][0]
        self.assertEqual(uid_line.split()[1:], [str(NOBODY)] * 4)  # it runs as nobody
        self.assertEqual(os.stat(d.key).st_uid, NOBODY)  # and accepts its own key file
        for name in ("status", "environ", "mem"):
            self.assertEqual(os.stat("/proc/%d/%s" % (pid, name)).st_uid, 0,
                             "/proc/PID/%s: the daemon is dumpable" % name)
        self.assertEqual(core_limit(pid), ["0", "0"])
        # a process of the same user cannot read its memory either
        p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                            "cat", "/proc/%d/environ" % pid], capture_output=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"Permission denied", p.stderr)
        self.assertNotIn("cannot lock key material", d.read_log())

    def test_no_memlock_is_a_warning(self):
        d = self.daemon
        pid = self.start("prlimit", "--memlock=0:0")
        log = d.read_log()
        self.assertEqual(log.count("cannot lock key material in memory"), 1, log)
        self.assertIn("RLIMIT_MEMLOCK 0 bytes", log)
        d.enroll("ada")  # it serves all the same
        with open("/proc/%d/status" % pid) as f:
            self.assertIn("VmLck:\t       0 kB", f.read())


class Ownership(unittest.TestCase):
    """The key file and the database must belong to root or to the daemon's
    user (root here): owned by nobody, the daemon refuses to start."""

    def setUp(self):
        if not AUTHD or not SESAMECTL or os.geteuid() != 0:
            self.skipTest("needs SESAME_AUTHD, SESAMECTL and root")
        self.tmp = tempfile.mkdtemp(prefix="sesame-it.")
        self.daemon = Daemon(self.tmp)

    def tearDown(self):
        self.daemon.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def refused(self):
        """Runs the daemon expecting it to refuse to start; returns stderr."""
        d = self.daemon
        p = subprocess.run([AUTHD, "--config", d.conf, "--socket", d.socket, "--database",
                            d.database, "--master-key", d.key], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertFalse(os.path.exists(d.socket))
        return p.stderr

    def test_key_owned_by_another_user(self):
        d = self.daemon
        subprocess.run([SESAMECTL, "keygen", d.key], check=True, capture_output=True)
        os.chown(d.key, NOBODY, NOBODY)
        self.assertIn("master key %s is owned by uid 65534 (nobody); it must belong to root "
                      "or to the daemon's user (uid 0, root)" % d.key, self.refused())
        self.assertFalse(os.path.exists(d.database))  # refused before the database
        os.chown(d.key, NOBODY, 0)  # the group does not matter
        self.refused()
        os.chown(d.key, 0, NOBODY)
        d.start(init=True)

    def test_database_owned_by_another_user(self):
        d = self.daemon
        d.start(init=True)
        d.enroll("ada")
        d.stop()
        os.chown(d.database, NOBODY, NOBODY)
        self.assertIn("database %s is owned by uid 65534 (nobody); it must belong to root "
                      "or to the daemon's user (uid 0, root)" % d.database, self.refused())
        os.chown(d.database, 0, 0)
        d.start(init=False)
        self.assertEqual(d.ok("/v1/totp/list", {"user": "ada"})["totp"][0]["confirmed"],
                         True)


if __name__ == "__main__":
    unittest.main()
