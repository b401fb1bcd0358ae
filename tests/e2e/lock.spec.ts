// The account key's passphrase lock: once locked, this browser's storage holds the key only encrypted; a
// reload asks for the passphrase before the page signs anything, a wrong one is said plainly, the right
// one opens the key and the order under way goes on to a certificate. The encrypted key the page offers
// opens with OpenSSL and is the account key.
import * as fs from 'fs';
import * as path from 'path';
import {
  test,
  expect,
  Shots,
  button,
  checkCertificate,
  checkDns,
  chooseChallenge,
  connect,
  createAccount,
  createOrder,
  download,
  expectCurrentStep,
  openssl,
  placeTxtRecords,
  rand,
  readTxtRecords,
  step,
  submitChallenges,
  waitForCertificate,
} from './support';

test.describe.configure({ timeout: 120_000 });

const PASSPHRASE = 'a long passphrase, not a short one';

/** The account key's PKCS#8 DER as base64url, the form the page would store it in the clear. */
function pkcs8Base64url(pemFile: string): string {
  const pem = openssl(['pkcs8', '-topk8', '-nocrypt', '-in', pemFile]);
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64').toString('base64url');
}

test('a locked account key is stored only encrypted, asked for after a reload, and the order goes on', async ({
  page,
  guard,
  downloads,
}) => {
  const shots = new Shots('lock-');
  const name = `e2e-lock-${rand()}.example.test`;
  await connect(page, shots);
  const accountUrl = await createAccount(page, shots);
  const clearKey = await download(page, 'Download account key', downloads, 'account-key.pem');

  // Lock it: the two passphrases must agree and be long enough.
  const account = step(page, 'Account');
  await account.getByText('Lock the account key with a passphrase').click();
  const lockButton = button(account, 'Lock account key');
  await account.getByLabel('New passphrase').fill('short');
  await expect(lockButton).toBeDisabled();
  await account.getByLabel('New passphrase').fill(PASSPHRASE);
  await account.getByLabel('Repeat the passphrase').fill(PASSPHRASE + 'x');
  await expect(account.getByRole('alert')).toHaveText('The two passphrases differ.');
  await expect(lockButton).toBeDisabled();
  await account.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
  await lockButton.click();
  await expect(page.getByTestId('account-locked')).toBeVisible({ timeout: 30_000 });
  await shots.take(page, '2-locked');

  // The encrypted key the page offers opens with OpenSSL, and is the account key.
  const sealed = await download(page, 'Download encrypted account key', downloads);
  expect(fs.readFileSync(sealed.path, 'utf8')).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
  const opened = path.join(downloads, 'opened.pem');
  openssl(['pkey', '-in', sealed.path, '-passin', `pass:${PASSPHRASE}`, '-out', opened]);
  const clear = pkcs8Base64url(clearKey.path);
  expect(pkcs8Base64url(opened)).toBe(clear);

  // Storage holds no clear key (in any of the page's keys), but the sealed one.
  const stored = await page.evaluate(() => {
    const all: Record<string, string> = {};
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      all[key] = localStorage.getItem(key)!;
    }
    return all;
  });
  const state = JSON.parse(stored['certsmith.state.v1']);
  expect(state.account, 'the clear account is not saved').toBeNull();
  expect(state.account_lock.url).toBe(accountUrl);
  for (const [key, value] of Object.entries(stored)) {
    expect(value.includes(clear), `no clear account key in localStorage["${key}"]`).toBe(false);
  }

  // An order, records placed and seen; then a reload: the page asks for the passphrase first.
  await createOrder(page, shots, [name]);
  await chooseChallenge(page, 'dns-01');
  const records = await readTxtRecords(page, [name]);
  await placeTxtRecords(records);
  await checkDns(page, records, true);
  await guard.reload(page);
  const unlock = page.getByRole('region', { name: 'Unlock your account key' });
  await expect(unlock).toBeVisible();
  await expect(unlock.getByLabel('Passphrase')).toBeFocused();
  await expectCurrentStep(page, 'Challenges');
  // Nothing that needs the key is offered meanwhile.
  await expect(page.getByTestId('locked-records')).toBeVisible();
  await expect(button(page, 'Submit challenges')).toHaveCount(0);
  await shots.take(page, '4-unlock');

  // A wrong passphrase is said plainly, and nothing is lost.
  await unlock.getByLabel('Passphrase').fill('not the passphrase');
  await button(unlock, 'Unlock').click();
  await expect(unlock.getByRole('alert')).toHaveText(/that passphrase does not open this key/, { timeout: 30_000 });
  await expect(unlock).toBeVisible();

  // The right one (Enter works too) opens it for this visit; the records are the same and the order goes on.
  await unlock.getByLabel('Passphrase').fill(PASSPHRASE);
  await unlock.getByLabel('Passphrase').press('Enter');
  await expect(unlock).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('account-url')).toHaveText(accountUrl);
  expect(await readTxtRecords(page, [name])).toEqual(records);
  await submitChallenges(page, shots, false);
  await waitForCertificate(page);
  await checkCertificate(page, [name], downloads);
  // Still saved only sealed after unlocking.
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem('certsmith.state.v1')!));
  expect(after.account).toBeNull();
  expect(after.account_lock.url).toBe(accountUrl);
});
