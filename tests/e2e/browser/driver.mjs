// The browser half of tests/e2e/test_browser.py: a Chromium that the test
// started itself (so it owns the PID and the profile folder), reached over
// CDP with playwright-core. The test sends one JSON command per line on
// stdin and reads one JSON reply per line on stdout ({ok: true, ...} or
// {ok: false, error, url, text}); the assertions stay in Python.
//
// env: CDP_URL (http://127.0.0.1:PORT of Chromium's DevTools)
//
// Commands (ctx names a browser context with one page):
//   open {ctx, locale, webauthn, width, height, mobile, scheme}
//                                  new context; webauthn: CDP virtual
//                                  authenticator (ctap2, internal, resident
//                                  keys, UV, automatic presence); width x
//                                  height viewport; mobile: a phone (touch,
//                                  meta viewport); scheme: light or dark
//   goto {ctx, url}                -> {url, status, headers}
//   fill {ctx, selector, value}
//   click {ctx, selector, nav}     nav: wait for the page's next navigation
//                                  (form post, 303, location.assign) -> {url}
//   wait {ctx, selector}           until visible
//   waitpath {ctx, path}           until the page's URL has that path -> {url}
//   text {ctx, selector}           -> {text} (innerText, default body)
//   count {ctx, selector}          -> {count}
//   tap {ctx, selector, nav}       as click, by a touch
//   screenshot {ctx, path, full}   full: the whole page, else the viewport
//   scheme {ctx, scheme}           prefers-color-scheme: light or dark
//   viewport {ctx, width, height}
//   axe {ctx}                      -> {violations: [{id, impact, help, nodes}]}
//                                  axe-core's WCAG 2.0/2.1 A and AA rules and
//                                  its best practices, on the page as it is
//   layout {ctx}                   -> {scrollWidth, clientWidth, small: [...]}
//                                  small: visible controls under 44x44 px;
//                                  wide: elements past the right edge
//   press {ctx, key, nav}, type {ctx, text}   the keyboard (nav: as click)
//   tabto {ctx, selector, max}     Tab until the focus is on selector ->
//                                  {tabs, outline} (the focus ring's style)
//   credentials {ctx}              -> {credentials} (WebAuthn.getCredentials)
//   clearcookies {ctx}             forget every cookie (the authenticator stays)
//   close {ctx}
//   quit
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

// axe-core's source, evaluated in the page over CDP: a <script> tag would be
// refused by the pages' Content-Security-Policy (script-src 'self')
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

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
  const options = { locale: cmd.locale || 'en-US', colorScheme: cmd.scheme || 'light' };
  if (cmd.width) options.viewport = { width: cmd.width, height: cmd.height };
  if (cmd.mobile) Object.assign(options, { isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  const context = await browser.newContext(options);
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
    case 'tap': {
      const { page } = get(cmd.ctx);
      if (!cmd.nav) {
        await page.tap(cmd.selector);
        return {};
      }
      const nav = page.waitForEvent('framenavigated',
        { predicate: (f) => f === page.mainFrame(), timeout: TIMEOUT });
      await page.tap(cmd.selector);
      await nav;
      await page.waitForLoadState('load');
      return { url: page.url() };
    }
    case 'scheme':
      await get(cmd.ctx).page.emulateMedia({ colorScheme: cmd.scheme });
      return {};
    case 'viewport':
      await get(cmd.ctx).page.setViewportSize({ width: cmd.width, height: cmd.height });
      return {};
    case 'axe': {
      const { page } = get(cmd.ctx);
      if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
      const r = await page.evaluate((tags) => window.axe.run(document,
        { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), AXE_TAGS);
      return {
        violations: r.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary).slice(0, 5),
        })),
      };
    }
    case 'layout':
      return await get(cmd.ctx).page.evaluate(() => {
        const small = [];
        for (const el of document.querySelectorAll('a, button, input:not([type=hidden]), summary, select, textarea')) {
          const r = el.getBoundingClientRect();
          if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
          if (r.width < 44 || r.height < 44)
            small.push(el.outerHTML.slice(0, 80) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
        }
        const root = document.documentElement;
        // what sticks out, for the message when something does
        const wide = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5)
          .slice(-3).map((el) => el.outerHTML.slice(0, 100));
        return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, small, wide };
      });
    case 'press': {
      const { page } = get(cmd.ctx);
      if (!cmd.nav) {
        await page.keyboard.press(cmd.key);
        return {};
      }
      const nav = page.waitForEvent('framenavigated',
        { predicate: (f) => f === page.mainFrame(), timeout: TIMEOUT });
      await page.keyboard.press(cmd.key);
      await nav;
      await page.waitForLoadState('load');
      return { url: page.url() };
    }
    case 'type':
      await get(cmd.ctx).page.keyboard.type(cmd.text);
      return {};
    case 'tabto': {
      const { page } = get(cmd.ctx);
      for (let tabs = 1; tabs <= (cmd.max || 40); tabs++) {
        await page.keyboard.press('Tab');
        const hit = await page.evaluate((sel) => {
          const el = document.activeElement;
          if (!el || !el.matches(sel)) return null;
          const s = getComputedStyle(el);
          return { style: s.outlineStyle, width: s.outlineWidth, visible: el.matches(':focus-visible') };
        }, cmd.selector);
        if (hit) return { tabs, outline: hit };
      }
      throw new Error('Tab never reached ' + cmd.selector);
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
      await get(cmd.ctx).page.screenshot({ path: cmd.path, fullPage: cmd.full !== false });
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
