// The Content-Security-Policy and page access in Chromium: the app still hydrates and works
// under the policy (the harness fails any test on a CSP violation in the console), an inline
// script injected into a page does not run, and an anonymous visitor of a back-office page
// signs in and lands on that page.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { hydrated, launchChromium, login, newPage, startGuichet } from './harness.mjs';

const NONCED_SCRIPTS = /script-src 'self' 'nonce-[A-Za-z0-9_-]+' 'wasm-unsafe-eval'/;

describe('Security in Chromium', () => {
  let guichet;
  let browser;
  const problems = [];

  before(async () => {
    guichet = await startGuichet();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await guichet?.stop();
    assert.deepEqual(problems, [], 'no page errors, wasm panics or CSP violations');
  });

  test('pages carry the policy and still hydrate: the sign-in form answers in place', async () => {
    const page = await newPage(browser, problems);

    const response = await page.goto(guichet.url('saint-herblain', '/connexion'));

    assert.match(response.headers()['content-security-policy'], NONCED_SCRIPTS);
    await hydrated(page);
    await page.getByLabel('Adresse e-mail').fill('marie.dupont@example.test');
    await page.getByLabel('Mot de passe').fill('Mauvais-mot-2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').getByText('Adresse e-mail ou mot de passe incorrect.').waitFor();
    assert.match(page.url(), /\/connexion$/, 'answered by the hydrated app, no page load');
    await page.context().close();
  });

  test('a citizen’s démarche page, without the Leptos runtime, runs its enhancement under the policy', async () => {
    const page = await newPage(browser, problems);

    const response = await page.goto(guichet.url('saint-herblain', '/demarches'));

    assert.match(response.headers()['content-security-policy'], NONCED_SCRIPTS);
    await hydrated(page);
    await page.context().close();
  });

  test('an inline script or event handler injected into a page does not run', async () => {
    // Its own problem list: the refusals are what this test expects.
    const page = await newPage(browser, []);
    await page.goto(guichet.url('saint-herblain', '/'));
    await hydrated(page);

    const outcome = await page.evaluate(() => new Promise((resolve) => {
      const refused = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        refused.push(event.effectiveDirective);
        if (refused.length === 2) resolve({ ran: window.__injected ?? null, refused });
      });
      // As markup an attacker would slip into the page, and as a script added through the DOM.
      const holder = document.createElement('div');
      holder.innerHTML = '<img src="/favicon.ico?injected" onload="window.__injected = \'handler\'">';
      document.body.append(holder);
      const script = document.createElement('script');
      script.textContent = "window.__injected = 'script';";
      document.body.append(script);
    }));

    assert.equal(outcome.ran, null, 'neither ran');
    assert.deepEqual(outcome.refused.sort(), ['script-src-attr', 'script-src-elem']);
    await page.context().close();
  });

  test('an anonymous visitor of a back-office page signs in and lands on that page', async () => {
    const page = await newPage(browser, problems);

    await page.goto(guichet.url('saint-herblain', '/back-office/courriers'));

    await page.waitForURL(/\/connexion\?retour=\/back-office\/courriers$/);
    await hydrated(page);
    await page.getByLabel('Adresse e-mail').fill('responsable@saint-herblain.test');
    await page.getByLabel('Mot de passe').fill('Herblain-Resp-2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/back-office\/courriers$/);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.context().close();
  });

  test('the branding editor’s live preview and the letter editor work under the policy', async () => {
    const page = await newPage(browser, problems);
    await login(page, guichet, 'admin@saint-herblain.test', 'Herblain-Gestion-2026');

    await page.goto(guichet.url('saint-herblain', '/administration/apparence'));
    await hydrated(page);
    const preview = page.getByTestId('apercu');
    await preview.waitFor();
    // The preview's colours are a style attribute.
    assert.match(await preview.getAttribute('style') ?? '', /--brand-primary/);
    assert.notEqual(await preview.evaluate((el) => getComputedStyle(el).getPropertyValue('--brand-primary').trim()), '');

    await page.goto(guichet.url('saint-herblain', '/back-office/courriers/nouveau'));
    await hydrated(page);
    await page.locator('iframe[name="apercu-courrier"]').waitFor({ state: 'attached' });
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    assert.match(icon, /^\/favicon\.ico/);
    await page.context().close();
  });
});
