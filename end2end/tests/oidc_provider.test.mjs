// The test OpenID provider (end2end/oidc/provider.mjs) in Chromium, without Guichet: the
// browser journeys rely on its sign-in and consent pages (signInAtProvider) and on its logout
// page submitting itself. The relying party's pages are answered by the browser context.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { accessibilityViolations, launchChromium, newPage, signInAtProvider, startOidcProvider } from './harness.mjs';

const RP = 'http://mairie.localhost:4000';

describe('The test OpenID provider in Chromium', () => {
  let provider;
  let browser;
  const problems = [];

  before(async () => {
    provider = await startOidcProvider([{
      client_id: 'portail',
      client_secret: 'secret-du-portail-0123456789abcdef',
      redirect_uris: [`${RP}/retour`],
      post_logout_redirect_uris: [`${RP}/au-revoir`],
      id_token_signed_response_alg: 'ES256',
      userinfo_signed_response_alg: 'ES256',
    }]);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await provider?.stop();
    assert.deepEqual(problems, [], 'no page errors');
  });

  async function relyingParty() {
    const page = await newPage(browser, problems);
    await page.route(`${RP}/**`, (route) => route.fulfill({ contentType: 'text/plain', body: 'retour au service' }));
    return page;
  }

  const authorize = (state) => `${provider.issuer}/auth?${new URLSearchParams({
    client_id: 'portail',
    response_type: 'code',
    redirect_uri: `${RP}/retour`,
    scope: 'openid profile email birth',
    acr_values: 'eidas1',
    state,
    nonce: `nonce-${state}`,
  })}`;

  test('a citizen signs in and consents, then logs out without a prompt and must sign in again', async () => {
    const page = await relyingParty();

    await page.goto(authorize('etat-1'));
    assert.deepEqual(await accessibilityViolations(page), [], 'the sign-in page');
    await signInAtProvider(page, 'angela');
    await page.waitForURL(`${RP}/retour?**`);
    const back = new URL(page.url());
    assert.equal(back.searchParams.get('state'), 'etat-1');
    assert.ok(back.searchParams.get('code'));

    await page.goto(`${provider.issuer}/session/end?${new URLSearchParams({
      client_id: 'portail',
      post_logout_redirect_uri: `${RP}/au-revoir`,
      state: 'etat-2',
    })}`);
    await page.waitForURL(`${RP}/au-revoir?**`);
    assert.equal(new URL(page.url()).searchParams.get('state'), 'etat-2');

    await page.goto(authorize('etat-3'));
    await page.locator('#password').waitFor();
  });

  test('refusing consent comes back with access_denied', async () => {
    const page = await relyingParty();

    await page.goto(authorize('etat-4'));
    await signInAtProvider(page, 'jean', { consent: false });

    await page.waitForURL(`${RP}/retour?**`);
    const back = new URL(page.url());
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'etat-4');
  });
});
