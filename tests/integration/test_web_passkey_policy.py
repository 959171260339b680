"""The [web] options that refuse passkey ceremonies, over HTTP against a
real sesame-authd: `attestation = trusted` with `attestation_anchors`
(attestation none or self refused, packed x5c chaining to an anchor
accepted, from another CA refused) and `user_verification = required`
(registration and assertion without the UV flag refused, with it
accepted), each refusal with its reason in the audit log while the browser
is told only `passkey_refused`. The defaults accept all of them."""

import hashlib
import json
import os
import shutil
import sys
import tempfile
import unittest

from test_web_passkey import PasskeyCase, SoftKey, b64d

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "webauthn"))
import softauthn as sa  # noqa: E402  (python3-fido2, python3-cryptography)

# one attestation key, certified by CA "A" (the anchor) or CA "B" (not one)
ATT_KEY = sa.Key(sa.ES256, 9)
CA_A, CA_B = sa.CA("A"), sa.CA("B")


class PolicyKey(SoftKey):
    """A passkey whose ceremonies carry the flags given, and whose
    registration is attested as asked: none, packed self, or packed x5c
    by ca (root → leaf)."""

    def __init__(self, alg=sa.ES256, flags=sa.UP | sa.UV, attestation="none", ca=None):
        super().__init__(alg)
        self.flags, self.attestation, self.ca = flags, attestation, ca

    def create(self, options, origin, count=0):
        pk = options["publicKey"]
        self.handle = b64d(pk["user"]["id"])
        cdj = sa.client_data("webauthn.create", b64d(pk["challenge"]), origin=origin)
        ad = sa.auth_data(pk["rp"]["id"], self.flags | sa.AT, count, self.cred_id,
                          self.key.cose())
        signed = ad + hashlib.sha256(cdj).digest()
        if self.attestation == "x5c":
            stmt = {"alg": sa.ES256, "sig": ATT_KEY.sign(signed),
                    "x5c": [sa.der(self.ca.leaf(ATT_KEY))]}
        elif self.attestation == "self":
            stmt = {"alg": self.key.alg, "sig": self.key.sign(signed)}
        else:
            stmt = {}
        fmt = "none" if self.attestation == "none" else "packed"
        return {"clientDataJSON": sa.b64u(cdj),
                "attestationObject": sa.b64u(sa.att_object(fmt, stmt, ad))}

    def get(self, options, origin, flags=None):
        pk = options["publicKey"]
        self.count += 1
        cdj = sa.client_data("webauthn.get", b64d(pk["challenge"]), origin=origin)
        ad = sa.auth_data(pk["rpId"], self.flags if flags is None else flags, self.count)
        return {"credentialId": sa.b64u(self.cred_id), "clientDataJSON": sa.b64u(cdj),
                "authenticatorData": sa.b64u(ad),
                "signature": sa.b64u(self.key.sign(ad + hashlib.sha256(cdj).digest())),
                "userHandle": sa.b64u(self.handle)}


class PolicyCase(PasskeyCase):
    def refused(self, data, user, reason):
        """The browser's generic refusal; the reason only in the audit."""
        self.assertEqual(data["error"], "passkey_refused", data)
        self.assertNotIn(reason, json.dumps(data))
        self.assertEqual(self.passkey_events(user)[0], ("denied", reason))

    def signed_in_user(self, user):
        return self.signed_in(user, self.add_user(user))


class WebPasskeyAttestationTrusted(PolicyCase):
    @classmethod
    def setUpClass(cls):
        cls.anchors_dir = tempfile.mkdtemp(prefix="sesame-anchors.")
        anchors = os.path.join(cls.anchors_dir, "anchors.pem")
        with open(anchors, "w") as f:
            f.write(sa.pem(CA_A.root))
        cls.web_config = "attestation = trusted\nattestation_anchors = %s\n" % anchors
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.anchors_dir, ignore_errors=True)

    def test_options_ask_for_attestation(self):
        b = self.signed_in_user("ann")
        _, token = self.account(b)
        resp, opts = self.post_json(b, "/webauthn/register/options", {}, token)
        self.assertEqual(resp.status, 200, opts)
        self.assertEqual(opts["publicKey"]["attestation"], "direct")

    def test_none_refused(self):
        b = self.signed_in_user("ben")
        _, data = self.register(b, PolicyKey(), expect=400)
        self.refused(data, "ben", "untrusted_attestation")
        self.assertEqual(self.failures("ben"), 0)  # not a sign-in failure

    def test_self_attestation_refused(self):
        b = self.signed_in_user("cat")
        _, data = self.register(b, PolicyKey(attestation="self"), expect=400)
        self.refused(data, "cat", "untrusted_attestation")

    def test_x5c_from_anchor_accepted(self):
        b = self.signed_in_user("dan")
        key = PolicyKey(attestation="x5c", ca=CA_A)
        _, data = self.register(b, key, "attested")
        self.assertEqual(data, {"redirect": "/account"})
        self.assertEqual(self.passkey_events("dan")[0], ("ok", "register"))
        self.assertIn('<strong class="passkey-name">attested</strong>', self.account(b)[0])
        # and it signs in
        nb, resp, data = self.discoverable(key)
        self.assertEqual((resp.status, data), (200, {"redirect": "/account"}))

    def test_x5c_from_other_ca_refused(self):
        b = self.signed_in_user("eli")
        _, data = self.register(b, PolicyKey(attestation="x5c", ca=CA_B), expect=400)
        self.refused(data, "eli", "untrusted_attestation")
        self.assertNotIn('class="passkey-name"', self.account(b)[0])  # none stored


class WebPasskeyUserVerificationRequired(PolicyCase):
    web_config = "user_verification = required\n"

    def test_options_require_uv(self):
        b = self.signed_in_user("fay")
        _, token = self.account(b)
        resp, opts = self.post_json(b, "/webauthn/register/options", {}, token)
        self.assertEqual(opts["publicKey"]["authenticatorSelection"]["userVerification"],
                         "required")
        self.assertEqual(self.login_options()[2]["publicKey"]["userVerification"], "required")

    def test_registration_without_uv_refused(self):
        b = self.signed_in_user("gus")
        _, data = self.register(b, PolicyKey(flags=sa.UP), expect=400)
        self.refused(data, "gus", "user_not_verified")
        self.assertEqual(self.failures("gus"), 0)
        _, data = self.register(b, PolicyKey(flags=sa.UP | sa.UV), "verified")
        self.assertEqual(data, {"redirect": "/account"})
        self.assertEqual(self.passkey_events("gus")[0], ("ok", "register"))

    def test_assertion_without_uv_refused(self):
        b = self.signed_in_user("hip")
        key = PolicyKey()
        self.register(b, key)
        nb, resp, data = self.discoverable_with(key, flags=sa.UP)
        self.assertEqual(resp.status, 403)
        self.refused(data, "hip", "user_not_verified")
        self.assertNotIn("sesame_session", nb.cookies)
        self.assertEqual(self.failures("hip"), 1)  # a failed sign-in, counted
        nb, resp, data = self.discoverable_with(key, flags=sa.UP | sa.UV)
        self.assertEqual((resp.status, data), (200, {"redirect": "/account"}))
        self.assertEqual(self.passkey_events("hip")[0], ("success", "ok"))
        self.assertEqual(self.failures("hip"), 0)

    def discoverable_with(self, key, flags):
        b, token, opts = self.login_options()
        resp, data = self.post_json(b, "/webauthn/login/verify",
                                    key.get(opts, self.origin, flags=flags), token)
        return b, resp, data


class WebPasskeyPolicyDefaults(PolicyCase):
    """The same ceremonies under user_verification = preferred and
    attestation = none: accepted, so the refusals above are the options'."""

    def test_accepted_without_the_options(self):
        b = self.signed_in_user("ivy")
        _, token = self.account(b)
        resp, opts = self.post_json(b, "/webauthn/register/options", {}, token)
        self.assertEqual(opts["publicKey"]["attestation"], "none")
        self.assertEqual(opts["publicKey"]["authenticatorSelection"]["userVerification"],
                         "preferred")
        no_uv = PolicyKey(flags=sa.UP)
        for key in (no_uv, PolicyKey(attestation="self"),
                    PolicyKey(attestation="x5c", ca=CA_B)):
            self.assertEqual(self.register(b, key)[1], {"redirect": "/account"})
        self.assertEqual(self.passkey_events("ivy")[:3], [("ok", "register")] * 3)
        nb, token, opts = self.login_options()
        resp, data = self.post_json(nb, "/webauthn/login/verify", no_uv.get(opts, self.origin),
                                    token)
        self.assertEqual((resp.status, data), (200, {"redirect": "/account"}))


if __name__ == "__main__":
    unittest.main()
