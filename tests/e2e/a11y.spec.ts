// Accessibility (issue 11): axe-core at every step of a real issuance against Pebble, and on every panel and
// dialog reachable from there, at desktop (1280×800) and phone (390×844) width. Any serious or critical
// violation of WCAG 2.0/2.1/2.2 A and AA (and axe's best practices) fails the test, with the rule, its impact,
// the element and axe's help; moderate and minor ones are only listed in the test's annotations.
//
// Both walks run twice: in English, and in German for a browser that prefers German (issue 11), where every
// audit also requires `<html lang="de">` and no English left in what the page shows (support.ts englishLeft:
// values, URLs and the CA's own words aside).
//
// axe is injected with page.evaluate: the DevTools protocol's evaluation is exempt from the page's
// Content-Security-Policy (script-src 'self', no inline script), so the page runs under exactly the policy it
// ships with, and a CSP that breaks the page cannot pass unnoticed here (bypassCSP would hide that).
import * as fs from 'fs';
import type { Page, Route, TestInfo } from '@playwright/test';
import {
  test,
  expect,
  PHONE,
  Shots,
  acmeOrigin,
  addHttp01,
  button,
  checkDns,
  chooseChallenge,
  englishLeft,
  connect,
  connectHere,
  createAccount,
  createOrder,
  expectCurrentStep,
  openssl,
  placeTxtRecords,
  rand,
  readTxtRecords,
  step,
  submitChallenges,
  tr,
  trPattern,
  useLanguage,
  waitForCertificate,
  walkingIn,
} from './support';

test.describe.configure({ timeout: 150_000 });

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];
const WIDTHS = [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', PHONE],
] as const;
const FAILING = ['serious', 'critical'];
const GERMAN_SHOTS = new Shots('de-audit-');

type Violation = { id: string; impact: string | null; help: string; helpUrl: string; nodes: { target: unknown[] }[] };

/** Runs axe on the whole page at both widths; fails (softly, so the walk goes on) on serious or critical findings. */
async function audit(page: Page, testInfo: TestInfo, where: string) {
  const before = page.viewportSize();
  const failing: string[] = [];
  for (const [width, size] of WIDTHS) {
    await page.setViewportSize(size);
    // Injected once per document; a reload or navigation loses it.
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
    const violations: Violation[] = await page.evaluate(
      async (tags) =>
        (
          await (window as any).axe.run(document, {
            runOnly: { type: 'tag', values: tags },
            resultTypes: ['violations'],
          })
        ).violations,
      TAGS,
    );
    for (const v of violations) {
      const targets = v.nodes.map((n) => n.target.map(String).join(' >>> ')).join(' | ');
      const line = `${where} @${width}: ${v.id} (${v.impact}) at ${targets}: ${v.help} (${v.helpUrl})`;
      if (FAILING.includes(v.impact ?? '')) failing.push(line);
      else testInfo.annotations.push({ type: 'axe (not failing)', description: line });
    }
  }
  if (before) await page.setViewportSize(before);
  if (failing.length) console.log(failing.join('\n'));
  expect.soft(failing, `axe: serious or critical violations at "${where}"`).toEqual([]);
  if (walkingIn() === 'de') {
    await expect(page.locator('html'), 'the page says it is German').toHaveAttribute('lang', 'de');
    expect.soft(await englishLeft(page), `English left in the German page at "${where}"`).toEqual([]);
    // A picture of every state in German (the English ones come from the other specs' steps).
    await GERMAN_SHOTS.take(page, where.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
  }
}

/**
 * Holds the page's next POST whose path matches `pattern` before it reaches the CA, so the page stays in its
 * waiting state for as long as the test looks at it; `release` sends it on.
 */
async function holdNextRequest(page: Page, pattern: RegExp) {
  let reached!: () => void;
  const held = new Promise<void>((resolve) => (reached = resolve));
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  let sent: Promise<void> = Promise.resolve();
  let used = false;
  const handler = async (route: Route) => {
    const request = route.request();
    if (used || request.method() !== 'POST' || !pattern.test(new URL(request.url()).pathname)) return route.fallback();
    used = true;
    reached();
    sent = released.then(() => route.continue());
    await sent;
  };
  await page.route(`${acmeOrigin()}/**`, handler);
  return {
    held: () => held,
    release: async () => {
      letGo();
      await sent;
      await page.unroute(`${acmeOrigin()}/**`, handler);
    },
  };
}

const PASSPHRASE = 'an accessible passphrase, long enough';

// The same walk in English and in German (the browser prefers German: the page must choose it by itself); in
// German every audit also looks for English left in what the page shows.
for (const walk of ['en', 'de'] as const) {
  test.describe(walk === 'de' ? 'in German' : 'in English', () => {
    test.use({ locale: walk === 'de' ? 'de-DE' : 'en-US' });
    test.beforeEach(() => useLanguage(walk));
    test.afterEach(() => useLanguage('en'));
    test('DNS-01 issuance: every step, the error panel, lock and unlock, account panel, list, dialogs and log', async ({
      page,
      guard,
    }, testInfo) => {
      const shots = new Shots(walk === 'de' ? 'a11y-de-' : 'a11y-');
      const base = `a11y-${rand()}.example.test`;
      const names = [base, `*.${base}`];

      await page.goto('/');
      await expectCurrentStep(page, 'Certificate authority');
      await audit(page, testInfo, '1 CA choice');
      await connectHere(page, shots);
      await audit(page, testInfo, '2 account forms');

      // An error panel with a CA problem document: a key the CA knows no account for (accountDoesNotExist, which
      // Chromium logs as a failed resource).
      guard.allow((s) => s.kind === 'console' && /status of 400\b/.test(s.text) && /\/sign-me-up$/.test(s.url));
      const account = step(page, 'Account');
      const key = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
      await account.getByLabel(tr('Existing account key (PEM or JWK)')).fill(key);
      await button(account, tr('Use existing account')).click();
      await expect(account.getByTestId('problem')).toBeVisible({ timeout: 30_000 });
      await expect(page.getByTestId('no-account-offer')).toBeVisible();
      await expect(account.getByRole('alert').filter({ has: page.getByTestId('problem') }), 'the error has the focus').toBeFocused();
      await audit(page, testInfo, '2 error panel with a problem document');
      await button(account, tr('Dismiss')).click();

      await createAccount(page, shots);
      await audit(page, testInfo, '3 names form');
      const namesStep = step(page, 'Names and key');
      await namesStep.getByLabel(tr('Domain names')).fill(`bad_name..${base}`);
      await expect(namesStep.getByRole('alert')).toBeVisible();
      await audit(page, testInfo, '3 invalid name');
      await namesStep.getByLabel(tr('Certificate key')).selectOption({ label: tr('I have a CSR') });
      await audit(page, testInfo, '3 CSR field');
      await namesStep.getByLabel(tr('Certificate key')).selectOption({ label: 'ECDSA P-256' });

      // The account panel at the CA, and the passphrase lock.
      await page.getByText(tr('Account at the CA'), { exact: true }).click();
      await button(page, tr('Show the account at the CA')).click();
      await expect(page.getByTestId('ca-account')).toBeVisible({ timeout: 30_000 });
      await audit(page, testInfo, '2 account at the CA');
      await page.getByText(tr('Account at the CA'), { exact: true }).click();
      await account.getByText(tr('Lock the account key with a passphrase')).click();
      await account.getByLabel(tr('New passphrase')).fill(PASSPHRASE);
      await account.getByLabel(tr('Repeat the passphrase')).fill(`${PASSPHRASE}x`);
      await expect(account.getByRole('alert')).toBeVisible();
      await audit(page, testInfo, '2 lock form (passphrases differ)');
      await account.getByLabel(tr('Repeat the passphrase')).fill(PASSPHRASE);
      await button(account, tr('Lock account key')).click();
      await expect(page.getByTestId('account-locked')).toBeVisible({ timeout: 30_000 });
      await audit(page, testInfo, '2 account locked');

      // Challenges: DNS-01 records for a name and its wildcard, then the DNS check.
      await createOrder(page, shots, names);
      await chooseChallenge(page, 'dns-01');
      const records = await readTxtRecords(page, names);
      await audit(page, testInfo, '4 DNS-01 challenges');
      await placeTxtRecords(records);
      await checkDns(page, records, true);
      await audit(page, testInfo, '4 DNS checked');

      // Locked after a reload: the unlock panel, a wrong passphrase, then the right one.
      await guard.reload(page);
      const unlock = page.getByRole('region', { name: tr('Unlock your account key') });
      await expect(unlock).toBeVisible();
      await audit(page, testInfo, '4 unlock panel');
      await unlock.getByLabel(tr('Passphrase')).fill('not the passphrase');
      await button(unlock, tr('Unlock')).click();
      await expect(unlock.getByRole('alert')).toBeVisible({ timeout: 30_000 });
      await audit(page, testInfo, '4 unlock panel, wrong passphrase');
      await unlock.getByLabel(tr('Passphrase')).fill(PASSPHRASE);
      await button(unlock, tr('Unlock')).click();
      await expect(unlock).toBeHidden({ timeout: 30_000 });

      // Waiting for the CA: the order poll after the answers is held while axe looks at the busy page.
      const hold = await holdNextRequest(page, /\/my-order\//);
      await submitChallenges(page, shots, false);
      await hold.held();
      await expect(page.locator('[aria-busy="true"]').first()).toBeVisible();
      await audit(page, testInfo, '4 validating (waiting for the CA)');
      await hold.release();
      await waitForCertificate(page);
      await audit(page, testInfo, '5 certificate and downloads');

      // The dialogs of the certificate, the list and the order, each cancelled.
      await button(page, tr('Delete the private key from this browser')).click();
      await expect(page.getByRole('dialog')).toBeVisible();
      await audit(page, testInfo, '5 delete-key dialog');
      await button(page.getByRole('dialog'), tr('Cancel')).click();
      const entry = page.getByTestId('cert-entry').first();
      await expect(entry).toBeVisible();
      // Dates in the language's form: a moment in UTC to the minute.
      const moment = walk === 'de' ? /\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} UTC/ : /\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/;
      await expect(entry).toContainText(moment);
      await entry.getByText(tr('Renew with the same key')).click();
      await audit(page, testInfo, '6 certificates list');
      await button(entry, tr('Revoke…')).click();
      await expect(page.getByRole('dialog')).toBeVisible();
      await audit(page, testInfo, '6 revoke dialog');
      await button(page.getByRole('dialog'), tr('Cancel')).click();
      await button(page, tr('Forget this order')).click();
      await audit(page, testInfo, '6 forget-order dialog');
      await button(page.getByRole('dialog'), tr('Cancel')).click();
      await button(page, tr('Delete all Certsmith data from this browser')).click();
      await audit(page, testInfo, '6 delete-all-data dialog');
      await button(page.getByRole('dialog'), tr('Cancel')).click();
      await expect(page.getByRole('dialog')).toHaveCount(0);

      // The protocol log, with one response body open.
      await page.locator('summary', { hasText: trPattern('Protocol log') }).click();
      await page.getByTestId('exchange').first().locator('summary').first().click();
      await audit(page, testInfo, '7 protocol log');
    });

    test('HTTP-01 issuance: the challenge file, the confirmation dialog, a failed order and its problem', async ({
      page,
    }, testInfo) => {
      const shots = new Shots(walk === 'de' ? 'a11y-de-http01-' : 'a11y-http01-');
      const name = `a11y-http-${rand()}.example.test`;
      await connect(page, shots);
      await createAccount(page, shots);

      // A failed validation: the order's failure panel with the CA's problem and a hint (nothing was placed).
      const failing = `a11y-fail-${rand()}.example.test`;
      await createOrder(page, shots, [failing]);
      await chooseChallenge(page, 'http-01');
      await audit(page, testInfo, '4 HTTP-01 challenge');
      await button(page, tr('Submit challenges')).click();
      await expect(page.getByRole('dialog')).toBeVisible();
      await audit(page, testInfo, '4 submit confirmation dialog');
      await button(page.getByRole('dialog'), tr('Submit anyway')).click();
      await expect(page.getByTestId('problem').first()).toBeVisible({ timeout: 60_000 });
      await expect(page.getByRole('alert').filter({ has: page.getByTestId('problem') }), 'the failure has the focus').toBeFocused();
      await audit(page, testInfo, '4 failed order with the CA problem');

      await button(page, tr('Start a new order')).first().click();
      await expectCurrentStep(page, 'Names and key');
      await createOrder(page, shots, [name]);
      await chooseChallenge(page, 'http-01');
      const url = (await page.getByTestId('http-url').innerText()).trim();
      const content = (await page.getByTestId('http-content').innerText()).trim();
      await addHttp01(new URL(url).pathname.split('/').pop()!, content);
      await page.getByText(tr('Where the file goes: Apache, nginx, IIS, cPanel')).click();
      await audit(page, testInfo, '4 HTTP-01 server hints');
      await submitChallenges(page, shots, true);
      await waitForCertificate(page);
      await page.getByLabel(tr('PFX password')).fill('a PFX password');
      await page.getByLabel(tr('PFX format')).selectOption('compatible');
      await page.getByText(tr('Show the PEM text')).click();
      await audit(page, testInfo, '5 certificate, PFX options and PEM');
    });
  });
}
