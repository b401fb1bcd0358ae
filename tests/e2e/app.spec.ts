// Step 1 as a person meets it: the page opens on the local test CA, connects to it, explains a CA it cannot
// reach, and talks to no origin but its own and the CA's.
import { test, expect, step, button, connectHere, createAccount, expectCurrentStep, env, acmeOrigin, Shots } from './support';

test('step 1 opens on the local test CA and connects to it', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Certsmith');
  const ca = step(page, 'Certificate authority').getByLabel('Certificate authority');
  const options = (await ca.locator('option').allInnerTexts()).map((o) => o.trim());
  expect(options).toEqual(["Let's Encrypt", "Let's Encrypt staging", 'Local test CA (Pebble)', 'Other']);
  await connectHere(page, new Shots('smoke-'));
});

test('step 1 says clearly when the CA cannot be reached, and Try again repeats it', async ({ page, guard }) => {
  // Refuse the page's request to the CA, as a CORS block or an untrusted certificate would.
  guard.allow((s) => (s.kind === 'requestfailed' || s.kind === 'console') && s.url === env.directory);
  await page.route(env.directory, (route) => route.abort('failed'));
  await page.goto('/');
  const s = step(page, 'Certificate authority');
  await button(s, 'Connect').click();
  const alert = s.getByRole('alert');
  await expect(alert).toBeVisible();
  await expect(alert).toHaveText(/\S{10,}/);
  await new Shots('unreachable-').take(page, '1-ca');
  await expectCurrentStep(page, 'Certificate authority');

  await page.unroute(env.directory);
  await button(page, 'Try again').click();
  await expectCurrentStep(page, 'Account');
  await expect(s.getByRole('alert')).toHaveCount(0);
});

test('the page allows no third-party origin and has no inline script', async ({ page }) => {
  const origins = new Set<string>();
  page.on('request', (req) => origins.add(new URL(req.url()).origin));
  await page.goto('/');
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
  expect(csp).not.toMatch(/unsafe-inline|sha256-/);
  // Every script comes from a file of the page's own origin, none inline.
  const inlineScripts = await page.locator('script:not([src])').count();
  expect(inlineScripts).toBe(0);
  await button(step(page, 'Certificate authority'), 'Connect').click();
  await expectCurrentStep(page, 'Account');
  const base = new URL(page.url()).origin;
  expect([...origins].filter((o) => o !== base && o !== acmeOrigin())).toEqual([]);
});

test('step 1 asks for external account binding when the CA requires it; the account is made with it', async ({
  page,
}) => {
  const eab = env.eab;
  test.skip(!eab, 'no EAB Pebble (CERTSMITH_PEBBLE_EAB_INSTANCE=0)');
  const shots = new Shots('eab-');
  await page.goto('/');
  const s = step(page, 'Certificate authority');
  await s.getByLabel('Certificate authority').selectOption({ label: 'Other' });
  await s.getByLabel('Directory URL').fill(eab!.directory);
  await button(s, 'Connect').click();
  await expect(page.getByLabel('EAB key ID')).toBeVisible();
  await page.getByLabel('EAB key ID').fill(eab!.kid);
  await page.getByLabel('EAB HMAC key').fill(eab!.hmac);
  await shots.take(page, '1-ca');
  // createAccount checks that the account URL is the EAB CA's.
  await createAccount(page, shots, undefined, eab!.directory);
});
