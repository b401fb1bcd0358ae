// What the end-to-end tests share: the harness's environment, a guard that fails a test on unexpected
// console errors, screenshots at two widths, the test CA's side channels (challtestsrv, Pebble's management
// API), OpenSSL checks of what the page hands out, and the steps a person takes through the page.
//
// The page is driven only through what UI-CONTRACT.md promises: labels, button names, headings and the
// data-testid elements. Every value placed in DNS or on the HTTP-01 responder is read from the page.
import { test as base, expect, type Locator, type Page, type Route } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export { expect };

export const root = path.resolve(__dirname, '..', '..');
export const screenshotsDir = path.join(root, 'target', 'screenshots');
export const downloadsRoot = path.join(root, 'target', 'e2e-downloads');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

// --- the harness (scripts/with-pebble.sh exports these) ----------------------------------------------------

function need(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite under scripts/with-pebble.sh (make test-e2e does)`);
  }
  return value;
}

export const env = {
  /** The local Pebble's directory URL; the local build's default CA. */
  get directory() {
    return process.env.CERTSMITH_TEST_DIRECTORY ?? 'https://127.0.0.1:14000/dir';
  },
  get caFile() {
    return need('CERTSMITH_TEST_CA_FILE');
  },
  get mgmt() {
    return need('CERTSMITH_TEST_MGMT');
  },
  get challtestsrv() {
    return need('CERTSMITH_TEST_CHALLTESTSRV');
  },
  get doh() {
    return need('CERTSMITH_TEST_DOH');
  },
  /** The second Pebble, which requires external account binding (unset with CERTSMITH_PEBBLE_EAB_INSTANCE=0). */
  get eab() {
    const directory = process.env.CERTSMITH_TEST_EAB_DIRECTORY;
    const kid = process.env.CERTSMITH_TEST_EAB_KID;
    const hmac = process.env.CERTSMITH_TEST_EAB_HMAC_KEY;
    return directory && kid && hmac ? { directory, kid, hmac } : undefined;
  },
  /** How many alternate roots Pebble was started with (with-pebble.sh: 1). */
  get alternateRoots() {
    return Number(process.env.PEBBLE_ALTERNATE_ROOTS ?? 0);
  },
};

export const acmeOrigin = () => new URL(env.directory).origin;
const acmeOrigins = () => [env.directory, env.eab?.directory].filter((d): d is string => !!d).map((d) => new URL(d).origin);

/** A fresh label for names no other test (or earlier run) has used. */
export const rand = () => crypto.randomBytes(4).toString('hex');

// --- pebble-challtestsrv: what a person does at their DNS provider or web server ---------------------------

const fqdn = (name: string) => `${name.trim().replace(/\.$/, '')}.`;

async function challtestsrv(route: string, body: Record<string, string>): Promise<void> {
  const response = await fetch(`${env.challtestsrv}${route}`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) {
    throw new Error(`challtestsrv ${route} ${JSON.stringify(body)}: HTTP ${response.status} ${await response.text()}`);
  }
}

/** Adds a TXT value (challtestsrv appends: earlier values of the name stay). */
export const setTxt = (name: string, value: string) => challtestsrv('/set-txt', { host: fqdn(name), value });
export const clearTxt = (name: string) => challtestsrv('/clear-txt', { host: fqdn(name) });
export const addHttp01 = (token: string, content: string) => challtestsrv('/add-http01', { token, content });

// --- OpenSSL and curl --------------------------------------------------------------------------------------

function run(cmd: string, args: string[], input?: string | Buffer): string {
  try {
    return execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${e.status}): ${e.stderr || e.message}`);
  }
}

export const openssl = (args: string[], input?: string | Buffer) => run('openssl', args, input);

/** Pebble's root number `index` (PEM), from its management API over the harness's TLS CA. */
export function pebbleRoot(index: number): string {
  return run('curl', ['-sf', '--max-time', '10', '--cacert', env.caFile, `${env.mgmt}/roots/${index}`]);
}

/** Pebble's directory as Pebble itself serves it, to compare with the page. */
export function pebbleDirectory(): any {
  return JSON.parse(run('curl', ['-sf', '--max-time', '10', '--cacert', env.caFile, env.directory]));
}

export function pemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => `${c}\n`) ?? [];
}

/** The DNS names of a certificate's subjectAltName. */
export function certNames(certFile: string): string[] {
  const out = openssl(['x509', '-in', certFile, '-noout', '-ext', 'subjectAltName']);
  return [...out.matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1]).sort();
}

export function fingerprint(certFile: string, digest: 'sha256' | 'sha1'): string {
  const out = openssl(['x509', '-in', certFile, '-noout', '-fingerprint', `-${digest}`]);
  return out.split('=')[1].replace(/[^0-9a-f]/gi, '').toLowerCase();
}

const publicKeyOfKey = (keyFile: string) => openssl(['pkey', '-in', keyFile, '-pubout']);
const publicKeyOfCert = (certFile: string) => openssl(['x509', '-in', certFile, '-pubkey', '-noout']);

/** The private key in keyFile belongs to the certificate in certFile (same public key). */
export function expectKeyMatches(keyFile: string, certFile: string) {
  expect(publicKeyOfKey(keyFile), `${path.basename(keyFile)} is the key of ${path.basename(certFile)}`).toBe(
    publicKeyOfCert(certFile),
  );
}

/**
 * A fullchain (leaf first, then intermediates) verifies against the given root:
 * `openssl verify -CAfile root -untrusted intermediates leaf`. Returns the leaf's file.
 */
export function expectChainVerifies(fullchainFile: string, rootPem: string, label = 'fullchain'): string {
  const dir = path.dirname(fullchainFile);
  const certs = pemCertificates(fs.readFileSync(fullchainFile, 'utf8'));
  expect(certs.length, `${path.basename(fullchainFile)}: a leaf and at least one intermediate`).toBeGreaterThanOrEqual(2);
  const leaf = path.join(dir, `${label}-leaf.pem`);
  const intermediates = path.join(dir, `${label}-intermediates.pem`);
  const rootFile = path.join(dir, `${label}-root.pem`);
  fs.writeFileSync(leaf, certs[0]);
  fs.writeFileSync(intermediates, certs.slice(1).join(''));
  fs.writeFileSync(rootFile, rootPem);
  const out = openssl(['verify', '-CAfile', rootFile, '-untrusted', intermediates, leaf]);
  expect(out.trim()).toBe(`${leaf}: OK`);
  return leaf;
}

// --- the guard: no unexpected console errors, page errors or failed requests ---------------------------------

type Seen =
  | { kind: 'console'; type: string; text: string; url: string }
  | { kind: 'pageerror'; text: string }
  | { kind: 'requestfailed'; url: string; method: string; error: string; status?: number; whileReloading: boolean };

// Noise that is not the app's fault, exactly: a favicon probe's 404, and Chromium's note that it ignores the
// `integrity` attribute of Trunk's `<link rel="preload" as="fetch">` for the wasm.
const FAVICON_404 = /^Failed to load resource: the server responded with a status of 404\b/;
const PRELOAD_INTEGRITY =
  /^The `integrity` attribute is currently ignored for preload destinations that do not support subresource integrity\./;
// Chromium logs every HTTP error a fetch receives. Pebble rejects 30 % of nonces (badNonce, HTTP 400) and the
// page must retry: those are expected, but only where Pebble really answered badNonce.
const HTTP_400 = /^Failed to load resource: the server responded with a status of 400\b/;

export class Guard {
  private seen: Seen[] = [];
  private badNonce: string[] = [];
  private pending: Promise<void>[] = [];
  private reloading = false;
  private allowed: ((s: Seen) => boolean)[] = [];
  /** Every request the page sent to the CA (not its CORS preflights), in order. */
  readonly acme: { method: string; url: string }[] = [];
  private finalizeStatuses: string[] = [];

  attach(page: Page) {
    page.on('request', (req) => {
      if (new URL(req.url()).origin !== acmeOrigin() || req.method() === 'OPTIONS') return;
      this.acme.push({ method: req.method(), url: req.url() });
    });
    page.on('response', (res) => {
      if (!/\/finalize-order\/|\/finalize\b/.test(res.url()) || res.request().method() !== 'POST') return;
      this.pending.push(
        res
          .json()
          .then((order) => {
            if (order && typeof order.status === 'string') this.finalizeStatuses.push(order.status);
          })
          .catch(() => undefined),
      );
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') {
        this.seen.push({ kind: 'console', type: msg.type(), text: msg.text(), url: msg.location().url });
      }
    });
    page.on('pageerror', (err) => this.seen.push({ kind: 'pageerror', text: `${err.name}: ${err.message}` }));
    page.on('requestfailed', (req) => {
      const seen: Seen = {
        kind: 'requestfailed',
        url: req.url(),
        method: req.method(),
        error: req.failure()?.errorText ?? '?',
        whileReloading: this.reloading,
      };
      this.seen.push(seen);
      this.pending.push(
        req
          .response()
          .then((res) => {
            if (res) seen.status = res.status();
          })
          .catch(() => undefined),
      );
    });
    page.on('response', (res) => {
      if (res.status() !== 400 || !acmeOrigins().includes(new URL(res.url()).origin)) return;
      this.pending.push(
        res
          .text()
          .then((body) => {
            if (JSON.parse(body).type === 'urn:ietf:params:acme:error:badNonce') this.badNonce.push(res.url());
          })
          .catch(() => undefined),
      );
    });
  }

  /** Tolerate what a test provokes on purpose (e.g. a refused request). */
  allow(predicate: (s: Seen) => boolean) {
    this.allowed.push(predicate);
  }

  /** Reloads the page; requests cut off by the reload (net::ERR_ABORTED) are expected. */
  async reload(page: Page) {
    this.reloading = true;
    try {
      await page.reload({ waitUntil: 'load' });
    } finally {
      this.reloading = false;
    }
  }

  /** How many badNonce answers Pebble gave the page (each one retried by the page, or the test fails). */
  async badNonces(): Promise<number> {
    await Promise.all(this.pending);
    return this.badNonce.length;
  }

  /** Whether the CA answered a finalize with "processing" (one more order poll by the RFC's count). */
  async finalizeAnsweredProcessing(): Promise<boolean> {
    await Promise.all(this.pending);
    return this.finalizeStatuses.includes('processing');
  }

  async problems(): Promise<string[]> {
    await Promise.all(this.pending);
    const badNonce = [...this.badNonce];
    const problems: string[] = [];
    for (const s of this.seen) {
      if (this.allowed.some((p) => p(s))) continue;
      if (s.kind === 'console') {
        if (FAVICON_404.test(s.text) && /\/favicon\.ico$/.test(s.url)) continue;
        if (PRELOAD_INTEGRITY.test(s.text)) continue;
        if (HTTP_400.test(s.text) && badNonce.includes(s.url)) {
          badNonce.splice(badNonce.indexOf(s.url), 1);
          continue;
        }
        problems.push(`console ${s.type}: ${s.text} (${s.url})`);
      } else if (s.kind === 'pageerror') {
        problems.push(`pageerror: ${s.text}`);
      } else {
        if (s.whileReloading && s.error === 'net::ERR_ABORTED') continue;
        problems.push(`requestfailed: ${s.method} ${s.url} ${s.error}${s.status ? ` (after HTTP ${s.status})` : ''}`);
      }
    }
    return problems;
  }
}

type Fixtures = { guard: Guard; shots: Shots; downloads: string };

export const test = base.extend<Fixtures>({
  // Every test: the page must not log unexpected errors or warnings, throw, or lose requests.
  guard: [
    async ({ page }, use, testInfo) => {
      const guard = new Guard();
      guard.attach(page);
      await use(guard);
      const badNonces = await guard.badNonces();
      if (badNonces) testInfo.annotations.push({ type: 'badNonce answers retried', description: String(badNonces) });
      expect(await guard.problems(), 'unexpected console errors, page errors or failed requests').toEqual([]);
    },
    { auto: true },
  ],
  shots: async ({}, use) => {
    await use(new Shots(''));
  },
  // A fresh folder per test under target/e2e-downloads/.
  downloads: async ({}, use, testInfo) => {
    const slug = testInfo.titlePath
      .slice(1)
      .join('-')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80);
    const dir = path.join(downloadsRoot, slug);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await use(dir);
  },
});

// --- screenshots: every step at desktop and phone width ------------------------------------------------------

export class Shots {
  constructor(readonly prefix: string) {}

  /** target/screenshots/{desktop,phone}-<prefix><step>.png, full page; the viewport is restored after. */
  async take(page: Page, step: string) {
    fs.mkdirSync(screenshotsDir, { recursive: true });
    const before = page.viewportSize() ?? DESKTOP;
    for (const [width, size] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await page.setViewportSize(size);
      await page.screenshot({
        path: path.join(screenshotsDir, `${width}-${this.prefix}${step}.png`),
        fullPage: true,
        animations: 'disabled',
      });
    }
    await page.setViewportSize(before);
  }
}

// --- the page's language (issue 11): the same walk in English or in German ---------------------------------

type Lang = 'en' | 'de';

/** The German catalogue as the page gets it: i18n/de/*.json merged, English text (the key) to German. */
export const GERMAN: Readonly<Record<string, string>> = Object.assign(
  {},
  ...fs
    .readdirSync(path.join(root, 'i18n', 'de'))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(fs.readFileSync(path.join(root, 'i18n', 'de', file), 'utf8'))),
);

let walkLanguage: Lang = 'en';

/** The language the steps below expect the page to speak (the tests run one at a time). */
export function useLanguage(lang: Lang) {
  walkLanguage = lang;
}

export const walkingIn = (): Lang => walkLanguage;

/**
 * A text of the page in the walk's language: `tr('Create order')`, `tr('Download {file}', { file })`. The
 * English is the catalogue's key; a key without German fails the test, since the page would show English.
 */
export function tr(english: string, values: Record<string, string> = {}): string {
  let text = english;
  if (walkLanguage === 'de') {
    const german = GERMAN[english];
    if (german === undefined) throw new Error(`no German for ${JSON.stringify(english)} in i18n/de/*.json`);
    text = german;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** `tr` as a whole-text regex (placeholders match anything), for texts the test cannot predict in full. */
export function trPattern(english: string, flags = ''): RegExp {
  const parts = tr(english).split(/\{\w+\}/).map(escape);
  return new RegExp(`^\\s*${parts.join('[\\s\\S]*?')}\\s*$`, flags);
}

// Words that are English and never German, written in lower case (German capitalizes nouns, so `Not` is
// German and `not` is not), and the catalogue's English cut at its placeholders, where three words or more
// remain and the German differs.
const ENGLISH_WORDS =
  /\b(the|and|you|your|with|this|that|these|from|are|not|for|have|has|can|cannot|could|of|to|is|it|its|on|or|by|be|which|when|there|here|what|been|into|only|yet|now|then|than|after|before|again|about|should|would)\b/g;
const ENGLISH_FRAGMENTS = [
  ...new Set(
    Object.entries(GERMAN)
      .filter(([english, german]) => english !== german)
      .flatMap(([english]) => english.split(/\{\w+\}/))
      .map((fragment) => fragment.trim())
      .filter((fragment) => fragment.split(/\s+/).length >= 3),
  ),
];

/**
 * What the page shows a person, as text: visible text nodes and the words of aria-label, title, placeholder
 * and alt, leaving out values (code, pre, kbd, samp, form fields' contents), parts marked with a language of
 * their own (the language switch's "English"; the CA's own words, `lang=""`), URLs and tokens.
 */
export async function shownText(page: Page): Promise<string[]> {
  const texts: string[] = await page.evaluate(() => {
    const skip = 'code, pre, kbd, samp, script, style, textarea, option:not(:checked), [lang]:not(html)';
    const shown = (el: Element | null) =>
      !!el && !el.closest(skip) && (el as HTMLElement).checkVisibility?.({ checkOpacity: true, checkVisibilityCSS: true }) !== false;
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim();
      if (text && shown(node.parentElement)) out.push(text);
    }
    for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
      if (!shown(el)) continue;
      for (const attribute of ['aria-label', 'title', 'placeholder', 'alt']) {
        const value = el.getAttribute(attribute)?.trim();
        if (value) out.push(value);
      }
    }
    out.push(document.title);
    // The CA's words (lang=""), also where a message of the page quotes them.
    const said = [...document.querySelectorAll('[lang=""]')].map((el) => el.textContent?.trim() ?? '').filter(Boolean);
    return out.map((text) => said.reduce((rest, quote) => rest.split(quote).join(' '), text));
  });
  return texts
    .map((text) => text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, ' ').replace(/\S*[0-9_@/]\S*|\S{25,}/g, ' '))
    .filter((text) => /\p{L}/u.test(text));
}

/** English left in what the page shows (for a German walk): the sentences where it was found. */
export async function englishLeft(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const text of await shownText(page)) {
    const words = [...text.matchAll(ENGLISH_WORDS)].map((m) => m[0]);
    const fragment = ENGLISH_FRAGMENTS.find((f) => text.includes(f));
    if (words.length || fragment) found.push(`${JSON.stringify(text)} (${fragment ? `"${fragment}"` : words.join(', ')})`);
  }
  return [...new Set(found)];
}

// --- the page, step by step, as a person uses it ----------------------------------------------------------------

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The step `<section>` whose `<h2>` is `title` (English; `tr` gives the walk's language), a number or "Step n" before it. */
export function step(page: Page, title: string): Locator {
  const heading = page.getByRole('heading', { level: 2, name: new RegExp(`(^|[\\s.:)])${escape(tr(title))}$`, 'i') });
  return page.locator('section').filter({ has: heading });
}

export async function expectCurrentStep(page: Page, title: string) {
  await expect(step(page, title), `step "${title}" is the current one`).toHaveAttribute('aria-current', 'step');
}

export const button = (scope: Page | Locator, name: string) => scope.getByRole('button', { name, exact: true });

/** Step 1: the local build opens with the local Pebble selected; Connect reads its directory. */
export async function connect(page: Page, shots: Shots) {
  await page.goto('/');
  await connectHere(page, shots);
}

/** Step 1 on the page as the test already opened it: a second `goto` would cut off the first document's
 * requests still in flight (its icon, say), which the guard rightly reports. */
export async function connectHere(page: Page, shots: Shots) {
  await expect(page).toHaveTitle('Certsmith');
  const s = step(page, 'Certificate authority');
  await expectCurrentStep(page, 'Certificate authority');
  await expect(s.getByLabel(tr('Certificate authority')).locator('option:checked')).toHaveText(tr('Local test CA (Pebble)'));
  await expect(s.getByLabel(tr('Directory URL'))).toHaveValue(env.directory);
  await button(s, tr('Connect')).click();
  // Success: the terms of service are linked and the account step is next.
  await expectCurrentStep(page, 'Account');
  await expect(s.getByRole('alert')).toHaveCount(0);
  // The CA's terms show; as a link only when https (or http on this machine). Pebble's are a data: URL,
  // which the page must show as text and never follow.
  const terms: string | undefined = pebbleDirectory().meta?.termsOfService;
  if (terms) {
    await expect(page.getByTestId('ca-terms')).toHaveText(terms);
    const linkable = /^https:/i.test(terms) || /^http:\/\/(127\.|localhost|\[::1\])/i.test(terms);
    await expect(page.locator(`a[href="${terms}"]`)).toHaveCount(linkable ? 1 : 0);
  }
  await shots.take(page, '1-ca');
}

/** Step 2: agree to the terms, create an account; returns the account URL the page shows. */
export async function createAccount(
  page: Page,
  shots: Shots,
  email?: string,
  directory = env.directory,
): Promise<string> {
  const s = step(page, 'Account');
  await s.getByLabel(tr("I agree to the CA's terms of service")).check();
  if (email) await s.getByLabel(tr('Email (optional)')).fill(email);
  await button(s, tr('Create account')).click();
  const accountUrl = page.getByTestId('account-url');
  await expect(accountUrl).toHaveText(new RegExp(`^\\s*${escape(new URL(directory).origin)}/\\S+\\s*$`), { timeout: 30_000 });
  await expect(button(page, tr('Download account key'))).toBeVisible();
  await expectCurrentStep(page, 'Names and key');
  await shots.take(page, '2-account');
  return (await accountUrl.innerText()).trim();
}

/** In step 2, opens "Lock the account key with a passphrase" and types `passphrase` twice; returns the lock button. */
export async function fillLockForm(page: Page, passphrase: string): Promise<Locator> {
  const account = step(page, 'Account');
  await account.getByText(tr('Lock the account key with a passphrase')).click();
  await account.getByLabel(tr('New passphrase')).fill(passphrase);
  await account.getByLabel(tr('Repeat the passphrase')).fill(passphrase);
  return button(account, tr('Lock account key'));
}

/** Locks the account key with `passphrase` and waits until the page says it is locked. */
export async function lockAccountKey(page: Page, passphrase: string) {
  await (await fillLockForm(page, passphrase)).click();
  await expect(page.getByTestId('account-locked')).toBeVisible({ timeout: 60_000 });
}

/** Step 3: the names (one a line) and the key type; Create order; one authorization per name appears. */
export async function createOrder(page: Page, shots: Shots, names: string[], key?: string) {
  const s = step(page, 'Names and key');
  await s.getByLabel(tr('Domain names')).fill(names.join('\n'));
  if (key) await s.getByLabel(tr('Certificate key')).selectOption({ label: key });
  await expect(s.getByRole('alert'), 'no name is flagged invalid').toHaveCount(0);
  await shots.take(page, '3-names');
  await button(s, tr('Create order')).click();
  await expectCurrentStep(page, 'Challenges');
  const authzs = page.getByTestId('authz');
  await expect(authzs).toHaveCount(names.length, { timeout: 30_000 });
  const shown = (await authzs.locator('h3').allInnerTexts()).map((t) => t.trim()).sort();
  expect(shown, 'one authorization per name, named in its <h3>').toEqual([...names].sort());
  await expect(page.getByTestId('authz-status')).toHaveText(names.map(() => trPattern('pending', 'i')));
}

/** In every authorization that offers a choice, pick `type` ("dns-01" / "http-01"). */
export async function chooseChallenge(page: Page, type: 'dns-01' | 'http-01') {
  for (const authz of await page.getByTestId('authz').all()) {
    const select = authz.getByLabel(tr('Challenge type'));
    if ((await select.count()) === 0) continue;
    const options = await select
      .locator('option')
      .evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })));
    const option = options.find((o) => o.value.includes(type) || o.text.includes(type));
    expect(option, `"Challenge type" offers ${type}: ${JSON.stringify(options)}`).toBeTruthy();
    await select.selectOption(option!.value);
  }
}

export type TxtRecords = Map<string, string[]>;

/** The TXT records as the page lists them: one `dns-record` per record name, every value under it. */
export async function readTxtRecords(page: Page, names: string[]): Promise<TxtRecords> {
  const records = page.getByTestId('dns-record');
  const expectedNames = [...new Set(names.map((n) => `_acme-challenge.${n.replace(/^\*\./, '')}`))].sort();
  await expect(records).toHaveCount(expectedNames.length);
  const out: TxtRecords = new Map();
  for (const record of await records.all()) {
    await expect(record.getByTestId('txt-name')).toHaveCount(1);
    const name = (await record.getByTestId('txt-name').innerText()).trim().replace(/\.$/, '');
    const values = (await record.getByTestId('txt-value').allInnerTexts()).map((v) => v.trim());
    expect(out.has(name), `${name} is listed once`).toBe(false);
    out.set(name, values);
    await expect(record.getByRole('button', { name: new RegExp(`^${tr('Copy')}`) }).first()).toBeVisible();
    for (const value of values) {
      // base64url(SHA-256(key authorization)), RFC 8555 §8.4
      expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await expect(page.getByTestId('zone-line').filter({ hasText: value }).first()).toBeVisible();
    }
  }
  expect([...out.keys()].sort(), 'TXT record names').toEqual(expectedNames);
  for (const [name, values] of out) {
    const authzs = names.filter((n) => `_acme-challenge.${n.replace(/^\*\./, '')}` === name).length;
    expect(new Set(values).size, `${name}: one distinct value per authorization`).toBe(authzs);
  }
  return out;
}

export async function placeTxtRecords(records: TxtRecords) {
  for (const [name, values] of records) for (const value of values) await setTxt(name, value);
}

/**
 * The DNS check against the local DoH server only. `visible`: every row must say "visible"; otherwise every
 * row must say "not visible yet".
 */
export async function checkDns(page: Page, records: TxtRecords, visible: boolean) {
  await page.getByLabel(tr('DNS-over-HTTPS resolvers')).fill(env.doh);
  await button(page, tr('Check DNS')).click();
  const rows = page.getByTestId('doh-result');
  await expect(async () => {
    const texts = await rows.allInnerTexts();
    expect(texts.length, 'one doh-result row per resolver and record at least').toBeGreaterThanOrEqual(records.size);
    for (const text of texts) {
      const seen = tr('visible');
      const notYet = tr('not visible yet (no TXT record found)').split(' (')[0];
      if (visible) expect(text.includes(notYet) || !text.includes(seen), `"${text}" says ${seen}`).toBe(false);
      else expect(text).toContain(notYet);
    }
  }).toPass({ timeout: 20_000 });
}

/**
 * Submit challenges. With `confirm`, the "DNS not seen" dialog must ask and is answered "Submit anyway".
 * Without, the contract says no dialog asks (every DNS value was seen, or there is none): a dialog then is a
 * (soft) failure, answered "Submit anyway" so that the rest of the test still runs.
 */
export async function submitChallenges(page: Page, shots: Shots, confirm: boolean) {
  await button(page, tr('Submit challenges')).click();
  const dialog = page.getByRole('dialog');
  if (confirm) {
    await expect(dialog).toBeVisible();
  } else {
    const asked = await dialog
      .waitFor({ state: 'visible', timeout: 1_500 })
      .then(() => true)
      .catch(() => false);
    if (!asked) return;
    expect.soft(await dialog.innerText(), 'no confirmation dialog when every DNS value was seen (or none is needed)').toBe('');
  }
  await expect(button(dialog, tr('Cancel'))).toBeVisible();
  await shots.take(page, '4-confirm');
  await button(dialog, tr('Submit anyway')).click();
  await expect(dialog).toBeHidden();
}

/** Waits for the certificate (clicking "Finalize" if the page offers it); fails early on a shown problem. */
export async function waitForCertificate(page: Page, timeoutMs = 90_000) {
  const fullchain = button(page, tr('Download {file}', { file: 'fullchain.pem' }));
  const finalize = button(page, tr('Finalize'));
  const dialog = page.getByRole('dialog');
  const problem = page.getByTestId('problem');
  const deadline = Date.now() + timeoutMs;
  while (!(await fullchain.isVisible())) {
    if (await dialog.isVisible()) throw new Error(`unexpected dialog: ${await dialog.innerText()}`);
    if (await problem.first().isVisible()) {
      throw new Error(`the page shows a problem: ${await problem.first().innerText()}`);
    }
    if ((await finalize.isVisible()) && (await finalize.isEnabled())) await finalize.click();
    if (Date.now() > deadline) throw new Error(`no certificate after ${timeoutMs / 1000} s`);
    await page.waitForTimeout(250);
  }
  await expectCurrentStep(page, 'Certificate');
}

/** Clicks a download button and saves the file into `dir` (as `saveAs`, else the suggested name). */
export async function download(page: Page, name: string, dir: string, saveAs?: string) {
  const [file] = await Promise.all([page.waitForEvent('download'), button(page, name).click()]);
  const target = path.join(dir, saveAs ?? file.suggestedFilename());
  await file.saveAs(target);
  return { path: target, suggested: file.suggestedFilename() };
}

/**
 * Step 5: the facts shown match the certificate, fullchain.pem verifies against Pebble's root 0 and
 * privkey.pem is its key. Returns the files.
 */
export async function checkCertificate(page: Page, names: string[], dir: string) {
  const fullchain = await download(page, 'Download fullchain.pem', dir);
  expect.soft(fullchain.suggested, 'the download is named like its button').toBe('fullchain.pem');
  const privkey = await download(page, 'Download privkey.pem', dir);
  expect.soft(privkey.suggested, 'the download is named like its button').toBe('privkey.pem');

  const leaf = expectChainVerifies(fullchain.path, pebbleRoot(0));
  expectKeyMatches(privkey.path, leaf);
  expect(certNames(leaf), 'the certificate names exactly the order').toEqual([...names].sort());

  const shownNames = page.getByTestId('cert-names');
  for (const name of names) await expect(shownNames).toContainText(name);
  await expect(page.getByTestId('cert-issuer')).toHaveText(/\S/);
  await expect(page.getByTestId('cert-validity')).toHaveText(/\S/);
  const shownFingerprint = (await page.getByTestId('cert-fingerprint').innerText()).replace(/[^0-9a-f]/gi, '').toLowerCase();
  expect([fingerprint(leaf, 'sha256'), fingerprint(leaf, 'sha1')], 'the fingerprint shown is the certificate\'s').toContain(
    shownFingerprint,
  );
  return { fullchain: fullchain.path, privkey: privkey.path, leaf };
}

/** Steps 3–5 by DNS-01 with the DoH pre-check green: the common path of several tests. */
export async function issueByDns(page: Page, shots: Shots, names: string[], dir: string) {
  await createOrder(page, shots, names);
  await validateByDns(page, shots, names);
  return checkCertificate(page, names, dir);
}

/**
 * Steps 4–5 of an order just created, by DNS-01 with the DoH pre-check green, to the certificate. Returns
 * the TXT records the page showed and the test placed.
 */
export async function validateByDns(page: Page, shots: Shots, names: string[]): Promise<TxtRecords> {
  await chooseChallenge(page, 'dns-01');
  const records = await readTxtRecords(page, names);
  await shots.take(page, '4-challenges');
  await placeTxtRecords(records);
  await checkDns(page, records, true);
  await shots.take(page, '4-dns-checked');
  await submitChallenges(page, shots, false);
  await waitForCertificate(page);
  await shots.take(page, '5-certificate');
  return records;
}

// --- Replies lost after the CA acted --------------------------------------------------------------------

/**
 * The next POST whose path matches `pattern` goes to the CA, and its reply is held. `reached` resolves once
 * the CA has answered it; `release` (call it after the reload) lets the held reply go, to a document that is
 * gone, and removes the trap.
 */
export async function holdNextReply(page: Page, pattern: RegExp) {
  let reached!: () => void;
  const atCa = new Promise<void>((resolve) => (reached = resolve));
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  let used = false;
  const handler = async (route: Route) => {
    const request = route.request();
    if (used || request.method() !== 'POST' || !pattern.test(new URL(request.url()).pathname)) {
      return route.fallback();
    }
    used = true;
    const response = await route.fetch(); // the CA has acted
    reached();
    await released;
    // The page was reloaded meanwhile: fulfilling a request of the old document fails, which is the point.
    await route.fulfill({ response }).catch(() => undefined);
  };
  await page.route(`${acmeOrigin()}/**`, handler);
  return {
    reached: () => atCa,
    release: async () => {
      letGo();
      await page.unroute(`${acmeOrigin()}/**`, handler);
    },
  };
}
