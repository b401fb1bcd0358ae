// Offline after the first visit (www/sw.js, written into the build by scripts/service-worker.py): the page
// opens and works with its host unreachable (in German too: the browser's language's texts are cached with the
// build, a language chosen later once shown), a new version is picked up on a later visit and the page says
// so, the worker keeps away from every other origin, and the web manifest makes the page installable.
//
// The tests that stop the host or change its files do it to a host of their own: a copy of
// target/dist-local served by scripts/static-server.py (with the headers of hosting/_headers) on a free
// port. Another port is another origin, so its worker and caches are its own too.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Page } from '@playwright/test';
import { test, expect, root, step, button, expectCurrentStep, acmeOrigin, env, Shots, tr, useLanguage } from './support';

const dist = path.join(root, 'target', 'dist-local');
const NOTICE = 'A new version of Certsmith was installed; reload to use it.';

const CATALOGUE = /^catalogue-([a-z]+)-[0-9a-f]+\.json$/;

/**
 * The files the worker must cache: every file of the build but _headers and sw.js itself, the page as "/";
 * of the language catalogues only that of `lang` (none for English).
 */
function buildFiles(dir: string, lang = 'en'): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => fs.statSync(`${dir}/${f}`).isFile())
    .filter((f) => f !== '_headers' && f !== 'sw.js' && !f.split('/').some((part) => part.startsWith('.')))
    .filter((f) => !CATALOGUE.test(f) || CATALOGUE.exec(f)![1] === lang)
    .map((f) => (f === 'index.html' ? '/' : `/${f}`))
    .sort();
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });

/** The app on a host of the test's own, which the test can stop (unreachable) and whose files it may change. */
class Host {
  private server?: ChildProcess;
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<Host> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certsmith-offline-'));
    // Not Trunk's .stage/ of a build under way.
    fs.cpSync(dist, dir, { recursive: true, filter: (src) => src === dist || !path.basename(src).startsWith('.') });
    const host = new Host(dir, await freePort());
    await host.up();
    return host;
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  private async up() {
    const server = spawn('python3', [path.join(root, 'scripts', 'static-server.py'), '--bind', '127.0.0.1', '--port', String(this.port), this.dir], {
      stdio: 'ignore',
    });
    this.server = server;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ok = await fetch(`${this.origin}/`).then((r) => r.ok, () => false);
      if (ok) return;
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`static-server.py did not start on ${this.origin}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops the server: the host refuses every connection from now on. */
  async stop() {
    const server = this.server;
    this.server = undefined;
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }

  async close() {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Writes a file of a new build. Its modification time moves on by a minute: the browser revalidates sw.js
 * with If-Modified-Since, and static-server.py (Python's http.server) compares whole seconds, so a file
 * changed within the second it was first served would be "304 Not Modified" and never seen as new.
 */
function newBuild(file: string, content: string) {
  const mtime = fs.statSync(file).mtimeMs / 1000 + 60;
  fs.writeFileSync(file, content);
  fs.utimesSync(file, mtime, mtime);
}

/** Waits until a service worker controls the page (its cache is complete by then: it activates after). */
async function waitForControl(page: Page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
}

/** The page's caches: name -> the paths of this origin it holds (and any other URL, in full). */
const cacheContents = (page: Page) =>
  page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      const keys = await (await caches.open(name)).keys();
      out[name] = keys.map((r) => (new URL(r.url).origin === location.origin ? new URL(r.url).pathname : r.url)).sort();
    }
    return out;
  });

/** The app shows step 1 as on any first load: its heading, the current step, no alert. */
async function expectApp(page: Page) {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Certsmith');
  await expectCurrentStep(page, 'Certificate authority');
  await expect(step(page, 'Certificate authority').getByRole('alert')).toHaveCount(0);
}

test('after the first visit the page opens and works with its host unreachable', async ({ page, context }) => {
  const host = await Host.start();
  try {
    // The first visit: the worker installs, caching exactly the build's files, and takes control.
    await page.goto(`${host.origin}/`);
    await expectApp(page);
    await waitForControl(page);
    const cached = await cacheContents(page);
    expect(Object.keys(cached), 'one cache, named after the build').toEqual([expect.stringMatching(/^certsmith-[0-9a-f]{16}$/)]);
    expect(Object.values(cached)[0], "the build's files, nothing else").toEqual(buildFiles(host.dir));

    // The host is gone: nothing answers on its port any more.
    await host.stop();
    await expect(fetch(`${host.origin}/`), 'the host refuses connections').rejects.toThrow();
    await page.reload();
    await expectApp(page);
    await new Shots('offline-').take(page, 'host-unreachable');

    // No network at all (the CA is unreachable too): the page still opens.
    await context.setOffline(true);
    await page.reload();
    await expectApp(page);
    await context.setOffline(false);

    // And it works: with its host still down, the page talks to the CA, which the worker leaves alone.
    await page.reload();
    await expectApp(page);
    const directory = page.waitForResponse((r) => r.url() === env.directory && r.request().method() === 'GET');
    await button(step(page, 'Certificate authority'), 'Connect').click();
    expect((await directory).fromServiceWorker(), 'the CA answered, not the worker').toBe(false);
    await expectCurrentStep(page, 'Account');
  } finally {
    await host.close();
  }
});

test.describe('in German', () => {
  test.use({ locale: 'de-DE' });
  test.afterEach(() => useLanguage('en'));

  test("the worker keeps the browser's language's texts, so the page opens offline in German", async ({ page }) => {
    const host = await Host.start();
    try {
      await page.goto(`${host.origin}/`);
      await waitForControl(page);
      const cached = Object.values(await cacheContents(page))[0];
      expect(cached, "the build's files and the German catalogue").toEqual(buildFiles(host.dir, 'de'));
      await host.stop();
      await page.reload();
      useLanguage('de');
      await expect(page.locator('html')).toHaveAttribute('lang', 'de');
      await expectCurrentStep(page, 'Certificate authority');
    } finally {
      await host.close();
    }
  });
});

test('a language chosen on the page is kept for offline use once it was shown', async ({ page }) => {
  const host = await Host.start();
  try {
    await page.goto(`${host.origin}/`);
    await waitForControl(page);
    expect(Object.values(await cacheContents(page))[0], 'an English browser: no catalogue').toEqual(buildFiles(host.dir));
    await Promise.all([page.waitForEvent('load'), page.getByTestId('lang-de').click()]);
    useLanguage('de');
    await expectCurrentStep(page, 'Certificate authority');
    expect(Object.values(await cacheContents(page))[0], 'the German catalogue, kept on first use').toEqual(buildFiles(host.dir, 'de'));
    await host.stop();
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.getByRole('heading', { level: 2, name: new RegExp(`${tr('Certificate authority')}$`) })).toBeVisible();
  } finally {
    useLanguage('en');
    await host.close();
  }
});

test('a new version is picked up on a later visit, and the page says so', async ({ page }) => {
  const host = await Host.start();
  try {
    await page.goto(`${host.origin}/`);
    await waitForControl(page);
    const [oldCache] = Object.keys(await cacheContents(page));
    // No notice on the first visit: the first worker takes control silently.
    await expect(page.getByText(NOTICE)).toHaveCount(0);

    // A new build on the host: sw.js with another version (so another cache).
    const swPath = path.join(host.dir, 'sw.js');
    const sw = fs.readFileSync(swPath, 'utf8');
    const oldVersion = /"version":"([0-9a-f]{16})"/.exec(sw)![1];
    // Another version: the first hex digit moved on by n.
    const variant = (n: number) => ((parseInt(oldVersion[0], 16) + n) % 16).toString(16) + oldVersion.slice(1);
    const newVersion = variant(1);
    newBuild(swPath, sw.replaceAll(oldVersion, newVersion));
    expect(oldCache).toBe(`certsmith-${oldVersion}`);

    // A later visit: the page opens (from the old version's cache), the browser finds the new worker, which
    // installs and takes over once the app has started; the page says so without disturbing the app.
    await page.reload();
    const notice = page.getByRole('status').filter({ hasText: NOTICE });
    await expect(notice).toBeVisible({ timeout: 30_000 });
    await expect(button(notice, 'Reload')).toBeVisible();
    await expectApp(page);
    await expect.poll(async () => Object.keys(await cacheContents(page)), 'the old cache is deleted').toEqual([
      `certsmith-${newVersion}`,
    ]);
    await new Shots('offline-').take(page, 'new-version');

    // "Reload" loads the page under the new worker; the notice is gone.
    await button(notice, 'Reload').click();
    await expectApp(page);
    await expect(page.getByText(NOTICE)).toHaveCount(0);
    await waitForControl(page);
    const scriptUrl = await page.evaluate(() => navigator.serviceWorker.controller!.scriptURL);
    expect(fs.readFileSync(swPath, 'utf8')).toContain(newVersion);
    expect(new URL(scriptUrl).pathname).toBe('/sw.js');

    // "Dismiss" (after another new version) only takes the notice away.
    newBuild(swPath, sw.replaceAll(oldVersion, variant(2)));
    await page.reload();
    await expect(notice).toBeVisible({ timeout: 30_000 });
    await button(notice, 'Dismiss').click();
    await expect(page.getByText(NOTICE)).toHaveCount(0);
    await expectApp(page);
  } finally {
    await host.close();
  }
});

test('the worker never sees a request to another origin', async ({ page, context }) => {
  await page.goto('/');
  await waitForControl(page);
  // Chromium's network events say, for each response, whether the worker answered it and which of its static
  // routes (www/sw.js: 1 = another origin, 2 = not a GET) sent the request past it.
  type Seen = { url: string; method: string; fromServiceWorker: boolean; source?: string; route?: number };
  const methods = new Map<string, string>();
  const seen: Seen[] = [];
  const cdp = await context.newCDPSession(page);
  cdp.on('Network.requestWillBeSent', (e) => methods.set(e.requestId, e.request.method));
  cdp.on('Network.responseReceived', (e) => {
    const method = methods.get(e.requestId) ?? '?';
    if (method === 'OPTIONS' || e.type === 'Preflight') return; // CORS preflights never meet a worker
    seen.push({
      url: e.response.url,
      method,
      fromServiceWorker: !!e.response.fromServiceWorker,
      source: e.response.serviceWorkerResponseSource,
      route: e.response.serviceWorkerRouterInfo?.ruleIdMatched,
    });
  });
  await cdp.send('Network.enable');

  // Connecting sends the CA a GET of its directory and a HEAD for a nonce: both pass the worker by.
  await button(step(page, 'Certificate authority'), 'Connect').click();
  await expectCurrentStep(page, 'Account');
  // A control: a file of the build the page asks for comes from the worker's cache.
  const icon = new URL((await page.locator('link[rel="icon"]').getAttribute('href'))!, page.url()).href;
  expect(await page.evaluate(async (href) => (await fetch(href)).ok, icon)).toBe(true);

  await expect.poll(() => seen.filter((s) => s.url === icon).length).toBe(1);
  expect(seen.find((s) => s.url === icon), 'the icon came from the cache').toMatchObject({
    fromServiceWorker: true,
    source: 'cache-storage',
  });
  const ca = seen.filter((s) => new URL(s.url).origin === acmeOrigin());
  expect(ca.map((s) => s.method), 'the CA answered the directory and a nonce').toEqual(expect.arrayContaining(['GET', 'HEAD']));
  for (const s of ca) {
    expect(s, `${s.method} ${s.url} went straight to the network, past the worker`).toMatchObject({
      fromServiceWorker: false,
      route: 1,
    });
  }
  // Nothing but this origin's files in its cache.
  const cached = await cacheContents(page);
  expect(Object.values(cached).flat().filter((u) => !u.startsWith('/'))).toEqual([]);
});

test('the web manifest is linked, parses and makes the page installable', async ({ page, context, baseURL }) => {
  await page.goto('/');
  const links = page.locator('link[rel="manifest"]');
  await expect(links).toHaveCount(1);
  const href = new URL((await links.getAttribute('href'))!, page.url()).href;
  expect(new URL(href).pathname).toMatch(/^\/manifest-[0-9a-f]{16}\.webmanifest$/);
  const response = await page.request.get(href);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('application/manifest+json');
  const manifest = JSON.parse(await response.text());
  expect(manifest).toMatchObject({ name: 'Certsmith', start_url: './', display: 'standalone' });
  const themeColor = await page.locator('meta[name="theme-color"]').getAttribute('content');
  expect(manifest.theme_color).toBe(themeColor);
  expect(manifest.icons.length).toBeGreaterThan(0);
  for (const icon of manifest.icons) {
    const file = await page.request.get(new URL(icon.src, href).href);
    expect(file.status(), icon.src).toBe(200);
    expect(file.headers()['content-type']).toBe(icon.type);
  }
  // Chromium's own reading of it: no errors.
  const cdp = await context.newCDPSession(page);
  const parsed = await cdp.send('Page.getAppManifest');
  expect(parsed.url).toBe(href);
  expect(parsed.errors, 'Chromium parses the manifest without errors').toEqual([]);

  // Installable: Chromium lists nothing against it. Test contexts are incognito, where it never offers to
  // install, so this asks in a browser profile of its own.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'certsmith-profile-'));
  const persistent = await chromium.launchPersistentContext(profile, { ...test.info().project.use.launchOptions });
  try {
    const other = persistent.pages()[0] ?? (await persistent.newPage());
    const errors: string[] = [];
    other.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    other.on('pageerror', (e) => errors.push(String(e)));
    await other.goto(baseURL!);
    await waitForControl(other);
    const session = await persistent.newCDPSession(other);
    const { installabilityErrors } = await session.send('Page.getInstallabilityErrors');
    expect(installabilityErrors, 'Chromium would offer to install the page').toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await persistent.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
