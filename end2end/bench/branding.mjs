// Branding benchmark: prints figures (asserts nothing). With the demo tenants loaded, an admin
// saves a new colour N times through the real server function; after each save one anonymous
// page load of the portal is checked for the new colour. Prints the save latency, the next
// page load's latency, and how many of those first loads already served the change.
//
// Usage: GUICHET_BIN=… LEPTOS_SITE_ROOT=… node end2end/bench/branding.mjs [N]

import { request } from 'node:http';

import { startGuichet } from '../tests/harness.mjs';

const rounds = Number(process.argv[2] ?? 200);

function call(port, host, method, path, { body, cookie } = {}) {
  return new Promise((resolve, reject) => {
    const headers = { host: `${host}:${port}`, origin: `http://${host}:${port}` };
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (cookie) headers.cookie = cookie;
    const started = process.hrtime.bigint();
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode,
        headers: res.headers,
        text: Buffer.concat(chunks).toString('utf8'),
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const guichet = await startGuichet();
try {
  const host = 'saint-herblain.localhost';
  const login = await call(guichet.port, host, 'POST', '/api/login', {
    body: new URLSearchParams({ email: 'admin@saint-herblain.test', password: 'Herblain-Gestion-2026' }).toString(),
  });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
  const cookie = [login.headers['set-cookie']].flat()[0].split(';')[0];
  const state = JSON.parse((await call(guichet.port, host, 'POST', '/api/branding/state', { body: '', cookie })).text);
  let seen = state.version;
  const document = state.document;
  const saves = [];
  const loads = [];
  let servedAtOnce = 0;
  for (let i = 0; i < rounds; i += 1) {
    // Dark colours (every channel below 0x50): always legible, and each differs from the last.
    const hex = (n) => (n % 0x50).toString(16).padStart(2, '0');
    const colour = `#${hex(i)}${hex(i * 7 + 1)}${hex(i * 13 + 2)}`;
    document.look.primary_color = colour;
    const saved = await call(guichet.port, host, 'POST', '/api/branding/save', {
      body: new URLSearchParams({ seen: String(seen), document: JSON.stringify(document) }).toString(),
      cookie,
    });
    const outcome = JSON.parse(saved.text);
    if (!outcome.version) throw new Error(`save refused: ${saved.text}`);
    seen = outcome.version;
    saves.push(saved.ms);
    const page = await call(guichet.port, host, 'GET', '/');
    loads.push(page.ms);
    if (page.text.includes(`--brand-primary: ${colour}`)) servedAtOnce += 1;
  }
  const f = (v) => v.toFixed(1);
  console.log(`Branding: ${rounds} saves by an admin, each followed by one anonymous portal page load (debug or release binary as given)`);
  console.log(`  save (server function, new version + NOTIFY): p50 ${f(percentile(saves, 50))} ms, p99 ${f(percentile(saves, 99))} ms`);
  console.log(`  next page load: p50 ${f(percentile(loads, 50))} ms, p99 ${f(percentile(loads, 99))} ms`);
  console.log(`  change served on the very next page load: ${servedAtOnce}/${rounds}`);
} finally {
  await guichet.stop();
}
