// The tax office in headless Chromium, in each language asked for, then once without
// JavaScript: a tax officer signs in with a password and an authenticator code, opens a
// statement the employee disputed (with the purpose the review list gives it) and voids it
// (a decision without a reason first: the error summary); looks at the statements per
// employer; finds a taxpayer by national ID with a purpose, opens the return and corrects it
// (a value that is not a number first); raises an assessment above the year's four-eyes
// threshold, which waits; a second officer approves it from the desk (the first one cannot);
// the bank's settlement file is pasted and matched to the return's payment reference. The
// desk's review link is reached with the keyboard only. axe-core on every page (0 WCAG 2.1
// A/AA violations), each at 320 CSS px, screenshots into docs/screenshots/.
//
// Set-up through the API, as the deployment's people would do it: the platform admin
// (EGOV_ADMIN_USER / EGOV_ADMIN_PASSWORD, made by `egov admin create`) creates the tax agency
// and invites the officers; an officer registers the employer as a withholding agent; the
// employer files statements; each citizen files a return and disputes one statement. The
// server must accept returns before the year ends (EGOV__TAX__ALLOW_EARLY_FILING=true).
//
// EGOV_URL: the running egov (default http://127.0.0.1:8099); SCREENSHOTS=0 skips them.

import {
  PASSWORD, aal2, api, axe, base, businessId, deskSignIn, expect, fail, finish, fits320, launch, must, nationalId, officer, officerAccount,
  resend, shot,
} from './lib.mjs';

const languages = (process.env.LANGS ?? 'ko,en').split(',');
const YEAR = 2026;
const run = Math.floor(Math.random() * 90000) + 1000;
// An employer of its own per run (one business account per registration number).
const EMPLOYER = businessId(run);

async function setUp() {
  const o = await officer(['tax.officer']);
  must(await api('POST', '/tax/v1/officer/withholding-agents', { business_id: EMPLOYER }, o), 'withholding agent');
  const employer = `office.employer.${run}`;
  must(await api('POST', '/auth/register', {
    kind: 'business', username: employer, display_name: 'Hangang Books Co.', password: PASSWORD, business_id: EMPLOYER,
  }), 'register the employer', [202]);
  const login = must(await api('POST', '/auth/login', { username: employer, password: PASSWORD }), 'employer login');
  const first = await officerAccount(['tax.officer'], `office${run}a`, 'Officer Kang');
  const second = await officerAccount(['tax.officer'], `office${run}b`, 'Officer Yoon');
  return { employerToken: login.tokens.access_token, first, second };
}

// A citizen with two statements from the employer who files the return and disputes the
// second statement (through the API, as their browser would): the payment reference.
async function taxpayer(employerToken, tag, seq) {
  const username = `office.taxpayer.${tag}.${run}`;
  must(await api('POST', '/auth/register', {
    kind: 'citizen', username, display_name: `Taxpayer ${tag.toUpperCase()}`, password: PASSWORD,
    national_id: nationalId(seq),
  }), `register ${username}`, [202]);
  must(await api('POST', `/tax/v1/statements?year=${YEAR}`, [{
    statement_id: `O-${tag}-${run}`, national_id: nationalId(seq), wages: '35000000',
    withheld_income_tax: '700000', withheld_local_tax: '70000', pension_contributions: '1350000',
  }, {
    statement_id: `D-${tag}-${run}`, national_id: nationalId(seq), wages: '1000000',
  }], employerToken), 'statements');
  const { token } = await aal2(username, PASSWORD);
  const mine = must(await api('GET', `/tax/v1/me/statements?year=${YEAR}`, undefined, token), 'my statements');
  const disputed = mine.find((s) => s.statement_id === `D-${tag}-${run}`);
  must(await api('POST', `/tax/v1/me/statements/${disputed.id}/dispute`, { reason: 'I never worked there' }, token), 'dispute');
  const ack = must(await api('POST', `/tax/v1/me/returns/${YEAR}/submit`, undefined, token,
    { 'idempotency-key': `office-${tag}-${run}` }), 'file the return', [200, 201]);
  return { reference: ack.payment_reference, statement: disputed.id };
}

async function check(page, tag, lang, name, label, js) {
  if (!js) return;
  await axe(page, `${tag} ${label}`);
  await shot(page, `${name}-${lang}`);
  await fits320(page, `${tag} ${label}`);
}

const submit = (page, form = 'main form') => page.click(`${form} button[type=submit]`);

async function journey(browser, s, lang, js, seq) {
  const tag = `office ${lang}${js ? '' : ' no-JS'}`;
  const who = await taxpayer(s.employerToken, `${lang}${js ? '' : 'n'}`, seq);
  const { context, page } = await deskSignIn(browser, s.first, lang, js, '/desk/tax');
  expect((await page.getAttribute('html', 'lang')) === lang, `${tag}: the desk speaks ${lang}`);
  await check(page, tag, lang, 'tax-office-desk', 'desk', js);
  // The disputed statement, reached with the keyboard only (JS pass), opened with its purpose.
  const link = `main a[href="/desk/tax/statements/${who.statement}?purpose=tax.statement.review"]`;
  if (js) {
    let reached = false;
    for (let i = 0; i < 80 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, link);
    }
    expect(reached, `${tag}: the keyboard reaches the statement's review link`);
    await Promise.all([page.waitForURL(/\/desk\/tax\/statements\//), page.keyboard.press('Enter')]);
  } else {
    await Promise.all([page.waitForURL(/\/desk\/tax\/statements\//), page.click(link)]);
  }
  expect((await page.textContent('main')).includes('1,000,000'), `${tag}: the statement shows its amounts`);
  await check(page, tag, lang, 'tax-office-statement', 'statement to review', js);
  await page.click('label[for=resolve-void]');
  await resend(page, '#resolve form button[type=submit]');
  const hrefs = await page.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')));
  expect(hrefs.includes('#resolve-reason'), `${tag}: a decision without a reason shows the error summary`);
  await check(page, tag, lang, 'tax-office-statement-errors', 'decision without a reason', js);
  await page.fill('#resolve-reason', lang === 'ko' ? '사업자가 주민등록번호 착오를 확인함' : 'The employer confirmed a mistaken national ID');
  await Promise.all([page.waitForURL(/\/desk\/tax\?done=statement$/), submit(page, '#resolve form')]);
  expect((await page.$('.egov-panel[role=status]')) !== null, `${tag}: the statement is decided`);
  // Statements per employer.
  await page.goto(`${base}/desk/tax/employers?year=${YEAR}`);
  expect((await page.textContent('main')).includes(EMPLOYER.replace(/-/g, '')), `${tag}: the employer is listed with its counts`);
  await check(page, tag, lang, 'tax-office-employers', 'statements per employer', js);
  // The taxpayer's file, found by national ID with a purpose; the return; a correction.
  await page.goto(`${base}/desk/tax/taxpayers`);
  await page.selectOption('#find-kind', 'national_id');
  await page.fill('#find-id', nationalId(seq));
  await page.selectOption('#find-purpose', 'tax.audit');
  await resend(page, '#find button[type=submit]');
  expect((await page.$$('main a[href^="/desk/tax/returns/"]')).length === 1, `${tag}: the taxpayer's return is listed`);
  await check(page, tag, lang, 'tax-office-taxpayer', 'taxpayer file', js);
  await Promise.all([page.waitForURL(/\/desk\/tax\/returns\/.+purpose=tax\.audit/), page.click('main a[href^="/desk/tax/returns/"]')]);
  await check(page, tag, lang, 'tax-office-return', 'return', js);
  await page.selectOption('#change-0-input', 'wages');
  await page.fill('#change-0-value', 'lots');
  await page.fill('#correction-reason', 'Unreported second employment found');
  await resend(page, '#correction form button[type=submit]');
  const errs = await page.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')));
  expect(errs.includes('#change-0-value'), `${tag}: a correction that is not a number shows the error summary`);
  expect((await page.inputValue('#correction-reason')) === 'Unreported second employment found', `${tag}: what was typed is kept`);
  await check(page, tag, lang, 'tax-office-return-errors', 'correction with errors', js);
  await page.fill('#change-0-value', '60,000,000');
  await Promise.all([page.waitForURL(/done=correction/), submit(page, '#correction form')]);
  expect((await page.$$('#versions-caption')).length === 1 && (await page.$$('main table tbody tr')).length >= 2,
    `${tag}: the correction is a new version`);
  // An assessment from the four-eyes threshold: it waits for a second officer.
  await page.goto(`${base}/desk/tax/assessments/new`);
  await page.selectOption('#assess-kind', 'national_id');
  await page.fill('#assess-id', nationalId(seq));
  await page.fill('#assess-year', String(YEAR));
  await page.fill('#assess-amount', '20,000,000');
  await page.fill('#assess-due_date', '2027-06-30');
  await page.fill('#assess-reason', 'Undeclared rental income found at audit');
  await check(page, tag, lang, 'tax-office-assessment', 'assessment', js);
  await Promise.all([page.waitForURL(/done=waiting$/), submit(page, '#assess')]);
  await page.goto(`${base}/desk/tax`);
  const mine = page.locator('main section.egov-document', { hasText: '20,000,000' });
  expect((await mine.count()) === 1 && (await mine.locator('input[value=approve]').count()) === 0,
    `${tag}: the officer who raised it sees it without an approve button`);
  // The bank's settlement file.
  await page.goto(`${base}/desk/tax/payments`);
  await page.fill('#file', `bank_txn_id,reference,amount,paid_on\nBANK-${tag.replace(/\W/g, '')}-${run},${who.reference},100000,2027-05-20\nBANK-X-${run},NO-SUCH-REF,5000,2027-05-20\nBANK-Y,${who.reference},lots,2027-05-20\n`);
  await resend(page, 'main form button[type=submit]');
  expect((await page.$('section.egov-panel[role=status]')) !== null, `${tag}: the settlement file is matched and reported`);
  await check(page, tag, lang, 'tax-office-payments', 'settlement report', js);
  await context.close();
  // The second officer approves the assessment.
  const second = await deskSignIn(browser, s.second, lang, js, '/desk/tax');
  const approve = second.page.locator('main section.egov-document', { hasText: '20,000,000' }).first().locator('input[value=approve] ~ button');
  await check(second.page, tag, lang, 'tax-office-approvals', 'approvals', js);
  await Promise.all([second.page.waitForURL(/done=approved$/), approve.click()]);
  expect((await second.page.$('.egov-panel[role=status]')) !== null, `${tag}: the second officer approved the assessment`);
  await second.context.close();
}

const browser = await launch();
try {
  const s = await setUp();
  let seq = 40000 + (run % 10000);
  for (const lang of languages) await journey(browser, s, lang, true, (seq += 1));
  await journey(browser, s, languages[0], false, (seq += 1));
} catch (e) {
  fail(`tax office journey stopped: ${e.stack ?? e}`);
}
await browser.close();
finish('the tax office journey passed');
