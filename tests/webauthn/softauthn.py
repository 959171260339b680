#!/usr/bin/python3
"""Test-only software authenticator for Sésame's WebAuthn verifier.

Produces registration and assertion ceremonies as a browser and an
authenticator would (ES256, EdDSA, RS256; attestation none, packed self,
packed x5c from a generated CA, fido-u2f), and broken ones, each with the
verdict the relying party must reach. Uses Debian's python3-cryptography
for keys and certificates and python3-fido2 (0.9) for CBOR and COSE keys;
every valid ceremony is also checked with python-fido2's own verifiers.

  softauthn.py --out DIR        ceremonies as DIR/*.json and DIR/index.json
  softauthn.py --corpus DIR     fuzz seeds into DIR/fuzz_webauthn_*/, DIR/fuzz_web_passkey/
  softauthn.py --print-root     the fuzz harness's attestation root (PEM)

Run with /usr/bin/python3 (Debian's packages are only seen by it).
"""
import argparse
import datetime
import hashlib
import json
import os
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier
from fido2 import cbor, cose
from fido2.attestation import FidoU2FAttestation, NoneAttestation, PackedAttestation
from fido2.ctap2 import AuthenticatorData

RP_ID = "example.org"
ORIGIN = "https://example.org"
ES256, EDDSA, RS256 = -7, -8, -257
UP, UV, BE, BS, AT, ED = 0x01, 0x04, 0x08, 0x10, 0x40, 0x80
AAGUID = bytes(range(0x10, 0x20))
OID_AAGUID = ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4")
# The fuzz harnesses (tests/fuzz/fuzz_webauthn_*.c) use these same values,
# so that their seeds are whole valid ceremonies.
FUZZ_CHALLENGE = bytes(range(0x40, 0x60))
FUZZ_ROOT_SCALAR = 0x5E5A3E0000000000000000000000000000000000000000000000000000000001
# fuzz_web_passkey.c: its user's passkey (Key(ES256, 1)) and handle
FUZZ_CRED_ID = hashlib.sha256(b"fuzz web passkey").digest()
FUZZ_HANDLE = bytes(range(0x60, 0x80))


def b64u(b):
    import base64

    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def sha256(b):
    return hashlib.sha256(b).digest()


# ---------------------------------------------------------------- keys


class Key:
    """A credential or attestation key of one COSE algorithm."""

    def __init__(self, alg, seed=1, curve=None):
        self.alg = alg
        if alg == EDDSA:
            self.priv = ed25519.Ed25519PrivateKey.from_private_bytes(sha256(b"ed%d" % seed))
        elif alg == RS256:
            self.priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            curve = curve or ec.SECP256R1()
            n = int.from_bytes(sha256(b"ec%d" % seed), "big") % (2**200) + 1
            self.priv = ec.derive_private_key(n, curve)
        self.pub = self.priv.public_key()

    def cose_map(self):
        if self.alg == ES256:
            return dict(cose.ES256.from_cryptography_key(self.pub))
        if self.alg == EDDSA:
            return dict(cose.EdDSA.from_cryptography_key(self.pub))
        return dict(cose.RS256.from_cryptography_key(self.pub))

    def cose(self):
        return cbor.encode(self.cose_map())

    def sign(self, data):
        if self.alg == EDDSA:
            return self.priv.sign(data)
        if self.alg == RS256:
            return self.priv.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.priv.sign(data, ec.ECDSA(hashes.SHA256()))

    def ec_point(self):
        return self.pub.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )


# ---------------------------------------------------------- certificates

NOT_BEFORE = datetime.datetime(2020, 1, 1)
NOT_AFTER = datetime.datetime(2049, 12, 31)


def name(cn, ou="Authenticator Attestation", o="Sesame Test", c="FR"):
    attrs = []
    if c:
        attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, c))
    if o:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    if cn:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def make_cert(subject, key_pub, issuer_name, issuer_priv, serial, ca, aaguid=None,
              aaguid_critical=False, bc=True):
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key_pub)
        .serial_number(serial)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
    )
    if bc:
        b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    if ca:
        b = b.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    if aaguid is not None:
        der = b"\x04" + bytes([len(aaguid)]) + aaguid  # OCTET STRING
        b = b.add_extension(x509.UnrecognizedExtension(OID_AAGUID, der), critical=aaguid_critical)
    algo = None if isinstance(issuer_priv, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return b.sign(issuer_priv, algo)


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


class CA:
    """root → (intermediate) → attestation leaf."""

    def __init__(self, tag, root_scalar=None):
        if root_scalar is not None:
            self.root_key = ec.derive_private_key(root_scalar, ec.SECP256R1())
        else:
            self.root_key = Key(ES256, seed=100 + sum(tag.encode())).priv
        self.root_name = name("Sesame Test Root " + tag, ou="Roots")
        self.root = make_cert(self.root_name, self.root_key.public_key(), self.root_name,
                              self.root_key, 1, True)
        self.inter_key = Key(ES256, seed=200 + sum(tag.encode())).priv
        self.inter_name = name("Sesame Test Intermediate " + tag, ou="Intermediates")
        self.inter = make_cert(self.inter_name, self.inter_key.public_key(), self.root_name,
                               self.root_key, 2, True)

    def leaf(self, att_key, via_inter=False, **kw):
        subject = kw.pop("subject", name("Sesame Soft Authenticator"))
        issuer_name, issuer_key = (
            (self.inter_name, self.inter_key) if via_inter else (self.root_name, self.root_key)
        )
        kw.setdefault("aaguid", AAGUID)
        ca = kw.pop("ca", False)
        return make_cert(subject, att_key.pub, issuer_name, issuer_key, 3, ca, **kw)


# ------------------------------------------------------------- ceremonies


def client_data(typ, challenge, origin=ORIGIN, cross_origin=False, extra=None, raw=None):
    if raw is not None:
        return raw
    d = {"type": typ, "challenge": b64u(challenge), "origin": origin}
    if cross_origin is not None:
        d["crossOrigin"] = cross_origin
    if extra:
        d.update(extra)
    return json.dumps(d, separators=(",", ":")).encode()


def auth_data(rp_id=RP_ID, flags=UP | UV, count=0, cred_id=None, cose_key=None,
              aaguid=AAGUID, ext=None, id_len=None):
    out = sha256(rp_id.encode()) + bytes([flags]) + struct.pack(">I", count)
    if cred_id is not None:
        n = len(cred_id) if id_len is None else id_len
        out += aaguid + struct.pack(">H", n) + cred_id + cose_key
    if ext is not None:
        out += ext
    return out


def att_object(fmt, stmt, ad):
    return cbor.encode({"fmt": fmt, "attStmt": stmt, "authData": ad})


def raw_map(pairs):
    """A definite map in the given order, duplicates allowed."""
    out = bytes([0xA0 | len(pairs)])
    for k, v in pairs:
        out += cbor.encode(k) + cbor.encode(v)
    return out


def flip(b, index=-1, bit=0):
    b = bytearray(b)
    b[index] ^= 1 << bit
    return bytes(b)


class Gen:
    def __init__(self):
        self.cases = []
        self.keys = {ES256: Key(ES256, 1), EDDSA: Key(EDDSA, 1), RS256: Key(RS256)}
        self.att_key = Key(ES256, 9)
        self.ca = CA("A")
        self.other_ca = CA("B")
        self.counter = 0

    def challenge(self):
        self.counter += 1
        return sha256(b"challenge %d" % self.counter)

    def cred_id(self, alg):
        return sha256(b"cred %d" % alg)[:16] + bytes([alg & 0xFF]) * 16

    # -- registration
    def reg(self, name, alg=ES256, fmt="none", expect=None, flags=UP | UV | AT, count=0,
            cd=None, cd_kw=None, rp_id=RP_ID, cose_key=None, cred_id=None, ext=None,
            stmt=None, x5c=None, att_alg=None, id_len=None, mutate_ad=None, mutate_obj=None,
            sig_mutate=None, policy="any", anchors=None, algs=None, require_uv=True,
            allow_cross_origin=False, aaguid=AAGUID, challenge=None, origins=None):
        key = self.keys[alg]
        ch = challenge if challenge is not None else self.challenge()
        cdj = cd if cd is not None else client_data("webauthn.create", ch, **(cd_kw or {}))
        cid = cred_id if cred_id is not None else self.cred_id(alg)
        ck = cose_key if cose_key is not None else key.cose()
        ad = auth_data(rp_id, flags, count, cid, ck, aaguid, ext, id_len)
        if mutate_ad:
            ad = mutate_ad(ad)
        cdh = sha256(cdj)
        if stmt is None:
            stmt = {}
            if fmt == "packed":
                if x5c is None:
                    stmt = {"alg": att_alg or alg, "sig": key.sign(ad + cdh)}
                else:
                    stmt = {"alg": att_alg or ES256, "sig": self.att_key.sign(ad + cdh),
                            "x5c": x5c}
            elif fmt == "fido-u2f":
                base = b"\x00" + sha256(rp_id.encode()) + cdh + cid + key.ec_point() \
                    if alg == ES256 else b"\x00" + ad[:32] + cdh + cid
                stmt = {"sig": self.att_key.sign(base), "x5c": x5c}
            if sig_mutate:
                stmt["sig"] = sig_mutate(stmt["sig"])
        obj = att_object(fmt, stmt, ad)
        if mutate_obj:
            obj = mutate_obj(obj)
        case = {
            "name": name, "ceremony": "registration", "rp_id": RP_ID,
            "origins": origins or [ORIGIN], "require_uv": require_uv,
            "allow_cross_origin": allow_cross_origin, "challenge": b64u(ch),
            "client_data": b64u(cdj), "attestation_object": b64u(obj), "policy": policy,
        }
        if anchors:
            case["anchors_pem"] = "".join(anchors)
        if algs:
            case["algs"] = algs
        if expect is None or "reason" not in expect:
            e = {"ok": True, "fmt": fmt, "alg": alg, "sign_count": count,
                 "cred_id": b64u(cid), "cose_key": b64u(ck), "aaguid": b64u(aaguid),
                 "flags": flags & (UP | UV | BE | BS), "att_type": "none", "trusted": False}
            e.update(expect or {})
            expect = e
            self.crosscheck_reg(name, fmt, stmt, ad, cdh)
        case["expect"] = expect
        self.cases.append(case)
        return case

    def crosscheck_reg(self, name, fmt, stmt, ad, cdh):
        """python-fido2's own verifier must agree that a valid one is valid."""
        verifier = {"none": NoneAttestation, "packed": PackedAttestation,
                    "fido-u2f": FidoU2FAttestation}[fmt]()
        verifier.verify(stmt, AuthenticatorData(ad), cdh)

    # -- assertion
    def get(self, name, alg=ES256, expect=None, flags=UP | UV, count=1, stored=0, cd=None,
            cd_kw=None, rp_id=RP_ID, ext=None, mutate_ad=None, sig_mutate=None,
            cose_key=None, user_handle=None, stored_user_handle=None, require_uv=True,
            allow_cross_origin=False, sig=None, ad=None):
        key = self.keys[alg]
        ch = self.challenge()
        cdj = cd if cd is not None else client_data("webauthn.get", ch, **(cd_kw or {}))
        if ad is None:
            ad = auth_data(rp_id, flags, count, ext=ext)
        signed_ad = ad
        if mutate_ad:
            ad = mutate_ad(ad)
        if sig is None:
            sig = key.sign(signed_ad + sha256(cdj))
            if expect is None:
                cose.CoseKey.parse(key.cose_map()).verify(ad + sha256(cdj), sig)
        if sig_mutate:
            sig = sig_mutate(sig)
        case = {
            "name": name, "ceremony": "assertion", "rp_id": RP_ID, "origins": [ORIGIN],
            "require_uv": require_uv, "allow_cross_origin": allow_cross_origin,
            "challenge": b64u(ch), "client_data": b64u(cdj), "auth_data": b64u(ad),
            "signature": b64u(sig), "cose_key": b64u(cose_key or key.cose()),
            "stored_sign_count": stored,
        }
        if user_handle is not None:
            case["user_handle"] = b64u(user_handle)
        if stored_user_handle is not None:
            case["stored_user_handle"] = b64u(stored_user_handle)
        if expect is None:
            expect = {"ok": True, "sign_count": count, "flags": flags & (UP | UV | BE | BS)}
        case["expect"] = expect
        self.cases.append(case)
        return case


def refused(reason, **kw):
    d = {"ok": False, "reason": reason}
    d.update(kw)
    return d


def cose_variant(key, **changes):
    m = key.cose_map()
    for k, v in changes.items():
        label = int(k.replace("m", "-"))
        if v is None:
            m.pop(label, None)
        else:
            m[label] = v
    return cbor.encode(m)


def build(g):
    A = g.ca
    leaf = A.leaf(g.att_key)
    leaf_inter = A.leaf(g.att_key, via_inter=True)
    root_pem, other_pem = pem(A.root), pem(g.other_ca.root)
    u2f_cert = make_cert(name("U2F Token", ou=None), g.att_key.pub, A.root_name, A.root_key,
                         5, False, bc=False)
    p384 = Key(ES256, 3, ec.SECP384R1())
    u2f_p384 = make_cert(name("U2F P-384"), p384.pub, A.root_name, A.root_key, 6, False)

    # ---- valid registrations
    for alg, tag in ((ES256, "es256"), (EDDSA, "eddsa"), (RS256, "rs256")):
        g.reg("reg_%s_none" % tag, alg)
        g.reg("reg_%s_packed_self" % tag, alg, "packed", {"att_type": "self"})
    g.reg("reg_packed_x5c_untrusted", ES256, "packed", {"att_type": "basic"},
          x5c=[der(leaf)])
    g.reg("reg_packed_x5c_other_anchor_untrusted", EDDSA, "packed", {"att_type": "basic"},
          x5c=[der(leaf)], anchors=[other_pem])
    g.reg("reg_packed_x5c_trusted", ES256, "packed", {"att_type": "basic", "trusted": True},
          x5c=[der(leaf)], policy="trusted", anchors=[root_pem])
    g.reg("reg_packed_x5c_chain_trusted", RS256, "packed",
          {"att_type": "basic", "trusted": True}, x5c=[der(leaf_inter), der(A.inter)],
          policy="trusted", anchors=[other_pem, root_pem])
    g.reg("reg_packed_x5c_leaf_anchor", ES256, "packed", {"att_type": "basic", "trusted": True},
          x5c=[der(leaf)], policy="trusted", anchors=[pem(leaf)])
    g.reg("reg_packed_x5c_no_aaguid_ext", ES256, "packed", {"att_type": "basic"},
          x5c=[der(A.leaf(g.att_key, aaguid=None))])
    g.reg("reg_fido_u2f", ES256, "fido-u2f", {"att_type": "basic"}, x5c=[der(u2f_cert)],
          flags=UP | AT, aaguid=bytes(16), require_uv=False)
    g.reg("reg_fido_u2f_trusted", ES256, "fido-u2f", {"att_type": "basic", "trusted": True},
          x5c=[der(u2f_cert)], flags=UP | AT, aaguid=bytes(16), require_uv=False,
          policy="trusted", anchors=[root_pem])
    g.reg("reg_client_data_extra_keys", ES256,
          cd_kw={"extra": {"other_keys_can_be_added_here": "do not compare clientDataJSON "
                           "against a template", "topOrigin": "https://x.example"}})
    g.reg("reg_client_data_no_cross_origin", ES256, cd_kw={"cross_origin": None})
    g.reg("reg_cross_origin_allowed", ES256, cd_kw={"cross_origin": True},
          allow_cross_origin=True)
    g.reg("reg_second_origin", ES256, cd_kw={"origin": "https://login.example.org"},
          origins=[ORIGIN, "https://login.example.org"])
    g.reg("reg_extensions", ES256, "packed", {"att_type": "self"}, flags=UP | UV | AT | ED,
          ext=cbor.encode({"credProtect": 2, "hmac-secret": True}))
    g.reg("reg_backup_flags", EDDSA, flags=UP | UV | AT | BE | BS)
    g.reg("reg_uv_not_required", ES256, flags=UP | AT, require_uv=False)
    g.reg("reg_sign_count", ES256, count=41)
    g.reg("reg_cred_id_1023", ES256, cred_id=bytes(range(256)) * 3 + bytes(255))
    g.reg("reg_algs_only_eddsa", EDDSA, algs=[EDDSA])
    g.reg("reg_cose_extra_positive_label", ES256,
          cose_key=cbor.encode({**g.keys[ES256].cose_map(), 2: b"kid"}))

    # ---- broken registrations: client data
    g.reg("reg_wrong_origin", expect=refused("wrong_origin"),
          cd_kw={"origin": "https://evil.example"})
    g.reg("reg_origin_trailing_slash", expect=refused("wrong_origin"),
          cd_kw={"origin": ORIGIN + "/"})
    g.reg("reg_cross_origin", expect=refused("wrong_origin"), cd_kw={"cross_origin": True})
    g.reg("reg_wrong_type", expect=refused("wrong_type"),
          cd=client_data("webauthn.get", sha256(b"x")), challenge=sha256(b"x"))
    g.reg("reg_wrong_challenge", expect=refused("wrong_challenge"),
          cd=client_data("webauthn.create", sha256(b"another")))
    # a reused challenge: the caller's store no longer holds it, issues a new one
    old = g.challenge()
    g.reg("reg_reused_challenge", expect=refused("wrong_challenge"),
          cd=client_data("webauthn.create", old))
    g.reg("reg_challenge_not_base64url", expect=refused("wrong_challenge"),
          cd=b'{"type":"webauthn.create","challenge":"a+b/","origin":"%s"}' % ORIGIN.encode())
    g.reg("reg_client_data_not_json", expect=refused("bad_client_data"), cd=b"{type:")
    g.reg("reg_client_data_array", expect=refused("bad_client_data"), cd=b"[1,2]")
    g.reg("reg_client_data_trailing", expect=refused("bad_client_data"),
          cd=client_data("webauthn.create", sha256(b"t")) + b"}", challenge=sha256(b"t"))
    g.reg("reg_client_data_duplicate_key", expect=refused("bad_client_data"),
          cd=client_data("webauthn.create", sha256(b"d"))[:-1] + b',"type":"webauthn.get"}',
          challenge=sha256(b"d"))
    g.reg("reg_client_data_no_challenge", expect=refused("bad_client_data"),
          cd=b'{"type":"webauthn.create","origin":"%s"}' % ORIGIN.encode())
    g.reg("reg_cross_origin_not_bool", expect=refused("bad_client_data"),
          cd_kw={"cross_origin": "false"})
    g.reg("reg_client_data_too_large", expect=refused("too_large"),
          cd_kw={"extra": {"pad": "x" * 4200}})

    # ---- authenticator data
    g.reg("reg_wrong_rp_id", expect=refused("wrong_rp_id"), rp_id="evil.example")
    g.reg("reg_up_missing", expect=refused("user_not_present"), flags=UV | AT)
    g.reg("reg_uv_missing", expect=refused("user_not_verified"), flags=UP | AT)
    g.reg("reg_at_missing", expect=refused("bad_auth_data"),
          mutate_ad=lambda ad: ad[:32] + bytes([UP | UV]) + ad[33:37])
    g.reg("reg_bs_without_be", expect=refused("bad_auth_data"), flags=UP | UV | AT | BS)
    g.reg("reg_cred_id_too_long", expect=refused("bad_auth_data"), cred_id=bytes(1024))
    g.reg("reg_cred_id_len_huge", expect=refused("bad_auth_data"), id_len=0xFFFF)
    g.reg("reg_auth_data_short", expect=refused("bad_auth_data"),
          mutate_ad=lambda ad: ad[:36])
    g.reg("reg_auth_data_trailing", expect=refused("trailing_bytes"),
          mutate_ad=lambda ad: ad + b"\x00")
    g.reg("reg_ext_flag_without_ext", expect=refused("bad_auth_data"),
          flags=UP | UV | AT | ED)
    g.reg("reg_ext_not_map", expect=refused("bad_auth_data"), flags=UP | UV | AT | ED,
          ext=cbor.encode([1, 2]))
    g.reg("reg_ext_indefinite", expect=refused("bad_auth_data"), flags=UP | UV | AT | ED,
          ext=b"\xbf\x6bcredProtect\x02\xff")
    g.reg("reg_ext_without_flag", expect=refused("trailing_bytes"),
          ext=cbor.encode({"credProtect": 2}))

    # ---- COSE keys
    k = g.keys[ES256]
    m = k.cose_map()
    g.reg("reg_cose_x_31", expect=refused("bad_cose_key"), cose_key=cose_variant(k, m2=m[-2][1:]))
    g.reg("reg_cose_y_33", expect=refused("bad_cose_key"),
          cose_key=cose_variant(k, m3=b"\x00" + m[-3]))
    g.reg("reg_cose_not_on_curve", expect=refused("bad_cose_key"),
          cose_key=cose_variant(k, m3=flip(m[-3])))
    g.reg("reg_cose_x_is_p", expect=refused("bad_cose_key"),
          cose_key=cose_variant(k, m2=bytes.fromhex(
              "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")))
    g.reg("reg_cose_p384_curve", expect=refused("bad_cose_key"), cose_key=cose_variant(k, m1=2))
    g.reg("reg_cose_kty_mismatch", expect=refused("bad_cose_key"), cose_key=cose_variant(k, **{"1": 1}))
    g.reg("reg_cose_no_alg", expect=refused("bad_cose_key"), cose_key=cose_variant(k, **{"3": None}))
    g.reg("reg_cose_private_d", expect=refused("bad_cose_key"),
          cose_key=cose_variant(k, m4=bytes(32)))
    g.reg("reg_cose_duplicate_label", expect=refused("bad_cose_key"),
          cose_key=raw_map([(1, 2), (3, -7), (-1, 1), (-2, m[-2]), (-3, m[-3]), (-2, m[-2])]))
    g.reg("reg_cose_indefinite", expect=refused("bad_cose_key"),
          cose_key=b"\xbf" + k.cose()[1:] + b"\xff")
    g.reg("reg_cose_not_map", expect=refused("bad_cose_key"), cose_key=cbor.encode([1, 2]))
    ke = g.keys[EDDSA]
    g.reg("reg_cose_ed25519_x_31", EDDSA, expect=refused("bad_cose_key"),
          cose_key=cose_variant(ke, m2=ke.cose_map()[-2][:31]))
    g.reg("reg_cose_ed448_curve", EDDSA, expect=refused("bad_cose_key"),
          cose_key=cose_variant(ke, m1=7))
    # 32 bytes that are no Ed25519 point (RFC 8032 5.1.3): y = 2 gives an
    # x^2 that is not a square mod p; y = 1 gives x = 0, which has no sign
    # 1; y = p is not canonical. OpenSSL would store and list such a key.
    for tag, y in (("y_2", 2), ("x_0_sign_1", 1 | 1 << 255), ("y_is_p", 2**255 - 19)):
        g.reg("reg_cose_ed25519_not_a_point_" + tag, EDDSA, expect=refused("bad_cose_key"),
              cose_key=cose_variant(ke, m2=y.to_bytes(32, "little")))
    kr = g.keys[RS256]
    g.reg("reg_cose_rsa_n_255", RS256, expect=refused("bad_cose_key"),
          cose_key=cose_variant(kr, m1=kr.cose_map()[-1][1:]))
    g.reg("reg_cose_rsa_e_empty", RS256, expect=refused("bad_cose_key"),
          cose_key=cose_variant(kr, m2=b""))
    p384_cose = cbor.encode({1: 2, 3: -35, -1: 2, -2: p384.ec_point()[1:49],
                             -3: p384.ec_point()[49:]})
    g.reg("reg_unknown_algorithm", expect=refused("unsupported_algorithm"), cose_key=p384_cose)
    g.reg("reg_algorithm_not_allowed", expect=refused("unsupported_algorithm"), algs=[EDDSA, RS256])

    # ---- attestation object CBOR
    g.reg("reg_cbor_truncated", expect=refused("bad_cbor"), mutate_obj=lambda o: o[:-10])
    g.reg("reg_cbor_trailing", expect=refused("trailing_bytes"), mutate_obj=lambda o: o + b"\x00")
    g.reg("reg_cbor_empty", expect=refused("bad_cbor"), mutate_obj=lambda o: b"")
    g.reg("reg_cbor_indefinite_map", expect=refused("bad_cbor"),
          mutate_obj=lambda o: b"\xbf" + o[1:] + b"\xff")
    g.reg("reg_cbor_indefinite_bytes", expect=refused("bad_cbor"),
          mutate_obj=lambda o: o.replace(b"hauthDataX", b"hauthData\x5f\x58") + b"\xff")
    g.reg("reg_cbor_huge_bytes", expect=refused("bad_cbor"),
          mutate_obj=lambda o: o[: o.index(b"hauthData") + 9] + b"\x5a\xff\xff\xff\xff")
    g.reg("reg_cbor_huge_bytes_64", expect=refused("bad_cbor"),
          mutate_obj=lambda o: o[: o.index(b"hauthData") + 9] + b"\x5b" + b"\xff" * 8)
    g.reg("reg_cbor_huge_map", expect=refused("bad_cbor"),
          mutate_obj=lambda o: b"\xba\xff\xff\xff\xff" + o[1:])
    g.reg("reg_cbor_huge_array", ES256, "packed", refused("bad_cbor"), x5c=[der(leaf)],
          mutate_obj=lambda o: o.replace(b"cx5c\x81", b"cx5c\x9a\x7f\xff\xff\xff"))
    g.reg("reg_cbor_reserved_ai", expect=refused("bad_cbor"), mutate_obj=lambda o: b"\xbc" + o[1:])
    g.reg("reg_cbor_duplicate_key", expect=refused("bad_cbor"),
          mutate_obj=lambda o: b"\xa4" + o[1:] + cbor.encode("fmt") + cbor.encode("none"))
    g.reg("reg_cbor_extra_key", expect=refused("bad_cbor"),
          mutate_obj=lambda o: b"\xa4" + o[1:] + cbor.encode("ep") + cbor.encode(True))
    g.reg("reg_cbor_fmt_not_text", expect=refused("bad_cbor"),
          mutate_obj=lambda o: o.replace(b"cfmtdnone", b"cfmtDnone"))
    g.reg("reg_cbor_not_map", expect=refused("bad_cbor"), mutate_obj=lambda o: cbor.encode([1]))
    g.reg("reg_cbor_deep", expect=refused("bad_cbor"), mutate_obj=lambda o: b"\x81" * 40 + b"\x00")
    g.reg("reg_att_object_too_large", expect=refused("too_large"),
          mutate_obj=lambda o: o + bytes(16385 - len(o)))

    # ---- attestation statements
    g.reg("reg_none_with_stmt", expect=refused("bad_attestation"), stmt={"sig": b"\x01"})
    g.reg("reg_unknown_fmt", ES256, "tpm", refused("bad_attestation"), stmt={})
    g.reg("reg_packed_self_bad_sig", ES256, "packed", refused("bad_signature"),
          sig_mutate=lambda s: flip(s, 10))
    g.reg("reg_packed_self_bad_sig_eddsa", EDDSA, "packed", refused("bad_signature"),
          sig_mutate=lambda s: flip(s, 3))
    g.reg("reg_packed_self_bad_sig_rs256", RS256, "packed", refused("bad_signature"),
          sig_mutate=lambda s: flip(s, 100))
    g.reg("reg_packed_self_alg_mismatch", ES256, "packed", refused("bad_attestation"),
          att_alg=EDDSA)
    g.reg("reg_packed_unknown_alg", ES256, "packed", refused("unsupported_algorithm"),
          att_alg=-35)
    g.reg("reg_packed_no_sig", ES256, "packed", refused("bad_attestation"),
          stmt={"alg": ES256})
    g.reg("reg_packed_extra_member", ES256, "packed", refused("bad_attestation"),
          stmt={"alg": ES256, "sig": b"0", "ecdaaKeyId": b"k"})
    g.reg("reg_packed_x5c_bad_sig", ES256, "packed", refused("bad_signature"), x5c=[der(leaf)],
          sig_mutate=lambda s: flip(s, 20))
    g.reg("reg_packed_x5c_alg_mismatch", ES256, "packed", refused("bad_attestation"),
          x5c=[der(leaf)], att_alg=RS256)
    g.reg("reg_packed_x5c_no_ou", ES256, "packed", refused("bad_attestation"),
          x5c=[der(A.leaf(g.att_key, subject=name("No OU", ou=None)))])
    g.reg("reg_packed_x5c_wrong_ou", ES256, "packed", refused("bad_attestation"),
          x5c=[der(A.leaf(g.att_key, subject=name("Wrong OU", ou="Attestation")))])
    g.reg("reg_packed_x5c_ca_leaf", ES256, "packed", refused("bad_attestation"),
          x5c=[der(A.leaf(g.att_key, ca=True))])
    g.reg("reg_packed_x5c_no_basic_constraints", ES256, "packed", refused("bad_attestation"),
          x5c=[der(A.leaf(g.att_key, bc=False))])
    g.reg("reg_packed_x5c_aaguid_mismatch", ES256, "packed", refused("bad_attestation"),
          x5c=[der(A.leaf(g.att_key, aaguid=bytes(16)))])
    g.reg("reg_packed_x5c_aaguid_critical", ES256, "packed", refused("bad_attestation"),
          x5c=[der(A.leaf(g.att_key, aaguid_critical=True))])
    g.reg("reg_packed_x5c_garbage", ES256, "packed", refused("bad_attestation"),
          x5c=[der(leaf)[:-1]])
    g.reg("reg_packed_x5c_empty", ES256, "packed", refused("bad_attestation"), x5c=[])
    g.reg("reg_packed_x5c_too_many", ES256, "packed", refused("bad_attestation"),
          x5c=[der(leaf)] + [der(A.inter)] * 4)
    g.reg("reg_packed_x5c_untrusted_policy", ES256, "packed", refused("untrusted_attestation"),
          x5c=[der(leaf)], policy="trusted", anchors=[other_pem])
    g.reg("reg_packed_x5c_no_anchor_policy", ES256, "packed", refused("untrusted_attestation"),
          x5c=[der(leaf)], policy="trusted")
    g.reg("reg_packed_chain_missing_inter", ES256, "packed", refused("untrusted_attestation"),
          x5c=[der(leaf_inter)], policy="trusted", anchors=[root_pem])
    g.reg("reg_none_policy_trusted", expect=refused("untrusted_attestation"), policy="trusted",
          anchors=[root_pem])
    g.reg("reg_self_policy_trusted", ES256, "packed", refused("untrusted_attestation"),
          policy="trusted", anchors=[root_pem])
    g.reg("reg_u2f_bad_sig", ES256, "fido-u2f", refused("bad_signature"), x5c=[der(u2f_cert)],
          sig_mutate=lambda s: flip(s, 12))
    g.reg("reg_u2f_two_certs", ES256, "fido-u2f", refused("bad_attestation"),
          x5c=[der(u2f_cert), der(A.root)])
    g.reg("reg_u2f_p384_cert", ES256, "fido-u2f", refused("bad_attestation"),
          x5c=[der(u2f_p384)])
    g.reg("reg_u2f_eddsa_credential", EDDSA, "fido-u2f", refused("bad_attestation"),
          x5c=[der(u2f_cert)])
    g.reg("reg_u2f_with_alg", ES256, "fido-u2f", refused("bad_attestation"),
          stmt={"sig": b"0", "x5c": [der(u2f_cert)], "alg": ES256})

    # ---- assertions
    for alg, tag in ((ES256, "es256"), (EDDSA, "eddsa"), (RS256, "rs256")):
        g.get("get_%s" % tag, alg, count=5, stored=4)
        g.get("get_%s_bad_sig" % tag, alg, refused("bad_signature"), sig_mutate=lambda s: flip(s, 8))
        g.get("get_%s_sign_count_regression" % tag, alg,
              refused("sign_count_regression", sign_count=3), count=3, stored=10)
    g.get("get_counter_zero_both", ES256, count=0, stored=0)
    g.get("get_counter_equal", ES256, refused("sign_count_regression", sign_count=7), count=7,
          stored=7)
    g.get("get_counter_reset_to_zero", ES256, refused("sign_count_regression", sign_count=0),
          count=0, stored=9)
    g.get("get_counter_starts", ES256, count=1, stored=0)
    g.get("get_client_data_extra_keys", ES256,
          cd_kw={"extra": {"other_keys_can_be_added_here": "x", "tokenBinding": {"status": "supported"}}})
    g.get("get_extensions", EDDSA, flags=UP | UV | ED, ext=cbor.encode({"appid": False}))
    g.get("get_backup_flags", ES256, flags=UP | UV | BE | BS)
    g.get("get_uv_not_required", ES256, flags=UP, require_uv=False)
    g.get("get_user_handle_match", ES256, user_handle=b"user-0001", stored_user_handle=b"user-0001")
    g.get("get_user_handle_absent", ES256, stored_user_handle=b"user-0001")
    g.get("get_user_handle_mismatch", ES256, refused("wrong_user_handle"),
          user_handle=b"user-0002", stored_user_handle=b"user-0001")
    g.get("get_wrong_type", ES256, refused("wrong_type"),
          cd=client_data("webauthn.create", g.challenge()))
    g.get("get_wrong_challenge", ES256, refused("wrong_challenge"),
          cd=client_data("webauthn.get", sha256(b"nope")))
    g.get("get_wrong_origin", ES256, refused("wrong_origin"),
          cd_kw={"origin": "http://example.org"})
    g.get("get_cross_origin", ES256, refused("wrong_origin"), cd_kw={"cross_origin": True})
    g.get("get_wrong_rp_id", ES256, refused("wrong_rp_id"), rp_id="example.com")
    g.get("get_up_missing", ES256, refused("user_not_present"), flags=UV)
    g.get("get_uv_missing", ES256, refused("user_not_verified"), flags=UP)
    g.get("get_flags_tampered", ES256, refused("bad_signature"),
          mutate_ad=lambda ad: ad[:32] + bytes([ad[32] | BE]) + ad[33:])
    g.get("get_count_tampered", ES256, refused("bad_signature"),
          mutate_ad=lambda ad: ad[:-1] + bytes([ad[-1] + 1]))
    g.get("get_auth_data_trailing", ES256, refused("trailing_bytes"),
          mutate_ad=lambda ad: ad + b"\x00")
    g.get("get_auth_data_short", ES256, refused("bad_auth_data"), mutate_ad=lambda ad: ad[:36])
    g.get("get_auth_data_at_flag", ES256, refused("bad_auth_data"), flags=UP | UV | AT)
    g.get("get_auth_data_too_large", ES256, refused("too_large"),
          ad=auth_data(flags=UP | UV | ED, count=1,
                       ext=cbor.encode({"pad": bytes(2100)})))
    g.get("get_signature_too_large", ES256, refused("too_large"), sig=bytes(1025))
    g.get("get_signature_raw_rs", ES256, refused("bad_signature"), sig=bytes(range(64)))
    g.get("get_signature_empty", ES256, refused("bad_signature"), sig=b"")
    g.get("get_es256_sig_with_eddsa_key", ES256, refused("bad_signature"),
          cose_key=g.keys[EDDSA].cose())
    g.get("get_stored_key_bad", ES256, refused("bad_cose_key"), cose_key=cbor.encode({1: 2}))
    g.get("get_stored_key_trailing", ES256, refused("bad_cose_key"),
          cose_key=g.keys[ES256].cose() + b"\x00")
    g.get("get_client_data_not_json", ES256, refused("bad_client_data"), cd=b"\xff\xfe")
    g.get("get_client_data_too_large", ES256, refused("too_large"),
          cd_kw={"extra": {"pad": "y" * 4100}})


def write_cases(out):
    g = Gen()
    build(g)
    os.makedirs(out, exist_ok=True)
    names = []
    for c in g.cases:
        path = os.path.join(out, c["name"] + ".json")
        with open(path, "w") as f:
            json.dump(c, f, indent=1, sort_keys=True)
            f.write("\n")
        names.append(c["name"])
    if len(set(names)) != len(names):
        sys.exit("duplicate case names")
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"cases": names}, f, indent=1)
        f.write("\n")
    ok = sum(1 for c in g.cases if c["expect"]["ok"])
    print("softauthn: %d ceremonies (%d valid, %d broken) in %s" %
          (len(names), ok, len(names) - ok, out))


def fuzz_root():
    return CA("fuzz", root_scalar=FUZZ_ROOT_SCALAR)


def write_corpus(out):
    """Seeds for the four fuzz targets, made with the harnesses' fixed
    challenge, origin and attestation root, so each seed passes whole."""
    g = Gen()
    g.challenge = lambda: FUZZ_CHALLENGE
    ca = fuzz_root()
    leaf = ca.leaf(g.att_key)
    seeds = {"fuzz_webauthn_attestation": [], "fuzz_webauthn_authdata": [],
             "fuzz_webauthn_cose": [], "fuzz_webauthn_clientdata": []}
    regs = [
        g.reg("none", ES256), g.reg("self_es256", ES256, "packed", {"att_type": "self"}),
        g.reg("self_eddsa", EDDSA, "packed", {"att_type": "self"}),
        g.reg("self_rs256", RS256, "packed", {"att_type": "self"}),
        g.reg("x5c", ES256, "packed", {"att_type": "basic"}, x5c=[der(leaf)]),
        g.reg("u2f", ES256, "fido-u2f", {"att_type": "basic"},
              x5c=[der(make_cert(name("U2F"), g.att_key.pub, ca.root_name, ca.root_key, 5,
                                 False))]),
        g.reg("ext", EDDSA, flags=UP | UV | AT | ED, ext=cbor.encode({"credProtect": 1})),
    ]
    import base64

    def unb(s):
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

    for c in regs:
        seeds["fuzz_webauthn_attestation"].append(unb(c["attestation_object"]))
        obj = cbor.decode(unb(c["attestation_object"]))
        seeds["fuzz_webauthn_authdata"].append(obj["authData"])
    for alg in (ES256, EDDSA, RS256):
        seeds["fuzz_webauthn_cose"].append(g.keys[alg].cose())
        a = g.get("a", alg, ext=cbor.encode({"x": 1}) if alg == EDDSA else None,
                  flags=UP | UV | (ED if alg == EDDSA else 0))
        seeds["fuzz_webauthn_authdata"].append(unb(a["auth_data"]))
    seeds["fuzz_webauthn_clientdata"] += [
        client_data("webauthn.create", FUZZ_CHALLENGE),
        client_data("webauthn.get", FUZZ_CHALLENGE, extra={"other_keys_can_be_added_here": "x"}),
        client_data("webauthn.get", FUZZ_CHALLENGE, cross_origin=True),
    ]
    # fuzz_web_passkey: JSON bodies, the first byte picking the endpoint
    # and the policy (0x10: UV required, 0x20: attestation trusted, which
    # the x5c registration passes)
    web = seeds["fuzz_web_passkey"] = [b"\x00{}", b"\x02{}", b"\x03{}", b"\x30{}"]
    extras = ({"transports": ["usb", "internal", "hybrid"]}, {}, {"transports": None},
              {"transports": ["internal-hybrid"] * 8}, {"transports": []},
              {"transports": ["nfc"]}, {"transports": ["ble"]})
    for sel, c, extra in zip((1, 1, 1, 0x11, 0x21, 1, 1), regs, extras):
        body = {"name": "cl\u00e9 " + c["name"], "clientDataJSON": c["client_data"],
                "attestationObject": c["attestation_object"]}
        web.append(bytes([sel]) + json.dumps(dict(body, **extra)).encode())
    for sel, handle in ((4, True), (5, False), (5, None), (0x14, True)):
        cdj = client_data("webauthn.get", FUZZ_CHALLENGE)
        ad = auth_data(RP_ID, UP | UV, 0)
        body = {"credentialId": b64u(FUZZ_CRED_ID), "clientDataJSON": b64u(cdj),
                "authenticatorData": b64u(ad),
                "signature": b64u(g.keys[ES256].sign(ad + sha256(cdj)))}
        if handle is not False:
            body["userHandle"] = b64u(FUZZ_HANDLE) if handle else None
        web.append(bytes([sel]) + json.dumps(body).encode())
    for target, items in seeds.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for i, b in enumerate(items):
            with open(os.path.join(d, "seed%02d" % i), "wb") as f:
                f.write(b)
        print("softauthn: %d seeds in %s" % (len(items), d))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", help="write ceremonies (*.json, index.json) here")
    ap.add_argument("--corpus", help="write fuzz seed corpora under this folder")
    ap.add_argument("--print-root", action="store_true", help="print the fuzz attestation root")
    a = ap.parse_args()
    if a.out:
        write_cases(a.out)
    if a.corpus:
        write_corpus(a.corpus)
    if a.print_root:
        sys.stdout.write(pem(fuzz_root().root))
    if not (a.out or a.corpus or a.print_root):
        ap.print_help()
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
