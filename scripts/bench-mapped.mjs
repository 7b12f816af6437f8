#!/usr/bin/env node
// `npm run bench`, the case with an image mapped: our language server with a real image's facts mapped to the open
// Dockerfile, edit after edit. The engine is scripts/fake-engine.mjs serving what a real dockerd answered for the
// `basic` fixture (test/fixtures/engine/recorded/gathered-basic.json, made by scripts/record-gathered.mjs), so the
// server gathers and maps through its production code without dockerd.
// Each edit adds a comment line on top: the image still fits, its measured sizes move down a line. Measures the time
// from each edit to its diagnostics, then counts, once the server is quiet, the publishDiagnostics of every edited
// version and the inlay hint refreshes the server asked for during the edits.
// usage: node scripts/bench-mapped.mjs [--edits N] -- <server command...>; prints one JSON object on its last line.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startFakeEngine } from './fake-engine.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const edits = Number(argv[argv.indexOf('--edits') + 1] || 30);
const command = dash >= 0 ? argv.slice(dash + 1) : [process.execPath, join(root, 'dist/server.js'), '--stdio'];
const FIXTURE = join(root, 'test/fixtures/engine/recorded/gathered-basic.json');
const original = readFileSync(join(root, 'test/fixtures/engine/basic/Dockerfile'), 'utf8');
const QUIET_MS = 800;

const dir = mkdtempSync(join(tmpdir(), 'li-bench-mapped-'));
writeFileSync(join(dir, 'Dockerfile'), original);
writeFileSync(join(dir, 'hello.txt'), 'hello from the fixture\n');
const engine = await startFakeEngine(FIXTURE, join(dir, 'docker.sock'));
const server = spawn(command[0], command.slice(1), {
  stdio: ['pipe', 'pipe', 'inherit'],
  env: { ...process.env, DOCKER_HOST: engine.host },
});
const uri = pathToFileURL(join(dir, 'Dockerfile')).href;
const replies = new Map();
const published = [];
const annotations = [];
const serverRequests = [];
let listeners = [];
let inbox = Buffer.alloc(0);
let lastId = 0;

server.stdout.on('data', (data) => {
  inbox = Buffer.concat([inbox, data]);
  for (;;) {
    const sep = inbox.indexOf('\r\n\r\n');
    if (sep < 0) break;
    const length = Number(/content-length:\s*(\d+)/i.exec(inbox.subarray(0, sep).toString())?.[1]);
    if (inbox.length < sep + 4 + length) break;
    const message = JSON.parse(inbox.subarray(sep + 4, sep + 4 + length).toString('utf8'));
    inbox = inbox.subarray(sep + 4 + length);
    receive(message);
  }
});

function receive(m) {
  if (m.method === undefined) {
    replies.get(m.id)?.(m);
    replies.delete(m.id);
  } else if (m.id !== undefined) {
    serverRequests.push(m.method);
    write({ id: m.id, result: m.method === 'workspace/configuration' ? m.params.items.map(() => null) : null });
  } else if (m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri) {
    published.push(m.params.version);
    const ls = listeners;
    listeners = [];
    for (const l of ls) l(m.params);
  } else if (m.method === 'layerInsight/annotations' && m.params.uri === uri) {
    annotations.push(m.params);
  }
}
function write(message) {
  const body = JSON.stringify({ jsonrpc: '2.0', ...message });
  server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
const call = (method, params) =>
  new Promise((done) => {
    const id = ++lastId;
    replies.set(id, done);
    write({ id, method, params });
  });
const diagnosticsFor = (version) =>
  new Promise((done) => {
    const listen = (p) => (p.version >= version ? done(p) : listeners.push(listen));
    listeners.push(listen);
  });
const deadline = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, fail) => setTimeout(() => fail(new Error(`timed out: ${what}`)), ms))]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const round = (x) => Number(x.toFixed(2));

try {
  await deadline(
    call('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      capabilities: {
        textDocument: { publishDiagnostics: { versionSupport: true }, inlayHint: {} },
        workspace: { configuration: true, inlayHint: { refreshSupport: true } },
      },
      initializationOptions: { annotations: true },
    }),
    20_000,
    'initialize',
  );
  write({ method: 'initialized', params: {} });
  const opened = diagnosticsFor(1);
  write({
    method: 'textDocument/didOpen',
    params: { textDocument: { uri, languageId: 'dockerfile', version: 1, text: original } },
  });
  await deadline(opened, 30_000, 'diagnostics after open');
  const mapped = await deadline(call('layerInsight/mapImage', { uri, image: engine.image }), 30_000, 'mapImage');
  if (!mapped.result?.ok) throw new Error(`mapping failed: ${JSON.stringify(mapped.result ?? mapped.error)}`);
  await sleep(QUIET_MS); // the folder's context and git reads end before the edits
  const askedBefore = serverRequests.length;

  const editMs = [];
  let text = original;
  for (let version = 2; version < edits + 2; version++) {
    text = `# edit ${version}\n${text}`;
    const next = diagnosticsFor(version);
    const t = performance.now();
    write({ method: 'textDocument/didChange', params: { textDocument: { uri, version }, contentChanges: [{ text }] } });
    await deadline(next, 30_000, `diagnostics after edit ${version}`);
    editMs.push(performance.now() - t);
  }
  await sleep(QUIET_MS); // a second publish of any version would have arrived by now
  const perEdit = [];
  for (let version = 2; version < edits + 2; version++) perEdit.push(published.filter((v) => v === version).length);
  const last = annotations.filter((a) => a.version === edits + 1).pop();
  await deadline(call('shutdown', null), 5000, 'shutdown').catch(() => undefined);
  write({ method: 'exit' });
  console.log(
    JSON.stringify({
      file: 'test/fixtures/engine/basic/Dockerfile',
      image: engine.image,
      edits,
      edit_to_diagnostics_median_ms: round(quantile(editMs, 0.5)),
      edit_to_diagnostics_p95_ms: round(quantile(editMs, 0.95)),
      publishes_per_edit_min: Math.min(...perEdit),
      publishes_per_edit_max: Math.max(...perEdit),
      inlay_refreshes_during_edits: serverRequests.slice(askedBefore).filter((m) => m === 'workspace/inlayHint/refresh')
        .length,
      measured_after_last_edit: last?.mode === 'measured',
    }),
  );
  setTimeout(() => server.kill(), 300).unref();
} catch (e) {
  process.stderr.write(`${e}\n`);
  server.kill();
  process.exitCode = 1;
} finally {
  engine.close();
  setTimeout(() => rmSync(dir, { recursive: true, force: true }), 400).unref();
}
