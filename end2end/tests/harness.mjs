// Starts the real Guichet binary against a fresh PostgreSQL database, with a real SMTP server
// (aiosmtpd) catching its mail, and drives Debian's Chromium through playwright-core.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startSmtp() {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-e2e-mail-'));
  const child = spawn('python3', [join(ROOT, 'end2end', 'smtp_server.py'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`SMTP server exited (${code}); is aiosmtpd installed?`)));
  });
  return { port: Number(line.trim()), dir, stop: () => child.kill() };
}

/**
 * The test OpenID provider (end2end/oidc/provider.mjs: npm oidc-provider configured like
 * FranceConnect v2) on a free loopback port, with fresh keys. `clients` as in its config file:
 * [{ client_id, client_secret, redirect_uris, post_logout_redirect_uris,
 *    id_token_signed_response_alg?, userinfo_signed_response_alg? }].
 * Accounts: end2end/oidc/accounts.mjs (password `motdepasse`).
 */
export async function startOidcProvider(clients) {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-e2e-oidc-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ port: 0, clients, keys: 'fresh' }));
  const child = spawn(process.execPath, [join(ROOT, 'end2end', 'oidc', 'provider.mjs'), config], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`OpenID provider exited (${code}); did \`npm ci\` run in end2end/?`)));
  });
  const { issuer, port } = JSON.parse(line);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    issuer,
    port,
    /** Stops it (SIGTERM) and resolves once it has exited. */
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * At the test provider's pages in the browser: signs in as `login` (unless its session is still
 * open) and grants the consent (or refuses it with `{ consent: false }`).
 */
export async function signInAtProvider(page, login, { consent = true } = {}) {
  await page.locator('#password, #confirm').first().waitFor();
  if (await page.locator('#password').count()) {
    await page.locator('#login').fill(login);
    await page.locator('#password').fill('motdepasse');
    await page.locator('#submit').click();
  }
  await page.locator(consent ? '#confirm' : '#abort').click();
}

function withDatabase(url, name) {
  const [base, query] = url.split('?');
  const root = base.slice(0, base.lastIndexOf('/'));
  return query ? `${root}/${name}?${query}` : `${root}/${name}`;
}

function createDatabase() {
  const admin = process.env.GUICHET_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `guichet_e2e_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const result = spawnSync('psql', [admin, '-qc', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot create the test database: ${result.stderr}`);
  return withDatabase(admin, name);
}

function run(bin, args, env) {
  const result = spawnSync(bin, args, { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`guichet ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** The server with the demo tenants of tenants/ (Saint-Herblain, Rezé) loaded. */
export async function startGuichet() {
  const smtp = await startSmtp();
  const mailsTo = (address) => readdirSync(smtp.dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(smtp.dir, f), 'utf8')))
    .filter((m) => m.to.includes(address));
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: createDatabase(),
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? join(ROOT, 'target', 'site'),
    GUICHET_BASE_DOMAIN: 'localhost',
    GUICHET_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    GUICHET_DATA_DIR: mkdtempSync(join(tmpdir(), 'guichet-e2e-data-')),
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
  };
  const bin = process.env.GUICHET_BIN ?? join(ROOT, 'target', 'debug', 'guichet');
  run(bin, ['migrate'], env);
  run(bin, ['seed', join(ROOT, 'tenants')], env);
  const server = spawn(bin, ['serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  await until('the server to answer /health', async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
    } catch {
      return false;
    }
  });
  return {
    port,
    /** Runs one SQL statement on this server's database (arranging what no page offers). */
    sql(statement) {
      const result = spawnSync('psql', [env.DATABASE_URL, '-qc', statement], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    },
    /** Runs the real `guichet` CLI against this server's database: {status, stdout, stderr}. */
    cli: (...args) => spawnSync(bin, args, { env, encoding: 'utf8' }),
    url: (slug, path = '/') => `http://${slug}.localhost:${port}${path}`,
    apex: (path = '/') => `http://localhost:${port}${path}`,
    /** Waits for the `count`-th mail to `address` and returns it ({from, to, subject, body}). */
    async mail(address, count = 1) {
      return until(`mail #${count} to ${address}`, () => {
        const mails = mailsTo(address);
        return mails.length >= count ? mails[count - 1] : null;
      });
    },
    /** Waits for a mail to `address` that `test` accepts (e.g. one with an attachment). */
    async mailWhere(address, test) {
      return until(`a matching mail to ${address}`, () => mailsTo(address).find(test) ?? null);
    },
    async stop() {
      server.kill('SIGINT');
      smtp.stop();
    },
  };
}

export function linkIn(mail, path) {
  const link = mail.body.split(/\s+/).find((w) => w.startsWith('http') && w.includes(path));
  if (!link) throw new Error(`no link to ${path} in: ${mail.body}`);
  return link;
}

export async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A fresh browser context (its own cookies); fails the test on any page error, wasm panic or
 * anything the Content-Security-Policy refused (Chromium reports it on the console).
 */
export async function newPage(browser, problems, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /panicked|hydrat|Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  return page;
}

/** Resolves once the WASM bundle has hydrated the page (forms then submit without reloading). */
export async function hydrated(page) {
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached', timeout: 20_000 });
}

/** Signs in at the demo commune (Saint-Herblain) through its login page. */
export async function login(page, guichet, email, password) {
  await page.goto(guichet.url('saint-herblain', '/connexion'));
  await hydrated(page);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/(mon-compte|back-office)$/);
}

const AXE = join(ROOT, 'end2end', 'node_modules', 'axe-core', 'axe.min.js');

/** WCAG 2.1 A/AA violations of impact "serious" or "critical" on the current page (axe-core). */
export async function accessibilityViolations(page) {
  // Evaluated, not added as a <script>: the page's Content-Security-Policy runs no inline
  // script without its nonce (DevTools evaluation is not subject to it).
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
