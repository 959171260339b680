"""Key handling hardening against a real sesame-authd: no core file can hold
the master key (the process is non-dumpable, RLIMIT_CORE is 0, the key
bytes sit in pages marked MADV_DONTDUMP and locked), the key file and the
database must belong to root or to the daemon's user, and every purpose
seals under its own key derived with HKDF-SHA256 — recomputed here with
python3-cryptography, an independent implementation — while seeds sealed
the old way (format 1, directly under the master key) still open and move
to the new format with `sesamectl key reseal`."""

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from harness import AUTHD, PG, SESAMECTL, Daemon, DaemonTestCase, oathtool

NOBODY = 65534
# AddressSanitizer's mlock() does nothing (and succeeds): no lock to see
ASAN = bool(os.environ.get("SESAME_ASAN_LIB"))


def master_keys(path):
    """{version: raw 32-byte key} of a key file."""
    keys = {}
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                version, hexkey = line.split()
                keys[int(version)] = bytes.fromhex(hexkey)
    return keys


def derive(master, purpose):
    """The documented derivation: HKDF-SHA256, no salt, info "sesame seal v2 " + purpose."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"sesame seal v2 " + purpose.encode()).derive(master)


def aad(fmt, purpose, subject):
    return b"sesame-seal-v%d\0%s\0%s" % (fmt, purpose.encode(), subject.encode())


def gcm_open(key, blob, ad):
    """The plaintext of blob (format, version, nonce, ciphertext+tag), or None."""
    try:
        return AESGCM(key).decrypt(blob[5:17], blob[17:], ad)
    except InvalidTag:
        return None


def seal_format1(master, version, purpose, subject, plaintext):
    """A blob as the daemon made them before the derived keys."""
    nonce = os.urandom(12)
    return (bytes([1]) + version.to_bytes(4, "big") + nonce
            + AESGCM(master).encrypt(nonce, plaintext, aad(1, purpose, subject)))


def seed_of(daemon, user):
    rows = daemon.sql("SELECT t.id, t.seed FROM totp t JOIN users u ON u.id = t.user_id"
                      " WHERE u.name = ?", (user,))
    (cid, seed), = rows
    return cid, seed


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
        d.enroll("ada")  # the TOTP key in use
        d.ok("/v1/pam/start", {"user": "ada", "service": "s"})  # the PAM transaction key
        master = master_keys(d.key)[1]
        needles = [master, derive(master, "totp-seed"), derive(master, "pam-txn")]
        try:
            found = find_in_memory(d.proc.pid, needles)
        except PermissionError:
            self.skipTest("cannot read /proc/PID/mem here (no CAP_SYS_PTRACE)")
        for name, n in zip(("master key", "TOTP key", "PAM transaction key"), needles):
            self.assertTrue(found[n], "%s not found in the daemon's memory" % name)
            for flags in found[n]:
                self.assertIn("dd", flags, "%s in a region that core dumps include" % name)
                if not ASAN:
                    self.assertIn("lo", flags, "%s in a region that is not locked" % name)


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

    @unittest.skipIf(ASAN, "AddressSanitizer's mlock() does nothing")
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
        # refused before the database
        self.assertEqual(d.tables(), []) if PG else self.assertFalse(os.path.exists(d.database))
        os.chown(d.key, NOBODY, 0)  # the group does not matter
        self.refused()
        os.chown(d.key, 0, NOBODY)
        d.start(init=True)

    @unittest.skipIf(PG, "the SQLite file's owner")
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


class PurposeKeys(DaemonTestCase):
    """What the daemon seals, opened here from the documented derivation."""

    @classmethod
    def setUpClass(cls):
        if not SESAMECTL:
            raise unittest.SkipTest("SESAMECTL is not set")
        super().setUpClass()

    def ctl(self, *args):
        p = subprocess.run([SESAMECTL, "--socket", self.daemon.socket] + list(args),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, (args, p.stdout, p.stderr))
        return p.stdout

    def login(self, user, secret, offset=0):
        txn = self.daemon.ok("/v1/pam/start", {"user": user, "service": "s"})["txn"]
        return self.daemon.ok("/v1/pam/continue",
                              {"txn": txn, "answer": oathtool(secret, offset=offset)})["result"]

    def test_each_purpose_its_key(self):
        d = self.daemon
        master = master_keys(d.key)[1]
        totp_key, txn_key = derive(master, "totp-seed"), derive(master, "pam-txn")
        secret = d.enroll("ada")
        _, blob = seed_of(d, "ada")
        self.assertEqual(blob[:5], b"\x02\x00\x00\x00\x01")  # format 2, key version 1
        seed = base64.b32decode(secret + "=" * (-len(secret) % 8))
        self.assertEqual(gcm_open(totp_key, blob, aad(2, "totp-seed", "ada")), seed)
        self.assertIsNone(gcm_open(master, blob, aad(2, "totp-seed", "ada")))
        self.assertIsNone(gcm_open(master, blob, aad(1, "totp-seed", "ada")))
        self.assertIsNone(gcm_open(txn_key, blob, aad(2, "totp-seed", "ada")))

        txn = d.ok("/v1/pam/start", {"user": "ada", "service": "s"})["txn"]
        token = base64.urlsafe_b64decode(txn + "=" * (-len(txn) % 4))
        self.assertEqual(token[0], 2)
        plain = gcm_open(txn_key, token, aad(2, "pam-txn", ""))
        self.assertIsNotNone(plain)
        # the layout of authd/pam_txn.c: 3 bytes, 16 id, 8 bytes per time
        # (one per factor entry, auth_time, expires), then length-prefixed strings
        times = (len(plain) - 3 - 16 - len(b"\x03ada\x01s\x00\x00") - 1 - len("totp")) // 8
        at = 3 + 16 + 8 * times
        user = plain[at + 1:at + 1 + plain[at]]
        at += 1 + plain[at]
        self.assertEqual([user, plain[at + 1:at + 1 + plain[at]]], [b"ada", b"s"])
        self.assertIsNone(gcm_open(master, token, aad(2, "pam-txn", "")))
        self.assertIsNone(gcm_open(totp_key, token, aad(2, "pam-txn", "")))

    def test_old_format_opens_and_is_resealed(self):
        d = self.daemon
        master = master_keys(d.key)[1]
        secrets = {u: d.enroll(u) for u in ("bo", "cy")}
        seed = base64.b32decode(secrets["bo"] + "=" * (-len(secrets["bo"]) % 8))
        cid, _ = seed_of(d, "bo")
        # bo's seed as a daemon before the derived keys sealed it
        d.stop()
        d.sql("UPDATE totp SET seed = ? WHERE id = ?",
              (seal_format1(master, 1, "totp-seed", "bo", seed), cid))
        d.start(init=False)
        self.assertEqual(self.login("bo", secrets["bo"]), "success")  # format 1 still opens
        st = json.loads(self.ctl("--json", "key", "status"))
        self.assertEqual(st["legacy"], 1)
        self.assertIn("1 TOTP secrets are sealed the old way", self.ctl("key", "status"))
        before = {u: seed_of(d, u)[1] for u in ("bo", "cy")}

        # same key version, old format: re-sealed; cy's (already format 2) left alone
        reply = json.loads(self.ctl("--json", "key", "reseal"))
        self.assertEqual(reply, {"current": 1, "resealed": 1, "unreadable": 0})
        after = {u: seed_of(d, u)[1] for u in ("bo", "cy")}
        self.assertEqual(after["cy"], before["cy"])
        self.assertEqual(after["bo"][:5], b"\x02\x00\x00\x00\x01")
        self.assertEqual(gcm_open(derive(master, "totp-seed"), after["bo"],
                                  aad(2, "totp-seed", "bo")), seed)
        st = json.loads(self.ctl("--json", "key", "status"))
        self.assertEqual(st["legacy"], 0)
        self.assertEqual([v["version"] for v in st["sealed"]], [1])
        self.assertEqual(self.login("bo", secrets["bo"], offset=30), "success")
        self.assertEqual(json.loads(self.ctl("--json", "key", "reseal"))["resealed"], 0)


if __name__ == "__main__":
    unittest.main()
