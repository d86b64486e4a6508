// The citizen portal's public pages in headless Chromium (Debian's chromium, driven by
// playwright-core), in each language, with and without JavaScript:
// - every page and state answers with its status and is checked with axe-core against the
//   WCAG 2.1 A/AA rules (0 violations allowed);
// - without JavaScript the search form and the verification form work;
// - a keyboard-only pass: the first Tab reaches the skip link, which moves to the content;
// - 320 CSS px wide at 200% zoom, nothing scrolls sideways;
// - screenshots of the main pages into docs/screenshots/.
//
// EGOV_URL: the running egov (default http://127.0.0.1:8099); SCREENSHOTS=0 skips them.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { axe, fail, finish, launch, ok } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = process.env.EGOV_URL ?? 'http://127.0.0.1:8099';
const shots = process.env.SCREENSHOTS !== '0';
const shotDir = path.join(here, '..', '..', 'docs', 'screenshots');


// Pages and the states that matter: [path, expected status, name for screenshots].
const pages = [
  ['/', 200, 'home'],
  ['/services', 200, 'services'],
  ['/services?q=%EB%93%B1%EB%B3%B8', 200, null], // "등본"
  ['/services?kind=complaint', 200, null],
  ['/services?kind=nonsense', 400, 'services-error'],
  ['/services/business-registration', 200, 'service'],
  ['/services/road-complaint', 200, null],
  ['/services/no-such-service', 404, 'not-found'],
  ['/no-such-page', 404, null],
  ['/documents/verify', 200, 'verify'],
  ['/documents/verify?number=12ab', 400, 'verify-error'],
  ['/documents/verify?number=000000000000', 404, null],
  ['/certificates/verify', 200, 'certificate-verify'],
  ['/certificates/verify?number=1234', 400, null],
  ['/certificates/verify?number=0000-0000-0000-0000', 404, null],
  ['/tenders', 200, 'tenders'],
  ['/tenders?status=tendering&category=works', 200, null],
  ['/tenders/00000000-0000-0000-0000-000000000000', 404, null],
];
const languages = (process.env.LANGS ?? 'ko,en').split(',');

const browser = await launch();


for (const lang of languages) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: 'egov_lang', value: lang, url: base }]);
  const page = await context.newPage();
  for (const [p, status, name] of pages) {
    const label = `${lang} ${p}`;
    const res = await page.goto(base + p);
    if (res.status() !== status) fail(`${label}: status ${res.status()}, expected ${status}`);
    const htmlLang = await page.getAttribute('html', 'lang');
    if (htmlLang !== lang) fail(`${label}: <html lang="${htmlLang}">`);
    const csp = res.headers()['content-security-policy'] ?? '';
    if (!csp.includes("script-src 'self'") || csp.includes('unsafe-inline')) fail(`${label}: CSP ${csp}`);
    await axe(page, label);
    if (shots && name) {
      mkdirSync(shotDir, { recursive: true });
      await page.screenshot({ path: path.join(shotDir, `${name}-${lang}.png`), fullPage: true });
    }
  }
  // Keyboard only: the first Tab reaches the skip link; following it focuses the content.
  await page.goto(base + '/');
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement?.getAttribute('href'));
  if (first !== '#main') fail(`${lang} keyboard: first Tab on ${first}`);
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => document.activeElement?.id);
  if (focused !== 'main') fail(`${lang} keyboard: the skip link focused ${focused}`);
  else ok(`${lang} keyboard: skip link to the content`);
  // 320 CSS px at 200% zoom: no sideways scrolling on the main pages.
  const narrow = await browser.newContext({ bypassCSP: true, viewport: { width: 320, height: 640 }, deviceScaleFactor: 2 });
  await narrow.addCookies([{ name: 'egov_lang', value: lang, url: base }]);
  const np = await narrow.newPage();
  for (const p of ['/', '/services', '/services/business-registration', '/documents/verify?number=12ab', '/certificates/verify', '/tenders']) {
    await np.goto(base + p);
    const wide = await np.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    if (wide) fail(`${lang} ${p}: scrolls sideways at 320 px`);
    else ok(`${lang} ${p}: fits 320 px`);
  }
  if (shots) await np.screenshot({ path: path.join(shotDir, `verify-narrow-${lang}.png`), fullPage: true });
  await narrow.close();
  await context.close();
}

// Without JavaScript: the search and the verification forms work, and the language links.
{
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(base + '/?lang=en');
  await page.fill('#q', 'registration');
  await Promise.all([page.waitForURL(/\/services\?q=registration/), page.click('form[role=search] button')]);
  const count = await page.textContent('[role=status]');
  if (!/match/.test(count ?? '')) fail(`no-js search: ${count}`);
  else ok(`no-js search: ${count.trim()}`);
  await page.goto(base + '/documents/verify');
  await page.fill('#number', '1234');
  await Promise.all([page.waitForURL(/number=1234/), page.click('main form button')]);
  const summary = await page.textContent('.egov-error-summary');
  if (!summary) fail('no-js verify: no error summary');
  else ok('no-js verify: the error summary links to the field');
  const link = await page.getAttribute('.egov-error-summary a', 'href');
  if (link !== '#number') fail(`no-js verify: summary links to ${link}`);
  // The language link switches and is remembered.
  await page.goto(base + '/?lang=ko');
  await page.goto(base + '/services');
  if ((await page.getAttribute('html', 'lang')) !== 'ko') fail('no-js: the language choice is not remembered');
  else ok('no-js: the language choice is remembered');
  await context.close();
}

await browser.close();
finish('all page checks passed');
