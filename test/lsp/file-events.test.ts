// A flood of file events (issue 12: an `npm install` or a branch switch in the workspace) through the language
// server over stdio: the folder is read again once per batch, never once per event, and a closed document's folder
// is not read again at all. Counted through a `git` on PATH that logs each start and runs the real one.

import { testGitEnv } from '../git';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, ROOT } from './client';

const BUILD = process.env.LAYER_INSIGHT_BUILD ?? ROOT;
const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
const skip = process.platform === 'win32' || !realGit ? 'needs git and /bin/sh' : false;

let root = '';
let log = '';
let repo = '';
let c: LspClient;

const gitStarts = (): number =>
  fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0;
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** Waits until git has not been started for `quietMs` (or `maxMs` passed); the number of starts. */
async function settled(quietMs = 1_500, maxMs = 20_000): Promise<number> {
  const end = Date.now() + maxMs;
  let n = gitStarts();
  let since = Date.now();
  while (Date.now() - since < quietMs && Date.now() < end) {
    await sleep(100);
    if (gitStarts() !== n) [n, since] = [gitStarts(), Date.now()];
  }
  return n;
}

function fileEvents(count: number): void {
  for (let i = 0; i < count; i++) {
    const uri = pathToFileURL(path.join(repo, 'node_modules', `pkg${i}`, 'index.js')).href;
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 1 }] });
  }
}

before(async () => {
  if (skip) return;
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-insight-file-events-')));
  log = path.join(root, 'git-starts.log');
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGit}' "$@"\n`, {
    mode: 0o755,
  });
  repo = path.join(root, 'repo');
  fs.mkdirSync(repo);
  fs.writeFileSync(path.join(repo, 'Dockerfile'), 'FROM alpine\nCOPY . /app\n');
  const env = testGitEnv();
  for (const args of [
    ['init', '-q', '.'],
    ['add', '.'],
    ['commit', '-q', '-m', 'one'],
  ])
    spawnSync(realGit, args, { cwd: repo, env });
  const saved = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${saved ?? ''}`; // the server inherits it
  c = new LspClient([path.join(BUILD, 'dist/server.js'), '--stdio']);
  process.env.PATH = saved;
  await c.initialize({ settings: { trusted: true } });
});
after(async () => {
  if (skip) return;
  await c.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('2,000 file events read the folder again a few times, not once per event', { skip }, async (t) => {
  const uri = pathToFileURL(path.join(repo, 'Dockerfile')).href;
  const published = c.waitForDiagnostics(uri);
  c.open(uri, 'FROM alpine\nCOPY . /app\n');
  await published;
  const opened = await settled();
  assert.ok(opened >= 1, 'git read the history on open');
  fileEvents(2_000);
  const flooded = (await settled()) - opened;
  t.diagnostic(`git starts: ${opened} on open, ${flooded} for 2,000 file events`);
  assert.ok(flooded >= 1, 'the folder is read again after the events');
  assert.ok(flooded <= 3 * opened, `git started ${flooded} times for 2,000 events (${opened} for one read)`);
  const hover = await c.request<{ contents: { value: string } } | null>('textDocument/hover', {
    textDocument: { uri },
    position: { line: 1, character: 1 },
  });
  assert.ok(hover, 'server answers after the flood');

  // closed: the folder's facts are released and its file events read nothing
  c.notify('textDocument/didClose', { textDocument: { uri } });
  await sleep(200);
  const closed = gitStarts();
  fileEvents(50);
  assert.equal((await settled()) - closed, 0, 'no git for the folder of a closed document');
});
