// The maze viewer in a real browser: Debian's headless Chromium, driven by playwright-core (no
// browser download), against a real `osprey serve`. A slow baseline experiment (local/explorer
// with a pause between turns) runs while the viewer, given the admin key, follows it over SSE;
// the test sees the agent's position change on the page and keeps a screenshot.
// Env: OSPREY_BINARY (osprey), OSPREY_BROWSER_ARTIFACTS (where the screenshot goes; default
// ./artifacts), CHROMIUM (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, 'node_modules', 'playwright-core'))) {
  throw new Error(`node_modules missing in ${here}: run scripts/install-deps.sh (npm ci there)`);
}
const { chromium } = await import('playwright-core');

const OSPREY = process.env.OSPREY_BINARY;
if (!OSPREY) throw new Error('set OSPREY_BINARY');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.OSPREY_BROWSER_ARTIFACTS || join(here, 'artifacts');

let server;
let baseUrl;
let adminKey;
let dataDir;
let browser;

function startOsprey() {
  return new Promise((resolve, reject) => {
    const child = spawn(OSPREY, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`osprey did not start\n${out}\n${err}`));
    }, 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      const key = out.match(/osprey admin key \(shown once\): (\S+)/);
      if (m && key) {
        clearTimeout(timer);
        resolve({ child, url: m[1].replace(/\/$/, ''), key: key[1] });
      }
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`osprey exited with ${code}\n${out}\n${err}`));
    });
  });
}

async function api(method, path, body) {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'osprey-browser-'));
  const started = await startOsprey();
  server = started.child;
  baseUrl = started.url;
  adminKey = started.key;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (browser) await browser.close();
  if (server && server.exitCode === null) {
    await new Promise((resolve) => { server.on('exit', resolve); server.kill('SIGTERM'); });
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('the viewer follows a running experiment live and keeps a screenshot', async () => {
  // A maze big enough that the explorer needs many moves; a pause between turns keeps it running
  // while the browser watches.
  const created = await api('POST', '/v1/experiments', {
    maze: { generator: { kind: 'backtracker', width: 41, height: 41, seed: 7 } },
    model_config: { model: 'local/explorer', vision_range: 1 },
    turn_delay_ms: 150,
    comment: 'browser test',
  });
  const id = created.data[0].id;

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${baseUrl}/viewer/`);
  // No key yet: the page asks for one and lists nothing.
  await page.waitForFunction(() => document.getElementById('key-state').textContent.includes('no key'));
  assert.equal(await page.locator('#experiments tbody tr').count(), 0);

  await page.fill('#api-key', adminKey);
  await page.click('#key-save');
  const row = page.locator(`#experiments tbody tr[data-id="${id}"]`);
  await row.waitFor({ timeout: 10000 });
  await row.click();
  await page.locator('#live-badge').waitFor({ state: 'visible', timeout: 10000 });

  // The agent moves on the page: three different positions seen while the run goes on.
  const positions = new Set();
  const deadline = Date.now() + 15000;
  while (positions.size < 3 && Date.now() < deadline) {
    const text = await page.textContent('#agent-pos');
    if (/^\d+,\d+$/.test(text)) positions.add(text);
    await page.waitForTimeout(100);
  }
  assert.ok(positions.size >= 3, `positions seen: ${[...positions].join(' ')}`);
  const step = Number((await page.textContent('#step')).split('/')[0]);
  assert.ok(step >= 2, `step readout ${step}`);
  const running = await api('GET', `/v1/experiments/${id}?actions=false`);
  assert.equal(running.state, 'running');

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'maze-viewer-live.png');
  await page.screenshot({ path: shot });
  assert.ok(existsSync(shot));
  console.log(`screenshot: ${shot}`);

  // Cancelling ends the live view: the badge goes away and the state shows it.
  await api('POST', `/v1/experiments/${id}/cancel`);
  await page.locator('#live-badge').waitFor({ state: 'hidden', timeout: 10000 });
  assert.match(await page.textContent('#exp-state'), /cancelled/);
  assert.deepEqual(pageErrors, []);
});
