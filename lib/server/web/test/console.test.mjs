// The web console in a real browser (Debian's Chromium, driven by puppeteer-core) against
// a live ia-sched and ia-node that tests/cli/web-console.bats starts. One browser for all
// cases, run in order; prints TAP, exits 1 when a case fails. Screenshots of each page at
// 1280x800 and 390 px go to --shots.
//
//   node console.test.mjs --url URL --client TOKEN --node-token TOKEN --shots DIR
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

function option(name) {
  const at = process.argv.indexOf(name);
  if (at < 0 || at + 1 >= process.argv.length) throw new Error(`missing ${name}`);
  return process.argv[at + 1];
}

const url = option('--url');
const clientToken = option('--client');
const nodeToken = option('--node-token');
const shots = option('--shots');
const chromium = process.env.IA_CHROMIUM || '/usr/bin/chromium';
const WIDE = { width: 1280, height: 800 };
// Not isMobile: puppeteer reloads the page to switch that, which would race the next step.
const NARROW = { width: 390, height: 844 };
const WAIT = { timeout: 30000 };

// Chromium logs a fetch answered 4xx as a console error; the refused sign-ins answer so
// on purpose. Any other console error, uncaught exception or failed request is a defect.
const errors = [];
let expectRefusals = false;
let offline = false; // requests fail on purpose while the test cuts the network
const eventRequests = []; // the Last-Event-ID of each GET /v1/events

async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'ia-web-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
  return { browser, profile };
}

function watch(page) {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (offline && /ERR_INTERNET_DISCONNECTED/.test(text)) return;
    if (expectRefusals && /status of 40[13]/.test(text)) return;
    errors.push(`console: ${text} (${message.location().url || ''})`);
  });
  page.on('pageerror', (error) => errors.push(`exception: ${error.message}`));
  page.on('request', (request) => {
    if (request.url().endsWith('/v1/events')) eventRequests.push(request.headers()['last-event-id'] || null);
  });
  page.on('requestfailed', (request) => {
    if (offline) return;
    // Long polls and the event stream are aborted on purpose when a page is left.
    if (request.failure() && request.failure().errorText === 'net::ERR_ABORTED') return;
    errors.push(`request failed: ${request.url()} ${request.failure() && request.failure().errorText}`);
  });
}

async function shot(page, name) {
  for (const [label, viewport] of [['1280', WIDE], ['390', NARROW]]) {
    await page.setViewport(viewport);
    await new Promise((resolve) => setTimeout(resolve, 150)); // charts follow the resize
    await page.screenshot({ path: join(shots, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewport(WIDE);
}

async function text(page, selector) {
  return page.$eval(selector, (el) => el.textContent);
}

async function waitText(page, selector, needle, timeout = 30000) {
  await page.waitForFunction((s, n) => {
    const el = document.querySelector(s);
    return el && el.textContent.includes(n);
  }, { timeout }, selector, needle);
}

async function go(page, path) {
  await page.evaluate((p) => {
    history.pushState(null, '', p);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

async function signIn(page, token) {
  await page.waitForSelector('#token', WAIT);
  await page.$eval('#token', (el) => { el.value = ''; });
  await page.type('#token', token);
  await page.keyboard.press('Enter');
}

async function submitViaApi(body) {
  const response = await fetch(`${url}/v1/tasks`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${clientToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`submit: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()).task_id;
}

const cases = [];
function test(name, fn) { cases.push({ name, fn }); }

test('a wrong token and a node token are refused with a clear message', async (page) => {
  expectRefusals = true;
  await page.goto(`${url}/web`, { waitUntil: 'load' });
  await shot(page, 'signin');
  await signIn(page, 'not-a-token');
  await waitText(page, '#signin-error', 'not known to ia-sched');
  await signIn(page, nodeToken);
  await waitText(page, '#signin-error', 'node token');
  const message = await text(page, '#signin-error');
  if (!message.includes('client or admin token')) throw new Error(`node token message: ${message}`);
  const kept = await page.evaluate(() => sessionStorage.length);
  if (kept !== 0) throw new Error('a refused token was kept in sessionStorage');
  await shot(page, 'signin-refused');
  expectRefusals = false;
});

test('sign in with a client token: kept in sessionStorage, no cookies, event stream live', async (page) => {
  await signIn(page, clientToken);
  await page.waitForSelector('header.top nav', WAIT);
  await page.waitForSelector('[data-conn="live"]', WAIT);
  const cookies = await page.cookies();
  if (cookies.length) throw new Error(`cookies set: ${cookies.map((c) => c.name)}`);
  const stored = await page.evaluate(() => Object.values({ ...sessionStorage }));
  if (!stored.includes(clientToken)) throw new Error('the token is not in sessionStorage');
});

test('the overview shows the node idle, then busy while it runs a task', async (page) => {
  await page.waitForSelector('tr[data-state="idle"]', WAIT);
  await page.waitForSelector('.chart .uplot', WAIT);
  await shot(page, 'overview');
  const id = await submitViaApi({ code: 'import time\ntime.sleep(600)\n', interpreter: '/usr/bin/python3', name: 'sleeper' });
  await page.waitForSelector('tr[data-state="busy"]', WAIT);
  await shot(page, 'overview-busy');
  return id;
});

test('cancel a running task from its page', async (page, sleeper) => {
  await go(page, `/web/tasks/${sleeper}`);
  await page.waitForSelector('[data-task-state="running"]', WAIT);
  await shot(page, 'task-running');
  const [button] = await page.$$('xpath/.//button[contains(., "Cancel task")]');
  if (!button) throw new Error('no Cancel button on a running task');
  await button.click();
  await page.waitForSelector('[data-task-state="cancelled"]', WAIT);
  await page.waitForSelector('[data-exit="cancelled"]', WAIT);
  await go(page, '/web');
  await page.waitForSelector('tr[data-state="idle"]', WAIT);
});

test('submit a script that prints two lines a second apart: both appear live, then the exit status', async (page) => {
  await go(page, '/web/submit');
  await page.waitForSelector('pierce/.cm-content', WAIT);
  await page.$eval('#f-name', (el) => { el.value = ''; });
  await page.type('#f-name', 'two-lines');
  // Typed into the editor as a person would; CodeMirror auto-indents, so no indents here.
  await page.click('pierce/.cm-content');
  await page.keyboard.down('Control');
  await page.keyboard.press('a');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('import sys, time\nprint("first line", flush=True)\ntime.sleep(1)\nprint("second line", file=sys.stderr, flush=True)\nsys.exit(3)\n');
  await page.click('button[type="submit"]');
  await waitText(page, '.output', 'first line');
  const early = await page.evaluate(() => ({
    second: document.querySelector('.output').textContent.includes('second line'),
    exit: !!document.querySelector('[data-exit]'),
  }));
  if (early.second || early.exit) throw new Error('the first line did not show before the task ended');
  await waitText(page, '.output .stderr', 'second line');
  await page.waitForSelector('[data-exit]', WAIT);
  const exit = await text(page, '[data-exit]');
  if (!exit.includes('exit status 3')) throw new Error(`exit status shown: ${exit}`);
  const stdout = await text(page, '.output .stdout');
  if (!stdout.includes('first line') || stdout.includes('second line')) throw new Error(`stdout part: ${stdout}`);
  await shot(page, 'submit-finished');
});

test('a task no node can take says why it is not running', async (page) => {
  const id = await submitViaApi({ code: 'print(1)\n', interpreter: '/usr/bin/python3', name: 'too-big', resources: { gpu: 4 } });
  await go(page, `/web/tasks/${id}`);
  await page.waitForSelector(`[data-why="${id}"]`, WAIT);
  const why = await text(page, `[data-why="${id}"]`);
  if (!/No online node can take it: it asks for 4 GPUs/.test(why)) throw new Error(`reason shown: ${why}`);
  await shot(page, 'task-queued');
});

test('the monitor lists tasks live, filters by state and shows the node', async (page) => {
  await go(page, '/web/monitor');
  await page.waitForSelector('tr[data-task]', WAIT);
  const id = await submitViaApi({ code: 'print(2)\n', interpreter: '/usr/bin/python3', name: 'late-arrival' });
  await page.waitForSelector(`tr[data-task="${id}"]`, WAIT);
  await page.select('select[name="state"]', 'queued');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('tr[data-task]')];
    return rows.length > 0 && rows.every((row) => row.dataset.state === 'queued');
  }, WAIT);
  await page.select('select[name="state"]', '');
  await page.waitForSelector('table.nodes tr[data-node]', WAIT);
  await shot(page, 'monitor');
});

test('the page follows dark mode', async (page) => {
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  await go(page, '/web');
  await page.waitForSelector('.chart .uplot', WAIT);
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  if (background !== 'rgb(21, 25, 28)') throw new Error(`dark background: ${background}`);
  await shot(page, 'overview-dark');
  await go(page, '/web/submit');
  await page.waitForSelector('pierce/.cm-content', WAIT);
  await shot(page, 'submit-dark');
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
});

test('a lost connection says so, then the event stream resumes with Last-Event-ID', async (page) => {
  await go(page, '/web');
  await page.waitForSelector('[data-conn="live"]', WAIT);
  const before = eventRequests.length;
  offline = true;
  await page.setOfflineMode(true);
  await page.waitForSelector('.banner[data-conn="lost"]', WAIT);
  await shot(page, 'connection-lost');
  await page.setOfflineMode(false);
  await page.waitForSelector('[data-conn="live"]', WAIT);
  offline = false;
  const resumed = eventRequests.slice(before).filter((id) => id !== null);
  if (resumed.length === 0) throw new Error(`no reconnect sent Last-Event-ID: ${JSON.stringify(eventRequests)}`);
  // Events after the resume still arrive: a new task shows in the overview's queue.
  const id = await submitViaApi({ code: 'print(3)\n', interpreter: '/usr/bin/python3', name: 'after-resume' });
  await go(page, `/web/tasks/${id}`);
  await page.waitForSelector('[data-task-state="succeeded"]', WAIT);
});

test('the page had no console errors, exceptions or failed requests', async () => {
  if (errors.length) throw new Error(errors.join('\n'));
});

async function main() {
  mkdirSync(shots, { recursive: true });
  const started = Date.now();
  const { browser, profile } = await launch();
  let failed = 0;
  try {
    const page = await browser.newPage();
    await page.setViewport(WIDE);
    watch(page);
    console.log(`1..${cases.length}`);
    let carried;
    for (const [i, { name, fn }] of cases.entries()) {
      try {
        carried = await fn(page, carried);
        console.log(`ok ${i + 1} ${name}`);
      } catch (error) {
        failed += 1;
        console.log(`not ok ${i + 1} ${name}`);
        console.log(String(error.stack || error).split('\n').map((l) => `# ${l}`).join('\n'));
        await page.screenshot({ path: join(shots, `failed-${i + 1}.png`), fullPage: true }).catch(() => {});
      }
    }
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`# ${cases.length - failed} of ${cases.length} passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${shots}`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.log(`Bail out! ${error.stack || error}`);
  process.exit(1);
});
