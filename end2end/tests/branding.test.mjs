// A tenant admin restyles the demo commune in Chromium: an illegible colour is caught live with
// a fix, a logo is uploaded and previewed before anything is saved, and once saved the portal
// wears the new look on its next page load.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, hydrated, launchChromium, login, newPage, startGuichet } from './harness.mjs';

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" onload="alert('x')">
  <script>alert('x')</script><circle cx="20" cy="20" r="18" fill="#6b1d5c"/></svg>`;

describe('Branding in Chromium', () => {
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
    assert.deepEqual(problems, [], 'no page errors or wasm panics');
  });

  test('an admin changes colours and logo, previews, saves, and the portal shows them', async () => {
    const admin = await newPage(browser, problems);
    let dialogs = 0;
    const countDialogs = (page) => page.on('dialog', (dialog) => { dialogs += 1; dialog.dismiss(); });
    countDialogs(admin);
    await login(admin, guichet, 'admin@saint-herblain.test', 'Herblain-Gestion-2026');
    await admin.goto(guichet.url('saint-herblain', '/administration/apparence'));
    await hydrated(admin);
    const preview = admin.getByTestId('apercu');
    const previewVar = (name) => preview.evaluate((el, n) => getComputedStyle(el).getPropertyValue(n).trim(), name);
    assert.equal(await previewVar('--brand-primary'), '#00589c');

    // An illegible yellow: the measured contrast and a fix, live, before saving.
    const primary = admin.getByLabel('Couleur principale', { exact: true });
    await primary.fill('#ffe552');
    const warning = admin.locator('#apparence-primary_color-contraste');
    await warning.getByText(/Contraste insuffisant.*4,5:1/).waitFor();
    assert.equal(await previewVar('--brand-primary'), '#ffe552', 'the preview follows');
    await warning.getByRole('button', { name: /^Utiliser #/ }).click();
    await warning.getByText(/Contraste insuffisant/).waitFor({ state: 'detached' });

    // The colour the commune wants, and its logo (an SVG with a script, cleaned on upload).
    await primary.fill('#6b1d5c');
    assert.equal(await previewVar('--brand-primary'), '#6b1d5c');
    await admin.getByLabel('Logo', { exact: true }).setInputFiles({
      name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(LOGO),
    });
    await admin.getByText(/Éléments retirés du SVG pour la sécurité : .*script/).waitFor();
    const previewLogo = preview.locator('img.site-logo');
    await previewLogo.waitFor();
    const logoSrc = await previewLogo.getAttribute('src');
    assert.match(logoSrc, /^\/marque\/[0-9a-f]{32}\.svg$/);
    await admin.getByLabel('Nom affiché').fill('Saint-Herblain, ville en Loire');
    await preview.getByText('Saint-Herblain, ville en Loire').waitFor();

    // Nothing is public before saving.
    const citizen = await newPage(browser, problems);
    countDialogs(citizen);
    await citizen.goto(guichet.url('saint-herblain', '/'));
    const header = citizen.locator('header.site-header');
    assert.equal(await header.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(0, 88, 156)');

    assert.deepEqual(await accessibilityViolations(admin), []);
    await admin.getByRole('button', { name: 'Enregistrer' }).click();
    await admin.getByText(/Apparence enregistrée \(version \d+\)/).waitFor();
    // The admin's own header follows at once.
    await admin.locator('header.site-header').getByText('Saint-Herblain, ville en Loire').waitFor();

    // The portal's next page load wears it: colour, name, logo; the logo never ran its script.
    await citizen.reload();
    assert.equal(await header.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(107, 29, 92)');
    await header.getByText('Saint-Herblain, ville en Loire').waitFor();
    assert.equal(await header.locator('img.site-logo').getAttribute('src'), logoSrc);
    const [logoStatus, logoText] = await citizen.evaluate(async (src) => {
      const response = await fetch(src);
      return [response.status, await response.text()];
    }, logoSrc);
    assert.equal(logoStatus, 200);
    assert.doesNotMatch(logoText, /script|onload/);
    await citizen.goto(guichet.url('saint-herblain', logoSrc));
    assert.equal(dialogs, 0, 'no script ran');

    // The previous look is one click away.
    await admin.getByRole('button', { name: /Restaurer Version/ }).first().click();
    await admin.getByText(/Version \d+ restaurée/).waitFor();
    // Versions are dated as the rest of the app dates things: French, on Paris's clock.
    const history = await admin.locator('.branding-history').innerText();
    assert.doesNotMatch(history, /UTC|\d{4}-\d{2}-\d{2}/);
    assert.match(history, /enregistrée le \d{2}\/\d{2}\/\d{4} à \d{2}h\d{2}/);
    await citizen.goto(guichet.url('saint-herblain', '/'));
    assert.equal(await header.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(0, 88, 156)');
  });
});
