// The tax journey in headless Chromium, in each language asked for, then once without
// JavaScript: a citizen whose employer has filed withholding statements signs in, opens My
// tax, sets up an authenticator app on "Second factor and sessions" (the QR code drawn by the
// server, the key typed into this script's TOTP, the recovery codes), sees the pre-filled
// return with every amount's sources, reads "why this number", gets an error summary for an
// amount that is not a number, adds a child, files the return (the page steps up to the second
// factor, then the declaration), gets the signed acknowledgement, issues an income
// certificate, downloads its PDF and checks it on the public page; then applies for housing
// benefit, whose income certificate the portal fetches from the tax office through the
// exchange once the citizen ticks the consent, sends it, and finds the consent in words on "My
// consents" (the platform admin granted the petition module that service). axe-core on every page
// (0 WCAG 2.1 A/AA violations), each at 320 CSS px, screenshots into docs/screenshots/.
//
// Set-up through the API, as the deployment's people would do it: the platform admin
// (EGOV_ADMIN_USER / EGOV_ADMIN_PASSWORD, made by `egov admin create`) creates the tax agency
// and invites a tax officer; the officer registers the employer as a withholding agent; the
// employer files a statement for each citizen. The server must accept returns before the year
// ends (EGOV__TAX__ALLOW_EARLY_FILING=true) while the pack's only rules are for this year.
//
// EGOV_URL: the running egov (default http://127.0.0.1:8099); SCREENSHOTS=0 skips them.

import {
  PASSWORD, adminToken, api, axe, base, expect, fail, finish, fits320, launch, must, nationalId, officer, shot, totp,
} from './lib.mjs';

const languages = (process.env.LANGS ?? 'ko,en').split(',');
const YEAR = 2026;
const EMPLOYER = '124-81-00998';
const run = Math.floor(Math.random() * 90000) + 1000;

// The officer registers the employer as a withholding agent; the employer registers.
async function setUp() {
  const o = await officer(['tax.officer']);
  must(await api('POST', '/tax/v1/officer/withholding-agents', { business_id: EMPLOYER }, o), 'withholding agent');
  const employer = `employer.${run}`;
  must(await api('POST', '/auth/register', {
    kind: 'business', username: employer, display_name: 'Hangang Books Co.', password: PASSWORD, business_id: EMPLOYER,
  }), 'register the employer', [202]);
  const login = must(await api('POST', '/auth/login', { username: employer, password: PASSWORD }), 'employer login');
  // The platform admin lets the petition module ask the tax office for income certificates
  // (housing benefit), as a deployment does once.
  const member = process.env.EGOV_MEMBER ?? 'KR/GOV/EGOV';
  must(await api('POST', '/exchange/v1/admin/grants', {
    client: `${member}/petition`, service: `${member}/tax/income-certificate`,
    purpose: 'petition.housing-benefit', items: ['year', 'total_income', 'determined_tax', 'filed_at'],
  }, await adminToken()), 'grant', [201, 409]);
  return login.tokens.access_token;
}

// A citizen with a statement from the employer: the username.
async function citizen(employerToken, tag, seq) {
  const username = `taxpayer.${tag}.${run}`;
  must(await api('POST', '/auth/register', {
    kind: 'citizen', username, display_name: `Taxpayer ${tag.toUpperCase()}`, password: PASSWORD,
    national_id: nationalId(seq),
  }), `register ${username}`, [202]);
  // Two statements: the second (1,000,000 of wages) is one the citizen disputes at the end.
  const report = must(await api('POST', `/tax/v1/statements?year=${YEAR}`, [{
    statement_id: `S-${tag}-${run}`, national_id: nationalId(seq), wages: '35000000',
    withheld_income_tax: '700000', withheld_local_tax: '70000', pension_contributions: '1350000',
  }, {
    statement_id: `X-${tag}-${run}`, national_id: nationalId(seq), wages: '1000000',
  }], employerToken), 'statements');
  if (report.accepted !== 2) throw new Error(`statements not accepted: ${JSON.stringify(report)}`);
  return username;
}

async function check(page, tag, lang, name, label, js) {
  if (!js) return;
  await axe(page, `${tag} ${label}`);
  await shot(page, `${name}-${lang}`);
  await fits320(page, `${tag} ${label}`);
}

async function journey(employerToken, lang, js, seq) {
  const tag = `${lang}${js ? '' : '-nojs'}`;
  const username = await citizen(employerToken, tag.replace('-', ''), seq);
  const context = await browser.newContext({ bypassCSP: js, javaScriptEnabled: js, viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: 'egov_lang', value: lang, url: base }]);
  const page = await context.newPage();
  // Sign in with the password, straight to My tax.
  await page.goto(`${base}/my/tax`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/my\/tax$/), page.click('form button[type=submit]')]);
  expect((await page.getAttribute('html', 'lang')) === lang, `${tag}: My tax speaks ${lang}`);
  await check(page, tag, lang, 'tax-my', 'My tax', js);
  // Set up the authenticator app from My page: the QR code and the key, the code, the
  // recovery codes.
  await page.goto(`${base}/my`);
  await Promise.all([page.waitForURL(/\/my\/security$/), page.click('main a[href="/my/security"]')]);
  await check(page, tag, lang, 'security', 'second factor and sessions', js);
  await Promise.all([page.waitForSelector('#secret'), page.click('main form[action="/my/security/totp"] button')]);
  await check(page, tag, lang, 'security-enrol', 'authenticator set-up', js);
  const secret = (await page.textContent('#secret')).replace(/\s+/g, '');
  await page.fill('#code', await totp(secret, -1));
  await Promise.all([page.waitForSelector('.egov-recovery'), page.click('main form button[type=submit]')]);
  expect((await page.$$('.egov-recovery li')).length === 10, `${tag}: ten recovery codes shown once`);
  await check(page, tag, lang, 'security-recovery', 'recovery codes', js);
  await page.goto(`${base}/my/tax`);
  await Promise.all([page.waitForURL(/\/returns\/2026$/), page.click(`main a[href="/my/tax/returns/${YEAR}"]`)]);
  const body = await page.textContent('main');
  expect(body.includes(`S-${tag.replace('-', '')}-${run}`) && /36,000,000/.test(body), `${tag}: the return is pre-filled with its source`);
  await check(page, tag, lang, 'tax-return', 'pre-filled return', js);
  // Why this number.
  await Promise.all([page.waitForURL(/\/why\?value=taxable_income$/), page.click('main a[href$="why?value=taxable_income"]')]);
  expect((await page.$$('ol.egov-steps > li')).length > 5, `${tag}: why this number lists the steps`);
  await check(page, tag, lang, 'tax-why', 'why this number', js);
  // The entries: an amount that is not a number, then a child.
  await page.goto(`${base}/my/tax/returns/${YEAR}/edit`);
  await page.fill('#f-special_credits', 'lots');
  await page.selectOption('#f-dependants-0-relation', 'child');
  await page.fill('#f-dependants-0-age', '7');
  await page.fill('#f-dependants-0-income', 'much');
  await Promise.all([page.waitForLoadState('load'), page.click('button[value=save]')]);
  const summary = await page.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')));
  expect(summary.includes('#f-special_credits'), `${tag}: the error summary links to the amount`);
  expect(summary.includes('#f-dependants-0-income'), `${tag}: the error summary links to the child's own income`);
  expect(await page.inputValue('#f-dependants-0-income') === 'much', `${tag}: the child's income is kept as typed`);
  await check(page, tag, lang, 'tax-edit-errors', 'entries with errors', js);
  await page.fill('#f-special_credits', '150,000');
  await page.fill('#f-dependants-0-income', '500,000');
  await Promise.all([page.waitForURL(/\/returns\/2026$/), page.click('button[value=save]')]);
  // File: the page asks for the second factor first (step-up), then the declaration, then
  // the acknowledgement. The browser's sign-in stands for the password: the provider asks
  // only for the code.
  await Promise.all([page.waitForSelector('#code'), page.click(`main a[href="/my/tax/returns/${YEAR}/submit"]`)]);
  expect((await page.$('#password')) === null, `${tag}: the step-up asks only for the code`);
  await page.fill('#code', await totp(secret, 0));
  await Promise.all([page.waitForURL(/\/submit$/), page.click('form button[type=submit]')]);
  await check(page, tag, lang, 'tax-submit', 'check and file', js);
  await page.click('label[for=declare]');
  await Promise.all([page.waitForURL(/\/versions\/1\?sent=1$/), page.click('main form button[type=submit]')]);
  const ack = await page.textContent('.egov-receipt');
  expect(/^[0-9a-f-]{36}$/.test(ack ?? ''), `${tag}: filed, acknowledgement ${ack}`);
  await check(page, tag, lang, 'tax-acknowledgement', 'acknowledgement', js);
  await page.goto(`${base}/my/tax/account`);
  await check(page, tag, lang, 'tax-account', 'tax account', js);
  // An income certificate, its PDF and its public check.
  await page.goto(`${base}/my/tax/certificates`);
  await page.click('label[for=kind-income]');
  await page.selectOption('#year', String(YEAR));
  await Promise.all([page.waitForURL(/\/certificates\/[0-9-]{19}\?issued=1$/), page.click('main form button[type=submit]')]);
  const number = (await page.textContent('.egov-receipt'))?.trim();
  expect(/^\d{4}-\d{4}-\d{4}-\d{4}$/.test(number ?? ''), `${tag}: certificate ${number} issued`);
  await check(page, tag, lang, 'tax-certificate', 'certificate', js);
  const pdf = await context.request.get(`${base}/my/tax/certificates/${number}/pdf`);
  const bytes = await pdf.body();
  expect(pdf.status() === 200 && pdf.headers()['content-type'] === 'application/pdf' && bytes.subarray(0, 5).toString() === '%PDF-',
    `${tag}: the certificate downloads as PDF (${bytes.length} bytes)`);
  await Promise.all([page.waitForURL(/\/certificates\/verify\?number=/), page.click('main a[href^="/certificates/verify"]')]);
  expect((await page.$('.egov-result:not(.bad)')) !== null && (await page.inputValue('#number')) === number, `${tag}: the public page checks it and finds it valid`);
  await check(page, tag, lang, 'tax-verified', 'public check', js);
  // Consented evidence: housing benefit needs the income certificate; ticking the consent
  // fetches it from the tax office through the exchange instead of an upload.
  await page.goto(`${base}/services/housing-benefit/apply`);
  await page.fill('#f-national_id', nationalId(seq));
  await page.fill('#f-income_year', String(YEAR));
  await page.fill('#f-household_size', '2');
  await page.fill('#f-monthly_rent', '450000');
  await Promise.all([page.waitForURL(/\/my\/applications\/[0-9a-f-]+\/documents$/), page.click('button[value=continue]')]);
  const caseUrl = page.url().replace(/\/documents$/, '');
  await check(page, tag, lang, 'evidence-consent', 'consent to fetch evidence', js);
  await page.click('label[for="consent-income"]');
  await Promise.all([page.waitForLoadState('load'), page.click('form.egov-fetch button[type=submit]')]);
  await page.goto(`${caseUrl}/documents`);
  expect((await page.$$('.egov-status.egov-done')).length === 1,
    `${tag}: the income certificate was fetched with the consent`);
  await page.goto(`${caseUrl}/check`);
  await Promise.all([page.waitForURL(/\/sent$/), page.click('main form[action$="/submit"] button[type=submit]')]);
  expect((await page.textContent('.egov-receipt'))?.startsWith('JONGNO-'), `${tag}: the housing benefit application is sent`);
  await page.goto(`${base}/my/consents`);
  expect((await page.textContent('main')).includes(lang === 'ko' ? '국세청' : 'National Tax Service'), `${tag}: the consent is listed in words`);
  await check(page, tag, lang, 'consents', 'my consents', js);
  // A statement that is not theirs: disputed from the return, with a reason (an empty one
  // first: the error summary); it stops counting at once.
  const other = `X-${tag.replace('-', '')}-${run}`;
  await page.goto(`${base}/my/tax/returns/${YEAR}`);
  await Promise.all([page.waitForURL(/\/dispute$/), page.locator('main li', { hasText: other }).locator('a[href$="/dispute"]').click()]);
  await check(page, tag, lang, 'tax-dispute', 'dispute a statement', js);
  await Promise.all([page.waitForLoadState('load'), page.click('main form button[type=submit]')]);
  expect((await page.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')))).includes('#dispute-reason'),
    `${tag}: a dispute without a reason shows the error summary`);
  await check(page, tag, lang, 'tax-dispute-errors', 'dispute without a reason', js);
  await page.fill('#dispute-reason', lang === 'ko' ? '이 회사에서 일한 적이 없습니다' : 'I never worked for this employer');
  await Promise.all([page.waitForURL(/\?disputed=1#statements$/), page.click('main form button[type=submit]')]);
  const after = await page.textContent('main');
  expect((await page.$('.egov-panel[role=status]')) !== null && /35,000,000/.test(after) && !/36,000,000/.test(after),
    `${tag}: the disputed statement no longer counts`);
  await check(page, tag, lang, 'tax-disputed', 'return after a dispute', js);
  await context.close();
}

const browser = await launch();
try {
  const employerToken = await setUp();
  let seq = 20000 + (run % 10000);
  for (const lang of languages) await journey(employerToken, lang, true, (seq += 1));
  await journey(employerToken, languages[0], false, (seq += 1));
} catch (e) {
  fail(`tax journey stopped: ${e.stack ?? e}`);
}
await browser.close();
finish('the tax journey passed');
