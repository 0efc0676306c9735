// The citizen relationship layer in Chromium, as issue 20 tells it: a mother completes her
// record, adds her two children, keeps her CAF certificate in her wallet, enrols the younger
// child in the after-school care (the démarche's beneficiary is a child of the household, 3 to
// 11 on 1 September 2027) with the siblings prefilled and the certificate taken from the
// wallet; at the town hall an agent registers the same woman at the counter, finds her online
// record by a misspelt name, sees the dossier on her 360° page and merges the duplicate.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, hydrated, launchChromium, login, newPage, startGuichet } from './harness.mjs';

const PDF = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n', 'latin1');

describe('Citizen relationship in Chromium', () => {
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

  test('a mother enrols her child with the household and the wallet; an agent finds her, sees the dossier and merges a counter duplicate', async () => {
    const mother = await newPage(browser, problems);
    await login(mother, guichet, 'marie.dupont@example.test', 'Citoyenne-2026');

    // Her record: the names and birth date the agents will search and compare.
    await mother.goto(guichet.url('saint-herblain', '/mon-compte/informations'));
    await hydrated(mother);
    await mother.locator('#moi-given_names').fill('Marie');
    await mother.locator('#moi-birth_name').fill('Lefèvre');
    await mother.locator('#moi-usage_name').fill('Dupont');
    await mother.locator('#moi-birth_date').fill('1986-04-12');
    await mother.getByRole('button', { name: 'Enregistrer mes informations' }).click();
    await mother.getByText('Vos informations ont été enregistrées.').waitFor();

    // Two children in her household.
    await mother.goto(guichet.url('saint-herblain', '/mon-foyer'));
    await hydrated(mother);
    for (const [given, born] of [['Léa', '2019-05-10'], ['Hugo', '2013-02-01']]) {
      const form = mother.getByTestId('add-member');
      await form.locator('#nouveau-membre-relation').selectOption('enfant');
      await form.locator('#nouveau-membre-given_names').fill(given);
      await form.locator('#nouveau-membre-birth_name').fill('Dupont');
      await form.locator('#nouveau-membre-birth_date').fill(born);
      await form.getByRole('button', { name: 'Ajouter ce membre' }).click();
      await mother.getByTestId('household-members').getByRole('heading', { name: `${given} DUPONT` }).waitFor();
    }
    assert.deepEqual(await accessibilityViolations(mother), [], 'the household page');

    // The CAF certificate, once, in her wallet.
    await mother.goto(guichet.url('saint-herblain', '/porte-documents'));
    const caf = await mother.locator('#piece-type option', { hasText: 'Attestation CAF / quotient familial' }).getAttribute('value');
    await mother.locator('#piece-type').selectOption(caf);
    await mother.locator('#piece-date').fill(new Date().toISOString().slice(0, 10));
    await mother.locator('#piece-file').setInputFiles({ name: 'attestation-caf.pdf', mimeType: 'application/pdf', buffer: PDF });
    await mother.getByRole('button', { name: 'Ajouter au porte-documents' }).click();
    await mother.getByText('attestation-caf.pdf').first().waitFor();

    // "Pour qui ?": Léa (8 on 1 September 2027) may be enrolled, Hugo (14) may not, and says why.
    await mother.goto(guichet.url('saint-herblain', '/demarches'));
    await mother.getByRole('link', { name: "Inscription à l'accueil périscolaire" }).click();
    const hugo = mother.getByLabel(/Hugo/);
    assert.equal(await hugo.isDisabled(), true);
    assert.match(await mother.locator('#pour').innerText(), /Hugo[^\n]*14 ans/);
    await mother.getByLabel(/Léa/).check();
    await mother.getByRole('button', { name: 'Commencer la démarche' }).click();
    await mother.waitForURL(/\/brouillons\/[^/]+\?etape=1$/);
    await hydrated(mother);

    // Prefilled from the child's record, not the mother's.
    assert.equal(await mother.getByLabel('Prénom(s) de l\'enfant *').inputValue(), 'Léa');
    assert.equal(await mother.getByLabel('Nom de l\'enfant *').inputValue(), 'Dupont');
    await mother.getByLabel('Soir (16 h 30 – 18 h 30)').check();
    await mother.getByRole('button', { name: 'Continuer' }).click();
    await mother.waitForURL(/etape=2$/);
    await hydrated(mother);

    // The siblings' group holds the household's two children; the certificate comes from the wallet.
    const values = await mother.locator('main input').evaluateAll((inputs) => inputs.map((i) => i.value));
    assert.ok(values.includes('Léa') && values.includes('Hugo'), `the siblings' group: ${values}`);
    const wallet = mother.getByLabel('Choisir dans mon porte-documents');
    await wallet.selectOption(await wallet.locator('option', { hasText: 'attestation-caf.pdf' }).getAttribute('value'));
    await mother.getByRole('button', { name: 'Vérifier et envoyer' }).click();
    await mother.waitForURL(/recapitulatif/);
    assert.match(await mother.locator('main').innerText(), /attestation-caf\.pdf/);
    await mother.getByRole('button', { name: 'Envoyer mon dossier' }).click();
    await mother.waitForURL(/\/mes-demandes\/[^/]+$/);
    const reference = decodeURIComponent(new URL(mother.url()).pathname.split('/').pop());

    // At the town hall: the same woman, registered at the counter without an account.
    const agent = await newPage(browser, problems);
    await login(agent, guichet, 'admin@saint-herblain.test', 'Herblain-Gestion-2026');
    await agent.goto(guichet.url('saint-herblain', '/back-office/usagers'));
    await hydrated(agent);
    await agent.locator('#champ-given_names').fill('Marie');
    await agent.locator('#champ-birth_name').fill('Lefevre');
    await agent.locator('#champ-birth_date').fill('12/04/1986');
    await agent.getByRole('button', { name: 'Enregistrer la personne' }).click();
    await agent.waitForURL(/\/back-office\/usagers\/[0-9a-f-]{36}$/);
    const counterRecord = agent.url();

    // A misspelt, accent-less search finds both records; the online one carries the dossier.
    await agent.goto(guichet.url('saint-herblain', '/back-office/usagers?q=' + encodeURIComponent('marie lefvre')));
    const results = agent.locator('main table');
    await results.waitFor();
    assert.equal(await results.getByRole('row').filter({ hasText: 'Compte en ligne' }).count(), 1);
    assert.equal(await results.getByRole('row').filter({ hasText: 'Sans compte' }).count(), 1);
    await results.getByRole('row').filter({ hasText: 'Compte en ligne' }).getByRole('link').first().click();
    await agent.waitForURL(/\/back-office\/usagers\/[0-9a-f-]{36}$/);
    assert.notEqual(agent.url(), counterRecord);
    await agent.getByRole('link', { name: reference }).waitFor();
    assert.match(await agent.locator('main').innerText(), /Léa/, 'her household');
    assert.deepEqual(await accessibilityViolations(agent), [], 'the 360° page');

    // The counter record was suspected a duplicate on creation: merged into the online one.
    await agent.goto(guichet.url('saint-herblain', '/back-office/doublons'));
    await hydrated(agent);
    await agent.getByRole('link', { name: 'Fusionner' }).first().click();
    await hydrated(agent);
    await agent.getByRole('button', { name: 'Fusionner les deux fiches' }).click();
    await agent.getByText('Fusion enregistrée.').waitFor();

    await agent.goto(guichet.url('saint-herblain', '/back-office/usagers?q=' + encodeURIComponent('marie lefvre')));
    await results.waitFor();
    assert.equal(await results.getByRole('row').filter({ hasText: 'Sans compte' }).count(), 0, 'the counter record is merged');
    assert.equal(await results.getByRole('row').filter({ hasText: 'Compte en ligne' }).count(), 1);
  });
});
