// The official OpenAI Node SDK against a real `osprey serve`, once per adapter personality:
// osprey translates OpenAI requests to each vendor's wire format (served by
// `osprey-fake-upstream`) and back, so the SDK must not notice which vendor answered.
// Env: OSPREY_BINARY (osprey) and OSPREY_FAKE_UPSTREAM (osprey-fake-upstream).
import { test, describe, before, after } from 'node:test';
import { startProcess, stop } from './harness.mjs';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, 'node_modules', 'openai'))) {
  throw new Error(`node_modules missing in ${here}: run scripts/install-deps.sh (npm ci there)`);
}
const { default: OpenAI } = await import('openai');

const OSPREY = process.env.OSPREY_BINARY;
const FAKE = process.env.OSPREY_FAKE_UPSTREAM;
if (!OSPREY || !FAKE) throw new Error('set OSPREY_BINARY and OSPREY_FAKE_UPSTREAM');

const SECRETS = { FAKE_API_KEY: 'sk-fake', FAKE_AWS_KEY: 'AKIDEXAMPLE', FAKE_AWS_SECRET: 'secret' };

function deploymentYaml(vendor, baseUrl) {
  const lines = [`      - id: assistant@${vendor}`, `        adapter: ${vendor}`, `        base_url: ${baseUrl}`,
    `        model: fake-${vendor}-model`];
  if (vendor === 'anthropic' || vendor === 'openai') lines.push('        api_key_env: FAKE_API_KEY');
  if (vendor === 'bedrock') {
    lines.push('        region: us-east-1', '        aws_access_key_id_env: FAKE_AWS_KEY',
      '        aws_secret_access_key_env: FAKE_AWS_SECRET');
  }
  return lines.join('\n');
}

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

for (const vendor of ['openai', 'anthropic', 'ollama', 'bedrock']) {
  describe(`openai sdk via ${vendor} adapter`, () => {
    let fake;
    let osprey;
    let dir;
    let client;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `osprey-sdk-${vendor}-`));
      const fakeArgs = ['--vendor', vendor, '--port', '0'];
      if (vendor !== 'ollama') fakeArgs.push('--api-key', vendor === 'bedrock' ? SECRETS.FAKE_AWS_KEY : SECRETS.FAKE_API_KEY);
      fake = await startProcess(FAKE, fakeArgs, 'listening on ');
      const config = join(dir, 'osprey.yaml');
      writeFileSync(config, `models:\n  - name: assistant\n    deployments:\n${deploymentYaml(vendor, fake.url)}\n`);
      osprey = await startProcess(OSPREY, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'data'),
        '--config', config], 'osprey listening on ', SECRETS);
      client = new OpenAI({ baseURL: `${osprey.url}/v1`, apiKey: osprey.key, maxRetries: 0, timeout: 20000 });
    });

    after(async () => {
      await stop(osprey?.child);
      await stop(fake?.child);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('chat completion', async () => {
      const res = await client.chat.completions.create({
        model: 'assistant',
        messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello osprey' }],
      });
      assert.equal(res.object, 'chat.completion');
      assert.equal(res.model, 'assistant');
      assert.equal(res.choices[0].message.role, 'assistant');
      assert.equal(res.choices[0].message.content, 'echo: hello osprey');
      assert.equal(res.choices[0].finish_reason, 'stop');
      assert.ok(res.usage.prompt_tokens > 0 && res.usage.completion_tokens > 0);
    });

    test('streamed chat completion with usage', async () => {
      const stream = await client.chat.completions.create({
        model: 'assistant',
        messages: [{ role: 'user', content: 'stream these words please' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage = null;
      let finish = null;
      let chunks = 0;
      for await (const chunk of stream) {
        chunks += 1;
        assert.equal(chunk.object, 'chat.completion.chunk');
        if (chunk.usage) usage = chunk.usage;
        for (const choice of chunk.choices) {
          text += choice.delta?.content ?? '';
          if (choice.finish_reason) finish = choice.finish_reason;
        }
      }
      assert.ok(chunks >= 2, `expected several chunks, got ${chunks}`);
      assert.equal(text, 'echo: stream these words please');
      assert.equal(finish, 'stop');
      assert.ok(usage && usage.completion_tokens > 0 && usage.prompt_tokens > 0, JSON.stringify(usage));
    });

    test('tool calling round trip', async () => {
      const messages = [{ role: 'user', content: 'what is the weather in Paris?' }];
      const first = await client.chat.completions.create({ model: 'assistant', messages, tools: [weatherTool] });
      const call = first.choices[0].message.tool_calls?.[0];
      assert.ok(call, JSON.stringify(first));
      assert.equal(call.type, 'function');
      assert.equal(call.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.function.arguments), { city: 'test' });
      assert.ok(call.id);
      if (vendor !== 'ollama') assert.equal(first.choices[0].finish_reason, 'tool_calls');

      messages.push(first.choices[0].message);
      messages.push({ role: 'tool', tool_call_id: call.id, content: 'sunny, 21C' });
      const second = await client.chat.completions.create({ model: 'assistant', messages, tools: [weatherTool] });
      assert.equal(second.choices[0].message.content, 'tool result: sunny, 21C');
    });
  });
}
