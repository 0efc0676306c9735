// The shared store in Chromium: Rezé's admin finds a démarche Saint-Herblain shared, previews
// it, imports it routed to a Rezé service, publishes it, and a Rezé citizen files it; the
// dossier lands in Rezé's back office, never in Saint-Herblain's.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, hydrated, launchChromium, newPage, startGuichet } from './harness.mjs';

async function loginAt(page, guichet, slug, email, password) {
  await page.goto(guichet.url(slug, '/connexion'));
  await hydrated(page);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/(mon-compte|back-office)$/);
}

describe('Store in Chromium', () => {
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

  test("another commune's admin imports a shared démarche, publishes it, and a citizen files it", async () => {
    const admin = await newPage(browser, problems);
    await loginAt(admin, guichet, 'reze', 'admin@reze.test', 'Reze-Gestion-2026');
    await admin.goto(guichet.url('reze', '/back-office/catalogue'));
    await hydrated(admin);
    // French stemming: plural, no accents.
    await admin.getByRole('searchbox', { name: 'Rechercher' }).fill('problemes voies publiques');
    await admin.getByRole('button', { name: 'Rechercher' }).click();
    const link = admin.getByRole('link', { name: 'Signaler un problème sur la voie publique' });
    await link.waitFor();
    assert.deepEqual(await accessibilityViolations(admin), [], 'catalogue page');
    await link.click();
    await admin.waitForURL(/\/back-office\/catalogue\/[0-9a-f-]+$/);
    await hydrated(admin);
    // The citizen's form, previewed, and nothing of Saint-Herblain's organisation.
    await admin.getByText('Aperçu du formulaire, tel que l\'usager le verra').waitFor();
    await admin.getByLabel('Nature du problème *').first().waitFor();
    assert.doesNotMatch(await admin.locator('main').innerText(), /Pôle Nord|Pôle Sud|Voirie \(service\)/);

    await admin.getByLabel('Service qui recevra les dossiers').selectOption({ label: 'Espace public' });
    await admin.getByRole('button', { name: 'Importer comme brouillon' }).click();
    // The import lands in the new draft's designer, which says where it comes from.
    await admin.waitForURL(/\/back-office\/demarches\/[0-9a-f-]+\?importe=1$/);
    await admin.getByRole('status').filter({ hasText: 'Démarche importée du catalogue comme brouillon' }).waitFor();
    await hydrated(admin);
    await admin.getByRole('button', { name: 'Publier', exact: true }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Confirmer la publication' }).click();
    await admin.getByText('Version 1 publiée.').first().waitFor();

    // A Rezé citizen files it.
    const citizen = await newPage(browser, problems);
    await loginAt(citizen, guichet, 'reze', 'marie.dupont@example.test', 'Rezeenne-2026');
    await citizen.goto(guichet.url('reze', '/demarches'));
    await citizen.getByRole('link', { name: 'Signaler un problème sur la voie publique' }).click();
    await citizen.getByRole('button', { name: /Commencer/ }).click();
    await citizen.waitForURL(/\/brouillons\/[^/]+\?etape=1$/);
    await hydrated(citizen);
    await citizen.getByLabel('Nature du problème *').selectOption('chaussee');
    await citizen.getByLabel('Voie').fill('rue Jean Jaurès');
    await citizen.getByLabel('Code postal').fill('44400');
    await citizen.getByLabel('Commune').fill('Rezé');
    await citizen.getByRole('button', { name: 'Vérifier et envoyer' }).click();
    await citizen.waitForURL(/\/recapitulatif$/);
    await citizen.getByRole('button', { name: 'Envoyer mon dossier' }).click();
    await citizen.waitForURL(/\/mes-demandes\/\d{4}-\d{6}$/);
    const reference = citizen.url().split('/').pop();

    // It is Rezé's, in the service the admin chose.
    await admin.goto(guichet.url('reze', '/back-office/dossiers'));
    await hydrated(admin);
    const row = admin.getByRole('row').filter({ hasText: reference });
    await row.getByText('Espace public').waitFor();
  });
});
