// Accounts made by the real certbot and lego (Debian packages) against the local Pebble are imported into
// the page from their own files, read as bytes, and found by the CA under the same account URL; the
// page's own account file imports back into a fresh browser state.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Page } from '@playwright/test';
import { test, expect, Shots, button, connect, createAccount, download, env, rand, step } from './support';

test.describe.configure({ timeout: 120_000 });

/**
 * Runs a reference client until it has written its account (`registered(dir)`). Pebble rejects a share of
 * nonces at random and certbot retries a badNonce only once, so a registration may fail for that alone: it
 * is run again, in a fresh directory, at most 4 times in all; any other failure fails the test at once.
 */
function runClient(
  cmd: string,
  args: (dir: string) => string[],
  env: NodeJS.ProcessEnv,
  dir: string,
  registered: (dir: string) => boolean,
): string {
  for (let attempt = 1; ; attempt++) {
    const where = `${dir}-${attempt}`;
    let output = '';
    try {
      execFileSync(cmd, args(where), { env: { ...process.env, ...env }, stdio: 'pipe', timeout: 60_000 });
    } catch (e: any) {
      output = `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message;
    }
    if (registered(where)) return where;
    // certbot prints only the problem's detail ("JWS has an invalid anti-replay nonce"), lego its type.
    if (!/badNonce|anti-replay nonce/.test(output) || attempt === 4) throw new Error(`${cmd} wrote no account: ${output}`);
  }
}

/** Whether a file named `name` exists anywhere under `dir`. */
const hasFile = (dir: string, name: string) => fs.existsSync(dir) && filesUnder(dir).some((f) => path.basename(f) === name);

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** Picks `files` (or a folder) in the Account step, checks what the page found, and uses the account. */
async function importAccount(page: Page, pick: { files?: string[]; folder?: string }, expectedUrl: string, client: string) {
  const s = step(page, 'Account');
  if (pick.files) await s.getByLabel('Account key file').setInputFiles(pick.files);
  if (pick.folder) await s.getByLabel('Account folder').setInputFiles(pick.folder);
  const found = page.getByTestId('import-found');
  await expect(found).toContainText(`Found ${client} account`);
  await expect(page.getByTestId('import-found-url')).toHaveText(expectedUrl);
  await expect(found.getByRole('status'), 'the files are for this CA').toHaveCount(0);
  await button(s, 'Use existing account').click();
  await expect(page.getByTestId('account-url')).toHaveText(expectedUrl, { timeout: 30_000 });
}

test('a certbot account (private_key.json, regr.json) is found under the same URL', async ({ page, downloads }) => {
  const shots = new Shots('import-certbot-');
  const dir = runClient(
    'certbot',
    (dir) => ['register', '--server', env.directory, '--agree-tos', '-m', `cb-${rand()}@example.org`, '--no-eff-email',
      '--non-interactive', '--config-dir', dir, '--work-dir', dir, '--logs-dir', dir],
    { REQUESTS_CA_BUNDLE: env.caFile },
    path.join(downloads, 'certbot'),
    (dir) => hasFile(dir, 'regr.json'),
  );
  const files = filesUnder(path.join(dir, 'accounts'));
  const regr = files.find((f) => f.endsWith('regr.json'))!;
  const url = JSON.parse(fs.readFileSync(regr, 'utf8')).uri;
  expect(url).toMatch(/^https:\/\/127\.0\.0\.1:14000\//);

  await connect(page, shots);
  await importAccount(page, { files }, url, 'certbot');
  await shots.take(page, '2-account');
});

test('a lego account folder (account.json, keys/<email>.key) is found under the same URL', async ({ page, downloads }) => {
  const shots = new Shots('import-lego-');
  const email = `lg-${rand()}@example.org`;
  // lego registers, then fails at the challenge (the hook refuses): the account files are what it leaves.
  const dir = runClient(
    'lego',
    (dir) => ['--server', env.directory, '--accept-tos', '--email', email, '--path', dir, '--dns', 'exec',
      '--domains', `lego-${rand()}.example.test`, 'run'],
    { LEGO_CA_CERTIFICATES: env.caFile, EXEC_PATH: '/bin/false' },
    path.join(downloads, 'lego'),
    (dir) => hasFile(dir, 'account.json'),
  );
  const accountJson = filesUnder(path.join(dir, 'accounts')).find((f) => f.endsWith('account.json'))!;
  const url = JSON.parse(fs.readFileSync(accountJson, 'utf8')).registration.uri;
  expect(url).toMatch(/^https:\/\/127\.0\.0\.1:14000\//);

  await connect(page, shots);
  // The whole account folder, as a person picks it.
  await importAccount(page, { folder: path.dirname(accountJson) }, url, 'lego');
});

test("the page's account file imports back in a fresh browser state", async ({ page, downloads }) => {
  const shots = new Shots('import-bundle-');
  await connect(page, shots);
  const url = await createAccount(page, shots);
  const bundle = await download(page, 'Download account file', downloads);
  expect(bundle.suggested).toBe('account.certsmith.json');
  const saved = JSON.parse(fs.readFileSync(bundle.path, 'utf8'));
  expect(saved).toMatchObject({ format: 'certsmith-account-1', directory: env.directory, url });

  await page.evaluate(() => localStorage.clear());
  await connect(page, shots);
  // A pasted text that is no key: the jobs module reads it and the page says why, in place.
  const s = step(page, 'Account');
  await s.getByLabel('Existing account key (PEM or JWK)').fill('-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n');
  await button(s, 'Use existing account').click();
  await expect(s.getByRole('alert')).toContainText('This is not a usable account key: ');
  await s.getByLabel('Existing account key (PEM or JWK)').fill('');
  await importAccount(page, { files: [bundle.path] }, url, 'Certsmith');
});
