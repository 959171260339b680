"""End to end: how the web pages look and read, in Debian's Chromium
(test_browser.py's harness: one daemon and one browser per test, pages
visited in turn).

* Every page a person meets (invitation, weak password refused, account
  set-up, the QR code of a new authenticator, account, "confirm it is
  you", sign-in, sign-in error, code, code error, error page), in English
  then in French (through the language switch of the pages themselves),
  light and dark: axe-core (npm, pinned in browser/package.json) finds no
  violation of impact "serious" or "critical" among the WCAG 2.0/2.1 A and
  AA rules and its best practices (heading order, landmarks, ...); no page
  is wider than a 320 px or a 390 px phone; every control is at least
  44x44 px.
  Screenshots of each at 390x844 and 1280x800, light and dark, go to
  $SESAME_ARTIFACTS/browser/pages (docs/web.md's gallery comes from them).
* The keyboard alone: sign-in, code and sign-out with Tab and Enter, the
  focus ring visible.
* A phone (390x844, touch, CDP virtual authenticator): invitation ->
  password -> passkey -> sign-out -> passkey sign-in, every button tapped,
  no page scrolling sideways."""

import json
import os
import time
import unittest
import urllib.parse

from test_browser import PASSWORD, SIGN_OUT, BrowserCase, oathtool, secret_of

PHONE = (390, 844)
SMALLEST = 320  # the narrowest phone the pages are made for
DESKTOP = (1280, 800)
SERIOUS = ("serious", "critical")


class Pages(BrowserCase):
    web_extra = ("brand_support = Help desk: +33 1 23 45 67 89, help@example.org\n"
                 "brand_privacy = https://example.org/privacy\n")

    def setUp(self):
        super().setUp()
        self.shots = os.path.join(self.artifacts, "pages")
        os.makedirs(self.shots, exist_ok=True)
        self.audited = []

    def check_page(self, ctx, name, lang, shots=True):
        """axe in light and dark; width and touch targets at phone size;
        screenshots (phone and desktop, light and dark)."""
        problems = []
        for width in (SMALLEST, PHONE[0]):
            self.cmd("viewport", ctx=ctx, width=width, height=PHONE[1])
            layout = self.cmd("layout", ctx=ctx)
            if layout["scrollWidth"] > layout["clientWidth"]:
                problems.append("wider than %d px: %d > %d: %s" % (
                    width, layout["scrollWidth"], layout["clientWidth"], layout["wide"]))
        if layout["small"]:
            problems.append("controls under 44x44 px: %s" % layout["small"])
        for scheme in ("light", "dark"):
            self.cmd("scheme", ctx=ctx, scheme=scheme)
            for v in self.cmd("axe", ctx=ctx)["violations"]:
                if v["impact"] in SERIOUS:
                    problems.append("%s %s (%s): %s %s" % (scheme, v["id"], v["impact"], v["help"],
                                                           v["nodes"]))
                else:
                    print("axe %s %s %s: %s (%s)" % (name, lang, scheme, v["id"], v["impact"]))
            if shots:
                for label, (w, h) in (("phone", PHONE), ("desktop", DESKTOP)):
                    self.cmd("viewport", ctx=ctx, width=w, height=h)
                    self.cmd("screenshot", ctx=ctx, full=False, path=os.path.join(
                        self.shots, "%s-%s-%s-%s.png" % (name, lang, label, scheme)))
                self.cmd("viewport", ctx=ctx, width=PHONE[0], height=PHONE[1])
        self.cmd("scheme", ctx=ctx, scheme="light")
        self.audited.append("%s/%s" % (name, lang))
        self.assertEqual(problems, [], "%s (%s)" % (name, lang))

    def visit_all(self, ctx, user, lang, shots):
        """Every page of an invited user's first steps and sign-in, each checked."""
        link = self.ctl("user", "invite", user).strip()
        path = link[len(self.origin):]
        self.assertEqual(self.goto(ctx, path), path)
        self.check_page(ctx, "invite", lang, shots)
        for field in ("#new", "#again"):
            self.cmd("fill", ctx=ctx, selector=field, value="%s2024" % user)
        self.click(ctx, 'form[action="/invite"] button[type=submit]', "/invite")
        self.check_page(ctx, "invite-refused", lang, shots)
        for field in ("#new", "#again"):
            self.cmd("fill", ctx=ctx, selector=field, value=PASSWORD)
        self.click(ctx, 'form[action="/invite"] button[type=submit]', "/account")
        self.cmd("wait", ctx=ctx, selector="#passkey-add button")
        self.check_page(ctx, "enroll", lang, shots)
        self.click(ctx, 'form[action="/account/totp/add"] button[type=submit]', "/account/totp/add")
        self.cmd("wait", ctx=ctx, selector="svg.qr")
        self.check_page(ctx, "totp-qr", lang, shots)
        self.cmd("click", ctx=ctx, selector="#totp-pending summary")
        secret = secret_of(self.text(ctx, "code.otpauth"))
        self.cmd("fill", ctx=ctx, selector="#totp-code", value=oathtool(secret))
        self.click(ctx, 'form[action="/account/totp/confirm"] button[type=submit]',
                   "/account/totp/confirm")
        self.check_page(ctx, "account-ready", lang, shots)
        self.assertEqual(self.goto(ctx, "/account/confirm"), "/account/confirm")
        self.check_page(ctx, "confirm", lang, shots)
        self.click(ctx, SIGN_OUT, "/login")
        self.cmd("wait", ctx=ctx, selector="#passkey-login button")
        self.check_page(ctx, "login", lang, shots)
        self.cmd("fill", ctx=ctx, selector="#user", value=user)
        self.cmd("fill", ctx=ctx, selector="#password", value="not-" + PASSWORD)
        self.click(ctx, 'form[action="/login"] button[type=submit]', "/login")
        self.check_page(ctx, "login-error", lang, shots)
        self.cmd("fill", ctx=ctx, selector="#password", value=PASSWORD)
        self.click(ctx, 'form[action="/login"] button[type=submit]', "/login/code")
        self.check_page(ctx, "code", lang, shots)
        self.cmd("fill", ctx=ctx, selector="#code", value="000000")
        self.click(ctx, 'form[action="/login/code"] button[type=submit]', "/login/code")
        self.check_page(ctx, "code-error", lang, shots)
        self.cmd("fill", ctx=ctx, selector="#code", value=oathtool(secret, offset=30))
        self.click(ctx, 'form[action="/login/code"] button[type=submit]', "/account")
        self.check_page(ctx, "account", lang, shots)
        r = self.cmd("goto", ctx=ctx, url=self.origin + "/no/such/page")
        self.assertEqual(r["status"], 404)
        self.check_page(ctx, "error", lang, shots)
        self.assertEqual(self.goto(ctx, "/account"), "/account")
        self.click(ctx, SIGN_OUT, "/login")

    def test_every_page_accessible_in_both_languages_and_schemes(self):
        t0 = time.monotonic()
        # a touch screen (no scrollbar taking room), at both sizes in turn
        self.cmd("open", ctx="d", locale="en-US", width=PHONE[0], height=PHONE[1], mobile=True)
        self.visit_all("d", "dana", "en", shots=True)
        # the language switch of the page, remembered by every page after it
        self.assertEqual(self.goto("d", "/login"), "/login")
        self.click("d", 'a[hreflang="fr"]', "/login")
        self.assertIn("Nom d’utilisateur", self.text("d"))
        self.visit_all("d", "denis", "fr", shots=False)
        self.assertIn("Connexion", self.text("d", "h1"))
        self.click("d", 'a[hreflang="en"]', "/login")
        self.assertEqual(self.text("d", "h1"), "Sign in")
        print("pages checked: %d (%s) in %.1f s" % (len(self.audited), " ".join(self.audited),
                                                    time.monotonic() - t0))

    def test_keyboard_alone(self):
        self.ctl("user", "add", "kim", "--password", stdin=PASSWORD + "\n")
        secret = secret_of(json.loads(self.ctl("--json", "totp", "enroll", "kim", "--no-qr"))
                           ["otpauth_uri"])
        self.ctl("totp", "confirm", "kim", oathtool(secret, offset=-30))
        self.cmd("open", ctx="k", locale="en-US")
        self.assertEqual(self.goto("k", "/login"), "/login")
        # the user name has the focus when the page opens
        self.cmd("type", ctx="k", text="kim")
        r = self.cmd("tabto", ctx="k", selector="#password", max=1)
        self.assertEqual(r["outline"]["style"], "solid", r)
        self.assertEqual(r["outline"]["width"], "3px", r)
        self.cmd("type", ctx="k", text=PASSWORD)
        self.keyboard_submit("k", "/login/code")
        self.cmd("type", ctx="k", text=oathtool(secret))
        self.keyboard_submit("k", "/account")
        r = self.cmd("tabto", ctx="k", selector='form[action="/logout"] button', max=40)
        self.assertTrue(r["outline"]["visible"], r)
        self.assertEqual(r["outline"]["style"], "solid", r)
        self.keyboard_submit("k", "/login")
        # and the language switch, by keyboard too
        self.cmd("tabto", ctx="k", selector='a[hreflang="fr"]', max=40)
        self.keyboard_submit("k", "/login")
        self.assertEqual(self.text("k", "h1"), "Connexion")

    def keyboard_submit(self, ctx, expect_path):
        """Enter, and the page it leads to."""
        r = self.cmd("press", ctx=ctx, key="Enter", nav=True)
        self.assertEqual(urllib.parse.urlsplit(r["url"]).path, expect_path, self.text(ctx))

    def test_phone_journey(self):
        """390x844 with touch: invitation -> password -> passkey -> sign-out
        -> passkey sign-in; every button tapped, nothing wider than the phone."""
        link = self.ctl("user", "invite", "paul").strip()
        path = link[len(self.origin):]
        self.cmd("open", ctx="p", locale="en-US", webauthn=True, width=PHONE[0], height=PHONE[1],
                 mobile=True)

        def fits(name):
            layout = self.cmd("layout", ctx="p")
            self.assertLessEqual(layout["scrollWidth"], layout["clientWidth"], name)
            self.assertEqual(layout["small"], [], name)
            self.cmd("screenshot", ctx="p", full=False,
                     path=os.path.join(self.shots, "phone-%s.png" % name))

        self.assertEqual(self.goto("p", path), path)
        fits("1-invite")
        for field in ("#new", "#again"):
            self.cmd("tap", ctx="p", selector=field)
            self.cmd("fill", ctx="p", selector=field, value=PASSWORD)
        r = self.cmd("tap", ctx="p", selector='form[action="/invite"] button[type=submit]', nav=True)
        self.assertTrue(r["url"].endswith("/account"), r)
        self.cmd("wait", ctx="p", selector="#passkey-add button")
        fits("2-enroll")
        self.cmd("tap", ctx="p", selector="#passkey-name")
        self.cmd("fill", ctx="p", selector="#passkey-name", value="phone")
        r = self.cmd("tap", ctx="p", selector="#passkey-add button[type=submit]", nav=True)
        self.assertTrue(r["url"].endswith("/account"), r)
        self.assertIn("Signed in as paul", self.text("p"))
        self.assertEqual(self.text("p", "strong.passkey-name"), "phone")
        fits("3-account")
        r = self.cmd("tap", ctx="p", selector=SIGN_OUT, nav=True)
        self.assertTrue(r["url"].endswith("/login"), r)
        self.cmd("wait", ctx="p", selector="#passkey-login button")
        fits("4-login")
        r = self.cmd("tap", ctx="p", selector="#passkey-login button", nav=True)
        self.assertTrue(r["url"].endswith("/account"), r)
        self.assertIn("Signed in as paul", self.text("p"))
        self.assertIn("last used", self.text("p"))
        fits("5-signed-in")
        self.assertEqual(len(self.credentials("p")), 1)


if __name__ == "__main__":
    unittest.main()
