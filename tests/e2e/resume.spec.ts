// A reload at the worst moments resumes and completes. Playwright holds chosen CA replies: the request reaches
// Pebble, Pebble acts, and the page is reloaded before the reply arrives, so the reply is lost after the CA
// acted, as when a connection drops. The page must then read the state back instead of sending the
// request again blindly (a second challenge answer is refused: "Cannot update challenge with status …"), and
// go on to a certificate.
import {
  test,
  expect,
  Shots,
  acmeOrigin,
  checkCertificate,
  checkDns,
  connect,
  createAccount,
  createOrder,
  expectCurrentStep,
  holdNextReply,
  placeTxtRecords,
  rand,
  readTxtRecords,
  chooseChallenge,
  submitChallenges,
  waitForCertificate,
} from './support';

test.describe.configure({ timeout: 120_000 });

test('replies lost after the CA acted on a challenge answer and on finalize: the page reads back and issues', async ({
  page,
  guard,
  downloads,
}) => {
  const shots = new Shots('resume-');
  const name = `e2e-resume-${rand()}.example.test`;
  // The reload cuts the held requests off (expected), and the CA's refusal of a repeated request would be
  // logged by Chromium as a failed resource: the page must not show it, but the console may.
  guard.allow((s) => s.kind === 'requestfailed' && s.whileReloading === true);
  guard.allow((s) => s.kind === 'console' && /status of 4\d\d/.test(s.text) && s.url.startsWith(acmeOrigin()));

  await connect(page, shots);
  await createAccount(page, shots);
  await createOrder(page, shots, [name]);
  await chooseChallenge(page, 'dns-01');
  const records = await readTxtRecords(page, [name]);
  await placeTxtRecords(records);
  await checkDns(page, records, true);

  // Both traps are set now: after the first reload the page goes on by itself, quickly.
  const answer = await holdNextReply(page, /^\/chalZ\//);
  const finalize = await holdNextReply(page, /^\/finalize-order\//);

  // 1. The challenge answer reaches the CA; its reply is lost in a reload.
  await submitChallenges(page, shots, false);
  await answer.reached();
  await guard.reload(page);
  await answer.release();

  // 2. The page goes on; finalize reaches the CA, and its reply is lost in a reload too.
  await finalize.reached();
  await guard.reload(page);
  await finalize.release();

  await waitForCertificate(page);
  await expectCurrentStep(page, 'Certificate');
  await shots.take(page, '5-certificate');
  await expect(page.getByRole('alert').filter({ hasText: /refused|Could not/ })).toHaveCount(0);
  await checkCertificate(page, [name], downloads);
  // Both lost requests were indeed sent again after the reload (and refused by the CA, which the page
  // took as "already done" after reading the state back): the traps were hit, not skipped.
  const posts = (re: RegExp) => guard.acme.filter((r) => r.method === 'POST' && re.test(new URL(r.url).pathname)).length;
  expect(posts(/^\/chalZ\//), 'challenge answers sent').toBeGreaterThanOrEqual(2);
  expect(posts(/^\/finalize-order\//), 'finalize requests sent').toBeGreaterThanOrEqual(2);
});
