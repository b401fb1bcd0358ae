// The page's language (issue 11): chosen from the browser's preference, changed with the visible switch,
// kept over reloads, progress kept across a switch. The full walk in German (every step, panel and dialog), with
// its check for English left and for dates in German form, is in a11y.spec.ts.
import { test, expect, button, connect, createAccount, englishLeft, Shots, tr, useLanguage } from './support';

test.describe('a browser that prefers English', () => {
  test.use({ locale: 'en-US' });

  test('shows English, switches to German and back, and keeps the choice over a reload', async ({ page, guard }) => {
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    const switcher = page.getByRole('navigation', { name: 'Language' });
    await expect(switcher.getByTestId('lang-en')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByRole('heading', { level: 2, name: /Certificate authority$/ })).toBeVisible();
    // The check the German walks rely on finds the English page's English (so it can fail).
    expect((await englishLeft(page)).length, 'English found on the English page').toBeGreaterThan(5);

    // Deutsch: the page reloads in German and says so to assistive technology.
    await Promise.all([page.waitForEvent('load'), switcher.getByTestId('lang-de').click()]);
    useLanguage('de');
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    const german = page.getByRole('navigation', { name: tr('Language') });
    await expect(german.getByTestId('lang-de')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByRole('heading', { level: 2, name: new RegExp(`${tr('Certificate authority')}$`) })).toBeVisible();
    await expect(page.getByText(tr('Get a TLS certificate from an ACME CA, entirely in this page.'))).toBeVisible();
    expect(await englishLeft(page), 'English left on the German page').toEqual([]);

    // The choice outlives a reload, though the browser still prefers English.
    await guard.reload(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');

    await Promise.all([page.waitForEvent('load'), german.getByTestId('lang-en').click()]);
    useLanguage('en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByText('Get a TLS certificate from an ACME CA, entirely in this page.')).toBeVisible();
  });
});

test.describe('a browser that prefers German', () => {
  test.use({ locale: 'de-AT' });
  test.beforeEach(() => useLanguage('de'));
  test.afterEach(() => useLanguage('en'));

  test('gets German without asking, and keeps its progress when switching to English', async ({ page }) => {
    const shots = new Shots('lang-de-');
    await connect(page, shots);
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    const accountUrl = await createAccount(page, shots);

    // Switching reloads the page; the account and the step are kept.
    await Promise.all([page.waitForEvent('load'), page.getByTestId('lang-en').click()]);
    useLanguage('en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByTestId('account-url')).toHaveText(accountUrl);
    await expect(button(page, 'Create order')).toBeVisible();
  });
});
