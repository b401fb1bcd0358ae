// Certificates from the real local Pebble with real validation (PEBBLE_VA_ALWAYS_VALID unset, 30 % of nonces
// rejected), driven as a person would: every value placed in DNS or on the HTTP-01 responder is read from the
// page, and every certificate the page hands out is checked with OpenSSL.
import * as fs from 'fs';
import * as path from 'path';
import {
  test,
  expect,
  Shots,
  PHONE,
  addHttp01,
  button,
  certNames,
  checkCertificate,
  checkDns,
  chooseChallenge,
  clearTxt,
  connect,
  createAccount,
  createOrder,
  download,
  env,
  expectChainVerifies,
  expectCurrentStep,
  expectKeyMatches,
  issueByDns,
  openssl,
  pebbleRoot,
  pemCertificates,
  placeTxtRecords,
  rand,
  readTxtRecords,
  setTxt,
  step,
  submitChallenges,
  validateByDns,
  waitForCertificate,
} from './support';

test.describe.configure({ timeout: 120_000 });

// The names the issue asks for. Other tests may have left values under _acme-challenge.example.test:
// start clean (the tests run one at a time).
const ISSUE_NAMES = ['example.test', '*.example.test'];

test('(a) DNS-01 for example.test and *.example.test, checked over DoH, to a verified certificate', async ({
  page,
  shots,
  downloads,
  guard,
}) => {
  await clearTxt('_acme-challenge.example.test');
  await connect(page, shots);
  const account = await createAccount(page, shots, 'certsmith-e2e@example.org');

  const files = await issueByDns(page, shots, ISSUE_NAMES, downloads);

  // The RFC's floor for a fresh account and a fresh N-name order: directory, newNonce, newAccount, newOrder,
  // N authorizations, N answers, one order poll, finalize, the certificate (7 + 2N), one more order poll when
  // finalize answered "processing". Pebble's badNonce rejections (each retried once) come on top. One client
  // for the CA: newNonce exactly once, from the probe.
  const sent = [...guard.acme];
  const retried = await guard.badNonces();
  const processing = await guard.finalizeAnsweredProcessing();
  const floor = 7 + 2 * ISSUE_NAMES.length + (processing ? 1 : 0);
  expect(sent.length - retried, `requests to the CA: ${sent.map((r) => `${r.method} ${r.url}`).join(', ')}`).toBe(floor);
  expect(sent.filter((r) => r.method === 'HEAD').length, 'newNonce once').toBe(1);

  // The authorizations, read while pending, show as valid: the order became ready (RFC 8555 §7.1.6).
  await expect(page.getByTestId('authz-status')).toHaveText(ISSUE_NAMES.map(() => /^\s*valid\s*$/));

  // cert.pem + chain.pem are fullchain.pem split.
  const cert = await download(page, 'Download cert.pem', downloads);
  const chain = await download(page, 'Download chain.pem', downloads);
  const fullchain = pemCertificates(fs.readFileSync(files.fullchain, 'utf8'));
  expect(pemCertificates(fs.readFileSync(cert.path, 'utf8'))).toEqual(fullchain.slice(0, 1));
  expect(pemCertificates(fs.readFileSync(chain.path, 'utf8'))).toEqual(fullchain.slice(1));

  // Pebble offers alternate chains (PEBBLE_ALTERNATE_ROOTS): the "Chain" choice gives one that verifies
  // against the other root, for the same certificate.
  const chainSelect = page.getByLabel('Chain');
  if (env.alternateRoots > 0) {
    const options = await chainSelect.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options.length, 'one chain per root').toBe(env.alternateRoots + 1);
    await chainSelect.selectOption(options[1]);
    const alternate = await download(page, 'Download fullchain.pem', downloads, 'fullchain-alternate.pem');
    const altCerts = pemCertificates(fs.readFileSync(alternate.path, 'utf8'));
    expect(altCerts[0], 'the same certificate').toBe(fullchain[0]);
    expect(altCerts.slice(1), 'another chain').not.toEqual(fullchain.slice(1));
    expectChainVerifies(alternate.path, pebbleRoot(1), 'alternate');
    await shots.take(page, '5-alternate-chain');
  } else {
    await expect(chainSelect).toHaveCount(0);
  }

  // The protocol log recorded the exchanges; the account is the one created.
  await expect(page.getByTestId('account-url')).toHaveText(account);
  expect(await page.getByTestId('exchange').count()).toBeGreaterThan(5);
});

test('(b) HTTP-01 for one name, at phone width, with an RSA key', async ({ page, downloads }) => {
  await page.setViewportSize(PHONE);
  const shots = new Shots('http01-');
  const name = `e2e-${rand()}.example.test`;
  await connect(page, shots);
  await createAccount(page, shots);
  // A name that cannot be is flagged in place, with the reason, before any order.
  const names = step(page, 'Names and key');
  await names.getByLabel('Domain names').fill(`bad_name..${name}`);
  await expect(names.getByRole('alert')).toContainText('bad_name..');
  await shots.take(page, '3-invalid-name');
  await createOrder(page, shots, [name], 'RSA 2048');
  await chooseChallenge(page, 'http-01');

  const url = (await page.getByTestId('http-url').innerText()).trim();
  const content = (await page.getByTestId('http-content').innerText()).trim();
  const token = new URL(url).pathname.split('/').pop()!;
  expect(url).toBe(`http://${name}/.well-known/acme-challenge/${token}`);
  expect(token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
  expect(content.startsWith(`${token}.`), 'the key authorization is token.thumbprint').toBe(true);
  // The file the page offers is exactly that content, named by the token with no extension (RFC 8555 §8.3: the
  // CA fetches /.well-known/acme-challenge/<token>; the page says so too). Soft: the flow goes on either way.
  const file = await download(page, 'Download challenge file', downloads);
  expect.soft(file.suggested, 'the challenge file is saved under the token, without an extension').toBe(token);
  expect(fs.readFileSync(file.path, 'utf8').trim()).toBe(content);
  await shots.take(page, '4-challenges');

  await addHttp01(token, content);
  // HTTP-01 files cannot be checked from the page, so it asks before submitting (UI-CONTRACT).
  await submitChallenges(page, shots, true);
  await waitForCertificate(page);
  await shots.take(page, '5-certificate');
  const files = await checkCertificate(page, [name], downloads);
  expect(openssl(['x509', '-in', files.leaf, '-noout', '-text'])).toMatch(/Public-Key: \(2048 bit\)/);
});

test('(c) a reload with the TXT values shown shows the same values, then issues', async ({
  page,
  guard,
  downloads,
}) => {
  const shots = new Shots('reload-');
  await clearTxt('_acme-challenge.example.test');
  await connect(page, shots);
  const account = await createAccount(page, shots);
  await createOrder(page, shots, ISSUE_NAMES);
  await chooseChallenge(page, 'dns-01');
  const before = await readTxtRecords(page, ISSUE_NAMES);
  await shots.take(page, '4-before-reload');

  await guard.reload(page);
  await expectCurrentStep(page, 'Challenges');
  await expect(page.getByTestId('account-url')).toHaveText(account);
  const after = await readTxtRecords(page, ISSUE_NAMES);
  await shots.take(page, '4-after-reload');
  const sorted = (m: Map<string, string[]>) => [...m].map(([k, v]) => [k, [...v].sort()]).sort();
  expect(sorted(after), 'the same record names and values after the reload').toEqual(sorted(before));

  await placeTxtRecords(after);
  await checkDns(page, after, true);
  await submitChallenges(page, shots, false);
  await waitForCertificate(page);
  await shots.take(page, '5-certificate');
  await checkCertificate(page, ISSUE_NAMES, downloads);
});

test('(d) a wrong TXT value fails with the problem and a hint; a new order on the same account succeeds', async ({
  page,
  downloads,
}) => {
  const shots = new Shots('wrong-txt-');
  const id = rand();
  const wrongName = `e2e-wrong-${id}.example.test`;
  await connect(page, shots);
  const account = await createAccount(page, shots);
  await createOrder(page, shots, [wrongName]);
  await chooseChallenge(page, 'dns-01');
  const records = await readTxtRecords(page, [wrongName]);
  await shots.take(page, '4-challenges');
  const [[txtName, [rightValue]]] = [...records];
  const wrongValue = `wrong-${id}-${rightValue.slice(0, 8)}`;
  await setTxt(txtName, wrongValue);

  await checkDns(page, records, false);
  await shots.take(page, '4-dns-checked');
  await submitChallenges(page, shots, true);

  const problem = page.getByTestId('problem');
  await expect(problem.first()).toBeVisible({ timeout: 60_000 });
  await expect(problem.first()).toContainText(/unauthorized|Correct value not found/i);
  const hint = page.getByTestId('hint').first();
  await expect(hint).toHaveText(/\S+(\s+\S+){5,}/); // a sentence, not a placeholder
  // The hint is about what failed: a DNS record, not an HTTP-01 file. Soft: the retry below runs either way.
  expect.soft(await hint.innerText(), 'the hint speaks of the DNS record').toMatch(/\b(DNS|TXT)\b/);
  expect.soft(await hint.innerText(), 'the hint does not speak of an HTTP-01 file').not.toMatch(/well-known|\bfile\b/i);
  await expect(page.getByTestId('authz-status')).toHaveText([/^\s*invalid\s*$/i]);
  await shots.take(page, '4-failed');

  // Same CA and account, a fresh name (Pebble would otherwise hand back the failed authorization).
  // The failure panel and the order bar both offer it; either does the same.
  await button(page, 'Start a new order').first().click();
  await expectCurrentStep(page, 'Names and key');
  await expect(page.getByTestId('account-url')).toHaveText(account);
  await expect(page.getByTestId('problem')).toHaveCount(0);
  await issueByDns(page, new Shots('wrong-txt-retry-'), [`e2e-retry-${id}.example.test`], downloads);
  await expect(page.getByTestId('account-url')).toHaveText(account);
});

test('(e) the PFX download opens with its password and holds the key of the certificate', async ({
  page,
  downloads,
}) => {
  const shots = new Shots('pfx-');
  const name = `e2e-pfx-${rand()}.example.test`;
  const built: string[] = [];
  page.on('console', (msg) => {
    if (/^PFX \(.*\) built in/.test(msg.text())) built.push(msg.text());
  });
  await connect(page, shots);
  await createAccount(page, shots);
  const files = await issueByDns(page, shots, [name], downloads);

  // No password, no PFX: the button says why until one is typed or "No password" is ticked.
  const pfxButton = button(page, 'Download PFX');
  await expect(pfxButton).toBeDisabled();
  await expect(page.getByTestId('pfx-disabled-reason')).toBeVisible();
  const noPassword = page.getByLabel('No password (anyone with the file gets the key)');
  await noPassword.check();
  await expect(pfxButton).toBeEnabled();
  await noPassword.uncheck();
  await expect(pfxButton).toBeDisabled();
  await expect(page.getByLabel('PFX format')).toHaveValue('modern');

  const password = `pw-${rand()}`;
  await page.getByLabel('PFX password').fill(password);
  await expect(pfxButton).toBeEnabled();
  await shots.take(page, '5-pfx-password');
  const pfx = await download(page, 'Download PFX', downloads);
  expect(pfx.suggested).toMatch(/\.(pfx|p12)$/);

  // Modern encryption: OpenSSL 3 opens it without -legacy; the wrong password does not.
  const all = openssl(['pkcs12', '-in', pfx.path, '-passin', `pass:${password}`, '-nodes']);
  expect(all).toContain('-----BEGIN PRIVATE KEY-----');
  expect(() => openssl(['pkcs12', '-in', pfx.path, '-passin', 'pass:not-the-password', '-nodes'])).toThrow();
  // `openssl pkcs12 -info` writes what it found to stderr.
  const { spawnSync } = await import('child_process');
  const info = (file: string, extra: string[]) => {
    const args = ['pkcs12', '-in', file, '-passin', `pass:${password}`, ...extra, '-info', '-noout'];
    const out = spawnSync('openssl', args, { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    return out.stdout + out.stderr;
  };
  const modern = info(pfx.path, []);
  expect(modern).toContain('MAC: sha256, Iteration 600000');
  expect(modern).toContain('Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256');

  const key = path.join(downloads, 'pfx-key.pem');
  const leaf = path.join(downloads, 'pfx-leaf.pem');
  fs.writeFileSync(key, openssl(['pkcs12', '-in', pfx.path, '-passin', `pass:${password}`, '-nocerts', '-nodes']));
  fs.writeFileSync(leaf, openssl(['pkcs12', '-in', pfx.path, '-passin', `pass:${password}`, '-nokeys', '-clcerts']));
  expect(pemCertificates(fs.readFileSync(leaf, 'utf8')), 'the PFX holds the certificate').toEqual(
    pemCertificates(fs.readFileSync(files.leaf, 'utf8')),
  );
  expectKeyMatches(key, leaf);
  expectKeyMatches(key, files.leaf);
  expect(certNames(leaf)).toEqual([name]);

  // Compatible: 3DES and SHA-1 at 2048 iterations, as older Windows and the macOS keychain read; OpenSSL 3
  // opens it with -legacy.
  await page.getByLabel('PFX format').selectOption('compatible');
  await shots.take(page, '5-pfx-compatible');
  const legacy = await download(page, 'Download PFX', downloads, 'certificate-compatible.pfx');
  const compatible = info(legacy.path, ['-legacy']);
  expect(compatible).toContain('MAC: sha1, Iteration 2048');
  expect(compatible).toContain('PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048');
  expect(compatible).toContain('Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048');
  const legacyKey = path.join(downloads, 'pfx-compatible-key.pem');
  fs.writeFileSync(
    legacyKey,
    openssl(['pkcs12', '-legacy', '-in', legacy.path, '-passin', `pass:${password}`, '-nocerts', '-nodes']),
  );
  expectKeyMatches(legacyKey, files.leaf);
  expect(() =>
    openssl(['pkcs12', '-legacy', '-in', legacy.path, '-passin', 'pass:not-the-password', '-nodes']),
  ).toThrow();
  console.log(`PFX timing in the page: ${built.join('; ')}`);
});

test('(f) a CSR made with OpenSSL: read and checked against the names, then issued for its own key', async ({
  page,
  downloads,
}) => {
  const shots = new Shots('csr-');
  const name = `e2e-csr-${rand()}.example.test`;
  // The person's CSR and key, made elsewhere; the key never reaches the page.
  const csrFor = (host: string) => {
    const key = path.join(downloads, `${host}.key`);
    const csr = path.join(downloads, `${host}.csr`);
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key,
      '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`, '-out', csr]);
    return { key, csr: fs.readFileSync(csr, 'utf8') };
  };
  const other = csrFor(`other-${name}`);
  const mine = csrFor(name);

  await connect(page, shots);
  await createAccount(page, shots);
  const s = step(page, 'Names and key');
  await s.getByLabel('Domain names').fill(name);
  await s.getByLabel('Certificate key').selectOption({ label: 'I have a CSR' });
  const create = button(s, 'Create order');
  await expect(s.getByText('Paste your CSR.')).toBeVisible();
  await expect(create).toBeDisabled();
  // A CSR for another name: the page reads it (in its jobs module) and says what does not fit.
  await s.getByLabel('CSR (PEM)').fill(other.csr);
  await expect(s.getByRole('alert')).toContainText(`The CSR cannot be used:`);
  await expect(s.getByRole('alert')).toContainText(name);
  await expect(create).toBeDisabled();
  // Its own CSR: the names and the key type it asks for; then the order.
  await s.getByLabel('CSR (PEM)').fill(mine.csr);
  await expect(s.getByText(`The CSR asks for ${name} with an ECDSA P-256 key.`)).toBeVisible();
  await expect(s.getByRole('alert')).toHaveCount(0);
  await shots.take(page, '3-csr-read');
  await create.click();
  await expectCurrentStep(page, 'Challenges');
  await validateByDns(page, shots, [name]);
  // The certificate is for the CSR's key; the page has no key of its own to offer.
  const fullchain = await download(page, 'Download fullchain.pem', downloads);
  const leaf = expectChainVerifies(fullchain.path, pebbleRoot(0));
  expectKeyMatches(mine.key, leaf);
  expect(certNames(leaf)).toEqual([name]);
  await expect(button(page, 'Download privkey.pem')).toHaveCount(0);
});

test('(g) without WebCrypto (a page on plain http from another host), the jobs module makes the keys and signs', async ({
  page,
  guard,
  downloads,
}) => {
  // crypto.subtle exists only in secure contexts: a page served over http from a LAN address has none, and
  // the page's wasm has no key or signature code of its own. Its worker's jobs module does that work then.
  await page.addInitScript(() =>
    Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true }),
  );
  const fallback = /^No key from WebCrypto \(this browser offers no WebCrypto here .*\): the jobs module makes it$/;
  const warned: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'warning' && fallback.test(msg.text())) warned.push(msg.text());
  });
  guard.allow((s) => s.kind === 'console' && fallback.test(s.text));
  const shots = new Shots('no-webcrypto-');
  const name = `e2e-${rand()}.example.test`;
  await connect(page, shots);
  expect(await page.evaluate(() => typeof globalThis.crypto.subtle)).toBe('undefined');
  await createAccount(page, shots);
  await createOrder(page, shots, [name], 'ECDSA P-384');
  await validateByDns(page, shots, [name]);
  const files = await checkCertificate(page, [name], downloads);
  expect(openssl(['x509', '-in', files.leaf, '-noout', '-text'])).toContain('NIST CURVE: P-384');
  expect(warned, 'the account key and the certificate key came from the jobs module').toHaveLength(2);
});

test('(h) a WebCrypto whose EC export leaves out the public point: the jobs module reads each key, the page issues', async ({
  page,
  downloads,
}) => {
  // RFC 5915 makes an ECPrivateKey's publicKey optional. Chromium writes it; another browser may not, and
  // the page's wasm has no curve arithmetic to compute it. This export drops it from every EC key.
  await page.addInitScript(() => {
    const subtle = globalThis.crypto.subtle;
    const exportKey = subtle.exportKey.bind(subtle);
    // One DER TLV at i: its tag, where its value starts and where it ends.
    const tlv = (b: Uint8Array, i: number): [number, number, number] => {
      let length = b[i + 1];
      let at = i + 2;
      if (length & 0x80) {
        const count = length & 0x7f;
        length = 0;
        for (let k = 0; k < count; k++) length = length * 256 + b[at + k];
        at += count;
      }
      return [b[i], at, at + length];
    };
    const children = (b: Uint8Array, start: number, end: number): Uint8Array[] => {
      const out: Uint8Array[] = [];
      for (let i = start; i < end; i = tlv(b, i)[2]) out.push(b.subarray(i, tlv(b, i)[2]));
      return out;
    };
    const encode = (tag: number, parts: Uint8Array[]): Uint8Array => {
      const body = parts.flatMap((p) => [...p]);
      const n = body.length;
      const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
      return new Uint8Array([tag, ...length, ...body]);
    };
    const counter = globalThis as unknown as { pointless: number };
    counter.pointless = 0;
    subtle.exportKey = (async (format: string, key: CryptoKey) => {
      const exported = await exportKey(format as 'pkcs8', key);
      if (format !== 'pkcs8' || key.algorithm.name !== 'ECDSA') return exported;
      const der = new Uint8Array(exported);
      const [, start, end] = tlv(der, 0);
      const [version, algorithm, octets] = children(der, start, end);
      const [, sec1Start] = tlv(octets, 0);
      const [, fieldsStart, fieldsEnd] = tlv(octets, sec1Start);
      const all = children(octets, fieldsStart, fieldsEnd);
      const fields = all.filter((field) => field[0] !== 0xa1);
      if (fields.length !== all.length - 1) throw new Error('the export has no public point to drop');
      counter.pointless++;
      return encode(0x30, [version, algorithm, encode(0x04, [encode(0x30, fields)])]).buffer;
    }) as typeof subtle.exportKey;
  });
  const shots = new Shots('pointless-ec-');
  const name = `e2e-${rand()}.example.test`;
  await connect(page, shots);
  await createAccount(page, shots);
  await createOrder(page, shots, [name], 'ECDSA P-256');
  await validateByDns(page, shots, [name]);
  const files = await checkCertificate(page, [name], downloads);
  expect(openssl(['pkey', '-in', files.privkey, '-noout', '-text'])).toContain('NIST CURVE: P-256');
  expect(
    await page.evaluate(() => (globalThis as unknown as { pointless: number }).pointless),
    'the account key and the certificate key were exported without their point',
  ).toBe(2);
});
