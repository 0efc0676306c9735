// Designer benchmark (prints figures, asserts nothing): loads a 500-field démarche in the
// designer and times, inside the page, select / edit label / move, from the event to the next
// frame (the DOM is updated and painted), plus the autosave round trip.
//
//   cd end2end && node bench/designer.mjs [fields=500] [samples=60]
//
// Needs the debug or release build of `cargo leptos build` (GUICHET_BIN / LEPTOS_SITE_ROOT as
// for the tests) and PostgreSQL on 127.0.0.1:5432.

import { hydrated, launchChromium, newPage, startGuichet } from '../tests/harness.mjs';

const FIELDS = Number(process.argv[2] ?? 500);
const SAMPLES = Number(process.argv[3] ?? 60);
const KINDS = [
  { short_text: {} },
  { integer: { min: 0, max: 100 } },
  { yes_no: {} },
  { date: {} },
  { single_choice: { options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] } },
  { email: {} },
];

function bigDocument(title) {
  const steps = [];
  const perStep = 50;
  for (let s = 0; s * perStep < FIELDS; s += 1) {
    const fields = [];
    for (let f = s * perStep; f < Math.min(FIELDS, (s + 1) * perStep); f += 1) {
      const field = { code: `champ_${f}`, label: `Question ${f}`, required: f % 3 === 0, kind: KINDS[f % KINDS.length] };
      // Every tenth field is shown only when the nearest yes/no before it is answered "oui".
      if (f % 10 === 9) {
        const yesNo = f - 1 - ((f - 1 - 2) % 6);
        field.condition = { compare: { field: `champ_${yesNo}`, op: 'eq', value: { yes_no: true } } };
      }
      fields.push(field);
    }
    steps.push({ code: `etape_${s}`, title: `Étape ${s + 1}`, fields });
  }
  return JSON.stringify({
    format: 'guichet.demarche',
    format_version: 1,
    demarche: { title, audience: 'identified_only', state: 'draft' },
    definition: { steps },
  });
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const report = (name, values) =>
  console.log(`${name.padEnd(22)} p50 ${percentile(values, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(values, 99).toFixed(1).padStart(6)} ms   (n=${values.length})`);

const guichet = await startGuichet();
const browser = await launchChromium();
try {
  const page = await newPage(browser, [], { viewport: { width: 1280, height: 900 } });
  await page.goto(guichet.url('saint-herblain', '/connexion'));
  await hydrated(page);
  await page.getByLabel('Adresse e-mail').fill('responsable@saint-herblain.test');
  await page.getByLabel('Mot de passe').fill('Herblain-Resp-2026');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL('**/back-office');

  // Import the big démarche through the same server function as the list page.
  const id = await page.evaluate(async (document) => {
    const response = await fetch('/api/demarches/import', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ document }),
    });
    if (!response.ok) throw new Error(await response.text());
    return response.json();
  }, bigDocument(`Banc d'essai ${FIELDS} champs`));

  const started = Date.now();
  await page.goto(guichet.url('saint-herblain', `/back-office/demarches/${id}`));
  await hydrated(page);
  await page.locator('.designer-field').nth(FIELDS - 1).waitFor();
  console.log(`designer with ${FIELDS} fields: loaded and rendered in ${Date.now() - started} ms (navigation included)`);

  // Runs `action` in the page; returns [work, frame]: until every reactive update it caused
  // has run (a macrotask after Leptos's microtasks), and until the next frame was painted.
  const timed = (action, arg) =>
    page.evaluate(
      async ([source, arg]) => {
        const act = new Function('arg', source);
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        const t0 = performance.now();
        act(arg);
        await new Promise((resolve) => setTimeout(resolve, 0));
        const work = performance.now() - t0;
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        return [work, performance.now() - t0];
      },
      [action, arg],
    );
  const results = {};
  const sample = async (name, action, arg) => {
    (results[name] ??= []).push(await timed(action, arg));
  };
  const summary = () => {
    for (const [name, values] of Object.entries(results)) {
      report(`${name} (work)`, values.map((v) => v[0]));
      report(`${name} (to frame)`, values.map((v) => v[1]));
    }
  };
  for (let i = 0; i < SAMPLES; i += 1) await sample('no-op baseline', '', null);

  for (let i = 0; i < SAMPLES; i += 1) {
    await sample('select a field', `document.querySelectorAll('.designer-field')[arg].click();`, (i * 37) % FIELDS);
  }

  await page.locator('.designer-field').nth(250).click();
  for (let i = 0; i < SAMPLES; i += 1) {
    await sample(
        'edit label (1 key)',
        `const input = document.getElementById('prop-label');
         input.value = 'Libellé modifié ' + arg;
         input.dispatchEvent(new Event('input', { bubbles: true }));`,
        i,
    );
  }

  for (let i = 0; i < SAMPLES; i += 1) {
    await sample(
        'move (Alt+arrow)',
        `const row = document.querySelector('.designer-field.designer-selected');
         row.dispatchEvent(new KeyboardEvent('keydown', { key: arg, altKey: true, bubbles: true }));`,
        i % 2 === 0 ? 'ArrowDown' : 'ArrowUp',
    );
  }
  for (let i = 0; i < Math.min(SAMPLES, 40); i += 1) {
    await sample('undo (Ctrl+Z)', `window.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true }));`, null);
  }
  summary();

  // Autosave: the page records each save's round trip in data-save-ms.
  const saves = [];
  for (let i = 0; i < 10; i += 1) {
    await page.locator('#prop-label').fill(`Sauvegarde ${i}`);
    const saved = page.locator('[data-testid="save-status"][data-save-ms]');
    await saved.waitFor({ state: 'detached' });
    await saved.waitFor({ timeout: 15_000 });
    saves.push(Number(await page.getByTestId('save-status').getAttribute('data-save-ms')));
  }
  const size = (await page.evaluate(() => document.querySelectorAll('.designer-field').length));
  report('autosave round trip', saves);
  console.log(`(${size} fields on the page; document of ${bigDocument('x').length} bytes)`);
} finally {
  await browser.close();
  await guichet.stop();
}
