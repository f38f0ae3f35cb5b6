// The browser half of bench/web/run: fills the store with --tasks tasks through the API,
// then times --loads loads of /web and /web/monitor in Chromium, signed in with --token.
// Prints figures only.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const puppeteer = createRequire(join(root, 'lib/server/web/package.json'))('puppeteer-core');

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
}
const url = option('--url');
const token = option('--token');
const tasks = Number(option('--tasks', '10000'));
const loads = Number(option('--loads', '20'));

async function fill() {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < tasks) {
      const i = next++;
      const response = await fetch(`${url}/v1/tasks`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: `print(${i})\n`, interpreter: '/usr/bin/python3', name: `bench-${i}` }),
      });
      if (!response.ok) throw new Error(`submit ${i}: HTTP ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(`store: ${tasks} tasks submitted in ${seconds.toFixed(1)} s`);
}

function summary(name, all) {
  const values = all.filter((v) => !Number.isNaN(v));
  const missed = all.length - values.length;
  if (values.length === 0) {
    console.log(`${name}: never shown within 10 s (${all.length} loads)`);
    return;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  console.log(`${name}: median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms (${values.length} loads${missed ? `; ${missed} more never showed within 10 s` : ''})`);
}

// One load of path: ms to the load event, and to the first data the page shows.
// One load of path: ms to the load event, and to the first data the page shows (NaN
// when it did not show within 10 s: counted and reported, not fatal).
async function load(page, path, ready) {
  const started = performance.now();
  await page.goto(`${url}${path}`, { waitUntil: 'load' });
  const loaded = performance.now() - started;
  const shown = await page.waitForFunction((selector) => {
    const el = document.querySelector(selector);
    return el && /\d/.test(el.textContent);
  }, { timeout: 10000 }, ready).then(() => performance.now() - started, () => NaN);
  return { loaded, shown };
}

async function main() {
  await fill();
  const profile = mkdtempSync(join(tmpdir(), 'ia-bench-web-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.IA_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`${url}/web`, { waitUntil: 'load' });
    await page.evaluate((t) => sessionStorage.setItem('ia.console.token', t), token);
    const pages = [
      ['/web (load event)', '/web', '[data-figure="queued"] .value', 'loaded'],
      ['/web (queue figure shown)', '/web', '[data-figure="queued"] .value', 'shown'],
      ['/web/monitor (tasks table shown)', '/web/monitor', 'tr[data-task]', 'shown'],
    ];
    const results = new Map(pages.map(([name]) => [name, []]));
    for (let i = 0; i < loads; i++) {
      const overview = await load(page, '/web', pages[0][2]);
      results.get(pages[0][0]).push(overview.loaded);
      results.get(pages[1][0]).push(overview.shown);
      const monitor = await load(page, '/web/monitor', pages[2][2]);
      results.get(pages[2][0]).push(monitor.shown);
    }
    for (const [name, values] of results) summary(name, values);
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
    });
    console.log(`last load, browser's own clock: DOMContentLoaded ${timing.dcl.toFixed(0)} ms, load ${timing.load.toFixed(0)} ms`);
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench/web: ${error.stack || error}`);
  process.exit(1);
});
