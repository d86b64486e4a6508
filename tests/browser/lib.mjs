// What the browser checks share: Debian's Chromium launched headless without reaching the
// internet, axe-core against WCAG 2.1 A/AA, and the pass/fail log.
import { chromium } from 'playwright-core';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const axeSource = readFileSync(path.join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export const failures = [];
export const fail = (what) => { failures.push(what); console.log(`FAIL ${what}`); };
export const ok = (what) => console.log(`ok   ${what}`);

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    // playwright gives the browser a fresh, empty profile of its own.
  });
}

// axe-core on the page as it is now: 0 violations of the WCAG 2.1 A/AA rules. The pages' CSP
// allows no inline script: the checker is injected with CSP bypassed (in the test's browser
// context only).
export async function axe(page, label) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  if (result.length) fail(`${label}: axe: ${result.join('; ')}`);
  else ok(`${label}: axe 0 violations`);
}

// Ends the run: exit 1 when anything failed.
export function finish(done) {
  if (failures.length) {
    console.log(`\n${failures.length} failure(s)`);
    process.exit(1);
  }
  console.log(`\n${done}`);
}

// ---- the API, as the journeys' set-up uses it

export const base = process.env.EGOV_URL ?? 'http://127.0.0.1:8099';
export const PASSWORD = 'correct horse battery staple 9';
export const expect = (cond, what) => (cond ? ok(what) : fail(what));

export async function api(method, p, body, token, extra = {}) {
  const headers = { 'content-type': 'application/json', ...extra };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// A valid Korean resident registration number for a person born 1990-01-01 (check digit).
export function nationalId(seq) {
  const d = `900101${1}${String(seq).padStart(5, '0')}`.slice(0, 12);
  const w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
  const sum = [...d].reduce((s, c, i) => s + Number(c) * w[i], 0);
  return `${d.slice(0, 6)}-${d.slice(6)}${(11 - (sum % 11)) % 10}`;
}

// A valid Korean business registration number ending in `seq` (check digit by the NTS rule).
export function businessId(seq) {
  const d = `2208${String(seq).padStart(5, '0')}`.slice(0, 9).split('').map(Number);
  const w = [1, 3, 7, 1, 3, 7, 1, 3, 5];
  const sum = d.reduce((s, x, i) => s + x * w[i], 0) + Math.floor((d[8] * 5) / 10);
  const all = `${d.join('')}${(10 - (sum % 10)) % 10}`;
  return `${all.slice(0, 3)}-${all.slice(3, 5)}-${all.slice(5)}`;
}

// The TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of a base32 secret, `offset` steps from now,
// as an authenticator app shows it. Waits out the last two seconds of a step.
export async function totp(secret, offset = 0) {
  while (Math.floor(Date.now() / 1000) % 30 >= 28) await new Promise((r) => setTimeout(r, 200));
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + offset));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(at) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, '0');
}

// Signs in over the API and enrols a second factor, confirmed with the code of the step
// before (so the current step's code is still unused, for the browser's sign-in); with
// `stepUp`, steps up with the current code. The access token (at aal2 when stepped up) and the
// secret.
export async function aal2(username, password, stepUp = true) {
  const login = await api('POST', '/auth/login', { username, password });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
  const token = login.body.tokens.access_token;
  const start = await api('POST', '/auth/me/mfa/totp', null, token);
  if (start.status !== 200) throw new Error(`enrol ${username}: ${start.status} ${JSON.stringify(start.body)}`);
  const { secret } = start.body;
  const confirm = await api('POST', '/auth/me/mfa/totp/confirm', { code: await totp(secret, -1) }, token);
  if (confirm.status !== 200) throw new Error(`confirm ${username}: ${confirm.status} ${JSON.stringify(confirm.body)}`);
  if (!stepUp) return { token, secret };
  const up = await api('POST', '/auth/step-up', { code: await totp(secret, 0) }, token);
  if (up.status !== 200) throw new Error(`step-up ${username}: ${up.status} ${JSON.stringify(up.body)}`);
  return { token: up.body.access_token ?? up.body.tokens?.access_token, secret };
}

const run = Math.floor(Math.random() * 90000) + 1000;

// The answer's body when its status is one of `status`; else the journey stops, saying why.
export function must(r, what, status = [200, 201]) {
  if (!status.includes(r.status)) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// An officer of agency NTS with `roles`, set up as a deployment does it: the platform admin
// (EGOV_ADMIN_USER / EGOV_ADMIN_PASSWORD, made by `egov admin create`; its second factor is
// enrolled here, so one admin serves one script) creates the agency and invites the officer,
// who accepts, enrols a second factor and steps up. The officer's access token (aal2).
let admin = null;

// The platform admin at aal2 (its second factor enrolled once per script).
export async function adminToken() {
  admin ??= await aal2(process.env.EGOV_ADMIN_USER ?? 'pages.admin', process.env.EGOV_ADMIN_PASSWORD ?? '');
  return admin.token;
}

export async function officer(roles) {
  const { username } = await invitedOfficer(roles);
  return (await aal2(username, PASSWORD)).token;
}

// An officer of NTS with `roles` who accepted the invitation and enrolled a second factor
// (confirmed with the previous step's code): the username and the TOTP secret, for signing in
// on the pages.
export async function officerAccount(roles, tag = 'desk', name = 'Officer Park') {
  const { username } = await invitedOfficer(roles, tag, name);
  const { secret } = await aal2(username, PASSWORD, false);
  return { username, secret };
}

async function invitedOfficer(roles, tag = '', name = tag ? 'Officer Park' : 'Officer Han') {
  const admin = { token: await adminToken() };
  must(await api('POST', '/auth/agencies', { id: 'NTS', name: 'National Tax Service' }, admin.token),
    'agency', [201, 409]);
  const username = `officer.${roles[0]}.${tag}${run}`;
  const invited = must(await api('POST', '/auth/agencies/NTS/accounts', {
    kind: 'officer', username, display_name: name, roles,
  }, admin.token), 'invite the officer');
  must(await api('POST', '/auth/invitations/accept', { token: invited.invitation_token, password: PASSWORD }), 'accept');
  return { username };
}

// An official `who` ({ username, secret, password? }) signs in on `path` with a password and their
// authenticator's code, in a browser context of their own (waiting for a fresh TOTP step when
// the last one was used).
export async function deskSignIn(browser, who, lang, js, path = '/desk/documents') {
  const context = await browser.newContext({ bypassCSP: js, javaScriptEnabled: js, viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: 'egov_lang', value: lang, url: base }]);
  const page = await context.newPage();
  await page.goto(`${base}${path}`);
  await page.fill('#username', who.username);
  await page.fill('#password', who.password ?? PASSWORD);
  await Promise.all([page.waitForSelector('#code'), page.click('form button[type=submit]')]);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    while (Math.floor(Date.now() / 30000) <= (who.lastStep ?? 0)) await new Promise((r) => setTimeout(r, 500));
    who.lastStep = Math.floor(Date.now() / 30000);
    await page.fill('#code', await totp(who.secret, 0));
    await page.click('form button[type=submit]');
    const there = await page.waitForURL((u) => u.pathname === path.split('?')[0], { timeout: 15000 }).then(() => true, () => false);
    if (there) return { context, page };
    if (attempt === 1 || (await page.$('#code')) === null) {
      throw new Error(`the sign-in stopped at ${page.url()}: ${(await page.textContent('body'))?.replace(/\s+/g, ' ').slice(0, 400)}`);
    }
    console.log('     the sign-in code was refused; the next step\'s code');
  }
  return { context, page };
}

// ---- what every page of a journey is checked for

const shots = process.env.SCREENSHOTS !== '0';
const shotDir = path.join(here, '..', '..', 'docs', 'screenshots');

// Reflow (WCAG 1.4.10): at 320 CSS px wide (what 1280 px at 400% zoom shows) the page must not
// scroll sideways; wide tables scroll inside their own box.
export async function fits320(page, label, name) {
  await page.setViewportSize({ width: 320, height: 640 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  expect(!wide, `${label}: fits 320 px without sideways scrolling`);
  if (wide) {
    // What sticks out, to fix it.
    const out = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'))
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px ${e.scrollWidth}/${e.clientWidth} ${getComputedStyle(e).whiteSpace} ${getComputedStyle(e).display} "${e.textContent.slice(0, 60)}"`));
    console.log(`     sticks out: ${out.join(', ')}`);
  }
  if (name) await shot(page, name);
  await page.setViewportSize({ width: 1280, height: 900 });
}

export async function shot(page, name) {
  if (!shots) return;
  mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage: true });
}

// A form sent to the page it came from (a refusal shown again, a search's results): waits for
// the POST's answer and then for the page it shows. (Waiting for 'load' alone returns at once
// when the old page is still loaded, and the check would read the old page.)
export async function resend(page, selector) {
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(selector)]);
  await page.waitForLoadState('load');
}
