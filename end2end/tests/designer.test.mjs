// The démarche designer in Chromium: a manager builds a two-step démarche by drag-and-drop,
// with a condition and a file field, fixes the error shown on a field, and publishes it.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, hydrated, launchChromium, newPage, startGuichet } from './harness.mjs';

describe('démarche designer', () => {
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

  test('a manager builds a two-step démarche with a condition and a file field by drag-and-drop, fixes an error and publishes it', async () => {
    const page = await newPage(browser, problems, { viewport: { width: 1280, height: 900 } });
    await page.goto(guichet.url('saint-herblain', '/connexion'));
    await hydrated(page);
    await page.getByLabel('Adresse e-mail').fill('responsable@saint-herblain.test');
    await page.getByLabel('Mot de passe').fill('Herblain-Resp-2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL('**/back-office');

    await page.getByRole('link', { name: 'Concevoir les démarches' }).click();
    await page.waitForURL('**/back-office/demarches');
    await hydrated(page);
    await page.getByLabel('Titre de la démarche').fill('Carte de stationnement résident');
    await page.getByRole('button', { name: 'Créer la démarche' }).click();
    await page.waitForURL(/\/back-office\/demarches\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: /Concepteur de démarche : Carte de stationnement résident/ }).waitFor();

    // Two steps; an empty step is flagged on the step itself.
    await page.getByRole('button', { name: 'Ajouter une étape' }).click();
    await page.getByRole('button', { name: 'Ajouter une étape' }).click();
    const steps = page.locator('.designer-step');
    assert.equal(await steps.count(), 2);
    await steps.nth(1).locator('.designer-step-header .error-message', { hasText: 'Cette étape ne contient aucun champ.' }).waitFor();

    // Drag-and-drop from the palette onto each step.
    await page.locator('.palette-item[data-kind="yes_no"]').dragTo(steps.nth(0).getByTestId('dropzone'));
    await page.locator('.palette-item[data-kind="files"]').dragTo(steps.nth(1).getByTestId('dropzone'));
    const yesNo = page.locator('.designer-field[data-code="oui_non_1"]');
    const files = page.locator('.designer-field[data-code="fichiers_1"]');
    await yesNo.waitFor();
    await files.waitFor();
    assert.equal(await steps.nth(1).locator('.designer-step-header .error-message').count(), 0, 'the step is no longer empty');

    // Drop a short text onto the yes/no field (it goes before it), then move it down with the keyboard.
    await page.locator('.palette-item[data-kind="short_text"]').dragTo(yesNo);
    const codes = () => steps.nth(0).locator('.designer-field').evaluateAll((rows) => rows.map((r) => r.dataset.code));
    assert.deepEqual(await codes(), ['texte_1', 'oui_non_1']);
    await page.locator('.designer-field[data-code="texte_1"]').focus();
    await page.keyboard.press('Alt+ArrowDown');
    assert.deepEqual(await codes(), ['oui_non_1', 'texte_1']);
    await page.getByTestId('announce').getByText(/« Texte court » déplacé : position 2 sur 2/).waitFor();
    // Undo puts it back (Ctrl+Z), redo moves it again.
    await page.keyboard.press('Control+z');
    assert.deepEqual(await codes(), ['texte_1', 'oui_non_1']);
    await page.keyboard.press('Control+Shift+z');
    assert.deepEqual(await codes(), ['oui_non_1', 'texte_1']);

    // A validation error is shown on the element it concerns, and goes once fixed.
    await yesNo.click();
    const label = page.getByLabel('Libellé', { exact: true });
    await label.fill('');
    await yesNo.locator('.error-message', { hasText: 'Donnez un libellé à ce champ.' }).waitFor();
    await label.fill('Êtes-vous locataire ?');
    await yesNo.locator('.designer-label', { hasText: 'Êtes-vous locataire ?' }).waitFor();
    assert.equal(await yesNo.locator('.error-message').count(), 0);

    // The file field is only asked of tenants: the condition editor offers earlier fields only.
    await files.click();
    await page.getByLabel('Obligatoire').check();
    await page.getByRole('button', { name: 'Ajouter une condition' }).click();
    const fieldChoices = await page.locator('[data-testid="condition-editor"] select').first().locator('option').allTextContents();
    assert.deepEqual(fieldChoices, ['Êtes-vous locataire ? (oui_non_1)', 'Texte court (texte_1)']);
    await page.locator('[data-testid="condition-editor"]').getByLabel('Valeur').selectOption('oui');
    await files.getByText('conditionnel').waitFor();
    await page.getByLabel('Nombre maximal de fichiers').fill('2');

    // The identity card is edited too.
    await page.getByLabel('Rubrique').fill('Stationnement');

    await page.getByTestId('save-status').getByText('Enregistré').waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId('problem-count').textContent(), /^0 problème/);
    assert.deepEqual(await accessibilityViolations(page), [], 'designer page');

    // Publication asks for confirmation and says what is published.
    await page.getByRole('button', { name: 'Publier', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Première publication : 2 étape(s), 3 champ(s).').waitFor();
    await dialog.getByRole('button', { name: 'Confirmer la publication' }).click();
    await page.getByText('Version 1 publiée.').first().waitFor();

    // A second publication lists the changes in French.
    await page.locator('.designer-field[data-code="texte_1"]').click();
    await page.getByRole('button', { name: 'Supprimer « Texte court »' }).click();
    await page.getByRole('button', { name: 'Publier', exact: true }).click();
    await dialog.getByText('Champ « Texte court » supprimé (étape « Étape 1 »).').waitFor();
    await dialog.getByRole('button', { name: 'Annuler' }).click();
    await page.getByTestId('save-status').getByText('Enregistré').waitFor({ timeout: 10_000 });

    // The portal's catalogue offers it.
    const visitor = await newPage(browser, problems);
    await visitor.goto(guichet.url('saint-herblain'));
    const catalogue = await visitor.evaluate(async () => (await fetch('/api/demarches/catalogue', { method: 'POST' })).json());
    assert.deepEqual(
      catalogue.filter((entry) => entry.title === 'Carte de stationnement résident').map((entry) => [entry.rubrique, entry.version]),
      [['Stationnement', 1]],
    );
    // And the portal's catalogue page lists it.
    await visitor.goto(guichet.url('saint-herblain', '/demarches'));
    await visitor.getByText('Carte de stationnement résident').first().waitFor();

    // The list shows it published, with changes pending.
    await page.goto(guichet.url('saint-herblain', '/back-office/demarches'));
    await page.getByRole('row', { name: /Carte de stationnement résident.*Publiée \(version 1\), modifications non publiées/ }).waitFor();
    for (const p of [page, visitor]) await p.context().close();
  });
});
