// Signed-in journeys in headless Chromium (Debian's chromium, driven by playwright-core), in
// each language asked for, with and without JavaScript:
// - a citizen registers on the portal's page (given a draft application through the API), opens the portal,
//   follows "Sign in", signs in on the provider's page, lands on "My page", opens "My
//   applications" and sees the draft with its status; applies for business registration
//   (the form's errors, an upload, check your answers, the receipt); an officer of the agency
//   (invited through the API by the platform admin: EGOV_ADMIN_USER / EGOV_ADMIN_PASSWORD;
//   signed in on the pages with a password and TOTP, in their own browser) finds the case on
//   the petition desk, says why they open it, receives it and asks for more; the citizen
//   answers on the application's page; the officer approves (a decision without its choice is
//   refused first) and issues the certificate; the citizen downloads its PDF and checks it on
//   the public page; the officer, a supervisor too, opens the compliance report and its CSV;
//   then signs out and is signed out everywhere (the next sign-in asks for the password);
// - every page on the way is checked with axe-core (WCAG 2.1 A/AA, 0 violations);
// - each signed-in page at 320 CSS px wide without sideways scrolling;
// - a keyboard-only pass signs out with Tab and Enter alone;
// - screenshots of the signed-in pages into docs/screenshots/.
//
// EGOV_URL: the running egov (default http://127.0.0.1:8099); SCREENSHOTS=0 skips them.

import http from 'node:http';

import {
  PASSWORD, api, axe, base, expect, fail, finish, fits320, businessId, launch, must, nationalId, officerAccount, shot, totp,
} from './lib.mjs';

const languages = (process.env.LANGS ?? 'ko,en').split(',');

// A tile server for the location page's map, as a deployment has one ([web.map] tiles, set by
// .ci/run to this port): every tile is the same small PNG, and each request is counted.
const TILE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGO48eQCSYhhVMOohuGrAQCliowfj25IHgAAAABJRU5ErkJggg==', 'base64');
let tilesServed = 0;
const tiles = process.env.EGOV_TILES_PORT
  ? http.createServer((req, res) => {
    tilesServed += 1;
    res.writeHead(/^\/\d+\/\d+\/\d+\.png$/.test(req.url) ? 200 : 404, { 'content-type': 'image/png' });
    res.end(TILE);
  }).listen(Number(process.env.EGOV_TILES_PORT), '127.0.0.1')
  : null;
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');

// Each citizen registers on the portal's page (a mistake first, then the corrected form) in the
// journey's language, with an e-mail address for notices in that language (.ci/run checks what
// its SMTP server received: tests/mail/check_mailbox.py); the draft application comes through
// the API.
async function citizen(tag, language, context, javaScriptEnabled) {
  const seq = Math.floor(Math.random() * 90000) + 1000;
  const username = `journey.${tag}.${seq}`;
  const page = await context.newPage();
  await page.goto(`${base}/register`);
  if (javaScriptEnabled) await axe(page, `${tag} registration form`);
  await page.fill('#display_name', `Journey ${tag.toUpperCase()}`);
  await page.fill('#national_id', '901301-1234567');
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.fill('#email', `${username}@example.kr`);
  const radio = language === 'ko' ? 'language' : `language-${language}`;
  await page.click(`label[for="${radio}"]`);
  await page.click('main form button[type=submit]');
  const named = await page.waitForSelector('.egov-error-summary a[href="#national_id"]', { timeout: 10000 }).then(() => true, () => false);
  expect(named, `${tag}: registering with a wrong national ID names it in the error summary`);
  expect((await page.inputValue('#password')) === '', `${tag}: the password is not sent back`);
  if (javaScriptEnabled) { await axe(page, `${tag} registration form with errors`); await shot(page, `register-errors-${language}`); await fits320(page, `${tag} registration form with errors`); }
  await page.fill('#national_id', nationalId(seq));
  await page.fill('#password', PASSWORD);
  await page.click('main form button[type=submit]');
  const done = await page.waitForSelector('.egov-receipt', { timeout: 10000 }).then(() => true, () => false);
  expect(done && (await page.textContent('.egov-receipt')) === username, `${tag}: registered on the page as ${username}`);
  if (javaScriptEnabled) { await axe(page, `${tag} registered`); await shot(page, `registered-${language}`); }
  await page.close();
  const login = await api('POST', '/auth/login', { username, password: PASSWORD });
  const token = login.body.tokens.access_token;
  const draft = await api('POST', '/petition/v1/applications',
    { service: 'business-registration', form: { business_name: 'Hangang Books' } }, token);
  if (draft.status !== 201) throw new Error(`draft: ${draft.status} ${JSON.stringify(draft.body)}`);
  return [username, nationalId(seq)];
}

const browser = await launch();


// The officer's browser: signed in once on the desk (password, then the TOTP code), in the
// journey's language (its cookie) with script on or off like the citizen's.
async function desk(officer, lang, javaScriptEnabled) {
  const context = await browser.newContext({ bypassCSP: javaScriptEnabled, javaScriptEnabled, viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: 'egov_lang', value: lang, url: base }]);
  const page = await context.newPage();
  await page.goto(`${base}/desk/petitions`);
  await page.fill('#username', officer.username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForSelector('#code'), page.click('form button[type=submit]')]);
  // A code is good once: each sign-in waits for a step of its own (and once more if refused).
  for (let attempt = 0; attempt < 2; attempt += 1) {
    while (Math.floor(Date.now() / 30000) <= (officer.lastStep ?? 0)) await new Promise((r) => setTimeout(r, 500));
    officer.lastStep = Math.floor(Date.now() / 30000);
    await page.fill('#code', await totp(officer.secret, 0));
    await page.click('form button[type=submit]');
    const there = await page.waitForURL(/\/desk\/petitions$/, { timeout: 15000 }).then(() => true, () => false);
    if (there) return { context, page };
    if (attempt === 1 || (await page.$('#code')) === null) {
      throw new Error(`the desk's sign-in stopped at ${page.url()}: ${(await page.textContent('body'))?.replace(/\s+/g, ' ').slice(0, 400)}`);
    }
    console.log(`     the desk's sign-in code was refused (${(await page.textContent('main'))?.replace(/\s+/g, ' ').slice(0, 200)}); the next step's code`);
  }
  return { context, page };
}

// The officer posts one of the case page's action forms and comes back to the case.
async function deskAct(page, action, tag) {
  await Promise.all([page.waitForURL(/done=/), page.click(`#act-${action} button[type=submit]`)]);
  expect((await page.textContent('.egov-panel[role=status]'))?.length > 0, `${tag}: the desk says "${action}" is done`);
}

async function journey(officer, lang, javaScriptEnabled) {
  const tag = `${lang}${javaScriptEnabled ? '' : '-nojs'}`;
  // bypassCSP only so that axe can be injected; the pages' own CSP is checked in pages.mjs.
  // The browser's position, for "Use my location" (a bus stop in Busan).
  const context = await browser.newContext({
    bypassCSP: javaScriptEnabled, javaScriptEnabled, viewport: { width: 1280, height: 900 },
    geolocation: { latitude: 35.1153, longitude: 129.0415, accuracy: 20 }, permissions: ['geolocation'],
  });
  await context.addCookies([{ name: 'egov_lang', value: lang, url: base }]);
  const [username, nid] = await citizen(tag.replace('-', ''), lang, context, javaScriptEnabled);
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await Promise.all([page.waitForURL(/\/auth\/authorize/), page.click('.egov-account a')]);
  expect((await page.getAttribute('html', 'lang')) === lang, `${tag}: the provider's sign-in page speaks ${lang}`);
  if (javaScriptEnabled) await axe(page, `${tag} provider sign-in page`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/my$/), page.click('form button[type=submit]')]);
  expect((await page.textContent('.egov-account-name'))?.includes('Journey'), `${tag}: signed in, the header names the account`);
  if (javaScriptEnabled) { await axe(page, `${tag} /my`); await shot(page, `my-${lang}`); await fits320(page, `${tag} /my`); }
  await Promise.all([page.waitForURL(/\/my\/applications$/), page.click('main a[href="/my/applications"]')]);
  const table = await page.textContent('main table');
  expect(/Hangang|사업자|Business/.test(table ?? ''), `${tag}: my applications lists the draft`);
  if (javaScriptEnabled) { await axe(page, `${tag} /my/applications`); await shot(page, `my-applications-${lang}`); await fits320(page, `${tag} /my/applications`, `my-applications-narrow-${lang}`); }
  // Apply for a service: the form (first with nothing filled: the error summary), the
  // document upload, check your answers, send, the confirmation with the receipt number.
  await page.goto(`${base}/services/business-registration`);
  await Promise.all([page.waitForURL(/\/apply$/), page.click('main a[href$="/apply"]')]);
  if (javaScriptEnabled) { await axe(page, `${tag} apply form`); await shot(page, `apply-${lang}`); }
  await Promise.all([page.waitForLoadState('load'), page.click('button[value=continue]')]);
  const summary = await page.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')));
  expect(summary.includes('#f-business_name') && summary.includes('#f-workplace'), `${tag}: an empty form gets an error summary linking to the fields`);
  if (javaScriptEnabled) { await axe(page, `${tag} apply form with errors`); await shot(page, `apply-errors-${lang}`); await fits320(page, `${tag} apply form with errors`, `apply-errors-narrow-${lang}`); }
  await page.fill('#f-business_name', 'Hangang Books');
  await page.fill('#f-representative_id', nid);
  await page.click('label[for="f-business_type"]'); // the first choice, retail
  await page.fill('#f-start_date', '2026-03-02');
  await page.fill('#f-workplace', '12 Sejong-daero');
  await Promise.all([page.waitForURL(/\/documents$/), page.click('button[value=continue]')]);
  if (javaScriptEnabled) { await axe(page, `${tag} documents`); await fits320(page, `${tag} documents`); }
  const uploads = [];
  const watch = (r) => { if (r.method() === 'POST' && r.url().endsWith('/upload')) uploads.push(r.resourceType()); };
  page.on('request', watch);
  if (javaScriptEnabled) {
    // Over the size limit: refused in the page before anything is sent, said in words.
    await page.setInputFiles('#e-lease', { name: 'big.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(10 * 1024 * 1024 + 1) });
    await page.click('form.egov-upload button');
    await page.waitForFunction(() => document.getElementById('e-lease-progress').textContent.length > 0);
    expect(uploads.length === 0 && (await page.getAttribute('#e-lease', 'aria-invalid')) === 'true',
      `${tag}: a file over the limit is refused before it is sent`);
    await axe(page, `${tag} documents, a file too large`);
  }
  await page.setInputFiles('#e-lease', { name: 'lease.pdf', mimeType: 'application/pdf', buffer: PDF });
  await Promise.all([page.waitForURL(/\/documents(\?uploaded=e-lease)?#e-lease$/), page.click('form.egov-upload button')]);
  page.off('request', watch);
  expect(uploads.join() === (javaScriptEnabled ? 'xhr' : 'document'),
    `${tag}: the upload is sent ${javaScriptEnabled ? 'by the page with its progress' : 'by the plain form'} (${uploads.join()})`);
  expect(/Uploaded|첨부했습니다/.test(await page.textContent('#e-lease-title + p') ?? ''), `${tag}: the lease is uploaded`);
  if (javaScriptEnabled) await shot(page, `documents-${lang}`);
  await Promise.all([page.waitForURL(/\/check$/), page.click('main a[href$="/check"]')]);
  if (javaScriptEnabled) { await axe(page, `${tag} check your answers`); await shot(page, `check-${lang}`); await fits320(page, `${tag} check your answers`); }
  await Promise.all([page.waitForURL(/\/sent$/), page.click('main form button[type=submit]')]);
  const receipt = await page.textContent('.egov-receipt');
  expect(/^NTS-\d{4}-\d{7}$/.test(receipt ?? ''), `${tag}: sent, receipt ${receipt}`);
  if (javaScriptEnabled) { await axe(page, `${tag} confirmation`); await shot(page, `sent-${lang}`); await fits320(page, `${tag} confirmation`); }
  // The application's page: status, clock, answers, history, and the withdraw form.
  await Promise.all([page.waitForURL(/\/my\/applications\/[0-9a-f-]+$/), page.click('main a[href^="/my/applications/"]')]);
  expect((await page.$('form[action$="/withdraw"]')) !== null, `${tag}: the application's page offers to withdraw`);
  if (javaScriptEnabled) { await axe(page, `${tag} application page`); await shot(page, `case-${lang}`); await fits320(page, `${tag} application page`); }
  // The agency's officer, on the petition desk in their own browser, asks for more; the citizen
  // answers on the page.
  const caseUrl = page.url();
  const id = caseUrl.split('/').pop();
  const { context: officerContext, page: d } = await desk(officer, lang, javaScriptEnabled);
  expect((await d.$(`main a[href="/desk/petitions/${id}"]`)) !== null, `${tag}: the case is on the desk's work list`);
  if (javaScriptEnabled) {
    await axe(d, `${tag} desk work list`); await shot(d, `desk-${lang}`); await fits320(d, `${tag} desk work list`, `desk-narrow-${lang}`);
    // Keyboard only: Tab to the case's link, Enter opens it (the reason form).
    let reached = false;
    for (let i = 0; i < 80 && !reached; i += 1) {
      await d.keyboard.press('Tab');
      reached = await d.evaluate((cid) => document.activeElement?.getAttribute('href') === `/desk/petitions/${cid}`, id);
    }
    expect(reached, `${tag} keyboard: Tab reaches the case on the work list`);
    await Promise.all([d.waitForURL(new RegExp(`/desk/petitions/${id}$`)), d.keyboard.press('Enter')]);
  } else {
    await Promise.all([d.waitForURL(new RegExp(`/desk/petitions/${id}$`)), d.click(`main a[href="/desk/petitions/${id}"]`)]);
  }
  expect((await d.$('main input[name=why]:checked')) !== null && !(await d.textContent('main')).includes('Hangang Books'),
    `${tag}: the desk asks why before showing the case`);
  if (javaScriptEnabled) { await axe(d, `${tag} desk: why open the case`); await shot(d, `desk-why-${lang}`); await fits320(d, `${tag} desk: why`); }
  await Promise.all([d.waitForURL(/why=handling/), d.click('main form button[type=submit]')]);
  expect((await d.textContent('main')).includes('Hangang Books'), `${tag}: with the reason, the desk shows what the applicant sent`);
  if (javaScriptEnabled) { await axe(d, `${tag} desk case`); await shot(d, `desk-case-${lang}`); await fits320(d, `${tag} desk case`, `desk-case-narrow-${lang}`); }
  await deskAct(d, 'receive', tag);
  await deskAct(d, 'review', tag);
  await d.fill('#request_supplement-reason', 'Send the floor plan of the shop');
  await deskAct(d, 'request_supplement', tag);
  await page.goto(caseUrl);
  expect((await page.textContent('.egov-quote'))?.includes('floor plan'), `${tag}: the agency's request is quoted`);
  if (javaScriptEnabled) { await axe(page, `${tag} application page with a request`); await shot(page, `case-supplement-${lang}`); }
  await page.fill('#supplement-note', 'The floor plan: one room of 40 m2 on the ground floor.');
  await Promise.all([page.waitForURL(caseUrl), page.click('form[action$="/supplement"] button[type=submit]')]);
  expect((await page.$('#supplement-note')) === null, `${tag}: the answer is sent (the form is gone)`);
  // The officer decides on the desk (first without choosing: the error summary) and issues;
  // the citizen downloads the document and checks it publicly.
  await d.reload();
  await deskAct(d, 'review', tag);
  await d.fill('#decide-reason', 'Registered');
  await Promise.all([d.waitForLoadState('load'), d.click('#act-decide button[type=submit]')]);
  expect((await d.$('.egov-error-summary a[href="#decide-decision"]')) !== null, `${tag}: a decision without its choice is named in the error summary`);
  if (javaScriptEnabled) { await axe(d, `${tag} desk case with an error`); await shot(d, `desk-case-error-${lang}`); }
  await d.click('label[for="decide-decision"]');
  await deskAct(d, 'decide', tag);
  await deskAct(d, 'issue', tag);
  expect((await d.textContent('main')).includes(receipt), `${tag}: the desk shows the issued case`);
  if (javaScriptEnabled) { await axe(d, `${tag} desk case, issued`); await shot(d, `desk-case-issued-${lang}`); }
  // The supervisor's compliance report (linked from My page), and its CSV.
  await d.goto(`${base}/my`);
  await Promise.all([d.waitForURL(/\/desk\/reports\/compliance$/), d.click('main a[href="/desk/reports/compliance"]')]);
  expect((await d.$$('main table tbody tr')).length > 0, `${tag}: the compliance report has a line per service`);
  if (javaScriptEnabled) { await axe(d, `${tag} compliance report`); await shot(d, `desk-compliance-${lang}`); await fits320(d, `${tag} compliance report`); }
  const csvHref = await d.getAttribute('main a[href^="/desk/reports/compliance.csv"]', 'href');
  const csv = await officerContext.request.get(base + csvHref);
  expect(csv.status() === 200 && csv.headers()['content-type'].startsWith('text/csv') && (await csv.text()).includes('business-registration'),
    `${tag}: the report downloads as CSV`);
  await officerContext.close();
  await page.goto(caseUrl);
  const href = await page.getAttribute('main a[href*="/issued/"]', 'href');
  const pdf = await context.request.get(base + href);
  const bytes = await pdf.body();
  expect(pdf.status() === 200 && pdf.headers()['content-type'] === 'application/pdf' && bytes.subarray(0, 5).toString() === '%PDF-',
    `${tag}: the issued document downloads as PDF (${bytes.length} bytes)`);
  if (javaScriptEnabled) { await axe(page, `${tag} application page, decided`); await shot(page, `case-issued-${lang}`); }
  const number = href.split('/').pop();
  await page.goto(`${base}/documents/verify`);
  await page.fill('#number', number);
  await Promise.all([page.waitForURL(/\/documents\/verify\?number=/), page.click('main form button[type=submit]')]);
  expect((await page.$('.egov-result:not(.bad)')) !== null, `${tag}: the public page finds document ${number} authentic and valid`);
  if (javaScriptEnabled) await axe(page, `${tag} public check of the issued document`);
  // Who used my data: linked from My page.
  await page.goto(`${base}/my`);
  await Promise.all([page.waitForURL(/\/my\/privacy$/), page.click('main a[href="/my/privacy"]')]);
  expect((await page.$('main h1')) !== null && (await page.title()).length > 0, `${tag}: who used my data`);
  if (javaScriptEnabled) { await axe(page, `${tag} /my/privacy`); await shot(page, `privacy-${lang}`); await fits320(page, `${tag} /my/privacy`, `privacy-narrow-${lang}`); }
  // Where notices reach me: the address given at registration, a mistake, then saved.
  await page.goto(`${base}/my/contact`);
  expect((await page.inputValue('#email')).endsWith('@example.kr'), `${tag}: the contact page shows the e-mail address`);
  await page.fill('#phone', '010-1234');
  await page.click('main form button[type=submit]');
  const named = await page.waitForSelector('.egov-error-summary a[href="#phone"]', { timeout: 10000 }).then(() => true, () => false);
  expect(named, `${tag}: a bad mobile number is named in the error summary`);
  if (javaScriptEnabled) { await axe(page, `${tag} /my/contact with errors`); await shot(page, `contact-errors-${lang}`); await fits320(page, `${tag} /my/contact with errors`); }
  await page.fill('#phone', '+82 10-1234-5678');
  await Promise.all([page.waitForURL(/\/my\/contact\?done=saved$/), page.click('main form button[type=submit]')]);
  expect((await page.inputValue('#phone')) === '+821012345678', `${tag}: the mobile number is saved as the provider keeps it`);
  if (javaScriptEnabled) { await axe(page, `${tag} /my/contact saved`); await shot(page, `contact-${lang}`); }
  // A report about a place: the form, then where (with script: "Use my location"; without:
  // the address), then "check your answers" with the place and the open reports like it.
  await page.goto(`${base}/services/road-complaint/apply`);
  await page.click('label[for="f-problem-1"]');
  await page.click('label[for="f-region-2"]');
  await page.fill('#f-description', 'The light at the bus stop is out');
  await Promise.all([page.waitForURL(/\/location$/), page.click('button[value=continue]')]);
  if (javaScriptEnabled && tiles) {
    // The map: tiles from the deployment's tile server; a click marks the place.
    await page.waitForSelector('#egov-map .leaflet-tile-loaded');
    await page.click('#egov-map', { position: { x: 120, y: 90 } });
    await page.waitForFunction(() => document.getElementById('lat').value !== '');
    expect((await page.textContent('#locate-status')).length > 0 && (await page.$$('#egov-map .leaflet-marker-icon')).length === 1,
      `${tag}: a click on the map marks the place and says so`);
    await axe(page, `${tag} where is it, on the map`);
    // The same page under its real Content-Security-Policy (the other checks bypass it to
    // inject axe): the tiles load from the tile server, nothing is refused.
    const strict = await browser.newContext({ storageState: await context.storageState() });
    const strictPage = await strict.newPage();
    const refused = [];
    strictPage.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) refused.push(m.text()); });
    await strictPage.goto(page.url());
    await strictPage.waitForSelector('#egov-map .leaflet-tile-loaded', { timeout: 10000 }).catch(() => {});
    expect((await strictPage.$$('#egov-map .leaflet-tile-loaded')).length > 0 && refused.length === 0,
      `${tag}: under the page's CSP the map's tiles load (${tilesServed} tiles served), nothing refused ${refused.join(' | ')}`);
    await strict.close();
  } else if (javaScriptEnabled) {
    expect((await page.$('#egov-map')) === null, `${tag}: without a tile server the page has no map`);
  }
  if (javaScriptEnabled) {
    await axe(page, `${tag} where is it`);
    await page.click('[data-egov-locate]');
    await page.waitForFunction(() => document.getElementById('lat').value.startsWith('35.115'));
    expect((await page.textContent('#locate-status')).length > 0, `${tag}: "Use my location" fills the coordinates and says so`);
    await axe(page, `${tag} where is it, located`);
    await shot(page, `location-${lang}`);
    await fits320(page, `${tag} where is it`);
  } else {
    expect(await page.isHidden('[data-egov-locate]'), `${tag}: without script the location button stays hidden`);
  }
  await page.fill('#address', 'Bus stop 05-123, Jungang-daero');
  await Promise.all([page.waitForURL(/\/check$/), page.click('main form button[type=submit]')]);
  expect((await page.textContent('main')).includes('05-123'), `${tag}: check your answers shows where`);
  if (javaScriptEnabled) { await axe(page, `${tag} check your answers of a report`); await shot(page, `check-report-${lang}`); }
  await Promise.all([page.waitForURL(/\/sent$/), page.click('main form[action$="/submit"] button[type=submit]')]);
  // Who acts for whom: a business (in its own browser) asks the citizen, who accepts.
  const bizSeq = Math.floor(Math.random() * 90000) + 1000;
  const bizName = `biz.${tag.replace('-', '')}.${bizSeq}`;
  must(await api('POST', '/auth/register', {
    kind: 'business', username: bizName, display_name: 'Hangang Books Co.', password: PASSWORD,
    business_id: businessId(bizSeq),
  }), 'register the business', [202]);
  const bizContext = await browser.newContext({ bypassCSP: javaScriptEnabled, javaScriptEnabled });
  await bizContext.addCookies([{ name: 'egov_lang', value: lang, url: base }]);
  const biz = await bizContext.newPage();
  await biz.goto(`${base}/my/representatives`);
  await biz.fill('#username', bizName);
  await biz.fill('#password', PASSWORD);
  await Promise.all([biz.waitForURL(/\/my\/representatives$/), biz.click('form button[type=submit]')]);
  await biz.fill('#national-id', '12345');
  await Promise.all([biz.waitForLoadState('load'), biz.click('main form.egov-form button[type=submit]')]);
  expect((await biz.$('.egov-error-summary a[href="#national-id"]')) !== null, `${tag}: a wrong national ID gets the error summary`);
  if (javaScriptEnabled) { await axe(biz, `${tag} /my/representatives with an error`); await fits320(biz, `${tag} /my/representatives`); }
  await biz.fill('#national-id', nid);
  await Promise.all([biz.waitForURL(/done=asked$/), biz.click('main form.egov-form button[type=submit]')]);
  if (javaScriptEnabled) { await axe(biz, `${tag} /my/representatives, asked`); await shot(biz, `representatives-${lang}`); }
  await bizContext.close();
  await page.goto(`${base}/my`);
  await Promise.all([page.waitForURL(/\/my\/representation$/), page.click('main a[href="/my/representation"]')]);
  expect((await page.textContent('main')).includes('Hangang Books Co.'), `${tag}: the business's request is on the person's page`);
  if (javaScriptEnabled) { await axe(page, `${tag} /my/representation`); await shot(page, `representation-${lang}`); await fits320(page, `${tag} /my/representation`); }
  await Promise.all([page.waitForURL(/done=accepted$/), page.click('main form[action$="/accept"] button')]);
  expect((await page.$('main form[action$="/stop"]')) !== null, `${tag}: accepted, the business is listed with "stop"`);
  // My consents (none given in this journey: the empty state).
  await page.goto(`${base}/my`);
  await Promise.all([page.waitForURL(/\/my\/consents$/), page.click('main a[href="/my/consents"]')]);
  expect((await page.$('main h1')) !== null, `${tag}: my consents`);
  if (javaScriptEnabled) { await axe(page, `${tag} /my/consents`); await fits320(page, `${tag} /my/consents`); }
  await page.goto(`${base}/my/applications`);
  if (javaScriptEnabled) {
    // Keyboard only: Tab to the header's sign-out button, Enter.
    let reached = false;
    for (let i = 0; i < 40 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.closest('form')?.getAttribute('action') === '/signout');
    }
    expect(reached, `${tag} keyboard: Tab reaches sign-out`);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.keyboard.press('Enter')]);
  } else {
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('.egov-signout button')]);
  }
  const signIn = await page.getAttribute('.egov-account a', 'href');
  expect(signIn?.startsWith('/signin'), `${tag}: signed out, the header offers sign-in again`);
  await page.goto(`${base}/my/applications`);
  expect(/\/auth\/authorize/.test(page.url()) && (await page.$('#password')) !== null,
    `${tag}: after sign-out the next sign-in asks for the password`);
  await context.close();
}

try {
  const deskOfficer = await officerAccount(['petition.officer', 'petition.supervisor']);
  for (const lang of languages) await journey(deskOfficer, lang, true);
  await journey(deskOfficer, languages[0], false);
} catch (e) {
  fail(`journey stopped: ${e.stack ?? e}`);
}

await browser.close();
tiles?.close();
finish('all journeys passed');
