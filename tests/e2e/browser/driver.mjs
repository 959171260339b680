// The browser half of tests/e2e/test_browser.py: a Chromium that the test
// started itself (so it owns the PID and the profile folder), reached over
// CDP with playwright-core. The test sends one JSON command per line on
// stdin and reads one JSON reply per line on stdout ({ok: true, ...} or
// {ok: false, error, url, text}); the assertions stay in Python.
//
// env: CDP_URL (http://127.0.0.1:PORT of Chromium's DevTools)
//
// Commands (ctx names a browser context with one page):
//   open {ctx, locale, webauthn}   new context; webauthn: CDP virtual
//                                  authenticator (ctap2, internal, resident
//                                  keys, UV, automatic presence)
//   goto {ctx, url}                -> {url, status, headers}
//   fill {ctx, selector, value}
//   click {ctx, selector, nav}     nav: wait for the page's next navigation
//                                  (form post, 303, location.assign) -> {url}
//   wait {ctx, selector}           until visible
//   waitpath {ctx, path}           until the page's URL has that path -> {url}
//   text {ctx, selector}           -> {text} (innerText, default body)
//   count {ctx, selector}          -> {count}
//   screenshot {ctx, path}
//   credentials {ctx}              -> {credentials} (WebAuthn.getCredentials)
//   clearcookies {ctx}             forget every cookie (the authenticator stays)
//   close {ctx}
//   quit
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const TIMEOUT = 15000;
const browser = await chromium.connectOverCDP(process.env.CDP_URL, { timeout: TIMEOUT });
const ctxs = new Map();

function reply(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function get(name) {
  const c = ctxs.get(name);
  if (!c) throw new Error('no context ' + name);
  return c;
}

async function open(cmd) {
  const context = await browser.newContext({ locale: cmd.locale || 'en-US' });
  // only our daemon: nothing leaves the machine, nothing hangs
  await context.route((url) => !['localhost', '127.0.0.1'].includes(url.hostname),
    (route) => route.abort());
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const c = { context, page, cdp: null, authenticatorId: null };
  if (cmd.webauthn) {
    c.cdp = await context.newCDPSession(page);
    await c.cdp.send('WebAuthn.enable', { enableUI: false });
    const r = await c.cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
        hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
      },
    });
    c.authenticatorId = r.authenticatorId;
  }
  ctxs.set(cmd.ctx, c);
  return {};
}

async function run(cmd) {
  switch (cmd.op) {
    case 'open': return open(cmd);
    case 'goto': {
      const { page } = get(cmd.ctx);
      const resp = await page.goto(cmd.url, { waitUntil: 'load' });
      return { url: page.url(), status: resp ? resp.status() : null,
               headers: resp ? resp.headers() : {} };
    }
    case 'fill':
      await get(cmd.ctx).page.fill(cmd.selector, cmd.value);
      return {};
    case 'click': {
      const { page } = get(cmd.ctx);
      if (!cmd.nav) {
        await page.click(cmd.selector);
        return {};
      }
      // the main frame's next committed navigation (a POST answered by 303
      // and the GET it leads to commit once), then its load
      const nav = page.waitForEvent('framenavigated',
        { predicate: (f) => f === page.mainFrame(), timeout: TIMEOUT });
      await page.click(cmd.selector);
      await nav;
      await page.waitForLoadState('load');
      return { url: page.url() };
    }
    case 'wait':
      await get(cmd.ctx).page.locator(cmd.selector).first().waitFor({ state: 'visible' });
      return {};
    case 'waitpath': {
      const { page } = get(cmd.ctx);
      await page.waitForURL((u) => u.pathname === cmd.path, { waitUntil: 'load' });
      return { url: page.url() };
    }
    case 'text':
      return { text: await get(cmd.ctx).page.locator(cmd.selector || 'body').first().innerText() };
    case 'count':
      return { count: await get(cmd.ctx).page.locator(cmd.selector).count() };
    case 'screenshot':
      await get(cmd.ctx).page.screenshot({ path: cmd.path, fullPage: true });
      return { path: cmd.path };
    case 'credentials': {
      const c = get(cmd.ctx);
      const r = await c.cdp.send('WebAuthn.getCredentials', { authenticatorId: c.authenticatorId });
      // the private key stays here
      return { credentials: r.credentials.map(({ privateKey, ...rest }) => rest) };
    }
    case 'clearcookies':
      await get(cmd.ctx).context.clearCookies();
      return {};
    case 'close': {
      const c = get(cmd.ctx);
      ctxs.delete(cmd.ctx);
      await c.context.close();
      return {};
    }
    default: throw new Error('unknown op ' + cmd.op);
  }
}

async function diagnose(cmd) {
  // what the page showed when a command failed: its URL and text
  const c = cmd && ctxs.get(cmd.ctx);
  if (!c) return {};
  try {
    return { url: c.page.url(), text: (await c.page.locator('body').innerText({ timeout: 2000 })).slice(0, 2000) };
  } catch {
    return { url: c.page.url() };
  }
}

const rl = readline.createInterface({ input: process.stdin });
reply({ ok: true, ready: true, version: browser.version() });
for await (const line of rl) {
  let cmd = null;
  try {
    cmd = JSON.parse(line);
    if (cmd.op === 'quit') break;
    reply({ ok: true, ...(await run(cmd)) });
  } catch (e) {
    reply({ ok: false, error: String((e && e.message) || e), ...(await diagnose(cmd)) });
  }
}
for (const c of ctxs.values()) await c.context.close().catch(() => {});
await browser.close().catch(() => {});
reply({ ok: true, bye: true });
process.exit(0);
