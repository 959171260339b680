"""The layout every web page shares, against a real sesame-authd: the one
stylesheet (same origin, versioned URL cached for a year, ETag and 304),
the operator's brand from [web] brand_* (name, logo file served by the
daemon with its type, accent in the stylesheet, support line and privacy
link escaped), the viewport and lang of every page, the language switch
and its cookie (no open redirect), the fields' autocomplete/inputmode,
errors tied to their fields, a daemon that refuses a bad logo or an
unreadable accent, and the weight of each page with its stylesheet
(<= 30 KB)."""

import os
import re
import shutil
import struct
import tempfile
import unittest
import urllib.parse
import zlib

from harness import Daemon
from harness import oathtool
from test_web import WebCase, csrf_of, free_port

MAX_WEIGHT = 30 * 1024  # bytes of a page and its stylesheet
SUPPORT = 'Help desk <support@example.org> & "01 23 45 67 89"'
PRIVACY = "https://example.org/privacy?lang=fr&ref=sesame"


def tiny_png():
    """A valid 1x1 PNG, made here."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\x00\x24\x56\xa6")) + chunk(b"IEND", b""))


def stylesheet_of(body):
    m = re.search(r'<link rel="stylesheet" href="(/static/sesame\.css\?v=([0-9a-f]{16}))">', body)
    assert m, body
    return m.group(1), m.group(2)


class Pages(WebCase):
    @classmethod
    def setUpClass(cls):
        cls.assets = tempfile.mkdtemp(prefix="sesame-brand.")
        cls.logo = os.path.join(cls.assets, "logo.png")
        with open(cls.logo, "wb") as f:
            f.write(tiny_png())
        cls.web_config = ("brand_name = Ministère <de> l'Exemple\nbrand_logo = %s\n"
                          "brand_accent = #000091\nbrand_support = %s\nbrand_privacy = %s\n"
                          % (cls.logo, SUPPORT, PRIVACY))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.assets, ignore_errors=True)

    def check_layout(self, body, lang="en"):
        """What every page carries, whatever helper made it."""
        self.assertTrue(body.startswith('<!DOCTYPE html>\n<html lang="%s">' % lang), body[:80])
        self.assertIn('<meta name="viewport" content="width=device-width, initial-scale=1">', body)
        stylesheet_of(body)
        self.assertEqual(body.count("<h1>"), 1)
        self.assertIn("<main>", body)
        # the brand, escaped
        self.assertIn("<span>Ministère &lt;de&gt; l&#39;Exemple</span>", body)
        self.assertIn("– Ministère &lt;de&gt; l&#39;Exemple</title>", body)
        self.assertIn("<p>Help desk &lt;support@example.org&gt; &amp; &quot;01 23 45 67 89&quot;</p>",
                      body)
        self.assertIn('<a href="https://example.org/privacy?lang=fr&amp;ref=sesame">', body)
        self.assertRegex(body, r'<img src="/static/logo\?v=[0-9a-f]{16}" alt=""')
        # the language switch: the other language is a link
        other = "fr" if lang == "en" else "en"
        self.assertRegex(body, r'<a href="/lang\?to=%s&amp;back=[^"]*" hreflang="%s" lang="%s">'
                         % (other, other, other))
        self.assertIn('<span aria-current="true">%s</span>' % ("English" if lang == "en" else "Français"),
                      body)

    def weigh(self, b, body):
        href, _ = stylesheet_of(body)
        resp, css = b.get(href)
        self.assertEqual(resp.status, 200)
        total = len(body.encode()) + len(css.encode())
        self.assertLessEqual(total, MAX_WEIGHT, "%d bytes" % total)
        return total

    def test_stylesheet_and_logo_are_cached_by_version(self):
        b = self.browser()
        _, body = b.get("/login")
        href, tag = stylesheet_of(body)
        resp, css = b.get(href)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "text/css; charset=utf-8")
        self.assertEqual(resp.getheader("Cache-Control"), "public, max-age=31536000, immutable")
        self.assertEqual(resp.getheader("ETag"), '"%s"' % tag)
        self.assertIn("default-src 'none'", resp.getheader("Content-Security-Policy"))
        # the brand's accent, and the tint dark pages use
        self.assertTrue(css.startswith(":root{--accent:#000091;--accent-light:#"), css[:80])
        self.assertIn("prefers-color-scheme: dark", css)
        self.assertNotIn("@import", css)
        self.assertNotIn("url(", css)  # no font, no image from anywhere
        # an old or missing version: revalidated; the ETag answers 304
        resp, _ = b.get("/static/sesame.css")
        self.assertEqual(resp.getheader("Cache-Control"), "no-cache")
        resp, text = b.get("/static/sesame.css?v=0000000000000000",
                           headers={"If-None-Match": '"%s"' % tag})
        self.assertEqual((resp.status, text), (304, ""))
        resp, _ = b.get(href, headers={"If-None-Match": '"0000000000000000"'})
        self.assertEqual(resp.status, 200)
        # the logo: the configured file, as it is, with its type
        m = re.search(r'<img src="(/static/logo\?v=[0-9a-f]{16})"', body)
        conn_b = self.browser()
        resp, _ = conn_b.request("HEAD", m.group(1))
        self.assertEqual(resp.getheader("Content-Type"), "image/png")
        self.assertEqual(int(resp.getheader("Content-Length")), len(tiny_png()))
        resp, _ = b.post("/static/sesame.css", {})
        self.assertEqual(resp.status, 405)

    def test_every_page_has_the_layout_and_weighs_little(self):
        secret = self.add_user("wanda")
        b = self.browser()
        resp, body = b.get("/login")
        self.check_layout(body)
        # the user name offers passkeys (autofill), the password is the current one
        self.assertIn('autocomplete="username webauthn"', body)
        self.assertIn('autocomplete="current-password"', body)
        self.assertNotIn("aria-invalid", body)
        sizes = {"login": self.weigh(b, body)}
        resp, body = b.post("/login", {"user": "wanda", "password": "wrong", "csrf": csrf_of(body)})
        self.check_layout(body)
        # the error is announced and names the fields it is about
        self.assertIn('<p role="alert" class="alert" id="page-alert">Wrong user name or password.</p>',
                      body)
        self.assertEqual(body.count('aria-invalid="true" aria-describedby="page-alert"'), 2)
        resp, body = self.password_step(b, "wanda")
        resp, body = b.get("/login/code")
        self.check_layout(body)
        self.assertRegex(body, r'<input id="code" name="code" type="text" inputmode="numeric" '
                               r'pattern="\[0-9\]\*" autocomplete="one-time-code"')
        sizes["code"] = self.weigh(b, body)
        resp, body = b.post("/login/code", {"code": oathtool(secret), "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 303, body)
        resp, body = b.get("/account")
        self.check_layout(body)
        self.assertIn('autocomplete="new-password"', body)
        self.assertIn('class="secondary"', body)  # one primary action; the rest secondary
        sizes["account"] = self.weigh(b, body)
        # the largest page: a new authenticator's QR code
        resp, body = b.post("/account/totp/add", {"name": "phone", "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 200, body)
        self.check_layout(body)
        self.assertIn('<svg xmlns="http://www.w3.org/2000/svg" class="qr"', body)
        sizes["totp-qr"] = self.weigh(b, body)
        resp, body = b.get("/account/confirm")
        self.check_layout(body)
        # an error page made by web_error_page, and a success made by web_page_alert
        resp, body = b.get("/no/such/page")
        self.assertEqual(resp.status, 404)
        self.check_layout(body)
        sizes["error"] = self.weigh(b, body)
        # an invitation
        url = self.daemon.ok("/v1/user/invite", {"user": "yves"})["url"]
        path = "/invite/" + url.rsplit("/", 1)[1]
        inv = self.browser()
        resp, body = inv.get(path)
        self.assertEqual(resp.status, 200, body)
        self.check_layout(body)
        self.assertEqual(body.count('autocomplete="new-password"'), 2)
        sizes["invite"] = self.weigh(inv, body)
        resp, body = inv.post("/invite", {"token": path.rsplit("/", 1)[1], "new": "short",
                                          "again": "short", "csrf": csrf_of(body)})
        self.assertEqual(resp.status, 400)
        self.check_layout(body)
        self.assertIn('role="alert" class="alert" id="page-alert"', body)
        self.assertEqual(body.count('aria-describedby="page-alert"'), 2)
        print("page + stylesheet bytes: %s" % sizes)

    def test_language_switch_is_remembered(self):
        b = self.browser(lang="en")
        resp, body = b.get("/login")
        m = re.search(r'<a href="(/lang\?to=fr&amp;back=/login)"', body)
        self.assertTrue(m, body)
        resp, _ = b.get(m.group(1).replace("&amp;", "&"))
        self.assertEqual((resp.status, resp.getheader("Location")), (303, "/login"))
        self.assertRegex(b.set_cookies[0], r"^sesame_lang=fr; Path=/; HttpOnly; SameSite=Lax; "
                                           r"Max-Age=\d+$")
        # the choice wins over the browser's Accept-Language, on every page
        resp, body = b.get("/login")
        self.assertEqual(resp.getheader("Content-Language"), "fr")
        self.check_layout(body, "fr")
        self.assertIn("<h1>Connexion</h1>", body)
        self.assertIn("Politique de confidentialité", body)
        resp, body = b.get("/nothing-here")
        self.check_layout(body, "fr")
        self.assertIn('back=/"', body)  # not a page: the switch leads to /
        # back to English
        resp, _ = b.get("/lang?to=en&back=/login")
        resp, body = b.get("/login")
        self.check_layout(body, "en")
        # only paths of this site; an unknown language is refused
        for back in ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil",
                     "/a b", "/\r\nSet-Cookie:x=1", "/caf\u00e9", "/" + "x" * 600, ""]:
            resp, _ = self.browser().get("/lang?to=fr&back=" + urllib.parse.quote(back, safe=""))
            self.assertEqual((resp.status, resp.getheader("Location")), (303, "/"), back)
        resp, _ = self.browser().get("/lang?to=fr")
        self.assertEqual(resp.getheader("Location"), "/")
        resp, _ = self.browser().get("/lang?to=fr&back=/invite/abc%3Fx")
        self.assertEqual(resp.getheader("Location"), "/invite/abc?x")
        for to in ["de", "", "FR", "fr-FR"]:
            resp, body = self.browser().get("/lang?to=%s&back=/login" % to)
            self.assertEqual(resp.status, 400, to)
        # a page answering a POST comes back through "/"
        resp, body = b.post("/login", {"user": "nobody", "password": "x",
                                       "csrf": csrf_of(b.get("/login")[1])})
        self.assertIn('href="/lang?to=fr&amp;back=/login"', body)  # GET /login exists
        resp, body = self.browser().post("/invite", {"token": "x", "new": "y", "again": "y",
                                                     "csrf": "z"})
        self.assertIn('href="/lang?to=fr&amp;back=/"', body)


class BrandRefused(unittest.TestCase):
    """A logo that is not an image, or missing; an accent white cannot be
    read on: the daemon does not start, and says why."""

    def start(self, web):
        tmp = tempfile.mkdtemp(prefix="sesame-brand.")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        d = Daemon(tmp, "[web]\nlisten = 127.0.0.1:%d\n" % free_port() + web.replace("TMP", tmp))
        with open(os.path.join(tmp, "logo.txt"), "w") as f:
            f.write("not an image")
        try:
            d.start()
        except AssertionError as e:
            return str(e)
        d.stop()
        self.fail("sesame-authd started with " + web)

    def test_refused(self):
        self.assertIn("not a PNG, JPEG, WebP or SVG image",
                      self.start("brand_logo = TMP/logo.txt\n"))
        self.assertIn("missing.png: No such file or directory",
                      self.start("brand_logo = TMP/missing.png\n"))
        self.assertIn("white text on it has a contrast of 1.5:1",
                      self.start("brand_accent = #ffcc00\n"))


if __name__ == "__main__":
    unittest.main()
