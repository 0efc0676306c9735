// A citizen whose identity FranceConnect certified fills a démarche asking for it: the fields
// are prefilled and read-only with the provider's name, the page passes axe-core and the
// enhancement bundle runs without errors (its checks and autosave leave them as they are).
// The identity is set in the database, as the OpenID Connect sign-in sets it.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, hydrated, launchChromium, login, newPage, startGuichet } from './harness.mjs';

const DOCUMENT = {
  format: 'guichet.demarche',
  format_version: 1,
  demarche: { title: "Copie d'acte de naissance", description: 'Pour vous.', rubrique: 'État civil', audience: 'identified_only', state: 'draft' },
  definition: { steps: [
    { code: 'identite', title: 'Votre identité', fields: [
      { code: 'civilite', label: 'Civilité', required: true, prefill: 'gender',
        kind: { single_choice: { options: [{ value: 'madame', label: 'Madame' }, { value: 'monsieur', label: 'Monsieur' }] } } },
      { code: 'prenoms', label: 'Prénom(s)', required: true, prefill: 'given_name', kind: { short_text: {} } },
      { code: 'nom_naissance', label: 'Nom de naissance', required: true, prefill: 'birth_name', kind: { short_text: {} } },
      { code: 'naissance', label: 'Date de naissance', required: true, prefill: 'birth_date', kind: { date: {} } },
      { code: 'motif', label: 'Motif', required: true, kind: { long_text: {} } },
    ] },
  ] },
};

const KARIM = {
  given_name: 'Karim', family_name: 'Benali', preferred_username: null, birthdate: '1990-03-14',
  birthplace: '44109', birthcountry: '99100', gender: 'male', email: 'karim.benali@example.test',
  provider: 'FranceConnect', acr: 'eidas1', certified_at: '2026-12-07T09:30:00Z',
};

describe('A certified identity in Chromium', () => {
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

  test('the step page shows certified fields read-only with their mention, passes axe-core and submits them', async () => {
    // A manager publishes the démarche (through the designer's own server functions).
    const admin = await newPage(browser, problems);
    await login(admin, guichet, 'admin@saint-herblain.test', 'Herblain-Gestion-2026');
    const id = await admin.evaluate(async (document) => {
      const post = async (endpoint, fields) => {
        const response = await fetch(`/api/${endpoint}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields),
        });
        if (!response.ok) throw new Error(`${endpoint}: ${response.status} ${await response.text()}`);
        return response.json();
      };
      const id = await post('demarches/create', { title: 'Acte' });
      await post('demarches/save', { id, document: JSON.stringify(document) });
      await post('demarches/publish', { id });
      return id;
    }, DOCUMENT);
    await admin.context().close();
    guichet.sql(`UPDATE tenant_saint_herblain.users SET certified_identity = '${JSON.stringify(KARIM)}'::jsonb
                 WHERE email = 'karim.benali@example.test'`);

    const page = await newPage(browser, problems);
    await login(page, guichet, 'karim.benali@example.test', 'Citoyen-2026!');
    await page.goto(guichet.url('saint-herblain', `/demarches/${id}`));
    await page.getByRole('button', { name: 'Commencer la démarche' }).click();
    await page.waitForURL(/\/brouillons\/[^/]+\?etape=1$/);
    await hydrated(page);

    const given = page.getByLabel('Prénom(s) *');
    assert.equal(await given.inputValue(), 'Karim');
    assert.equal(await given.isEditable(), false);
    assert.equal(await page.getByLabel('Date de naissance *').inputValue(), '1990-03-14');
    assert.equal(await page.getByLabel('Monsieur').isChecked(), true);
    assert.equal(await page.getByLabel('Madame').isDisabled(), true);
    // Said in words, and announced with the field.
    assert.match(await given.getAttribute('aria-describedby'), /champ-prenoms-certifie/);
    assert.equal((await page.locator('#champ-prenoms-certifie').textContent()).trim(), '✓ Certifié par FranceConnect : non modifiable');
    assert.deepEqual(await accessibilityViolations(page), []);

    // Typing elsewhere autosaves; the step goes on with the certified values.
    await page.getByLabel('Motif *').fill('Mariage');
    await page.getByRole('button', { name: 'Vérifier et envoyer' }).click();
    await page.waitForURL(/\/recapitulatif$/);
    await page.getByText('Benali', { exact: true }).waitFor();
    await page.context().close();
  });
});
