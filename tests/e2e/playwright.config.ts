// Playwright drives Debian's Chromium (`playwright install` cannot download browsers here) against the
// local build in target/dist-local, which talks to the local Pebble, challtestsrv and DoH server that
// scripts/with-pebble.sh started (CERTSMITH_TEST_* variables). One test at a time: they share challtestsrv's
// records, and the machine has two cores. Screenshots go to target/screenshots/, downloads to
// target/e2e-downloads/.
import { defineConfig } from '@playwright/test';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const port = Number(process.env.CERTSMITH_E2E_PORT ?? 8081);

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: path.join(root, 'target', 'playwright-results'),
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Issuing with real validation takes seconds; these bounds only stop a hung test.
  timeout: 120_000,
  expect: { timeout: 15_000 },
  // list on the terminal; the JSON (timings, annotations such as how many badNonce answers the page retried)
  // for a closer look.
  reporter: [['list'], ['json', { outputFile: path.join(root, 'target', 'e2e-report.json') }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 900 },
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    acceptDownloads: true,
    ignoreHTTPSErrors: true,
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--ignore-certificate-errors',
      ],
    },
  },
  webServer: {
    // Sends the headers of hosting/_headers with every response, as a real host would (tests/e2e/hosting.spec.ts).
    command: `python3 ${path.join(root, 'scripts', 'static-server.py')} --bind 127.0.0.1 --port ${port} ${path.join(root, 'target', 'dist-local')}`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 15_000,
    stdout: 'ignore',
    stderr: 'ignore',
  },
});
