// Reads how often files changed recently, for the cache model's "sources changed in 31 of the last 50 commits".
// A plain `git log --name-only` in the build context folder; no result (undefined) when git is missing, the folder
// is not in a normal work tree, or git is slow or says too much.
//
// The repository is untrusted input: its config (or one a committed bare repository brings along) can name programs
// that git runs (gpg.program with log.showSignature, a promisor remote's uploadpack on a lazy fetch of a missing
// object, core.fsmonitor, external diff and textconv drivers, a pager, ...). Every git we start is hardened so that
// none of those can run: see gitEnv() and HARDENING below, and the README's "Threat model".

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { GitChurn } from '../analysis/model';

export interface ReadChurnOptions {
  /** How many recent commits to read (default 50). */
  commits?: number;
  /** For both git processes together (default 3 s). */
  timeoutMs?: number;
}

const SEPARATOR = '\u001e';
/** Most output we read from git (50 commits' names): more is a hostile or a pathological repository. */
const MAX_OUTPUT = 8 * 1024 * 1024;
/**
 * The only transport git may use (GIT_ALLOW_PROTOCOL): a name no transport has, so every fetch, lazy fetch or
 * remote helper is refused whatever the repository's protocol.<name>.allow says.
 */
const NO_PROTOCOL = 'layer-insight-none';

/** `-c` settings that win over the repository's (and any file it includes). */
const HARDENING: readonly string[] = [
  'safe.bareRepository=explicit', // a bare repository found by discovery (one committed inside a project) is refused
  'protocol.allow=never', // no transport: no lazy fetch of missing objects through a promisor remote's uploadpack
  'core.fsmonitor=false', // no fsmonitor hook
  'core.hooksPath=/dev/null', // no hooks (git log runs none; a later git might)
  'core.pager=cat',
  'log.showSignature=false', // no gpg.program, gpg.ssh.program, gpg.x509.program
  'log.mailmap=false', // no mailmap.file read from anywhere on disk
  'diff.renames=false', // names as committed: no blob reads for rename detection
];

/** A git command line in `dir`: the hardening options, then the command. */
function gitArgs(dir: string, command: string[]): string[] {
  return ['--no-pager', ...HARDENING.flatMap((kv) => ['-c', kv]), '-C', dir, ...command];
}

/** `git log` with every per-command switch that closes a route. */
export function churnArgs(dir: string, commits: number): string[] {
  return gitArgs(dir, [
    'log',
    `-n${commits}`,
    '--no-merges',
    '--name-only',
    '--relative',
    '--format=%x1e',
    '--no-show-signature',
    '--no-ext-diff',
    '--no-textconv',
    '--no-color',
    '--no-renames',
  ]);
}

/**
 * Our environment without any GIT_* variable (GIT_DIR, GIT_CONFIG_*, GIT_EXTERNAL_DIFF, GIT_SSH_COMMAND... would
 * point git elsewhere or run programs), plus what keeps git from running anything or waiting for anyone.
 */
export function gitEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!/^GIT_/i.test(k)) env[k] = v;
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_NO_LAZY_FETCH: '1', // git >= 2.39.4 / 2.44: never fetch a missing object
    GIT_ALLOW_PROTOCOL: NO_PROTOCOL, // older git: protocol.<name>.allow in the repository cannot re-enable one
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
  };
}

export async function readGitChurn(dir: string, opts: ReadChurnOptions = {}): Promise<GitChurn | undefined> {
  const deadline = Date.now() + (opts.timeoutMs ?? 3000);
  // a normal work tree only: not a bare repository, nor a .git file pointing at one (older git has no
  // safe.bareRepository; a newer one refuses a discovered bare repository here already)
  const inside = await runGit(gitArgs(dir, ['rev-parse', '--is-inside-work-tree']), deadline);
  if (inside?.trim() !== 'true') return undefined;
  const out = await runGit(churnArgs(dir, opts.commits ?? 50), deadline);
  return out === undefined ? undefined : parseGitLog(out);
}

/** Runs git hardened, without stdin; its stdout, or undefined on any failure, past the deadline or MAX_OUTPUT. */
export function runGit(args: string[], deadline: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const ms = deadline - Date.now();
    if (ms <= 0) return resolve(undefined);
    let child: ChildProcessByStdio<null, Readable, null>;
    try {
      child = spawn('git', args, { env: gitEnv(), stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });
    } catch {
      return resolve(undefined); // e.g. a folder name with a NUL
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const stop = (): void => {
      failed = true;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(stop, ms);
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_OUTPUT) stop();
      else chunks.push(c);
    });
    child.on('error', () => (failed = true));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(failed || code !== 0 ? undefined : Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** Parses the output of `git log --name-only --format=<RS>`: one block of paths per commit. */
export function parseGitLog(out: string): GitChurn {
  const commitPaths = out
    .split(SEPARATOR)
    .slice(1)
    .map((block) =>
      block
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
    );
  const changes = new Map<string, number>();
  for (const paths of commitPaths) for (const p of new Set(paths)) changes.set(p, (changes.get(p) ?? 0) + 1);
  return { commits: commitPaths.length, changes, commitPaths };
}
