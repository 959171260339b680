"""Unicode normalisation of passwords (NFKC) against a real sesame-authd:
a password set with sesamectl user passwd in NFC signs in on the web typed
in NFD and back; a hash stored before normalisation (the raw NFD bytes,
made here with libargon2) still signs in, is replaced by the hash of the
normalised form at that sign-in, and then takes the NFC spelling too;
/v1/password/check counts one length for both spellings and finds an NFD
spelling in the offline breach filter (HIBP lines of the NFC spelling,
plain lines in NFD imported by sesamectl) and in the online range query."""

import ctypes
import ctypes.util
import hashlib
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
import unicodedata
import unittest

from harness import AUTHD, SESAMECTL, Daemon
from test_web import WebCase

# "crème brûlée, jardin d'hiver 1987": 33 code points in NFC
PASSWORD = "cr\u00e8me br\u00fbl\u00e9e, jardin d'hiver 1987"
NFC = unicodedata.normalize("NFC", PASSWORD)
NFD = unicodedata.normalize("NFD", PASSWORD)
HASH_PREFIX = "$argon2id$v=19$m=65536,t=3,p=1$"


def argon2id_raw(password_bytes):
    """An Argon2id hash of the bytes as they are, with the daemon's
    parameters: what the daemon stored before it normalised."""
    lib = ctypes.CDLL(ctypes.util.find_library("argon2") or "libargon2.so.1")
    u32, size = ctypes.c_uint32, ctypes.c_size_t
    lib.argon2id_hash_encoded.argtypes = [u32, u32, u32, ctypes.c_char_p, size, ctypes.c_char_p,
                                          size, size, ctypes.c_char_p, size]
    lib.argon2id_hash_encoded.restype = ctypes.c_int
    out = ctypes.create_string_buffer(256)
    salt = os.urandom(16)
    rc = lib.argon2id_hash_encoded(3, 65536, 1, password_bytes, len(password_bytes), salt,
                                   len(salt), 32, out, len(out))
    assert rc == 0, rc
    return out.value.decode()


class WebSignIn(WebCase):
    @classmethod
    def setUpClass(cls):
        if not SESAMECTL:
            raise unittest.SkipTest("SESAMECTL is not set")
        super().setUpClass()

    def setUp(self):
        self.assertNotEqual(NFC.encode(), NFD.encode())
        self.assertEqual(len(NFC), 33)
        self.assertEqual(len(NFD), 36)

    def passwd(self, user, password):
        p = subprocess.run([SESAMECTL, "--socket", self.daemon.socket, "user", "passwd", user],
                           input=password + "\n", capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)

    def stored_hash(self, user):
        return self.daemon.sql("SELECT password_hash FROM users WHERE name = ?", (user,))[0][0]

    def signs_in(self, user, password):
        resp, body = self.password_step(self.browser(), user, password)
        return (resp.status, resp.getheader("Location")) == (303, "/login/code")

    def test_set_in_nfc_signs_in_with_nfd_and_nfc(self):
        self.add_user("ines", password=None)
        self.passwd("ines", NFC)
        stored = self.stored_hash("ines")
        self.assertTrue(stored.startswith(HASH_PREFIX), stored)
        self.assertTrue(self.signs_in("ines", NFD))
        self.assertTrue(self.signs_in("ines", NFC))
        self.assertEqual(self.stored_hash("ines"), stored)  # no rehash: already normalised
        self.assertFalse(self.signs_in("ines", NFD.replace("1987", "1988")))
        self.assertEqual(self.failures("ines"), 1)

    def test_set_in_nfd_signs_in_with_nfc(self):
        self.add_user("jules", password=None)
        self.passwd("jules", NFD)
        self.assertTrue(self.signs_in("jules", NFC))

    def test_hash_from_before_normalisation_signs_in_and_is_replaced(self):
        self.add_user("karim", password=None)
        self.passwd("karim", NFC)  # a password, so that the column is set; replaced below
        legacy = argon2id_raw(NFD.encode())
        self.daemon.sql("UPDATE users SET password_hash = ? WHERE name = ?", (legacy, "karim"))
        # the NFC spelling never matched that hash
        self.assertFalse(self.signs_in("karim", NFC))
        self.assertEqual(self.stored_hash("karim"), legacy)
        # the bytes as first typed still do, and the hash is replaced...
        self.assertTrue(self.signs_in("karim", NFD))
        rehashed = self.stored_hash("karim")
        self.assertNotEqual(rehashed, legacy)
        self.assertTrue(rehashed.startswith(HASH_PREFIX), rehashed)
        # ...by the hash of the normalised form: both spellings now sign in
        self.assertTrue(self.signs_in("karim", NFC))
        self.assertTrue(self.signs_in("karim", NFD))
        self.assertEqual(self.stored_hash("karim"), rehashed)
        log = self.daemon.read_log()
        self.assertNotIn(NFC, log)
        self.assertNotIn(NFD, log)


def check(daemon, password):
    status, reply = daemon.call("/v1/password/check", {"password": password, "user": "alice"})
    if status != 200:
        raise AssertionError("%d %s" % (status, reply))
    return reply


def codes(reply):
    return [r["code"] for r in reply["reasons"]]


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """The HIBP range API, listing the SHA-1 of the NFC spelling."""
    listed = hashlib.sha1(NFC.encode()).hexdigest().upper()
    prefixes = []

    def do_GET(self):
        prefix = self.path.rsplit("/", 1)[-1].upper()
        RangeHandler.prefixes.append(prefix)
        lines = ["%035X:0" % i for i in range(20)]
        if self.listed.startswith(prefix):
            lines.append("%s:7" % self.listed[5:])
        body = "\r\n".join(lines).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Check(unittest.TestCase):
    def setUp(self):
        if not AUTHD or not SESAMECTL:
            self.skipTest("SESAME_AUTHD or SESAMECTL is not set")
        self.tmp = tempfile.mkdtemp(prefix="sesame-nfkc.")
        os.chmod(self.tmp, 0o755)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def import_list(self, path, lines, plain):
        src = os.path.join(self.tmp, "list.txt")
        with open(src, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(src, 0o644)
        args = [SESAMECTL, "breach", "import", src, "--output", path]
        if plain:
            args.append("--plain")
        p = subprocess.run(args, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_policy_counts_one_length_for_both_spellings(self):
        d = Daemon(self.tmp).start()
        try:
            nfc, nfd = check(d, NFC), check(d, NFD)
            self.assertTrue(nfc["accepted"], nfc)
            self.assertTrue(nfd["accepted"], nfd)
            self.assertEqual(nfc["length"], 33)
            self.assertEqual(nfd["length"], 33)
            # compatibility forms: full-width "ｐａｓｓｗｏｒｄ" is "password"
            full = "".join(chr(0xFF00 + ord(c) - 0x20) for c in "password")
            reply = check(d, full)
            self.assertIn("common", codes(reply))
            self.assertEqual(reply["length"], 8)
        finally:
            d.stop()

    def test_offline_filter_finds_either_spelling(self):
        hibp = os.path.join(self.tmp, "hibp.filter")
        self.import_list(hibp, ["%s:3" % hashlib.sha1(NFC.encode()).hexdigest().upper()] +
                         ["%040X:1" % i for i in range(1, 2000)], plain=False)
        plain = os.path.join(self.tmp, "plain.filter")
        self.import_list(plain, [NFD, "another-entry-1", "another-entry-2"], plain=True)
        for path in (hibp, plain):
            d = Daemon(self.tmp, "[password]\nbreach_filter = %s\n" % path).start()
            try:
                self.assertIn("breached", codes(check(d, NFD)), path)
                self.assertIn("breached", codes(check(d, NFC)), path)
                self.assertTrue(check(d, "violet-tractor-quantum-harbor-97")["accepted"])
            finally:
                d.stop()
            os.unlink(d.conf)

    def test_online_range_query_sends_the_prefix_of_the_nfc_form(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        RangeHandler.prefixes = []
        try:
            d = Daemon(self.tmp, "[password]\nonline = yes\nonline_url = "
                       "http://127.0.0.1:%d/range/\nonline_timeout = 2\n"
                       % server.server_address[1]).start()
            try:
                self.assertIn("breached", codes(check(d, NFD)))
            finally:
                d.stop()
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(RangeHandler.prefixes, [RangeHandler.listed[:5]])


if __name__ == "__main__":
    unittest.main()
