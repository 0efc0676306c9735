// The real OpenID provider the identity tests run against: npm `oidc-provider` (a certified
// implementation) configured like FranceConnect v2, on loopback.
//
// Usage: node end2end/oidc/provider.mjs CONFIG.json
// CONFIG: {
//   "port": 0 (a free port) or a fixed port (to restart on the same one),
//   "clients": [{ "client_id", "client_secret", "redirect_uris", "post_logout_redirect_uris",
//                 "id_token_signed_response_alg"?: "RS256" | "ES256" | "HS256" (RS256),
//                 "userinfo_signed_response_alg"?: same, absent for JSON userinfo,
//                 "sector_identifier_uri"?: only needed to group several hosts }],
//   "keys": "fresh" | PATH of a JWKS file (private keys) to reuse — written there, freshly
//           generated, when the file does not exist yet,
//   "issued"?: PATH of a file where each access token issued is appended, one a line (for
//              tests that check a relying party never shows or logs one)
// }
// Prints one line on stdout when ready: {"issuer":"http://127.0.0.1:PORT","port":PORT}.
// Stops on SIGTERM / SIGINT.
//
// Like FranceConnect v2: pairwise subjects only (sha256 of sector identifier, account and a
// salt); userinfo as a signed JWT for clients registered with userinfo_signed_response_alg; the
// claims parameter; acr_values eidas1..3; RP-initiated logout. Our own interaction pages (no
// devInteractions), in French: sign-in (login, password), then consent — asked at EVERY
// authorization, as FranceConnect shows what it transmits each time, so a test can always
// grant or deny. The logout confirmation page submits itself in a browser; a plain HTTP client
// posts its form (hidden inputs `xsrf` and `logout=yes`) to complete it.

import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { ACCOUNTS, PASSWORD } from './accounts.mjs';

// stdout carries only the ready line. oidc-provider's development notices (in-memory adapter,
// default TTLs, Node 20 "unsupported runtime" — it runs) go nowhere unless
// OIDC_PROVIDER_VERBOSE is set; everything else goes to stderr.
const quiet = !process.env.OIDC_PROVIDER_VERBOSE;
const toStderr = (...args) => {
  if (quiet && /^(\x1b\[[\d;]*m)?oidc-provider (NOTICE|WARNING):/.test(String(args[0]))) return;
  console.error(...args);
};
console.info = toStderr;
console.log = toStderr;
console.warn = toStderr;
// Imported after the console is set up: it warns as it loads.
const { default: Provider, errors } = await import('oidc-provider');

const ACR_VALUES = ['eidas1', 'eidas2', 'eidas3'];
// Fixed, so a restarted provider gives every account the same subjects.
const PAIRWISE_SALT = 'guichet-test-provider';

const configPath = process.argv[2];
if (!configPath) {
  console.error('usage: node provider.mjs CONFIG.json');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));

// ---------------------------------------------------------------------------------------------
// Keys

function signingKey(type, options, alg) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), kid: `${alg.toLowerCase()}-${randomBytes(8).toString('hex')}`, alg, use: 'sig' };
}

function freshKeys() {
  return {
    keys: [
      signingKey('rsa', { modulusLength: 2048 }, 'RS256'),
      signingKey('ec', { namedCurve: 'P-256' }, 'ES256'),
    ],
  };
}

function loadKeys(keys) {
  if (keys === undefined || keys === 'fresh') return freshKeys();
  if (existsSync(keys)) return JSON.parse(readFileSync(keys, 'utf8'));
  const jwks = freshKeys();
  writeFileSync(keys, JSON.stringify(jwks), { mode: 0o600 });
  return jwks;
}

// ---------------------------------------------------------------------------------------------
// Clients

function clientMetadata(client) {
  const metadata = {
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    application_type: 'web',
    subject_type: 'pairwise',
    id_token_signed_response_alg: client.id_token_signed_response_alg ?? 'RS256',
  };
  if (client.userinfo_signed_response_alg) {
    metadata.userinfo_signed_response_alg = client.userinfo_signed_response_alg;
  }
  // A pairwise client whose redirect URIs span several hosts needs a sector identifier: one is
  // made up per client (never fetched, see sectorIdentifierUriValidate).
  const hosts = new Set(client.redirect_uris.map((uri) => new URL(uri).host));
  if (client.sector_identifier_uri) {
    metadata.sector_identifier_uri = client.sector_identifier_uri;
  } else if (hosts.size > 1) {
    const label = createHash('sha256').update(client.client_id).digest('hex').slice(0, 16);
    metadata.sector_identifier_uri = `https://sector-${label}.invalid/redirect_uris.json`;
  }
  return metadata;
}

// ---------------------------------------------------------------------------------------------
// Accounts

function acrFor(account, requested) {
  const max = ACR_VALUES.indexOf(account.maxAcr);
  if (requested.length === 0) return 'eidas1';
  return requested.find((acr) => ACR_VALUES.includes(acr) && ACR_VALUES.indexOf(acr) <= max) ?? account.maxAcr;
}

function requestedAcrs(params) {
  const fromParam = (params.acr_values ?? '').split(' ').filter(Boolean);
  if (fromParam.length) return fromParam;
  try {
    const acr = JSON.parse(params.claims ?? '{}')?.id_token?.acr;
    return acr?.values ?? (acr?.value ? [acr.value] : []);
  } catch {
    return [];
  }
}

async function findAccount(_ctx, accountId) {
  const account = ACCOUNTS[accountId];
  if (!account) return undefined;
  return {
    accountId,
    // oidc-provider keeps only the claims granted (scopes and claims parameter).
    async claims() {
      return { sub: accountId, ...account.claims };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Pages (French, plain forms, stable element ids for the browser tests)

const esc = (value) => String(value ?? '')
  .replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
  .replaceAll('"', '&quot;').replaceAll("'", '&#39;');

function page(title, body, script = '') {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — fournisseur d'identité de test</title>
<style>body{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#161616}
label{display:block;margin-top:1rem}input{display:block;width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem}.erreur{color:#ce0500;font-weight:bold}</style>
${script}
</head>
<body>
<main>
<h1>${esc(title)}</h1>
${body}
</main>
</body>
</html>`;
}

function send(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

function loginPage(uid, clientId, { login = '', error = '' } = {}) {
  return page('Connexion', `
<p>Le service <strong>${esc(clientId)}</strong> demande à vous identifier.</p>
${error ? `<p class="erreur" id="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
<label for="login">Identifiant</label>
<input id="login" name="login" autocomplete="username" required value="${esc(login)}">
<label for="password">Mot de passe</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="submit" type="submit">Se connecter</button>
</form>
<form method="post" action="/interaction/${esc(uid)}/abort">
<button id="abort" type="submit">Annuler</button>
</form>`);
}

function consentPage(uid, clientId, details, accountId) {
  const scopes = details.missingOIDCScope ?? [];
  const claims = details.missingOIDCClaims ?? [];
  const items = [...scopes.map((s) => `portée « ${s} »`), ...claims.map((c) => `donnée « ${c} »`)];
  return page('Autorisation', `
<p>Vous êtes connecté en tant que <strong id="account">${esc(accountId)}</strong>.</p>
<p>Le service <strong>${esc(clientId)}</strong> demande à recevoir :</p>
<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>
<form method="post" action="/interaction/${esc(uid)}/confirm">
<button id="confirm" type="submit">Autoriser</button>
</form>
<form method="post" action="/interaction/${esc(uid)}/abort">
<button id="abort" type="submit">Refuser</button>
</form>`);
}

function errorPage(error, description) {
  return page('Erreur', `
<p class="erreur" id="error">${esc(error)}</p>
<p id="error_description">${esc(description)}</p>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// ---------------------------------------------------------------------------------------------
// The provider

const port = Number(config.port ?? 0);
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const actualPort = server.address().port;
const issuer = `http://127.0.0.1:${actualPort}`;

const profileClaims = ['given_name', 'family_name', 'preferred_username', 'birthdate', 'gender'];
const birthClaims = ['birthplace', 'birthcountry'];

const provider = new Provider(issuer, {
  clients: config.clients.map(clientMetadata),
  jwks: loadKeys(config.keys),
  cookies: { keys: [randomBytes(32).toString('hex')] },
  findAccount,
  subjectTypes: ['pairwise'],
  async pairwiseIdentifier(_ctx, accountId, client) {
    return createHash('sha256').update(client.sectorIdentifier).update(accountId).update(PAIRWISE_SALT).digest('hex');
  },
  sectorIdentifierUriValidate: () => false,
  acrValues: ACR_VALUES,
  responseTypes: ['code'],
  // FranceConnect's scopes: the grouped ones and one per claim.
  claims: {
    // acr and amr in every ID token, as FranceConnect (oidc-provider otherwise adds acr only
    // when acr_values or the claims parameter ask for it, and drops amr).
    openid: ['sub', 'acr', 'amr'],
    profile: profileClaims,
    email: ['email'],
    birth: birthClaims,
    identite_pivot: ['given_name', 'family_name', 'birthdate', 'gender', 'birthplace', 'birthcountry'],
    groups: ['groups'],
    ...Object.fromEntries([...profileClaims, ...birthClaims].map((claim) => [claim, [claim]])),
  },
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    jwtUserinfo: { enabled: true },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        // Skips the prompt in a browser (the form submits itself); plain HTTP clients post it.
        const withLogout = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
        ctx.body = page('Déconnexion', `
<p>Vous allez être déconnecté du fournisseur d'identité.</p>
${withLogout}
<button id="logout" type="submit" form="op.logoutForm">Se déconnecter</button>`,
        '<script>document.addEventListener("DOMContentLoaded", function () { document.forms[0].submit() });</script>');
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Déconnexion', '<p id="logged-out">Vous êtes déconnecté du fournisseur d\'identité.</p>');
      },
    },
  },
  enabledJWA: {
    idTokenSigningAlgValues: ['RS256', 'ES256', 'HS256'],
    userinfoSigningAlgValues: ['RS256', 'ES256', 'HS256'],
  },
  // Consent at every authorization (see the header): no grant is reused across requests.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId;
    return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
  },
  interactions: {
    url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = errorPage(out.error, out.error_description);
  },
});

provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error:', error));
// An opaque access token's value is its id (jti).
if (config.issued) {
  provider.on('access_token.saved', (token) => appendFileSync(config.issued, `${token.jti}\n`));
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new errors.SessionNotFound('interaction session id mismatch');
  const { prompt, params } = details;
  const clientId = params.client_id;

  if (req.method === 'GET' && action === undefined) {
    if (prompt.name === 'login') return send(res, 200, loginPage(uid, clientId));
    if (prompt.name === 'consent') return send(res, 200, consentPage(uid, clientId, prompt.details, details.session?.accountId));
    return send(res, 501, errorPage('not_implemented', `Étape « ${prompt.name} » non prise en charge.`));
  }
  if (req.method !== 'POST') return send(res, 405, errorPage('method_not_allowed', 'Méthode non permise.'));

  const form = await readForm(req);
  switch (action) {
    case 'login': {
      if (prompt.name !== 'login') break;
      const login = form.get('login') ?? '';
      const account = Object.hasOwn(ACCOUNTS, login) ? ACCOUNTS[login] : undefined;
      if (!account || form.get('password') !== PASSWORD) {
        return send(res, 200, loginPage(uid, clientId, { login, error: 'Identifiant ou mot de passe incorrect.' }));
      }
      return provider.interactionFinished(req, res, {
        login: { accountId: login, acr: acrFor(account, requestedAcrs(params)), amr: ['pwd'] },
      }, { mergeWithLastSubmission: false });
    }
    case 'confirm': {
      if (prompt.name !== 'consent') break;
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      if (prompt.details.missingResourceScopes) {
        for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes)) {
          grant.addResourceScope(indicator, scopes.join(' '));
        }
      }
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    case 'abort':
      return provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: "L'usager a refusé",
      }, { mergeWithLastSubmission: false });
    default:
      break;
  }
  return send(res, 400, errorPage('invalid_request', `Action « ${action} » inattendue à l'étape « ${prompt.name} ».`));
}

const handle = provider.callback();
server.on('request', async (req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?\/?$/.exec(new URL(req.url, issuer).pathname);
  if (!match) return handle(req, res);
  try {
    await interaction(req, res, match[1], match[2]);
  } catch (error) {
    const status = error.statusCode ?? error.status ?? 500;
    if (status >= 500) console.error('interaction error:', error);
    if (!res.headersSent) send(res, status, errorPage(error.error ?? 'server_error', error.error_description ?? error.message));
  }
});

// Fail at start, not at the first request, on a client the provider refuses.
for (const client of config.clients) {
  try {
    await provider.Client.find(client.client_id);
  } catch (error) {
    console.error(`client ${client.client_id} refused: ${error.error_description ?? error.message}`);
    process.exit(1);
  }
}

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

process.stdout.write(`${JSON.stringify({ issuer, port: actualPort })}\n`);
