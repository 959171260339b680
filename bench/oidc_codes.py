"""Helper of bench/run_oidc.sh: signs a user in once through the web pages
(password + TOTP by oathtool), then mints N authorization codes of client
"bench" with that session (GET /oidc/authorize), one per line on stdout.
Usage: oidc_codes.py PORT USER PASSWORD SECRET N REDIRECT_URI"""
import http.client
import re
import subprocess
import sys
import urllib.parse

port, user, password, secret, n, redirect = sys.argv[1:7]
cookies = {}


def req(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    h = {"Cookie": "; ".join("%s=%s" % kv for kv in cookies.items())}
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode(body)
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    text = r.read().decode()
    for sc in r.headers.get_all("Set-Cookie") or []:
        name, _, rest = sc.partition("=")
        cookies[name] = rest.split(";")[0]
    c.close()
    return r, text


def csrf(text):
    return re.search(r'name="csrf" value="([A-Za-z0-9_-]{43})"', text).group(1)


_, t = req("GET", "/login")
req("POST", "/login", {"user": user, "password": password, "csrf": csrf(t)})
_, t = req("GET", "/login/code")
code = subprocess.check_output(["oathtool", "--totp", "-b", secret], text=True).strip()
r, t = req("POST", "/login/code", {"code": code, "csrf": csrf(t)})
assert r.status == 303, (r.status, t)
q = urllib.parse.urlencode({"client_id": "bench", "redirect_uri": redirect,
                            "response_type": "code", "scope": "openid", "nonce": "n"})
out = []
for _ in range(int(n)):
    r, _ = req("GET", "/oidc/authorize?" + q)
    loc = r.getheader("Location")
    out.append(urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)["code"][0])
print("\n".join(out))
