#!/usr/bin/env node
// Figures for the hostile inputs of test/hostile/cases.ts: for each case, the CLI's time, exit code and peak RSS,
// and the language server's time from didOpen to diagnostics, whether it still answers a hover, and its peak RSS.
// A fresh process per case, each killed after --limit seconds. Prints a Markdown table (or JSON with --json).
//
//   npm run compile-tests && node scripts/hostile-bench.mjs [--dist DIR] [--limit S] [--only NAME,...] [--json]
//
// --dist: the dist/ folder of the build to measure (default ./dist); point it at an older build's dist/ for the
// "before" column. Linux only (peak RSS is read from /proc/<pid>/status VmHWM, polled every 20 ms).

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const dist = path.resolve(opt('--dist', path.join(root, 'dist')));
const limitMs = Number(opt('--limit', '60')) * 1000;
const only = opt('--only', '')?.split(',').filter(Boolean) ?? [];
const { HOSTILE_CASES, materialize } = require(path.join(root, 'out/test/hostile/cases.js'));

function peakRss(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs the CLI on the file; resolves with time, exit code (or 'killed'), peak RSS. */
function runCli(file) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(dist, 'cli.js'), 'analyze', '--format', 'json', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let peak = 0;
    let out = 0;
    child.stdout.on('data', (d) => (out += d.length));
    child.stderr.on('data', () => undefined);
    const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid))), 20);
    const kill = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(kill);
      resolve({ ms: performance.now() - t0, code: signal ? `killed (${signal})` : code, peak, out });
    });
  });
}

/**
 * Reads Content-Length frames from a stream and hands each parsed message to onMessage. Chunks are joined only once
 * a message is complete (joining at every chunk is quadratic on a 30 MB message).
 */
function readFrames(stream, onMessage) {
  let buf = Buffer.alloc(0);
  let chunks = [];
  let have = 0;
  let need = 0;
  stream.on('data', (chunk) => {
    chunks.push(chunk);
    have += chunk.length;
    if (have < need) return;
    buf = Buffer.concat([buf, ...chunks]);
    chunks = [];
    need = 0;
    for (;;) {
      have = buf.length;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString())?.[1] ?? 0);
      if (buf.length < end + 4 + len) {
        need = end + 4 + len;
        return;
      }
      const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString());
      buf = buf.subarray(end + 4 + len);
      onMessage(msg);
    }
  });
}

/**
 * A minimal LSP connection over the server's stdio: send, request (resolves with the whole response, error
 * included), default answers to the server's own requests, and nextDiagnostics() for the next diagnostics of `uri`.
 */
function lspConnection(child, uri) {
  const pending = new Map();
  let nextId = 1;
  let onDiagnostics = () => undefined;
  const send = (msg) => {
    const body = JSON.stringify(msg);
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  const request = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      send({ jsonrpc: '2.0', id, method, params });
    });
  readFrames(child.stdout, (msg) => {
    if (msg.id !== undefined && !msg.method) pending.get(msg.id)?.(msg);
    else if (msg.id !== undefined)
      send({
        jsonrpc: '2.0',
        id: msg.id,
        result: msg.method === 'workspace/configuration' ? msg.params.items.map(() => null) : null,
      });
    else if (msg.method === 'textDocument/publishDiagnostics' && msg.params.uri === uri) onDiagnostics(msg.params);
  });
  const nextDiagnostics = () => new Promise((resolve) => (onDiagnostics = resolve));
  return { send, request, nextDiagnostics };
}

/** initialize, open the file, wait for its diagnostics, ask a hover; with a build context, also ask the COPY line's
 * hover until it no longer says the context was not read. Fills in `result` as it goes. */
async function serverSession({ send, request, nextDiagnostics }, uri, text, withContext, result) {
  await request('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    initializationOptions: { settings: { trusted: true } },
  });
  send({ jsonrpc: '2.0', method: 'initialized', params: {} });
  const t0 = performance.now();
  const diagnostics = nextDiagnostics();
  send({
    jsonrpc: '2.0',
    method: 'textDocument/didOpen',
    params: { textDocument: { uri, languageId: 'dockerfile', version: 1, text } },
  });
  result.diagnostics = (await diagnostics).diagnostics.length;
  result.ms = performance.now() - t0;
  const h = await request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 0 } });
  result.hover = h.error ? `error ${h.error.code}` : 'answered';
  const line = text.split('\n').findIndex((l) => l.startsWith('COPY '));
  while (withContext && line >= 0) {
    const c = await request('textDocument/hover', { textDocument: { uri }, position: { line, character: 1 } });
    if (c.result && !/no build context was read/.test(c.result.contents.value)) {
      result.contextMs = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The language server on one file (serverSession), bounded by --limit; its peak RSS, and its exit if it died. */
function runServer(file, text, withContext) {
  const child = spawn(process.execPath, [path.join(dist, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const uri = `file://${file}`;
  const result = { ms: null, contextMs: null, diagnostics: null, hover: 'no answer', exited: null, peak: 0 };
  const poll = setInterval(() => (result.peak = Math.max(result.peak, peakRss(child.pid))), 20);
  child.stdin.on('error', () => undefined);
  child.stderr.on('data', () => undefined);
  let finished = false; // our own kill at the end is no exit of the server's
  const ended = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      if (!finished) result.exited = signal ?? code;
      resolve();
    }),
  );
  const limit = new Promise((resolve) => setTimeout(resolve, limitMs).unref());
  const session = serverSession(lspConnection(child, uri), uri, text, withContext, result);
  return Promise.race([session, ended, limit]).then(() => {
    clearInterval(poll);
    finished = true;
    child.kill('SIGKILL');
    return result;
  });
}

const mb = (b) => (b ? `${(b / 1e6).toFixed(0)} MB` : '-');
const s = (ms) => (ms === null ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const rows = [];
for (const c of HOSTILE_CASES) {
  if (only.length && !only.includes(c.name)) continue;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hostile-${c.name}-`));
  const file = materialize(c, dir);
  const cli = await runCli(file);
  const server =
    c.refused === true ? null : await runServer(file, fs.readFileSync(file).toString('utf8'), Boolean(c.context));
  fs.rmSync(dir, { recursive: true, force: true });
  rows.push({ name: c.name, cli, server, context: Boolean(c.context) });
  process.stderr.write(`${c.name}: cli ${s(cli.ms)} exit ${cli.code}; server ${server ? s(server.ms) : '-'}\n`);
}
if (args.includes('--json')) {
  process.stdout.write(JSON.stringify({ dist, limitMs, rows }, null, 2) + '\n');
} else {
  console.log(`build: ${dist} (limit ${limitMs / 1000} s per process)\n`);
  console.log(
    '| case | CLI time | CLI exit | CLI peak RSS | server open->diagnostics | with context read | hover after | server peak RSS |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const sv = r.server;
    const dead = sv && sv.exited !== null ? ` (server exited: ${sv.exited})` : '';
    console.log(
      `| ${r.name} | ${s(r.cli.ms)} | ${r.cli.code} | ${mb(r.cli.peak)} | ${sv ? (sv.ms === null ? 'none' : s(sv.ms)) + dead : 'n/a'} | ${sv?.contextMs ? s(sv.contextMs) : sv && r.context ? 'never' : '-'} | ${sv ? sv.hover : 'n/a'} | ${sv ? mb(sv.peak) : 'n/a'} |`,
    );
  }
}
