// Never a dead page: a panic (release builds abort, so no app code runs after it) leaves a plain message over
// the page that says the keys and the order are still saved, offers them as a file, and reloads. The local
// build panics on purpose when its URL fragment is #certsmith-test-panic (src/app/mod.rs). Like the
// production build, it runs no panic code at all (-Cpanic=immediate-abort, Makefile): the wasm traps, and
// the message comes from the trap (src/web/panic.rs, watch_for_traps), with the wasm frame where it stopped.
import * as fs from 'fs';
import { test, expect, Shots, connect, createAccount, expectCurrentStep, openssl } from './support';

test('a panic leaves a message, the saved state as a download, and a reload that goes on', async ({
  page,
  guard,
  downloads,
}) => {
  const shots = new Shots('panic-');
  await connect(page, shots);
  const account = await createAccount(page, shots);

  // The aborted wasm throws: that is what this test provokes.
  guard.allow((s) => s.kind === 'pageerror' && /unreachable|RuntimeError/i.test(s.text));
  guard.allow((s) => s.kind === 'console' && /RuntimeError: unreachable|panicked at/.test(s.text));
  // The page reloads itself here (not through guard.reload), so a request of the old document still in
  // flight, such as the icon or the service worker's caching of the build, is cut off: aborted, of the
  // app's own origin, and nothing else.
  const app = new URL(page.url()).origin;
  guard.allow((s) => s.kind === 'requestfailed' && /ERR_ABORTED/.test(s.error) && s.url.startsWith(`${app}/`));
  await page.evaluate(() => {
    location.hash = 'certsmith-test-panic';
    location.reload();
  });

  const message = page.locator('#certsmith-crashed');
  await expect(message).toBeVisible({ timeout: 15_000 });
  await expect(message).toHaveAttribute('role', 'alert');
  await expect(message.getByRole('heading')).toHaveText('Certsmith stopped because of a bug');
  await expect(message).toContainText('nothing was lost');
  await expect(message).toContainText(/What failed: RuntimeError: unreachable \(at \S*wasm-function\[\d+\]:0x[0-9a-f]+\)/);
  await shots.take(page, 'message');

  // The saved state downloads as it is: the account (URL and key) is in it.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    message.getByRole('link', { name: /Download the saved state/ }).click(),
  ]);
  const file = `${downloads}/${download.suggestedFilename()}`;
  await download.saveAs(file);
  expect(download.suggestedFilename()).toBe('certsmith-saved-state.json');
  const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  const state = saved['certsmith.state.v1'];
  expect(state.account.url).toBe(account);
  // The key as the page keeps it: PKCS#8 DER in base64url, which OpenSSL reads back.
  expect(state.account.key, 'the account key is in the file').toMatch(/^[A-Za-z0-9_-]{100,}$/);
  const der = Buffer.from(state.account.key, 'base64url');
  fs.writeFileSync(`${downloads}/account.der`, der);
  expect(openssl(['pkey', '-inform', 'DER', '-in', `${downloads}/account.der`, '-noout', '-text'])).toMatch(/Private-Key/);

  // Reload (without the fragment that asks for the panic): the app is back where it was.
  await page.evaluate(() => history.replaceState(null, '', location.pathname));
  await message.getByRole('link', { name: 'Reload the page' }).click();
  await expect(page.locator('#certsmith-crashed')).toHaveCount(0);
  await expectCurrentStep(page, 'Names and key');
  await expect(page.getByTestId('account-url')).toHaveText(account);
});

test('"Delete all Certsmith data" wipes every key the page kept, after asking', async ({ page }) => {
  const shots = new Shots('delete-data-');
  await connect(page, shots);
  await createAccount(page, shots);
  const kept = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('certsmith.')));
  expect(await kept()).toContain('certsmith.state.v1');

  await page.getByRole('button', { name: 'Delete all Certsmith data from this browser' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('account keys');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('account-url')).toBeVisible();

  await page.getByRole('button', { name: 'Delete all Certsmith data from this browser' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete everything' }).click();
  await expectCurrentStep(page, 'Certificate authority');
  await expect(page.getByRole('status').first()).toContainText('is deleted');
  await expect(page.getByTestId('account-url')).toHaveCount(0);
  // What the page saves again is the fresh state: no account, no key.
  const state = await page.evaluate(() => localStorage.getItem('certsmith.state.v1'));
  expect(state === null || !/"account":\{/.test(state), state ?? '').toBe(true);
  const log = await page.evaluate(() => localStorage.getItem('certsmith.log.v1'));
  expect(log === null || JSON.parse(log).entries.length === 0, log ?? '').toBe(true);
});
