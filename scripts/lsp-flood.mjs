#!/usr/bin/env node
// The edit flood of issue 12 (point 3), measured: a language server gets a Dockerfile, then N didChange
// notifications in one burst (one character typed into a RUN line per change), and we time how long until the
// diagnostics of the last version arrive, count the publishes in between, read the server's peak RSS
// (/proc/<pid>/status VmHWM, Linux) and check that a hover is still answered.
//
//   node scripts/lsp-flood.mjs [--server dist/server.js] [--edits 10000] [--file test/fixtures/typical.Dockerfile]
//
// Prints one JSON line: { server, edits, lines, finalMs, publishes, hoverMs, peakRssMB }.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const server = path.resolve(opt('server', path.join(root, 'dist/server.js')));
const edits = Number(opt('edits', '10000'));
const text = fs.readFileSync(path.resolve(opt('file', path.join(root, 'test/fixtures/typical.Dockerfile'))), 'utf8');
const lines = text.split('\n');
const runLine = Math.max(
  0,
  lines.findIndex((l) => l.startsWith('RUN ')),
);
const uri = 'file:///tmp/layer-insight-flood/Dockerfile';

const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
child.stderr.resume();
const frame = (msg) => {
  const body = JSON.stringify(msg);
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};
let buf = Buffer.alloc(0);
const waiters = [];
let publishes = 0;
child.stdout.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString())[1]);
    if (buf.length < end + 4 + len) return;
    const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString());
    buf = buf.subarray(end + 4 + len);
    if (msg.method === 'textDocument/publishDiagnostics' && msg.params.uri === uri) publishes++;
    if (msg.method !== undefined && msg.id !== undefined)
      child.stdin.write(frame({ jsonrpc: '2.0', id: msg.id, result: null }));
    for (const w of [...waiters])
      if (w.match(msg)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(msg);
      }
  }
});
const waitFor = (match) => new Promise((resolve) => waiters.push({ match, resolve }));
const peakRss = () =>
  Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const fail = setTimeout(() => {
  console.log(JSON.stringify({ server, edits, error: 'no final diagnostics within 300 s' }));
  child.kill('SIGKILL');
  process.exit(1);
}, 300_000);

child.stdin.write(
  frame({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      processId: null,
      rootUri: null,
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } },
    },
  }),
);
await waitFor((m) => m.id === 1);
child.stdin.write(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
const opened = waitFor(
  (m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === 1,
);
child.stdin.write(
  frame({
    jsonrpc: '2.0',
    method: 'textDocument/didOpen',
    params: { textDocument: { uri, languageId: 'dockerfile', version: 1, text } },
  }),
);
await opened;
await new Promise((r) => setTimeout(r, 1000)); // let the build context load and its re-publish pass
publishes = 0;

const at = lines[runLine].length;
const burst = [];
for (let i = 0; i < edits; i++) {
  const ch = at + i;
  burst.push(
    frame({
      jsonrpc: '2.0',
      method: 'textDocument/didChange',
      params: {
        textDocument: { uri, version: i + 2 },
        contentChanges: [
          {
            range: { start: { line: runLine, character: ch }, end: { line: runLine, character: ch } },
            text: i % 8 === 7 ? ' ' : 'x',
          },
        ],
      },
    }),
  );
}
const final = waitFor(
  (m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === edits + 1,
);
const t0 = performance.now();
child.stdin.write(burst.join(''));
await final;
const finalMs = performance.now() - t0;
const h0 = performance.now();
child.stdin.write(
  frame({
    jsonrpc: '2.0',
    id: 2,
    method: 'textDocument/hover',
    params: { textDocument: { uri }, position: { line: runLine, character: 1 } },
  }),
);
const hover = await waitFor((m) => m.id === 2);
const hoverMs = performance.now() - h0;
const peakRssMB = peakRss();
clearTimeout(fail);
console.log(
  JSON.stringify({
    server: path.relative(process.cwd(), server),
    edits,
    lines: lines.length,
    finalMs: Math.round(finalMs),
    publishes,
    hoverMs: Math.round(hoverMs),
    hoverAnswered: Boolean(hover.result),
    peakRssMB: Math.round(peakRssMB),
  }),
);
child.kill();
