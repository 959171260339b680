// The relying party of tests/e2e/test_oidc.py: openid-client (a certified
// RP library) in its default, strict configuration against sesame-authd's
// TLS listener (the throwaway CA in NODE_EXTRA_CA_CERTS). One JSON line per
// step on stdout; the browser steps are the test's (driver.mjs).
//
// env: ISSUER, CLIENT_ID, CLIENT_SECRET, CB_PORT (its callback and
// back-channel logout server on 127.0.0.1)
//
// 1. discovery -> {authUrl}            (code + PKCE S256 + state + nonce)
// 2. the browser lands on /cb          -> token, ID token validation,
//    userinfo, refresh (rotation), reuse refused, revocation -> {tokens}
// 3. -> {logoutUrl}; the browser confirms; /cb?state= and a logout token
//    on /backchannel, verified with jose -> {logout}
import http from 'node:http';
import * as client from 'openid-client';
import * as jose from 'jose';

const { ISSUER, CLIENT_ID, CLIENT_SECRET, CB_PORT } = process.env;
const redirect_uri = `http://127.0.0.1:${CB_PORT}/cb`;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const waiters = { cb: [], backchannel: [] };
const arrived = { cb: [], backchannel: [] };

function deliver(kind, v) {
  const w = waiters[kind].shift();
  if (w) w(v); else arrived[kind].push(v);
}
function next(kind, ms = 60000) {
  if (arrived[kind].length) return Promise.resolve(arrived[kind].shift());
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`nothing on /${kind} within ${ms} ms`)), ms);
    waiters[kind].push((v) => { clearTimeout(t); resolve(v); });
  });
}

const t0 = Date.now();
const log = (m) => process.stderr.write(`rp +${Date.now() - t0} ms: ${m}\n`);
const server = http.createServer((req, res) => {
  const url = new URL(req.url, redirect_uri);
  log(`${req.method} ${url.pathname}`);
  if (req.method === 'GET' && url.pathname === '/cb') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('callback OK');
    deliver('cb', url);
    return;
  }
  if (req.method === 'POST' && url.pathname === '/backchannel') {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      res.writeHead(200, { 'cache-control': 'no-store' });
      res.end();
      deliver('backchannel', { type: req.headers['content-type'], body });
    });
    return;
  }
  res.writeHead(404);
  res.end();
});
await new Promise((r) => server.listen(Number(CB_PORT), '127.0.0.1', r));

function assert(cond, what) {
  if (!cond) throw new Error('assertion failed: ' + what);
}

try {
  // strict: https only, the issuer of the document must be ours exactly
  const config = await client.discovery(new URL(ISSUER), CLIENT_ID, undefined,
    client.ClientSecretBasic(CLIENT_SECRET));
  const meta = config.serverMetadata();
  assert(meta.issuer === ISSUER, 'issuer');
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authUrl = client.buildAuthorizationUrl(config, {
    redirect_uri, scope: 'openid profile', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  out({ authUrl: authUrl.href });

  const cbUrl = await next('cb');
  const tokens = await client.authorizationCodeGrant(config, cbUrl, {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
  }); // the iss parameter, the ID token's signature (jwks_uri), iss, aud, exp, nonce, at_hash
  const claims = tokens.claims();
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert(refreshed.refresh_token !== tokens.refresh_token, 'refresh token rotated');
  assert(refreshed.claims().sub === claims.sub, 'refreshed ID token of the same user');
  await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
  // revocation: the refresh token and its access token stop working
  await client.tokenRevocation(config, refreshed.refresh_token);
  let refused = '';
  try {
    await client.refreshTokenGrant(config, refreshed.refresh_token);
  } catch (e) {
    refused = e.error || e.code || String(e);
  }
  let userinfoAfter = '';
  try {
    await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
  } catch (e) {
    userinfoAfter = e.status || e.code || String(e);
  }
  out({ tokens: { claims, userinfo, refused, userinfoAfter, tokenType: tokens.token_type } });

  // RP-initiated logout, then the back-channel logout token
  const logoutUrl = client.buildEndSessionUrl(config, {
    post_logout_redirect_uri: redirect_uri, state: 'after-logout',
    id_token_hint: refreshed.id_token,
  });
  out({ logoutUrl: logoutUrl.href });
  const back = await next('backchannel');
  const logoutToken = new URLSearchParams(back.body).get('logout_token');
  const jwks = jose.createRemoteJWKSet(new URL(meta.jwks_uri));
  const { payload, protectedHeader } = await jose.jwtVerify(logoutToken, jwks, {
    issuer: ISSUER, audience: CLIENT_ID, typ: 'logout+jwt', maxTokenAge: '2 minutes',
  });
  const bye = await next('cb');
  out({
    logout: {
      type: back.type, header: protectedHeader, payload, sameSid: payload.sid === claims.sid,
      returnedState: bye.searchParams.get('state'),
    },
  });
} catch (e) {
  out({ error: String((e && e.stack) || e), cause: e && e.cause ? String(e.cause) : undefined,
        body: e && e.error_description });
  process.exitCode = 1;
} finally {
  server.closeAllConnections?.();
  server.close();
}
