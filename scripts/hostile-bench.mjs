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
    const child = spawn(process.execPath, [path.join(dist, 'cli.js'), 'analyze', '--format', 'json', file], { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** A minimal stdio LSP session: initialize, open the file, wait for its diagnostics, then ask a hover. */
function runServer(file, text) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(dist, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const uri = `file://${file}`;
    let buf = Buffer.alloc(0);
    let peak = 0;
    let t0 = 0;
    let result = { ms: null, diagnostics: null, hover: 'no answer', exited: null };
    const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid))), 20);
    const send = (msg) => {
      const body = JSON.stringify(msg);
      child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    const finish = () => {
      clearInterval(poll);
      clearTimeout(kill);
      child.kill('SIGKILL');
      resolve({ ...result, peak });
    };
    const kill = setTimeout(finish, limitMs);
    child.stdin.on('error', () => undefined);
    child.stderr.on('data', () => undefined);
    child.on('exit', (code, signal) => {
      result.exited = signal ?? code;
      finish();
    });
    child.stdout.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString())?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString());
        buf = buf.subarray(end + 4 + len);
        if (msg.id === 1) {
          send({ jsonrpc: '2.0', method: 'initialized', params: {} });
          t0 = performance.now();
          send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'dockerfile', version: 1, text } } });
        } else if (msg.method === 'textDocument/publishDiagnostics' && msg.params.uri === uri && result.ms === null) {
          result.ms = performance.now() - t0;
          result.diagnostics = msg.params.diagnostics.length;
          send({ jsonrpc: '2.0', id: 2, method: 'textDocument/hover', params: { textDocument: { uri }, position: { line: 1, character: 0 } } });
        } else if (msg.id === 2) {
          result.hover = msg.error ? `error ${msg.error.code}` : 'answered';
          finish();
        } else if (msg.id !== undefined && msg.method) {
          send({ jsonrpc: '2.0', id: msg.id, result: msg.method === 'workspace/configuration' ? msg.params.items.map(() => null) : null });
        }
      }
    });
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { settings: { trusted: true } } } });
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
  const server = c.refused ? null : await runServer(file, fs.readFileSync(file).toString('utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  rows.push({ name: c.name, cli, server });
  process.stderr.write(`${c.name}: cli ${s(cli.ms)} exit ${cli.code}; server ${server ? s(server.ms) : '-'}\n`);
}
if (args.includes('--json')) {
  process.stdout.write(JSON.stringify({ dist, limitMs, rows }, null, 2) + '\n');
} else {
  console.log(`build: ${dist} (limit ${limitMs / 1000} s per process)\n`);
  console.log('| case | CLI time | CLI exit | CLI peak RSS | server open->diagnostics | hover after | server peak RSS |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const sv = r.server;
    const dead = sv && sv.exited !== null ? ` (server exited: ${sv.exited})` : '';
    console.log(`| ${r.name} | ${s(r.cli.ms)} | ${r.cli.code} | ${mb(r.cli.peak)} | ${sv ? (sv.ms === null ? 'none' : s(sv.ms)) + dead : 'n/a'} | ${sv ? sv.hover : 'n/a'} | ${sv ? mb(sv.peak) : 'n/a'} |`);
  }
}
