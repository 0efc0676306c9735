// The démarche designer in Chromium: a manager builds a two-step démarche by drag-and-drop,
// with a condition and a file field, fixes the error shown on a field, and publishes it.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, hydrated, launchChromium, login, newPage, startGuichet } from './harness.mjs';

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

    // A repeatable group's sub-field gets the whole field panel: a choice sub-field its options.
    // The palette is taller than what is left of the page below it: it cannot stay in place, so
    // both ends of the drag are put in view first (a drag that scrolls the page in between
    // starts from whatever item has come under the pointer).
    const groupItem = page.locator('.palette-item[data-kind="group"]');
    await groupItem.evaluate((item) => item.scrollIntoView({ block: 'end' }));
    await groupItem.dragTo(steps.nth(0).getByTestId('dropzone'));
    const group = page.locator('.designer-field[data-code="groupe_1"]');
    await group.click();
    await page.locator('#prop-label').fill('Véhicule');
    await page.locator('#prop-sub-0-kind').selectOption('single_choice');
    await page.getByRole('button', { name: 'Toutes les propriétés du sous-champ « Texte court »' }).click();
    const subPanel = page.getByTestId('field-properties');
    await subPanel.getByText('Sous-champ du groupe répétable « Véhicule ».').waitFor();
    await subPanel.getByLabel('Libellé', { exact: true }).fill('Motorisation');
    await subPanel.getByLabel('Aide', { exact: true }).fill('Celle de la carte grise.');
    await subPanel.getByLabel('Libellé du choix').first().fill('Électrique');
    await subPanel.getByLabel('Libellé du choix').nth(1).fill('Thermique');
    await subPanel.getByRole('button', { name: 'Revenir au groupe' }).click();
    assert.equal(await page.locator('#prop-sub-0-label').inputValue(), 'Motorisation');
    // Undo takes back the option labels typed in a row, and nothing else.
    await page.keyboard.press('Control+z');
    await page.getByRole('button', { name: 'Toutes les propriétés du sous-champ « Motorisation »' }).click();
    assert.equal(await page.getByLabel('Libellé du choix').first().inputValue(), 'Premier choix');
    assert.equal(await page.getByLabel('Libellé du choix').nth(1).inputValue(), 'Second choix');
    assert.equal(await page.getByLabel('Aide', { exact: true }).inputValue(), 'Celle de la carte grise.');
    await page.keyboard.press('Control+Shift+z');
    assert.equal(await page.getByLabel('Libellé du choix').nth(1).inputValue(), 'Thermique');

    // The identity card is edited too; its default service is one of the commune's services.
    await page.getByLabel('Rubrique').fill('Stationnement');
    const service = page.getByLabel('Service destinataire par défaut');
    await service.locator('option', { hasText: 'Pôle Nord' }).waitFor({ state: 'attached' });
    const serviceChoices = await service.locator('option').allTextContents();
    assert.deepEqual(serviceChoices.toSorted(), [
      'Accueil',
      'Direction des services techniques',
      'Direction des services techniques › Voirie',
      'Direction des services techniques › Voirie › Pôle Nord',
      'Direction des services techniques › Voirie › Pôle Sud',
      'État civil',
      '— Aucun —',
    ].toSorted(), 'Saint-Herblain\'s services, none of Rezé\'s (« Espace public »)');
    await service.selectOption({ label: 'Direction des services techniques › Voirie' });
    assert.match(await service.inputValue(), /^[0-9a-f-]{36}$/, 'saved as the service id, as before');

    await page.getByTestId('save-status').getByText('Enregistré').waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId('problem-count').textContent(), /^0 problème/);
    assert.deepEqual(await accessibilityViolations(page), [], 'designer page');

    // Publication asks for confirmation and says what is published.
    await page.getByRole('button', { name: 'Publier', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Première publication : 2 étape(s), 4 champ(s).').waitFor();
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

    // A citizen's form shows the sub-field's options and help.
    const citizen = await newPage(browser, problems);
    await login(citizen, guichet, 'marie.dupont@example.test', 'Citoyenne-2026');
    await citizen.goto(guichet.url('saint-herblain', '/demarches'));
    await citizen.getByRole('link', { name: 'Carte de stationnement résident' }).click();
    await citizen.getByRole('button', { name: 'Commencer la démarche' }).click();
    await citizen.waitForURL(/\/brouillons\/[^/]+\?etape=1$/);
    await hydrated(citizen);
    await citizen.getByRole('button', { name: 'Ajouter' }).click();
    const item = citizen.getByRole('group', { name: 'Véhicule n° 1' });
    await item.getByRole('radio', { name: 'Électrique' }).waitFor();
    await item.getByRole('radio', { name: 'Thermique' }).waitFor();
    await item.getByText('Celle de la carte grise.').waitFor();
    await citizen.context().close();

    // The list shows it published, with changes pending.
    await page.goto(guichet.url('saint-herblain', '/back-office/demarches'));
    await page.getByRole('row', { name: /Carte de stationnement résident.*Publiée \(version 1\), modifications non publiées/ }).waitFor();
    for (const p of [page, visitor]) await p.context().close();
  });
});
