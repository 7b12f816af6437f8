// COPY/ADD from the build context: which context files a step's sources select, with Docker's rules.
// - A source is a path relative to the context root ('/' and './' prefixes mean the same root; '..' cannot leave it).
// - '.' (or '/') selects the whole context; a folder selects everything under it (its contents are copied).
// - A source with *, ? or [...] is a pattern matched with Go's filepath.Match against paths of the same depth:
//   '*' and '?' never match '/', classes take ranges and '^' negation, '\' escapes. A matched folder copies its
//   contents, recursively. Matched by analysis/glob.ts (linear time; a malformed pattern such as `[z-a]` matches
//   nothing, as Docker finds no file for it).
// The context facts already have .dockerignore applied (server/src/facts/context.ts).

import { compileGlob, hasGlobMeta } from '../glob';
import { entriesUnder } from '../sources';
import { contextPath } from '../paths';
import type { ContextFile } from '../model';

export interface Selection {
  files: ContextFile[];
  bytes: number;
  /** Sources that selected nothing (Docker fails the build on those). */
  missing: string[];
}

export function selectContextFiles(files: readonly ContextFile[], sources: readonly string[]): Selection {
  const chosen = new Map<string, ContextFile>();
  const missing: string[] = [];
  for (const raw of sources) {
    const src = contextPath(raw);
    let hit = 0;
    if (src === '') {
      for (const f of files) chosen.set(f.path, f);
      hit = files.length;
    } else if (hasGlobMeta(src)) {
      const glob = compileGlob(src);
      const depth = src.split('/').length;
      for (const f of files) {
        if (!glob) break; // a malformed pattern matches nothing
        const head = firstSegments(f.path, depth);
        if (head !== null && glob.test(head)) {
          chosen.set(f.path, f);
          hit++;
        }
      }
    } else {
      for (const f of filesUnder(files, src)) {
        chosen.set(f.path, f);
        hit++;
      }
    }
    if (hit === 0) missing.push(raw);
  }
  const list = [...chosen.values()];
  return { files: list, bytes: list.reduce((n, f) => n + f.bytes, 0), missing };
}

/** The context's files sorted by path, once per listing (a file of thousands of COPY lines asks again and again). */
const sortedListings = new WeakMap<readonly ContextFile[], readonly ContextFile[]>();

/** The files at `src` or inside the folder `src`, from the listing sorted once. */
function filesUnder(files: readonly ContextFile[], src: string): readonly ContextFile[] {
  let sorted = sortedListings.get(files);
  if (!sorted) {
    sorted = files.slice().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    sortedListings.set(files, sorted);
  }
  return entriesUnder(sorted, (f) => f.path, src);
}

/** The path's first `n` segments, or null when it has fewer. */
function firstSegments(path: string, n: number): string | null {
  let end = -1;
  for (let i = 0; i < n; i++) {
    if (end === path.length) return null;
    const slash = path.indexOf('/', end + 1);
    end = slash < 0 ? path.length : slash;
  }
  return path.slice(0, end);
}

/** Archive kinds ADD extracts, with the expansion ratio we assume (extracted bytes / archive bytes). */
const ARCHIVES: { re: RegExp; ratio: number; kind: string }[] = [
  { re: /\.(tar\.gz|tgz)$/i, ratio: 2.5, kind: 'gzip' },
  { re: /\.(tar\.bz2|tbz2?)$/i, ratio: 2.8, kind: 'bzip2' },
  { re: /\.(tar\.xz|txz)$/i, ratio: 3.3, kind: 'xz' },
  { re: /\.(tar\.zst|tzst)$/i, ratio: 2.8, kind: 'zstd' },
  { re: /\.tar$/i, ratio: 1.0, kind: 'tar' },
];

/**
 * ADD extracts local tar archives (plain or compressed) into the destination. We cannot open them here, so the
 * extracted size is the archive size times a typical ratio for software trees: gzip x2.5, bzip2 x2.8, zstd x2.8,
 * xz x3.3, plain tar x1 (compressed/on-disk ratios of 0.30-0.46 are what official image layers show, research §6).
 */
export function archiveRatio(path: string): { ratio: number; kind: string } | null {
  for (const a of ARCHIVES) if (a.re.test(path)) return { ratio: a.ratio, kind: a.kind };
  return null;
}
