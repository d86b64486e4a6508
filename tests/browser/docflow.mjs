// The document workspace (On-Nara) in headless Chromium, in each language asked for: an
// expenditure document goes through a line with a review, parallel cooperation (one agrees,
// one disagrees with an opinion), 전결 by the division director — who is away, so the deputy
// approves as their stand-in (대결) and the director confirms the post-report — and is
// registered; the circulated reader opens it and the read is recorded; the drafter sends it to
// another agency on the platform, whose document office receives it for a handler, and the
// receipt comes back; the records manager files it in a new record file from the unit's
// ledger and places a legal hold, after which disposal is refused. The drafter first sends
// the form empty (the error summary), then drafts, attaches the budget table (sent without a
// file first: refused), submits, recalls and submits again; the leader finds it with the
// keyboard only. A second pass without JavaScript has the leader approve. axe-core on every
// page and state (0 WCAG 2.1 A/AA violations), each at 320 CSS px, screenshots into
// docs/screenshots/.
//
// Set-up through the API, as a deployment's people do it: the platform admin
// (EGOV_ADMIN_USER / EGOV_ADMIN_PASSWORD) creates the agency and invites its administrator and
// officials (who accept and enrol an authenticator); the agency administrator builds the unit,
// the positions and their holders, then names the deputy the director's stand-in on the
// organisation page — and ends it there when the journey is over.
//
// EGOV_URL: the running egov (default http://127.0.0.1:8099); SCREENSHOTS=0 skips them.

import {
  PASSWORD, adminToken, aal2, api, axe, base, deskSignIn, expect, fail, finish, fits320, launch, must, shot, totp,
} from './lib.mjs';

const languages = (process.env.LANGS ?? 'ko,en').split(',');
const run = Math.floor(Math.random() * 90000) + 1000;
const AGENCY = 'MOIS';

// The people of the line: position title, rank, display name (and roles).
const PEOPLE = [
  ['drafter', 5, 'Kim Drafter'],
  ['leader', 4, 'Lee Leader'],
  ['coop_a', 4, 'Jung Budget'],
  ['coop_b', 4, 'Yoon Legal'],
  ['director', 3, 'Park Director'],
  ['deputy', 3, 'Kang Deputy'],
  ['reader', 5, 'Choi Reader'],
  ['records', 5, 'Jang Records', ['docflow.records']],
];

// The receiving agency: its document office's clerk and a handler.
const RECIPIENTS = [
  ['office', 5, 'Oh Office', ['docflow.office']],
  ['handler', 4, 'Seo Handler'],
];

// An agency's organisation as its administrator builds it: one unit (its own document office
// too), a position per person held by an invited official with an authenticator. The
// people (position id, account, username, TOTP secret) and the agency admin's token.
async function organisation(agency, agencyName, tag, people) {
  const admin = await adminToken();
  must(await api('POST', '/auth/agencies', { id: agency, name: agencyName }, admin), 'agency', [201, 409]);
  const orgAdmin = `${agency.toLowerCase()}.admin.${tag}.${run}`;
  const invited = must(await api('POST', `/auth/agencies/${agency}/accounts`, {
    kind: 'agency_admin', username: orgAdmin, display_name: `${agency} Admin`,
  }, admin), 'invite the agency admin');
  must(await api('POST', '/auth/invitations/accept', { token: invited.invitation_token, password: PASSWORD }), 'accept');
  const orgToken = must(await api('POST', '/auth/login', { username: orgAdmin, password: PASSWORD }), 'agency admin login').tokens.access_token;
  const unit = must(await api('POST', '/docflow/v1/org/units', {
    code: `${agency}-${tag}-${run}`, name: `${agency === AGENCY ? 'Planning' : 'Records'} division ${tag}`, document_office: true,
  }, orgToken), 'unit');
  const out = {};
  for (const [name, rank, display, roles = []] of people) {
    const position = must(await api('POST', '/docflow/v1/org/positions', { unit_id: unit.id, title: `${name.replace('_', ' ')} ${tag}`, rank }, orgToken), `position ${name}`);
    const username = `${agency.toLowerCase()}.${name}.${tag}.${run}`;
    const inv = must(await api('POST', `/auth/agencies/${agency}/accounts`, { kind: 'officer', username, display_name: display, roles }, admin), `invite ${name}`);
    must(await api('POST', '/auth/invitations/accept', { token: inv.invitation_token, password: PASSWORD }), `accept ${name}`);
    must(await api('POST', '/docflow/v1/org/assignments', { position_id: position.id, account: inv.account.id }, orgToken), `assign ${name}`);
    const { secret } = await aal2(username, PASSWORD, false);
    out[name] = { position: position.id, account: inv.account.id, username, secret, display };
  }
  // The sending agency's administrator keeps the organisation on its page too, with a
  // second factor.
  const keeper = { username: orgAdmin };
  if (agency === AGENCY) keeper.secret = (await aal2(orgAdmin, PASSWORD, false)).secret;
  return { people: out, orgToken, unit: unit.id, admin: keeper };
}

// A `datetime-local` value `days` later (the zone does not matter for the shift).
function later(local, days) {
  return new Date(new Date(`${local}:00Z`).getTime() + days * 86_400_000).toISOString().slice(0, 16);
}

// The organisation of one pass: the sending agency's people, the receiving agency's people,
// the exchange grants that let documents travel between them, and — on the organisation page,
// by the agency's administrator — the director's stand-in: the deputy, from now for three days
// (the form first sent without a reason, which the page refuses with an error summary).
async function setUp(browser, lang, js, tag) {
  const { people, unit, admin } = await organisation(AGENCY, 'Ministry of the Interior and Safety', tag, PEOPLE);
  const { people: recipients } = await organisation('MOE', 'Ministry of Education', tag, RECIPIENTS);
  const member = process.env.EGOV_MEMBER ?? 'KR/GOV/EGOV';
  for (const [service, items] of [['document-delivery', ['document_id', 'delivered_at']], ['receipt-confirmation', ['dispatch_id', 'status']]]) {
    must(await api('POST', '/exchange/v1/admin/grants', {
      client: `${member}/docflow`, service: `${member}/docflow/${service}`, purpose: 'docflow.distribution', items,
    }, await adminToken()), `grant ${service}`, [201, 409]);
  }
  const label = `${lang}${js ? '' : '-nojs'}`;
  const a = await deskSignIn(browser, admin, lang, js, '/desk/organisation');
  await check(a.page, label, lang, 'docs-org', 'organisation page', js);
  await a.page.selectOption('#standin-position_id', people.director.position);
  await a.page.selectOption('#standin-stand_in_position_id', people.deputy.position);
  const from = await a.page.inputValue('#standin-valid_from');
  expect(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(from), `${label}: the stand-in starts now unless changed (${from})`);
  await a.page.fill('#standin-valid_to', later(from, 3));
  await Promise.all([a.page.waitForLoadState('load'), a.page.click('#new-stand-in button[type=submit]')]);
  const summary = await a.page.$$eval('.egov-error-summary a', (as) => as.map((x) => x.getAttribute('href')));
  expect(summary.includes('#standin-reason'), `${label}: a stand-in without a reason gets an error summary linking to the reason`);
  await check(a.page, label, lang, 'docs-org-errors', 'organisation page with errors', js);
  await a.page.fill('#standin-reason', lang === 'ko' ? '연차 휴가' : 'Annual leave');
  await Promise.all([a.page.waitForLoadState('load'), a.page.click('#new-stand-in button[type=submit]')]);
  const refused = await a.page.$('.egov-error-summary');
  if (refused) throw new Error(`the stand-in was refused: ${(await refused.textContent()).replace(/\s+/g, ' ')}`);
  expect(/done=stand_in/.test(a.page.url()), `${label}: the stand-in is named`);
  expect(await a.page.$('#stand-ins-table form button') !== null, `${label}: the stand-in is listed in force, with "End now"`);
  await a.context.close();
  return { people, recipients, unit, admin };
}

const signIn = deskSignIn;

async function check(page, tag, lang, name, label, js) {
  if (!js) return;
  await axe(page, `${tag} ${label}`);
  if (name) await shot(page, `${name}-${lang}`);
  await fits320(page, `${tag} ${label}`);
}

// Presses one of the document page's action buttons and comes back to the document.
async function press(page, selector, tag, what) {
  await Promise.all([page.waitForURL(/done=/), page.click(selector)]);
  expect((await page.textContent('.egov-panel[role=status]'))?.length > 0, `${tag}: ${what} is done`);
}

async function openDocument(browser, who, lang, js, id) {
  const s = await signIn(browser, who, lang, js, `/desk/documents/${id}`);
  return s;
}

async function journey(browser, lang, js) {
  const tag = `${lang}${js ? '' : '-nojs'}`;
  const { people, recipients, unit, admin } = await setUp(browser, lang, js, tag.replace('-', ''));

  // The drafter: the form, empty first (the error summary), then the document and its line.
  const d = await signIn(browser, people.drafter, lang, js);
  await check(d.page, tag, lang, 'docs-work', 'document work list', js);
  await Promise.all([d.page.waitForURL(/\/desk\/documents\/new$/), d.page.click('main a[href="/desk/documents/new"]')]);
  await check(d.page, tag, lang, 'docs-draft', 'drafting form', js);
  await Promise.all([d.page.waitForLoadState('load'), d.page.click('main form button[type=submit]')]);
  const summary = await d.page.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')));
  expect(summary.includes('#title') && summary.includes('#line'), `${tag}: an empty draft gets an error summary linking to the title and the line`);
  await check(d.page, tag, lang, 'docs-draft-errors', 'drafting form with errors', js);
  await d.page.fill('#title', lang === 'ko' ? '2027년 예산 요구' : '2027 budget request');
  await d.page.fill('#body', lang === 'ko' ? '아래와 같이 예산을 요구합니다.\n\n붙임 예산표 참조.' : 'The division requests the budget below.\n\nSee the table.');
  await d.page.fill('#classification', '1310000-A-01');
  await d.page.selectOption('#doc_type', 'expenditure');
  await d.page.fill('#amount', '5000000');
  const line = [
    ['review', 'leader', ''], ['cooperation', 'coop_a', '1'], ['cooperation', 'coop_b', '1'],
    ['delegated_approve', 'director', ''], ['circulate', 'reader', ''],
  ];
  for (const [i, [kind, who, group]] of line.entries()) {
    await d.page.selectOption(`#line-${i}-kind`, kind);
    await d.page.selectOption(`#line-${i}-position`, people[who].position);
    await d.page.fill(`#line-${i}-group`, group);
  }
  await Promise.all([d.page.waitForURL(/done=created/), d.page.click('main form button[type=submit]')]);
  const id = new URL(d.page.url()).pathname.split('/').pop();
  await check(d.page, tag, lang, 'docs-document-draft', 'the new draft', js);
  // The budget table as an attachment: sent without a file first (refused beside the form).
  await Promise.all([d.page.waitForLoadState('load'), d.page.click('#do-attach button[type=submit]')]);
  expect((await d.page.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')))).includes('#attach-file'),
    `${tag}: adding no file is refused with an error summary linking to the file`);
  await d.page.setInputFiles('#attach-file', {
    name: 'budget-table.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'),
  });
  await press(d.page, '#do-attach button[type=submit]', tag, 'the attachment');
  expect((await d.page.textContent('main'))?.includes('budget-table.pdf'), `${tag}: the attachment is listed on the document`);
  await check(d.page, tag, lang, 'docs-document-attached', 'the draft with its attachment', js);
  await press(d.page, '#do-submit button[type=submit]', tag, 'submit');
  await d.page.fill('#recall-reason', lang === 'ko' ? '금액 확인' : 'Checking a figure');
  await press(d.page, '#do-recall button[type=submit]', tag, 'recall');
  expect((await d.page.$('#do-submit')) !== null, `${tag}: recalled, the document can be submitted again`);
  await press(d.page, '#do-submit button[type=submit]', tag, 'submit again');
  await d.context.close();

  // The leader finds it in "Waiting for me" with the keyboard only and approves.
  const l = await signIn(browser, people.leader, lang, js);
  const found = await l.page.$$eval('main table a', (as, want) => as.some((a) => a.getAttribute('href') === `/desk/documents/${want}`), id);
  expect(found, `${tag}: the document waits for the leader`);
  let reached = false;
  for (let i = 0; i < 60 && !reached; i += 1) {
    await l.page.keyboard.press('Tab');
    reached = await l.page.evaluate((want) => document.activeElement?.getAttribute('href') === `/desk/documents/${want}`, id);
  }
  expect(reached, `${tag}: the keyboard reaches the document's link`);
  await Promise.all([l.page.waitForURL(new RegExp(`/desk/documents/${id}$`)), l.page.keyboard.press('Enter')]);
  await check(l.page, tag, lang, 'docs-document-review', 'the document at the leader\'s step', js);
  await l.page.fill('#act-opinion', lang === 'ko' ? '금액 확인함' : 'Figures checked');
  await press(l.page, '#do-act button[value=approve]', tag, 'the review');
  await l.context.close();

  // Parallel cooperation: one agrees, one disagrees with an opinion (first without: refused).
  const a = await openDocument(browser, people.coop_a, lang, js, id);
  await press(a.page, '#do-act button[value=approve]', tag, 'cooperation A agrees');
  await a.context.close();
  const b = await openDocument(browser, people.coop_b, lang, js, id);
  await Promise.all([b.page.waitForLoadState('load'), b.page.click('#do-act button[value=disagree]')]);
  expect((await b.page.$('.egov-error-summary')) !== null, `${tag}: disagreeing without an opinion is refused with an error summary`);
  await check(b.page, tag, lang, js ? 'docs-document-refused' : '', 'a refused disagreement', js);
  await b.page.fill('#act-opinion', lang === 'ko' ? '법적 근거 보완 필요' : 'The legal basis needs a citation');
  await press(b.page, '#do-act button[value=disagree]', tag, 'cooperation B disagrees');
  await b.context.close();

  // The director is away: the deputy approves for them (대결) under the delegation table.
  const dep = await signIn(browser, people.deputy, lang, js);
  expect(await dep.page.$$eval('main table a', (as, want) => as.some((x) => x.getAttribute('href') === `/desk/documents/${want}`), id),
    `${tag}: the stand-in finds the director's document waiting`);
  await dep.page.goto(`${base}/desk/documents/${id}`);
  await press(dep.page, '#do-act button[value=approve]', tag, 'the acting approval');
  expect((await dep.page.$('#do-act')) === null, `${tag}: the stand-in is not asked to confirm the report on their own approval`);
  const after = await dep.page.textContent('main');
  expect(/MOIS|PLAN/.test(after ?? ''), `${tag}: the document is registered with a number`);
  await check(dep.page, tag, lang, 'docs-document-registered', 'the registered document', js);
  await dep.context.close();

  // The director confirms the post-report.
  const dir = await openDocument(browser, people.director, lang, js, id);
  expect((await dir.page.$('#do-act button[value=confirm]')) !== null, `${tag}: the director has a post-report to confirm`);
  await press(dir.page, '#do-act button[value=confirm]', tag, 'the post-report');
  await dir.context.close();

  // The drafter sends it (시행) to the Ministry of Education on this platform.
  const d2 = await openDocument(browser, people.drafter, lang, js, id);
  await d2.page.fill('#dispatch-0-agency', 'MOE');
  await press(d2.page, '#do-dispatch button[type=submit]', tag, 'the dispatch');
  expect(/Delivered|도착/.test((await d2.page.textContent('main')) ?? ''), `${tag}: the dispatch is delivered`);
  await check(d2.page, tag, lang, 'docs-dispatched', 'the dispatched document', js);

  // Its document office finds it in the inbox and receives it (접수) for a handler.
  const o = await signIn(browser, recipients.office, lang, js, '/desk/documents?list=inbox');
  await check(o.page, tag, lang, 'docs-inbox', 'document office inbox', js);
  await Promise.all([o.page.waitForURL(/\/desk\/documents\/[0-9a-f-]+$/), o.page.click('main table a')]);
  await check(o.page, tag, lang, 'docs-delivered', 'a delivered document', js);
  await o.page.selectOption('#receive-handler', recipients.handler.account);
  await press(o.page, '#do-receive button[type=submit]', tag, 'the receipt');
  await o.context.close();

  // The sender sees the receipt number; the handler finds it with the signatures checked.
  await d2.page.reload();
  expect(/Received by them|접수됨/.test((await d2.page.textContent('main')) ?? ''), `${tag}: the sender sees the receipt`);
  await d2.context.close();
  const h = await signIn(browser, recipients.handler, lang, js, '/desk/documents?list=circulated');
  await Promise.all([h.page.waitForURL(/\/desk\/documents\/[0-9a-f-]+$/), h.page.click('main table a')]);
  expect(/all checked and valid|모두 검증/.test((await h.page.textContent('main')) ?? ''), `${tag}: the received document's signatures check`);
  await check(h.page, tag, lang, 'docs-received', 'the received document', js);
  await h.context.close();

  // The reader: circulated, not read yet; opened; read.
  const r = await signIn(browser, people.reader, lang, js, '/desk/documents?list=circulated');
  await check(r.page, tag, lang, 'docs-circulated', 'circulated list', js);
  await r.page.goto(`${base}/desk/documents/${id}`);
  await r.page.goto(`${base}/desk/documents?list=circulated`);
  const row = await r.page.textContent('main table');
  expect(row !== null && !/아직 읽지 않음|Not read yet/.test(row), `${tag}: the circulated reader's read is recorded`);
  await r.context.close();

  // The records manager opens a record file, finds the document in the unit's production
  // ledger, files it and places a legal hold; disposal is then refused beside the form.
  const rm = await signIn(browser, people.records, lang, js, '/desk/records');
  await check(rm.page, tag, lang, 'docs-records', 'records desk', js);
  await rm.page.selectOption('#file-unit_id', unit);
  await rm.page.fill('#file-title', lang === 'ko' ? '2027 예산' : 'Budget 2027');
  await rm.page.fill('#file-classification', '1310000-A-01');
  await Promise.all([rm.page.waitForURL(/done=file/), rm.page.click('#new-file button[type=submit]')]);
  await rm.page.selectOption('#ledger-unit', unit);
  await Promise.all([rm.page.waitForURL(/unit=/), rm.page.click('form[action="/desk/records"] button[type=submit]')]);
  expect(await rm.page.$(`main table a[href="/desk/documents/${id}"]`) !== null, `${tag}: the production ledger lists the document`);
  await check(rm.page, tag, lang, 'docs-ledger', 'registration ledger', js);
  await Promise.all([rm.page.waitForURL(new RegExp(`/desk/documents/${id}$`)), rm.page.click(`main table a[href="/desk/documents/${id}"]`)]);
  await press(rm.page, '#do-file button[type=submit]', tag, 'filing');
  await rm.page.fill('#hold-reason', lang === 'ko' ? '감사원 감사' : 'Audit of the 2027 budget');
  await rm.page.fill('#hold-authority', lang === 'ko' ? '감사원 요청 2026-17' : 'Board of Audit request 2026-17');
  await press(rm.page, '#do-hold button[type=submit]', tag, 'the legal hold');
  await rm.page.fill('#dispose-reason', lang === 'ko' ? '보존기간 경과' : 'Retention over');
  await Promise.all([rm.page.waitForLoadState('load'), rm.page.click('#do-dispose button[type=submit]')]);
  expect((await rm.page.$('.egov-error-summary')) !== null, `${tag}: disposal under a legal hold is refused with an error summary`);
  await check(rm.page, tag, lang, 'docs-records-document', 'a held document refused disposal', js);
  await rm.context.close();

  // The director is back: the administrator ends the stand-in early.
  const ad = await signIn(browser, admin, lang, js, '/desk/organisation');
  await Promise.all([ad.page.waitForURL(/done=end_stand_in/), ad.page.click('#stand-ins-table form button')]);
  expect(await ad.page.$('#stand-ins-table form button') === null, `${tag}: the ended stand-in can no longer be ended`);
  await check(ad.page, tag, lang, 'docs-org-ended', 'organisation page, stand-in ended', js);
  await ad.context.close();
}

const browser = await launch();
try {
  for (const lang of languages) await journey(browser, lang, true);
  await journey(browser, languages[0], false);
} catch (e) {
  fail(`document journey stopped: ${e.stack ?? e}`);
}
await browser.close();
finish('the document journey passed');
