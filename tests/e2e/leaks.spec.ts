// Proof of no leaks: every request the page makes through a full issuance and a PFX export is recorded
// (URL, every header, every body), and none carries private-key material in any encoding — the PKCS#8 DER in
// base64 and base64url (whole, or any 32-character slice of it), the PEM body, or the private scalar `d` as a
// JWK has it (base64url) or in hex. And no origin other than the page's own, the chosen CA and the listed
// DNS-over-HTTPS resolver is contacted.
import * as fs from 'fs';
import * as path from 'path';
import { test, expect, Shots, button, connect, createAccount, download, env, issueByDns, openssl, rand } from './support';

type Seen = { url: string; headers: Record<string, string>; body: string };

/** The encodings of one private key a leak could take, each long enough to be unmistakable. Windows of the
 * DER that are wholly public (inside the SubjectPublicKeyInfo, which the JWK and the CSR rightly carry) are
 * left out. */
function needles(pemFile: string, dir: string): string[] {
  const derFile = path.join(dir, `${path.basename(pemFile)}.der`);
  const spkiFile = path.join(dir, `${path.basename(pemFile)}.spki.der`);
  openssl(['pkey', '-in', pemFile, '-outform', 'DER', '-out', derFile]);
  openssl(['pkey', '-in', pemFile, '-pubout', '-outform', 'DER', '-out', spkiFile]);
  const der = fs.readFileSync(derFile);
  const spki = fs.readFileSync(spkiFile);
  const text = openssl(['pkey', '-in', pemFile, '-noout', '-text']);
  // "priv:" then hex bytes over several lines (EC); RSA keys print "privateExponent:".
  const priv = /(?:priv|privateExponent):\s*\n((?:\s+[0-9a-f:]+\n)+)/i.exec(text);
  expect(priv, `openssl shows the private part of ${pemFile}`).not.toBeNull();
  const scalar = Buffer.from(priv![1].replace(/[\s:]/g, '').replace(/^00/, ''), 'hex');
  // 24-byte windows every 12 bytes: 32 characters of base64 that start on a group boundary of the whole.
  const windows: Buffer[] = [];
  for (let i = 0; i + 24 <= der.length; i += 12) {
    const window = der.subarray(i, i + 24);
    if (!spki.includes(window)) windows.push(window);
  }
  expect(windows.length, 'private windows of the key').toBeGreaterThan(0);
  return [
    der.toString('base64'),
    der.toString('base64url'),
    ...windows.map((w) => w.toString('base64')),
    ...windows.map((w) => w.toString('base64url')),
    scalar.toString('base64url'),
    scalar.toString('hex'),
  ];
}

test('no request carries private-key material, and only the CA and the resolver are contacted', async ({
  page,
  downloads,
}) => {
  const seen: Seen[] = [];
  const pending: Promise<void>[] = [];
  page.context().on('request', (req) => {
    pending.push(
      req.allHeaders().then((headers) => {
        seen.push({ url: req.url(), headers, body: req.postDataBuffer()?.toString('latin1') ?? '' });
      }),
    );
  });

  const shots = new Shots('leaks-');
  await connect(page, shots);
  await createAccount(page, shots);
  const accountKey = await download(page, 'Download account key', downloads);
  const files = await issueByDns(page, shots, [`e2e-leaks-${rand()}.example.test`], downloads);
  await page.getByLabel('PFX password').fill(`pw-${rand()}`);
  const pfx = await download(page, 'Download PFX', downloads);
  expect(fs.statSync(pfx.path).size).toBeGreaterThan(500);
  await expect(button(page, 'Download PFX')).toBeEnabled();

  // Once the key is saved elsewhere, the page deletes its own copy on request: gone from storage too.
  await button(page, 'Delete the private key from this browser').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete the key' }).click();
  await expect(page.getByTestId('key-deleted')).toBeVisible();
  await expect(button(page, 'Download privkey.pem')).toHaveCount(0);
  const stored = (await page.evaluate(() => localStorage.getItem('certsmith.state.v1'))) ?? '';
  const certKeyForms = needles(files.privkey, downloads);
  expect(certKeyForms.find((n) => stored.includes(n)), 'the certificate key is still in storage').toBeUndefined();
  await Promise.all(pending);

  // Everything the page asked for: its own files, the CA, the DoH resolver; nothing else.
  const allowed = new Set([new URL(page.url()).origin, new URL(env.directory).origin, new URL(env.doh).origin]);
  const origins = new Set(seen.map((s) => new URL(s.url).origin));
  expect([...origins].filter((o) => !allowed.has(o)), 'origins contacted besides the page, the CA and the resolver').toEqual([]);
  expect(origins.has(new URL(env.directory).origin), 'the CA was contacted').toBe(true);
  expect(seen.some((s) => s.body.length > 0), 'request bodies were recorded').toBe(true);

  for (const [label, pem] of [
    ['account key', accountKey.path],
    ['certificate key', files.privkey],
  ] as const) {
    const forms = needles(pem, downloads);
    for (const s of seen) {
      const where = [s.url, ...Object.entries(s.headers).map(([k, v]) => `${k}: ${v}`), s.body].join('\n');
      const found = forms.find((n) => where.includes(n));
      expect(found, `the ${label} appears in a request to ${s.url}`).toBeUndefined();
    }
  }
});
