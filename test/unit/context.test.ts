// The build context reader (server/src/facts/context.ts) on hostile contexts: FIFOs, devices and symlinks to
// files outside the context are never read (a read that blocks would hang the CLI and starve the server's thread
// pool), one huge folder stops at the limits, and the CLI answers promptly on such a context.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBuildContext } from '../../server/src/facts/context';
import { repoRoot } from './estimate/helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-insight-context-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const hasMkfifo = (() => {
  try {
    execFileSync('mkfifo', [path.join(tmp, 'probe')]);
    return process.platform !== 'win32';
  } catch {
    return false;
  }
})();

let n = 0;
/** A fresh context folder with these entries: string content, { fifo }, or { link: target }. */
function context(entries: Record<string, string | { fifo: true } | { link: string }>): string {
  const dir = path.join(tmp, `ctx${n++}`);
  for (const [rel, e] of Object.entries(entries)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof e === 'string') fs.writeFileSync(p, e);
    else if ('fifo' in e) execFileSync('mkfifo', [p]);
    else fs.symlinkSync(e.link, p);
  }
  return dir;
}

/** Fails instead of hanging when the reader blocks. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

test('a FIFO .dockerignore or lockfile is listed but never opened for reading', { skip: !hasMkfifo }, async () => {
  const dir = context({
    '.dockerignore': { fifo: true },
    'yarn.lock': { fifo: true },
    'package.json': '{}',
    'src/a.js': 'x',
  });
  const ctx = await within(5_000, readBuildContext(dir));
  assert.equal(ctx.hasDockerignore, false, 'a .dockerignore that cannot be read is not applied');
  assert.deepEqual(
    ctx.files.map((f) => [f.path, f.bytes]),
    [
      ['.dockerignore', 0],
      ['package.json', 2],
      ['src/a.js', 1],
      ['yarn.lock', 0],
    ],
  );
  assert.equal(ctx.contents?.['yarn.lock'], undefined);
});

test('a lockfile linked to a device or to a file outside the context is not read', async () => {
  const outside = path.join(tmp, 'outside-secret.json');
  fs.writeFileSync(outside, '{"secret": "do not read"}');
  const dir = context({
    'package.json': '{}',
    'yarn.lock': { link: '/dev/urandom' },
    'package-lock.json': { link: fs.existsSync('/etc/passwd') ? '/etc/passwd' : outside },
    'requirements.txt': { link: outside },
    'api/requirements.txt': { link: '../../' + path.basename(outside) },
  });
  const t0 = Date.now();
  const ctx = await within(5_000, readBuildContext(dir));
  assert.ok(Date.now() - t0 < 3_000, 'no gigabyte read from /dev/urandom');
  assert.deepEqual(Object.keys(ctx.contents ?? {}), [], 'nothing outside the context reaches the analysis');
  // Docker sends the links themselves: they are listed, as links (0 bytes), not their targets' sizes
  assert.deepEqual(
    ctx.files.map((f) => [f.path, f.bytes]),
    [
      ['api/requirements.txt', 0],
      ['package-lock.json', 0],
      ['package.json', 2],
      ['requirements.txt', 0],
      ['yarn.lock', 0],
    ],
  );
});

test(
  'a lockfile linked to a regular file inside the context is read; links to FIFOs or loops are not',
  { skip: !hasMkfifo },
  async () => {
    const lock = '{"lockfileVersion": 3, "packages": {}}';
    const dir = context({
      'shared/package-lock.json': lock,
      'app/package-lock.json': { link: '../shared/package-lock.json' },
      pipe: { fifo: true },
      'requirements.txt': { link: 'pipe' },
      'loop/requirements.txt': { link: 'requirements.txt' },
      '.dockerignore': { link: 'shared/ignore' },
      'shared/ignore': 'pipe\n',
    });
    const ctx = await within(5_000, readBuildContext(dir));
    assert.equal(ctx.contents?.['app/package-lock.json'], lock);
    assert.equal(ctx.contents?.['shared/package-lock.json'], lock);
    assert.equal(ctx.contents?.['requirements.txt'], undefined);
    assert.equal(ctx.contents?.['loop/requirements.txt'], undefined);
    assert.equal(
      ctx.hasDockerignore,
      true,
      'a .dockerignore linked inside the context is read, as the Docker CLI does',
    );
    assert.ok(!ctx.files.some((f) => f.path === 'pipe'));
  },
);

test('a .dockerignore linked outside the context is not read', async () => {
  const outside = path.join(tmp, 'outside-ignore');
  fs.writeFileSync(outside, '*\n');
  const dir = context({ '.dockerignore': { link: outside }, 'a.txt': 'a' });
  const ctx = await readBuildContext(dir);
  assert.equal(ctx.hasDockerignore, false);
  assert.deepEqual(
    ctx.files.map((f) => f.path),
    ['.dockerignore', 'a.txt'],
  );
});

test('one folder of many files stops at the file limit and at the deadline, and says so', async () => {
  const dir = path.join(tmp, 'many');
  fs.mkdirSync(path.join(dir, 'big'), { recursive: true });
  for (let i = 0; i < 20_000; i++) fs.closeSync(fs.openSync(path.join(dir, 'big', `f${i}`), 'w'));
  const limited = await within(10_000, readBuildContext(dir, { maxFiles: 5_000 }));
  assert.equal(limited.truncated, true);
  assert.equal(limited.files.length, 5_000, 'the limit holds inside one folder');
  const t0 = Date.now();
  const hurried = await within(10_000, readBuildContext(dir, { maxMillis: 50 }));
  assert.equal(hurried.truncated, true);
  assert.ok(hurried.files.length < 20_000);
  assert.ok(Date.now() - t0 < 5_000, `the deadline holds inside one folder (${Date.now() - t0} ms)`);
  const all = await within(10_000, readBuildContext(dir, { maxMillis: 20_000 }));
  assert.equal(all.truncated, false);
  assert.equal(all.files.length, 20_000);
});

test('.dockerignore: an ignored folder is skipped unless an exception may bring something back', async () => {
  const dir = context({
    '.dockerignore': 'node_modules\nbuild\n!build/keep.txt\n**/*.log\n',
    'node_modules/x/index.js': 'x',
    'build/out.bin': 'bin',
    'build/keep.txt': 'keep',
    'src/a.log': 'log',
    'src/a.js': 'js',
  });
  const ctx = await readBuildContext(dir);
  assert.deepEqual(
    ctx.files.map((f) => f.path),
    ['.dockerignore', 'build/keep.txt', 'src/a.js'],
  );
});

test(
  'the CLI answers promptly on a context with a FIFO .dockerignore and a FIFO yarn.lock',
  { skip: !hasMkfifo },
  async () => {
    const dir = context({
      '.dockerignore': { fifo: true },
      'yarn.lock': { fifo: true },
      'package.json': '{}',
      Dockerfile: 'FROM node:20\nCOPY package.json yarn.lock ./\nRUN yarn install\nCOPY [z-a] /x\n',
    });
    const cli = path.join(repoRoot(), 'dist', 'cli.js');
    const run = await new Promise<{ code: number | null; ms: number; out: string }>((resolve) => {
      const t0 = Date.now();
      const child = spawn(process.execPath, [cli, 'analyze', '--format', 'json', path.join(dir, 'Dockerfile')], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('exit', (code) => {
        clearTimeout(kill);
        resolve({ code, ms: Date.now() - t0, out });
      });
    });
    assert.ok(run.ms < 15_000, `answered in ${run.ms} ms`);
    assert.notEqual(run.code, null, 'not killed');
    assert.doesNotThrow(() => JSON.parse(run.out), 'a whole report was written');
  },
);

test('the workspace members and install scripts project files declare are read, outside node_modules; plain manifests declare none', async () => {
  const dir = context({
    'package.json': '{"workspaces": ["packages/*"]}',
    'packages/a/package.json': '{"name": "a", "scripts": {"prepare": "tsc"}}',
    'node_modules/x/package.json': '{"workspaces": ["evil"]}',
    'go.work': 'use ./svc\n',
    'svc/Cargo.toml': '[workspace]\nmembers = ["c"]\n',
  });
  const facts = await readBuildContext(dir);
  assert.deepEqual(facts.workspaces, {
    'go.work': ['./svc'],
    'package.json': ['packages/*'],
    'packages/a/package.json': [],
    'svc/Cargo.toml': ['c'],
  });
  assert.deepEqual(facts.installScripts, { 'package.json': {}, 'packages/a/package.json': { prepare: 'tsc' } });
});
