"""What the failover and restart suites share: a steady load of PAM
logins and enrollments on two daemons while PostgreSQL goes away, and the
checks afterwards (every acknowledged write kept)."""

import collections
import sys
import threading
import time

import pgproof as pp

USERS = pp.env_int("LOAD_USERS", 200)
THREADS = pp.env_int("LOAD_THREADS", 4)
PACE = pp.env_int("LOAD_PACE_MS", 20) / 1000.0  # between two logins of a thread
RESUME_BOUND = 10.0  # seconds from the database's return to the first success
# a login may use the steps of the last 5 minutes: a user logs in many times
CONFIG = ("[totp]\nwindow = 10\n[throttle]\nmax_failures = 1000\naccount_max_failures = 0\n"
          "source_max_failures = 0\n")


def enroll_old(d, user):
    """A confirmed credential whose confirming step is 9 steps back, so
    that the load may use the steps from 8 back onwards."""
    return pp.enroll(d, user, step=pp.now_step() - 9)


class Enroller:
    """Enrolls a new user every `every` seconds through the daemons in
    turn; keeps the ones whose enrollment and confirmation were both
    acknowledged (200), with their secret and when."""

    def __init__(self, ds, every=0.25, prefix="e"):
        self.ds, self.every, self.prefix = ds, every, prefix
        self.acked = {}  # user -> (secret, t_answered)
        self.refused = collections.Counter()
        self.stop_flag = threading.Event()

    def _run(self):
        i = 0
        while not self.stop_flag.is_set():
            user = "%s%04d" % (self.prefix, i)
            d = self.ds[i % len(self.ds)]
            i += 1
            try:
                status, r = d.call("/v1/totp/enroll", {"user": user})
                if status == 200:
                    secret = pp.secret_of(r["otpauth_uri"])
                    status, r = d.call("/v1/totp/confirm", {
                        "user": user, "code": pp.totp(secret, pp.now_step() - 9)})
                    if status == 200:
                        self.acked[user] = (secret, time.monotonic())
                if status != 200:
                    self.refused[status] += 1
            except OSError as e:
                self.refused[repr(e)] += 1
            self.stop_flag.wait(self.every)

    def start(self):
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        return self

    def stop(self):
        self.stop_flag.set()
        self.thread.join()
        return self


class Outage:
    """One outage under load: run() starts the load, calls down() (the
    database goes away), waits `gap` seconds, calls up() (it is back),
    and keeps the load on for `after` seconds."""

    def __init__(self, test, ds, secrets):
        self.test, self.ds, self.secrets = test, ds, secrets

    def run(self, down, up, before=2.0, gap=2.0, after=3.0):
        users = list(self.secrets)
        self.load = pp.Load(self.ds, users, THREADS, pace=PACE, pace_failed=0.02,
                            frozen=users[3::7])
        self.enroller = Enroller(self.ds, prefix="e%d_" % int(time.monotonic() * 1000 % 1e6))
        self.load.start(self.secrets)
        self.enroller.start()
        time.sleep(before)
        self.load.freeze.set()
        self.t_down0 = time.monotonic()
        down()
        self.t_down = time.monotonic()
        time.sleep(gap)
        self.t_up0 = time.monotonic()
        up()
        self.t_up = time.monotonic()
        time.sleep(after)
        self.load.stop()
        self.enroller.stop()
        return self

    def check(self, what):
        """The answers: refusals only while the database was away,
        successes again within RESUME_BOUND, and every acknowledged write
        there afterwards. Returns the figures for the report."""
        t = self.test
        log = self.load.log
        t.assertFalse(self.load.exhausted, "the load ran out of codes: raise LOAD_USERS")
        before = [e for e in log if e[1] < self.t_down0]
        gap = [e for e in log if e[0] > self.t_down and e[1] < self.t_up0]
        after = [e for e in log if e[0] >= self.t_up]
        # before: the store works
        t.assertGreater(sum(e[7] == "success" for e in before), 0, "no success before")
        # the gap: every answer a refusal saying 'unavailable' (never a
        # success, never a verdict on the code)
        t.assertGreater(len(gap), 0, "no answer while the database was away")
        wrong = [e for e in gap if e[7] != "unavailable"]
        t.assertEqual(wrong[:5], [], "%s: %d of %d answers in the gap were not 'unavailable'"
                      % (what, len(wrong), len(gap)))
        # after: successes resume by themselves
        ok_after = sorted(e[1] for e in after if e[7] == "success")
        t.assertTrue(ok_after, "%s: no success after the database came back" % what)
        resume = ok_after[0] - self.t_up
        t.assertLess(resume, RESUME_BOUND, "%s: first success %.1f s after" % (what, resume))
        # every answer: a known verdict (no HTTP error, no broken reply)
        kinds = collections.Counter((e[6], e[7], e[8]) for e in log)
        odd = {k: v for k, v in kinds.items()
               if k[0] != 200 or k[1] not in ("success", "denied", "unavailable")}
        t.assertEqual(odd, {}, "%s: odd answers" % what)
        # after the outage, refusals are replays of codes whose fate the
        # daemon could not know (a commit cut off), never anything else
        denied_after = collections.Counter(e[8] for e in after if e[7] == "denied")
        t.assertEqual(set(denied_after) - {"code_reused"}, set(), denied_after)
        # each such step was asked before (an answer that was no verdict:
        # its commit cut off by the outage), never first asked afterwards
        reused = []
        for e in after:
            if e[7] == "denied":
                prev = [p for p in log if p[3] == e[3] and p[4] == e[4] and p[1] <= e[0]]
                reused.append([(round(p[0] - self.t_down0, 2), p[7], p[8]) for p in prev])
                t.assertTrue((prev and all(p[7] == "unavailable" for p in prev))
                             or self.spent_by_collision(e), (e, reused[-1]))
        return {"answers": len(log), "before_ok": sum(e[7] == "success" for e in before),
                "gap_answers": len(gap), "after_ok": len(ok_after), "resume_s": resume,
                "down_s": self.t_up - self.t_down0, "denied_after": dict(denied_after),
                "reused_steps_asked_before": reused,
                # after the first success: serialization give-ups (test_pg_contention)
                "unavailable_after_resume": sum(e[7] == "unavailable" and e[0] > ok_after[0]
                                                for e in after),
                "kinds": dict(kinds)}

    def spent_by_collision(self, e):
        """A six-digit code is also the code of another step now and then:
        with [totp] window = 10 (21 steps), an earlier accepted code of this
        user that equals the code of a step at or after e's was taken for
        the newest such step (authd/totp.c: the newest fresh step wins), and
        e's step was spent by it. Seen once in a CI run: step asked first
        after the outage, answered code_reused, never asked before."""
        secret = self.secrets[e[3]]
        for p in self.load.log:
            if p[3] == e[3] and p[7] == "success" and p[1] <= e[0]:
                if any(pp.totp(secret, s) == p[5] for s in range(e[4], p[4] + 22) if s != p[4]):
                    return True
        return False

    def check_kept(self, what):
        """Every code acknowledged as accepted is refused when replayed now
        (through either daemon); every acknowledged enrollment is there and
        signs in."""
        t = self.test
        acked = self.load.successes()
        by_user = collections.Counter(e[3] for e in acked)

        retried = []

        def replay(k):
            e = acked[k]
            d = self.ds[(e[2] + 1) % len(self.ds)]  # the other daemon
            for _ in range(5):
                answer = pp.login_once(d, e[3], e[5])
                # 'unavailable' says nothing of the code: a transaction
                # given up on serialization failures (test_pg_contention)
                if answer[1] != "unavailable":
                    break
                retried.append(e[3])
                time.sleep(0.05)
            return e, answer, pp.now_step()

        out = pp.parallel(list(range(len(acked))), replay, threads=4)
        not_refused = []
        for e, (status, result, reason), step in out:
            in_window = step - e[4] <= 9
            if result != "denied" or (in_window and reason != "code_reused"):
                not_refused.append((e[3], e[4], status, result, reason))
        # the frozen users' last accepted codes (all from before the
        # outage, none after): a lost commit shows here as a success
        last = {}
        for e in acked:
            if e[3] in self.load.frozen and e[1] > last.get(e[3], (0, 0))[1]:
                last[e[3]] = e
        t.assertGreater(len(last), 0)
        t.assertTrue(all(e[1] < self.t_up0 for e in last.values()))
        t.assertEqual(not_refused[:5], [], "%s: %d of %d accepted codes not refused as replays"
                      "; the daemons' errors: %s" % (what, len(not_refused), len(acked),
                                                     log_errors(self.ds).most_common(8)))
        # the audit has every acknowledged success (and at most the ones
        # whose answer was lost on top)
        rows = dict(pp.pg_sql(self.ds[0].database,
            "SELECT \"user\", count(*) FROM audit WHERE factor = 'totp' AND result = 'success' "
            "AND service = 'sshd' GROUP BY \"user\""))
        short = {u: (n, rows.get(u, 0)) for u, n in by_user.items() if rows.get(u, 0) < n}
        t.assertEqual(short, {}, "%s: acknowledged successes missing from the audit" % what)
        # enrollments
        enrolled = self.enroller.acked
        t.assertGreater(len(enrolled), 0, "no enrollment acknowledged")
        missing = []
        for k, (user, (secret, _)) in enumerate(sorted(enrolled.items())):
            d = self.ds[k % len(self.ds)]
            listed = d.ok("/v1/totp/list", {"user": user})["totp"]
            for _ in range(5):
                status, result, reason = pp.login_once(d, user, pp.totp(secret))
                if result != "unavailable":
                    break
                retried.append(user)
                time.sleep(0.05)
            if not any(c.get("confirmed") for c in listed) or result != "success":
                missing.append((user, listed, result, reason))
        t.assertEqual(missing[:5], [], "%s: %d of %d acknowledged enrollments lost"
                      % (what, len(missing), len(enrolled)))
        return {"replayed": len(acked), "replays_retried": len(retried),
                "frozen_users_replayed": len(last),
                "enrolled": len(enrolled),
                "enroll_refused": dict(self.enroller.refused)}


def log_errors(ds, verdicts=False):
    """The daemons' error lines, counted by their text (numbers and names
    of users left out). verdicts: only the lines that explain an answer
    (a transaction given up, no connection, a door's own error line),
    not the statements that failed and were run again."""
    import re
    c = collections.Counter()
    for d in ds:
        for line in d.read_log().splitlines():
            if not line.startswith("error:"):
                continue
            if verdicts and not re.search(r"given up|no PostgreSQL connection|cannot connect|"
                                          r"^error: (web|pam|api)", line):
                continue
            c[re.sub(r"\b[a-z]*\d[\w]*", "#", line)[:200]] += 1
    return c


def report(what, figures):
    print("\n%s: %s" % (what, ", ".join("%s=%s" % (k, ("%.2f" % v) if isinstance(v, float)
                                                    else v) for k, v in figures.items())),
          file=sys.stderr, flush=True)
