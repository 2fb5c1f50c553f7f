// The official OpenAI Node SDK's Files and Batches APIs against a real `osprey serve` in front of
// the OpenAI-personality fake: upload a JSONL file, create a batch, poll it to `completed` and
// download the output, exactly as a client of OpenAI's own Batch API would.
// Env: OSPREY_BINARY (osprey) and OSPREY_FAKE_UPSTREAM (osprey-fake-upstream).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, stop } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, 'node_modules', 'openai'))) {
  throw new Error(`node_modules missing in ${here}: run scripts/install-deps.sh (npm ci there)`);
}
const { default: OpenAI, toFile } = await import('openai');

const OSPREY = process.env.OSPREY_BINARY;
const FAKE = process.env.OSPREY_FAKE_UPSTREAM;
if (!OSPREY || !FAKE) throw new Error('set OSPREY_BINARY and OSPREY_FAKE_UPSTREAM');

let fake;
let osprey;
let dir;
let client;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'osprey-sdk-batch-'));
  fake = await startProcess(FAKE, ['--vendor', 'openai', '--port', '0', '--api-key', 'sk-fake'], 'listening on ');
  const config = join(dir, 'osprey.yaml');
  writeFileSync(config, [
    'models:',
    '  - name: assistant',
    '    deployments:',
    '      - id: assistant@openai',
    '        adapter: openai',
    `        base_url: ${fake.url}`,
    '        model: fake-openai-model',
    '        api_key_env: FAKE_API_KEY',
    'jobs:',
    '  poll_ms: 20',
    '',
  ].join('\n'));
  osprey = await startProcess(OSPREY, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'data'),
    '--config', config], 'osprey listening on ', { FAKE_API_KEY: 'sk-fake' });
  client = new OpenAI({ baseURL: `${osprey.url}/v1`, apiKey: osprey.key, maxRetries: 0, timeout: 20000 });
});

after(async () => {
  await stop(osprey?.child);
  await stop(fake?.child);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('upload, batch, poll to completed, download the output', async () => {
  const questions = ['first question', 'second question', 'third question'];
  const jsonl = questions.map((q, i) => JSON.stringify({
    custom_id: `q-${i}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'assistant', messages: [{ role: 'user', content: q }], temperature: 0 },
  })).join('\n') + '\n';

  const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'questions.jsonl'), purpose: 'batch' });
  assert.equal(file.object, 'file');
  assert.equal(file.purpose, 'batch');
  assert.equal(file.bytes, Buffer.byteLength(jsonl));
  assert.equal(file.filename, 'questions.jsonl');
  assert.equal((await client.files.retrieve(file.id)).id, file.id);

  const created = await client.batches.create({
    input_file_id: file.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
    metadata: { run: 'sdk-test' },
  });
  assert.equal(created.object, 'batch');
  assert.equal(created.input_file_id, file.id);
  assert.equal(created.request_counts.total, 3);
  assert.deepEqual(created.metadata, { run: 'sdk-test' });

  let batch = created;
  const deadline = Date.now() + 30000;
  while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) {
    assert.ok(Date.now() < deadline, `batch still ${batch.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    batch = await client.batches.retrieve(created.id);
  }
  assert.equal(batch.status, 'completed');
  assert.deepEqual(batch.request_counts, { total: 3, completed: 3, failed: 0 });
  assert.ok(batch.output_file_id);
  assert.equal(batch.error_file_id, null);

  const output = await (await client.files.content(batch.output_file_id)).text();
  const lines = output.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  const byId = Object.fromEntries(lines.map((l) => [l.custom_id, l]));
  questions.forEach((q, i) => {
    const line = byId[`q-${i}`];
    assert.ok(line, `no output for q-${i}: ${output}`);
    assert.equal(line.error, null);
    assert.equal(line.response.status_code, 200);
    assert.equal(line.response.body.object, 'chat.completion');
    assert.equal(line.response.body.choices[0].message.content, `echo: ${q}`);
  });

  const listed = await client.batches.list({ limit: 10 });
  assert.ok(listed.data.some((b) => b.id === created.id));
  const files = await client.files.list({ purpose: 'batch' });
  assert.ok(files.data.some((f) => f.id === file.id));
});
