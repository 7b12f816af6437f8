// Hostile git repositories (issue 12): reading the git history of a Dockerfile's folder must never run a program
// the repository chooses, in the CLI or in the language server, trusted or not; and the history still shows in a
// normal repository. Every repository is built here with plain git commands; each route points at a script that
// only creates a marker file, and a test passes when no marker exists.
// LAYER_INSIGHT_BUILD=/other/tree runs these tests against another build (its dist/cli.js and dist/server.js).

import { testGitEnv } from '../git';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, ROOT } from './client';

const BUILD = process.env.LAYER_INSIGHT_BUILD ?? ROOT;
const DOCKERFILE = 'FROM alpine\nCOPY . /app\nRUN echo hi\n';
const CHURN = /changed in \d+ of the last \d+ commits/;
const hasGit = spawnSync('git', ['--version']).status === 0;
const skip = process.platform === 'win32' || !hasGit ? 'needs git and /bin/sh' : false;

/** The repositories of one run: each a folder holding a Dockerfile. */
interface Repos {
  root: string;
  markers: string;
  hostile: Record<string, string>;
  normal: string;
}

function git(cwd: string, args: string[], input?: string): string {
  const env = testGitEnv();
  const r = spawnSync('git', args, { cwd, env, input, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A script that only creates markers/<name>; its absolute path. */
function evil(r: Repos, name: string): string {
  const file = path.join(r.root, 'scripts', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\ntouch '${path.join(r.markers, name)}'\ncat >/dev/null\nexit 1\n`, { mode: 0o755 });
  return file;
}

/** A commit with a (fake) signature header on `tree`: `git log --show-signature` hands it to gpg.program. */
function signedCommit(dir: string, tree: string, parent?: string): string {
  const head = `tree ${tree}\n${parent ? `parent ${parent}\n` : ''}author a <a@example.com> 1700000000 +0000\ncommitter a <a@example.com> 1700000000 +0000\n`;
  const sig = 'gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n';
  return git(dir, ['hash-object', '-t', 'commit', '-w', '--stdin'], `${head}${sig}\nsigned\n`);
}

/** (a) The Dockerfile's folder is a bare repository (HEAD, objects/, refs/, config) that git discovers. */
function embeddedBare(r: Repos): string {
  const dir = path.join(r.root, 'bare');
  fs.mkdirSync(dir);
  git(dir, ['init', '-q', '--bare', '.']);
  fs.copyFileSync(evil(r, 'bare-gpg'), path.join(dir, 'evil.sh'));
  fs.chmodSync(path.join(dir, 'evil.sh'), 0o755);
  git(dir, ['update-ref', 'refs/heads/main', signedCommit(dir, git(dir, ['mktree'], ''))]);
  git(dir, ['symbolic-ref', 'HEAD', 'refs/heads/main']);
  git(dir, ['config', 'log.showSignature', 'true']);
  git(dir, ['config', 'gpg.program', './evil.sh']); // relative: git runs it from the repository
  fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  return dir;
}

/** A work tree with a few commits touching app.txt. */
function workTree(r: Repos, name: string): string {
  const dir = path.join(r.root, name);
  fs.mkdirSync(dir);
  git(dir, ['init', '-q', '.']);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  for (let i = 1; i <= 3; i++) {
    fs.appendFileSync(path.join(dir, 'app.txt'), `${i}\n`);
    git(dir, ['add', '.']);
    git(dir, ['commit', '-q', '-m', `change ${i}`]);
  }
  return dir;
}

/** (b) A partial clone missing its newest tree, whose promisor remote's uploadpack is a command (lazy fetch). */
function partialClone(r: Repos): string {
  const dir = workTree(r, 'partial');
  const tree = git(dir, ['rev-parse', 'HEAD^{tree}']);
  fs.rmSync(path.join(dir, '.git/objects', tree.slice(0, 2), tree.slice(2)));
  for (const [k, v] of [
    ['core.repositoryformatversion', '1'],
    ['extensions.partialClone', 'origin'],
    ['remote.origin.promisor', 'true'],
    ['remote.origin.url', path.join(r.root, 'nowhere')],
    ['remote.origin.uploadpack', evil(r, 'partial-uploadpack')],
    ['protocol.file.allow', 'always'], // outranks a `-c protocol.allow=never` alone
  ])
    git(dir, ['config', k, v]);
  return dir;
}

/** (c) A work tree whose .git is a file naming a bare repository elsewhere, with an absolute gpg.program. */
function gitFile(r: Repos): string {
  const store = path.join(r.root, 'elsewhere.git');
  fs.mkdirSync(store);
  git(store, ['init', '-q', '--bare', '.']);
  git(store, ['update-ref', 'refs/heads/main', signedCommit(store, git(store, ['mktree'], ''))]);
  git(store, ['symbolic-ref', 'HEAD', 'refs/heads/main']);
  git(store, ['config', 'log.showSignature', 'true']);
  git(store, ['config', 'gpg.program', evil(r, 'gitfile-gpg')]);
  const dir = path.join(r.root, 'gitfile');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, '.git'), `gitdir: ${store}\n`);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  return dir;
}

/** (d) A normal work tree whose config (and a file it includes) names a program for every key we know of. */
function everyKey(r: Repos): string {
  const dir = workTree(r, 'every-key');
  fs.writeFileSync(path.join(dir, '.gitattributes'), '* diff=evil filter=evil\n');
  git(dir, ['add', '.gitattributes']);
  git(dir, ['commit', '-q', '-m', 'attributes']);
  git(dir, [
    'update-ref',
    'HEAD',
    signedCommit(dir, git(dir, ['rev-parse', 'HEAD^{tree}']), git(dir, ['rev-parse', 'HEAD'])),
  ]);
  const keys = [
    'core.fsmonitor',
    'core.pager',
    'pager.log',
    'core.sshCommand',
    'core.gitProxy',
    'core.askPass',
    'core.editor',
    'core.alternateRefsCommand',
    'diff.external',
    'diff.evil.textconv',
    'diff.evil.command',
    'filter.evil.clean',
    'filter.evil.smudge',
    'filter.evil.process',
    'gpg.program',
    'gpg.openpgp.program',
    'gpg.ssh.program',
    'gpg.x509.program',
    'uploadpack.packObjectsHook',
    'remote.origin.uploadpack',
    'sequence.editor',
  ];
  for (const k of keys) git(dir, ['config', k, evil(r, `every-${k}`)]);
  git(dir, ['config', 'credential.helper', `!${evil(r, 'every-credential.helper')}`]);
  git(dir, ['config', 'remote.origin.url', path.join(r.root, 'nowhere')]);
  const hooks = path.join(dir, 'evil-hooks');
  fs.mkdirSync(hooks);
  for (const h of ['post-index-change', 'reference-transaction', 'fsmonitor-watchman', 'post-checkout'])
    fs.copyFileSync(evil(r, `every-hook-${h}`), path.join(hooks, h));
  git(dir, ['config', 'core.hooksPath', hooks]);
  const included = path.join(r.root, 'included.config');
  fs.writeFileSync(included, `[log]\n\tshowSignature = true\n[gpg]\n\tprogram = ${evil(r, 'every-included-gpg')}\n`);
  git(dir, ['config', 'include.path', included]);
  git(dir, ['config', 'log.showSignature', 'true']);
  return dir;
}

function buildRepos(): Repos {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-insight-git-hostile-')));
  const r: Repos = { root, markers: path.join(root, 'markers'), hostile: {}, normal: '' };
  fs.mkdirSync(r.markers);
  r.hostile = { bare: embeddedBare(r), partial: partialClone(r), gitfile: gitFile(r), everyKey: everyKey(r) };
  r.normal = workTree(r, 'normal');
  return r;
}

const markers = (r: Repos): string[] => fs.readdirSync(r.markers);
const dockerfileUri = (dir: string): string => pathToFileURL(path.join(dir, 'Dockerfile')).href;

function cliJson(dockerfile: string): string {
  const r = spawnSync(process.execPath, [path.join(BUILD, 'dist/cli.js'), 'analyze', '--format', 'json', dockerfile], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.ok(r.status === 0 || r.status === 1, `analyze ${dockerfile}: exit ${r.status} ${r.stderr}`);
  return r.stdout;
}

/** The hover of the COPY line of an open Dockerfile. */
async function copyHover(c: LspClient, uri: string): Promise<string> {
  const h = await c.request<{ contents: { value: string } } | null>('textDocument/hover', {
    textDocument: { uri },
    position: { line: 1, character: 1 },
  });
  return h?.contents.value ?? '';
}

/**
 * The COPY hover once it shows the churn note, or after `ms` without it: waiting for the note (`want`), or
 * watching that it never comes.
 */
async function hoverUntil(c: LspClient, uri: string, want: boolean, ms: number): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await copyHover(c, uri);
    if (CHURN.test(value) || Date.now() > end) return value;
    await new Promise((res) => setTimeout(res, want ? 100 : 250));
  }
}

describe('hostile git repositories', { skip }, () => {
  let r: Repos;
  before(() => (r = buildRepos()));
  after(() => fs.rmSync(r.root, { recursive: true, force: true }));

  test('the CLI runs no program of the repository, and still reads a normal history', () => {
    for (const dir of Object.values(r.hostile)) cliJson(path.join(dir, 'Dockerfile'));
    assert.deepEqual(markers(r), [], 'programs that ran (markers/<repository>-<route>)');
    assert.match(
      cliJson(path.join(r.hostile.everyKey, 'Dockerfile')),
      CHURN,
      'history read despite the hostile config',
    );
    assert.match(cliJson(path.join(r.normal, 'Dockerfile')), /changed in 3 of the last 3 commits/);
  });

  for (const trusted of [true, false]) {
    test(`the language server (${trusted ? 'trusted' : 'untrusted'} workspace) runs no program of the repository`, async () => {
      const c = new LspClient([path.join(BUILD, 'dist/server.js'), '--stdio']);
      try {
        await c.initialize({ settings: { trusted } });
        for (const dir of [...Object.values(r.hostile), r.normal]) {
          const published = c.waitForDiagnostics(dockerfileUri(dir));
          c.open(dockerfileUri(dir), DOCKERFILE);
          await published;
        }
        // the normal folder's history arrives when trusted (git ran for every folder by then); never when not
        const normal = await hoverUntil(c, dockerfileUri(r.normal), trusted, trusted ? 15_000 : 2_000);
        assert.equal(CHURN.test(normal), trusted, `history in the hover: ${normal}`);
        await new Promise((res) => setTimeout(res, 1_000));
        assert.deepEqual(markers(r), []);
        if (!trusted) {
          // trust granted later: the history may then be read, and still no program runs
          c.notify('workspace/didChangeConfiguration', { settings: { layerInsight: { trusted: true } } });
          assert.match(await hoverUntil(c, dockerfileUri(r.normal), true, 15_000), CHURN, 'history once trusted');
          await new Promise((res) => setTimeout(res, 1_000));
          assert.deepEqual(markers(r), []);
        }
        assert.ok(c.alive, 'server alive');
      } finally {
        await c.stop();
      }
    });
  }
});
