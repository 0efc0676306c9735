// Agents processing a citizen's dossier in Chromium, on the demo tenant (Saint-Herblain's
// org chart and the voirie démarche routed by postcode, tenants/saint-herblain.toml), while
// the citizen's own page follows every citizen-facing status live.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, hydrated, launchChromium, linkIn, login, newPage, startGuichet } from './harness.mjs';

const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
// The smallest PNG header: sniffed as image/png by the server, as the photo field demands.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000', 'hex');

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

  test('a refused piece is mailed to the citizen, who replaces it from a phone; the agent finds it « À vérifier »', async () => {
    // Karim asks for a permit (Accueil's dossier, silence vaut acceptation) with a photo.
    const citizen = await newPage(browser, problems, PHONE);
    await login(citizen, guichet, 'karim.benali@example.test', 'Citoyen-2026!');
    await citizen.goto(guichet.url('saint-herblain', '/demarches'));
    await citizen.getByRole('link', { name: 'Permis de végétaliser' }).click();
    await citizen.getByRole('button', { name: /Commencer/ }).click();
    await citizen.waitForURL(/\/brouillons\/[^/]+\?etape=1$/);
    await hydrated(citizen);
    await citizen.getByLabel('Non').check();
    await citizen.getByRole('button', { name: 'Continuer' }).click();
    await citizen.waitForURL(/etape=2$/);
    await hydrated(citizen);
    await citizen.getByLabel('Voie').fill('rue de la Paix');
    await citizen.getByLabel('Code postal').fill('44800');
    await citizen.getByLabel('Commune').fill('Saint-Herblain');
    await citizen.getByLabel('Jardinière').check();
    await citizen.getByLabel('Photo du lieu *').setInputFiles({ name: 'trottoir.png', mimeType: 'image/png', buffer: PNG });
    await citizen.getByText('Fichier ajouté.').waitFor();
    await citizen.getByRole('button', { name: 'Vérifier et envoyer' }).click();
    await citizen.waitForURL(/\/recapitulatif$/);
    await citizen.getByRole('button', { name: 'Envoyer mon dossier' }).click();
    await citizen.waitForURL(/\/mes-demandes\/\d{4}-\d{6}$/);
    const reference = citizen.url().split('/').pop();

    // The agent takes it in charge: the piece's selector shows its real state, in French.
    const agent = await newPage(browser, problems);
    await login(agent, guichet, 'admin@saint-herblain.test', 'Herblain-Gestion-2026');
    await agent.goto(guichet.url('saint-herblain', `/back-office/dossiers/${reference}`));
    await hydrated(agent);
    assert.match(await agent.getByTestId('agent-submitted').textContent(), /\(en ligne\)$/);
    await agent.getByRole('button', { name: 'Prendre en charge' }).click();
    await agent.getByTestId('agent-assignee').getByText('Claire Moreau').waitFor();
    const piece = agent.getByTestId('agent-piece').filter({ hasText: 'trottoir.png' });
    assert.equal(await piece.getByLabel('État').inputValue(), 'pending');
    assert.equal(await piece.getByLabel('État').locator('option:checked').textContent(), 'À vérifier');

    // Refused, with the reason the citizen reads.
    await piece.getByLabel('État').selectOption('refused');
    await piece.getByLabel('Motif').fill('La photo est floue : reprenez-la de jour.');
    await piece.getByRole('button', { name: 'Enregistrer' }).click();
    await piece.locator('.review-refused').getByText('Refusée').waitFor();
    assert.equal(await piece.getByLabel('État').inputValue(), 'refused');

    // The mail says what and why, and leads to the dossier page, where the citizen replaces it.
    const mail = await guichet.mailWhere('karim.benali@example.test', (m) => m.subject.includes('a été refusée'));
    assert.match(mail.subject, new RegExp(reference));
    assert.match(mail.body, /« trottoir\.png » \(Photo du lieu\)/);
    assert.match(mail.body, /La photo est floue : reprenez-la de jour\./);
    await citizen.goto(linkIn(mail, `/mes-demandes/${reference}`));
    await citizen.getByText('La photo est floue : reprenez-la de jour.').waitFor();
    assert.deepEqual(await accessibilityViolations(citizen), []);
    await citizen.getByLabel('Nouveau fichier pour remplacer « trottoir.png »').setInputFiles({ name: 'trottoir-jour.png', mimeType: 'image/png', buffer: PNG });
    await citizen.getByRole('button', { name: 'Envoyer le nouveau fichier' }).click();
    await citizen.getByText('Votre nouveau fichier a bien été envoyé').waitFor();
    assert.equal(await citizen.getByText('La photo est floue').count(), 0);

    // The agent is told, and finds the new file « À vérifier », the old one named beside it.
    const told = await guichet.mailWhere('admin@saint-herblain.test', (m) => m.subject.includes(`Pièce remplacée sur le dossier ${reference}`));
    assert.match(told.body, /trottoir-jour\.png/);
    await agent.reload();
    await hydrated(agent);
    const replaced = agent.getByTestId('agent-piece').filter({ hasText: 'trottoir-jour.png' });
    await replaced.locator('.review-pending').getByText('À vérifier').waitFor();
    assert.equal(await replaced.getByLabel('État').inputValue(), 'pending');
    await replaced.getByText('(remplace « trottoir.png », refusée)').waitFor();
    assert.match(await agent.getByTestId('agent-history').textContent(), /Pièce refusée remplacée par l'usager/);
    await agent.context().close();
    await citizen.context().close();
  });

  test('every back-office page fits a 360 px phone without horizontal scrolling, and stays axe-clean', async () => {
    const check = async (page, path) => {
      await page.goto(guichet.url('saint-herblain', path));
      await hydrated(page);
      await page.locator('main h1').first().waitFor();
      // Pages that load their data in the browser show it before being measured.
      await page.waitForFunction(() => !/Chargement/.test(document.querySelector('main')?.textContent ?? ''));
      const overflow = await page.evaluate(widerThanScreen);
      assert.equal(overflow, null, `${path} is wider than 360 px: ${JSON.stringify(overflow)}`);
      assert.deepEqual(await accessibilityViolations(page), [], `${path} at 360 px`);
    };
    // The dossiers of the journeys above: a manager's voirie dossiers, the admin's permit (its
    // facts with a long e-mail address and the "silence vaut acceptation" line).
    const manager = await newPage(browser, problems, PHONE);
    await login(manager, guichet, 'responsable@saint-herblain.test', 'Herblain-Resp-2026');
    await check(manager, '/back-office');
    await check(manager, '/back-office/dossiers');
    const voirie = await manager.locator('.dossiers-table tbody a').first().getAttribute('href');
    for (const path of [voirie, '/back-office/parapheur', '/back-office/circuits', '/back-office/courriers',
      '/back-office/publipostages', '/back-office/demarches', '/back-office/catalogue', '/back-office/absences']) {
      await check(manager, path);
    }
    // The wide tools too: the designer, the instruction page, the letter editor, a store entry.
    await manager.goto(guichet.url('saint-herblain', '/back-office/demarches'));
    const designer = await manager.locator('main a[href^="/back-office/demarches/"]:not([href$="/instruction"])').first().getAttribute('href');
    await manager.goto(guichet.url('saint-herblain', '/back-office/catalogue'));
    const entry = await manager.locator('main a[href^="/back-office/catalogue/"]').first().getAttribute('href');
    for (const path of [designer, `${designer}/instruction`, '/back-office/courriers/nouveau', entry]) {
      await check(manager, path);
    }
    await manager.context().close();

    const admin = await newPage(browser, problems, PHONE);
    await login(admin, guichet, 'admin@saint-herblain.test', 'Herblain-Gestion-2026');
    await check(admin, '/back-office/dossiers');
    const permit = await admin.locator('.dossiers-table tbody a').first().getAttribute('href');
    await check(admin, permit);
    await admin.getByText(/Silence vaut acceptation le/).waitFor();
    for (const path of ['/admin/agents', '/administration/organigramme', '/administration/apparence',
      '/administration/contextes', '/administration/courriels']) {
      await check(admin, path);
    }
    await admin.context().close();
  });
});

/**
 * Runs in the page: null when the page is no wider than the screen, else the document's width
 * and the elements that stick out: the outermost ones, and absolutely placed ones (which escape
 * a scrolling region that is not positioned).
 */
function widerThanScreen() {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5;
  const offenders = [...document.body.querySelectorAll('*')]
    .filter((el) => sticksOut(el)
      && (!sticksOut(el.parentElement) || ['absolute', 'fixed'].includes(getComputedStyle(el).position)))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (right ${Math.round(el.getBoundingClientRect().right)} px): ${(el.textContent ?? '').trim().slice(0, 60)}`);
  return { scrollWidth: document.documentElement.scrollWidth, offenders };
}
