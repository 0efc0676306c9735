// Citizens filing démarches in Chromium, on the demo tenant's published démarches
// (tenants/demarches/): on a phone with WASM, and in a browser without JavaScript at all; and a
// citizen whose identity FranceConnect certified, on fields it locks.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, hydrated, launchChromium, login, newPage, startGuichet } from './harness.mjs';

const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
/**
 * axe-core on what a browser without JavaScript shows: the page's HTML, scripts removed, served
 * at the same address to a context that can run axe (a page without JavaScript cannot).
 */
async function accessibilityViolationsWithoutJs(browser, page) {
  const html = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '');
  const context = await browser.newContext(PHONE);
  const copy = await context.newPage();
  await copy.route(page.url(), (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: html }));
  await copy.goto(page.url());
  const violations = await accessibilityViolations(copy);
  await context.close();
  return violations;
}

/** What a refused field shows: its message beside it, linked, and the summary's entry. */
async function refusal(page, controlId) {
  const control = page.locator(`#${controlId}`);
  const message = page.locator(`#${controlId}-erreur`);
  return {
    invalid: await control.getAttribute('aria-invalid'),
    describedBy: (await control.getAttribute('aria-describedby'))?.split(' ').includes(`${controlId}-erreur`),
    beside: (await message.isVisible()) ? (await message.textContent()).trim() : null,
  };
}

/** A démarche asking for the identity FranceConnect certifies (see the last test). */
const CERTIFIED_DOCUMENT = {
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

/** What FranceConnect certified about Karim, as the OpenID Connect sign-in stores it. */
const KARIM = {
  given_name: 'Karim', family_name: 'Benali', preferred_username: null, birthdate: '1990-03-14',
  birthplace: '44109', birthcountry: '99100', gender: 'male', email: 'karim.benali@example.test',
  provider: 'FranceConnect', acr: 'eidas1', certified_at: '2026-12-07T09:30:00Z',
};

const PDF = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n', 'latin1');

describe('Démarches in Chromium', () => {
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

  test('a citizen on a phone fills a démarche, uploads a file, resumes the draft, submits and sees the status change live', async () => {
    const page = await newPage(browser, problems, PHONE);
    await login(page, guichet, 'marie.dupont@example.test', 'Citoyenne-2026');

    await page.goto(guichet.url('saint-herblain', '/demarches'));
    await page.getByLabel('Rechercher une démarche').fill('vegetaliser');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.waitForURL(/q=vegetaliser/);
    assert.equal(await page.getByRole('link', { name: 'Signaler un problème sur la voie publique' }).count(), 0);
    await page.getByRole('link', { name: 'Permis de végétaliser' }).click();
    await page.getByRole('button', { name: 'Commencer la démarche' }).click();
    await page.waitForURL(/\/brouillons\/[^/]+\?etape=1$/);
    await hydrated(page);

    // Prefilled from the profile, still editable.
    assert.equal(await page.getByLabel('Nom et prénom *').inputValue(), 'Marie Dupont');
    assert.equal(await page.getByLabel('Adresse e-mail *').inputValue(), 'marie.dupont@example.test');
    assert.deepEqual(await accessibilityViolations(page), []);

    // The association's name appears only for an association.
    const association = page.getByLabel("Nom de l'association *");
    assert.equal(await association.isVisible(), false);
    await page.getByLabel('Oui').check();
    await association.waitFor({ state: 'visible' });
    // Checked in the page with the server's own rules, before anything is sent: the message
    // beside the field and the summary's entry name it as the server would.
    const before = page.url();
    await page.getByRole('button', { name: 'Continuer' }).click();
    const entry = page.getByRole('alert').getByRole('link', { name: "Nom de l'association : ce champ est obligatoire." });
    await entry.waitFor();
    assert.equal(await entry.getAttribute('href'), '#champ-nom_association');
    assert.deepEqual(await refusal(page, 'champ-nom_association'), { invalid: 'true', describedBy: true, beside: 'Ce champ est obligatoire.' });
    assert.equal(page.url(), before);
    assert.deepEqual(await accessibilityViolations(page), [], 'a step with problems shown in the page');
    await association.fill('Les Jardins du Tillay');
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.waitForURL(/etape=2$/);
    await hydrated(page);

    await page.getByLabel('Numéro').fill('12');
    await page.getByLabel('Voie').fill('rue du Tillay');
    await page.getByLabel('Code postal').fill('44800');
    await page.getByLabel('Commune').fill('Saint-Herblain');
    await page.getByLabel('Jardinière').check();
    await page.getByLabel('Photo du lieu *').setInputFiles({ name: 'plan.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.getByText('Fichier ajouté.').waitFor();
    await page.getByText(/plan\.pdf/).first().waitFor();
    await page.getByText('Brouillon enregistré.').waitFor();

    // Leave, and find the draft again in "Mes démarches", where it was left.
    await page.goto(guichet.url('saint-herblain', '/mes-demarches'));
    await page.getByRole('link', { name: 'Permis de végétaliser' }).click();
    await page.waitForURL(/etape=2$/);
    await hydrated(page);
    assert.equal(await page.getByLabel('Voie').inputValue(), 'rue du Tillay');
    await page.getByText(/plan\.pdf/).first().waitFor();
    await page.getByRole('button', { name: 'Vérifier et envoyer' }).click();
    await page.waitForURL(/\/recapitulatif$/);
    await page.getByText('Les Jardins du Tillay').waitFor();
    await page.getByText('12 rue du Tillay, 44800 Saint-Herblain').waitFor();
    await page.getByRole('button', { name: 'Envoyer mon dossier' }).click();
    await page.waitForURL(/\/mes-demandes\/\d{4}-\d{6}$/);
    const reference = page.url().split('/').pop();
    await hydrated(page);
    const status = page.locator('.dossier-status [data-status]');
    assert.equal(await status.textContent(), 'Reçu');
    assert.deepEqual(await accessibilityViolations(page), []);

    const mail = await guichet.mail('marie.dupont@example.test');
    assert.match(mail.subject, new RegExp(reference));
    assert.match(mail.body, /Permis de végétaliser/);

    // An agent moves the dossier on; the citizen's page follows without reloading.
    await page.evaluate(() => { window.notReloaded = true; });
    const agent = await newPage(browser, problems);
    await login(agent, guichet, 'etat-civil@saint-herblain.test', 'Herblain-Agent-2026');
    const changed = await agent.evaluate(async (reference) => {
      const response = await fetch('/api/backoffice/act', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ reference, action: 'transition', transition: 't1', request_id: crypto.randomUUID() }),
      });
      return response.status;
    }, reference);
    assert.equal(changed, 200);
    await page.locator('.dossier-status [data-status="en_instruction"]').waitFor();
    assert.equal(await status.textContent(), "En cours d'instruction");
    assert.equal(await page.evaluate(() => window.notReloaded), true);
    await agent.context().close();

    await page.goto(guichet.url('saint-herblain', '/mes-demandes'));
    await page.getByRole('link', { name: reference }).waitFor();
    await page.context().close();
  });

  test('without JavaScript, an anonymous visitor reports a problem with plain forms and gets a tracking link', async () => {
    const page = await newPage(browser, problems, { ...PHONE, javaScriptEnabled: false });
    await page.goto(guichet.url('saint-herblain', '/demarches'));
    await page.getByRole('link', { name: 'Signaler un problème sur la voie publique' }).click();
    await page.getByRole('button', { name: 'Commencer la démarche' }).click();
    await page.waitForURL(/\/brouillons\/[^/]+\?etape=1$/);
    await page.getByText('conservez l’adresse de cette page'.replace('’', "'")).waitFor();

    // Without WASM the conditional field stays on the page; the server decides what counts.
    await page.getByLabel('Nature du problème *').selectOption('autre');
    await page.getByLabel('Voie').fill('avenue des Thébaudières');
    await page.getByLabel('Code postal').fill('448');
    await page.getByLabel('Commune').fill('Saint-Herblain');
    await page.getByRole('button', { name: 'Vérifier et envoyer' }).click();
    await page.waitForURL(/etape=1$/);
    // Each problem names its field in the summary, links to it, and shows beside it.
    const alert = page.getByRole('alert');
    const postcode = alert.getByRole('link', { name: 'Où ? — Code postal : le code postal doit comporter 5 chiffres.' });
    const precision = alert.getByRole('link', { name: 'Précisez : ce champ est obligatoire.' });
    assert.equal(await postcode.getAttribute('href'), '#champ-lieu-postcode');
    assert.equal(await precision.getAttribute('href'), '#champ-precision');
    assert.deepEqual(await refusal(page, 'champ-lieu-postcode'), { invalid: 'true', describedBy: true, beside: 'Le code postal doit comporter 5 chiffres.' });
    assert.deepEqual(await refusal(page, 'champ-precision'), { invalid: 'true', describedBy: true, beside: 'Ce champ est obligatoire.' });
    assert.deepEqual(await accessibilityViolationsWithoutJs(browser, page), [], 'a step with problems, without JavaScript');
    // Nothing typed was lost.
    assert.equal(await page.getByLabel('Voie').inputValue(), 'avenue des Thébaudières');

    await page.getByLabel('Précisez *').fill('Panneau tombé');
    await page.getByLabel('Code postal').fill('44800');
    await page.getByLabel('Votre adresse e-mail').fill('passant@example.test');
    await page.getByRole('button', { name: 'Vérifier et envoyer' }).click();
    await page.waitForURL(/\/recapitulatif$/);
    await page.getByText('Panneau tombé').waitFor();
    await page.getByRole('button', { name: 'Envoyer mon dossier' }).click();
    await page.waitForURL(/\/suivi\/[^/]+$/);
    await page.getByText('Reçu', { exact: true }).waitFor();
    const mail = await guichet.mail('passant@example.test');
    assert.ok(mail.body.includes(new URL(page.url()).pathname), 'the acknowledgement carries the tracking link');
    await page.context().close();
  });

  test('a citizen whose identity is certified finds those fields read-only with their mention, axe-clean, and submits them', async () => {
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
    }, CERTIFIED_DOCUMENT);
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
    await page.getByRole('button', { name: 'Envoyer mon dossier' }).click();
    await page.waitForURL(/\/mes-demandes\/[^/]+$/);
    await page.context().close();
  });
});
