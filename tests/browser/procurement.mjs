// The e-procurement journey in headless Chromium: bids sealed in the bidder's browser.
//
// Set-up through the API, as the deployment's people would do it: the platform admin creates
// the procurement agency (PPS), invites a buying officer and three opening committee members;
// each member makes a key with `egov procurement committee-key` and registers it; the admin
// grants the procurement module the tax clearance service of the exchange.
//
// Then, for each language asked for with script, and once without script, a business signs
// in (password and authenticator code) on "Bidding for businesses": registers as a supplier,
// ticks the consent in words and gets its tax clearance through the exchange, and registers a
// bid signing key — made in the browser (Web Crypto, kept in IndexedDB), or without script
// made by `egov procurement bidder-key` and pasted in. The buying officer signs in on the
// desk, is refused a tender without dates (error summary), makes the tender on the page with
// the committee ticked by name, and publishes it; the first business asks a question on the
// question page and the officer answers it on the desk; the notice shows both. Each
// business opens the notice, follows "Bid on this tender" and bids: with script the page seals
// the price, the picks and a document in the browser; without script the business sends the
// file `egov procurement seal-bid` wrote. Each gets the receipt and downloads it; one replaces
// its bid, one withdraws and bids again; a file changed after it was signed is refused with
// an error summary.
//
// Every request the browser sent is recorded: no price and no document text is in any of
// them. Before the opening the database is read directly (SQLite file and its WAL, or
// pg_dump): no price and no document text is in it. After the deadline two of the three
// members sign in on the committee page, which shows each the share sealed to their key; they
// open it with `egov procurement open-share` (the first is refused a share that is not one)
// and hand it in, and the second opens the bids there. The opening finds every page-sealed
// bid valid with the price the business typed: the browser's HPKE and Ed25519 agree with the
// server's. The public notice then shows the transcript. The buyer ranks and decides the
// award on the desk; after the standstill the winner opens the contract from its bid page, is
// refused without the declaration, signs, and the buyer signs on the desk's contract page:
// the contract is in force. On the way: the buyer amends the notice on the desk; the draw is
// recomputed in the reader's browser (and no longer agrees once a price is changed in the
// page); the evaluator downloads a document the bidder's page sealed and scores the bid; a
// losing bidder complains about the award and the review body dismisses it on its page; the
// buyer proposes a contract amendment with a new end date.
// axe-core on every page (0 WCAG 2.1 A/AA violations), each at 320 CSS px, screenshots into
// docs/screenshots/.
//
// EGOV_URL: the running egov, started with EGOV__PROCUREMENT__ACCELERATION (the pack's days
// in seconds: EGOV_ACCELERATION, default 20160, makes 7 days 30 s) and its database at
// EGOV_DATABASE_URL; EGOV_BIN: the egov binary.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  PASSWORD, aal2, adminToken, api, axe, base, businessId, deskSignIn, expect, fail, finish, fits320, launch, must, resend, shot,
} from './lib.mjs';

const languages = (process.env.LANGS ?? 'ko,en').split(',');
const EGOV = process.env.EGOV_BIN ?? 'egov';
const DB = process.env.EGOV_DATABASE_URL ?? '';
const acceleration = Number(process.env.EGOV_ACCELERATION ?? '20160');
const run = Math.floor(Math.random() * 90000) + 1000;
const tmp = mkdtempSync(path.join(tmpdir(), 'egov-proc-'));
const egov = (...args) => execFileSync(EGOV, args, { encoding: 'utf8', env: { ...process.env, EGOV_ENVIRONMENT: 'ci' } }).trim();
const sub = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub;

async function officer(roles, tag) {
  const admin = await adminToken();
  must(await api('POST', '/auth/agencies', { id: 'PPS', name: 'Public Procurement Service' }, admin), 'agency', [201, 409]);
  const username = `proc.${tag}.${run}`;
  const invited = must(await api('POST', '/auth/agencies/PPS/accounts', {
    kind: 'officer', username, display_name: `Officer ${tag}`, roles,
  }, admin), `invite ${username}`);
  must(await api('POST', '/auth/invitations/accept', { token: invited.invitation_token, password: PASSWORD }), 'accept');
  const { token, secret } = await aal2(username, PASSWORD);
  return { token, username, secret, name: `Officer ${tag}`, lastStep: Math.floor(Date.now() / 30000) };
}

async function setUp() {
  const buyer = await officer(['procurement.officer'], 'buyer');
  const committee = [];
  for (let i = 0; i < 3; i += 1) {
    const member = await officer(['procurement.committee'], `member${i}`);
    const { token, name } = member;
    const key = path.join(tmp, `member-${i}.json`);
    const publicKey = egov('procurement', 'committee-key', '--out', key);
    must(await api('PUT', '/procurement/v1/committee/key', { public_key: publicKey }, token), 'committee key', [204]);
    committee.push({ ...member, key, sub: sub(token) });
  }
  const evaluator = await officer(['procurement.evaluator'], 'evaluator');
  evaluator.sub = sub(evaluator.token);
  const reviewer = await officer(['procurement.reviewer'], 'reviewer');
  const member = process.env.EGOV_MEMBER ?? 'KR/GOV/EGOV';
  must(await api('POST', '/exchange/v1/admin/grants', {
    client: `${member}/procurement`, service: `${member}/tax/tax-clearance`,
    purpose: 'procurement.eligibility', items: ['business_id', 'arrears', 'as_of', 'valid_until'],
  }, await adminToken()), 'grant', [201, 409]);
  return { buyer, committee, evaluator, reviewer };
}

// A business account with an authenticator enrolled: { username, secret, business }.
async function business(tag, seq) {
  const username = `supplier.${tag}.${run}`;
  const id = businessId(seq);
  must(await api('POST', '/auth/register', {
    kind: 'business', username, display_name: `Bidder ${tag.toUpperCase()} Co.`, password: PASSWORD, business_id: id,
  }), `register ${username}`, [202]);
  const { secret } = await aal2(username, PASSWORD, false);
  return { username, secret, business: id.replace(/-/g, '') };
}

// axe, a screenshot, and 320 px (with a screenshot at that width of the bid page and the
// opened notice).
async function check(page, tag, lang, name, label) {
  await axe(page, `${tag} ${label}`);
  await shot(page, `${name}-${lang}`);
  const narrow = ['proc-bid-receipt', 'proc-opened'].includes(name) ? `${name}-${lang}-320` : undefined;
  await fits320(page, `${tag} ${label}`, narrow);
}

const submit = (page, url, selector = 'main form button[type=submit]') =>
  Promise.all([page.waitForURL(url), page.click(selector)]);

// Signs in, registers, checks eligibility and sets up the key: the bidder's browser page.
async function prepare(browser, lang, js, seq) {
  const tag = `${lang}${js ? '' : '-nojs'}`;
  const who = await business(tag.replace('-', ''), seq);
  const { context, page } = await deskSignIn(browser, who, lang, js, '/my/procurement');
  const sent = [];
  page.on('request', (r) => { if (r.method() === 'POST') sent.push(r.postDataBuffer() ?? Buffer.alloc(0)); });
  if (js) await check(page, tag, lang, 'proc-supplier', 'bidding for businesses');
  await page.fill('#name', `Bidder ${tag} Co.`);
  await page.click('label[for=cat-goods]');
  await page.fill('#rep_name', 'Kim Minji');
  await page.fill('#rep_role', 'CEO');
  await submit(page, /done=registered/, 'form[action="/my/procurement/registration"] button[type=submit]');
  // The consent is needed: without it, an error summary.
  await submit(page, /\/my\/procurement\/eligibility$/, 'form[action="/my/procurement/eligibility"] button[type=submit]');
  expect((await page.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')))).includes('#consent'),
    `${tag}: the eligibility check without consent says so`);
  if (js) await check(page, tag, lang, 'proc-consent-missing', 'eligibility without consent');
  await page.click('label[for=consent]');
  await submit(page, /done=checked/, 'form[action="/my/procurement/eligibility"] button[type=submit]');
  let keyFile = null;
  if (js) {
    await Promise.all([page.waitForURL(/done=key/), page.click('.egov-keygen-make')]);
  } else {
    keyFile = path.join(tmp, `bidder-${tag}.json`);
    const publicKey = egov('procurement', 'bidder-key', '--out', keyFile);
    await page.fill('#key-label', 'CLI key');
    await page.fill('#key-public', publicKey);
    await submit(page, /done=key/, 'form[action="/my/procurement/keys"] button[type=submit]');
  }
  expect((await page.$$('.egov-key-id')).length === 1, `${tag}: the key is registered`);
  if (js) {
    expect((await page.textContent('.egov-key-state')).includes('·'), `${tag}: the key is kept in this browser`);
    await check(page, tag, lang, 'proc-keys', 'bidding, key registered');
  }
  const keyId = (await page.textContent('.egov-key-id')).trim();
  return { tag, lang, js, who, context, page, sent, keyFile, keyId, prices: [], secrets: [] };
}

// A time as a `datetime-local` value in the pack's zone (EGOV_TIME_ZONE, kr's by default).
const zone = process.env.EGOV_TIME_ZONE ?? 'Asia/Seoul';
const local = (ms) => new Intl.DateTimeFormat('sv-SE', {
  timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
}).format(new Date(ms)).replace(' ', 'T');

const status = async (id) => (await api('GET', `/procurement/v1/tenders/${id}`)).body.status;
async function waitFor(id, wanted) {
  for (let i = 0; i < 120; i += 1) {
    if (wanted.includes(await status(id))) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`tender ${id} never reached ${wanted.join(' or ')}`);
}

// The buyer's desk: the tender made on the page (the committee chosen by name), published;
// a bidder asks a question on its page, the buyer answers on the desk, the notice shows both.
async function createTender(browser, buyer, committee, evaluator, asker) {
  const lang = languages[0];
  const { context, page } = await deskSignIn(browser, buyer, lang, true, '/desk/procurement');
  await check(page, 'buyer', lang, 'proc-desk', 'the buyer desk');
  await Promise.all([page.waitForURL(/\/desk\/procurement\/new$/), page.click('main a[href="/desk/procurement/new"]')]);
  await check(page, 'buyer', lang, 'proc-new', 'new tender form');
  const offered = await page.$$eval('input[name=committee]', (is) => is.map((i) => i.value));
  expect(committee.every((m) => offered.includes(m.sub)), 'buyer: the committee is offered by name from the agency\'s officials');
  await resend(page, 'main form button[type=submit]');
  const refused = await page.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')));
  expect(['#enquiry_end', '#deadline', '#opening_at'].every((a) => refused.includes(a)),
    `buyer: a tender without dates is refused with an error summary (${refused.join(' ')})`);
  await check(page, 'buyer', lang, 'proc-new-errors', 'new tender refused');
  const now = Date.now();
  const minimum = (7 * 86400 * 1000) / acceleration;
  // Questions first, then room for five bids and a refused one before the deadline.
  const deadline = Math.max(minimum + 40000, 100000);
  await page.selectOption('#procedure', 'goods-lowest-price');
  await page.click('label[for=category-goods]');
  await page.fill('#title', `Office laptops ${run}`);
  await page.fill('#description', 'Supply of 200 office laptops with three years of on-site service, as specified in the terms.');
  await page.fill('#lot-0-title', 'Laptops');
  await page.fill('#lot-0-base', '100,000,000');
  await page.fill('#enquiry_end', local(now + 25000));
  await page.fill('#deadline', local(now + deadline));
  await page.fill('#opening_at', local(now + deadline));
  for (const m of committee) {
    const id = await page.getAttribute(`input[name=committee][value="${m.sub}"]`, 'id');
    await page.click(`label[for="${id}"]`);
  }
  const evId = await page.getAttribute(`input[name=evaluators][value="${evaluator.sub}"]`, 'id');
  await page.click(`label[for="${evId}"]`);
  await Promise.all([page.waitForURL(/done=created/), page.click('main form button[type=submit]')]);
  const id = page.url().split('/tenders/')[1].split('?')[0];
  const shown = await page.textContent('main');
  expect(committee.every((m) => shown.includes(m.name)), 'buyer: the draft names its committee');
  await check(page, 'buyer', lang, 'proc-desk-draft', 'the draft on the desk');
  await Promise.all([page.waitForURL(/done=published/), page.click('form#publish button[type=submit]')]);
  expect((await api('GET', `/procurement/v1/tenders/${id}`)).body.opening_key, 'buyer: published from the desk, with its opening key');
  // The question, asked on its page during the enquiry period.
  await waitFor(id, ['enquiry']);
  const q = asker.page;
  await q.goto(`${base}/tenders/${id}`);
  await Promise.all([q.waitForURL(/\/questions\/new$/), q.click(`main a[href="/tenders/${id}/questions/new"]`)]);
  await check(q, asker.tag, asker.lang, 'proc-ask', 'the question page');
  const question = `Can the laptops be delivered in two batches? (${run})`;
  await q.fill('#question', question);
  await Promise.all([q.waitForURL(/asked=1/), q.click('main form button[type=submit]')]);
  expect((await q.textContent('main')).includes(question), `${asker.tag}: the notice shows the question`);
  await page.goto(`${base}/desk/procurement/tenders/${id}`);
  const answer = `Yes, in two batches a week apart (${run}).`;
  await page.fill('textarea[name=answer]', answer);
  await Promise.all([page.waitForURL(/done=answered/), page.click('.egov-qa form button[type=submit]')]);
  await q.goto(`${base}/tenders/${id}`);
  expect((await q.textContent('main')).includes(answer), `${asker.tag}: the notice shows the buyer's answer`);
  // An amendment on the desk (a new description, with its published reason); the notice
  // shows it numbered.
  await page.goto(`${base}/desk/procurement/tenders/${id}`);
  await page.click('details:has(form#amend) summary');
  await page.fill('#amend-reason', 'Delivery in two batches, as answered.');
  await page.fill('#amend-description', 'Supply of 200 office laptops in two batches a week apart, with three years of on-site service.');
  await check(page, 'buyer', lang, 'proc-desk-amend', 'the amendment form');
  await Promise.all([page.waitForURL(/done=amended/), page.click('form#amend button[type=submit]')]);
  await q.goto(`${base}/tenders/${id}`);
  expect((await q.textContent('main')).includes('Delivery in two batches, as answered.'), `${asker.tag}: the notice shows the amendment`);
  // Bids once the enquiry period has ended.
  await waitFor(id, ['tendering']);
  return { id, deadline: now + deadline, desk: { context, page } };
}

// Bids from the bid page: sealed in the browser, or the file seal-bid wrote.
async function bid(b, tender, price, doc) {
  const { page, tag } = b;
  await page.goto(`${base}/tenders/${tender.id}`);
  await Promise.all([page.waitForURL(/\/bid$/), page.click(`main a[href="/tenders/${tender.id}/bid"]`)]);
  if (b.js) {
    await page.fill('#price', price.toLocaleString('en-US'));
    await page.click('label[for=pick-3]');
    await page.click('label[for=pick-11]');
    await page.setInputFiles('#documents', { name: 'proposal.txt', mimeType: 'text/plain', buffer: Buffer.from(doc) });
  } else {
    const tenderFile = path.join(tmp, `tender-${tag}.json`);
    writeFileSync(tenderFile, JSON.stringify((await api('GET', `/procurement/v1/tenders/${tender.id}`)).body));
    const docFile = path.join(tmp, `proposal-${tag}.txt`);
    writeFileSync(docFile, doc);
    const out = path.join(tmp, `bid-${tag}-${price}.json`);
    egov('procurement', 'seal-bid', '--tender', tenderFile, '--key', b.keyFile, '--key-id', b.keyId, '--lot', '1',
      '--supplier', b.who.business, '--price', String(price), '--picks', '2,10', '--document', `Proposal=${docFile}`, '--out', out);
    await page.setInputFiles('#bid-file', out);
  }
  await submit(page, /sent=/, 'form.egov-bid button[type=submit]');
  b.prices.push(price);
  b.secrets.push(doc);
  const digest = (await page.textContent('#receipt code')).trim();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#receipt a[download]')]);
  const receipt = JSON.parse(readFileSync(await download.path(), 'utf8'));
  expect(receipt.receipt?.digest === digest && typeof receipt.signature === 'string',
    `${tag}: the signed receipt downloads, with the digest shown`);
  return digest;
}

// A bid file changed after it was signed is refused, with an error summary, and nothing is kept.
async function tampered(b, tender) {
  const { page, tag } = b;
  const tenderFile = path.join(tmp, `tender-${tag}.json`);
  const out = path.join(tmp, `bid-${tag}-tampered.json`);
  egov('procurement', 'seal-bid', '--tender', tenderFile, '--key', b.keyFile, '--key-id', b.keyId, '--lot', '1',
    '--supplier', b.who.business, '--price', '91000000', '--picks', '1,2', '--out', out);
  const f = JSON.parse(readFileSync(out, 'utf8'));
  const bytes = Buffer.from(f.sealed, 'base64');
  bytes[bytes.length - 20] ^= 1;
  f.sealed = bytes.toString('base64');
  writeFileSync(out, JSON.stringify(f));
  await page.goto(`${base}/tenders/${tender.id}/bid`);
  const before = (await page.$$('table.egov-my-bids tbody tr')).length;
  await page.setInputFiles('#bid-file', out);
  await Promise.all([page.waitForLoadState('load'), page.click('form.egov-bid button[type=submit]')]);
  expect((await page.$$('.egov-error-summary li')).length > 0, `${tag}: a bid changed after it was signed is refused with an error summary`);
  await page.goto(`${base}/tenders/${tender.id}/bid`);
  expect((await page.$$('table.egov-my-bids tbody tr')).length === before, `${tag}: the refused bid changed nothing`);
}

// The database's bytes as they are on disk (SQLite: the file and its WAL) or dumped (pg_dump).
function databaseBytes() {
  if (DB.startsWith('sqlite://')) {
    const file = DB.slice('sqlite://'.length);
    const dir = path.dirname(file);
    return Buffer.concat(readdirSync(dir).filter((n) => n.startsWith(path.basename(file)))
      .map((n) => readFileSync(path.join(dir, n))));
  }
  if (DB.startsWith('postgres')) return execFileSync('pg_dump', ['--data-only', DB], { maxBuffer: 1 << 30 });
  throw new Error('EGOV_DATABASE_URL is not set: the database cannot be read');
}

// Nothing the browsers sent, and nothing in the database, holds a price or a document in clear.
function noClear(bidders, when) {
  for (const b of bidders) {
    const needles = [...b.prices.map(String), ...b.secrets];
    const leaked = b.sent.filter((body) => needles.some((n) => body.includes(n)));
    expect(leaked.length === 0, `${b.tag}: none of the ${b.sent.length} requests the browser sent holds the price or the document`);
  }
  const needles = bidders.flatMap((b) => [...b.prices.map(String), ...b.secrets]);
  const dump = databaseBytes();
  const found = needles.filter((n) => dump.includes(n));
  expect(found.length === 0, `${when}: the database (read directly, ${dump.length} bytes) holds no price and no document text (${found.join(', ') || 'none found'})`);
}

const browser = await launch();
try {
  const { buyer, committee, evaluator, reviewer } = await setUp();
  const bidders = [];
  let seq = 300 + (run % 500);
  for (const lang of languages) bidders.push(await prepare(browser, lang, true, (seq += 1)));
  bidders.push(await prepare(browser, languages[0], false, (seq += 1)));
  const tender = await createTender(browser, buyer, committee, evaluator, bidders[0]);
  // Prices unique to this run, so that the database read finds only this run's.
  const price = (b, i) => 95000000 + (run % 1000) * 1000 + bidders.indexOf(b) * 500000 + i * 10 + 7;
  for (const b of bidders) {
    await bid(b, tender, price(b, 0), `SECRET-PROPOSAL-${b.tag}-${run}-A`);
    if (b.js) await check(b.page, b.tag, b.lang, 'proc-bid-receipt', 'bid page with the receipt');
  }
  // The first replaces its bid; the second withdraws its bid and bids again.
  const [first, second] = bidders;
  await bid(first, tender, price(first, 1), `SECRET-PROPOSAL-${first.tag}-${run}-B`);
  const statuses = await first.page.$$eval('table.egov-my-bids tbody tr td:nth-child(3)', (tds) => tds.map((t) => t.textContent.trim()));
  expect(statuses.length === 2 && statuses[0] !== statuses[1], `${first.tag}: the later bid replaces the earlier one (${statuses.join(' / ')})`);
  if (second.js) {
    await Promise.all([second.page.waitForURL(/#mine$/), second.page.click('table.egov-my-bids form button[type=submit]')]);
    await bid(second, tender, price(second, 1), `SECRET-PROPOSAL-${second.tag}-${run}-B`);
  }
  await tampered(bidders[bidders.length - 1], tender);
  noClear(bidders, 'before the opening');
  // The deadline passes; two of three members open their shares and hand them in.
  while (Date.now() < tender.deadline + 2000) await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < 60; i += 1) {
    const s = (await api('GET', `/procurement/v1/tenders/${tender.id}`)).body.status;
    if (s !== 'tendering' && s !== 'enquiry') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  // The two members, each on the committee page: the share sealed to their key is shown;
  // each opens it with `egov procurement open-share` and hands it in (the first is refused a
  // share that is not one, with an error summary); the second opens the bids.
  for (const [i, m] of committee.slice(0, 2).entries()) {
    const { context, page } = await deskSignIn(browser, m, languages[0], true, '/desk/procurement/committee');
    const sealed = (await page.inputValue(`#sealed-${tender.id}`)).trim();
    if (i === 0) {
      await check(page, 'committee', languages[0], 'proc-committee', 'the committee page after the deadline');
      await page.fill(`#share-${tender.id}`, 'not a share');
      await resend(page, `#t-${tender.id} form button[type=submit]`);
      expect((await page.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')))).includes(`#share-${tender.id}`),
        'committee: a share that is not one is refused with an error summary');
    }
    const share = egov('procurement', 'open-share', '--key', m.key, '--sealed-share', sealed);
    await page.fill(`#share-${tender.id}`, share);
    await Promise.all([page.waitForURL(/done=handed-in/), page.click(`#t-${tender.id} form button[type=submit]`)]);
    if (i === 1) {
      await Promise.all([page.waitForURL(new RegExp(`/tenders/${tender.id}#opening$`)),
        page.click(`form[action="/desk/procurement/committee/${tender.id}/open"] button[type=submit]`)]);
    }
    await context.close();
  }
  const transcript = (await api('GET', `/procurement/v1/tenders/${tender.id}`)).body.opening;
  expect(transcript && Array.isArray(transcript.bids), 'committee: the bids are opened from the committee page');
  for (const b of bidders) {
    const last = String(b.prices[b.prices.length - 1]);
    const mine = transcript.bids.filter((x) => x.supplier === b.who.business);
    expect(mine.length === 1 && mine[0].status === 'valid' && mine[0].price === last,
      `${b.tag}: the opening finds the ${b.js ? 'page-sealed' : 'file'} bid valid at the price typed (${mine.map((x) => `${x.status} ${x.price} ${(x.reasons ?? []).join('; ')}`).join(', ')})`);
  }
  // The same read finds the prices once the bids are opened: it can see them.
  const after = databaseBytes();
  expect(bidders.every((b) => after.includes(String(b.prices[b.prices.length - 1]))),
    'after the opening the same database read finds the opened prices');
  const { page } = bidders[0];
  await page.goto(`${base}/tenders/${tender.id}`);
  const text = await page.textContent('main');
  expect(bidders.every((b) => text.includes(b.who.business)), 'the public notice shows every bid in the opening transcript');
  await check(page, 'public', bidders[0].lang, 'proc-opened', 'notice after the opening');
  // The draw recomputed in the reader's browser agrees with the published one; changed in the
  // page, it no longer does.
  await page.click('[data-draw] button');
  await page.waitForSelector('[data-draw] [data-result].egov-draw-ok');
  await page.evaluate(() => {
    const d = document.querySelector('[data-draw]');
    const p = JSON.parse(d.dataset.published);
    p[0] = String(BigInt(p[0].split('.')[0]) + 1n);
    d.dataset.published = JSON.stringify(p);
  });
  await page.click('[data-draw] button');
  await page.waitForSelector('[data-draw] [data-result].egov-draw-bad');
  expect(true, 'the draw recomputed in the browser matches the published one, and a changed price does not');
  // The evaluator reads the opened bids (each document as the bidder sealed it in the page)
  // and scores one.
  {
    const { context: ec, page: ep } = await deskSignIn(browser, evaluator, languages[0], true, '/desk/procurement/evaluation');
    await check(ep, 'evaluator', languages[0], 'proc-evaluation', 'the evaluation page');
    const bidId = transcript.bids.find((x) => x.supplier === bidders[0].who.business).bid_id;
    const [download] = await Promise.all([ep.waitForEvent('download'), ep.click(`#b-${bidId} a[download]`)]);
    const doc = readFileSync(await download.path(), 'utf8');
    expect(doc === bidders[0].secrets[bidders[0].secrets.length - 1], 'evaluator: the document opened is the one sealed in the bidder\'s page');
    await ep.fill(`#score-${bidId}`, 'many');
    await resend(ep, `#b-${bidId} form button[type=submit]`);
    expect((await ep.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')))).includes(`#score-${bidId}`),
      'evaluator: a score that is not a number is refused with an error summary');
    await ep.fill(`#score-${bidId}`, '88.5');
    await Promise.all([ep.waitForURL(/done=scored/), ep.click(`#b-${bidId} form button[type=submit]`)]);
    await ec.close();
  }
  // The buyer ranks and awards; the standstill runs out; the winner (the lowest valid price)
  // reads the contract and signs it on its page, then the buyer signs.
  // The buyer ranks and decides the award on the desk.
  const desk = tender.desk.page;
  await desk.goto(`${base}/desk/procurement/tenders/${tender.id}`);
  await Promise.all([desk.waitForURL(/done=ranked/), desk.click('form#rank button[type=submit]')]);
  await Promise.all([desk.waitForURL(/done=awarded/), desk.click('form#award button[type=submit]')]);
  await check(desk, 'buyer', languages[0], 'proc-desk-awarded', 'the tender awarded on the desk');
  // A losing bidder complains about the award on the complaint page; the review body
  // dismisses it on its page, and the standstill resumes with its time given back.
  {
    const loser = bidders[1];
    const lp = loser.page;
    await lp.goto(`${base}/tenders/${tender.id}`);
    await Promise.all([lp.waitForURL(/\/complaints\/new$/), lp.click(`main a[href="/tenders/${tender.id}/complaints/new"]`)]);
    await check(lp, loser.tag, loser.lang, 'proc-complain', 'the complaint page');
    await lp.fill('#text', 'The winning price is below cost; we ask for its justification.');
    await Promise.all([lp.waitForURL(/complained=1/), lp.click('main form button[type=submit]')]);
    expect(await status(tender.id) === 'suspended', `${loser.tag}: the complaint suspends the tender`);
    const { context: rc, page: rp } = await deskSignIn(browser, reviewer, languages[0], true, '/desk/procurement/complaints');
    await check(rp, 'reviewer', languages[0], 'proc-review', 'the review body\'s page');
    await resend(rp, 'main form button[type=submit]');
    expect((await rp.$$('.egov-error-summary li')).length > 0, 'reviewer: a decision without a choice is refused with an error summary');
    await rp.click('main form input[value=dismissed] + label');
    await rp.fill('main form textarea[name=reason]', 'The price is justified by the bidder\'s stock, as its documents show.');
    await Promise.all([rp.waitForURL(/done=decided/), rp.click('main form button[type=submit]')]);
    expect(await status(tender.id) === 'standstill', 'reviewer: dismissed, the standstill resumes');
    await rc.close();
  }
  let awarded = null;
  for (let i = 0; i < 240 && !awarded; i += 1) {
    const v = (await api('GET', `/procurement/v1/tenders/${tender.id}`)).body;
    if (v.status === 'awarded' && v.contracts?.length) awarded = v;
    else await new Promise((r) => setTimeout(r, 500));
  }
  if (!awarded) throw new Error('the standstill did not end with a contract');
  const winner = bidders.find((b) => b.who.business === awarded.awards[0].supplier);
  expect(winner === bidders[0], `the lowest price wins (${awarded.awards[0].supplier} at ${awarded.awards[0].amount})`);
  const wp = winner.page;
  await wp.goto(`${base}/tenders/${tender.id}/bid`);
  expect((await wp.textContent('table.egov-my-bids')).includes(winner.prices[winner.prices.length - 1].toLocaleString('en-US')),
    `${winner.tag}: my bids show the opened price`);
  const contract = awarded.contracts[0].id;
  await Promise.all([wp.waitForURL(new RegExp(`/contracts/${contract}$`)), wp.click(`main a[href="/my/procurement/contracts/${contract}"]`)]);
  await submit(wp, /\/sign$/);
  expect((await wp.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')))).includes('#agree'),
    `${winner.tag}: signing without the declaration says so`);
  await wp.click('label[for=agree]');
  await submit(wp, /signed=1$/);
  expect((await wp.textContent('main')).includes(winner.lang === 'ko' ? '서명' : 'Signed'), `${winner.tag}: the contract shows my signature`);
  if (winner.js) await check(wp, winner.tag, winner.lang, 'proc-contract', 'the signed contract');
  // The buyer signs on the desk's contract page.
  await desk.goto(`${base}/desk/procurement/tenders/${tender.id}`);
  await Promise.all([desk.waitForURL(new RegExp(`/desk/procurement/contracts/${contract}$`)),
    desk.click(`main a[href="/desk/procurement/contracts/${contract}"]`)]);
  await desk.click('label[for=agree]');
  await Promise.all([desk.waitForURL(/signed=1$/), desk.click('main form button[type=submit]')]);
  await check(desk, 'buyer', languages[0], 'proc-desk-contract', 'the contract signed by both');
  const both = must(await api('GET', `/procurement/v1/contracts/${contract}`, undefined, buyer.token), 'the contract');
  expect(both.status === 'active', `the contract is in force once both have signed (${both.status})`);
  // The buyer proposes an amendment on the desk: an amount it cannot read is refused with an
  // error summary; a new end date makes version 2, to be signed by both again.
  await desk.click('details:has(form#amend) summary');
  await desk.fill('#amend-reason', 'Delivery moved by two weeks at the agency\'s request.');
  await desk.fill('#amount', 'a lot');
  await resend(desk, 'form#amend button[type=submit]');
  expect((await desk.$$eval('.egov-error-summary a', (as) => as.map((a) => a.getAttribute('href')))).includes('#amount'),
    'buyer: an amount that is not one is refused with an error summary');
  await desk.fill('#amount', '');
  await desk.fill('#end_date', '2027-06-30');
  await check(desk, 'buyer', languages[0], 'proc-contract-amend', 'the contract amendment form');
  await Promise.all([desk.waitForURL(/amended=1$/), desk.click('form#amend button[type=submit]')]);
  expect((await desk.textContent('main')).includes('2027-06-30'), 'buyer: version 2 of the contract has the new end date');
  await tender.desk.context.close();
  for (const b of bidders) await b.context.close();
} catch (e) {
  fail(`the procurement journey stopped: ${e.stack ?? e}`);
} finally {
  await browser.close();
}
finish('procurement journey: done');
