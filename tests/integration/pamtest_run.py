"""Runs one libpamtest (pypamtest) transaction described by JSON on stdin
and prints the outcome as JSON. Started by harness.py under pam_wrapper,
since LD_PRELOAD must be in place before libpam is loaded."""

import json
import sys

import pypamtest

OPS = {"authenticate": pypamtest.PAMTEST_AUTHENTICATE, "account": pypamtest.PAMTEST_ACCOUNT,
       "setcred": pypamtest.PAMTEST_SETCRED, "chauthtok": pypamtest.PAMTEST_CHAUTHTOK,
       "getenvlist": pypamtest.PAMTEST_GETENVLIST}


def main():
    req = json.load(sys.stdin)
    cases = [pypamtest.TestCase(OPS[op], expected_rv=rv) for op, rv in req["cases"]]
    out = {"ok": True, "error": "", "errors": [], "info": [], "env": {}}
    try:
        res = pypamtest.run_pamtest(req["user"], req["service"], cases, req.get("answers", []),
                                    req.get("echo_on", []))
        out["errors"], out["info"] = list(res.errors), list(res.info)
    except pypamtest.PamTestError as e:
        out["ok"], out["error"] = False, str(e)
    for c in cases:
        if c.pam_operation == pypamtest.PAMTEST_GETENVLIST and c.pam_env:
            out["env"].update(c.pam_env)
    json.dump(out, sys.stdout)


main()
