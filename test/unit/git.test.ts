// readGitChurn (facts/git.ts) as the CLI and the server call it: the folder's own history whatever GIT_* variables
// the caller has (a CLI run from a git hook has GIT_DIR set), nothing outside a work tree, and a git that hangs
// (a config including a FIFO) given up within the time bound. The hostile repositories are in test/lsp/git-hostile.

import { testGitEnv } from '../git';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitEnv, readGitChurn } from '../../server/src/facts/git';

const skip =
  process.platform === 'win32' || spawnSync('git', ['--version']).status !== 0 ? 'needs git and mkfifo' : false;

function repoWithCommits(root: string, name: string, files: string[]): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  const env = testGitEnv();
  const git = (...args: string[]) =>
    assert.equal(spawnSync('git', args, { cwd: dir, env }).status, 0, `git ${args.join(' ')}`);
  git('init', '-q', '.');
  for (const f of files) {
    fs.appendFileSync(path.join(dir, f), 'x\n');
    git('add', '.');
    git('commit', '-q', '-m', f);
  }
  return dir;
}

test('gitEnv drops every GIT_* variable of the caller and turns off lazy fetch, prompts and the pager', () => {
  const env = gitEnv({
    PATH: '/bin',
    GIT_DIR: '/elsewhere',
    git_work_tree: '/w',
    GIT_EXTERNAL_DIFF: 'x',
    GIT_CONFIG_COUNT: '1',
  });
  assert.equal(env.PATH, '/bin');
  for (const k of ['GIT_DIR', 'git_work_tree', 'GIT_EXTERNAL_DIFF', 'GIT_CONFIG_COUNT'])
    assert.equal(env[k], undefined, k);
  assert.equal(env.GIT_NO_LAZY_FETCH, '1');
  assert.equal(env.GIT_TERMINAL_PROMPT, '0');
  assert.equal(env.GIT_PAGER, 'cat');
});

test('the history of the folder asked for, even with GIT_DIR naming another repository', { skip }, async () => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-insight-git-')));
  const saved = process.env.GIT_DIR;
  try {
    const mine = repoWithCommits(root, 'mine', ['a.txt', 'a.txt', 'b.txt']);
    const other = repoWithCommits(root, 'other', ['z.txt']);
    process.env.GIT_DIR = path.join(other, '.git');
    const churn = await readGitChurn(mine);
    assert.equal(churn?.commits, 3);
    assert.equal(churn?.changes.get('a.txt'), 2);
    assert.equal(churn?.changes.get('z.txt'), undefined);
  } finally {
    if (saved === undefined) delete process.env.GIT_DIR;
    else process.env.GIT_DIR = saved;
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a git that hangs (its config includes a FIFO) is given up within the time bound', { skip }, async () => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-insight-git-')));
  try {
    const dir = repoWithCommits(root, 'stuck', ['a.txt']);
    const fifo = path.join(root, 'config.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    fs.appendFileSync(path.join(dir, '.git/config'), `[include]\n\tpath = ${fifo}\n`);
    const started = Date.now();
    assert.equal(await readGitChurn(dir, { timeoutMs: 1_000 }), undefined);
    assert.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
