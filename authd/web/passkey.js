// Passkeys on Sésame's pages: asks the server for WebAuthn options, calls
// navigator.credentials.create() or get(), posts the result, follows the
// redirect. Served by sesame-authd as /static/passkey.js; no other script.
// Without it (or without WebAuthn) the pages keep their forms.
"use strict";

(function () {
  function toBytes(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function toText(buf) {
    if (!buf) return null;
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(path, csrf, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().then(function (data) {
        // a change that needs a recent sign-in: the page that asks for it
        if (data.error === "reauth_required") window.location.assign("/account/confirm");
        if (!resp.ok) throw new Error(data.message || data.error || String(resp.status));
        return data;
      });
    });
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var out = {type: d.type, id: toBytes(d.id)};
      if (d.transports) out.transports = d.transports;
      return out;
    });
  }

  function showError(box, err) {
    var p = box.querySelector(".passkey-error");
    if (!p) return;
    // a cancelled prompt is not an error worth a sentence
    if (err && err.name === "NotAllowedError") return;
    p.textContent = err && err.message ? err.message : String(err);
    p.hidden = false;
  }

  function signIn(box) {
    var csrf = box.getAttribute("data-csrf");
    post("/webauthn/login/options", csrf, {}).then(function (opts) {
      var pk = opts.publicKey;
      pk.challenge = toBytes(pk.challenge);
      pk.allowCredentials = descriptors(pk.allowCredentials);
      return navigator.credentials.get({publicKey: pk});
    }).then(function (cred) {
      var r = cred.response;
      return post("/webauthn/login/verify", csrf, {
        credentialId: toText(cred.rawId),
        clientDataJSON: toText(r.clientDataJSON),
        authenticatorData: toText(r.authenticatorData),
        signature: toText(r.signature),
        userHandle: toText(r.userHandle)
      });
    }).then(function (res) {
      // a page that sends its visitor to sign in first (the hand-off's
      // approval page) names where to come back: a path of this site
      var next = box.getAttribute("data-next");
      window.location.assign(next && /^\/[a-z]/.test(next) ? next : res.redirect);
    }).catch(function (err) { showError(box, err); });
  }

  function register(form) {
    var csrf = form.getAttribute("data-csrf");
    var name = form.querySelector("input[name=name]").value;
    post("/webauthn/register/options", csrf, {}).then(function (opts) {
      var pk = opts.publicKey;
      pk.challenge = toBytes(pk.challenge);
      pk.user.id = toBytes(pk.user.id);
      pk.excludeCredentials = descriptors(pk.excludeCredentials);
      return navigator.credentials.create({publicKey: pk});
    }).then(function (cred) {
      var r = cred.response;
      return post("/webauthn/register/verify", csrf, {
        name: name,
        clientDataJSON: toText(r.clientDataJSON),
        attestationObject: toText(r.attestationObject),
        transports: r.getTransports ? r.getTransports() : []
      });
    }).then(function (res) {
      window.location.assign(res.redirect);
    }).catch(function (err) { showError(form, err); });
  }

  function start() {
    if (!window.PublicKeyCredential || !navigator.credentials) return;
    ["passkey-login", "passkey-second"].forEach(function (id) {
      var box = document.getElementById(id);
      if (!box) return;
      box.hidden = false;
      box.querySelector("button").addEventListener("click", function () { signIn(box); });
    });
    var form = document.getElementById("passkey-add");
    if (form) {
      form.hidden = false;
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        register(form);
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
