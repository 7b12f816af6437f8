// Reads how often files changed recently, for the cache model's "sources changed in 31 of the last 50 commits".
// One plain `git log --name-only` in the build context folder, bounded by a timeout; no result (undefined) when
// git is missing, the folder is not in a work tree, or git is slow.

import { execFile } from 'node:child_process';
import type { GitChurn } from '../analysis/model';

export interface ReadChurnOptions {
  /** How many recent commits to read (default 50). */
  commits?: number;
  timeoutMs?: number;
}

const SEPARATOR = '\u001e';

export function readGitChurn(dir: string, opts: ReadChurnOptions = {}): Promise<GitChurn | undefined> {
  const n = opts.commits ?? 50;
  // --relative: paths relative to `dir` (files outside it are left out; the commit still counts)
  const args = ['-C', dir, 'log', `-n${n}`, '--no-merges', '--name-only', '--relative', '--format=%x1e'];
  return new Promise((resolve) => {
    execFile('git', args, { timeout: opts.timeoutMs ?? 3000, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, stdout) => {
      if (err) {
        resolve(undefined);
        return;
      }
      resolve(parseGitLog(String(stdout)));
    });
  });
}

/** Parses the output of `git log --name-only --format=<RS>`: one block of paths per commit. */
export function parseGitLog(out: string): GitChurn {
  const commitPaths = out.split(SEPARATOR).slice(1).map((block) => block.split(/\r?\n/).map((l) => l.trim()).filter(Boolean));
  const changes = new Map<string, number>();
  for (const paths of commitPaths) for (const p of new Set(paths)) changes.set(p, (changes.get(p) ?? 0) + 1);
  return { commits: commitPaths.length, changes, commitPaths };
}
