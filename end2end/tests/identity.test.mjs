// Identity federation in Chromium, against the real test OpenID provider (oidc-provider,
// configured like FranceConnect v2): an admin configures it, a citizen signs in with
// "S'identifier avec FranceConnect" on the provider's own pages and lands with a certified
// identity, starts a démarche whose identity fields are prefilled and locked, logs out and is
// logged out at the provider too; an agent signs in once and reaches two communes' back
// offices. axe-core on the new pages.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  accessibilityViolations,
  hydrated,
  launchChromium,
  login,
  newPage,
  signInAtProvider,
  startGuichet,
  startOidcProvider,
} from './harness.mjs';

const SECRET = 'secret-navigateur-0123456789abcdef';

/** A démarche whose identity fields are prefilled from the certified identity. */
const ETAT_CIVIL = {
  format: 'guichet.demarche',
  format_version: 1,
  demarche: {
    title: "Copie d'acte de naissance",
    description: 'Pour vous-même.',
    rubrique: 'État civil',
    audience: 'identified_only',
    state: 'draft',
  },
  definition: {
    steps: [
      {
        code: 'identite',
        title: 'Votre identité',
        fields: [
          { code: 'prenoms', label: 'Prénom(s)', required: true, prefill: 'given_name', kind: { short_text: {} } },
          { code: 'nom_naissance', label: 'Nom de naissance', required: true, prefill: 'birth_name', kind: { short_text: {} } },
          { code: 'naissance', label: 'Date de naissance', required: true, prefill: 'birth_date', kind: { date: {} } },
          { code: 'motif', label: 'Motif', required: true, kind: { long_text: {} } },
        ],
      },
    ],
  },
};

describe('Identity federation in Chromium', () => {
  let guichet;
  let provider;
  let browser;
  let demarche;
  const problems = [];

  before(async () => {
    guichet = await startGuichet();
    const client = (slug, id) => ({
      client_id: id,
      client_secret: SECRET,
      redirect_uris: [guichet.url(slug, '/connexion/franceconnect/retour'), guichet.url(slug, '/connexion/agents/retour')],
      post_logout_redirect_uris: [guichet.url(slug, '/')],
      id_token_signed_response_alg: 'ES256',
      userinfo_signed_response_alg: 'ES256',
    });
    provider = await startOidcProvider([client('saint-herblain', 'guichet-sh'), client('reze', 'guichet-reze')]);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    provider?.stop();
    await guichet?.stop();
    assert.deepEqual(problems, [], 'no page errors, wasm panics or CSP violations');
  });

  /** The admin of `slug` fills one audience's form on /administration/identite. */
  async function configure(page, slug, audience, fields) {
    await page.goto(guichet.url(slug, '/administration/identite'));
    await hydrated(page);
    const form = page.locator(`section[aria-labelledby="fournisseur-${audience}"] form`).first();
    for (const [name, value] of Object.entries(fields)) {
      const input = form.locator(`[name="${name}"]`);
      if (name === 'preset') await input.selectOption(value);
      else if (name === 'just_in_time') await input.check();
      else await input.fill(value);
    }
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Configuration enregistrée.').first().waitFor();
  }

  test('an admin configures FranceConnect and the agents’ single sign-on', async () => {
    const page = await newPage(browser, problems);
    await login(page, guichet, 'admin@saint-herblain.test', 'Herblain-Gestion-2026');
    await configure(page, 'saint-herblain', 'citizens', {
      preset: 'franceconnect',
      issuer: provider.issuer,
      client_id: 'guichet-sh',
      client_secret: SECRET,
    });
    await configure(page, 'saint-herblain', 'agents', {
      preset: 'custom',
      label: 'Syndicat',
      issuer: provider.issuer,
      client_id: 'guichet-sh',
      client_secret: SECRET,
      scopes: 'openid profile email groups',
      role_claim: 'groups',
      role_mapping: 'guichet-admins = admin\nguichet-agents = agent',
      just_in_time: 'on',
    });
    // The secret is never shown again.
    assert.equal(await page.content().then((html) => html.includes(SECRET)), false);
    assert.deepEqual(await accessibilityViolations(page), []);
    // A démarche that asks for the certified identity (made through the démarches' API).
    // From the page (Chromium resolves *.localhost itself; Node's resolver does not).
    const api = async (endpoint, form) => {
      const { status, text } = await page.evaluate(async ({ url, form }) => {
        const response = await fetch(url, { method: 'POST', body: new URLSearchParams(form) });
        return { status: response.status, text: await response.text() };
      }, { url: guichet.url('saint-herblain', `/api/${endpoint}`), form });
      assert.equal(status, 200, `${endpoint}: ${text}`);
      return JSON.parse(text);
    };
    demarche = await api('demarches/create', { title: "Copie d'acte de naissance" });
    await api('demarches/save', { id: demarche, document: JSON.stringify(ETAT_CIVIL) });
    await api('demarches/publish', { id: demarche });
    await page.context().close();

    const reze = await newPage(browser, problems);
    await reze.goto(guichet.url('reze', '/connexion'));
    await hydrated(reze);
    await reze.getByLabel('Adresse e-mail').fill('admin@reze.test');
    await reze.getByLabel('Mot de passe').fill('Reze-Gestion-2026');
    await reze.getByRole('button', { name: 'Se connecter' }).click();
    await reze.waitForURL(/\/back-office$/);
    await configure(reze, 'reze', 'agents', {
      preset: 'custom',
      label: 'Syndicat',
      issuer: provider.issuer,
      client_id: 'guichet-reze',
      client_secret: SECRET,
      scopes: 'openid profile email groups',
      role_claim: 'groups',
      role_mapping: 'guichet-admins = manager',
      just_in_time: 'on',
    });
    await reze.context().close();
  });

  test('a citizen signs in with FranceConnect, is certified, files with locked fields, and logs out at the provider too', async () => {
    const page = await newPage(browser, problems);
    await page.goto(guichet.url('saint-herblain', '/connexion'));
    await hydrated(page);
    assert.deepEqual(await accessibilityViolations(page), []);
    await page.getByRole('link', { name: /S'identifier avec FranceConnect/ }).click();
    await page.waitForURL((url) => url.href.startsWith(provider.issuer));
    await signInAtProvider(page, 'angela');
    await page.waitForURL(/\/mon-compte$/);
    await hydrated(page);
    await page.getByText('Angela Claire Louise').first().waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);

    // A démarche's identity fields come prefilled from FranceConnect, read-only, and say so.
    await page.goto(guichet.url('saint-herblain', `/demarches/${demarche}`));
    await page.getByRole('button', { name: 'Commencer la démarche' }).click();
    await page.waitForURL(/\/brouillons\/[^/]+\?etape=1$/);
    await hydrated(page);
    for (const [label, value] of [['Prénom(s)', 'Angela Claire Louise'], ['Nom de naissance', 'DUBOIS'], ['Date de naissance', '1962-08-24']]) {
      const input = page.getByLabel(label, { exact: false }).first();
      assert.equal(await input.inputValue(), value, label);
      assert.equal(await input.getAttribute('readonly'), '', `${label} is read-only`);
    }
    await page.getByText('Certifié par FranceConnect').first().waitFor();
    // Typing into a locked field changes nothing; the free field stays editable.
    await page.locator('#champ-prenoms').press('End');
    await page.keyboard.type('X');
    assert.equal(await page.locator('#champ-prenoms').inputValue(), 'Angela Claire Louise');
    await page.locator('#champ-motif').fill('Mariage');
    assert.deepEqual(await accessibilityViolations(page), []);

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    // Through the provider's logout and back to the portal.
    await page.waitForURL((url) => url.origin + url.pathname === guichet.url('saint-herblain', '/'), { timeout: 20_000 });
    // The provider's session is over: signing in again asks for the password.
    await page.goto(guichet.url('saint-herblain', '/connexion/franceconnect'));
    await page.locator('#password').waitFor();
    await page.context().close();
  });

  test('a refused consent ends on a French page offering the local sign-in', async () => {
    const page = await newPage(browser, problems);
    await page.goto(guichet.url('saint-herblain', '/connexion/franceconnect'));
    await signInAtProvider(page, 'jean', { consent: false });
    await page.waitForURL(/\/connexion\/echec\?motif=refus/);
    await hydrated(page);
    await page.getByText('Vous avez annulé la connexion').waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    await page.getByRole('link', { name: /mot de passe/ }).click();
    await page.waitForURL(/\/connexion$/);
    await page.context().close();
  });

  test('an agent signs in once and reaches two communes’ back offices', async () => {
    const page = await newPage(browser, problems);
    await page.goto(guichet.url('saint-herblain', '/connexion'));
    await hydrated(page);
    await page.getByRole('link', { name: /Agents : se connecter avec Syndicat/ }).click();
    await signInAtProvider(page, 'admin.syndicat');
    await page.waitForURL(/saint-herblain\.localhost.*\/back-office$/);

    await page.goto(guichet.url('reze', '/connexion'));
    await hydrated(page);
    await page.getByRole('link', { name: /Agents : se connecter avec Syndicat/ }).click();
    // No password this time: the provider's session is open; only the consent for Rezé.
    await signInAtProvider(page, 'admin.syndicat');
    await page.waitForURL(/reze\.localhost.*\/back-office$/);
    await hydrated(page);
    await page.context().close();
  });
});
