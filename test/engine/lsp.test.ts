// The language server with a real engine, over stdio as an editor sees it: engine state notifications, a build
// on request with progress, measured sizes replacing estimates in the annotations, the history tree; an
// untrusted workspace never builds; a missing engine leaves diagnostics working.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../lsp/client';
import type { AnnotationsParams, BuildResult, EngineState, HistoryResult } from '../../server/src/protocol';
import { engineSuite, fixturesDir } from './harness';

const clients: LspClient[] = [];
after(async () => {
  for (const c of clients) await c.stop();
});
const engineTest = engineSuite({ busybox: true });

const server = ['out/server/src/main.js', '--stdio'];
const file = path.join(fixturesDir(), 'basic', 'Dockerfile');
const uri = pathToFileURL(file).href;
const text = fs.readFileSync(file, 'utf8');

function client(): LspClient {
  const c = new LspClient(server);
  clients.push(c);
  return c;
}

engineTest('build on request: progress, measured annotations, history tree', { timeout: 180_000 }, async (engine) => {
  const c = client();
  const connected = c.waitFor(
    (m) => m.method === 'layerInsight/engineState' && (m.params as EngineState).status === 'connected',
    15_000,
    'engine connected',
  );
  await c.initialize({ annotations: true, settings: { engine: { mode: 'auto', host: engine.host }, trusted: true } });
  const state = (await connected).params as EngineState;
  assert.equal(state.host, engine.host);
  assert.equal(state.storageDriver, 'overlay2');
  const estimated = c.waitFor(
    (m) => m.method === 'layerInsight/annotations' && (m.params as AnnotationsParams).uri === uri,
    10_000,
    'annotations',
  );
  c.open(uri, text);
  assert.equal(((await estimated).params as AnnotationsParams).mode, 'estimate');

  const measured = c.waitFor(
    (m) => m.method === 'layerInsight/annotations' && (m.params as AnnotationsParams).mode === 'measured',
    150_000,
    'measured annotations',
  );
  const result = await c.request<BuildResult>(
    'layerInsight/build',
    { uri, builder: 'legacy', tag: 'lsp-basic:1' },
    150_000,
  );
  assert.equal(result.ok, true, result.message);
  const progress = c.notifications.filter((m) => m.method === 'layerInsight/buildProgress');
  assert.ok(
    progress.some((m) => /^Step \d+\/\d+ : RUN dd/.test((m.params as { message: string }).message)),
    'legacy Step lines streamed',
  );
  assert.ok(progress.some((m) => (m.params as { done?: boolean }).done === true));
  const ann = (await measured).params as AnnotationsParams;
  const run = ann.steps.find((s) => s.line === 6);
  assert.deepEqual([run?.size?.bytes, run?.size?.source], [250_000, 'measured']);
  assert.equal(run?.cached, false);
  assert.equal(typeof run?.durationMs, 'number');
  assert.equal(ann.image?.source, 'measured');

  const tree = await c.request<HistoryResult>('layerInsight/history', { uri });
  assert.equal(tree.image, 'lsp-basic:1');
  assert.equal(tree.sizeKind, 'overlay2 on-disk, uncompressed');
  assert.equal(tree.base?.layers, 1);
  const layer = tree.stages[0].layers.find((l) => l.line === 6);
  assert.equal(layer?.largestFiles[0]?.path, '/srv/app/blob.bin');
  const hover = await c.request<{ contents: { value: string } } | null>('textDocument/hover', {
    textDocument: { uri },
    position: { line: 5, character: 1 },
  });
  assert.ok(hover && hover.contents.value.length > 0);
});

test(
  'an untrusted workspace refuses to build; a missing engine is a state, diagnostics still arrive',
  { timeout: 60_000 },
  async () => {
    const c = client();
    const state = c.waitFor((m) => m.method === 'layerInsight/engineState', 10_000, 'engine state');
    await c.initialize({
      annotations: true,
      settings: { engine: { mode: 'auto', host: 'unix:///tmp/li-no-engine.sock' }, trusted: false },
    });
    assert.equal(((await state).params as EngineState).status, 'untrusted');
    const diags = c.waitForDiagnostics(uri);
    c.open(uri, text);
    await diags;
    const r = await c.request<BuildResult>('layerInsight/build', { uri }, 10_000);
    assert.equal(r.ok, false);
    assert.match(r.message, /not trusted/);

    const c2 = client();
    const none = c2.waitFor((m) => m.method === 'layerInsight/engineState', 10_000, 'engine state');
    await c2.initialize({
      settings: { engine: { mode: 'auto', host: 'unix:///tmp/li-no-engine.sock' }, trusted: true },
    });
    const s = (await none).params as EngineState;
    assert.equal(s.status, 'none');
    assert.match(s.message, /estimates only: no Docker engine at unix:\/\/\/tmp\/li-no-engine.sock/);
    const d2 = c2.waitForDiagnostics(uri);
    c2.open(uri, text);
    await d2;
    const got = await c2.request<EngineState>('layerInsight/getEngineState', null, 10_000);
    assert.equal(got.status, 'none');
    const tree = await c2.request<HistoryResult>('layerInsight/history', { uri });
    assert.equal(tree.image, null);
    assert.match(tree.reason ?? '', /no Docker engine/);
  },
);
