// Browser journeys on the demo tenants (tenants/*.toml): what a citizen, an admin, an agent
// and a platform operator do first.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, hydrated, launchChromium, linkIn, newPage, startGuichet } from './harness.mjs';

describe('Guichet in Chromium', () => {
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

  test('a citizen signs up at Saint-Herblain on a phone, verifies, logs in and sees the town’s name and colours', async () => {
    const page = await newPage(browser, problems, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const email = 'lea.martin@example.test';

    await page.goto(guichet.url('saint-herblain', '/inscription'));
    await hydrated(page);
    await page.getByLabel('Prénom et nom').fill('Léa Martin');
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill('court');
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    // A weak password is refused next to the field, with the reason.
    await page.getByText('Le mot de passe doit contenir au moins 10 caractères.').first().waitFor();
    await page.getByLabel('Mot de passe').fill('Velo-Cargo-2026');
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.getByText('Votre compte est créé.').waitFor();

    const mail = await guichet.mail(email);
    assert.match(mail.from, /Ville de Saint-Herblain/);
    await page.goto(linkIn(mail, '/verifier'));
    await page.getByText('Votre adresse e-mail est vérifiée.').waitFor();

    await page.goto(guichet.url('saint-herblain', '/connexion'));
    await hydrated(page);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill('Mauvais-mot-2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').getByText('Adresse e-mail ou mot de passe incorrect.').waitFor();
    await page.getByLabel('Mot de passe').fill('Velo-Cargo-2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL('**/mon-compte');
    assert.equal(await page.getByTestId('account-email').textContent(), email);

    const header = page.locator('header.site-header');
    await header.getByText('Léa Martin').waitFor();
    assert.equal(await header.getByRole('link', { name: 'Ville de Saint-Herblain' }).count(), 1);
    const colour = await header.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(colour, 'rgb(0, 88, 156)', 'Saint-Herblain’s primary colour');

    // Another commune of the platform: its own look, and Léa is not signed in there.
    await page.goto(guichet.url('reze'));
    const rezeHeader = page.locator('header.site-header');
    assert.equal(await rezeHeader.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(107, 29, 92)');
    await rezeHeader.getByRole('link', { name: 'Se connecter' }).waitFor();
    assert.equal(await page.getByText('Léa Martin').count(), 0);
    await page.context().close();
  });

  test('an admin invites an agent, who accepts and lands in the back office', async () => {
    const admin = await newPage(browser, problems);
    await admin.goto(guichet.url('saint-herblain', '/connexion'));
    await hydrated(admin);
    await admin.getByLabel('Adresse e-mail').fill('admin@saint-herblain.test');
    await admin.getByLabel('Mot de passe').fill('Herblain-Gestion-2026');
    await admin.getByRole('button', { name: 'Se connecter' }).click();
    await admin.waitForURL('**/back-office');

    await admin.getByRole('link', { name: 'Administration' }).click();
    await admin.waitForURL('**/admin/agents');
    await admin.getByLabel('Prénom et nom').fill('Nadia Ferrand');
    await admin.getByLabel('Adresse e-mail').fill('nadia.ferrand@saint-herblain.test');
    await admin.getByLabel('Rôle').selectOption('manager');
    await admin.getByRole('button', { name: "Envoyer l'invitation" }).click();
    await admin.getByText('Invitation envoyée.').waitFor();
    await admin.getByRole('row', { name: /nadia\.ferrand@saint-herblain\.test.*Invitation en attente/ }).waitFor();

    const mail = await guichet.mail('nadia.ferrand@saint-herblain.test');
    const agent = await newPage(browser, problems);
    await agent.goto(linkIn(mail, '/invitation'));
    await hydrated(agent);
    // The name the admin typed, which the agent may correct.
    assert.equal(await agent.getByLabel('Prénom et nom').inputValue(), 'Nadia Ferrand');
    await agent.getByLabel('Mot de passe').fill('Nadia-Agent-2026');
    await agent.getByRole('button', { name: 'Activer mon compte' }).click();
    await agent.waitForURL('**/back-office');
    assert.match(await agent.getByTestId('agent-welcome').textContent(), /Bonjour Nadia Ferrand — Responsable, Ville de Saint-Herblain/);

    // The agent publishes news; citizens see it on the portal home.
    await agent.getByLabel('Titre').fill('Collecte des sapins');
    await agent.getByLabel('Texte').fill('Déposez votre sapin place de la mairie du 2 au 15 janvier.');
    await agent.getByRole('button', { name: 'Publier' }).click();
    await agent.getByText('Actualité publiée sur le portail.').waitFor();
    const visitor = await newPage(browser, problems);
    await visitor.goto(guichet.url('saint-herblain'));
    await visitor.getByRole('heading', { name: 'Collecte des sapins' }).waitFor();
    await visitor.goto(guichet.url('reze'));
    assert.equal(await visitor.getByText('Collecte des sapins').count(), 0);
    for (const page of [admin, agent, visitor]) await page.context().close();
  });

  test('the platform operator onboards a commune whose portal answers at once', async () => {
    const page = await newPage(browser, problems);
    await page.goto(guichet.apex('/'));
    await page.waitForURL('**/plateforme');
    await hydrated(page);
    await page.getByLabel('Adresse e-mail').fill('operateur@guichet.test');
    await page.getByLabel('Mot de passe').fill('Plateforme-2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Console de la plateforme' }).waitFor();

    // The identifier follows the name as it is typed, until the operator types one.
    const name = page.getByLabel('Nom de la collectivité');
    const slug = page.getByLabel('Identifiant (sous-domaine)');
    await name.fill("L'Île-d'Yeu");
    assert.equal(await slug.inputValue(), 'l-ile-d-yeu');
    await name.fill('Saint-Martin des Champs');
    assert.equal(await slug.inputValue(), 'saint-martin-des-champs');
    await slug.fill('bouguenais');
    await name.fill('Commune de Bouguenais');
    assert.equal(await slug.inputValue(), 'bouguenais');
    await page.getByLabel('E-mail du premier administrateur').fill('dsi@bouguenais.test');

    // The starter pack's checkboxes: small, each on the line of its label, left of it.
    const pack = page.getByRole('group', { name: 'Pack de démarrage (facultatif)' });
    const box = await pack.getByRole('checkbox').first().boundingBox();
    const labelBox = await pack.locator('.checkbox label').first().boundingBox();
    assert.ok(box.height <= 24 && box.width <= 24, `checkbox ${box.width}×${box.height}`);
    const middle = box.y + box.height / 2;
    assert.ok(middle > labelBox.y && middle < labelBox.y + labelBox.height, 'checkbox on its label’s line');
    assert.ok(box.x + box.width <= labelBox.x, 'checkbox before its label');

    await page.getByRole('button', { name: 'Créer la collectivité' }).click();
    await page.getByText('Collectivité créée').waitFor();
    await page.getByRole('row', { name: /Commune de Bouguenais/ }).waitFor();

    // A second attempt with the same identifier is refused next to the field.
    await page.getByRole('button', { name: 'Créer la collectivité' }).click();
    await page.getByText('Cet identifiant est déjà utilisé par une autre collectivité.').first().waitFor();

    const portal = await newPage(browser, problems);
    await portal.goto(guichet.url('bouguenais'));
    await portal.getByRole('heading', { name: 'Commune de Bouguenais' }).waitFor();
    const invitation = await guichet.mail('dsi@bouguenais.test');
    assert.ok(linkIn(invitation, '/invitation').startsWith(guichet.url('bouguenais', '/invitation')));

    // The first admin gives their name, which the back office greets them by.
    const admin = await newPage(browser, problems);
    await admin.goto(linkIn(invitation, '/invitation'));
    await hydrated(admin);
    assert.equal(await admin.getByLabel('Prénom et nom').inputValue(), '');
    await admin.getByLabel('Mot de passe').fill('Bouguenais-2026');
    await admin.getByRole('button', { name: 'Activer mon compte' }).click();
    await admin.getByText('Saisissez votre nom.').first().waitFor();
    await admin.getByLabel('Prénom et nom').fill('Claire Fontaine');
    await admin.getByRole('button', { name: 'Activer mon compte' }).click();
    await admin.waitForURL('**/back-office');
    assert.match(await admin.getByTestId('agent-welcome').textContent(), /Bonjour Claire Fontaine — Administrateur, Commune de Bouguenais/);
    await admin.context().close();

    // Suspending it closes the portal.
    await page.getByRole('button', { name: /Suspendre Commune de Bouguenais/ }).click();
    await page.getByRole('row', { name: /Commune de Bouguenais.*Suspendue/ }).waitFor();
    const response = await portal.goto(guichet.url('bouguenais'));
    assert.equal(response.status(), 403);
    for (const p of [page, portal]) await p.context().close();
  });

  test('public, account, agent and console pages have no serious WCAG 2.1 AA violation (axe-core)', async () => {
    const page = await newPage(browser, problems);
    const audit = async (label) => {
      await hydrated(page);
      assert.deepEqual(await accessibilityViolations(page), [], label);
    };
    for (const path of ['/', '/inscription', '/connexion', '/mot-de-passe-oublie']) {
      await page.goto(guichet.url('saint-herblain', path));
      await audit(`saint-herblain ${path}`);
    }
    // With an error message displayed next to a field.
    await page.goto(guichet.url('reze', '/connexion'));
    await hydrated(page);
    await page.getByLabel('Adresse e-mail').fill('pas-une-adresse');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText("L'adresse e-mail n'est pas valide").first().waitFor();
    await audit('reze /connexion with an error');

    await page.getByLabel('Adresse e-mail').fill('admin@reze.test');
    await page.getByLabel('Mot de passe').fill('Reze-Gestion-2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL('**/back-office');
    await audit('reze /back-office');
    await page.goto(guichet.url('reze', '/admin/agents'));
    await audit('reze /admin/agents');
    await page.goto(guichet.url('reze', '/mon-compte'));
    await audit('reze /mon-compte');
    // The second factor: the security page, then its key as a QR code (left pending, so the
    // admin's sign-in is unchanged), and the mandatory switch.
    await page.goto(guichet.url('reze', '/mon-compte/securite'));
    await audit('reze /mon-compte/securite');
    await page.getByRole('button', { name: 'Activer la double authentification' }).click();
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    await audit('reze /mon-compte/securite with its QR code');
    await page.goto(guichet.url('reze', '/administration/securite'));
    await audit('reze /administration/securite');
    await page.goto(guichet.url('reze', '/connexion/code'));
    await audit('reze /connexion/code without a sign-in waiting');
    await page.goto(guichet.apex('/plateforme'));
    await audit('platform console login');
    await page.context().close();
  });
});
