// The command line at its edges, as a user meets them (issue 12, points 5 and 6): devices, FIFOs, binary and huge
// files are refused quickly with exit 2; --help, `lsp` without a transport, a --target naming no stage and
// --engine on without an engine say what is wrong; a closed pipe ends quietly; an internal error exits 3; terminal
// escapes in a Dockerfile never reach the terminal, and hovers over such lines carry no control character and no
// link or image from the file. Each run is bounded (a hang is a failure). Runs the bundled dist/cli.js and
// dist/server.js (LAYER_INSIGHT_DIST=DIR runs another build's, e.g. the tree before a change, to see these fail).

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient, ROOT } from '../lsp/client';

const DIST = process.env.LAYER_INSIGHT_DIST ?? path.join(ROOT, 'dist');
const CLI = path.join(DIST, 'cli.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-insight-cli-edges-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface RunOptions {
  boundMs?: number;
  /** A file descriptor to read standard input from. */
  stdin?: number;
  env?: NodeJS.ProcessEnv;
  nodeArgs?: string[];
  /** Close our end of its stdout after the first chunk (as `| head -1` does). */
  closeStdoutEarly?: boolean;
}

/** Runs the CLI; a run still going after the bound is killed (signal SIGKILL): the caller fails it. */
function run(args: string[], o: RunOptions = {}): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), CLI, ...args], {
      cwd: tmp,
      stdio: [o.stdin ?? 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...o.env },
    });
    const [stdout, stderrStream] = [
      child.stdout as NodeJS.ReadableStream & { destroy(): void },
      child.stderr as NodeJS.ReadableStream,
    ];
    const out: Buffer[] = [];
    let stderr = '';
    stdout.on('data', (d: Buffer) => {
      out.push(d);
      if (o.closeStdoutEarly) stdout.destroy();
    });
    stderrStream.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), o.boundMs ?? 10_000);
    child.on('exit', (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr, ms: Date.now() - t0 });
    });
  });
}

function refused(r: Run, message: RegExp, what: string): void {
  assert.equal(r.signal, null, `${what}: still running after its bound (killed)`);
  assert.equal(r.code, 2, `${what}: exit 2 (got ${r.code}); stderr: ${r.stderr.slice(0, 300)}`);
  assert.match(r.stderr, message, what);
  assert.equal(r.stdout, '', `${what}: no report`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${what}: a message, not a stack trace`);
}

const write = (name: string, content: string | Buffer): string => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, content);
  return f;
};

describe('files the CLI refuses', () => {
  test('/dev/zero is refused within 5 s (it used to grow to 3 GB)', async () => {
    refused(
      await run(['analyze', '/dev/zero'], { boundMs: 5_000 }),
      /cannot read \/dev\/zero: it is a character device, not a regular file/,
      '/dev/zero',
    );
  });

  test('a FIFO is refused within 5 s, not waited on', async () => {
    const fifo = path.join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    refused(
      await run(['analyze', fifo], { boundMs: 5_000 }),
      /it is a named pipe \(FIFO\), not a regular file/,
      'FIFO',
    );
  });

  test('standard input is read, but at most 8 MB (stdin from /dev/zero is refused)', async () => {
    const fd = fs.openSync('/dev/zero', 'r');
    try {
      refused(
        await run(['analyze', '-'], { stdin: fd, boundMs: 10_000 }),
        /cannot read -: it is larger than 8 MB/,
        'stdin < /dev/zero',
      );
    } finally {
      fs.closeSync(fd);
    }
    const fd2 = fs.openSync(write('small.Dockerfile', 'FROM alpine:3.20\nRUN echo hi\n'), 'r');
    try {
      const r = await run(['analyze', '--format', 'json', '-'], { stdin: fd2 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { steps: unknown[] }).steps.length, 2);
    } finally {
      fs.closeSync(fd2);
    }
  });

  test('a file over 8 MB is refused without being read', async () => {
    const big = path.join(tmp, 'big.Dockerfile');
    fs.writeFileSync(big, 'FROM alpine\n');
    fs.truncateSync(big, 8_000_001); // sparse: the size alone decides
    refused(
      await run(['analyze', big], { boundMs: 5_000 }),
      /it is larger than 8 MB, the most the CLI reads/,
      'over 8 MB',
    );
  });

  test('a binary file (NUL bytes) is refused instead of printed as garbage', async () => {
    const bytes = Buffer.alloc(200_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    bytes.write('\u007fELF', 0, 'latin1');
    refused(
      await run(['analyze', write('program', bytes)]),
      /it contains NUL bytes: a binary file, not a Dockerfile/,
      'binary',
    );
  });
});

describe('the command line says what it needs', () => {
  test('analyze --help and lsp --help print the usage with the exit codes, exit 0', async () => {
    for (const args of [
      ['analyze', '--help'],
      ['analyze', '-h'],
      ['lsp', '--help'],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /layer-insight analyze \[--format/, args.join(' '));
      assert.match(r.stdout, /3 +internal error/, 'the exit codes are listed');
    }
  });

  test('lsp without a transport says which ones it takes, exit 2, no stack trace', async () => {
    for (const args of [['lsp'], ['lsp', '--socket=abc']]) {
      const r = await run(args, { boundMs: 5_000 });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /lsp needs a transport: --stdio .*--node-ipc.*--socket=PORT/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  test('lsp --stdio through the CLI is the language server', async () => {
    const c = new LspClient([CLI, 'lsp', '--stdio']);
    try {
      const init = await c.initialize();
      assert.equal(init.serverInfo?.name, 'layer-insight');
    } finally {
      await c.stop();
    }
  });

  test('--target naming no stage is an error, as in Docker; a stage found in one of several files is not', async () => {
    const file = write('stages.Dockerfile', 'FROM alpine:3.20 AS build\nRUN echo hi\nFROM alpine:3.20 AS runtime\n');
    const r = await run(['analyze', '--target', 'nope', file]);
    refused(
      r,
      /target stage "nope" could not be found in .*stages\.Dockerfile \(stages: build, runtime\)/,
      '--target nope',
    );
    const other = write('other.Dockerfile', 'FROM alpine:3.20\n');
    const ok = await run(['analyze', '--format', 'json', '--target', 'BUILD', file, other]);
    assert.equal(ok.code, 0, ok.stderr);
    const reports = JSON.parse(ok.stdout) as { stages: { name: string | null; final: boolean }[] }[];
    assert.deepEqual(
      reports[0].stages.map((s) => s.final),
      [true, false],
      'the target is the final stage',
    );
  });

  test('--engine on without an engine says it cannot continue (not "showing estimates"), exit 2', async () => {
    const r = await run(['analyze', '--engine', 'on', write('e.Dockerfile', 'FROM alpine:3.20\n')], {
      boundMs: 15_000,
      env: { DOCKER_HOST: `unix://${path.join(tmp, 'no-engine.sock')}`, DOCKER_CONTEXT: '' },
    });
    refused(r, /--engine on: .*cannot continue without it/, '--engine on');
    assert.doesNotMatch(r.stderr, /showing estimates|estimates only/);
  });
});

describe('how the CLI ends', () => {
  test('writing into a closed pipe (| head -1) ends quietly with the exit code of the findings', async () => {
    const lines = ['FROM alpine:3.20'];
    for (let i = 0; i < 20_000; i++) lines.push(`RUN echo line ${i} && true`);
    const file = write('long.Dockerfile', lines.join('\n') + '\n');
    const r = await run(['analyze', file], { closeStdoutEarly: true, boundMs: 60_000 });
    assert.equal(r.signal, null, 'finished');
    assert.ok(r.code === 0 || r.code === 1, `exit 0 or 1, got ${r.code}`);
    assert.equal(r.stderr, '', 'nothing on stderr (no EPIPE stack)');
  });

  test('an internal error exits 3 with its own message, distinct from usage errors (2) and findings (1)', async () => {
    // a bug stands in: fstat throws a TypeError (loaded with -r, before the CLI)
    const inject = write('inject.js', "require('fs').fstatSync = () => { throw new TypeError('simulated bug'); };\n");
    const r = await run(['analyze', write('ok.Dockerfile', 'FROM alpine:3.20\n')], { nodeArgs: ['-r', inject] });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /layer-insight: internal error \(a bug: please report it\): TypeError: simulated bug/);
  });
});

describe('output injection', () => {
  const ESC = '\u001b';
  const BEL = '\u0007';
  const hostile =
    'FROM alpine:3.20 AS build\n' +
    `RUN echo "${ESC}]52;c;ZXZpbA==${BEL}"\n` +
    `RUN echo "${ESC}[2J${ESC}[H"\n` +
    `RUN echo "${ESC}]8;;http://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\"\n` +
    `LABEL a="\u009b31m \u202e"\n` +
    'COPY [x](http://evil.example/) ![i](http://evil.example/p.png) <img src=x> /app/\n';
  // eslint-disable-next-line no-control-regex
  const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  test('text report with --no-color: no raw control character from the Dockerfile reaches stdout', async () => {
    const r = await run(['analyze', '--no-color', write('esc.Dockerfile', hostile)]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const raw = RAW.exec(r.stdout);
    assert.equal(raw, null, `raw U+${raw?.[0].charCodeAt(0).toString(16).padStart(4, '0')} in the report`);
    assert.match(r.stdout, /RUN echo "\\x1b\]52;c;ZXZpbA==\\x07"/, 'shown as escapes');
  });

  test('JSON: no raw C1, DEL or bidi control either; the values parse back unchanged', async () => {
    // the hostile FROM is no image reference (no finding quotes it); copy-before-install quotes the install command
    const text = `FROM al\u009bpine\u202e${ESC}[2J\u007f\nCOPY . .\nRUN npm ci --x\u009b\u202e${ESC}[2J\u007f\n`;
    const r = await run(['analyze', '--format', 'json', write('c1.Dockerfile', text)]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.equal(RAW.exec(r.stdout.replace(/\n/g, '')), null);
    const report = JSON.parse(r.stdout) as { findings: { message: string }[] };
    assert.ok(
      report.findings.some((f) => f.message.includes(`npm ci --x\u009b\u202e${ESC}[2J\u007f`)),
      'the message keeps the text',
    );
  });

  test('hover over such lines (server over stdio): no raw control character, no link or image from the file', async () => {
    const c = new LspClient([path.join(DIST, 'server.js'), '--stdio']);
    try {
      await c.initialize();
      const uri = 'file:///tmp/layer-insight-cli-edges/Dockerfile';
      const published = c.waitForDiagnostics(uri, 1, 20_000);
      c.open(uri, hostile, 1);
      await published;
      const lines = hostile.split('\n').length - 1;
      let seen = 0;
      for (let line = 1; line < lines; line++) {
        const h = await c.request<{ contents: { value: string } } | null>('textDocument/hover', {
          textDocument: { uri },
          position: { line, character: 1 },
        });
        if (!h) continue;
        seen++;
        const value = h.contents.value;
        const raw = RAW.exec(value);
        assert.equal(
          raw,
          null,
          `line ${line + 1}: raw U+${raw?.[0].charCodeAt(0).toString(16).padStart(4, '0')} in the hover`,
        );
        // a link or image that would render: [text](...) or ![...](...) with nothing escaping its bracket
        assert.doesNotMatch(
          value,
          /(?<!\\)\[[^\]]*(?<!\\)\]\(/,
          `line ${line + 1}: a Markdown link from the file:\n${value}`,
        );
        assert.doesNotMatch(value, /(?<!\\)<img/, `line ${line + 1}: HTML from the file`);
      }
      assert.ok(seen >= 5, `hovers answered (${seen})`);
    } finally {
      await c.stop();
    }
  });
});

describe('npm run test:e2e', () => {
  test('checks its prerequisites first and names the Debian packages to install (exit 2, nothing installed)', async () => {
    const emptyBin = fs.mkdtempSync(path.join(tmp, 'bin-'));
    const e2eDir = path.join(tmp, 'e2e');
    const runner = path.join(path.dirname(DIST), 'test/e2e/run-code-server.mjs');
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [runner], {
        cwd: tmp,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PATH: emptyBin, CHROMIUM: path.join(tmp, 'no-chromium'), E2E_DIR: e2eDir },
      });
      let out = '';
      (child.stdout as NodeJS.ReadableStream).on('data', (d: Buffer) => (out += d.toString()));
      (child.stderr as NodeJS.ReadableStream).on('data', (d: Buffer) => (out += d.toString()));
      const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', (code) => {
        clearTimeout(kill);
        resolve({ code, out });
      });
    });
    assert.equal(r.code, 2, r.out.slice(0, 500));
    assert.match(r.out, /missing: Chromium .*krb5-config/);
    assert.match(r.out, /apt-get install chromium libkrb5-dev pkg-config/);
    assert.equal(fs.existsSync(e2eDir), false, 'nothing was installed');
  });
});
