// Reads a build context folder as the builder would see it: every file not excluded by .dockerignore, with its
// size. The result is plain data for analysis/. Bounded in files and time so a huge folder never hangs the editor.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildContextFacts, ContextFile } from '../analysis/model';
// @balena/dockerignore follows Docker's own pattern rules (moby/patternmatcher), exceptions (!) included
import dockerignore from '@balena/dockerignore';

export interface ReadContextOptions {
  maxFiles?: number;
  maxMillis?: number;
  /** The Dockerfile's path, if inside the context: Docker always sends it, but COPY . . does copy it unless ignored. */
  dockerfile?: string;
}

export async function readBuildContext(root: string, opts: ReadContextOptions = {}): Promise<BuildContextFacts> {
  const maxFiles = opts.maxFiles ?? 50_000;
  const deadline = Date.now() + (opts.maxMillis ?? 3_000);
  let ignoreText = '';
  let hasDockerignore = false;
  try {
    ignoreText = await fs.promises.readFile(path.join(root, '.dockerignore'), 'utf8');
    hasDockerignore = true;
  } catch {
    // no .dockerignore: everything is sent
  }
  const ig = dockerignore({ ignorecase: false }).add(ignoreText);
  const hasExceptions = /^\s*!/m.test(ignoreText);
  const files: ContextFile[] = [];
  let truncated = false;
  const queue: string[] = [''];
  while (queue.length > 0) {
    if (files.length >= maxFiles || Date.now() > deadline) {
      truncated = true;
      break;
    }
    const rel = queue.shift() as string;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(path.join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      const ignored = ig.ignores(p);
      if (e.isDirectory()) {
        // an ignored folder can still hold a re-included file ("!dir/keep"), so only prune without exceptions
        if (ignored && !hasExceptions) continue;
        queue.push(p);
      } else if (!ignored) {
        let bytes = 0;
        try {
          const st = await fs.promises.lstat(path.join(root, p));
          bytes = st.isSymbolicLink() ? 0 : st.size;
        } catch {
          continue;
        }
        files.push({ path: p, bytes });
      }
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, files, truncated, hasDockerignore, contents: await readManifests(root, files, deadline) };
}

/** Lockfiles and requirements files the size estimator reads (outside node_modules; at most 8 MB each, 40 files). */
const MANIFEST = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|requirements[^/]*\.txt)$/;

async function readManifests(root: string, files: ContextFile[], deadline: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const f of files) {
    if (!MANIFEST.test(f.path) || f.path.includes('node_modules/') || f.bytes > 8_000_000) continue;
    if (++n > 40 || Date.now() > deadline + 2_000) break;
    try {
      out[f.path] = await fs.promises.readFile(path.join(root, f.path), 'utf8');
    } catch {
      // unreadable: the estimate says it was not read
    }
  }
  return out;
}
