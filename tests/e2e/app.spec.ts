// The page as a person sees it: the app starts, names itself, and shows the local CA's directory.
import { test, expect, type ConsoleMessage, type Page } from '@playwright/test';
import * as path from 'path';

const screenshots = path.resolve(__dirname, '..', '..', 'target', 'screenshots');
const directory = process.env.CERTSMITH_TEST_DIRECTORY ?? 'https://127.0.0.1:14000/dir';

// Noise that is not the app's fault: a favicon probe's 404, and Chromium's note that it ignores the
// `integrity` attribute of Trunk's `<link rel="preload" as="fetch">` for the wasm.
const harmless = (text: string) =>
  /favicon\.ico/.test(text) || /`integrity` attribute is currently ignored for preload destinations/.test(text);

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if ((msg.type() === 'error' || msg.type() === 'warning') && !harmless(msg.text())) {
      problems.push(`${msg.type()}: ${msg.text()} (${msg.location().url})`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (!harmless(req.url())) problems.push(`requestfailed: ${req.url()} ${req.failure()?.errorText}`);
  });
  return problems;
}

test('shows the local CA and its directory, without console errors', async ({ page, request }) => {
  const problems = collectProblems(page);

  // What Pebble itself says, to compare with the page (fails here when no local CA runs: use
  // scripts/with-pebble.sh, as `make test` does).
  const answer = await request.get(directory);
  expect(answer.ok(), `the local CA at ${directory} answers`).toBeTruthy();
  const dir = await answer.json();

  await page.goto('/');
  await expect(page).toHaveTitle('Certsmith');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Certsmith');
  await expect(page.locator('#ca-directory')).toHaveText(directory);
  await expect(page.locator('#local-ca')).toContainText('local test CA (Pebble)');

  for (const resource of ['newNonce', 'newAccount', 'newOrder', 'revokeCert', 'keyChange']) {
    await expect(page.locator(`[data-resource="${resource}"]`)).toHaveText(dir[resource]);
  }
  await expect(page.locator('#directory')).toContainText('meta.termsOfService');

  await page.screenshot({ path: path.join(screenshots, 'directory.png'), fullPage: true });
  expect(problems).toEqual([]);
});

test('says clearly when the CA cannot be reached', async ({ page }) => {
  // Refuse the page's request to the CA, as a CORS block or an untrusted certificate would.
  await page.route(directory, (route) => route.abort('failed'));
  await page.goto('/');
  const status = page.locator('#status[role="alert"]');
  await expect(status).toContainText('Could not read the directory');
  await expect(status).toContainText('CORS');
  await expect(status).toContainText('certificate');
  await page.screenshot({ path: path.join(screenshots, 'unreachable.png'), fullPage: true });
});

test('the page allows no third-party origin', async ({ page }) => {
  const origins = new Set<string>();
  page.on('request', (req) => origins.add(new URL(req.url()).origin));
  await page.goto('/');
  await expect(page.locator('#status, #directory').first()).toBeVisible();
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("default-src 'none'");
  expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'/);
  const base = new URL(page.url()).origin;
  expect([...origins].filter((o) => o !== base && o !== new URL(directory).origin)).toEqual([]);
});
