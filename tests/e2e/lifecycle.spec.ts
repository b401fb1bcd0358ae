// A certificate's life after the first download: it is listed in "Certificates in this browser" (and
// stays listed after a reload), a calendar reminder parses as iCalendar, "Renew" issues a new certificate
// for the same names and marks the old one replaced, and the old one is revoked: the page says so and
// Pebble's own record of the certificate says "Revoked".
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { Locator, Page } from '@playwright/test';
import {
  test,
  expect,
  Shots,
  button,
  checkDns,
  clearTxt,
  chooseChallenge,
  connect,
  createAccount,
  download,
  env,
  expectCurrentStep,
  expectKeyMatches,
  issueByDns,
  placeTxtRecords,
  rand,
  readTxtRecords,
  submitChallenges,
  waitForCertificate,
} from './support';

test.describe.configure({ timeout: 180_000 });

/** Pebble's status of the certificate with this serial (upper-case hex, as the page shows it). */
function pebbleStatus(serialHex: string): string {
  const out = execFileSync(
    'curl',
    ['-sf', '--max-time', '10', '--cacert', env.caFile, `${env.mgmt}/cert-status-by-serial/${serialHex.toLowerCase()}`],
    { encoding: 'utf8' },
  );
  return JSON.parse(out).Status;
}

const entries = (page: Page) => page.getByTestId('cert-entry');
const entryFor = (page: Page, serial: string): Locator =>
  entries(page).filter({ has: page.getByTestId('cert-serial').getByText(serial, { exact: true }) });

/** After "Renew": the challenges again, unless the CA still holds every name as validated. */
async function finishRenewal(page: Page, shots: Shots, names: string[]) {
  // The renewal has begun (the last order is gone) before anything below is read: "Renew with this key"
  // first has the jobs module read the key, and meanwhile the last order, all reused, is still shown.
  await expect(page.getByTestId('renewing')).toBeVisible({ timeout: 30_000 });
  const challenges = page.getByTestId('authz-status').filter({ hasText: /pending/ });
  const certificate = button(page, 'Download fullchain.pem');
  await expect(challenges.first().or(page.getByTestId('reused-all'))).toBeVisible({ timeout: 30_000 });
  if (await challenges.count()) {
    await chooseChallenge(page, 'dns-01');
    const pending = (await page.getByTestId('authz').filter({ hasText: /pending/ }).locator('h3').allInnerTexts()).map((t) => t.trim());
    const records = await readTxtRecords(page, pending);
    // A person removes the last renewal's values: left in place, several orders' values outgrow a plain
    // DNS answer over UDP, which Pebble's resolver then fails to read ("overflowing header size").
    for (const name of records.keys()) await clearTxt(name);
    await placeTxtRecords(records);
    await checkDns(page, records, true);
    await submitChallenges(page, shots, false);
  }
  await waitForCertificate(page);
  await expect(certificate).toBeVisible();
  const shown = page.getByTestId('cert-names');
  for (const name of names) await expect(shown).toContainText(name);
}

test('issue, list, remind, renew (old one replaced), revoke the old one (Pebble says revoked)', async ({
  page,
  guard,
  downloads,
}) => {
  const shots = new Shots('lifecycle-');
  const base = `e2e-life-${rand()}.example.test`;
  const names = [base, `*.${base}`];
  await connect(page, shots);
  const accountUrl = await createAccount(page, shots);
  await issueByDns(page, shots, names, downloads);

  // Listed, valid, with a renewal window; and still there after a reload.
  await expect(entries(page)).toHaveCount(1);
  const first = entries(page).first();
  await expect(first.getByTestId('cert-state')).toHaveText('valid');
  await expect(first.locator('h3')).toHaveText(names.join(', '));
  await expect(first.getByTestId('cert-window')).toContainText('between');
  await expect(first.getByTestId('cert-account')).toHaveText(accountUrl);
  const oldSerial = (await first.getByTestId('cert-serial').innerText()).trim();
  expect(pebbleStatus(oldSerial)).toBe('Valid');
  await guard.reload(page);
  await expect(entries(page)).toHaveCount(1);
  await shots.take(page, '6-listed');

  // The reminder is an iCalendar file that a standard library reads: one event in the window, an alarm.
  const [ics] = await Promise.all([page.waitForEvent('download'), button(first, 'Add a reminder (.ics)').click()]);
  const icsPath = `${downloads}/reminder.ics`;
  await ics.saveAs(icsPath);
  const parsed = execFileSync(
    '/usr/bin/python3',
    ['-c', `import icalendar,sys,json
cal = icalendar.Calendar.from_ical(open(sys.argv[1],'rb').read())
ev = [c for c in cal.walk('VEVENT')]
print(json.dumps({'events': len(ev), 'summary': str(ev[0]['SUMMARY']), 'alarms': len(list(ev[0].walk('VALARM'))), 'url': str(ev[0].get('URL'))}))`, icsPath],
    { encoding: 'utf8' },
  );
  const reminder = JSON.parse(parsed);
  expect(reminder.events).toBe(1);
  expect(reminder.alarms).toBe(1);
  expect(reminder.summary).toContain(base);
  expect(reminder.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  // A double click makes one file: the button waits while the certificate is read for the first.
  let reminders = 0;
  const countReminder = () => reminders++;
  page.on('download', countReminder);
  await button(first, 'Add a reminder (.ics)').dblclick();
  await expect.poll(() => reminders).toBe(1);
  await expect(button(first, 'Add a reminder (.ics)')).toBeEnabled();
  // A second file would come from a second read in the jobs module, which takes milliseconds.
  await page.waitForTimeout(1_000);
  expect(reminders, 'files from one double click').toBe(1);
  page.off('download', countReminder);

  // The certificate's key is kept only with the order: a new order or a renewal would delete it, so both
  // ask first. Cancelled, the order and its key stay; confirmed, the renewal goes on.
  const keyButton = button(page, 'Download privkey.pem');
  await expect(keyButton).toBeVisible();
  await button(page.getByRole('complementary', { name: 'This order' }), 'Start a new order').click();
  let ask = page.getByRole('dialog', { name: "Delete this certificate's key?" });
  await expect(ask).toContainText('privkey.pem');
  await shots.take(page, '6-new-order-asks');
  await button(ask, 'Cancel').click();
  await expect(ask).toBeHidden();
  await expectCurrentStep(page, 'Certificate');
  await expect(keyButton).toBeVisible();

  // Renew: a new order for the same names, through the same steps; the old entry says by which.
  await button(first, 'Renew').click();
  ask = page.getByRole('dialog', { name: "Delete this certificate's key?" });
  await expect(ask).toBeVisible();
  await expect(keyButton, 'nothing is deleted while the page asks').toBeVisible();
  await button(ask, 'Delete the key and go on').click();
  await finishRenewal(page, shots, names);
  await expect(entries(page)).toHaveCount(2);
  const old = entryFor(page, oldSerial);
  await expect(old.getByTestId('cert-state')).toHaveText('replaced');
  const renewed = entries(page).first();
  const newSerial = (await renewed.getByTestId('cert-serial').innerText()).trim();
  expect(newSerial).not.toBe(oldSerial);
  await expect(renewed.getByTestId('cert-state')).toHaveText('valid');
  await expect(old.getByTestId('cert-replaced-by')).toContainText(newSerial);
  await shots.take(page, '7-renewed');

  // Revoke the old one, signed by the account, reason superseded.
  await button(old, 'Revoke…').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Reason').selectOption('superseded');
  await button(dialog, 'Revoke').click();
  await expect(old.getByTestId('cert-state')).toHaveText('revoked', { timeout: 30_000 });
  await expect(old.getByRole('alert')).toHaveCount(0);
  expect(pebbleStatus(oldSerial)).toBe('Revoked');
  expect(pebbleStatus(newSerial)).toBe('Valid');
  await shots.take(page, '8-revoked');

  // Renew the new one with the same key (pasted): the third certificate is for that key.
  const privkey = await download(page, 'Download privkey.pem', downloads, 'renewed-privkey.pem');
  await renewed.getByText('Renew with the same key').click();
  await renewed.getByLabel("The certificate's private key (PEM)").fill('not a key');
  await button(renewed, 'Renew with this key').click();
  await expect(renewed.getByRole('alert')).toContainText('not a usable private key');
  await renewed.getByLabel("The certificate's private key (PEM)").fill(fs.readFileSync(privkey.path, 'utf8'));
  await button(renewed, 'Renew with this key').click();
  // The key was checked; the order under way holds that certificate's key: asked, then renewed with it.
  await button(page.getByRole('dialog', { name: "Delete this certificate's key?" }), 'Delete the key and go on').click();
  await finishRenewal(page, shots, names);
  await expect(entries(page)).toHaveCount(3);
  const third = await download(page, 'Download fullchain.pem', downloads, 'third-fullchain.pem');
  expectKeyMatches(privkey.path, third.path);
  await expect(entryFor(page, newSerial).getByTestId('cert-state')).toHaveText('replaced');

  // The list is saved apart from the wizard, and survives a reload as it is.
  await guard.reload(page);
  await expect(entryFor(page, oldSerial).getByTestId('cert-state')).toHaveText('revoked');
  await expect(entryFor(page, newSerial).getByTestId('cert-state')).toHaveText('replaced');
  await expectCurrentStep(page, 'Certificate');
});

test('a certificate added as PEM is listed; garbage is refused with a reason', async ({ page, guard, downloads }) => {
  const shots = new Shots('lifecycle-add-');
  await connect(page, shots);
  await createAccount(page, shots);
  const name = `e2e-add-${rand()}.example.test`;
  const { fullchain } = await issueByDns(page, shots, [name], downloads);
  // Start afresh, keeping only the certificate file.
  await page.evaluate(() => localStorage.clear());
  await connect(page, shots);
  await expect(entries(page)).toHaveCount(0);
  const add = page.getByText('Add a certificate issued elsewhere (PEM)');
  await add.click();
  const box = page.getByLabel('Certificate with its intermediates (PEM)');
  await box.fill('not a certificate');
  await button(page, 'Add to the list').click();
  await expect(page.locator('.add-certificate').getByRole('alert')).toContainText('not a certificate chain');
  await box.fill(fs.readFileSync(fullchain, 'utf8'));
  await button(page, 'Add to the list').click();
  await expect(entries(page)).toHaveCount(1);
  await expect(entries(page).first().locator('h3')).toHaveText(name);
  // Not issued here: renewing needs its CA and account, which the page does not know.
  await expect(entries(page).first().getByTestId('cert-state')).toHaveText('valid');

  // A renewal window from a CA (RFC 9773) with its explanationURL: a link when https, text otherwise.
  const why = entries(page).first().getByTestId('cert-window-why');
  await expect(why).toHaveCount(0);
  for (const [url, link] of [['https://ca.example.test/why', true], ['javascript:alert(1)', false]] as const) {
    await page.evaluate((url) => {
      const key = 'certsmith.certificates.v1';
      const shelf = JSON.parse(localStorage.getItem(key)!);
      const now = Math.floor(Date.now() / 1000);
      shelf.entries[0].renewal = { start: now + 86400, end: now + 2 * 86400, explanation_url: url, checked_at: now, next_check: now + 86400 };
      localStorage.setItem(key, JSON.stringify(shelf));
    }, url);
    await guard.reload(page);
    await expect(entries(page).first().getByTestId('cert-window')).toContainText("the CA's suggestion");
    await expect(why).toHaveText(link ? 'why this window' : url);
    if (link) await expect(why).toHaveAttribute('href', url);
    else await expect(why).not.toHaveAttribute('href', /./);
  }
});
