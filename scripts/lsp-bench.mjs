#!/usr/bin/env node
// Measures a stdio language server the way an editor user feels it, on one Dockerfile:
// open -> first diagnostics, each edit -> diagnostics for that version, hover latency, peak resident memory.
// Used by `npm run bench` when ../shared/tools/lsp-bench.mjs is not beside the repository; same output fields.
// usage: node scripts/lsp-bench.mjs --file F [--edits N] [--hovers N] -- <server command...>
// Prints one JSON object on its last line.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
if (dash < 0) {
  process.stderr.write('usage: lsp-bench.mjs --file F [--edits N] [--hovers N] -- server command...\n');
  process.exit(2);
}
const opt = {};
for (let i = 0; i + 1 < dash; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
const command = argv.slice(dash + 1);
const file = resolve(opt.file);
const original = readFileSync(file, 'utf8');
const edits = Number(opt.edits ?? 30);
const hovers = Number(opt.hovers ?? 30);
const uri = pathToFileURL(file).href;

const server = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
const replies = new Map();
let diagnosticsListeners = [];
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

function receive(message) {
  if (message.method === undefined) {
    replies.get(message.id)?.(message);
    replies.delete(message.id);
  } else if (message.id !== undefined) {
    // the server asks something (configuration, registration): give neutral answers
    const result = message.method === 'workspace/configuration' ? message.params.items.map(() => null) : null;
    write({ id: message.id, result });
  } else if (message.method === 'textDocument/publishDiagnostics' && message.params.uri === uri) {
    const listeners = diagnosticsListeners;
    diagnosticsListeners = [];
    for (const l of listeners) l(message.params);
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
/** Resolves with the first diagnostics for `version` or later (or without a version, for servers that omit it). */
function diagnosticsFor(version) {
  return new Promise((done) => {
    const listen = (p) => (p.version == null || p.version >= version ? done(p) : diagnosticsListeners.push(listen));
    diagnosticsListeners.push(listen);
  });
}
const deadline = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, fail) => setTimeout(() => fail(new Error(`timed out: ${what}`)), ms))]);
const clock = () => performance.now();
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const quantile = (xs, q) => (xs.length ? sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * q))] : null);
const round = (x, d = 2) => (x == null ? null : Number(x.toFixed(d)));
function peakRssMb(pid) {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return round(kb / 1024, 1);
  } catch {
    return null;
  }
}

try {
  let t = clock();
  await deadline(
    call('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dirname(file)).href,
      capabilities: {
        textDocument: {
          hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: { versionSupport: true },
        },
        workspace: { configuration: true },
      },
    }),
    20_000,
    'initialize',
  );
  write({ method: 'initialized', params: {} });
  const initMs = clock() - t;

  t = clock();
  const opened = diagnosticsFor(1);
  write({
    method: 'textDocument/didOpen',
    params: { textDocument: { uri, languageId: 'dockerfile', version: 1, text: original } },
  });
  const first = await deadline(opened, 30_000, 'diagnostics after open');
  const openMs = clock() - t;

  const editMs = [];
  let text = original;
  for (let version = 2; version < edits + 2; version++) {
    text += `\nRUN echo edit${version}`;
    const published = diagnosticsFor(version);
    t = clock();
    write({ method: 'textDocument/didChange', params: { textDocument: { uri, version }, contentChanges: [{ text }] } });
    await deadline(published, 30_000, `diagnostics after edit ${version}`);
    editMs.push(clock() - t);
  }

  const lineCount = text.split('\n').length;
  const hoverMs = [];
  let answered = 0;
  for (let i = 0; i < hovers; i++) {
    const line = (i * 7919) % lineCount; // spread over the file
    t = clock();
    const reply = await deadline(
      call('textDocument/hover', { textDocument: { uri }, position: { line, character: 1 } }),
      10_000,
      'hover',
    );
    hoverMs.push(clock() - t);
    if (reply.result) answered++;
  }
  const peak = peakRssMb(server.pid);
  await deadline(call('shutdown', null), 5000, 'shutdown').catch(() => undefined);
  write({ method: 'exit' });
  console.log(
    JSON.stringify({
      server: command.join(' '),
      file: basename(file),
      lines: original.split('\n').length,
      init_ms: round(initMs, 1),
      open_to_diagnostics_ms: round(openMs, 1),
      first_diagnostics: first.diagnostics.length,
      edit_to_diagnostics_median_ms: round(quantile(editMs, 0.5)),
      edit_to_diagnostics_p95_ms: round(quantile(editMs, 0.95)),
      hover_median_ms: round(quantile(hoverMs, 0.5)),
      hover_p95_ms: round(quantile(hoverMs, 0.95)),
      hovers_with_content: answered,
      peak_rss_mb: peak,
    }),
  );
  setTimeout(() => server.kill(), 300).unref();
} catch (e) {
  process.stderr.write(`${e}\n`);
  server.kill();
  process.exit(1);
}
