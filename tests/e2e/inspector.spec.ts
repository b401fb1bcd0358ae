// The protocol inspector (issue 11) against the real local Pebble: every exchange of a DNS-01 issuance with
// its RFC section (linked) and why, the nonce chain (each request's nonce is an earlier reply's Replay-Nonce),
// a badNonce retry (one forced, so it never depends on Pebble's random 30 %), the key authorizations derived
// step by step up to the TXT value the Challenges step shows, the filter by kind, the JSON export (no private
// key in it), and step-through: no request leaves before "Send", and a reload holds the same request again.
import type { Page, Route } from '@playwright/test';
import * as crypto from 'crypto';
import * as fs from 'fs';
import {
  acmeOrigin,
  button,
  checkCertificate,
  connect,
  createAccount,
  createOrder,
  download,
  expect,
  expectCurrentStep,
  pebbleDirectory,
  rand,
  step,
  test,
  validateByDns,
} from './support';

const BAD_NONCE = 'urn:ietf:params:acme:error:badNonce';
const STEP_THROUGH = 'Step-through: hold each request of the order until I press Send';
/** The section each kind is explained by (RFC 8555); a badNonce retry is §6.5 whatever its kind. */
const SECTION: Record<string, string> = {
  directory: '7.1.1',
  newNonce: '7.2',
  newAccount: '7.3',
  newOrder: '7.4',
  authorization: '7.5',
  challenge: '7.5.1',
  order: '7.4',
  finalize: '7.4',
  certificate: '7.4.2',
};
const sha256 = (data: string) => crypto.createHash('sha256').update(data).digest();

/**
 * The next POST to `url` gets a badNonce answer without reaching Pebble, carrying a fresh nonce of Pebble's
 * (as a real refusal does): the page must send the request again with that nonce (RFC 8555 §6.5).
 */
async function forceBadNonce(page: Page, url: string) {
  let used = false;
  const handler = async (route: Route) => {
    const request = route.request();
    if (used || request.method() !== 'POST' || request.url() !== url) return route.fallback();
    used = true;
    const nonce = (await page.request.head(pebbleDirectory().newNonce)).headers()['replay-nonce'];
    await route.fulfill({
      status: 400,
      headers: {
        'Content-Type': 'application/problem+json',
        'Replay-Nonce': nonce,
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Expose-Headers': 'Link, Replay-Nonce, Location',
      },
      body: JSON.stringify({ type: BAD_NONCE, detail: 'forced by inspector.spec.ts', status: 400 }),
    });
  };
  await page.route(`${acmeOrigin()}/**`, handler);
}

/**
 * The first challenge answer's reply gets `Retry-After: 1`, exposed to the page (Pebble sends none, and does
 * not expose it): the flow waits that long before its first order poll (§8.2), and the log shows the wait.
 */
async function addRetryAfter(page: Page) {
  let used = false;
  const handler = async (route: Route) => {
    const request = route.request();
    if (used || request.method() !== 'POST' || !/\/chal/i.test(new URL(request.url()).pathname)) return route.fallback();
    const response = await route.fetch();
    // Pebble refuses some nonces at random: a refused answer is retried by the page, and the wait comes after
    // the retry, so only the accepted answer may carry the Retry-After the test looks for.
    if (response.status() !== 200) return route.fulfill({ response });
    used = true;
    const headers = {
      ...response.headers(),
      'retry-after': '1',
      'access-control-expose-headers': 'Link, Replay-Nonce, Location, Retry-After',
    };
    await route.fulfill({ response, headers });
  };
  await page.route(`${acmeOrigin()}/**`, handler);
}

type Row = {
  n: number;
  kind: string;
  nonce?: string;
  from?: number;
  replay?: string;
  href?: string | null;
  rel?: string | null;
  why: string;
  retry: boolean;
  status: string;
};

/** The exchanges the log shows, as the UI contract marks them. */
async function rows(page: Page): Promise<Row[]> {
  return page
    .locator('details.protocol-log')
    .getByTestId('exchange')
    .evaluateAll((lis) =>
      lis.map((li) => {
        const e = li as HTMLLIElement;
        const link = e.querySelector('[data-testid=rfc-link]');
        return {
          n: e.value,
          kind: e.dataset.kind ?? '',
          nonce: e.dataset.nonce,
          from: e.dataset.nonceFrom === undefined ? undefined : Number(e.dataset.nonceFrom),
          replay: e.dataset.replayNonce,
          href: link?.getAttribute('href'),
          rel: link?.getAttribute('rel'),
          why: e.querySelector('[data-testid=why]')?.textContent ?? '',
          retry: e.querySelector('[data-testid=retry]') !== null,
          status: e.querySelector('.http-status')?.textContent ?? '',
        };
      }),
    );
}

/** The private JWK of a PEM key, and its RFC 7638 thumbprint. */
function privateJwk(pemFile: string) {
  const jwk = crypto.createPrivateKey(fs.readFileSync(pemFile)).export({ format: 'jwk' }) as Record<string, string>;
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return { jwk, thumbprint: sha256(canonical).toString('base64url') };
}

test('(a) an issuance explained: sections, nonce chain, badNonce retry, key authorizations, filter, export', async ({
  page,
  shots,
  downloads,
}) => {
  // Every Replay-Nonce the browser received, the CA probe's included.
  const replayNonces = new Set<string>();
  page.on('response', (res) => {
    const nonce = res.headers()['replay-nonce'];
    if (nonce) replayNonces.add(nonce);
  });
  const name = `inspect-${rand()}.example.test`;
  await connect(page, shots);
  await createAccount(page, shots);
  await forceBadNonce(page, pebbleDirectory().newOrder);
  await addRetryAfter(page);
  await createOrder(page, shots, [name]);
  const records = await validateByDns(page, shots, [name]);
  const files = await checkCertificate(page, [name], downloads);
  const accountKey = await download(page, 'Download account key', downloads, 'account.pem');

  const log = page.locator('details.protocol-log');
  await log.locator('> summary').click();
  const shown = await rows(page);
  await shots.take(page, 'inspector-1-log');

  // Each exchange: its section linked (plain link, no referrer) and why it happens.
  const kinds = new Set(shown.map((r) => r.kind));
  for (const kind of ['newAccount', 'newOrder', 'authorization', 'challenge', 'order', 'finalize', 'certificate']) {
    expect(kinds.has(kind), `the log has ${kind}`).toBe(true);
  }
  for (const r of shown) {
    const section = r.retry ? '6.5' : SECTION[r.kind];
    expect(section, `a known kind: ${r.kind}`).toBeTruthy();
    expect(r.href, `#${r.n} ${r.kind}`).toBe(`https://www.rfc-editor.org/rfc/rfc8555#section-${section}`);
    expect(r.rel).toBe('noopener noreferrer');
    expect(r.why.trim().length, `#${r.n} says why`).toBeGreaterThan(10);
  }

  // The nonce chain: each signed request's nonce is the Replay-Nonce of the earlier exchange it names; only
  // the first came from outside the log (the CA probe's newNonce), and the browser received that one too.
  const signed = shown.filter((r) => r.nonce);
  expect(signed.length).toBeGreaterThanOrEqual(8);
  for (const r of signed) {
    expect(replayNonces.has(r.nonce!), `#${r.n}'s nonce came from the CA`).toBe(true);
    if (r.from === undefined) continue;
    expect(r.from, `#${r.n} names an earlier reply`).toBeLessThan(r.n);
    expect(shown.find((s) => s.n === r.from)?.replay, `#${r.n}'s nonce is #${r.from}'s Replay-Nonce`).toBe(r.nonce);
  }
  expect(signed.filter((r) => r.from === undefined).map((r) => r.n), 'only the first nonce predates the log').toEqual([
    signed[0].n,
  ]);

  // The forced badNonce: the refused newOrder, then the same request again with the refusal's nonce.
  const retries = shown.filter((r) => r.retry);
  const retried = retries.find((r) => r.kind === 'newOrder');
  expect(retried, 'the forced badNonce retry of newOrder shows').toBeTruthy();
  expect(shown.find((r) => r.n === retried!.n - 1)?.status).toBe('400');
  expect(retried!.from, 'the retry uses the nonce of the refusal').toBe(retried!.n - 1);
  test.info().annotations.push({ type: 'badNonce retries in the log', description: String(retries.length) });

  // The flow's waits; the first, before the first order poll, as long as the challenge reply's Retry-After.
  const waits = (await log.getByTestId('wait').allInnerTexts()).map((w) => w.trim());
  expect(waits.length, 'the flow waited for validation').toBeGreaterThanOrEqual(1);
  for (const w of waits) expect(w).toMatch(/^Waited \d+ s: \S/);
  expect(waits[0]).toMatch(/^Waited 1 s: .*\(Retry-After: 1\)$/);

  // The key authorization, step by step, ends in the TXT value the Challenges step showed.
  const ka = log.locator(`[data-testid=key-authorization][data-name="${name}"][data-challenge="dns-01"]`);
  const text = async (id: string) => (await ka.getByTestId(id).innerText()).trim();
  const [token, jwk, thumbprint, keyAuthorization, hex, value] = await Promise.all(
    ['ka-token', 'ka-jwk', 'ka-thumbprint', 'ka-key-authorization', 'ka-sha256', 'ka-value'].map(text),
  );
  expect(thumbprint).toBe(sha256(jwk).toString('base64url'));
  expect(thumbprint, "the account key's RFC 7638 thumbprint").toBe(privateJwk(accountKey.path).thumbprint);
  expect(keyAuthorization).toBe(`${token}.${thumbprint}`);
  expect(hex).toBe(sha256(keyAuthorization).toString('hex'));
  expect(value).toBe(sha256(keyAuthorization).toString('base64url'));
  expect([value], 'the TXT value shown in the Challenges step').toEqual(records.get(`_acme-challenge.${name}`));
  const http = log.locator(`[data-testid=key-authorization][data-name="${name}"][data-challenge="http-01"]`);
  if ((await http.count()) > 0) {
    const httpToken = (await http.getByTestId('ka-token').innerText()).trim();
    await expect(http.getByTestId('ka-value')).toHaveText(`${httpToken}.${thumbprint}`);
  }

  // The filter by kind.
  const filter = log.getByLabel('Show');
  await filter.selectOption('newOrder');
  const orders = await rows(page);
  expect(orders.length, 'the refused newOrder and its retry').toBeGreaterThanOrEqual(2);
  expect(new Set(orders.map((r) => r.kind))).toEqual(new Set(['newOrder']));
  await filter.selectOption('problems');
  const problems = await rows(page);
  expect(problems.length).toBeGreaterThanOrEqual(2);
  for (const r of problems) expect(r.retry || Number(r.status) >= 400, `#${r.n} ${r.status}`).toBe(true);
  await shots.take(page, 'inspector-2-filtered');
  await filter.selectOption('');
  await expect(log.getByTestId('exchange')).toHaveCount(shown.length);

  // The export: the same exchanges with their sections and nonce sources, and no private key.
  const exported = await download(page, 'Export log (JSON)', downloads);
  expect(exported.suggested).toBe('certsmith-protocol-log.json');
  const json = fs.readFileSync(exported.path, 'utf8');
  const parsed = JSON.parse(json);
  expect(parsed.entries.length).toBe(shown.length);
  parsed.entries.forEach((e: any, i: number) => {
    expect(e.rfc).toBe(shown[i].href);
    expect(e.kind).toBe(shown[i].kind);
    if (e.nonceFrom === undefined) return;
    const replay = parsed.entries[e.nonceFrom].response_headers.find(([n]: string[]) => n === 'replay-nonce');
    expect(replay?.[1]).toBe(e.protected.nonce);
  });
  const privateMembers: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(k)) privateMembers.push(k);
        walk(inner);
      }
    }
  };
  walk(parsed);
  expect(privateMembers, 'no private JWK member').toEqual([]);
  expect(json).not.toContain('PRIVATE KEY');
  expect(json.includes(privateJwk(accountKey.path).jwk.d), "the account key's d").toBe(false);
  const certKey = crypto.createPrivateKey(fs.readFileSync(files.privkey)).export({ format: 'jwk' }) as Record<string, string>;
  expect(json.includes(certKey.d), "the certificate key's d").toBe(false);
  for (const line of fs.readFileSync(files.privkey, 'utf8').split('\n').filter((l) => l.length > 40)) {
    expect(json.includes(line), 'no line of privkey.pem').toBe(false);
  }
});

test('(b) step-through: no request leaves before Send; a reload holds the same request again', async ({
  page,
  shots,
  guard,
}) => {
  const directory = pebbleDirectory();
  const name = `step-${rand()}.example.test`;
  await connect(page, shots);
  await createAccount(page, shots);
  const sent: { method: string; url: string }[] = [];
  page.on('request', (req) => {
    if (new URL(req.url()).origin === acmeOrigin() && req.method() !== 'OPTIONS') {
      sent.push({ method: req.method(), url: req.url() });
    }
  });
  const log = page.locator('details.protocol-log');
  await log.locator('> summary').click();
  await log.getByLabel(STEP_THROUGH).check();

  const names = step(page, 'Names and key');
  await names.getByLabel('Domain names').fill(name);
  let mark = sent.length;
  await button(names, 'Create order').click();
  const held = page.getByTestId('held-request');
  const heldExchange = held.getByTestId('exchange');
  await expect(heldExchange).toHaveAttribute('data-kind', 'newOrder', { timeout: 30_000 });
  await expect(held.locator('code.url')).toHaveText(directory.newOrder);
  await expect(held).toContainText(name);
  await expect(held.getByTestId('rfc-link')).toHaveAttribute('href', /rfc8555#section-7\.4$/);
  await shots.take(page, 'inspector-3-held');
  await page.waitForTimeout(2_000);
  expect(sent.slice(mark), 'nothing reaches the CA while newOrder is held').toEqual([]);

  await button(held, 'Send').click();
  await expect(heldExchange).toHaveAttribute('data-kind', 'authorization', { timeout: 30_000 });
  const afterSend = sent.slice(mark);
  expect(afterSend.filter((r) => r.method === 'POST').length, 'newOrder went (badNonce retries aside)').toBeGreaterThanOrEqual(1);
  for (const r of afterSend) {
    const expected = r.method === 'POST' ? directory.newOrder : directory.newNonce;
    expect(r.url, `${r.method} ${r.url}: only newOrder left`).toBe(expected);
  }
  const authorizationUrl = (await held.locator('code.url').innerText()).trim();

  // A reload while the authorization is held: the flow derives the same request and holds it again.
  mark = sent.length;
  await guard.reload(page);
  await expect(heldExchange).toHaveAttribute('data-kind', 'authorization', { timeout: 30_000 });
  await expect(held.locator('code.url')).toHaveText(authorizationUrl);
  await page.waitForTimeout(1_500);
  expect(sent.slice(mark).filter((r) => r.method === 'POST'), 'nothing sent twice or behind the hold').toEqual([]);

  // Turning step-through off lets the held request go and the flow runs on by itself.
  await log.locator('> summary').click();
  await log.getByLabel(STEP_THROUGH).uncheck();
  await expect(held).toHaveCount(0);
  await expectCurrentStep(page, 'Challenges');
  await expect(page.getByTestId('authz')).toHaveCount(1, { timeout: 30_000 });
  const reads = sent.slice(mark).filter((r) => r.method === 'POST' && r.url === authorizationUrl);
  expect(reads.length, 'the authorization was read once (badNonce retries aside)').toBeGreaterThanOrEqual(1);
});
