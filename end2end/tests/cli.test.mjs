// The operator's command line, run as a real process against the running server's database.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { hydrated, launchChromium, newPage, startGuichet } from './harness.mjs';

describe('guichet CLI', () => {
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
    assert.deepEqual(problems, []);
  });

  test('tenant create onboards a commune that the running server serves at once; suspend and activate follow', async () => {
    const created = guichet.cli('tenant', 'create', '--name', 'Commune de Vertou', '--slug', 'vertou', '--admin-email', 'dsi@vertou.test', '--host', 'demarches.vertou.test');
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /Tenant vertou created: http:\/\/vertou\.localhost:\d+/);

    const page = await newPage(browser, problems);
    await page.goto(guichet.url('vertou'));
    await page.getByRole('heading', { name: 'Commune de Vertou' }).waitFor();
    // Let the page finish loading its WASM: a suspension must not race the page's own requests.
    await hydrated(page);
    const invitation = await guichet.mail('dsi@vertou.test');
    assert.match(invitation.subject, /Commune de Vertou/);

    const listed = guichet.cli('tenant', 'list');
    assert.match(listed.stdout, /vertou\s+active\s+http:\/\/vertou\.localhost/);

    // Suspension by another process reaches the server through PostgreSQL NOTIFY.
    assert.equal(guichet.cli('tenant', 'suspend', 'vertou').status, 0);
    assert.equal((await page.goto(guichet.url('vertou'))).status(), 403);
    assert.equal(guichet.cli('tenant', 'activate', 'vertou').status, 0);
    assert.equal((await page.goto(guichet.url('vertou'))).status(), 200);
    await hydrated(page);
    await page.context().close();
  });

  test('bad input is refused with a precise message, a non-zero exit and nothing created', async () => {
    const cases = [
      [['tenant', 'create', '--name', 'X', '--slug', 'Vertou!', '--admin-email', 'a@b.fr'], /L'identifiant ne peut contenir que des lettres minuscules/],
      [['tenant', 'create', '--name', 'Rezé bis', '--slug', 'reze', '--admin-email', 'a@b.fr'], /Cet identifiant est déjà utilisé/],
      [['tenant', 'create', '--name', 'X', '--slug', 'xx', '--admin-email', 'pas-un-email'], /L'adresse e-mail n'est pas valide/],
      [['tenant', 'create', '--name', 'X', '--slug', 'xx'], /--admin-email is required/],
      [['tenant', 'suspend', 'inconnue'], /Aucune collectivité ne porte cet identifiant/],
      [['nimporte', 'quoi'], /unknown command/],
    ];
    for (const [args, message] of cases) {
      const result = guichet.cli(...args);
      assert.equal(result.status, 1, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
    }
    assert.doesNotMatch(guichet.cli('tenant', 'list').stdout, /^xx\s/m);
  });

  test('migrate reports every tenant and changes nothing when all are up to date', () => {
    const result = guichet.cli('migrate');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /reze\s+up to date \(version \d+\)/);
    assert.match(result.stdout, /saint-herblain\s+up to date/);
    assert.match(result.stdout, /0 upgraded, \d+ up to date, 0 failed/);
  });
});
