// The admin console and the auditors' console in headless Chromium, in each language asked
// for, then once without JavaScript. The journey "an admin invites an officer who signs in with
// TOTP": the platform admin (EGOV_ADMIN_USER / EGOV_ADMIN_PASSWORD, made by `egov admin
// create`; its authenticator enrolled over the API) signs in with a password and a code, opens
// the tax agency's officials, invites an officer (an empty form first: the error summary) with
// the tax office's role, and reads the invitation link; the officer opens it in a browser of
// their own, chooses a password (a mismatch first), signs in, sets up an authenticator app on
// "Second factor and sessions", and opens the tax office, which asks for the code. The admin
// then changes the officer's roles and disables and enables the account, and opens agencies,
// clients and keys and the exchange's console (a refused grant); an auditor verifies
// the access log's chain and finds the records about the officer. axe-core on every page
// (0 WCAG 2.1 A/AA violations), each at 320 CSS px, screenshots into docs/screenshots/.
//
// EGOV_URL: the running egov (default http://127.0.0.1:8099); SCREENSHOTS=0 skips them.

import {
  PASSWORD, aal2, api, axe, base, deskSignIn, expect, fail, finish, fits320, launch, must, resend, shot, totp,
} from './lib.mjs';

const languages = (process.env.LANGS ?? 'ko,en').split(',');
const run = Math.floor(Math.random() * 90000) + 1000;

async function check(page, tag, lang, name, label, js) {
  if (!js) return;
  await axe(page, `${tag} ${label}`);
  await shot(page, `${name}-${lang}`);
  await fits320(page, `${tag} ${label}`);
}

const submit = (page, form = 'main form') => page.click(`${form} button[type=submit]`);

// The platform admin (its second factor over the API) and an auditor it invites.
async function setUp() {
  const username = process.env.EGOV_ADMIN_USER ?? 'pages.admin';
  const password = process.env.EGOV_ADMIN_PASSWORD ?? '';
  const admin = await aal2(username, password);
  must(await api('POST', '/auth/agencies', { id: 'NTS', name: 'National Tax Service' }, admin.token), 'agency', [201, 409]);
  const auditor = `auditor.${run}`;
  const invited = must(await api('POST', '/auth/accounts', { kind: 'auditor', username: auditor, display_name: 'Auditor Seo' }, admin.token), 'invite the auditor', [201]);
  must(await api('POST', '/auth/invitations/accept', { token: invited.invitation_token, password: PASSWORD }), 'the auditor accepts');
  const { secret } = await aal2(auditor, PASSWORD, false);
  return { admin: { username, password, secret: admin.secret }, auditor: { username: auditor, secret } };
}

async function journey(browser, s, lang, js) {
  const tag = `admin ${lang}${js ? '' : ' no-JS'}`;
  const officer = `officer.invited.${lang}${js ? '' : 'n'}.${run}`;
  const a = await deskSignIn(browser, s.admin, lang, js, '/admin/officials?agency=NTS');
  expect((await a.page.getAttribute('html', 'lang')) === lang, `${tag}: the console speaks ${lang}`);
  await check(a.page, tag, lang, 'admin-officials', 'officials', js);
  await Promise.all([a.page.waitForURL(/\/admin\/officials\/new/), a.page.click('main a[href^="/admin/officials/new"]')]);
  await check(a.page, tag, lang, 'admin-invite', 'invite form', js);
  await resend(a.page, 'main form button[type=submit]');
  const hrefs = await a.page.$$eval('.egov-error-summary a', (as) => as.map((x) => x.getAttribute('href')));
  expect(hrefs.length > 0 && hrefs.every((h) => h.startsWith('#invite-')), `${tag}: an empty invitation shows the error summary`);
  await check(a.page, tag, lang, 'admin-invite-errors', 'invitation with errors', js);
  await a.page.fill('#invite-username', officer);
  await a.page.fill('#invite-display_name', lang === 'ko' ? '김세무' : 'Officer Kim');
  await a.page.fill('#invite-email', `${officer}@nts.example`);
  await a.page.click('main input[name=roles][value="tax.officer"] + label');
  await Promise.all([a.page.waitForSelector('#invitation-link'), submit(a.page)]);
  const link = (await a.page.textContent('#invitation-link')).trim();
  expect(link.includes('/invitation?token='), `${tag}: the invitation link is shown`);
  await check(a.page, tag, lang, 'admin-invited', 'invitation link', js);

  // The officer, in a browser of their own: the password, then the authenticator app.
  const context = await browser.newContext({ bypassCSP: js, javaScriptEnabled: js, viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: 'egov_lang', value: lang, url: base }]);
  const o = await context.newPage();
  await o.goto(`${base}${link.slice(link.indexOf('/invitation'))}`);
  await check(o, tag, lang, 'invitation', 'choose a password', js);
  await o.fill('#password', PASSWORD);
  await o.fill('#confirm', 'another passphrase entirely');
  await resend(o, 'main form button[type=submit]');
  expect((await o.$$eval('.egov-error-summary a', (as) => as.map((x) => x.getAttribute('href')))).includes('#confirm'),
    `${tag}: two different passwords show the error summary`);
  await o.fill('#password', PASSWORD);
  await o.fill('#confirm', PASSWORD);
  await Promise.all([o.waitForSelector('.egov-panel[role=status]'), submit(o)]);
  await check(o, tag, lang, 'invitation-done', 'password set', js);
  await Promise.all([o.waitForSelector('#username'), o.click('main a[href^="/signin"]')]);
  await o.fill('#username', officer);
  await o.fill('#password', PASSWORD);
  await Promise.all([o.waitForURL(/\/my\/security$/), o.click('form button[type=submit]')]);
  await Promise.all([o.waitForSelector('#secret'), o.click('main form[action="/my/security/totp"] button')]);
  const secret = (await o.textContent('#secret')).replace(/\s+/g, '');
  await o.fill('#code', await totp(secret, -1));
  await Promise.all([o.waitForSelector('.egov-recovery'), o.click('main form button[type=submit]')]);
  expect((await o.$$('.egov-recovery li')).length === 10, `${tag}: the officer's recovery codes are shown once`);
  // The tax office asks for the code (step-up), then opens.
  await Promise.all([o.waitForSelector('#code'), o.goto(`${base}/desk/tax`)]);
  await o.fill('#code', await totp(secret, 0));
  await Promise.all([o.waitForURL(/\/desk\/tax$/), o.click('form button[type=submit]')]);
  expect((await o.$('main h1')) !== null && (await o.$$('main a[href="/desk/tax/taxpayers"]')).length > 0,
    `${tag}: the invited officer signed in with TOTP and opened the tax office`);
  await context.close();

  // The admin: the officer's page, roles, disable and enable.
  await a.page.goto(`${base}/admin/officials?agency=NTS`);
  await Promise.all([a.page.waitForURL(/\/admin\/officials\/[^/?]+$/), a.page.locator('main tr', { hasText: officer }).locator('a').click()]);
  await check(a.page, tag, lang, 'admin-official', 'an official', js);
  await a.page.click('main input[name=roles][value="docflow.records"] + label');
  await Promise.all([a.page.waitForURL(/done=roles$/), submit(a.page, '#act-roles form')]);
  await Promise.all([a.page.waitForURL(/done=disabled$/), submit(a.page, '#act-disable')]);
  const login = await api('POST', '/auth/login', { username: officer, password: PASSWORD });
  expect(login.status >= 400 && login.status < 500, `${tag}: the disabled officer cannot sign in (${login.status})`);
  await Promise.all([a.page.waitForURL(/done=enabled$/), submit(a.page, '#act-enable')]);
  await check(a.page, tag, lang, 'admin-official-enabled', 'an official enabled again', js);
  const id = a.page.url().split('/admin/officials/')[1].split('?')[0];
  // Agencies, clients and keys; the exchange's members, grants and dead letters.
  await a.page.goto(`${base}/admin/platform`);
  expect((await a.page.$$('#keys ~ ul li')).length >= 1, `${tag}: the signing keys are listed`);
  await check(a.page, tag, lang, 'admin-platform', 'agencies, clients and keys', js);
  await a.page.goto(`${base}/admin/settings`);
  expect((await a.page.$$('main table')).length > 3 && !(await a.page.textContent('main')).includes('passphrase'),
    `${tag}: the settings in force are shown, secrets hidden`);
  await check(a.page, tag, lang, 'admin-settings', 'settings in force', js);
  await a.page.goto(`${base}/admin/exchange`);
  await a.page.fill('#grant-client', 'not a client');
  await resend(a.page, '#grant-form button[type=submit]');
  expect((await a.page.$$eval('.egov-error-summary a', (as) => as.map((x) => x.getAttribute('href')))).includes('#grant-client'),
    `${tag}: a grant to a client that is not a subsystem shows the error summary`);
  await check(a.page, tag, lang, 'admin-exchange', 'the exchange console', js);
  await a.context.close();

  // The auditor: the chain, the records about the officer.
  const u = await deskSignIn(browser, s.auditor, lang, js, '/audit/access-log');
  expect((await u.page.$('main .egov-done')) !== null, `${tag}: the access log's chain is intact`);
  await u.page.selectOption('#search-kind', 'account_id');
  await u.page.fill('#search-id', id);
  await u.page.fill('#search-purpose', `complaint ${run}`);
  await resend(u.page, 'main form button[type=submit]');
  expect((await u.page.$$('main table tbody tr')).length >= 5, `${tag}: the records about the officer are listed`);
  await check(u.page, tag, lang, 'audit', 'access log audit', js);
  await u.context.close();
}

const browser = await launch();
try {
  const s = await setUp();
  for (const lang of languages) await journey(browser, s, lang, true);
  await journey(browser, s, languages[0], false);
} catch (e) {
  fail(`admin journey stopped: ${e.stack ?? e}`);
}
await browser.close();
finish('the admin journey passed');
