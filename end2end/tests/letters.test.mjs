// Letters in Chromium, on the demo tenant: a manager writes a template (a wrong field and a
// missing parenthesis are flagged live, in French, with their line and column; a letterhead of
// its own must be written), saves it and previews it as a PDF on a citizen's dossier, shown in
// the editor's own frame; writes the answer from it and sends it to the admin to sign (a send
// that cannot happen says why, where the agent looks; a send takes the text as typed); once
// signed, the citizen downloads it from the portal and receives it by e-mail, PDF attached,
// and also downloads the acknowledgement of their dossier.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, hydrated, launchChromium, login, newPage, startGuichet } from './harness.mjs';

/** The text of a PDF, whitespace collapsed (pdftotext, installed by scripts/test). */
function pdfText(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-pdf-'));
  const file = join(dir, 'lettre.pdf');
  writeFileSync(file, bytes);
  return execFileSync('pdftotext', [file, '-']).toString().split(/\s+/).join(' ');
}

async function until(what, check, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Files the demo voirie démarche as the signed-in citizen; returns its reference. */
async function fileVoirieDossier(citizen, guichet) {
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
  return citizen.url().split('/').pop();
}

describe('Letters in Chromium', () => {
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

  test('a manager writes a template, sees a wrong field live, saves it and previews it on a dossier; the citizen downloads the acknowledgement', async () => {
    const citizen = await newPage(browser, problems);
    await login(citizen, guichet, 'marie.dupont@example.test', 'Citoyenne-2026');
    const reference = await fileVoirieDossier(citizen, guichet);

    const manager = await newPage(browser, problems);
    await login(manager, guichet, 'responsable@saint-herblain.test', 'Herblain-Resp-2026');
    await manager.goto(guichet.url('saint-herblain', '/back-office/courriers'));
    await hydrated(manager);
    // The commune's default templates are there.
    await manager.getByRole('link', { name: 'Réponse favorable' }).waitFor();
    await manager.getByRole('link', { name: 'Nouveau modèle' }).click();
    await manager.waitForURL(/\/back-office\/courriers\/nouveau$/);
    await hydrated(manager);
    await manager.getByLabel('Nom du modèle').fill('Intervention programmée');
    await manager.getByLabel('Type de document').selectOption('reponse_favorable');
    const source = manager.getByLabel('Texte du modèle (typst)');
    await source.fill('Bonjour #citoyen.nom,\n\nVotre signalement #dossier.reference :\n#citoyen.prenom');
    const live = manager.getByTestId('live-problems');
    await live.getByText('Ligne 4, colonne 2 : Champ inconnu « citoyen.prenom »', { exact: false }).waitFor();
    // Saving it anyway is refused with the same place.
    await manager.getByRole('button', { name: 'Enregistrer le modèle' }).click();
    await manager.getByTestId('save-problems').getByText('Ligne 4, colonne 2', { exact: false }).waitFor();
    // A missing parenthesis: one problem, in French, where it was opened.
    await source.fill('Bonjour #citoyen.nom,\n\n#align(right, [Le #date.aujourdhui]\n\nVotre signalement *#dossier.reference*.\n\n#signature()');
    await live.getByText('Ligne 3, colonne 7 : Cette parenthèse « ( » n\'est jamais fermée', { exact: false }).waitFor();
    assert.equal(await live.locator('li').count(), 1, await live.innerText());

    await source.fill('Bonjour #citoyen.nom,\n\nVotre signalement #dossier.reference du #dossier.depot sera traité.\n\n#texte-libre()\n\n#signature()');
    await live.locator('li').waitFor({ state: 'detached' });
    // A letterhead of its own has to be written in the template.
    await manager.getByLabel('En-tête des pages').selectOption('propre');
    await live.getByText('écrivez-le dans le modèle avec #en-tete[…]', { exact: false }).waitFor();
    await manager.getByLabel('En-tête des pages').selectOption('commune');
    await live.locator('li').waitFor({ state: 'detached' });
    await manager.getByRole('button', { name: 'Enregistrer le modèle' }).click();
    await manager.getByText('Modèle enregistré (version 1).').waitFor();
    await manager.waitForURL(/\/back-office\/courriers\/[0-9a-f-]{36}$/);
    assert.deepEqual(await accessibilityViolations(manager), [], 'template editor');

    // The preview: a PDF of this dossier, with the free text typed for it.
    await manager.getByLabel('Référence du dossier').fill(reference);
    await manager.getByLabel("Texte libre de l'aperçu (facultatif)").fill('Une équipe passera lundi.');
    const [preview] = await Promise.all([
      manager.waitForResponse((r) => r.url().endsWith('/back-office/courriers/apercu')),
      manager.getByRole('button', { name: "Afficher l'aperçu PDF" }).click(),
    ]);
    assert.equal(preview.status(), 200);
    assert.equal(preview.headers()['content-type'], 'application/pdf');
    // … shown in the editor's frame, not blocked by the page's framing rules (a blocked frame
    // ends on Chromium's error page).
    const frame = manager.frame({ name: 'apercu-courrier' });
    await until('the preview in its frame', () => frame.url().endsWith('/back-office/courriers/apercu'));
    assert.ok(!frame.url().startsWith('chrome-error:'), frame.url());
    // Chromium hands a framed PDF to its viewer: read the same post's bytes with fetch.
    const bytes = await manager.evaluate(async () => {
      const form = document.querySelector('form[target="apercu-courrier"]');
      const response = await fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)) });
      return Array.from(new Uint8Array(await response.arrayBuffer()));
    });
    const text = pdfText(Buffer.from(bytes));
    assert.match(text, new RegExp(`Votre signalement ${reference}`));
    assert.match(text, /Une équipe passera lundi\./);
    assert.match(text, /Marie Dupont/);

    // The answer: a draft from the template on the dossier, its free text, a circuit whose
    // one step is the admin's signature, sent by e-mail and on the portal.
    await manager.goto(guichet.url('saint-herblain', `/back-office/dossiers/${reference}`));
    await hydrated(manager);
    await manager.getByText('Rédiger un courrier').click();
    await manager.getByLabel('Modèle de courrier').selectOption({ label: 'Intervention programmée' });
    await manager.getByRole('button', { name: 'Créer le brouillon' }).click();
    // Act on the section once it is no longer busy with an action.
    const response = manager.locator('section.responses[aria-busy="false"]').getByTestId('response').first();
    await response.waitFor();
    // A send with no step cannot happen: the page says why, in French, where the agent
    // looks, and the text typed is kept.
    await response.getByLabel('Texte libre du courrier').fill('Premier jet.');
    await response.getByText('Envoyer dans le circuit de visa et signature').click();
    await response.getByRole('button', { name: 'Envoyer dans le circuit', exact: true }).click();
    // Until the page has read the section back, it is busy, its forms disabled (no second
    // action races the first).
    const ready = manager.locator('section.responses[aria-busy="false"]');
    const refusal = ready.getByTestId('responses-error').getByText('Le circuit doit compter au moins une étape.');
    await refusal.waitFor();
    assert.ok(await refusal.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    }), 'the refusal is in view');
    assert.match(await response.getByLabel('Texte libre du courrier').inputValue(), /Premier jet\./);
    // The text typed, then sent at once, without saving it apart: it goes with the letter
    // (the circuit's form is still open, as the agent left it).
    await response.getByLabel('Texte libre du courrier').fill('Une équipe interviendra lundi 30 novembre.');
    const circuit = response.locator('details').filter({ hasText: 'Envoyer dans le circuit de visa et signature' });
    if (!(await circuit.evaluate((d) => d.open))) await circuit.locator('summary').click();
    const step = response.getByRole('group', { name: 'Étape 1' });
    await step.getByLabel('Nature').selectOption({ label: 'Signature' });
    await step.getByLabel('Agent ou service').selectOption({ label: 'Claire Moreau' });
    await response.getByLabel('Courriel avec le PDF').check();
    await response.getByRole('button', { name: 'Envoyer dans le circuit', exact: true }).click();
    await response.getByText('Dans le circuit').first().waitFor();

    // The admin signs it from their parapheur.
    const admin = await newPage(browser, problems);
    await login(admin, guichet, 'admin@saint-herblain.test', 'Herblain-Gestion-2026');
    await admin.goto(guichet.url('saint-herblain', '/back-office/parapheur'));
    await hydrated(admin);
    assert.deepEqual(await accessibilityViolations(admin), [], 'parapheur');
    await admin.getByRole('button', { name: 'Signer', exact: true }).click();
    await admin.getByText("Aucun courrier n'attend votre visa ou votre signature.").waitFor();

    // The citizen: the signed letter on the portal, and in their mailbox.
    await citizen.goto(guichet.url('saint-herblain', `/mes-demandes/${reference}`));
    const letters = citizen.getByTestId('citizen-letters');
    const [signed] = await Promise.all([
      citizen.waitForEvent('download'),
      letters.getByRole('link').first().click(),
    ]);
    const letter = pdfText(readFileSync(await signed.path()));
    assert.match(letter, /Une équipe interviendra lundi 30 novembre\./);
    assert.match(letter, /Claire Moreau/);
    assert.match(letter, new RegExp(reference));
    const mail = await guichet.mailWhere('marie.dupont@example.test', (m) => (m.attachments ?? []).length > 0);
    assert.ok(mail.attachments.some((a) => a.content_type === 'application/pdf'), JSON.stringify(mail.attachments));

    // The citizen's dossier page offers the acknowledgement.
    await citizen.goto(guichet.url('saint-herblain', `/mes-demandes/${reference}`));
    const [download] = await Promise.all([
      citizen.waitForEvent('download'),
      citizen.getByRole('link', { name: 'Accusé de réception (PDF)' }).click(),
    ]);
    const ack = pdfText(readFileSync(await download.path()));
    assert.match(ack, new RegExp(reference));
    assert.match(ack, /Saint-Herblain/);
  });
});
