// What the browser checks share: Debian's Chromium launched headless without reaching the
// internet, axe-core against WCAG 2.1 A/AA, and the pass/fail log.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
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
