// The hostile-input suite (issue 12): every case of test/hostile/cases.ts through the CLI and through the
// language server over stdio. Each must be answered within its bound (a hang is a failure, not a slow test), the
// CLI must give a result (or refuse with exit 2 where the case says so), the server must stay alive and answer a
// hover after each case, and its peak memory over the whole run stays bounded. Then random Dockerfiles from a
// fixed seed go through the server for a fixed time budget.
//
// Bounds are ceilings for a busy 2-core machine; scripts/hostile-bench.mjs prints the real figures.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HOSTILE_CASES, materialize, type HostileCase } from '../hostile/cases';
import { fuzzInputs } from '../hostile/fuzz';
import { LspClient, ROOT, withTimeout } from './client';

const CLI = path.join(ROOT, 'dist/cli.js');
const DEFAULT_BOUND_MS = 8_000;
/** The server's peak resident memory over every case of this file. */
const SERVER_PEAK_BOUND = 1_500 * 1024 * 1024;

interface CliRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runCli(args: string[], boundMs: number): Promise<CliRun> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), boundMs);
    child.on('exit', (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr, ms: Date.now() - t0 });
    });
  });
}

function peakRss(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // not Linux: no figure
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-insight-hostile-'));
const made = new Map<string, string>();
function fileOf(c: HostileCase): string {
  let f = made.get(c.name);
  if (!f) made.set(c.name, (f = materialize(c, path.join(tmp, c.name))));
  return f;
}

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('hostile inputs through the CLI', () => {
  for (const c of HOSTILE_CASES) {
    const bound = c.boundMs ?? DEFAULT_BOUND_MS;
    test(`${c.name}: ${c.refused ? 'refused' : 'analysed'} within ${bound / 1000} s (was: ${c.was})`, async () => {
      const r = await runCli(['analyze', '--format', 'json', fileOf(c)], bound);
      assert.equal(r.signal, null, `killed after ${bound} ms: the CLI did not finish\n${r.stderr.slice(0, 500)}`);
      if (c.refused) {
        assert.equal(r.code, 2, `refused with exit 2 (got ${r.code})`);
        assert.match(r.stderr, /layer-insight: /);
        return;
      }
      assert.ok(r.code === 0 || r.code === 1, `exit 0 or 1 (findings), got ${r.code}: ${r.stderr.slice(0, 500)}`);
      const report = JSON.parse(r.stdout) as { steps: unknown[]; file: string };
      assert.ok(Array.isArray(report.steps), 'a JSON report with steps');
    });
  }

  test('the text report writes no control character from the Dockerfile, also with --no-color', async () => {
    const c = HOSTILE_CASES.find((x) => x.name === 'terminal-escapes') as HostileCase;
    const r = await runCli(['analyze', '--no-color', fileOf(c)], DEFAULT_BOUND_MS);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.exec(r.stdout);
    assert.equal(
      control,
      null,
      `a raw control character U+${control?.[0].charCodeAt(0).toString(16).padStart(4, '0')} reached the terminal`,
    );
    assert.ok(r.stdout.includes('RUN') || r.stdout.length > 0, 'still a report');
  });
});

interface Hover {
  contents: { value: string };
}

async function contextRead(c: LspClient, uri: string, text: string, deadline: number): Promise<void> {
  const line = text.split('\n').findIndex((l) => l.startsWith('COPY '));
  assert.ok(line >= 0, 'a context case has a COPY line');
  for (;;) {
    const h = await c.request<Hover | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: 1 },
    });
    if (h && !/no build context was read/.test(h.contents.value)) return;
    assert.ok(
      Date.now() < deadline,
      `the build context of ${uri} was still not read: ${h?.contents.value.slice(0, 300)}`,
    );
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('hostile inputs through the language server', () => {
  let c: LspClient;
  let peak = 0;
  before(async () => {
    c = new LspClient();
    await c.initialize({ settings: { trusted: true } });
  });
  after(async () => {
    await c.stop();
  });

  for (const hc of HOSTILE_CASES.filter((x) => x.refused !== true)) {
    const bound = hc.boundMs ?? DEFAULT_BOUND_MS;
    test(`${hc.name}: diagnostics within ${bound / 1000} s, then a hover is answered`, async () => {
      if (!c.alive) {
        // an earlier case killed it: that case failed; give this one a server of its own
        c = new LspClient();
        await c.initialize({ settings: { trusted: true } });
      }
      const file = fileOf(hc);
      const uri = `file://${file}`;
      const text = fs.readFileSync(file).toString('utf8');
      const published = c.waitForDiagnostics(uri, 1, bound);
      c.open(uri, text, 1);
      const d = await published;
      assert.ok(Array.isArray(d.diagnostics));
      // with a build context, the server must also finish reading it: the COPY line's hover stops saying it was not
      // read
      if (hc.context) await contextRead(c, uri, text, Date.now() + bound);
      const hover = c.request(
        'textDocument/hover',
        { textDocument: { uri }, position: { line: 1, character: 0 } },
        bound,
      );
      await hover;
      assert.ok(c.alive, `the server is alive after ${hc.name}`);
      peak = Math.max(peak, peakRss(c.child.pid));
      c.notify('textDocument/didClose', { textDocument: { uri } });
    });
  }

  test('random Dockerfiles (fixed seed, 15 s budget) never end the server', async () => {
    const inputs = fuzzInputs(20261206, 400);
    const deadline = Date.now() + 15_000;
    let done = 0;
    for (const [i, text] of inputs.entries()) {
      if (Date.now() > deadline) break;
      const uri = `file:///tmp/layer-insight-fuzz/${i}/Dockerfile`;
      const published = c.waitForDiagnostics(uri, 1, DEFAULT_BOUND_MS);
      c.open(uri, text, 1);
      await published;
      await withTimeout(
        c.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } }),
        DEFAULT_BOUND_MS,
        'hover',
      );
      c.notify('textDocument/didClose', { textDocument: { uri } });
      done++;
    }
    assert.ok(c.alive, 'the server is alive after the fuzz');
    assert.ok(done >= 50, `at least 50 random files analysed in the budget (did ${done})`);
    peak = Math.max(peak, peakRss(c.child.pid));
  });

  test('peak memory of the server over every case stays bounded', () => {
    peak = Math.max(peak, peakRss(c.child.pid));
    assert.ok(
      peak < SERVER_PEAK_BOUND,
      `peak RSS ${(peak / 1e6).toFixed(0)} MB < ${SERVER_PEAK_BOUND / 1024 / 1024} MiB`,
    );
  });
});
