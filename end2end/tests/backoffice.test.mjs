// Agents processing a citizen's dossier in Chromium, on the demo tenant (Saint-Herblain's
// org chart and the voirie démarche routed by postcode, tenants/saint-herblain.toml), while
// the citizen's own page follows every citizen-facing status live.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, hydrated, launchChromium, login, newPage, startGuichet } from './harness.mjs';

describe('Back office in Chromium', () => {
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

  test('a dossier routed by postcode is taken in charge, commented, completed by the citizen and accepted, live on both sides', async () => {
    // The citizen reports a problem in 44800: the Pôle Nord's dossier.
    const citizen = await newPage(browser, problems);
    await login(citizen, guichet, 'marie.dupont@example.test', 'Citoyenne-2026');
    await citizen.goto(guichet.url('saint-herblain', '/demarches'));
    await citizen.getByRole('link', { name: 'Signaler un problème sur la voie publique' }).click();
    await citizen.getByRole('button', { name: /Commencer/ }).click();
    await citizen.waitForURL(/\/brouillons\/[^/]+\?etape=1$/);
    await hydrated(citizen);
    await citizen.getByLabel('Nature du problème *').selectOption('chaussee');
    await citizen.getByLabel('Voie').fill('rue du Tillay');
    await citizen.getByLabel('Code postal').fill('44800');
    await citizen.getByLabel('Commune').fill('Saint-Herblain');
    await citizen.getByRole('button', { name: 'Vérifier et envoyer' }).click();
    await citizen.waitForURL(/\/recapitulatif$/);
    await citizen.getByRole('button', { name: 'Envoyer mon dossier' }).click();
    await citizen.waitForURL(/\/mes-demandes\/\d{4}-\d{6}$/);
    const reference = citizen.url().split('/').pop();
    await hydrated(citizen);
    const status = citizen.locator('.dossier-status [data-status]');
    assert.equal(await status.textContent(), 'Reçu');

    // The technical services' manager finds it in Pôle Nord and takes it in charge.
    const agent = await newPage(browser, problems);
    await login(agent, guichet, 'responsable@saint-herblain.test', 'Herblain-Resp-2026');
    await agent.goto(guichet.url('saint-herblain', `/back-office/dossiers?statut=recu`));
    await hydrated(agent);
    const row = agent.getByRole('row').filter({ hasText: reference });
    await row.getByText('Pôle Nord').waitFor();
    assert.deepEqual(await accessibilityViolations(agent), []);
    // The selection exported as CSV, with its progress shown.
    const [download] = await Promise.all([
      agent.waitForEvent('download'),
      agent.getByRole('link', { name: 'Exporter la sélection (CSV)' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'dossiers.csv');
    await agent.getByTestId('export-progress').getByText(/Export terminé/).waitFor();
    const csv = readFileSync(await download.path(), 'utf8');
    assert.match(csv, new RegExp(`${reference};Signaler un problème sur la voie publique;Marie Dupont;Nouveau;Pôle Nord`));
    await row.getByRole('link', { name: reference }).click();
    await agent.waitForURL(new RegExp(`/back-office/dossiers/${reference}$`));
    await hydrated(agent);
    assert.match(await agent.getByTestId('agent-service').textContent(), /Pôle Nord/);
    await agent.getByRole('button', { name: 'Prendre en charge' }).click();
    await agent.getByTestId('agent-assignee').getByText('Sophie Bernard').waitFor();

    // An internal note, then the instruction starts: the citizen sees it without reloading.
    await citizen.evaluate(() => { window.notReloaded = true; });
    await agent.getByLabel('Nouvelle note').fill('Équipe nord prévenue.');
    await agent.getByRole('button', { name: 'Ajouter la note' }).click();
    await agent.getByTestId('agent-notes').getByText('Équipe nord prévenue.').waitFor();
    await agent.getByLabel(/Prendre en instruction/).check();
    await agent.getByRole('button', { name: 'Valider' }).click();
    await agent.getByTestId('agent-status').getByText('En instruction').waitFor();
    await citizen.locator('.dossier-status [data-status="en_instruction"]').waitFor();
    assert.equal(await citizen.evaluate(() => window.notReloaded), true);

    // A complement is requested with what is missing.
    await agent.getByLabel(/Demander un complément/).check();
    await agent.getByLabel(/Commentaire/).fill('Précisez le numéro de la rue.');
    await agent.getByRole('button', { name: 'Valider' }).click();
    await agent.getByTestId('agent-status').getByText('Attente du demandeur').waitFor();
    await citizen.locator('.dossier-status [data-status="en_attente"]').waitFor();
    assert.equal(await status.textContent(), "En attente d'informations");

    // The citizen completes the dossier with the ordinary form, and sends it back.
    await citizen.reload();
    await citizen.getByText('Précisez le numéro de la rue.').waitFor();
    await citizen.getByRole('button', { name: 'Compléter mon dossier' }).click();
    await citizen.waitForURL(/\/brouillons\/[^/]+\?etape=1$/);
    await hydrated(citizen);
    assert.equal(await citizen.getByLabel('Voie').inputValue(), 'rue du Tillay');
    await citizen.getByLabel('Numéro').fill('12');
    await citizen.getByRole('button', { name: 'Vérifier et envoyer' }).click();
    await citizen.waitForURL(/\/recapitulatif$/);
    await citizen.getByText('12 rue du Tillay, 44800 Saint-Herblain').waitFor();
    await citizen.getByRole('button', { name: 'Envoyer mon dossier' }).click();
    await citizen.waitForURL(new RegExp(`/mes-demandes/${reference}$`));
    await hydrated(citizen);
    assert.equal(await citizen.locator('.dossier-status [data-status]').textContent(), "En cours d'instruction");

    // Back on the agent's side: the completed answer, then the decision.
    await agent.reload();
    await hydrated(agent);
    await agent.getByText('12 rue du Tillay, 44800 Saint-Herblain').waitFor();
    await citizen.evaluate(() => { window.notReloaded = true; });
    await agent.getByLabel(/^Accepter/).check();
    await agent.getByRole('button', { name: 'Valider' }).click();
    await agent.getByTestId('agent-status').getByText('Accepté').waitFor();
    await citizen.locator('.dossier-status [data-status="accepte"]').waitFor();
    assert.equal(await citizen.evaluate(() => window.notReloaded), true);
    const history = await agent.getByTestId('agent-history').textContent();
    assert.match(history, /Dossier pris en charge/);
    assert.match(history, /Complément envoyé/);

    // The acknowledgement, "en cours d'instruction", the complement request, the decision.
    assert.match((await guichet.mail('marie.dupont@example.test', 3)).body, /Précisez le numéro de la rue\./);
    assert.match((await guichet.mail('marie.dupont@example.test', 4)).body, /Accepté/);
    await agent.context().close();
    await citizen.context().close();
  });
});
