// Figures for `make bench` (scripts/bench.sh), not checks: the suite that `make test` runs declares nothing
// from this file, because its tests exist only when CERTSMITH_BENCH names one of them:
//
//   CERTSMITH_BENCH=page  one fresh issuance of a name and its wildcard over dns-01 against the local Pebble
//                         (under scripts/with-pebble.sh), counting what the page sends to the CA's origin by
//                         method, and the CORS preflights Chromium sends before them (seen through CDP)
//   CERTSMITH_BENCH=tti   CERTSMITH_BENCH_LOADS cold loads (a fresh browser context each) of the page at
//                         CERTSMITH_BENCH_URL: how long until step 1's "Connect" button is enabled, in a
//                         browser whose language is CERTSMITH_BENCH_LOCALE (en-US; de-DE: the German page,
//                         which fetches its catalogue before it shows)
//   CERTSMITH_BENCH=keygen  CERTSMITH_BENCH_KEYGEN_RUNS (7) RSA-4096 certificate keys made by the page (one
//                         order each against the local Pebble), timed by the page itself (its console line
//                         "Certificate key (RSA 4096) generated in N ms (how)", UI-CONTRACT.md)
//
// Each prints its figures as lines starting with "BENCH " for the script to read. The page is driven only
// through what UI-CONTRACT.md promises.
import { chromium, test as plain, type BrowserContext, type Page } from '@playwright/test';
import { test, expect, env, acmeOrigin, button, rand, setTxt, step, tr, useLanguage } from './support';

const bench = process.env.CERTSMITH_BENCH;

// Chromium resolves no host name but the loopback one: nothing of a bench run leaves the machine, whatever
// the page asks for (a refused lookup is counted, see `offsite`).
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
];
const isLoopback = (url: string) => /^(127\.|localhost$|\[::1\]$)/.test(new URL(url).hostname) || !/^https?:/.test(url);

/** Prints one figure line: `BENCH <what> key=value ...`. */
function report(what: string, figures: Record<string, string | number>) {
  const pairs = Object.entries(figures).map(([k, v]) => `${k}=${String(v).replace(/\s+/g, '_')}`);
  console.log(`BENCH ${what} ${pairs.join(' ')}`);
}

const tally = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
const listed = (counts: Map<string, number>) =>
  [...counts].map(([k, n]) => `${k}:${n}`).join(',') || '-';

if (bench === 'page') {
  test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: [...LAUNCH_ARGS, '--ignore-certificate-errors'] } });

  /** Every request the page sends to the CA's origin, by method and by the first segment of its path. */
  class CaRequests {
    readonly methods = new Map<string, number>();
    readonly paths = new Map<string, number>();
    preflights = 0;
    cdpRequests = 0;
    offsite = 0;
    last = Date.now();

    async attach(context: BrowserContext, page: Page) {
      const origin = acmeOrigin();
      context.on('request', (req) => {
        if (!isLoopback(req.url())) this.offsite++;
        if (new URL(req.url()).origin !== origin) return;
        this.last = Date.now();
        tally(this.methods, req.method());
        tally(this.paths, new URL(req.url()).pathname.split('/')[1] || '/');
      });
      // Playwright reports no CORS preflight; Chromium's own network events do: an OPTIONS request (resource
      // type "Other" in Chromium 1xx, "Preflight" in some versions) before each POST whose URL has no
      // preflight cached (Pebble sends no Access-Control-Max-Age, so Chromium keeps one for 5 s).
      const cdp = await context.newCDPSession(page);
      cdp.on('Network.requestWillBeSent', (e: any) => {
        if (new URL(e.request.url).origin !== origin) return;
        if (e.type === 'Preflight' || e.request.method === 'OPTIONS') this.preflights++;
        else this.cdpRequests++;
      });
      await cdp.send('Network.enable');
    }

    get total() {
      return [...this.methods.values()].reduce((a, b) => a + b, 0);
    }
  }

  test('bench: the page issues for a name and its wildcard over dns-01', async ({ page, guard }) => {
    test.setTimeout(180_000);
    const counted = new CaRequests();
    await counted.attach(page.context(), page);
    const name = `bench-page-${rand()}.example.test`;
    const names = [name, `*.${name}`];
    const started = Date.now();

    // 1. The CA (the local build opens on it; say it anyway).
    await page.goto('/');
    const ca = step(page, 'Certificate authority');
    const directory = ca.getByLabel('Directory URL');
    if ((await directory.inputValue()) !== env.directory) await directory.fill(env.directory);
    await button(ca, 'Connect').click();
    await expect(step(page, 'Account')).toHaveAttribute('aria-current', 'step', { timeout: 30_000 });

    // 2. A new account.
    const account = step(page, 'Account');
    await account.getByLabel("I agree to the CA's terms of service").check();
    await button(account, 'Create account').click();
    await expect(page.getByTestId('account-url')).toHaveText(/\S/, { timeout: 30_000 });

    // 3. The order.
    const order = step(page, 'Names and key');
    await order.getByLabel('Domain names').fill(names.join('\n'));
    await button(order, 'Create order').click();
    const authzs = page.getByTestId('authz');
    await expect(authzs).toHaveCount(names.length, { timeout: 30_000 });

    // 4. dns-01 wherever there is a choice; place every value the page shows; the DNS check; submit.
    for (const authz of await authzs.all()) {
      const select = authz.getByLabel('Challenge type');
      if ((await select.count()) === 0) continue;
      const options = await select
        .locator('option')
        .evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })));
      const dns = options.find((o) => o.value.includes('dns-01') || o.text.includes('dns-01'));
      if (dns) await select.selectOption(dns.value);
    }
    const records = page.getByTestId('dns-record');
    await expect(records).toHaveCount(1); // both names share _acme-challenge.<name>
    const values: string[] = [];
    for (const record of await records.all()) {
      const txtName = (await record.getByTestId('txt-name').innerText()).trim().replace(/\.$/, '');
      for (const value of await record.getByTestId('txt-value').allInnerTexts()) {
        values.push(value.trim());
        await setTxt(txtName, value.trim());
      }
    }
    expect(values, 'one TXT value per authorization').toHaveLength(names.length);
    if (process.env.CERTSMITH_TEST_DOH) {
      await page.getByLabel('DNS-over-HTTPS resolvers').fill(env.doh);
      await button(page, 'Check DNS').click();
      await expect(async () => {
        const rows = await page.getByTestId('doh-result').allInnerTexts();
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) expect(row).toMatch(/^(?![\s\S]*not visible)[\s\S]*\bvisible\b/i);
      }).toPass({ timeout: 20_000 });
    }
    await button(page, 'Submit challenges').click();
    const dialog = page.getByRole('dialog');
    if (await dialog.waitFor({ state: 'visible', timeout: 1_500 }).then(() => true, () => false)) {
      await button(dialog, 'Submit anyway').click();
    }

    // 5. The certificate (the page finalizes by itself, or offers "Finalize").
    const fullchain = button(page, 'Download fullchain.pem');
    const finalize = button(page, 'Finalize');
    await expect(async () => {
      await expect(page.getByTestId('problem')).toHaveCount(0);
      if ((await finalize.isVisible()) && (await finalize.isEnabled())) await finalize.click();
      await expect(fullchain).toBeVisible({ timeout: 250 });
    }).toPass({ timeout: 90_000 });
    const issuedMs = Date.now() - started;
    // Whatever the page still sends after showing the certificate belongs to the issuance too.
    while (Date.now() - counted.last < 2_000) await page.waitForTimeout(250);

    report('page', {
      total: counted.total,
      GET: counted.methods.get('GET') ?? 0,
      HEAD: counted.methods.get('HEAD') ?? 0,
      POST: counted.methods.get('POST') ?? 0,
      other: counted.total - ['GET', 'HEAD', 'POST'].reduce((n, m) => n + (counted.methods.get(m) ?? 0), 0),
      preflight: counted.preflights,
      cdp_requests: counted.cdpRequests,
      badNonce: await guard.badNonces(),
      offsite: counted.offsite,
      seconds: (issuedMs / 1000).toFixed(2),
      paths: listed(counted.paths),
    });
  });
}

if (bench === 'tti') {
  // Playwright's own `test`: support's would open a page (for its console guard) beside the measured ones.
  plain('bench: time to interactive of cold loads', async () => {
    const url = process.env.CERTSMITH_BENCH_URL;
    const loads = Number(process.env.CERTSMITH_BENCH_LOADS ?? 7);
    const locale = process.env.CERTSMITH_BENCH_LOCALE ?? 'en-US';
    useLanguage(locale.startsWith('de') ? 'de' : 'en');
    const connect = tr('Connect');
    expect(url, 'CERTSMITH_BENCH_URL: the page to load').toBeTruthy();
    plain.setTimeout(60_000 + loads * 30_000);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS });
    try {
      for (let load = 1; load <= loads; load++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
        const page = await context.newPage();
        const requested: string[] = [];
        let offsite = 0;
        context.on('request', (req) => {
          if (!isLoopback(req.url())) offsite++;
          else if (new URL(req.url()).origin === new URL(url!).origin) requested.push(new URL(req.url()).pathname);
        });
        // Before any of the page's own scripts: note the moment (ms since navigation start) step 1's Connect
        // button first exists and is enabled. Injected by the browser, so the page's CSP does not apply.
        await page.addInitScript((label) => {
          const w = window as any;
          const ready = () =>
            Array.from(document.querySelectorAll('button')).some(
              (b) => b.textContent?.trim() === label && !b.disabled && b.getAttribute('aria-disabled') !== 'true',
            );
          const observer = new MutationObserver(() => {
            if (w.__benchInteractive === undefined && ready()) {
              w.__benchInteractive = performance.now();
              observer.disconnect();
            }
          });
          observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
        }, connect);
        await page.goto(url!, { waitUntil: 'commit' });
        await page.waitForFunction(() => (window as any).__benchInteractive !== undefined, undefined, {
          timeout: 30_000,
          polling: 50,
        });
        // What was measured is what UI-CONTRACT.md calls step 1's Connect button.
        await expect(button(step(page, 'Certificate authority'), connect)).toBeEnabled();
        await page.waitForFunction(
          () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)?.loadEventEnd > 0,
        );
        const t = await page.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          return {
            interactive: (window as any).__benchInteractive as number,
            dcl: nav.domContentLoadedEventEnd,
            load: nav.loadEventEnd,
          };
        });
        report('tti', {
          locale,
          load,
          interactive_ms: t.interactive.toFixed(0),
          dcl_ms: t.dcl.toFixed(0),
          load_ms: t.load.toFixed(0),
          requests: requested.length,
          offsite,
        });
        if (load === 1) report('loaded', { files: [...new Set(requested)].join(',') });
        await context.close();
      }
    } finally {
      await browser.close();
    }
  });
}

if (bench === 'keygen') {
  test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: [...LAUNCH_ARGS, '--ignore-certificate-errors'] } });

  test('bench: RSA-4096 certificate keys made by the page', async ({ page }) => {
    const runs = Number(process.env.CERTSMITH_BENCH_KEYGEN_RUNS ?? 7);
    test.setTimeout(60_000 + runs * 60_000);
    const generated: { ms: number; how: string }[] = [];
    page.on('console', (msg) => {
      const m = /^Certificate key \(RSA 4096\) generated in (\d+) ms \((.+)\)$/.exec(msg.text());
      if (m) generated.push({ ms: Number(m[1]), how: m[2] });
    });
    await page.goto('/');
    const ca = step(page, 'Certificate authority');
    const directory = ca.getByLabel('Directory URL');
    if ((await directory.inputValue()) !== env.directory) await directory.fill(env.directory);
    await button(ca, 'Connect').click();
    const account = step(page, 'Account');
    await expect(account).toHaveAttribute('aria-current', 'step', { timeout: 30_000 });
    await account.getByLabel("I agree to the CA's terms of service").check();
    await button(account, 'Create account').click();
    await expect(page.getByTestId('account-url')).toHaveText(/\S/, { timeout: 30_000 });
    const order = step(page, 'Names and key');
    for (let run = 1; run <= runs; run++) {
      await order.getByLabel('Domain names').fill(`bench-keygen-${rand()}.example.test`);
      await order.getByLabel('Certificate key').selectOption({ label: 'RSA 4096' });
      await button(order, 'Create order').click();
      await expect(page.getByTestId('authz')).toHaveCount(1, { timeout: 60_000 });
      expect(generated, 'the page said how long the key took').toHaveLength(run);
      report('keygen', { run, ms: generated[run - 1].ms, how: generated[run - 1].how });
      // A new order drops the certificate key: the next run makes a new one.
      await button(page, 'Start a new order').first().click();
      await expect(order).toHaveAttribute('aria-current', 'step');
    }
    const sorted = generated.map((g) => g.ms).sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    report('keygen_median', { runs, median_ms: median, min_ms: sorted[0], max_ms: sorted[sorted.length - 1] });
  });
}
