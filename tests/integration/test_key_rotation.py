"""Master key rotation against a real sesame-authd and the real sesamectl:
`key rotate` adds version 2 to the key file (mode and owner kept), the
restarted daemon seals new secrets under it and still opens the old ones,
`key retire` refuses while secrets are sealed under the old version, `key
reseal` moves them (an altered blob is left and counted), `key retire`
then removes version 1, and after a restart with version 2 alone every
user still logs in with their code. The database is read raw to check the
version in each sealed seed."""

import json
import os
import stat
import subprocess
import unittest

from harness import SESAMECTL, DaemonTestCase, oathtool


def versions_in_db(daemon):
    rows = daemon.sql("SELECT id, seed FROM totp ORDER BY id")
    return {i: int.from_bytes(seed[1:5], "big") for i, seed in rows}


class KeyCase(DaemonTestCase):
    """sesamectl against this class's own daemon (each class has one)."""

    @classmethod
    def setUpClass(cls):
        if not SESAMECTL:
            raise unittest.SkipTest("SESAMECTL is not set")
        super().setUpClass()

    def ctl(self, *args, expect=0):
        p = subprocess.run([SESAMECTL, "--socket", self.daemon.socket] + list(args),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, expect, (args, p.stdout, p.stderr))
        return p

    def login(self, user, secret, offset=0):
        txn = self.daemon.ok("/v1/pam/start", {"user": user, "service": "s"})["txn"]
        return self.daemon.ok("/v1/pam/continue",
                              {"txn": txn, "answer": oathtool(secret, offset=offset)})["result"]

    def status(self):
        return json.loads(self.ctl("--json", "key", "status").stdout)


class KeyRotation(KeyCase):

    def test_rotate_reseal_retire(self):
        d = self.daemon
        secrets = {u: d.enroll(u) for u in ("ada", "bo", "cy")}
        d.ok("/v1/totp/enroll", {"user": "dee"})  # a pending one counts too
        st = self.status()
        self.assertEqual(st["current"], 1)
        self.assertEqual(st["sealed"], [{"version": 1, "count": 4, "loaded": True}])
        # version 1 is the only one: it cannot be retired
        p = self.ctl("key", "retire", "1", d.key, expect=1)
        self.assertIn("seals new secrets", p.stderr)

        d.stop()
        p = self.ctl("key", "rotate", d.key)
        self.assertIn("Added key version 2", p.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(d.key).st_mode), 0o600)
        with open(d.key) as f:
            self.assertEqual([line.split()[0] for line in f], ["1", "2"])
        self.assertFalse([n for n in os.listdir(os.path.dirname(d.key)) if ".new." in n])
        d.start(init=False)

        st = self.status()
        self.assertEqual(st["current"], 2)
        self.assertEqual(st["sealed"], [{"version": 1, "count": 4, "loaded": True}])
        self.assertEqual(self.login("ada", secrets["ada"]), "success")  # old key still opens
        secrets["eve"] = d.enroll("eve")  # sealed under version 2
        self.assertEqual(sorted(versions_in_db(d).values()), [1, 1, 1, 1, 2])
        p = self.ctl("key", "retire", "1", d.key, expect=1)
        self.assertIn("4 secrets are still sealed under key version 1", p.stderr)
        with open(d.key) as f:
            self.assertEqual(len(f.readlines()), 2)

        # an altered blob cannot be opened: it is left as it is and counted
        (cid, seed), = d.sql("SELECT t.id, t.seed FROM totp t JOIN users u ON u.id = t.user_id"
                             " WHERE u.name = 'cy'")
        bad = seed[:-1] + bytes([seed[-1] ^ 1])
        d.sql("UPDATE totp SET seed = ? WHERE id = ?", (bad, cid))
        reply = json.loads(self.ctl("--json", "key", "reseal").stdout)
        self.assertEqual(reply, {"current": 2, "resealed": 3, "unreadable": 1})
        seen = versions_in_db(d)
        self.assertEqual(seen[cid], 1)
        self.assertEqual(sorted(v for i, v in seen.items() if i != cid), [2, 2, 2, 2])
        self.assertEqual(self.status()["sealed"], [{"version": 1, "count": 1, "loaded": True},
                                                   {"version": 2, "count": 4, "loaded": True}])
        self.ctl("key", "retire", "1", d.key, expect=1)
        # cy's credential is removed (it could not be opened anyway); then version 1 goes
        d.ok("/v1/totp/remove", {"user": "cy", "id": cid, "force": True})
        p = self.ctl("key", "retire", "1", d.key)
        self.assertIn("Removed key version 1", p.stdout)
        with open(d.key) as f:
            self.assertEqual([line.split()[0] for line in f], ["2"])
        self.ctl("key", "retire", "2", d.key, expect=1)  # the newest: never
        self.ctl("key", "retire", "7", d.key, expect=1)
        self.ctl("key", "retire", "x", d.key, expect=2)
        events = [(e["factor"], e["result"], e["reason"]) for e in d.ok("/v1/audit", {})["events"]]
        self.assertIn(("key", "ok", "reseal"), events)

        # restarted with version 2 alone: everyone still logs in
        d.stop()
        d.start(init=False)
        self.assertEqual(self.status()["sealed"], [{"version": 2, "count": 4, "loaded": True}])
        for user in ("ada", "bo", "eve"):
            self.assertEqual(self.login(user, secrets[user], offset=30), "success", user)

class KeyRotationPages(KeyCase):
    def test_many_pages(self):
        d = self.daemon
        before = len(versions_in_db(d))
        for i in range(300):  # more than two pages of 128
            d.ok("/v1/totp/enroll", {"user": "p%03d" % i})
        d.stop()
        self.ctl("key", "rotate", d.key)
        d.start(init=False)
        reply = json.loads(self.ctl("--json", "key", "reseal").stdout)
        self.assertEqual(reply["unreadable"], 0)
        self.assertGreaterEqual(reply["resealed"], 300)
        current = reply["current"]
        seen = versions_in_db(d)
        self.assertEqual(len(seen), before + 300)
        self.assertEqual(set(seen.values()), {current})
        self.assertEqual(json.loads(self.ctl("--json", "key", "reseal").stdout)["resealed"], 0)


class KeyCommands(KeyCase):
    def test_text_output_and_refusals(self):
        p = self.ctl("key", "status")
        self.assertIn("New secrets are sealed under key version", p.stdout)
        p = self.ctl("key", "reseal")
        self.assertRegex(p.stdout, r"^0 TOTP secrets re-sealed under key version \d+; 0 could not be opened\.")
        missing = os.path.join(self.tmp, "none.key")
        p = self.ctl("key", "rotate", missing, expect=1)
        self.assertIn("no such file", p.stderr)
        loose = os.path.join(self.tmp, "loose.key")
        self.ctl("keygen", loose)
        os.chmod(loose, 0o644)
        p = self.ctl("key", "rotate", loose, expect=1)
        self.assertIn("chmod 600", p.stderr)
        with open(loose) as f:
            self.assertEqual(len(f.readlines()), 1)
        # non-root callers are refused by the daemon
        script = ("import http.client, socket, sys\n"
                  "for path in ('/v1/key/status', '/v1/key/reseal'):\n"
                  "    c = http.client.HTTPConnection('localhost')\n"
                  "    c.sock = socket.socket(socket.AF_UNIX); c.sock.connect(sys.argv[1])\n"
                  "    c.request('POST', path, '{}', {'Content-Type': 'application/json'})\n"
                  "    print(c.getresponse().status)\n")
        out = subprocess.check_output(["setpriv", "--reuid=nobody", "--regid=nogroup",
                                       "--clear-groups", "/usr/bin/python3", "-c", script,
                                       self.daemon.socket], text=True)
        self.assertEqual(out.split(), ["403", "403"])
        status, _ = self.daemon.call("/v1/key/status", {"x": 1})
        self.assertEqual(status, 400)


if __name__ == "__main__":
    unittest.main()
