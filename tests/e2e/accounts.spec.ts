// The account as the CA keeps it (RFC 8555 §7.3), from the "Account at the CA" panel: read it, change its
// contacts, roll its key over and prove the switch at the CA (the old key finds no account, the new one the
// same URL), deactivate it and prove the CA refuses it. A key the CA does not know becomes a new account
// with that very key. Each action costs one request (badNonce retries apart), counted on the wire.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Page, Route } from '@playwright/test';
import {
  test,
  expect,
  Guard,
  Shots,
  acmeOrigin,
  button,
  connect,
  connectHere,
  createAccount,
  download,
  expectCurrentStep,
  lockAccountKey,
  openssl,
  rand,
  step,
} from './support';

test.describe.configure({ timeout: 120_000 });

const BAD_NONCE = 'urn:ietf:params:acme:error:badNonce';
const PASSPHRASE = 'a long passphrase for the old key';
const NONCE_PATH = '/nonce-plz';

type Sent = { method: string; path: string; status?: number; type?: string };

/** Every request the page sends to the CA (not the CORS preflights), with the status and problem type of the answer. */
class Wire {
  private sent: Sent[] = [];
  private pending: Promise<void>[] = [];

  constructor(page: Page) {
    const entries = new Map<object, Sent>();
    page.on('request', (req) => {
      if (new URL(req.url()).origin !== acmeOrigin() || req.method() === 'OPTIONS') return;
      const entry: Sent = { method: req.method(), path: new URL(req.url()).pathname };
      entries.set(req, entry);
      this.sent.push(entry);
    });
    page.on('response', (res) => {
      const entry = entries.get(res.request());
      if (!entry) return;
      entry.status = res.status();
      if (res.status() < 400) return;
      this.pending.push(
        res
          .json()
          .then((problem) => void (entry.type = problem?.type))
          .catch(() => undefined),
      );
    });
  }

  mark(): number {
    return this.sent.length;
  }

  /** What was sent since `mark`, once every answer's problem type is read. */
  async since(mark: number): Promise<Sent[]> {
    await Promise.all(this.pending);
    return this.sent.slice(mark);
  }
}

/**
 * `action` cost exactly the one request `method path` (plus newNonce at most once, plus the resending of any
 * request Pebble answered badNonce). Returns how many badNonce answers were retried.
 */
function expectOneRequest(sent: Sent[], method: string, pathname: string, action: string): number {
  const retried = sent.filter((s) => s.type === BAD_NONCE).length;
  const real = sent.filter((s) => s.type !== BAD_NONCE);
  const nonces = real.filter((s) => s.path === NONCE_PATH);
  expect(
    real.filter((s) => s.path !== NONCE_PATH).map((s) => `${s.method} ${s.path}`),
    `${action}: one request (${JSON.stringify(sent)})`,
  ).toEqual([`${method} ${pathname}`]);
  expect(nonces.length, `${action}: newNonce at most once`).toBeLessThanOrEqual(1);
  test.info().annotations.push({
    type: 'requests',
    description: `${action}: 1 ${method} ${pathname}, ${nonces.length} newNonce, ${retried} badNonce retried`,
  });
  return retried;
}

/** The public JWK members of a PEM private key (RFC 7638 order), and the private `d`. */
function jwkOf(pemFile: string) {
  const jwk = crypto.createPrivateKey(fs.readFileSync(pemFile)).export({ format: 'jwk' }) as Record<string, string>;
  const publicJwk = { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  const thumbprint = crypto.createHash('sha256').update(JSON.stringify(publicJwk)).digest('base64url');
  return { publicJwk, thumbprint, d: jwk.d };
}

/** Writes down what Pebble answered, for the report. */
function note(type: string, description: string) {
  test.info().annotations.push({ type, description });
}

/** "Use existing account" with the key in `pemFile`, pasted. */
async function useExistingKey(page: Page, pemFile: string) {
  const s = step(page, 'Account');
  await s.getByLabel('Existing account key (PEM or JWK)').fill(fs.readFileSync(pemFile, 'utf8'));
  await button(s, 'Use existing account').click();
}

/** A fresh browser state connected to the CA, at the Account step. */
async function freshStart(page: Page, guard: Guard, shots: Shots) {
  await page.evaluate(() => localStorage.clear());
  // The last answer was read in full, but Chromium may not have closed its request yet: leaving the page
  // now cuts it off (net::ERR_ABORTED after its 200), which is the test's doing, not the page's.
  await guard.reload(page);
  // Step 1 on the reloaded page: a second navigation here would cut off that document's own requests still
  // in flight after its load event (the wasm the page's script fetches), outside the guard's reload window.
  await connectHere(page, shots);
}

test('the account at the CA: shown, contacts changed, key rolled over and proven, then deactivated', async ({
  page,
  guard,
  downloads,
}) => {
  const shots = new Shots('accounts-');
  // What this test provokes on purpose: too many contacts (400), an unknown key (400), a deactivated account (403).
  guard.allow((s) => s.kind === 'console' && /status of 40[03]\b/.test(s.text) && s.url.startsWith(acmeOrigin()));
  const wire = new Wire(page);
  const tag = rand();
  const email = `acct-${tag}@example.org`;

  await connect(page, shots);
  const url = await createAccount(page, shots, email);
  const accountPath = new URL(url).pathname;
  const oldKey = await download(page, 'Download account key', downloads, 'old-key.pem');

  // Opening the panel asks the CA nothing.
  const panel = page.getByTestId('account-manage');
  let mark = wire.mark();
  await panel.locator('summary').click();
  await expect(button(panel, 'Show the account at the CA')).toBeVisible();
  await page.waitForTimeout(300);
  expect(await wire.since(mark), 'no request on opening the panel').toEqual([]);

  // Show: one POST-as-GET to the account URL.
  mark = wire.mark();
  await button(panel, 'Show the account at the CA').click();
  await expect(panel.getByTestId('ca-account-status')).toHaveText('valid');
  await expect(panel.getByTestId('ca-account-contacts')).toHaveText(`mailto:${email}`);
  await expect(panel.getByTestId('ca-account-orders')).toHaveText(/^https:\/\/127\.0\.0\.1:14000\/\S+$/);
  expectOneRequest(await wire.since(mark), 'POST', accountPath, 'show the account');
  // The contact field starts from what the CA has.
  const contacts = panel.getByLabel('Contact emails');
  await expect(contacts).toHaveValue(email);
  await shots.take(page, '2-account-at-ca');

  // Contacts: checked in the page first, then the CA's own limits are shown as its answer.
  const update = button(panel, 'Update contacts');
  await contacts.fill(`one-${tag}@example.org, not-an-email`);
  await expect(panel.getByRole('alert')).toHaveText(/^"not-an-email" is not an email address\./);
  await expect(update).toBeDisabled();
  await contacts.fill(`a-${tag}@example.org, b-${tag}@example.org c-${tag}@example.org`);
  await expect(update).toBeEnabled();
  await update.click();
  const refused = panel.getByRole('alert');
  await expect(refused).toContainText('Could not change the contacts');
  await expect(refused.getByTestId('problem')).toContainText('malformed');
  note('pebble: three contacts', await refused.getByTestId('problem').innerText());

  const first = `one-${tag}@example.org`;
  const second = `two-${tag}@example.org`;
  mark = wire.mark();
  await contacts.fill(`${first}; ${second}`);
  await update.click();
  const answer = panel.getByTestId('contacts-answer');
  await expect(answer).toHaveText(`The CA now has: mailto:${first}, mailto:${second}`);
  await expect(panel.getByTestId('ca-account-contacts')).toHaveText(`mailto:${first}, mailto:${second}`);
  await expect(panel.getByRole('alert')).toHaveCount(0);
  expectOneRequest(await wire.since(mark), 'POST', accountPath, 'change the contacts');
  // Empty: no contact at all, and the CA says so when asked again.
  await contacts.fill('');
  await update.click();
  await expect(answer).toHaveText('The CA now has: none');
  await button(panel, 'Show the account at the CA').click();
  await expect(panel.getByTestId('ca-account-contacts')).toHaveText('none');

  // Key rollover, with the old key locked by a passphrase: the switch says it removes the lock, and waits
  // for the new key's download.
  await lockAccountKey(page, PASSPHRASE);
  await button(panel, 'Generate a new key').click();
  await expect(panel.getByTestId('switch-removes-lock')).toContainText('The passphrase lock is removed by the switch');
  const switchButton = button(panel, 'Switch to the new key');
  await expect(switchButton).toBeDisabled();
  const shownThumbprint = (await panel.getByTestId('new-key-thumbprint').innerText()).trim();
  const newKey = await download(page, 'Download the new key', downloads);
  expect(newKey.suggested).toBe('account-key-new.pem');
  const newJwk = jwkOf(newKey.path);
  const oldJwk = jwkOf(oldKey.path);
  expect(newJwk.publicJwk.crv, 'a P-256 key').toBe('P-256');
  expect(newJwk.thumbprint, 'the file is the key the page shows').toBe(shownThumbprint);
  expect(newJwk.thumbprint).not.toBe(oldJwk.thumbprint);
  await expect(switchButton).toBeEnabled();
  await shots.take(page, '2-new-key');
  mark = wire.mark();
  await switchButton.click();
  await expect(panel.getByTestId('key-switched')).toContainText(newJwk.thumbprint);
  expectOneRequest(await wire.since(mark), 'POST', '/rollover-account-key', 'key change');
  // Same account, new key: the page signs with it and the CA takes it. The lock sealed the old key: it is
  // gone, and can be set again.
  await expect(page.getByTestId('account-url')).toHaveText(url);
  await expect(page.getByTestId('account-locked')).toHaveCount(0);
  await expect(step(page, 'Account').getByText('Lock the account key with a passphrase')).toBeVisible();
  const state = await page.evaluate(() => JSON.parse(localStorage.getItem('certsmith.state.v1')!));
  expect(state.account_lock, 'no lock of the old key is kept').toBeNull();
  const current = await download(page, 'Download account key', downloads, 'current-key.pem');
  expect(jwkOf(current.path).publicJwk).toEqual(newJwk.publicJwk);
  mark = wire.mark();
  await button(panel, 'Show the account at the CA').click();
  await expect(panel.getByTestId('ca-account-status')).toHaveText('valid');
  expectOneRequest(await wire.since(mark), 'POST', accountPath, 'show the account with the new key');

  // No private key is shown in the page or kept in the protocol log.
  const pageText = await page.locator('body').innerText();
  const log = await page.evaluate(() => localStorage.getItem('certsmith.log.v1') ?? '');
  expect(log, 'the protocol log has the keyChange').toContain('rollover-account-key');
  for (const d of [newJwk.d, oldJwk.d]) {
    expect(pageText.includes(d), 'no private key in the page').toBe(false);
    expect(log.includes(d), 'no private key in the protocol log').toBe(false);
  }

  // At the CA, the old key finds no account any more; the page offers to make one with it.
  await freshStart(page, guard, shots);
  const s = step(page, 'Account');
  mark = wire.mark();
  await useExistingKey(page, oldKey.path);
  const offer = page.getByTestId('no-account-offer');
  await expect(offer).toBeVisible({ timeout: 30_000 });
  await expect(offer).toContainText(oldJwk.thumbprint);
  await expect(s.getByTestId('problem')).toContainText('accountDoesNotExist');
  await expect(s.getByTestId('hint')).toContainText('Create an account with this key');
  await expect(button(s, 'Try again'), 'asking again cannot help').toHaveCount(0);
  await expect(button(offer, 'Create an account with this key'), 'the terms are not agreed yet').toBeDisabled();
  const lookup = (await wire.since(mark)).filter((x) => x.type !== BAD_NONCE && x.path !== NONCE_PATH);
  expect(lookup).toEqual([{ method: 'POST', path: '/sign-me-up', status: 400, type: 'urn:ietf:params:acme:error:accountDoesNotExist' }]);
  note('pebble: old key after keyChange', await s.getByTestId('problem').innerText());
  await shots.take(page, '2-no-account');

  // The new key finds the same account (and the offer, about the other key, is gone).
  await useExistingKey(page, newKey.path);
  await expect(offer).toHaveCount(0);
  await expect(page.getByTestId('account-url')).toHaveText(url, { timeout: 30_000 });

  // Deactivation: a dialog that says what it means and wants the word typed.
  await panel.locator('summary').click();
  await button(panel, 'Deactivate account').click();
  const dialog = page.getByRole('dialog', { name: 'Deactivate this account for good?' });
  await expect(dialog).toBeVisible();
  const word = dialog.getByLabel('Type deactivate to confirm');
  await expect(word).toBeFocused();
  await expect(dialog).toContainText('stay valid until they expire');
  await expect(dialog).toContainText('cannot make a new account at this CA');
  await word.press('Escape');
  await expect(dialog).toBeHidden();
  await button(panel, 'Deactivate account').click();
  const confirm = button(dialog, 'Deactivate for good');
  await expect(confirm).toBeDisabled();
  await word.fill('deactivat');
  await expect(confirm).toBeDisabled();
  await word.fill('deactivate');
  await shots.take(page, '2-deactivate');
  mark = wire.mark();
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expectCurrentStep(page, 'Account');
  await expect(page.getByTestId('account-url')).toHaveCount(0);
  await expect(button(s, 'Create account')).toBeVisible();
  await expect(page.locator('.notice[role="status"]')).toContainText('The account is deactivated');
  expectOneRequest(await wire.since(mark), 'POST', accountPath, 'deactivate');

  // The CA refuses the key from now on.
  mark = wire.mark();
  await useExistingKey(page, newKey.path);
  const problem = s.getByTestId('problem');
  await expect(problem).toContainText('unauthorized', { timeout: 30_000 });
  await expect(problem).toContainText('deactivated');
  await expect(offer, 'a deactivated account is not a missing one').toHaveCount(0);
  const refusal = (await wire.since(mark)).filter((x) => x.type !== BAD_NONCE && x.path !== NONCE_PATH);
  expect(refusal).toEqual([{ method: 'POST', path: '/sign-me-up', status: 403, type: 'urn:ietf:params:acme:error:unauthorized' }]);
  note('pebble: key of a deactivated account', await problem.innerText());
});

test('a key the CA does not know becomes a new account with that key', async ({ page, guard, downloads }) => {
  const shots = new Shots('accounts-new-key-');
  // The lookup of an unknown key is refused (400 accountDoesNotExist), on purpose.
  guard.allow((s) => s.kind === 'console' && /status of 400\b/.test(s.text) && s.url.startsWith(acmeOrigin()));
  const wire = new Wire(page);
  const keyFile = path.join(downloads, 'own-key.pem');
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
  const own = jwkOf(keyFile);
  const email = `own-${rand()}@example.org`;

  await connect(page, shots);
  const s = step(page, 'Account');
  await s.getByLabel('Account key file').setInputFiles([keyFile]);
  await expect(page.getByTestId('import-found')).toBeVisible();
  await button(s, 'Use existing account').click();
  const offer = page.getByTestId('no-account-offer');
  await expect(offer).toBeVisible({ timeout: 30_000 });
  await expect(offer).toContainText(own.thumbprint);

  // The CA's terms first, with the same box as "Create account".
  const createWithKey = button(offer, 'Create an account with this key');
  await expect(createWithKey).toBeDisabled();
  await expect(offer).toContainText("I agree to the CA's terms of service");
  await s.getByLabel("I agree to the CA's terms of service").check();
  // A mistyped email is said before the CA is asked.
  const typo = wire.mark();
  await s.getByLabel('Email (optional)').fill(`own-${rand()}@example`);
  await createWithKey.click();
  await expect(s.getByRole('alert').filter({ hasText: 'is not an email address' })).toHaveText(
    /^"own-\w+@example" is not an email address\./,
  );
  await expect(offer).toBeVisible();
  expect((await wire.since(typo)).filter((x) => x.type !== BAD_NONCE && x.path !== NONCE_PATH)).toEqual([]);
  await s.getByLabel('Email (optional)').fill(email);
  await expect(createWithKey).toBeEnabled();
  const mark = wire.mark();
  await createWithKey.click();
  const accountUrl = page.getByTestId('account-url');
  await expect(accountUrl).toHaveText(/^\s*https:\/\/127\.0\.0\.1:14000\/\S+\s*$/, { timeout: 30_000 });
  await expectCurrentStep(page, 'Names and key');
  const url = (await accountUrl.innerText()).trim();
  const created = (await wire.since(mark)).filter((x) => x.type !== BAD_NONCE && x.path !== NONCE_PATH);
  expect(created).toEqual([{ method: 'POST', path: '/sign-me-up', status: 201 }]);
  await shots.take(page, '2-account');

  // The account's key is the file's key, and the CA has the email.
  const saved = await download(page, 'Download account key', downloads, 'account-key.pem');
  expect(jwkOf(saved.path).publicJwk).toEqual(own.publicJwk);
  const panel = page.getByTestId('account-manage');
  await panel.locator('summary').click();
  await button(panel, 'Show the account at the CA').click();
  await expect(panel.getByTestId('ca-account-contacts')).toHaveText(`mailto:${email}`);

  // And the file alone finds that account again in a fresh browser state.
  await freshStart(page, guard, shots);
  await useExistingKey(page, keyFile);
  await expect(page.getByTestId('account-url')).toHaveText(url, { timeout: 30_000 });
});

test('a double click on "Create account" makes one key and one account', async ({ page }) => {
  // The key is made asynchronously (WebCrypto): the button waits for it, so the second click of a double
  // click finds it disabled instead of making a second key and a second account.
  const created: string[] = [];
  page.on('response', (res) => {
    if (res.request().method() === 'POST' && /\/sign-me-up$/.test(new URL(res.url()).pathname) && res.status() === 201) {
      created.push(res.headers()['location'] ?? '');
    }
  });
  const shots = new Shots('dblclick-');
  await connect(page, shots);
  const s = step(page, 'Account');
  await s.getByLabel("I agree to the CA's terms of service").check();
  await button(s, 'Create account').dblclick();
  await expect(page.getByTestId('account-url')).toHaveText(/\S/, { timeout: 30_000 });
  await expectCurrentStep(page, 'Names and key');
  // Time for a second newAccount, were one on its way (with Pebble's badNonce retries).
  await page.waitForTimeout(1500);
  expect(created, 'accounts the CA created').toHaveLength(1);
  expect((await page.getByTestId('account-url').innerText()).trim()).toBe(created[0]);
});

test('a newAccount whose answer was lost, then a reload: "Create account" finds the account the CA made', async ({
  page,
  guard,
}) => {
  const shots = new Shots('lost-new-account-');
  // The CA makes the account, and its answer never reaches the page (a dropped connection, on purpose).
  guard.allow((s) => (s.kind === 'requestfailed' || s.kind === 'console') && /\/sign-me-up$/.test(s.url));
  guard.allow((s) => s.kind === 'console' && /ERR_CONNECTION_RESET/.test(s.text));
  const answers: number[] = [];
  page.on('response', (res) => {
    if (res.request().method() === 'POST' && /\/sign-me-up$/.test(res.url())) answers.push(res.status());
  });
  let made: string | undefined;
  const dropAnswer = async (route: Route) => {
    const response = await route.fetch(); // the CA has acted
    if (response.status() !== 201) return route.fulfill({ response }); // a badNonce: the page retries
    made = response.headers()['location'];
    await route.abort('connectionreset');
    await page.unroute('**/sign-me-up', dropAnswer);
  };
  await page.route('**/sign-me-up', dropAnswer);

  await connect(page, shots);
  const s = step(page, 'Account');
  await s.getByLabel("I agree to the CA's terms of service").check();
  await button(s, 'Create account').click();
  await expect(s.getByRole('alert').filter({ hasText: 'Could not create the account' })).toBeVisible({ timeout: 30_000 });
  expect(made, 'the CA made an account').toMatch(/^https:\/\/127\.0\.0\.1:14000\//);

  // A reload, as someone would after an error: the same key goes again, and the CA answers with its account.
  await guard.reload(page);
  await expectCurrentStep(page, 'Account');
  await s.getByLabel("I agree to the CA's terms of service").check();
  await button(s, 'Create account').click();
  await expect(page.getByTestId('account-url')).toHaveText(made!, { timeout: 30_000 });
  await shots.take(page, '2-account-found');
  // The one 201 went to the dropped answer; the page's own answers hold none.
  expect(answers.filter((status) => status === 201), 'a second account').toHaveLength(0);
  expect(answers.at(-1), 'the second newAccount found the first account (RFC 8555 §7.3.1)').toBe(200);
});
