// Accessibility (issue 11): one full issuance against Pebble driven by the keyboard alone. The test only
// presses Tab, Shift+Tab, Enter, Space, Escape and Ctrl+A, and types into whatever has the focus: no clicks,
// no fill, no focus() of its own (placing the DNS record at challtestsrv stands for the person's DNS panel).
// It checks that the page moves the focus itself: to each new step's heading, to an error when one appears,
// into a dialog, round its controls and back to the button that opened it; that every control it stops on
// shows its focus ring; and that Tab never stops on something invisible.
import type { Locator, Page } from '@playwright/test';
import {
  test,
  expect,
  button,
  env,
  expectChainVerifies,
  expectCurrentStep,
  expectKeyMatches,
  pebbleRoot,
  placeTxtRecords,
  rand,
  readTxtRecords,
  screenshotsDir,
  step,
} from './support';
import * as fs from 'fs';
import * as path from 'path';

test.describe.configure({ timeout: 120_000 });

/** Nothing listens there: Connect fails at once with a network error. */
const UNREACHABLE = 'https://127.0.0.1:9/dir';
const MAX_TABS = 80;

const heading = (page: Page, title: string) => step(page, title).getByRole('heading', { level: 2 });

/** What has the focus, in words, for failure messages; and whether it can be seen at all. */
async function focused(page: Page): Promise<{ what: string; visible: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { what: 'the page itself (body)', visible: true };
    const box = el.getBoundingClientRect();
    const name = el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 60) ?? '';
    return {
      what: `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}> "${name}"`,
      visible: box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden',
    };
  });
}

const hasFocus = (target: Locator) => target.evaluate((el) => el === document.activeElement);

/**
 * Presses Tab (or Shift+Tab) until `target` has the focus, as a person looks for a control; fails if Tab
 * stops on something invisible or never reaches the target. The control reached must show its focus ring.
 */
async function tabTo(page: Page, target: Locator, what: string, back = false) {
  await expect(target, `${what} is there to reach`).toBeVisible();
  const path: string[] = [];
  for (let i = 0; i <= MAX_TABS; i++) {
    if (await hasFocus(target)) {
      expect(await target.evaluate((el) => el.matches(':focus-visible')), `${what} shows that it has the focus`).toBe(true);
      return;
    }
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    path.push(now.what);
    expect(now.visible, `Tab stopped on something invisible on the way to ${what}: ${path.join(' → ')}`).toBe(true);
  }
  throw new Error(`${what}: not reached with ${MAX_TABS} presses of ${back ? 'Shift+Tab' : 'Tab'}: ${path.join(' → ')}`);
}

/** Replaces the text of the focused field, as a person selects it all and types over it. */
async function typeOver(page: Page, text: string) {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

/** What the person sees where the focus went: the viewport only (target/screenshots/keyboard-<name>.png). */
async function shot(page: Page, name: string) {
  fs.mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotsDir, `keyboard-${name}.png`), animations: 'disabled' });
}

async function downloadByEnter(page: Page, name: string, dir: string) {
  await tabTo(page, button(page, name), `"${name}"`);
  const [file] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  const target = path.join(dir, file.suggestedFilename());
  await file.saveAs(target);
  return target;
}

test('one issuance by keyboard alone: focus moves to each new step and to each error', async ({
  page,
  guard,
  downloads,
}) => {
  const name = `e2e-kbd-${rand()}.example.test`;
  // The refused connection, which Chromium reports, is the error provoked on purpose.
  guard.allow((s) => 'url' in s && s.url.startsWith(new URL(UNREACHABLE).origin));
  guard.allow((s) => s.kind === 'console' && /net::ERR_CONNECTION_REFUSED/.test(s.text));

  await page.goto('/');
  await expectCurrentStep(page, 'Certificate authority');
  const ca = step(page, 'Certificate authority');

  // An error: a directory nobody answers. The error panel takes the focus, so it is read out at once.
  await tabTo(page, ca.getByLabel('Directory URL'), 'the directory URL');
  await typeOver(page, UNREACHABLE);
  await tabTo(page, button(ca, 'Connect'), '"Connect"');
  await page.keyboard.press('Enter');
  const error = ca.getByRole('alert');
  await expect(error, 'the error has the focus').toBeFocused();
  await expect(error).toContainText(/\S/);
  await shot(page, '1-error');

  // Back to the URL, the right one, Connect: the Account step's heading has the focus.
  await tabTo(page, ca.getByLabel('Directory URL'), 'the directory URL', true);
  await typeOver(page, env.directory);
  await tabTo(page, button(ca, 'Connect'), '"Connect"');
  await page.keyboard.press('Enter');
  await expectCurrentStep(page, 'Account');
  await expect(heading(page, 'Account'), 'the new step has the focus').toBeFocused({ timeout: 30_000 });
  await shot(page, '2-account');

  // Step 2: tick the terms with Space, create the account with Enter.
  const account = step(page, 'Account');
  const terms = account.getByLabel("I agree to the CA's terms of service");
  await tabTo(page, terms, 'the terms checkbox');
  await page.keyboard.press('Space');
  await expect(terms).toBeChecked();
  await tabTo(page, button(account, 'Create account'), '"Create account"');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('account-url')).toBeVisible({ timeout: 30_000 });
  await expectCurrentStep(page, 'Names and key');
  await expect(heading(page, 'Names and key'), 'the new step has the focus').toBeFocused();

  // Step 3: an invalid name is flagged in place while typing, tied to the field, and focus stays there.
  const names = step(page, 'Names and key');
  const field = names.getByLabel('Domain names');
  await tabTo(page, field, 'the domain names');
  await page.keyboard.type(`bad_name..${name}`);
  const invalid = names.getByRole('alert');
  await expect(invalid).toContainText('bad_name..');
  await expect(field, 'typing goes on in the field').toBeFocused();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(/cannot be used/);
  await typeOver(page, name);
  await expect(invalid).toHaveCount(0);
  await tabTo(page, button(names, 'Create order'), '"Create order"');
  await page.keyboard.press('Enter');
  await expectCurrentStep(page, 'Challenges');
  await expect(heading(page, 'Challenges'), 'the new step has the focus').toBeFocused({ timeout: 30_000 });
  await expect(page.getByTestId('authz-status')).toHaveText([/^\s*pending\s*$/i], { timeout: 30_000 });

  // Step 4 (DNS-01, the default). Submitting before the DNS check asks first: the dialog takes the focus
  // ("Cancel"), Escape closes it, and the focus is back on "Submit challenges".
  const records = await readTxtRecords(page, [name]);
  const submit = button(page, 'Submit challenges');
  await tabTo(page, submit, '"Submit challenges"');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  const [cancel, anyway] = [button(dialog, 'Cancel'), button(dialog, 'Submit anyway')];
  await expect(cancel, 'the dialog has the focus').toBeFocused();
  await shot(page, '4-dialog');
  // It is modal: Tab and Shift+Tab go round its two buttons, never to the page behind it.
  for (const [key, to] of [
    ['Tab', anyway],
    ['Tab', cancel],
    ['Shift+Tab', anyway],
    ['Shift+Tab', cancel],
  ] as const) {
    await page.keyboard.press(key);
    await expect(to, `${key} stays in the dialog`).toBeFocused();
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(submit, 'the focus is back where it was').toBeFocused();

  // The record is placed (at the DNS provider), the DNS check sees it, then submit.
  await placeTxtRecords(records);
  await tabTo(page, page.getByLabel('DNS-over-HTTPS resolvers'), 'the resolvers', true);
  await typeOver(page, env.doh);
  await tabTo(page, button(page, 'Check DNS'), '"Check DNS"');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('doh-result')).toHaveText([/^(?![\s\S]*not visible)[\s\S]*\bvisible\b/i], {
    timeout: 20_000,
  });
  await tabTo(page, submit, '"Submit challenges"');
  await page.keyboard.press('Enter');
  await expect(dialog, 'no question once the DNS check saw every value').toHaveCount(0);

  // Step 5: the page validates and finalizes by itself; the Certificate step's heading has the focus.
  const fullchainButton = button(page, 'Download fullchain.pem');
  await expect(fullchainButton).toBeVisible({ timeout: 60_000 });
  await expectCurrentStep(page, 'Certificate');
  await expect(heading(page, 'Certificate'), 'the new step has the focus').toBeFocused();
  await shot(page, '5-certificate');

  // Downloads by Enter on the focused button; what they hold is the certificate and its key.
  const fullchain = await downloadByEnter(page, 'Download fullchain.pem', downloads);
  const privkey = await downloadByEnter(page, 'Download privkey.pem', downloads);
  const leaf = expectChainVerifies(fullchain, pebbleRoot(0));
  expectKeyMatches(privkey, leaf);
});
