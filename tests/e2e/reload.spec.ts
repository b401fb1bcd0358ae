// A reload at every point of the flow resumes and completes: after Connect, after the account, with the
// TXT records shown, after the DNS check, while the page polls the CA during validation, and while it
// finalizes. Each step must come back with the same values (the state is in localStorage), and once the
// challenges are submitted the page must go on by itself: nobody clicks anything after those reloads.
//
// The two reloads in flight are made certain, not hoped for: Playwright holds the reply of the order poll
// and of finalize (the request reaches Pebble, Pebble acts) until the page has been reloaded, so the old
// document never sees it.
import {
  test,
  expect,
  Shots,
  acmeOrigin,
  button,
  checkCertificate,
  checkDns,
  chooseChallenge,
  connect,
  createAccount,
  createOrder,
  env,
  expectCurrentStep,
  holdNextReply,
  pebbleDirectory,
  placeTxtRecords,
  rand,
  readTxtRecords,
  step,
  submitChallenges,
  waitForCertificate,
} from './support';

test.describe.configure({ timeout: 180_000 });

const sorted = (m: Map<string, string[]>) => [...m].map(([k, v]) => [k, [...v].sort()]).sort();

test('a reload at each step, while polling and while finalizing resumes where it was and issues', async ({
  page,
  guard,
  downloads,
}) => {
  const shots = new Shots('reload-each-');
  const base = `e2e-reload-${rand()}.example.test`;
  const names = [base, `*.${base}`];
  // The reloads cut the held requests off (expected), and the CA refuses the finalize the page sends again
  // after the reload (its reply was lost): Chromium logs that refusal, the page must not show it.
  guard.allow((s) => s.kind === 'requestfailed' && s.whileReloading === true);
  guard.allow((s) => s.kind === 'console' && /status of 4\d\d/.test(s.text) && s.url.startsWith(acmeOrigin()));

  // Requests the CA carried out (2xx), to show that no reload repeated a request that changes something.
  const directory = pebbleDirectory();
  const carried: { method: string; path: string }[] = [];
  page.on('response', (res) => {
    if (res.status() < 300 && new URL(res.url()).origin === acmeOrigin()) {
      carried.push({ method: res.request().method(), path: new URL(res.url()).pathname });
    }
  });
  const carriedOut = (match: (path: string) => boolean) =>
    carried.filter((r) => r.method === 'POST' && match(r.path)).length;
  const sentSince = (mark: number, pattern: RegExp) =>
    guard.acme.slice(mark).filter((r) => r.method === 'POST' && pattern.test(new URL(r.url).pathname)).length;
  const noAlert = () => expect(page.getByRole('alert'), 'no error is shown').toHaveCount(0);

  // 1. Connected: the account step, and the CA as it was read.
  await connect(page, shots);
  const ca = step(page, 'Certificate authority');
  const terms: string | undefined = directory.meta?.termsOfService;
  await guard.reload(page);
  await expectCurrentStep(page, 'Account');
  await expect(button(ca, 'Connect'), 'the CA step is not asked again').toHaveCount(0);
  if (terms) await expect(page.getByTestId('ca-terms')).toHaveText(terms);
  else await expect(page.getByTestId('no-terms')).toBeVisible();
  await noAlert();
  await shots.take(page, '1-after-reload');

  // 2. The account: the names step, the same account.
  const account = await createAccount(page, shots);
  await guard.reload(page);
  await expectCurrentStep(page, 'Names and key');
  await expect(page.getByTestId('account-url')).toHaveText(account);
  await expect(button(page, 'Download account key')).toBeVisible();
  await noAlert();
  await shots.take(page, '2-after-reload');

  // 3. The order: the challenges step, the same authorizations and TXT records, the same choice.
  await createOrder(page, shots, names);
  await chooseChallenge(page, 'dns-01');
  const records = await readTxtRecords(page, names);
  await guard.reload(page);
  await expectCurrentStep(page, 'Challenges');
  await expect(page.getByTestId('account-url')).toHaveText(account);
  const authzs = page.getByTestId('authz');
  await expect(authzs).toHaveCount(names.length);
  expect((await authzs.locator('h3').allInnerTexts()).map((t) => t.trim()).sort()).toEqual([...names].sort());
  await expect(page.getByTestId('authz-status')).toHaveText(names.map(() => /^\s*pending\s*$/i));
  await expect(page.getByLabel('Challenge type'), 'the non-wildcard name keeps dns-01').toHaveValue('dns-01');
  const afterOrder = await readTxtRecords(page, names);
  expect(sorted(afterOrder), 'the same record names and values after the reload').toEqual(sorted(records));
  await noAlert();
  await shots.take(page, '4-after-reload');

  // 4. Records placed and checked: the same results and records after the reload.
  await placeTxtRecords(records);
  await checkDns(page, records, true);
  const results = page.getByTestId('doh-result');
  const checked = await results.allInnerTexts();
  await guard.reload(page);
  await expectCurrentStep(page, 'Challenges');
  await expect(page.getByLabel('DNS-over-HTTPS resolvers')).toHaveValue(env.doh);
  await expect(results, 'the DNS check results are kept').toHaveText(checked);
  expect(sorted(await readTxtRecords(page, names)), 'the same records after the reload').toEqual(sorted(records));
  await noAlert();
  await shots.take(page, '4-dns-checked-after-reload');

  // 5. Submitted: the page polls the order while the CA validates. The poll's reply is held, and the page
  // reloaded in the middle of it. Finalize is trapped as well, since the page goes on by itself from here.
  const poll = await holdNextReply(page, /^\/my-order\//);
  const finalize = await holdNextReply(page, /^\/finalize-order\//);
  await submitChallenges(page, shots, false);
  await poll.reached();
  await expectCurrentStep(page, 'Challenges');
  await expect(page.getByTestId('busy-label'), 'the page is polling the order').toHaveText(/about the order/);
  await shots.take(page, '4-polling');
  const beforePollReload = guard.acme.length;
  await guard.reload(page);
  await poll.release();

  // 6. After that reload, by itself: polls again, finalizes; the finalize reply is held, and the page reloaded.
  await finalize.reached();
  await expectCurrentStep(page, 'Certificate');
  await expect(page.getByTestId('busy-label'), 'the page is finalizing').toHaveText(/finalize/);
  await shots.take(page, '5-finalizing');
  const beforeFinalizeReload = guard.acme.length;
  await guard.reload(page);
  await finalize.release();

  // 7. By itself again: the certificate, without a click and without an error.
  await expect(button(page, 'Download fullchain.pem'), 'the page finished by itself').toBeVisible({
    timeout: 90_000,
  });
  await waitForCertificate(page);
  await expectCurrentStep(page, 'Certificate');
  await noAlert();
  await shots.take(page, '5-certificate');
  await checkCertificate(page, names, downloads);
  await expect(page.getByTestId('account-url')).toHaveText(account);

  // Each trap was hit and the page went on from the saved state: it polled the order again after the first
  // reload, without answering a challenge a second time, and sent finalize again after the second (which the
  // CA, having acted already, refuses; the page then reads the order back).
  const polled = sentSince(beforePollReload, /^\/my-order\//);
  expect(polled, 'order polls after the reload mid-poll').toBeGreaterThanOrEqual(1);
  expect(sentSince(beforePollReload, /^\/chalZ\//), 'no challenge answered again after the reload').toBe(0);
  const finalized = sentSince(beforeFinalizeReload, /^\/finalize-order\//);
  expect(finalized, 'finalize sent again after the reload mid-finalize').toBeGreaterThanOrEqual(1);
  const fetched = sentSince(beforeFinalizeReload, /^\/certZ\//);
  expect(fetched, 'the certificate downloaded after the reload').toBeGreaterThanOrEqual(1);
  // No reload repeated a request the CA carried out: one account, one order, one answer per authorization.
  const at = (url: string) => (path: string) => path === new URL(url).pathname;
  expect(carriedOut(at(directory.newAccount)), 'accounts created').toBe(1);
  expect(carriedOut(at(directory.newOrder)), 'orders created').toBe(1);
  expect(carriedOut((path) => path.startsWith('/chalZ/')), 'challenge answers taken').toBe(names.length);
});

test('a saved state the page cannot use is kept aside, and an earlier copy is never replaced', async ({ page, guard }) => {
  const key = 'certsmith.state.v1';
  const notice = page.locator('.notice[role="status"]');
  await page.goto('/');
  await expectCurrentStep(page, 'Certificate authority');
  // Damaged text (a write cut short), then a state of a format this build does not read.
  const damaged = '{"version":2,"step":"acc';
  const other = JSON.stringify({ version: 99, step: 'names', account: { key: 'kept for its owner' } });
  for (const [saved, why, copy] of [
    [damaged, /it is damaged/, `${key}.refused`],
    [other, /format 99, this one reads \d+/, `${key}.refused.2`],
  ] as const) {
    await page.evaluate(([k, v]) => localStorage.setItem(k, v), [key, saved]);
    await guard.reload(page);
    await expectCurrentStep(page, 'Certificate authority');
    await expect(notice).toContainText(why);
    await expect(notice).toContainText(`under "${copy}"`);
    expect(await page.evaluate((k) => localStorage.getItem(k), copy)).toBe(saved);
  }
  // The first copy is still there, and the fresh state took the key's place.
  expect(await page.evaluate((k) => localStorage.getItem(k), `${key}.refused`)).toBe(damaged);
  const fresh = await page.evaluate((k) => localStorage.getItem(k), key);
  expect(fresh).not.toBe(other);
  expect(JSON.parse(fresh ?? 'null')).toMatchObject({ version: expect.any(Number) });
});
