// Two tabs of the page share one saved state: the newer tab takes over, the older one says so and
// neither saves nor sends anything, so it cannot overwrite the progress made in the newer one; "Use this
// tab" brings the older one back with that progress, and the other steps back.
import {
  test,
  expect,
  Shots,
  acmeOrigin,
  button,
  checkDns,
  chooseChallenge,
  connect,
  createAccount,
  createOrder,
  expectCurrentStep,
  placeTxtRecords,
  rand,
  readTxtRecords,
  submitChallenges,
  waitForCertificate,
} from './support';

test.describe.configure({ timeout: 120_000 });

test('the newer tab works, the older one steps back and loses nothing of it', async ({ page, context }) => {
  const shots = new Shots('tabs-');
  const name = `e2e-tabs-${rand()}.example.test`;
  await connect(page, shots);
  await createAccount(page, shots);
  await createOrder(page, shots, [name]);
  await chooseChallenge(page, 'dns-01');
  const records = await readTxtRecords(page, [name]);

  // A second tab opens at the same step, with the same records; the first one steps back.
  const second = await context.newPage();
  await second.goto('/');
  await expectCurrentStep(second, 'Challenges');
  expect(await readTxtRecords(second, [name])).toEqual(records);
  const stepped = page.getByRole('dialog', { name: 'Certsmith is open in another tab' });
  await expect(stepped).toBeVisible();
  await expect(second.getByRole('dialog')).toHaveCount(0);
  await shots.take(page, '4-other-tab');
  let sentByFirst = 0;
  page.on('request', (r) => {
    if (r.url().startsWith(acmeOrigin())) sentByFirst++;
  });

  // The second tab goes on to a certificate.
  await placeTxtRecords(records);
  await checkDns(second, records, true);
  await submitChallenges(second, shots, false);
  await waitForCertificate(second);
  const saved = await second.evaluate(() => JSON.parse(localStorage.getItem('certsmith.state.v1')!));
  expect(saved.step).toBe('done');

  // The first tab sent nothing meanwhile, and its older state did not overwrite the saved progress.
  expect(sentByFirst).toBe(0);
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem('certsmith.state.v1')!));
  expect(after.step).toBe('done');

  // "Use this tab": the first tab comes back with the certificate; the second steps back.
  await button(stepped, 'Use this tab').click();
  await expectCurrentStep(page, 'Certificate');
  await expect(button(page, 'Download fullchain.pem')).toBeVisible();
  await expect(second.getByRole('dialog', { name: 'Certsmith is open in another tab' })).toBeVisible();
  await second.close();
});
